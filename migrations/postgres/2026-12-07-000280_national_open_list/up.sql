-- The authorized body's list filtered by `overdue` or `deemed_refusal` (issue 25; docs/performance.md,
-- "Lists at 10,000,000 cards"). It pages newest first by id over every subject; the newest open
-- cards are still in term, and the scan of the rows by id read and skipped each of them on every
-- page (4.2–7.5 s at 10M; 270,776 rows, 462 ms for one request). The page is now the union of one
-- page per control month before the current one — a range of this index in id order, the control
-- date, accountability and status checked inside it — and one per day of the current month
-- (`appeals_review_due`), so no in-term card is read at all.
CREATE INDEX appeals_open_by_due_month ON appeals ((date_trunc('month', review_due::timestamp)), id)
    INCLUDE (review_due, is_accountable, status) WHERE closed_at IS NULL;
