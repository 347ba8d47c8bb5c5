//! The registry of subjects over HTTP (issue 20 point 2): the authorized body's admins create and
//! change subjects and place them in the hierarchy; a subject is deactivated, never deleted (its
//! cards and reports stay), and its users' tokens stop working at once. Every change is an audited
//! admin event with the values before and after.

pub use appeals_db::repo::subjects::SubjectChanges;
use appeals_db::rows::{NewSubjectRow, SubjectRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::ident::Bin;
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldIssue};

/// A new subject.
#[derive(Debug, Clone)]
pub struct NewSubject {
    pub code: String,
    pub name_ru: String,
    pub name_kk: Option<String>,
    pub parent_id: Option<i64>,
    pub kato_code: Option<String>,
    pub bin: Option<String>,
    pub is_authorized_body: bool,
    pub report_row_code: Option<String>,
    pub signature_required: Option<bool>,
    /// Issue 21: a `HierarchyLevel` code.
    pub hierarchy_level: Option<String>,
}

/// Every subject (reference data: forwarding names its receiver by id).
pub fn list(conn: &mut DbConn, _ctx: &Ctx) -> AppResult<Vec<SubjectRow>> {
    Ok(repo::subjects::all(conn)?)
}

pub fn get(conn: &mut DbConn, _ctx: &Ctx, id: i64) -> AppResult<SubjectRow> {
    repo::subjects::find_by_id(conn, id)?
        .ok_or_else(|| AppError::NotFound(format!("No subject {id}.")))
}

/// Creates a subject (409 when the code is taken).
pub fn create(conn: &mut DbConn, ctx: &Ctx, new: NewSubject) -> AppResult<SubjectRow> {
    write_tx(conn, |conn| {
        let mut issues = Vec::new();
        if new.code.trim().is_empty() {
            issues.push(FieldIssue::new("#/code", "must not be empty"));
        }
        check_refs(
            conn,
            None,
            new.parent_id,
            new.kato_code.as_deref(),
            new.bin.as_deref(),
            &mut issues,
        )?;
        check_level(new.hierarchy_level.as_deref(), &mut issues);
        if !issues.is_empty() {
            return Err(AppError::Validation(issues));
        }
        if repo::subjects::find_by_code(conn, &new.code)?.is_some() {
            return Err(AppError::Conflict(format!(
                "A subject with code `{}` exists.",
                new.code
            )));
        }
        let row = repo::subjects::insert(
            conn,
            &NewSubjectRow {
                code: new.code,
                name_ru: new.name_ru,
                name_kk: new.name_kk,
                parent_id: new.parent_id,
                kato_code: new.kato_code,
                is_authorized_body: new.is_authorized_body,
                created_at: ctx.stored_now(),
                report_row_code: new.report_row_code,
            },
        )?;
        let row = repo::subjects::update(
            conn,
            row.id,
            &SubjectChanges {
                bin: Some(new.bin),
                signature_required: Some(new.signature_required),
                hierarchy_level: Some(new.hierarchy_level),
                ..SubjectChanges::default()
            },
        )?;
        audit(conn, ctx, "subject_created", &row, None)?;
        Ok(row)
    })
}

/// Changes a subject; `is_active: Some(false)` deactivates it (its users' tokens are refused on
/// their next request). A parent may not lie below the subject (no cycles).
pub fn change(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    changes: SubjectChanges,
) -> AppResult<SubjectRow> {
    write_tx(conn, |conn| {
        let before = get(conn, ctx, id)?;
        let mut issues = Vec::new();
        check_refs(
            conn,
            Some(id),
            changes.parent_id.flatten(),
            changes.kato_code.as_ref().and_then(|k| k.as_deref()),
            changes.bin.as_ref().and_then(|b| b.as_deref()),
            &mut issues,
        )?;
        check_level(
            changes.hierarchy_level.as_ref().and_then(|l| l.as_deref()),
            &mut issues,
        );
        // p.18 part 2: the appeals unit is a structural unit below the subject.
        if let Some(Some(unit)) = changes.appeals_unit_id
            && (unit == id || !crate::access::subtree(conn, id)?.contains(&unit))
        {
            issues.push(FieldIssue::new(
                "#/appeals_unit_id",
                "must be a subject below this one (its structural unit)",
            ));
        }
        if !issues.is_empty() {
            return Err(AppError::Validation(issues));
        }
        if is_empty(&changes) {
            return Ok(before);
        }
        let after = repo::subjects::update(conn, id, &changes)?;
        let action = match (before.is_active, after.is_active) {
            (true, false) => "subject_deactivated",
            (false, true) => "subject_reactivated",
            _ => "subject_changed",
        };
        audit(conn, ctx, action, &after, Some(&before))?;
        Ok(after)
    })
}

fn is_empty(c: &SubjectChanges) -> bool {
    c.name_ru.is_none()
        && c.name_kk.is_none()
        && c.parent_id.is_none()
        && c.kato_code.is_none()
        && c.is_authorized_body.is_none()
        && c.report_row_code.is_none()
        && c.is_active.is_none()
        && c.signature_required.is_none()
        && c.bin.is_none()
        && c.open311_public.is_none()
        && c.hierarchy_level.is_none()
        && c.appeals_unit_id.is_none()
}

/// The parent exists and does not lie below `id`; the KATO code is in the classifier; the BIN is
/// a valid BIN.
fn check_refs(
    conn: &mut DbConn,
    id: Option<i64>,
    parent_id: Option<i64>,
    kato_code: Option<&str>,
    bin: Option<&str>,
    issues: &mut Vec<FieldIssue>,
) -> AppResult<()> {
    if let Some(parent) = parent_id {
        if repo::subjects::find_by_id(conn, parent)?.is_none() {
            issues.push(FieldIssue::new(
                "#/parent_id",
                format!("no subject {parent}"),
            ));
        } else if let Some(id) = id
            && crate::access::subtree(conn, id)?.contains(&parent)
        {
            issues.push(FieldIssue::new(
                "#/parent_id",
                "the parent may not be the subject itself or lie below it",
            ));
        }
    }
    if let Some(kato) = kato_code
        && repo::kato::find(conn, kato)?.is_none()
    {
        issues.push(FieldIssue::new(
            "#/kato_code",
            format!("`{kato}` is not in the KATO classifier"),
        ));
    }
    if let Some(bin) = bin
        && let Err(e) = Bin::parse(bin)
    {
        issues.push(FieldIssue::new("#/bin", e.to_string()));
    }
    Ok(())
}

/// A hierarchy level is one of the known codes.
fn check_level(level: Option<&str>, issues: &mut Vec<FieldIssue>) {
    if let Some(level) = level
        && appeals_domain::hierarchy::HierarchyLevel::parse(level).is_none()
    {
        let known: Vec<&str> = appeals_domain::hierarchy::HierarchyLevel::ALL
            .iter()
            .map(|l| l.code())
            .collect();
        issues.push(FieldIssue::new(
            "#/hierarchy_level",
            format!(
                "`{level}` is not a hierarchy level; one of: {}",
                known.join(", ")
            ),
        ));
    }
}

fn audit(
    conn: &mut DbConn,
    ctx: &Ctx,
    action: &str,
    after: &SubjectRow,
    before: Option<&SubjectRow>,
) -> AppResult<()> {
    crate::audit::record(
        conn,
        Some(ctx.actor().user_id),
        ctx.stored_now(),
        action,
        format!("subject:{}", after.id),
        before.map(snapshot),
        Some(snapshot(after)),
    )
}

fn snapshot(s: &SubjectRow) -> serde_json::Value {
    json!({
        "code": s.code, "name_ru": s.name_ru, "name_kk": s.name_kk, "parent_id": s.parent_id,
        "kato_code": s.kato_code, "bin": s.bin, "is_authorized_body": s.is_authorized_body,
        "report_row_code": s.report_row_code, "is_active": s.is_active,
        "signature_required": s.signature_required, "open311_public": s.open311_public,
        "hierarchy_level": s.hierarchy_level, "appeals_unit_id": s.appeals_unit_id,
    })
}
