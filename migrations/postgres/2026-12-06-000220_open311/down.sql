ALTER TABLE subjects DROP COLUMN open311_public;
