-- PostgreSQL widens `appeals_subject_registered` with INCLUDE columns (issue 25), which SQLite
-- does not have.
SELECT 1;
