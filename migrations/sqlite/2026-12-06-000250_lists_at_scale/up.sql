-- Lists at 10,000,000 cards (issue 25; docs/performance.md): a subject's list filtered by
-- registration dates reads the range's ids from its own range of this index instead of skipping
-- every card registered after it. (The PostgreSQL migration also widens three work-list indexes
-- for index-only counts; SQLite keeps them.)
-- A list filtered by a tag or a marking reads the tag's ids in id order.
CREATE INDEX appeals_subject_registered ON appeals (subject_id, registration_date, id);
DROP INDEX appeal_tags_tag;
CREATE INDEX appeal_tags_tag ON appeal_tags (tag, appeal_id);
DROP INDEX appeal_markings_marking;
CREATE INDEX appeal_markings_marking ON appeal_markings (marking, appeal_id);
-- The same for every subject (the authorized body's list): a range of registration dates read
-- as ids in the index, sorted there, instead of one row per card of the range.
DROP INDEX appeals_registration_date;
CREATE INDEX appeals_registration_date ON appeals (registration_date, id);
