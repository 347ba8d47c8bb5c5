DROP INDEX appeals_open_by_id;
CREATE INDEX appeals_open_by_id ON appeals (subject_id, id, review_due) WHERE closed_at IS NULL;
DROP INDEX appeals_subject_id;
CREATE INDEX appeals_subject_id ON appeals (subject_id, id);
DROP INDEX appeal_markings_subject;
ALTER TABLE appeal_markings DROP COLUMN subject_id;
DROP INDEX appeal_tags_subject;
ALTER TABLE appeal_tags DROP COLUMN subject_id;
