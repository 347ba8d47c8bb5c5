DELETE FROM settings WHERE name = 'report_counts_state';
DROP TABLE report_snapshots;
DROP TABLE report_definitions;
DROP TABLE report_count_changes;
DROP TABLE report_counts;
ALTER TABLE subjects DROP COLUMN report_row_code;
