DROP TABLE kato_objects;
