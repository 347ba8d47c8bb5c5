-- Act times (issue 23 point 3): a card one of whose acts was entered on a later day than its
-- stated date, for the auditors' `entered_late` filter; kept by the card write path.
ALTER TABLE appeals ADD COLUMN entered_late BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX appeals_entered_late ON appeals (subject_id, id) WHERE entered_late;

-- Deadline and numbering conventions (issue 23 point 1): every version the authorized body stored,
-- the latest in force; none stored = the built-in defaults of DOMAIN.md (version 0).
CREATE TABLE conventions (
    version BIGINT PRIMARY KEY,
    data TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by BIGINT,
    reason TEXT NOT NULL
);
