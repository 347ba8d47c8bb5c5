-- Issue 22 point 7: subjects that publish the status of their appeals through the Open311
-- GeoReport v2 facade (status and dates only).
ALTER TABLE subjects ADD COLUMN open311_public BOOLEAN NOT NULL DEFAULT FALSE;
