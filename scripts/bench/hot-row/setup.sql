-- Hot-row experiment for the 1-ОЛ counts (docs/performance.md, "Report 1-ОЛ"): the same count
-- change written three ways by transactions that hold their locks ~2 ms (as a registration does).
DROP TABLE IF EXISTS hot_counts, hot_changes;
CREATE TABLE hot_counts (subject_id BIGINT, month INT, measure TEXT, dimensions TEXT, shard INT,
    n BIGINT NOT NULL, PRIMARY KEY (subject_id, month, measure, dimensions, shard));
CREATE TABLE hot_changes (id BIGSERIAL PRIMARY KEY, subject_id BIGINT, month INT, measure TEXT,
    dimensions TEXT, n BIGINT);
