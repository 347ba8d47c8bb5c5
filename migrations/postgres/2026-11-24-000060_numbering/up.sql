-- R3: how the through registration number is allocated (docs/registration.md, "Numbering").
-- `settings` holds database-wide choices every server process must agree on.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- `sequence` (default on PostgreSQL, as eOtinish's registration_number_seq [OBS]): numbers come
-- from registration_number_seq, registrations do not wait for each other, and a number is lost
-- only when its transaction fails after taking it. `gapless`: the `counters` row, locked until
-- commit, so registrations commit one at a time. Switch with `appeals numbering set MODE`.
INSERT INTO settings (name, value) VALUES ('registration_numbering', 'sequence');
CREATE SEQUENCE registration_number_seq AS BIGINT MINVALUE 1 START 1;
-- Continue after any numbers the counter already issued.
SELECT setval('registration_number_seq', value) FROM counters WHERE name = 'registration' AND value > 0;
