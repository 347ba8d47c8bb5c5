-- Open cards by control date, then id (issue 25): the order every work list and the national
-- `overdue` list page in. With `review_due` alone the planner took this index for a subject's
-- `due_soon` page and sorted the whole first day (2–15 ms at 1M cards); with the id it reads the
-- page's 51 entries in order (0.1 ms), nationally and for a subject alike.
DROP INDEX appeals_review_due;
CREATE INDEX appeals_review_due ON appeals (review_due, id) WHERE closed_at IS NULL;
