-- Report 1-ОЛ (Rules p.32, Appendix 5): counts kept by the card write path, the report
-- definition as data, and the frozen months.

-- The row code of a subject in the report (1-ОЛ section 5: one row per subject with its code);
-- when empty the subject's own code is printed.
ALTER TABLE subjects ADD COLUMN report_row_code TEXT;

-- Folded counts: one row per subject, month (yyyymm), measure and dimensions.
CREATE TABLE report_counts (
    subject_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    measure TEXT NOT NULL,
    dimensions TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (subject_id, month, measure, dimensions)
);

-- Changes of the counts, appended in the transaction of each card change (an insert never waits
-- for another transaction's counter row) and folded into report_counts in the background.
CREATE TABLE report_count_changes (
    id BIGSERIAL PRIMARY KEY,
    subject_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    measure TEXT NOT NULL,
    dimensions TEXT NOT NULL,
    n BIGINT NOT NULL
);
-- No index besides the key: the table holds only what the last fold left (a few thousand rows),
-- and every index is one more write per card change.

-- The report definition, versioned: the authorized body stores a corrected one; the latest
-- version is in force (every change is also an admin event).
CREATE TABLE report_definitions (
    version BIGINT PRIMARY KEY,
    definition TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by BIGINT,
    reason TEXT NOT NULL
);

-- A closed month of a subject (its report with its subtree), frozen: a later change of a card
-- counted in it adds a revision; a revision is never overwritten.
CREATE TABLE report_snapshots (
    id BIGSERIAL PRIMARY KEY,
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    definition_version BIGINT NOT NULL,
    calendar_version TEXT NOT NULL,
    generated_at TIMESTAMP NOT NULL,
    closed_by BIGINT,
    changes TEXT NOT NULL,
    UNIQUE (subject_id, year, month, revision)
);

-- Cards stored before this migration have no counts yet: the next start recounts them.
INSERT INTO settings (name, value)
SELECT 'report_counts_state', 'rebuild'
WHERE EXISTS (SELECT 1 FROM appeals) OR EXISTS (SELECT 1 FROM receptions);
