//! Access by an EDS-signed application (Rules p.25, R52; issue 20 point 1). A subject applies for
//! accounts with a document signed by its EDS: the signature and chain are verified against the
//! configured trust anchors, the signer's certificate must carry the subject's BIN, and the signed
//! original is stored byte for byte. An admin of the authorized body approves (accounts are
//! created, or activated, with the requested roles, bound to the subject and to the person's IIN)
//! or rejects with a reason. Every step is an admin event.

use appeals_db::rows::{AccessRequestRow, NewAccessRequestRow, NewUserRow, UserRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::access::Role;
use appeals_domain::credentials;
use appeals_domain::ident::Iin;
use chrono::{DateTime, Utc};
use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ctx::Ctx;
use crate::eds::SignatureVerifier;
use crate::error::{AppError, AppResult, FieldIssue};
use crate::users::iin_hash;

/// The signed document: who the subject is and whom it asks access for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// The applying subject's code in the registry.
    pub subject_code: String,
    pub persons: Vec<Person>,
}

/// A person to get an account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub username: String,
    pub full_name: String,
    pub iin: String,
    pub position: String,
    pub roles: Vec<Role>,
}

/// A submitted application as received.
pub struct Submission {
    /// The CMS SignedData exactly as the client sent it (DER, PEM or base64).
    pub signed_data: Vec<u8>,
    /// The signed content of a detached signature.
    pub detached_content: Option<Vec<u8>>,
}

pub const SUBMITTED: &str = "submitted";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";

/// An application as stored, with its parsed content.
#[derive(Debug, Clone)]
pub struct AccessRequestView {
    pub row: AccessRequestRow,
    pub application: Application,
}

fn view(row: AccessRequestRow) -> AppResult<AccessRequestView> {
    let application = serde_json::from_str(&row.application)
        .map_err(|e| AppError::corrupt(format!("access request {}: {e}", row.id)))?;
    Ok(AccessRequestView { row, application })
}

/// An account the approval created or activated, with the initial password of a new one (shown
/// once: only its hash is stored).
#[derive(Debug, Clone)]
pub struct GrantedAccount {
    pub user_id: i64,
    pub username: String,
    pub initial_password: Option<String>,
}

/// Verifies and stores an application. No token: the EDS signature is the applicant's
/// authentication; the signature must verify and carry the applying subject's BIN.
pub fn submit(
    conn: &mut DbConn,
    verifier: Option<&dyn SignatureVerifier>,
    submission: Submission,
    now: DateTime<Utc>,
) -> AppResult<AccessRequestView> {
    let verifier = verifier.ok_or(crate::eds::EdsError::NotConfigured)?;
    let verified = verifier.verify(
        &submission.signed_data,
        submission.detached_content.as_deref(),
        now,
    )?;
    let application: Application = serde_json::from_slice(&verified.content).map_err(|e| {
        AppError::field(
            "#/signed_content",
            format!("the signed document is not an access application: {e}"),
        )
    })?;
    let mut issues = Vec::new();
    if application.persons.is_empty() {
        issues.push(FieldIssue::new(
            "#/signed_content/persons",
            "name at least one person",
        ));
    }
    for (i, p) in application.persons.iter().enumerate() {
        let at = |f: &str| format!("#/signed_content/persons/{i}/{f}");
        if let Err(e) = Iin::parse(&p.iin) {
            issues.push(FieldIssue::new(at("iin"), e.to_string()));
        }
        if p.roles.is_empty() {
            issues.push(FieldIssue::new(at("roles"), "name at least one role"));
        }
        if p.username.trim().is_empty() {
            issues.push(FieldIssue::new(at("username"), "must not be empty"));
        }
    }
    let Some(signer_iin) = verified.signer.iin.clone() else {
        return Err(AppError::field(
            "#/signed_data",
            "the signer certificate carries no IIN (SERIALNUMBER=IIN…)",
        ));
    };
    let subject =
        repo::subjects::find_by_code(conn, &application.subject_code)?.filter(|s| s.is_active);
    let Some(subject) = subject else {
        issues.push(FieldIssue::new(
            "#/signed_content/subject_code",
            format!("no active subject `{}`", application.subject_code),
        ));
        return Err(AppError::Validation(issues));
    };
    match (&subject.bin, &verified.signer.bin) {
        (None, _) => issues.push(FieldIssue::new(
            "#/signed_content/subject_code",
            "the subject has no BIN in the registry: the authorized body must record it first",
        )),
        (Some(_), None) => issues.push(FieldIssue::new(
            "#/signed_data",
            "the signer certificate carries no BIN (OU=BIN…): sign with the organisation's key",
        )),
        (Some(expected), Some(signed)) if expected != signed => issues.push(FieldIssue::new(
            "#/signed_data",
            "the signer certificate's BIN is not the applying subject's BIN",
        )),
        _ => {}
    }
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    let content = serde_json::to_string(&application)
        .map_err(|e| AppError::corrupt(format!("application: {e}")))?;
    write_tx(conn, |conn| {
        let row = repo::access_requests::insert(
            conn,
            &NewAccessRequestRow {
                subject_id: subject.id,
                status: SUBMITTED.to_owned(),
                submitted_at: now.naive_utc(),
                signed_original: submission.signed_data.clone(),
                application: content.clone(),
                signer_name: verified.signer.common_name.clone(),
                signer_iin_hash: iin_hash(&signer_iin),
                signer_bin: verified.signer.bin.clone().unwrap_or_default(),
                signed_at: verified.signed_at,
            },
        )?;
        audit(conn, None, now, "access_request_submitted", &row)?;
        view(row)
    })
}

pub fn list(
    conn: &mut DbConn,
    _ctx: &Ctx,
    status: Option<&str>,
) -> AppResult<Vec<AccessRequestView>> {
    repo::access_requests::list(conn, status)?
        .into_iter()
        .map(view)
        .collect()
}

pub fn get(conn: &mut DbConn, _ctx: &Ctx, id: i64) -> AppResult<AccessRequestView> {
    repo::access_requests::find(conn, id)?
        .ok_or_else(|| AppError::NotFound(format!("No access request {id}.")))
        .and_then(view)
}

/// Approves a submitted application: each person gets an active account of the subject with the
/// requested roles and the IIN bound (an existing account of the same subject is activated with
/// them; one of another subject is a 409).
pub fn approve(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
) -> AppResult<(AccessRequestView, Vec<GrantedAccount>)> {
    let request = get(conn, ctx, id)?;
    // Hash the initial passwords before the transaction (argon2 is slow by design).
    let mut prepared = Vec::new();
    for person in &request.application.persons {
        let password = initial_password(&person.username);
        let hash = crate::accounts::hash_password(&password)?;
        prepared.push((person.clone(), password, hash));
    }
    write_tx(conn, |conn| {
        let now = ctx.stored_now();
        let mut granted = Vec::new();
        for (person, password, hash) in &prepared {
            let account = grant(conn, ctx, request.row.subject_id, person, hash)?;
            granted.push(GrantedAccount {
                user_id: account.0.id,
                username: account.0.username.clone(),
                initial_password: account.1.then(|| password.clone()),
            });
        }
        if !repo::access_requests::decide(conn, id, APPROVED, ctx.actor().user_id, now, None)? {
            return Err(AppError::Conflict(format!(
                "Access request {id} is already decided."
            )));
        }
        let row = repo::access_requests::find(conn, id)?
            .ok_or_else(|| AppError::NotFound(format!("No access request {id}.")))?;
        audit(
            conn,
            Some(ctx.actor().user_id),
            ctx.now,
            "access_request_approved",
            &row,
        )?;
        Ok((view(row)?, granted))
    })
}

/// Creates the account, or activates the subject's existing one; true when created.
fn grant(
    conn: &mut DbConn,
    ctx: &Ctx,
    subject_id: i64,
    person: &Person,
    password_hash: &str,
) -> AppResult<(UserRow, bool)> {
    let roles = Role::format_list(&person.roles);
    match repo::users::find_by_username(conn, &person.username)? {
        Some(existing) if existing.subject_id != subject_id => Err(AppError::Conflict(format!(
            "The username `{}` belongs to another subject.",
            person.username
        ))),
        Some(existing) => {
            let user = repo::users::update(
                conn,
                existing.id,
                &appeals_db::repo::users::UserChanges {
                    full_name: Some(Some(person.full_name.clone())),
                    position: Some(Some(person.position.clone())),
                    roles: Some(roles),
                    is_active: Some(true),
                    iin_hash: Some(Some(iin_hash(&person.iin))),
                    ..Default::default()
                },
            )?;
            repo::users::revoke_tokens(conn, user.id)?;
            user_event(conn, ctx, "user_activated_by_access_request", &user)?;
            Ok((user, false))
        }
        None => {
            let user = repo::users::insert(
                conn,
                &NewUserRow {
                    username: person.username.clone(),
                    password_hash: password_hash.to_owned(),
                    subject_id,
                    full_name: Some(person.full_name.clone()),
                    roles,
                    is_active: true,
                    created_at: ctx.stored_now(),
                    iin_hash: Some(iin_hash(&person.iin)),
                    position: Some(person.position.clone()),
                },
            )?;
            user_event(conn, ctx, "user_created_by_access_request", &user)?;
            Ok((user, true))
        }
    }
}

/// Rejects a submitted application with a reason.
pub fn reject(conn: &mut DbConn, ctx: &Ctx, id: i64, reason: &str) -> AppResult<AccessRequestView> {
    if reason.trim().is_empty() {
        return Err(AppError::field("#/reason", "must not be empty"));
    }
    get(conn, ctx, id)?;
    write_tx(conn, |conn| {
        if !repo::access_requests::decide(
            conn,
            id,
            REJECTED,
            ctx.actor().user_id,
            ctx.stored_now(),
            Some(reason),
        )? {
            return Err(AppError::Conflict(format!(
                "Access request {id} is already decided."
            )));
        }
        let row = repo::access_requests::find(conn, id)?
            .ok_or_else(|| AppError::NotFound(format!("No access request {id}.")))?;
        audit(
            conn,
            Some(ctx.actor().user_id),
            ctx.now,
            "access_request_rejected",
            &row,
        )?;
        view(row)
    })
}

/// A random initial password that satisfies the policy.
fn initial_password(username: &str) -> String {
    loop {
        let mut rng = rand::rng();
        let candidate = format!(
            "{}-{}",
            Alphanumeric.sample_string(&mut rng, 10),
            Alphanumeric.sample_string(&mut rng, 10)
        );
        if credentials::password_problem(username, &candidate).is_none() {
            return candidate;
        }
    }
}

fn audit(
    conn: &mut DbConn,
    actor: Option<i64>,
    at: DateTime<Utc>,
    action: &str,
    row: &AccessRequestRow,
) -> AppResult<()> {
    crate::audit::record(
        conn,
        actor,
        at.naive_utc(),
        action,
        format!("access_request:{}", row.id),
        None,
        Some(json!({"subject_id": row.subject_id, "status": row.status,
                    "signer_name": row.signer_name, "reason": row.decision_reason})),
    )
}

fn user_event(conn: &mut DbConn, ctx: &Ctx, action: &str, user: &UserRow) -> AppResult<()> {
    crate::audit::record(
        conn,
        Some(ctx.actor().user_id),
        ctx.stored_now(),
        action,
        format!("user:{}", user.id),
        None,
        Some(
            json!({"username": user.username, "subject_id": user.subject_id,
                    "roles": user.roles, "is_active": user.is_active}),
        ),
    )
}
