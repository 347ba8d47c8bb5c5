-- A search reads the window of newest cards it asks for, not a word's every match (issue 25;
-- docs/performance.md, "Search bounded by recency"). Each entry of the search index gains window
-- keys: the card's id bucket of 10,000, 100,000 and 1,000,000 ids, once for the nation and once
-- for its subject, and its subject's key for all time — `subject × 10^10 + level × 10^9 + bucket`
-- (level 4, 5, 6: the bucket's size as a power of ten; 9: all time; subject 0: the nation). A
-- window of the newest ids is a handful of bucket keys (a 4,000,000-id window ≤ 23 per subject),
-- so the index intersects the words with the window's own entries, for the nation or for each of
-- up to 64 subjects in one scan, and skips through a common word's posting list instead of reading
-- it whole (`жыл` at 1M cards, the nation's newest 100,000: 45 → 7 ms). `repo::search` writes the
-- same keys (`window_keys`); ids stay below 10^13.
CREATE FUNCTION appeal_search_windows(subject_id BIGINT, appeal_id BIGINT) RETURNS BIGINT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT ARRAY[
    4000000000 + appeal_id / 10000,
    5000000000 + appeal_id / 100000,
    6000000000 + appeal_id / 1000000,
    subject_id * 10000000000 + 4000000000 + appeal_id / 10000,
    subject_id * 10000000000 + 5000000000 + appeal_id / 100000,
    subject_id * 10000000000 + 6000000000 + appeal_id / 1000000,
    subject_id * 10000000000 + 9000000000
]
$$;
CREATE INDEX appeal_search_windowed_terms ON appeal_search
    USING GIN (appeal_search_windows(subject_id, appeal_id), terms);
DROP INDEX appeal_search_subject_terms;
-- The planner needs the window keys' statistics to see how narrow a window is (without them it
-- guessed a large share of the table and scanned it whole).
ANALYZE appeal_search;
