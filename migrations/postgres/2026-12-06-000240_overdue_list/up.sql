-- The appeal list's `overdue` filter (issue 25) pages newest first by id: the newest open cards of
-- a subject are not yet overdue, and a scan of the rows by id skipped them all on every page
-- (26,438 rows, 29 ms at 1M cards; p99 343–1,121 ms at 32 clients). With the control date in the
-- index the page's ids are read by an index-only scan that checks it inside the index (1.8 ms).
CREATE INDEX appeals_open_by_id ON appeals (subject_id, id, review_due) WHERE closed_at IS NULL;
