//! The search index kept by the card write path (issue 25): the terms a card is found by (its
//! text, short content, tags and applicants' names — `appeals_domain::search::index_terms`) and
//! its applicants' keyed IIN/BIN hashes, written in the transaction of the change.

use appeals_db::rows::{AppealRow, ApplicantRow};
use appeals_db::{DbConn, repo};
use appeals_domain::search;

use super::parts::CardParts;
use crate::deployment_key::DeploymentKey;
use crate::error::AppResult;

/// The deployment's search key (`APPEALS_SEARCH_KEY`).
static SEARCH_KEY: DeploymentKey =
    DeploymentKey::new(b"appeals development search key - not for production");

/// Installs the search key for this process (at start).
pub fn install_key(key: Vec<u8>) {
    SEARCH_KEY.install(key);
}

/// The key IIN/BIN hashes are made with.
pub fn key() -> &'static [u8] {
    SEARCH_KEY.get()
}

/// What a card is found by: its terms (text, short content, tags, applicants' names) and its
/// applicants' keyed IIN/BIN hashes (sorted, without repeats).
pub struct SearchEntry {
    pub terms: String,
    pub key_hashes: Vec<String>,
}

impl SearchEntry {
    /// The entry of a card with this text, short content, tags and applicants' (name, IIN/BIN);
    /// the write path and the load tool's seeder both build it here.
    pub fn of<'a>(
        text: &str,
        summary: &str,
        tags: &[String],
        applicants: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
    ) -> Self {
        let (names, iins): (Vec<_>, Vec<_>) = applicants.into_iter().unzip();
        let terms = search::index_terms(
            [text, summary]
                .into_iter()
                .chain(tags.iter().map(String::as_str))
                .chain(names.into_iter().flatten()),
        );
        let mut key_hashes: Vec<String> = iins
            .into_iter()
            .flatten()
            .map(|iin| search::iin_key(key(), iin))
            .collect();
        key_hashes.sort_unstable();
        key_hashes.dedup();
        Self { terms, key_hashes }
    }
}

/// Writes the card's terms and keyed hashes; `fresh` for a card just created (nothing to replace:
/// a registration pays no delete).
pub fn index(
    conn: &mut DbConn,
    row: &AppealRow,
    applicants: &[ApplicantRow],
    fresh: bool,
) -> AppResult<()> {
    let parts = CardParts::of(row)?;
    let entry = SearchEntry::of(
        &row.text,
        &parts.card.summary,
        parts.card.tags(),
        applicants
            .iter()
            .map(|a| (a.full_name.as_deref(), a.iin_bin.as_deref())),
    );
    if !fresh {
        repo::search::delete_terms(conn, row.id)?;
        repo::search::delete_keys(conn, row.id)?;
    }
    repo::search::insert_terms(conn, row.id, row.subject_id, &entry.terms)?;
    repo::search::insert_keys(conn, row.id, &entry.key_hashes)?;
    Ok(())
}

/// Whether a change touches what the card is found by: its text, its ОЛ-1 card (short content,
/// tags), its subject or its applicants.
pub fn touched(before: &AppealRow, after: &AppealRow, applicants_changed: bool) -> bool {
    applicants_changed
        || before.text != after.text
        || before.card != after.card
        || before.subject_id != after.subject_id
}
