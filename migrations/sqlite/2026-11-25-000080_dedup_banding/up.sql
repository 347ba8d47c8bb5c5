-- The LSH banding (`{bands}x{rows}`) the duplicate index's band keys were computed with: every
-- server process checks and indexes with the database's banding, and `appeals dedup reindex`
-- recomputes the band keys from the stored signatures when it changes. A database that already
-- holds an index keeps the banding it was built with (32 bands of 4 rows, the default until this
-- migration); a new one starts with the current default, 16 bands of 3 rows.
INSERT INTO settings (name, value)
SELECT 'dedup_banding',
       CASE WHEN EXISTS (SELECT 1 FROM appeal_dedup_signatures) THEN '32x4' ELSE '16x3' END;
