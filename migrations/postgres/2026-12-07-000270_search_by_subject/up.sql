-- A subject's search reads its own matches (issue 25, search at scale): one GIN index over the
-- subject and the terms, so that `subject_id = s AND terms @@ q` is intersected inside the index
-- — a district's matches of a word, not the nation's, are read (btree_gin gives GIN its `bigint`
-- keys). A search over every subject uses the same index by its terms alone, so the terms-only
-- index and the subject's B-tree, which a search AND-ed as two bitmaps, go.
--
-- btree_gin is a trusted extension of PostgreSQL's contrib: the migrating role needs CREATE on the
-- database (docs/operations.md).
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX appeal_search_subject_terms ON appeal_search USING GIN (subject_id, terms);
DROP INDEX appeal_search_terms;
DROP INDEX appeal_search_subject;
