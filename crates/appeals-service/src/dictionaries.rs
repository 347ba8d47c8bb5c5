//! R11, R27: the shared reference books (national configuration). Reading is open to every user;
//! changes belong to the authorized body's admins (the guard) and are audited, versioned and
//! picked up by every server process on its next request.

use appeals_db::rows::DictionaryEntryRow;
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::dictionary::{Dictionary, DictionaryEntry, DictionaryName};

use crate::config::{Rules, record_change};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};

/// Books generated from the domain logic: read-only.
pub const CLOSED_BOOKS: [DictionaryName; 4] = [
    DictionaryName::AppealKinds,
    DictionaryName::AppealDecisionTypes,
    DictionaryName::ComplaintDecisionTypes,
    DictionaryName::AnswerCharacters,
];

/// Whether administrators may change the book.
pub fn editable(name: DictionaryName) -> bool {
    !CLOSED_BOOKS.contains(&name)
}

/// 409 for a read-only book.
pub fn refuse_closed(name: DictionaryName) -> AppResult<()> {
    if editable(name) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "The `{name}` dictionary is generated from the domain logic; its entries cannot be changed."
        )))
    }
}

/// The entries of one book as stored.
fn load_book(conn: &mut DbConn, name: DictionaryName) -> AppResult<Vec<DictionaryEntry>> {
    repo::configuration::entries_of(conn, name)?
        .iter()
        .map(|row| Ok(repo::configuration::row_to_entry(row)?))
        .collect()
}

/// Every stored entry and the configuration version they are at.
pub fn all(conn: &mut DbConn) -> AppResult<(Vec<DictionaryEntryRow>, i64)> {
    let version = repo::configuration::rules_version(conn)?;
    Ok((repo::configuration::all_entries(conn)?, version))
}

/// One book and the configuration version it is at.
pub fn book(conn: &mut DbConn, name: DictionaryName) -> AppResult<(Vec<DictionaryEntry>, i64)> {
    let version = repo::configuration::rules_version(conn)?;
    Ok((load_book(conn, name)?, version))
}

/// One entry and the configuration version it is at (404 for an unknown code).
pub fn entry(
    conn: &mut DbConn,
    name: DictionaryName,
    code: &str,
) -> AppResult<(DictionaryEntry, i64)> {
    let (entries, version) = book(conn, name)?;
    let entry = entries
        .into_iter()
        .find(|e| e.code == code)
        .ok_or_else(|| AppError::NotFound(format!("`{code}` is not an entry of `{name}`.")))?;
    Ok((entry, version))
}

/// Adds an entry (its attributes checked by the edge against the book): a taken code or a
/// read-only book is 409; the book must stay valid as a whole.
pub fn add_entry(
    conn: &mut DbConn,
    ctx: &Ctx,
    name: DictionaryName,
    entry: DictionaryEntry,
) -> AppResult<Rules> {
    refuse_closed(name)?;
    write_tx(conn, |conn| {
        let mut entries = load_book(conn, name)?;
        if entries.iter().any(|e| e.code == entry.code) {
            return Err(AppError::Conflict(format!(
                "`{}` is already a code of `{name}`.",
                entry.code
            )));
        }
        entries.push(entry.clone());
        Dictionary::new(name, entries)?;
        repo::configuration::append_entry(conn, name, &entry)?;
        record_change(
            conn,
            ctx,
            "dictionary_entry_added",
            format!("dictionaries/{name}/{}", entry.code),
            None,
            Some(to_value(&entry)?),
        )
    })
}

fn to_value(entry: &DictionaryEntry) -> AppResult<serde_json::Value> {
    serde_json::to_value(entry).map_err(|e| AppError::corrupt(format!("entry: {e}")))
}

/// What a change of an entry sets (at least one).
pub struct EntryChange {
    pub active: Option<bool>,
    pub label_ru: Option<String>,
    pub label_kk: Option<String>,
    /// `termination_reasons`: the explanation the answer carries (p.23(3) of the Instruction).
    pub explanation_ru: Option<String>,
    pub explanation_kk: Option<String>,
}

/// Changes an entry's labels or deactivates it, at the configuration version the client read
/// (`If-Match`, 412 when another change came first). A deactivated entry stays for old records.
pub fn change_entry(
    conn: &mut DbConn,
    ctx: &Ctx,
    name: DictionaryName,
    code: &str,
    expected_version: i64,
    change: EntryChange,
) -> AppResult<Rules> {
    refuse_closed(name)?;
    if change.active.is_none()
        && change.label_ru.is_none()
        && change.label_kk.is_none()
        && change.explanation_ru.is_none()
        && change.explanation_kk.is_none()
    {
        return Err(AppError::field("#", "the body changes nothing"));
    }
    let mut issues = Vec::new();
    if name != DictionaryName::TerminationReasons
        && (change.explanation_ru.is_some() || change.explanation_kk.is_some())
    {
        issues.push(crate::error::FieldIssue::new(
            "#/explanation_ru",
            "only a termination reason carries an explanation",
        ));
    }
    for (pointer, label) in [
        ("#/label_ru", &change.label_ru),
        ("#/label_kk", &change.label_kk),
    ] {
        if label.as_ref().is_some_and(|l| l.trim().is_empty()) {
            issues.push(crate::error::FieldIssue::new(pointer, "must not be blank"));
        }
    }
    crate::ctx::fail_if_any(issues)?;
    write_tx(conn, |conn| {
        let current = repo::configuration::rules_version(conn)?;
        if current != expected_version {
            return Err(AppError::PreconditionFailed(format!(
                "The configuration is at version {current}, not {expected_version}; reload it."
            )));
        }
        let rows = repo::configuration::entries_of(conn, name)?;
        let row = rows
            .iter()
            .find(|r| r.code == code)
            .ok_or_else(|| AppError::NotFound(format!("`{code}` is not an entry of `{name}`.")))?;
        let before = repo::configuration::row_to_entry(row)?;
        let mut after = before.clone();
        if let Some(active) = change.active {
            after.active = active;
        }
        if let Some(label) = &change.label_ru {
            after.label_ru = label.trim().to_owned();
        }
        if let Some(label) = &change.label_kk {
            after.label_kk = label.trim().to_owned();
        }
        // An empty explanation removes it.
        let text = |t: &String| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        if let Some(explanation) = &change.explanation_ru {
            after.explanation_ru = text(explanation);
        }
        if let Some(explanation) = &change.explanation_kk {
            after.explanation_kk = text(explanation);
        }
        repo::configuration::update_entry(
            conn,
            &repo::configuration::entry_to_row(name, row.position, &after)?,
        )?;
        record_change(
            conn,
            ctx,
            "dictionary_entry_changed",
            format!("dictionaries/{name}/{code}"),
            Some(to_value(&before)?),
            Some(to_value(&after)?),
        )
    })
}
