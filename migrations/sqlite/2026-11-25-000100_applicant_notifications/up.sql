-- R46: the applicant is told of every status change of their card, and by SMS to the mobile number
-- on file when the answer is issued. A notice is written in the transaction that changes the card
-- (an outbox: it exists exactly when the change committed); the subject's delivery system (an
-- integrated gateway) takes the pending ones in id order and reports each delivery.
CREATE TABLE applicant_notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    -- The subject that held the card at the change: it owes the notice.
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    -- status_changed | answer_issued
    event TEXT NOT NULL,
    status_from TEXT NOT NULL,
    status_to TEXT NOT NULL,
    -- answer_issued: the applicant's ordinal (З-1) and mobile number the SMS goes to.
    applicant_ordinal INTEGER,
    sms_to TEXT,
    created_at TIMESTAMP NOT NULL,
    -- pending | delivered | failed
    delivery TEXT NOT NULL,
    reported_at TIMESTAMP,
    delivery_note TEXT
);
CREATE INDEX applicant_notifications_appeal_id ON applicant_notifications (appeal_id, id);
CREATE INDEX applicant_notifications_queue ON applicant_notifications (subject_id, delivery, id);
