ALTER TABLE appeal_dedup_bands
    RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor);
ALTER TABLE appeal_dedup_applicant_keys
    RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor);
