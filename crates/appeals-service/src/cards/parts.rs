//! A stored card read back: the ОЛ-1 card, its life-cycle state and the facts kept beside it
//! (`appeals.card`, `appeals.state`, `appeals.details` as JSON), and written back into a row.
//!
//! The storage types here serialise exactly as the rows hold them; the wire types of the API are
//! converted from them at the edge.

use appeals_db::rows::AppealRow;
use appeals_domain::cards::{AddressBlock, AppealCard};
use appeals_domain::hierarchy::RoutingFacts;
use appeals_domain::lifecycle::AppealState;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// The talon issued to the applicant (R6), as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTalon {
    pub registration_number: String,
    pub subject_name: String,
    /// Local date and time of acceptance (UTC+5).
    pub accepted_at: String,
    /// Surname and initials of the person who accepted it.
    pub accepted_by: String,
}

impl StoredTalon {
    /// The talon as issued (R6): acceptance time as local `YYYY-MM-DD HH:MM`.
    pub fn of(talon: &appeals_domain::cards::Talon) -> Self {
        Self {
            registration_number: talon.reg_number.to_string(),
            subject_name: talon.subject_name.clone(),
            accepted_at: talon.accepted_at.format("%Y-%m-%d %H:%M").to_string(),
            accepted_by: talon.accepted_by.clone(),
        }
    }
}

/// R39 (APPK art. 63): the latest notice of defects and its correction, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCorrection {
    pub defects: Vec<String>,
    pub notice: String,
    pub requested_at: DateTime<Utc>,
    pub correct_by: NaiveDate,
    pub corrected_at: Option<DateTime<Utc>>,
    pub corrected_late: bool,
}

/// Non-indexed facts kept beside the card (`appeals.details`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AppealDetails {
    pub calendar_version: String,
    /// The version of the deadline conventions the review deadline was computed with (0: the
    /// built-in defaults; issue 23 point 1).
    #[serde(default)]
    pub conventions_version: i64,
    pub talon: Option<StoredTalon>,
    /// The receipt came after the cut-off (R8).
    pub received_after_cutoff: bool,
    /// Postal address stated in the appeal (R21).
    pub postal_address: Option<AddressBlock>,
    /// Forwarded later than the forwarding deadline (R34).
    #[serde(default)]
    pub forwarded_late: bool,
    /// R44: local date of the first ОЛ-2 decision — the final act [INF].
    #[serde(default)]
    pub final_act_on: Option<NaiveDate>,
    /// R39: the latest art. 63 notice and its correction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<StoredCorrection>,
    /// 1-ОЛ: the latest ОЛ-2 decision, kept on the card so its counts follow from its row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_decision: Option<CountedDecision>,
    /// 1-ОЛ: the p.15 transfer in force (R16), cleared by its cancellation (R18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<CountedTransfer>,
    /// For a part forwarded by competence: the subject that forwarded it (p.11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded_by_subject_id: Option<i64>,
    /// The executor the card was routed to («Направить в работу»), for the work lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor_user_id: Option<i64>,
    /// An act of the card was entered on a later local day than its stated date (issue 23
    /// point 3; the auditors' `entered_late` filter).
    #[serde(default)]
    pub entered_late: bool,
    /// A forwarded part not yet accepted by the receiving subject's registrar (p.11 part 2): no
    /// talon yet, and no action on it but the acceptance.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub awaiting_acceptance: bool,
    /// A forwarding or extension approved and waiting for its EDS signature (R35, R37; issue 20
    /// point 3): what will be signed and take effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_approval: Option<PendingApproval>,
    /// Issue 21: the routing facts stated for the card (p.23, p.54 of the Instruction).
    #[serde(default, skip_serializing_if = "is_default")]
    pub routing: RoutingFacts,
    /// R15: an anonymous report of a crime or a threat, waiting to be forwarded to the competent
    /// body the same working day (the work list `anonymous_redirect`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redirect_immediately: bool,
    /// R15: why the card is anonymous under the reading in force, for the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymity_explanation: Option<String>,
    /// p.18 part 2: registered from the call centre — at once, whatever the hour — and handed to
    /// this subject (the registering subject's appeals unit, or itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_centre_unit_id: Option<i64>,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// The `appeals.pending` value of an anonymous crime report waiting for its immediate forwarding
/// (R15; the work list `anonymous_redirect`).
pub const AWAITING_REDIRECT: &str = "anonymous_redirect";

/// What an approval that waits for its signature will do once signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PendingApproval {
    Forwarding {
        to_subject_id: i64,
        scope: appeals_domain::lifecycle::ForwardScope,
        questions: Vec<String>,
        reason: Option<String>,
        approved_by: i64,
        approved_at: chrono::NaiveDateTime,
    },
    Extension {
        new_review_due: NaiveDate,
        reason: String,
        approved_by: i64,
        approved_at: chrono::NaiveDateTime,
    },
}

/// The `appeals.pending` value of a forwarded part awaiting acceptance (the work list
/// `awaiting_acceptance`).
pub use appeals_db::repo::appeals::AWAITING_ACCEPTANCE;

/// The latest ОЛ-2 decision as 1-ОЛ counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedDecision {
    pub decision_type: String,
    pub answer_character: Option<String>,
}

/// A p.15 transfer as 1-ОЛ counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedTransfer {
    /// Local date of the transfer.
    pub on: NaiveDate,
    pub late: bool,
}

/// Reads stored JSON back (unreadable stored data is an internal error).
pub fn parse_json<T: DeserializeOwned>(stored: &str, what: &str) -> AppResult<T> {
    serde_json::from_str(stored)
        .map_err(|e| AppError::corrupt(format!("stored {what} is unreadable: {e}")))
}

/// The SHA-256 of a stored text in lower-case hex (content hashes of versioned configuration).
pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serialises a value for storage.
pub fn to_json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::corrupt(format!("not serializable: {e}")))
}

/// The card, life-cycle state and details of a row.
#[derive(Debug, Clone)]
pub struct CardParts {
    pub card: AppealCard,
    pub state: AppealState,
    pub details: AppealDetails,
}

impl CardParts {
    pub fn of(row: &AppealRow) -> AppResult<Self> {
        Ok(Self {
            card: parse_json(&row.card, "card")?,
            state: parse_json(&row.state, "state")?,
            details: parse_json(&row.details, "details")?,
        })
    }

    /// Writes the parts back into a copy of `row` (columns derived from the card follow it).
    pub fn apply_to(&self, row: &AppealRow) -> AppResult<AppealRow> {
        let mut next = row.clone();
        next.card = to_json(&self.card)?;
        next.state = to_json(&self.state)?;
        next.details = to_json(&self.details)?;
        next.status = self.state.status().code().to_owned();
        next.kind = self.card.kind().code().to_owned();
        next.document_type = self.card.document_type().to_owned();
        next.review_due = self.card.control_date();
        next.is_accountable = self.card.is_accountable();
        next.pending = if self.details.awaiting_acceptance {
            Some(AWAITING_ACCEPTANCE.to_owned())
        } else if let Some(stage) = self.state.pending() {
            Some(stage.code().to_owned())
        } else if self.details.redirect_immediately {
            Some(AWAITING_REDIRECT.to_owned())
        } else {
            None
        };
        next.executor_user_id = self.details.executor_user_id;
        next.entered_late = self.details.entered_late;
        Ok(next)
    }
}
