//! EDS-signed approvals and answers (R35, R37; issue 20 point 3). Where a subject requires
//! signatures, a forwarding or an extension is approved by one call and takes effect when the
//! head signs it: the server defines the canonical document (`signing_document`), the signer signs
//! its UTF-8 bytes as a detached CMS, and the signing call verifies the signature against the
//! trust anchors and requires the signer's IIN to be the signing user's. An ОЛ-2 answer can be
//! signed the same way. Each signature and its document are stored and can be verified again.

use appeals_db::rows::{AppealRow, NewSignatureRow, SignatureRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::events::{CardAction, CardEvent};
use serde_json::json;

use crate::access;
use crate::cards::parts::{CardParts, PendingApproval};
use crate::cards::write::{self, CardChange};
use crate::ctx::Ctx;
use crate::eds::{EdsError, SignatureVerifier};
use crate::error::{AppError, AppResult};

/// Whether approvals of `subject_id` must be signed: the subject's setting, required when unset
/// (the production default; the demo data turns it off, docs/access.md).
pub fn required(conn: &mut DbConn, subject_id: i64) -> AppResult<bool> {
    Ok(repo::subjects::find_by_id(conn, subject_id)?
        .and_then(|s| s.signature_required)
        .unwrap_or(true))
}

/// A document to sign: what it is for and its exact text (sign its UTF-8 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningDocument {
    /// `forwarding`, `extension` or `decision`.
    pub purpose: &'static str,
    pub text: String,
}

/// The canonical document of the approval the card waits on (404 when none waits). Keys sorted,
/// no insignificant whitespace: the same card state gives the same bytes in every process.
pub fn pending_document(
    conn: &mut DbConn,
    ctx: &Ctx,
    appeal_id: i64,
) -> AppResult<SigningDocument> {
    let row = access::load_card(conn, &ctx.grant, appeal_id)?;
    let parts = CardParts::of(&row)?;
    pending_of(&row, &parts)
}

fn pending_of(row: &AppealRow, parts: &CardParts) -> AppResult<SigningDocument> {
    let pending = parts.details.pending_approval.as_ref().ok_or_else(|| {
        AppError::NotFound(format!(
            "Appeal {} has no approval waiting for a signature.",
            row.id
        ))
    })?;
    let (purpose, what) = match pending {
        PendingApproval::Forwarding {
            to_subject_id,
            scope,
            questions,
            reason,
            approved_by,
            approved_at,
        } => (
            "forwarding",
            json!({"to_subject_id": to_subject_id, "scope": scope, "questions": questions,
                   "reason": reason, "approved_by": approved_by, "approved_at": approved_at}),
        ),
        PendingApproval::Extension {
            new_review_due,
            reason,
            approved_by,
            approved_at,
        } => (
            "extension",
            json!({"new_review_due": new_review_due, "reason": reason,
                   "approved_by": approved_by, "approved_at": approved_at,
                   "review_due": row.review_due}),
        ),
    };
    Ok(SigningDocument {
        purpose,
        text: json!({
            "purpose": purpose,
            "appeal": {"id": row.id, "registration_number": row.reg_number, "subject_id": row.subject_id},
            "approval": what,
        })
        .to_string(),
    })
}

/// The canonical document of an ОЛ-2 answer.
pub fn decision_document(
    conn: &mut DbConn,
    ctx: &Ctx,
    appeal_id: i64,
    decision_id: i64,
) -> AppResult<SigningDocument> {
    let row = access::load_card(conn, &ctx.grant, appeal_id)?;
    decision_of(conn, &row, decision_id)
}

fn decision_of(conn: &mut DbConn, row: &AppealRow, decision_id: i64) -> AppResult<SigningDocument> {
    let ol2 = crate::decisions::load_cards(conn, row.id)?
        .into_iter()
        .find(|d| d.row.id == decision_id)
        .ok_or_else(|| {
            AppError::NotFound(format!("No decision {decision_id} on appeal {}.", row.id))
        })?;
    let card: serde_json::Value = serde_json::from_str(&ol2.row.card)
        .map_err(|e| AppError::corrupt(format!("ОЛ-2 card: {e}")))?;
    Ok(SigningDocument {
        purpose: "decision",
        text: json!({
            "purpose": "decision",
            "appeal": {"id": row.id, "registration_number": row.reg_number, "subject_id": row.subject_id},
            "decision": {"id": ol2.row.id, "seq": ol2.row.seq, "card": card},
        })
        .to_string(),
    })
}

/// Verifies a detached signature over `document` and that its signer is the acting user (the IIN
/// in the certificate is the one bound to the account).
fn verify_signer(
    conn: &mut DbConn,
    ctx: &Ctx,
    verifier: Option<&dyn SignatureVerifier>,
    document: &SigningDocument,
    signature: &[u8],
) -> AppResult<String> {
    let verifier = verifier.ok_or(EdsError::NotConfigured)?;
    let verified = verifier.verify(signature, Some(document.text.as_bytes()), ctx.now)?;
    let user = repo::users::get(conn, ctx.actor().user_id)?;
    let Some(bound) = user.iin_hash else {
        return Err(AppError::field(
            "#/signature",
            "no IIN is bound to your account: your subject's admin binds it (PATCH /api/v1/users/{id})",
        ));
    };
    match verified.signer.iin {
        Some(iin) if crate::users::iin_hash(&iin) == bound => Ok(verified.signer.common_name),
        _ => Err(AppError::field(
            "#/signature",
            "the signer's IIN is not the IIN bound to your account",
        )),
    }
}

/// What a signing call did.
#[derive(Debug, Clone)]
pub enum Signed {
    Forwarding(crate::forwarding::Forwarded, SignatureRow),
    Extension(crate::actions::CardView, SignatureRow),
}

/// Signs the approval the card waits on: verified, it takes effect (the forwarding or the
/// extension) in the same transaction that stores the signature.
pub fn sign_pending(
    conn: &mut DbConn,
    ctx: &Ctx,
    verifier: Option<&dyn SignatureVerifier>,
    appeal_id: i64,
    signature: Vec<u8>,
) -> AppResult<Signed> {
    let signature = crate::eds::to_der(&signature)?;
    write_tx(conn, |conn| {
        let row = access::load_card(conn, &ctx.grant, appeal_id)?;
        let parts = CardParts::of(&row)?;
        let document = pending_of(&row, &parts)?;
        let signer_name = verify_signer(conn, ctx, verifier, &document, &signature)?;
        let Some(pending) = parts.details.pending_approval.clone() else {
            return Err(AppError::corrupt("pending approval vanished"));
        };
        match pending {
            PendingApproval::Forwarding {
                to_subject_id,
                scope,
                questions,
                reason,
                ..
            } => {
                let cmd = crate::forwarding::Forward {
                    appeal_id,
                    to_subject_id,
                    scope,
                    questions,
                    reason,
                    idem: None,
                };
                let done = crate::forwarding::sign(conn, ctx, &row, parts, &cmd)?;
                let stored = store(
                    conn,
                    ctx,
                    appeal_id,
                    "forwarding",
                    done.record.id,
                    document,
                    signature,
                    signer_name,
                )?;
                Ok(Signed::Forwarding(done, stored))
            }
            PendingApproval::Extension {
                new_review_due,
                reason,
                ..
            } => {
                let after = crate::decisions::sign_extension(
                    conn,
                    ctx,
                    &row,
                    parts,
                    new_review_due,
                    &reason,
                )?;
                let stored = store(
                    conn,
                    ctx,
                    appeal_id,
                    "extension",
                    appeal_id,
                    document,
                    signature,
                    signer_name,
                )?;
                Ok(Signed::Extension(after, stored))
            }
        }
    })
}

/// Signs an ОЛ-2 answer: the signature is stored and the card's history records it.
pub fn sign_decision(
    conn: &mut DbConn,
    ctx: &Ctx,
    verifier: Option<&dyn SignatureVerifier>,
    appeal_id: i64,
    decision_id: i64,
    signature: Vec<u8>,
) -> AppResult<SignatureRow> {
    let signature = crate::eds::to_der(&signature)?;
    write_tx(conn, |conn| {
        let row = access::load_card(conn, &ctx.grant, appeal_id)?;
        let document = decision_of(conn, &row, decision_id)?;
        let parts = CardParts::of(&row)?;
        // p.54: whoever signs the answer with the EDS needs the authority the table gives — the
        // signer named on the ОЛ-2 was checked when it was recorded.
        let ol2 = crate::decisions::load_cards(conn, row.id)?
            .into_iter()
            .find(|o| o.row.id == decision_id)
            .ok_or_else(|| AppError::NotFound(format!("No decision {decision_id}.")))?;
        let named = ol2.details.signed_by.as_ref().map(|s| s.user_id);
        if named != Some(ctx.actor().user_id) {
            crate::routing::check_decision_signer(
                conn,
                ctx,
                &row,
                &parts,
                &ol2.card.decision,
                None,
            )?;
        }
        let signer_name = verify_signer(conn, ctx, verifier, &document, &signature)?;
        let next = parts.apply_to(&row)?;
        write::commit(
            conn,
            ctx.actor(),
            ctx.stored_now(),
            CardChange {
                before: &row,
                after: next,
                event: CardEvent {
                    action: CardAction::DecisionSigned,
                    before: None,
                    after: Some(json!({"decision_id": decision_id, "signer_name": signer_name})),
                },
            },
        )?;
        store(
            conn,
            ctx,
            appeal_id,
            "decision",
            decision_id,
            document,
            signature,
            signer_name,
        )
    })
}

#[allow(clippy::too_many_arguments)] // one row, field by field
fn store(
    conn: &mut DbConn,
    ctx: &Ctx,
    appeal_id: i64,
    purpose: &str,
    target_id: i64,
    document: SigningDocument,
    signature: Vec<u8>,
    signer_name: String,
) -> AppResult<SignatureRow> {
    Ok(repo::signatures::insert(
        conn,
        &NewSignatureRow {
            appeal_id,
            purpose: purpose.to_owned(),
            target_id,
            document: document.text,
            signature,
            signer_user_id: ctx.actor().user_id,
            signer_name,
            signed_at: ctx.stored_now(),
        },
    )?)
}

/// A stored signature and whether it verifies now against the trust anchors in force.
#[derive(Debug, Clone)]
pub struct SignatureView {
    pub row: SignatureRow,
    /// `None` when no trust anchors are configured.
    pub verifies_now: Option<Result<(), String>>,
}

/// The newest signature of one forwarding or answer of a card, verified again (404 when unsigned).
pub fn of_target(
    conn: &mut DbConn,
    ctx: &Ctx,
    verifier: Option<&dyn SignatureVerifier>,
    appeal_id: i64,
    purpose: &str,
    target_id: i64,
) -> AppResult<SignatureView> {
    of_appeal(conn, ctx, verifier, appeal_id)?
        .into_iter()
        .rev()
        .find(|v| v.row.purpose == purpose && v.row.target_id == target_id)
        .ok_or_else(|| AppError::NotFound(format!("The {purpose} {target_id} is not signed.")))
}

/// The signatures of a card (oldest first), each verified again.
pub fn of_appeal(
    conn: &mut DbConn,
    ctx: &Ctx,
    verifier: Option<&dyn SignatureVerifier>,
    appeal_id: i64,
) -> AppResult<Vec<SignatureView>> {
    access::load_card(conn, &ctx.grant, appeal_id)?;
    Ok(repo::signatures::of_appeal(conn, appeal_id)?
        .into_iter()
        .map(|row| {
            let verifies_now = verifier.map(|v| {
                v.verify(&row.signature, Some(row.document.as_bytes()), ctx.now)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
            SignatureView { row, verifies_now }
        })
        .collect())
}
