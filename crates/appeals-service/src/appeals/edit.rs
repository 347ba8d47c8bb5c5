//! The edit of ОЛ-1 requisites (p.4 part 4, R2, R12, R19, R42): the registration number never
//! changes; a new document type needs tags and recomputes the term and the review deadline.

use appeals_db::{DbConn, write_tx};
use appeals_domain::deadline;
use appeals_domain::dictionary::{DictionaryName, DocumentType};
use appeals_domain::events::{CardAction, CardEvent};
use serde_json::{Map, Value, json};

use super::{
    ComplaintEntry, check_complaint, complaint_filed_on, complaint_target, require_addressee,
};
use crate::actions::{CardView, load_for_action};
use crate::cards::write::{self, CardChange};
use crate::ctx::{Ctx, fail_if_any};
use crate::error::{AppError, AppResult, FieldIssue};

/// The requisites to change (`None`: unchanged) on the card at the version the client holds.
#[derive(Debug, Clone, Default)]
pub struct EditAppeal {
    pub appeal_id: i64,
    pub expected_version: i64,
    /// Requisite 8; requires `tags` (p.4 part 4).
    pub document_type: Option<String>,
    pub tags: Option<Vec<String>>,
    pub summary: Option<String>,
    pub issue_category: Option<String>,
    pub language: Option<String>,
    pub receipt_form: Option<String>,
    pub addressee_subject_id: Option<i64>,
    pub complaint: Option<ComplaintEntry>,
}

impl EditAppeal {
    fn changes_nothing(&self) -> bool {
        self.document_type.is_none()
            && self.tags.is_none()
            && self.summary.is_none()
            && self.issue_category.is_none()
            && self.language.is_none()
            && self.receipt_form.is_none()
            && self.addressee_subject_id.is_none()
            && self.complaint.is_none()
    }
}

/// The values before and after of the fields that changed (the history event).
#[derive(Default)]
struct Changes {
    before: Map<String, Value>,
    after: Map<String, Value>,
}

impl Changes {
    fn set(&mut self, name: &str, old: Value, new: Value) {
        if old != new {
            self.before.insert(name.into(), old);
            self.after.insert(name.into(), new);
        }
    }
}

/// Edits the card in one transaction; one `updated` (or `document_type_changed`) event with the
/// changed values before and after.
pub fn edit(conn: &mut DbConn, ctx: &Ctx, cmd: EditAppeal) -> AppResult<CardView> {
    if cmd.changes_nothing() {
        return Err(AppError::field("#", "the body changes nothing"));
    }
    let rules = &ctx.rules;
    if let Some(code) = &cmd.language {
        rules.require_code(DictionaryName::Languages, code, "#/language")?;
    }
    if let Some(code) = &cmd.receipt_form {
        rules.require_code(DictionaryName::ReceiptForms, code, "#/receipt_form")?;
    }
    let new_type = match &cmd.document_type {
        Some(code) => Some(
            DocumentType::lookup(rules.dictionary(DictionaryName::DocumentTypes)?, code).map_err(
                |_| {
                    AppError::field(
                        "#/document_type",
                        format!("`{code}` is not an active document type"),
                    )
                },
            )?,
        ),
        None => None,
    };
    write_tx(conn, |conn| {
        let (row, mut parts) =
            load_for_action(conn, ctx, cmd.appeal_id, Some(cmd.expected_version))?;
        let complaint_before = parts.card.complaint().cloned();
        let mut changes = Changes::default();
        let mut action = CardAction::Updated;
        if let Some(new_type) = &new_type {
            let registration_date = row.registration_date;
            let mut computed = Ok(row.review_due);
            let change = parts.card.change_document_type(
                new_type,
                cmd.tags.clone().unwrap_or_default(),
                &ctx.actor().user_id.to_string(),
                ctx.stored_now(),
                |term| {
                    computed = deadline::review_due(
                        &rules.calendar,
                        &rules.deadlines,
                        registration_date,
                        term,
                    )
                    .map(|d| d.date);
                    computed.clone().unwrap_or(registration_date)
                },
            )?;
            computed?;
            changes
                .before
                .insert("document_type".into(), json!(change.old_document_type));
            changes.before.insert("term".into(), json!(change.old_term));
            changes
                .before
                .insert("review_due".into(), json!(change.old_control_date));
            changes
                .after
                .insert("document_type".into(), json!(change.new_document_type));
            changes.after.insert("term".into(), json!(change.new_term));
            changes
                .after
                .insert("review_due".into(), json!(change.new_control_date));
            changes.after.insert("tags".into(), json!(change.tags));
            action = CardAction::DocumentTypeChanged;
        } else if let Some(tags) = &cmd.tags {
            // Tags on their own (p.2(5)); a change of requisite 8 still needs one (p.4 part 4).
            let before = parts.card.set_tags(tags.clone());
            changes.set("tags", json!(before), json!(parts.card.tags()));
            action = CardAction::TagsChanged;
        }
        let card = &mut parts.card;
        if let Some(v) = &cmd.summary {
            changes.set("summary", json!(card.summary), json!(v));
            card.summary = v.clone();
        }
        if let Some(v) = &cmd.issue_category {
            changes.set("issue_category", json!(card.issue_category), json!(v));
            card.issue_category = Some(v.clone());
        }
        if let Some(v) = &cmd.language {
            changes.set("language", json!(card.language), json!(v));
            card.language = v.clone();
        }
        if let Some(v) = &cmd.receipt_form {
            changes.set("receipt_form", json!(card.receipt_form), json!(v));
            card.receipt_form = v.clone();
        }
        if let Some(complaint) = &cmd.complaint {
            let filed_on = complaint_filed_on(rules, row.received_at.and_utc());
            let mut issues = Vec::new();
            check_complaint(complaint, parts.card.kind(), filed_on, &mut issues);
            fail_if_any(issues)?;
            let target = complaint_target(conn, ctx, complaint, filed_on)?;
            parts.card.set_complaint_target(target)?;
        }
        // R42: a new target, or one dropped with a change of kind, is kept in the event.
        changes.set(
            "complaint",
            json!(complaint_before),
            json!(parts.card.complaint()),
        );
        let mut next = parts.apply_to(&row)?;
        if let Some(addressee) = cmd.addressee_subject_id {
            require_addressee(conn, Some(addressee))?;
            changes.set(
                "addressee_subject_id",
                json!(row.addressee_subject_id),
                json!(addressee),
            );
            next.addressee_subject_id = Some(addressee);
        }
        let tags_alone = changes.before.len() == 1 && changes.before.contains_key("tags");
        if action == CardAction::TagsChanged && !tags_alone {
            // Tags with other requisites (or unchanged tags): one ordinary update.
            action = CardAction::Updated;
        }
        write::store_tags_and_markings(conn, &row, &parts.card)?;
        let saved = write::commit(
            conn,
            ctx.actor(),
            ctx.stored_now(),
            CardChange {
                before: &row,
                after: next,
                event: CardEvent {
                    action,
                    before: Some(Value::Object(changes.before)),
                    after: Some(Value::Object(changes.after)),
                },
            },
        )?;
        CardView::load(conn, saved)
    })
}

/// Markings put on or taken off a card, as stated (p.6, R9, R11).
pub struct ChangeMarkings {
    pub target: crate::actions::Target,
    /// Codes of the `markings` book to put on; an automatic one (e.g. «ҰЖ» `collective`) is a
    /// correction and needs `reason`.
    pub add: Vec<String>,
    /// Codes to take off; an automatic one is a correction and needs `reason`.
    pub remove: Vec<String>,
    pub reason: Option<String>,
}

/// p.6, R9, R11: puts configured markings on a card or takes them off; an automatic marking is
/// corrected instead (it stays as corrected when applicants change), only with a reason. One
/// `markings_changed` event with the markings and corrections before and after and the reason.
pub fn change_markings(conn: &mut DbConn, ctx: &Ctx, cmd: ChangeMarkings) -> AppResult<CardView> {
    let book = ctx.rules.dictionary(DictionaryName::Markings)?;
    let reason = cmd
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    crate::actions::act_on_card(conn, ctx, cmd.target, |conn, row, parts| {
        let applicants = usize::try_from(row.applicant_count).unwrap_or_default();
        let markings_before: Vec<String> = parts.card.markings().iter().cloned().collect();
        let corrections_before = parts.card.marking_corrections().clone();
        let character_before = parts.card.character.clone();
        let mut issues = Vec::new();
        let mut corrected = false;
        for (list, present, codes) in [("add", true, &cmd.add), ("remove", false, &cmd.remove)] {
            for (i, code) in codes.iter().enumerate() {
                let pointer = format!("#/{list}/{i}");
                if present && cmd.remove.contains(code) {
                    issues.push(FieldIssue::new(pointer, "is also removed"));
                    continue;
                }
                let automatic = match book.get(code) {
                    Some(entry) if entry.active => entry.auto_rule.is_some(),
                    _ => {
                        issues.push(FieldIssue::new(
                            pointer,
                            format!("`{code}` is not an active marking"),
                        ));
                        continue;
                    }
                };
                let done = if automatic {
                    corrected = true;
                    parts
                        .card
                        .correct_automatic_marking(book, code, present, applicants)
                } else if present {
                    parts.card.add_marking(book, code)
                } else {
                    parts.card.remove_marking(book, code)
                };
                if let Err(e) = done {
                    issues.push(FieldIssue::new(pointer, e.to_string()));
                }
            }
        }
        if corrected && reason.is_none() {
            issues.push(FieldIssue::new(
                "#/reason",
                "an automatic marking (R9) is corrected only with a reason",
            ));
        }
        fail_if_any(issues)?;
        let markings: Vec<String> = parts.card.markings().iter().cloned().collect();
        if markings == markings_before && *parts.card.marking_corrections() == corrections_before {
            return Err(AppError::field("#", "the body changes nothing"));
        }
        write::store_tags_and_markings(conn, row, &parts.card)?;
        Ok(appeals_domain::events::CardEvent {
            action: CardAction::MarkingsChanged,
            before: Some(json!({
                "markings": markings_before,
                "corrections": corrections_before,
                "character": character_before,
            })),
            after: Some(json!({
                "markings": markings,
                "corrections": parts.card.marking_corrections(),
                "character": parts.card.character,
                "reason": reason,
            })),
        })
    })
}
