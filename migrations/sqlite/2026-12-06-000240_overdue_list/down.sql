DROP INDEX appeals_open_by_id;
