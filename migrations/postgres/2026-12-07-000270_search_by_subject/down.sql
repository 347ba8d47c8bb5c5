CREATE INDEX appeal_search_subject ON appeal_search (subject_id);
CREATE INDEX appeal_search_terms ON appeal_search USING GIN (terms);
DROP INDEX appeal_search_subject_terms;
-- The extension stays: another object of the database may use it.
