-- A region's list filters (issue 25; docs/performance.md): the holder copied beside each tag and
-- marking (kept by the card write path when a card changes holder), so a subject's tagged ids are
-- one index range. (The PostgreSQL migration also widens two indexes with INCLUDE columns, which
-- SQLite does not have.)
ALTER TABLE appeal_tags ADD COLUMN subject_id BIGINT NOT NULL DEFAULT 0;
UPDATE appeal_tags SET subject_id = (SELECT subject_id FROM appeals WHERE appeals.id = appeal_tags.appeal_id);
CREATE INDEX appeal_tags_subject ON appeal_tags (tag, subject_id, appeal_id);
ALTER TABLE appeal_markings ADD COLUMN subject_id BIGINT NOT NULL DEFAULT 0;
UPDATE appeal_markings SET subject_id = (SELECT subject_id FROM appeals WHERE appeals.id = appeal_markings.appeal_id);
CREATE INDEX appeal_markings_subject ON appeal_markings (marking, subject_id, appeal_id);
