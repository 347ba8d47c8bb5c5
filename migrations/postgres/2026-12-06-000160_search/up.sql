-- Full-text search of appeals (issue 25). The terms are the engine's own Russian and Kazakh stems
-- (appeals_domain::search::index_terms), stored as a `simple` tsvector so that both backends
-- match the same words; the card write path keeps them in step with every change.
CREATE TABLE appeal_search (
    appeal_id BIGINT PRIMARY KEY REFERENCES appeals(id),
    subject_id BIGINT NOT NULL,
    terms TSVECTOR NOT NULL
);
CREATE INDEX appeal_search_terms ON appeal_search USING GIN (terms);
-- A subject's search combines both indexes (BitmapAnd) instead of ranking the nation's matches.
CREATE INDEX appeal_search_subject ON appeal_search (subject_id);

-- Applicants' IIN/BIN as keyed hashes (HMAC-SHA-256 with the deployment's search key): an
-- applicant is found by IIN without a readable IIN in any index.
CREATE TABLE appeal_search_keys (
    key_hash TEXT NOT NULL,
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    PRIMARY KEY (key_hash, appeal_id)
);
CREATE INDEX appeal_search_keys_appeal ON appeal_search_keys (appeal_id);

-- Cards stored before this migration are not indexed yet: the next start indexes them.
INSERT INTO settings (name, value)
SELECT 'search_index_state', 'rebuild'
WHERE EXISTS (SELECT 1 FROM appeals);
