-- Lists at 10,000,000 cards (issue 25; docs/performance.md, "Lists at 10,000,000 cards").
-- A subject's list filtered by registration dates read its cards newest first and skipped every
-- card registered after the range (21,216 rows, 82 ms for January at 10M); its own range of this
-- index holds the range's ids.
CREATE INDEX appeals_subject_registered ON appeals (subject_id, registration_date, id);
-- A work list's count reads up to 10,001 entries: with the work-list conditions (accountable, in
-- work) inside the index it is an index-only scan instead of one row read per entry.
DROP INDEX appeals_open_by_due;
CREATE INDEX appeals_open_by_due ON appeals (subject_id, review_due, id)
    INCLUDE (is_accountable, status) WHERE closed_at IS NULL;
DROP INDEX appeals_review_due;
CREATE INDEX appeals_review_due ON appeals (review_due, id)
    INCLUDE (subject_id, is_accountable, status) WHERE closed_at IS NULL;
DROP INDEX appeals_awaiting_assignment;
CREATE INDEX appeals_awaiting_assignment ON appeals (subject_id, review_due, id)
    INCLUDE (is_accountable, pending) WHERE status = 'registered';
-- A list filtered by a tag or a marking walks the subject's ids newest first beside the tag's ids
-- in the same order (a merge join) instead of probing the tag of every card.
DROP INDEX appeal_tags_tag;
CREATE INDEX appeal_tags_tag ON appeal_tags (tag, appeal_id);
DROP INDEX appeal_markings_marking;
CREATE INDEX appeal_markings_marking ON appeal_markings (marking, appeal_id);
-- The same for every subject (the authorized body's list): a range of registration dates read
-- as ids in the index, sorted there, instead of one row per card of the range.
DROP INDEX appeals_registration_date;
CREATE INDEX appeals_registration_date ON appeals (registration_date, id);
