DROP INDEX appeals_review_due;
CREATE INDEX appeals_review_due ON appeals (review_due) WHERE closed_at IS NULL;
