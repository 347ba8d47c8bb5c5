-- A region's list filters at 10,000,000 cards (issue 25; docs/performance.md, "Lists at
-- 10,000,000 cards"). A subtree's page is the union of each subject's page; each subject's page
-- must be a short index range, not a walk.
--
-- A tag or a marking: the subject's tagged ids were found by walking the tag's ids of every
-- subject beside the subject's own (a region's ten districts: ≈ 10,000 tag entries each). The
-- holder is copied beside the tag (kept by the card write path when a card changes holder), so a
-- subject's tagged ids are one range of (tag, subject_id, appeal_id).
ALTER TABLE appeal_tags ADD COLUMN subject_id BIGINT;
UPDATE appeal_tags SET subject_id = appeals.subject_id FROM appeals WHERE appeals.id = appeal_tags.appeal_id;
ALTER TABLE appeal_tags ALTER COLUMN subject_id SET NOT NULL;
CREATE INDEX appeal_tags_subject ON appeal_tags (tag, subject_id, appeal_id);
ALTER TABLE appeal_markings ADD COLUMN subject_id BIGINT;
UPDATE appeal_markings SET subject_id = appeals.subject_id FROM appeals WHERE appeals.id = appeal_markings.appeal_id;
ALTER TABLE appeal_markings ALTER COLUMN subject_id SET NOT NULL;
CREATE INDEX appeal_markings_subject ON appeal_markings (marking, subject_id, appeal_id);
-- A kind or a status: checked inside the subject's id index instead of one row read per card
-- until the page fills.
DROP INDEX appeals_subject_id;
CREATE INDEX appeals_subject_id ON appeals (subject_id, id) INCLUDE (kind, status);
-- `deemed_refusal`: accountability and status checked inside the open cards' index too.
DROP INDEX appeals_open_by_id;
CREATE INDEX appeals_open_by_id ON appeals (subject_id, id, review_due)
    INCLUDE (is_accountable, status) WHERE closed_at IS NULL;
