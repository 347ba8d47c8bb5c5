-- PostgreSQL keys its GIN search index by windows of ids (issue 25); SQLite's FTS5 table has
-- no such index.
SELECT 1;
