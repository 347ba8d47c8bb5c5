-- Issue 20 point 2: subjects are deactivated, never deleted; a deactivated subject's tokens stop
-- working at once. `signature_required`: whether forwarding and extension approvals of the subject
-- must carry an EDS signature (NULL = the deployment's default, docs/access.md).
ALTER TABLE subjects ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE subjects ADD COLUMN signature_required BOOLEAN;
-- The organisation's BIN: an EDS-signed access application must come from it (Rules p.25).
ALTER TABLE subjects ADD COLUMN bin TEXT;

-- Issue 20 point 4: a token carries its user's generation; logging out, a password reset or a
-- deactivation moves it, and every older token is refused on its next request in every process.
-- Failed logins lock the account for a while (lockout); the person's IIN only as a keyed hash.
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE users ADD COLUMN iin_hash TEXT;
ALTER TABLE users ADD COLUMN position TEXT;

-- The login trail: every attempt on an existing account (unknown logins are not stored: a
-- mistyped password in the username field must not be kept).
CREATE TABLE login_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    outcome TEXT NOT NULL
);
CREATE INDEX login_events_user ON login_events (user_id, id);

-- Access applications signed with an EDS (Rules p.25, issue 20 point 1): the signed original is
-- kept byte for byte.
CREATE TABLE access_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    status TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    signed_original BLOB NOT NULL,
    application TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signer_iin_hash TEXT NOT NULL,
    signer_bin TEXT NOT NULL,
    signed_at TIMESTAMP,
    decided_at TIMESTAMP,
    decided_by BIGINT REFERENCES users(id),
    decision_reason TEXT
);
CREATE INDEX access_requests_status ON access_requests (status, id);

-- Signatures of approvals and answers (issue 20 point 3): the canonical document and the detached
-- CMS signature over it, verifiable later.
CREATE TABLE signatures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    purpose TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    document TEXT NOT NULL,
    signature BLOB NOT NULL,
    signer_user_id BIGINT NOT NULL REFERENCES users(id),
    signer_name TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL
);
CREATE INDEX signatures_appeal ON signatures (appeal_id, id);
