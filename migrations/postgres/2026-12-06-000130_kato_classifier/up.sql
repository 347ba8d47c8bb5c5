-- The KATO classifier (классификатор административно-территориальных объектов), loaded with
-- `appeals kato import FILE`: a place given as a KATO code (ЛП-1 requisite 28) must be one of its
-- objects once the classifier is loaded.
CREATE TABLE kato_objects (
    code TEXT PRIMARY KEY,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    -- 1 (region) … 4 (village), the classifier's `k`.
    level INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
