DELETE FROM settings WHERE name = 'dedup_banding';
