-- PostgreSQL's search gains a GIN index over the subject and the terms (issue 25). SQLite's FTS5
-- table has no such index: it keeps reading matches newest first and filtering by subject.
SELECT 1;
