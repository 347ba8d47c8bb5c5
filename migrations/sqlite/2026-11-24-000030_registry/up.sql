-- Local copy of the state person/company registries (ГБД ФЛ / ГБД ЮЛ) for З-1 auto-fill (R20),
-- loaded with `appeals registry import FILE.csv`. One row per IIN/BIN; a re-import replaces it.
-- `data` is the JSON of `appeals_domain::cards::RegistryRecord`; `source` names the import
-- (e.g. the file it came from).
CREATE TABLE registry_records (
    iin_bin TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    data TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
