//! Row structs: what a table stores, as diesel reads and writes it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{subjects, users};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = subjects, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct SubjectRow {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_kk: Option<String>,
    pub parent_id: Option<i64>,
    pub kato_code: Option<String>,
    pub is_authorized_body: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = subjects)]
pub struct NewSubjectRow {
    pub code: String,
    pub name_ru: String,
    pub name_kk: Option<String>,
    pub parent_id: Option<i64>,
    pub kato_code: Option<String>,
    pub is_authorized_body: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub subject_id: i64,
    pub full_name: Option<String>,
    /// Comma-separated role codes.
    pub roles: String,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow {
    pub username: String,
    pub password_hash: String,
    pub subject_id: i64,
    pub full_name: Option<String>,
    pub roles: String,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
}
