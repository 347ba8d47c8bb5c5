//! The KATO classifier (R49): imported with `appeals kato import`, it decides whether a code given
//! as a place (ЛП-1 requisite 28) names a real object. Before any object is loaded, a code is
//! checked by its form only (9 digits, a region) — a database without the classifier still works.

use appeals_db::rows::KatoRow;
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::ident::Kato;
use chrono::NaiveDateTime;

use crate::applicants::domain_reason;
use crate::error::{AppError, AppResult, FieldIssue};

/// One object of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KatoObject {
    /// The file's line (for problems).
    pub line: u64,
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub level: i32,
}

/// Writes every object in one transaction (all or nothing), each replacing the stored one of its
/// code; an invalid code fails the whole import naming its line. Returns the objects written.
pub fn import(conn: &mut DbConn, objects: Vec<KatoObject>, at: NaiveDateTime) -> AppResult<usize> {
    let count = objects.len();
    write_tx(conn, |conn| {
        for o in objects {
            Kato::parse(&o.code).map_err(|e| {
                AppError::field(
                    format!("#/line/{}", o.line),
                    format!("`{}`: {}", o.code, domain_reason(e)),
                )
            })?;
            repo::kato::upsert(
                conn,
                &KatoRow {
                    code: o.code,
                    name_ru: o.name_ru,
                    name_kk: o.name_kk,
                    level: o.level,
                    imported_at: at,
                },
            )?;
        }
        Ok::<_, AppError>(())
    })?;
    Ok(count)
}

/// A place given as a KATO code: of the right form, and an object of the classifier once it is
/// loaded. A problem is pushed to `issues` at `pointer`, prefixed with `label`.
pub fn check(
    conn: &mut DbConn,
    code: &str,
    pointer: &str,
    label: &str,
    issues: &mut Vec<FieldIssue>,
) -> AppResult<()> {
    if let Err(e) = Kato::parse(code) {
        issues.push(FieldIssue::new(
            pointer,
            format!("{label}: {}", domain_reason(e)),
        ));
    } else if repo::kato::is_loaded(conn)? && repo::kato::find(conn, code)?.is_none() {
        issues.push(FieldIssue::new(
            pointer,
            format!("{label}: `{code}` is not an object of the KATO classifier"),
        ));
    }
    Ok(())
}
