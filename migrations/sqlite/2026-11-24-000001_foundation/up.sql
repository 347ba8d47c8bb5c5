-- Subjects (state bodies, LSG bodies, 100%-state companies) and the users who act for them.
CREATE TABLE subjects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_kk TEXT,
    parent_id BIGINT REFERENCES subjects(id),
    kato_code TEXT,
    is_authorized_body BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    subject_id BIGINT NOT NULL REFERENCES subjects(id),
    full_name TEXT,
    roles TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_subject_id ON users(subject_id);
