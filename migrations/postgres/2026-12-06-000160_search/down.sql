DELETE FROM settings WHERE name = 'search_index_state';
DROP TABLE appeal_search_keys;
DROP TABLE appeal_search;
