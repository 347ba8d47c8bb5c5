-- R3: how the through registration number is allocated (docs/registration.md, "Numbering").
-- SQLite serialises writers anyway, so the gapless counter row costs nothing extra; it has no
-- sequences, so `gapless` is the only mode here.
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO settings (name, value) VALUES ('registration_numbering', 'gapless');
