DROP TABLE admin_events;
DROP TABLE calendar_overrides;
DROP TABLE config_versions;
DROP TABLE dictionary_entries;
