DROP INDEX appeal_markings_subject;
ALTER TABLE appeal_markings DROP COLUMN subject_id;
DROP INDEX appeal_tags_subject;
ALTER TABLE appeal_tags DROP COLUMN subject_id;
