-- ОЛ-1 cards and everything that hangs off them. The domain card and lifecycle state are stored
-- as JSON (`card`, `state`); the columns beside them exist to filter, order and constrain.

-- The through ("сквозной") registration counter (R3): one row per counter, incremented inside
-- the registering transaction, so numbers are unique, increasing and gapless.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('registration', 0);
-- Touched first by every write transaction so that SQLite takes the write lock up front (waiting
-- on busy_timeout) instead of failing a read-to-write upgrade under concurrent writers.
INSERT INTO counters (name, value) VALUES ('__write_lock', 0);

CREATE TABLE appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reg_number TEXT NOT NULL UNIQUE,
    counter BIGINT NOT NULL,
    main_appeal_id BIGINT REFERENCES appeals(id),
    part_k INTEGER,
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    registered_by_subject_id BIGINT NOT NULL REFERENCES subjects(id),
    addressee_subject_id BIGINT REFERENCES subjects(id),
    status TEXT NOT NULL,
    kind TEXT NOT NULL,
    document_type TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    registration_date DATE NOT NULL,
    review_due DATE NOT NULL,
    forward_due DATE NOT NULL,
    transfer_due DATE,
    is_accountable BOOLEAN NOT NULL,
    is_anonymous BOOLEAN NOT NULL,
    applicant_count INTEGER NOT NULL,
    text TEXT NOT NULL,
    card TEXT NOT NULL,
    state TEXT NOT NULL,
    details TEXT NOT NULL,
    duplicate_of BIGINT REFERENCES appeals(id),
    version BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    UNIQUE (main_appeal_id, part_k)
);
CREATE INDEX appeals_subject_id ON appeals (subject_id, id);
CREATE INDEX appeals_status ON appeals (status, id);
CREATE INDEX appeals_registration_date ON appeals (registration_date);
CREATE INDEX appeals_review_due ON appeals (review_due) WHERE closed_at IS NULL;
CREATE INDEX appeals_transfer_due ON appeals (transfer_due) WHERE transfer_due IS NOT NULL;
CREATE INDEX appeals_main_appeal_id ON appeals (main_appeal_id);

-- З-1 cards.
CREATE TABLE appeal_applicants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    ordinal INTEGER NOT NULL,
    category TEXT NOT NULL,
    iin_bin TEXT,
    full_name TEXT,
    card TEXT NOT NULL,
    UNIQUE (appeal_id, ordinal)
);
CREATE INDEX appeal_applicants_iin_bin ON appeal_applicants (iin_bin);

CREATE TABLE appeal_tags (
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    tag TEXT NOT NULL,
    PRIMARY KEY (appeal_id, tag)
);
CREATE INDEX appeal_tags_tag ON appeal_tags (tag);

CREATE TABLE appeal_markings (
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    marking TEXT NOT NULL,
    PRIMARY KEY (appeal_id, marking)
);
CREATE INDEX appeal_markings_marking ON appeal_markings (marking);

-- History: one hash-chained event per action; never updated or deleted.
CREATE TABLE appeal_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    seq INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id BIGINT REFERENCES users(id),
    actor_subject_id BIGINT REFERENCES subjects(id),
    action TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (appeal_id, seq)
);

-- ОЛ-2 cards: one per decision (R22), transfer (p.15) or transfer cancellation.
CREATE TABLE decision_cards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    seq INTEGER NOT NULL,
    card_kind TEXT NOT NULL,
    card TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    UNIQUE (appeal_id, seq)
);

-- Forwardings by competence (APPK art. 65, Rules p.11).
CREATE TABLE forwardings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    to_subject_id BIGINT NOT NULL REFERENCES subjects(id),
    part_appeal_id BIGINT REFERENCES appeals(id),
    scope TEXT NOT NULL,
    details TEXT NOT NULL,
    is_late BOOLEAN NOT NULL,
    forwarded_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX forwardings_appeal_id ON forwardings (appeal_id);

-- Idempotent POSTs: the first response per (user, key) is replayed for retries.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
