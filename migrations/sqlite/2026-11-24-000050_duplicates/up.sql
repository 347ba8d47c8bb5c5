-- The duplicate check (Rules p.13, R13, R14; issue 5). Everything a check needs is in indexed
-- tables, so a check is a handful of index lookups and any server process sees a registration the
-- moment it commits (no per-process memory).

-- One row per registered appeal: its MinHash signature (appeals_domain::dedup::Signature::to_bytes,
-- 516 bytes with K = 128) and the applicant keys as given (JSON of Vec<ApplicantKey>), so that
-- candidates are verified without parsing З-1 cards.
CREATE TABLE appeal_dedup_signatures (
    appeal_id BIGINT PRIMARY KEY REFERENCES appeals(id),
    signature BLOB NOT NULL,
    applicants TEXT NOT NULL,
    -- Canonical identity of the first applicant (iin:…, name:…) or NULL for an anonymous appeal;
    -- counts distinct applicants of a campaign cluster.
    applicant_identity TEXT
);

-- LSH band keys (u64 stored bit-cast as i64): texts sharing a key are candidates.
CREATE TABLE appeal_dedup_bands (
    band_key BIGINT NOT NULL,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    PRIMARY KEY (band_key, appeal_id)
) WITHOUT ROWID;

-- Applicant keys (R14): iin_bin, name_kato (name + KATO settlement), name_address.
CREATE TABLE appeal_dedup_applicant_keys (
    key_kind TEXT NOT NULL,
    key TEXT NOT NULL,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    PRIMARY KEY (key_kind, key, appeal_id)
) WITHOUT ROWID;

-- Current duplicate/related links: appeal_id is the later appeal, other_appeal_id the earlier one.
CREATE TABLE appeal_duplicate_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    other_appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    verdict TEXT NOT NULL CHECK (verdict IN ('duplicate', 'related')),
    similarity REAL,
    containment REAL,
    decided_by TEXT NOT NULL CHECK (decided_by IN ('engine', 'user')),
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT REFERENCES users(id),
    UNIQUE (appeal_id, other_appeal_id)
);
CREATE INDEX appeal_duplicate_links_other ON appeal_duplicate_links (other_appeal_id);

-- The registrar's overrides of the engine's verdict (R14: the final qualification is theirs).
-- Never updated or deleted; the card's history carries the same facts as an event.
CREATE TABLE duplicate_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    verdict TEXT NOT NULL CHECK (verdict IN ('duplicate', 'related', 'new')),
    original_appeal_id BIGINT REFERENCES appeals(id),
    reason TEXT NOT NULL,
    previous TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    decided_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX duplicate_decisions_appeal_id ON duplicate_decisions (appeal_id);
