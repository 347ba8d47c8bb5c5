CREATE INDEX appeal_search_subject_terms ON appeal_search USING GIN (subject_id, terms);
DROP INDEX appeal_search_windowed_terms;
DROP FUNCTION appeal_search_windows(BIGINT, BIGINT);
