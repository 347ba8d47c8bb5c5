BEGIN;
INSERT INTO hot_changes (subject_id, month, measure, dimensions, n)
  VALUES (1, 202612, 'received', 'form=electronic;kind=application;origin=direct', 1);
SELECT pg_sleep(0.002);
COMMIT;
