\set shard random(0, 15)
BEGIN;
INSERT INTO hot_counts VALUES (1, 202612, 'received', 'form=electronic;kind=application;origin=direct', :shard, 1)
  ON CONFLICT (subject_id, month, measure, dimensions, shard) DO UPDATE SET n = hot_counts.n + 1;
SELECT pg_sleep(0.002);
COMMIT;
