-- The applicant's notices of a personal reception (slot given or released, refused, held, not
-- held) go to the same outbox as those of an appeal: a notice belongs to exactly one card, an
-- ОЛ-1 (`appeal_id`) or a ЛП-1 (`reception_id`). SQLite cannot drop a NOT NULL: the table is
-- rebuilt with the same rows and ids.
CREATE TABLE applicant_notifications_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT REFERENCES appeals(id),
    reception_id BIGINT REFERENCES receptions(id),
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    event TEXT NOT NULL,
    status_from TEXT NOT NULL,
    status_to TEXT NOT NULL,
    applicant_ordinal INTEGER,
    sms_to TEXT,
    created_at TIMESTAMP NOT NULL,
    delivery TEXT NOT NULL,
    reported_at TIMESTAMP,
    delivery_note TEXT,
    CHECK ((appeal_id IS NULL) <> (reception_id IS NULL))
);
INSERT INTO applicant_notifications_new (id, appeal_id, reception_id, subject_id, event,
    status_from, status_to, applicant_ordinal, sms_to, created_at, delivery, reported_at,
    delivery_note)
SELECT id, appeal_id, NULL, subject_id, event, status_from, status_to, applicant_ordinal, sms_to,
    created_at, delivery, reported_at, delivery_note
FROM applicant_notifications;
DROP TABLE applicant_notifications;
ALTER TABLE applicant_notifications_new RENAME TO applicant_notifications;
CREATE INDEX applicant_notifications_appeal_id ON applicant_notifications (appeal_id, id);
CREATE INDEX applicant_notifications_queue ON applicant_notifications (subject_id, delivery, id);
CREATE INDEX applicant_notifications_reception_id ON applicant_notifications (reception_id, id);
