DROP TABLE registry_records;
