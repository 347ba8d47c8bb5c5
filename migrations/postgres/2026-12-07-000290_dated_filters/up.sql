-- A range of registration dates with a kind or a status (issue 25; docs/performance.md, "Lists at
-- 10,000,000 cards, twelfth session"). Such a page comes in registration-date order: each
-- subject's part reads its range of this index backwards until the page is full, and the kind and
-- status are checked inside the index instead of one row read per entry (a district's January of
-- `kind=complaint` at 10M: 306 rows read, 0.7 ms; a region's page is eleven of them).
DROP INDEX appeals_subject_registered;
CREATE INDEX appeals_subject_registered ON appeals (subject_id, registration_date, id)
    INCLUDE (kind, status);
