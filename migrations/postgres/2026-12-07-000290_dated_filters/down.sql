DROP INDEX appeals_subject_registered;
CREATE INDEX appeals_subject_registered ON appeals (subject_id, registration_date, id);
