-- The duplicate check reads the newest holders of each band key and applicant key with
-- index-only scans. Those skip the heap only for pages the visibility map marks all-visible, which
-- only VACUUM does; the default insert-triggered autovacuum waits for 20 % of a table (6.4M band
-- rows at 1M appeals), so the newest rows — the ones the lookups read first — stayed invisible and
-- every one cost a heap fetch (one band lookup at 1M appeals: 1,263 heap fetches, 1,432 buffers,
-- against 0 and 186 after a VACUUM). The tables are append-only: vacuum them every 10,000 rows.
ALTER TABLE appeal_dedup_bands
    SET (autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0);
ALTER TABLE appeal_dedup_applicant_keys
    SET (autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0);
