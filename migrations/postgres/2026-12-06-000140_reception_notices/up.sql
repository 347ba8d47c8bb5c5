-- The applicant's notices of a personal reception (slot given or released, refused, held, not
-- held) go to the same outbox as those of an appeal: a notice belongs to exactly one card, an
-- ОЛ-1 (`appeal_id`) or a ЛП-1 (`reception_id`).
ALTER TABLE applicant_notifications ALTER COLUMN appeal_id DROP NOT NULL;
ALTER TABLE applicant_notifications ADD COLUMN reception_id BIGINT REFERENCES receptions(id);
ALTER TABLE applicant_notifications ADD CONSTRAINT applicant_notifications_one_card
    CHECK ((appeal_id IS NULL) <> (reception_id IS NULL));
CREATE INDEX applicant_notifications_reception_id ON applicant_notifications (reception_id, id);
