DROP INDEX appeals_registration_date;
CREATE INDEX appeals_registration_date ON appeals (registration_date);
DROP INDEX appeal_markings_marking;
CREATE INDEX appeal_markings_marking ON appeal_markings (marking);
DROP INDEX appeal_tags_tag;
CREATE INDEX appeal_tags_tag ON appeal_tags (tag);
DROP INDEX appeals_awaiting_assignment;
CREATE INDEX appeals_awaiting_assignment ON appeals (subject_id, review_due, id)
    WHERE status = 'registered';
DROP INDEX appeals_review_due;
CREATE INDEX appeals_review_due ON appeals (review_due, id) WHERE closed_at IS NULL;
DROP INDEX appeals_open_by_due;
CREATE INDEX appeals_open_by_due ON appeals (subject_id, review_due, id) WHERE closed_at IS NULL;
DROP INDEX appeals_subject_registered;
