//! The state person/company registry (ГБД ФЛ / ГБД ЮЛ, R20): the port every adapter fills, the
//! adapter over this database's imported copy, and the import of that copy.

use appeals_db::rows::RegistryRow;
use appeals_db::{DbConn, DbPool, repo, write_tx};
use appeals_domain::cards::{PersonCategory, RegistryRecord, RegistrySource};
use appeals_domain::ident::IinOrBin;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Which adapter answered a lookup (recorded on auto-filled З-1 cards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryChannel {
    /// The local copy (`registry_records`, `appeals registry import`).
    Local,
    /// The registry gateway over HTTP (`APPEALS_REGISTRY_URL`).
    Http,
}

impl RegistryChannel {
    pub fn code(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Http => "http",
        }
    }
}

/// A record found for an IIN/BIN.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryHit {
    pub record: RegistryRecord,
    /// ГБД ФЛ for an IIN, ГБД ЮЛ for a BIN.
    pub source: RegistrySource,
    pub channel: RegistryChannel,
    /// When the data left the state registry: the import time (local) or the fetch time (HTTP).
    pub data_as_of: NaiveDateTime,
}

/// A lookup that could not be answered. The messages never contain the IIN/BIN.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("the registry is unavailable: {0}")]
    Unavailable(String),
    #[error("the registry answered with an unreadable record: {0}")]
    BadResponse(String),
}

/// The port: one lookup by requisite 4. Blocking — call it on a blocking thread, never inside a
/// database transaction (a slow registry must not hold locks).
pub trait PersonRegistry: Send + Sync {
    fn channel(&self) -> RegistryChannel;
    /// `Ok(None)`: the registry has no such person or company.
    fn lookup(&self, id: &IinOrBin) -> Result<Option<RegistryHit>, RegistryError>;
    /// True when the registry is this database's own copy: a caller that already holds a
    /// connection (outside any transaction) can then look up with [`lookup_local`] on it instead
    /// of taking a second connection on another thread.
    fn is_local(&self) -> bool {
        false
    }
}

/// ГБД ФЛ for an IIN, ГБД ЮЛ for a BIN.
pub fn source_of(id: &IinOrBin) -> RegistrySource {
    match id {
        IinOrBin::Iin(_) => RegistrySource::GbdFl,
        IinOrBin::Bin(_) => RegistrySource::GbdUl,
    }
}

/// A lookup in the imported copy (`registry_records`) on the caller's connection.
pub fn lookup_local(
    conn: &mut DbConn,
    id: &IinOrBin,
) -> Result<Option<RegistryHit>, RegistryError> {
    let Some(row) = repo::registry::find(conn, id.as_str())
        .map_err(|e| RegistryError::Unavailable(format!("database: {e}")))?
    else {
        return Ok(None);
    };
    let record: RegistryRecord = serde_json::from_str(&row.data)
        .map_err(|e| RegistryError::BadResponse(format!("stored record: {e}")))?;
    Ok(Some(RegistryHit {
        record,
        source: source_of(id),
        channel: RegistryChannel::Local,
        data_as_of: row.imported_at,
    }))
}

/// Reads the imported copy in `registry_records` (the default adapter).
pub struct LocalRegistry {
    pool: DbPool,
}

impl LocalRegistry {
    pub fn new(pool: DbPool) -> Self {
        Self { pool }
    }
}

impl PersonRegistry for LocalRegistry {
    fn channel(&self) -> RegistryChannel {
        RegistryChannel::Local
    }

    fn lookup(&self, id: &IinOrBin) -> Result<Option<RegistryHit>, RegistryError> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| RegistryError::Unavailable(format!("database pool: {e}")))?;
        lookup_local(&mut conn, id)
    }

    fn is_local(&self) -> bool {
        true
    }
}

/// `GET /registry/{iin_bin}` (R20): what auto-fill would take from the registry for requisite 4.
/// Blocking (the registry may be remote): call it on a blocking thread, outside any transaction.
pub fn find(registry: &dyn PersonRegistry, id: &IinOrBin) -> AppResult<RegistryHit> {
    match registry.lookup(id) {
        Ok(Some(hit)) => Ok(hit),
        Ok(None) => Err(AppError::NotFound(
            "The registry has no record of this IIN/BIN.".to_owned(),
        )),
        Err(e) => {
            // The error names the failure, never the IIN/BIN.
            tracing::warn!(channel = registry.channel().code(), error = %e, "registry lookup failed");
            Err(AppError::Unavailable(
                "The state registry cannot be reached; retry later.".to_owned(),
            ))
        }
    }
}

/// One record of an import file: its line, requisite 4 and the record.
pub struct ImportedRecord {
    pub line: u64,
    pub iin_bin: String,
    pub record: RegistryRecord,
}

fn category_code(c: PersonCategory) -> &'static str {
    match c {
        PersonCategory::Individual => "individual",
        PersonCategory::LegalEntity => "legal_entity",
    }
}

/// `appeals registry import`: writes every record in one transaction (all or nothing), each
/// replacing the stored record of its IIN/BIN. Returns the records written.
pub fn import(
    conn: &mut DbConn,
    records: Vec<ImportedRecord>,
    source: &str,
    imported_at: NaiveDateTime,
) -> AppResult<usize> {
    let count = records.len();
    write_tx(conn, |conn| {
        for r in records {
            let data = serde_json::to_string(&r.record)
                .map_err(|e| AppError::corrupt(format!("line {}: {e}", r.line)))?;
            repo::registry::upsert(
                conn,
                &RegistryRow {
                    iin_bin: r.iin_bin,
                    category: category_code(r.record.category).to_owned(),
                    data,
                    source: source.to_owned(),
                    imported_at,
                },
            )?;
        }
        Ok::<_, AppError>(())
    })?;
    Ok(count)
}
