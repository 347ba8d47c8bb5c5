-- The authorized body's list filtered by `overdue` or `deemed_refusal` (issue 25; the PostgreSQL
-- migration says why): one page per control month in id order, the control date, accountability
-- and status checked inside the index (dates are stored as `YYYY-MM-DD` text).
CREATE INDEX appeals_open_by_due_month ON appeals (substr(review_due, 1, 7), id, review_due, is_accountable, status)
    WHERE closed_at IS NULL;
