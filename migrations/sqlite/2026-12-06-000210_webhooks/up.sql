-- Issue 22: the event outbox. One row per card change, written by the one card write path in the
-- change's transaction; `id` is the delivery order. `payload` carries no personal data;
-- `private_payload` (the change's own details, which may name applicants) goes only to
-- subscriptions of the card's own subject.
CREATE TABLE outbox_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    card_id BIGINT NOT NULL,
    subject_id BIGINT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    payload TEXT NOT NULL,
    private_payload TEXT
);
CREATE INDEX outbox_events_subject ON outbox_events (subject_id, id);

-- Webhook subscriptions of a subject (or of the authorized body: every subject). `cursor` is the
-- last outbox event handled; a worker leases a subscription (`lease_owner`, `lease_until`) to
-- deliver its next events in order, so two healthy workers never deliver the same event; a
-- killed worker's lease runs out and another takes over from the cursor (at least once).
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    all_subjects BOOLEAN NOT NULL DEFAULT FALSE,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    status TEXT NOT NULL,
    cursor BIGINT NOT NULL,
    failing_since TIMESTAMP,
    next_attempt_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);

-- Every delivery attempt: status code, latency; a parked event (`failed`) can be replayed.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions(id),
    outbox_id BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status_code INTEGER,
    error TEXT,
    latency_ms INTEGER NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
