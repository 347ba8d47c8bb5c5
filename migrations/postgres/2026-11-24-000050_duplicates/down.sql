DROP TABLE duplicate_decisions;
DROP TABLE appeal_duplicate_links;
DROP TABLE appeal_dedup_applicant_keys;
DROP TABLE appeal_dedup_bands;
DROP TABLE appeal_dedup_signatures;
