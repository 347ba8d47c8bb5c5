ALTER TABLE appeal_dedup_bands
    ADD CONSTRAINT appeal_dedup_bands_appeal_id_fkey FOREIGN KEY (appeal_id) REFERENCES appeals (id);
