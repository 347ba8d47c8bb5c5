-- Personal reception (Rules p.4 part 5, p.18, Appendix 2-1; R10, R24–R26). An application for
-- personal reception is registered through its ЛП-1 card: one row here per application (R26 —
-- the card is the application's registration, so one row cannot hold two cards, and
-- `source_reference` makes a second delivery of one application from another system a conflict).
CREATE TABLE receptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- ЛП-1 requisite 2: from the through numbering (R3), never changed.
    reg_number TEXT NOT NULL UNIQUE,
    counter BIGINT NOT NULL,
    -- Requisite 1.
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    -- queued | booked | refused | held | not_held
    status TEXT NOT NULL,
    -- Requisites 3–4: the place in the subject's queue and the day it was taken.
    queue_number BIGINT NOT NULL,
    queued_on DATE NOT NULL,
    out_of_schedule BOOLEAN NOT NULL,
    -- Requisite 6: online | offline.
    reception_kind TEXT NOT NULL,
    -- Requisite 24: the presiding official (a head or deputy head of the subject).
    official_user_id BIGINT REFERENCES users(id),
    -- The booked slot (local time, UTC+5) and whether it was confirmed.
    slot_starts_at TIMESTAMP,
    slot_confirmed BOOLEAN NOT NULL,
    -- The application's id in the system it came from (eOtinish, a front office): one card each.
    source_reference TEXT,
    -- The ЛП-1 card (36 requisites) as JSON.
    card TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    registered_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (subject_id, queued_on, queue_number),
    UNIQUE (subject_id, source_reference)
);
CREATE INDEX receptions_subject_queue ON receptions (subject_id, queued_on, queue_number);
CREATE INDEX receptions_subject_id ON receptions (subject_id, id);

-- The history of a reception card: hash-chained like `appeal_events`, never updated or deleted.
CREATE TABLE reception_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reception_id BIGINT NOT NULL REFERENCES receptions(id),
    seq INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id BIGINT REFERENCES users(id),
    actor_subject_id BIGINT REFERENCES subjects(id),
    action TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (reception_id, seq)
);

-- A reception schedule of one official (p.18 part 2): weekdays and hours, cut into slots on the
-- working days of the calendar (a holiday or a transferred day off has no slots).
CREATE TABLE reception_schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    official_user_id BIGINT NOT NULL REFERENCES users(id),
    -- ISO weekdays 1–7, comma-separated.
    weekdays TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL,
    -- Requisites 28–29 and 6 of the receptions it offers.
    place_kato TEXT NOT NULL,
    place_addressee TEXT NOT NULL,
    online BOOLEAN NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reception_schedules_subject ON reception_schedules (subject_id, official_user_id);

-- A slot given to a reception: one per official and start time. The primary key is what makes a
-- slot impossible to give twice, whichever server process commits first.
CREATE TABLE reception_bookings (
    official_user_id BIGINT NOT NULL REFERENCES users(id),
    starts_at TIMESTAMP NOT NULL,
    reception_id BIGINT NOT NULL UNIQUE REFERENCES receptions(id),
    schedule_id BIGINT NOT NULL REFERENCES reception_schedules(id),
    booked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (official_user_id, starts_at)
);
