-- Band rows are derived index entries, written in the same statement as the appeal's signature row
-- (which keeps its foreign key to `appeals`) and never deleted on their own; the foreign key
-- made every registration run 16 referential-integrity checks that lock the appeal row
-- (≈ 10 % of registration throughput with the duplicate check, docs/performance.md). SQLite keeps
-- its constraint: there a check is an in-process primary-key lookup, and dropping it would mean
-- rebuilding the table.
ALTER TABLE appeal_dedup_bands DROP CONSTRAINT IF EXISTS appeal_dedup_bands_appeal_id_fkey;
