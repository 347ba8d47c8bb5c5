DELETE FROM applicant_notifications WHERE reception_id IS NOT NULL;
DROP INDEX applicant_notifications_reception_id;
ALTER TABLE applicant_notifications DROP CONSTRAINT applicant_notifications_one_card;
ALTER TABLE applicant_notifications DROP COLUMN reception_id;
ALTER TABLE applicant_notifications ALTER COLUMN appeal_id SET NOT NULL;
