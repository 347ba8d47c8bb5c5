DELETE FROM applicant_notifications WHERE reception_id IS NOT NULL;
CREATE TABLE applicant_notifications_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    event TEXT NOT NULL,
    status_from TEXT NOT NULL,
    status_to TEXT NOT NULL,
    applicant_ordinal INTEGER,
    sms_to TEXT,
    created_at TIMESTAMP NOT NULL,
    delivery TEXT NOT NULL,
    reported_at TIMESTAMP,
    delivery_note TEXT
);
INSERT INTO applicant_notifications_old SELECT id, appeal_id, subject_id, event, status_from,
    status_to, applicant_ordinal, sms_to, created_at, delivery, reported_at, delivery_note
FROM applicant_notifications;
DROP TABLE applicant_notifications;
ALTER TABLE applicant_notifications_old RENAME TO applicant_notifications;
CREATE INDEX applicant_notifications_appeal_id ON applicant_notifications (appeal_id, id);
CREATE INDEX applicant_notifications_queue ON applicant_notifications (subject_id, delivery, id);
