DROP TABLE users;
DROP TABLE subjects;
