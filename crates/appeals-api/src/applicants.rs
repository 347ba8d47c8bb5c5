//! З-1 at the edge: the stored card as shown, and the registry lookups a request starts before its
//! use-case (a remote registry is asked on a blocking thread, outside the database gate).

use appeals_service::applicants::{
    self as z1, AddressCheckView, ApplicantEntry, LookupOutcome, RegistryLookup, RegistryLookups,
    StoredApplicant,
};
use appeals_service::cards::parts::parse_json;
use appeals_service::registry::RegistryChannel;
use appeals_service::views::ApplicantRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{ApplicantCategory, ApplicantDto};
use crate::error::ApiError;
use crate::state::AppState;

/// The registry lookups of `entries` (R20): planned at once, a remote registry asked now on a
/// blocking thread, the local copy later by the use-case on its own connection.
pub async fn start_lookups(
    state: &AppState,
    entries: &[ApplicantEntry],
    at: chrono::NaiveDateTime,
) -> Result<RegistryLookups, ApiError> {
    let registry = state.registry();
    if let Some(planned) = RegistryLookups::plan(registry.as_ref(), entries) {
        return Ok(planned);
    }
    let entries = entries.to_vec();
    Ok(
        actix_web::web::block(move || RegistryLookups::remote(registry.as_ref(), &entries, at))
            .await?,
    )
}

/// Result of the registry lookup made when requisite 4 was filled (R20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = LookupOutcome)]
pub enum LookupOutcomeDto {
    /// Requisites 3, 5–18 / 20–26 were filled from the registry (see `card.autofill`).
    Filled,
    /// The registry has no record of this IIN/BIN.
    NotFound,
    /// The registry could not be asked (down, timeout, bad answer); the card is not auto-filled.
    Unavailable,
    /// The registry answered with a record of another category; the card is not auto-filled.
    Rejected,
}

/// Which adapter answered a lookup (recorded on auto-filled З-1 cards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RegistryChannel)]
pub enum RegistryChannelDto {
    /// The local copy (`registry_records`, `appeals registry import`).
    Local,
    /// The registry gateway over HTTP (`APPEALS_REGISTRY_URL`).
    Http,
}

impl From<RegistryChannel> for RegistryChannelDto {
    fn from(c: RegistryChannel) -> Self {
        match c {
            RegistryChannel::Local => Self::Local,
            RegistryChannel::Http => Self::Http,
        }
    }
}

/// The registry lookup of one З-1 card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = RegistryLookup)]
pub struct RegistryLookupDto {
    pub outcome: LookupOutcomeDto,
    /// The adapter asked: `local` (imported copy) or `http` (registry gateway).
    pub channel: RegistryChannelDto,
    /// When the lookup was made.
    pub checked_at: DateTime<Utc>,
    /// When the data used left the state registry (filled cards only).
    pub data_as_of: Option<DateTime<Utc>>,
}

impl From<RegistryLookup> for RegistryLookupDto {
    fn from(l: RegistryLookup) -> Self {
        Self {
            outcome: match l.outcome {
                LookupOutcome::Filled => LookupOutcomeDto::Filled,
                LookupOutcome::NotFound => LookupOutcomeDto::NotFound,
                LookupOutcome::Unavailable => LookupOutcomeDto::Unavailable,
                LookupOutcome::Rejected => LookupOutcomeDto::Rejected,
            },
            channel: l.channel.into(),
            checked_at: l.checked_at,
            data_as_of: l.data_as_of,
        }
    }
}

/// The R21 check as shown to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AddressCheckDto {
    /// `nothing_to_compare` (the appeal states no postal address), `matches`, `differs` (bring
    /// requisites into line: `POST …/address-reconciliation`) or `reconciled`.
    #[schema(example = "differs")]
    pub status: String,
    /// For `differs`: the requisite numbers (12–18) that differ.
    #[schema(example = json!([15, 16]))]
    pub requisites: Vec<u8>,
}

impl From<AddressCheckView> for AddressCheckDto {
    fn from(v: AddressCheckView) -> Self {
        Self {
            status: v.status,
            requisites: v.requisites,
        }
    }
}

/// The API view of a stored З-1 card.
pub fn dto(row: ApplicantRow) -> Result<ApplicantDto, ApiError> {
    let stored: StoredApplicant = parse_json(&row.card, "applicant card")?;
    let card: serde_json::Value = parse_json(&row.card, "applicant card")?;
    Ok(ApplicantDto {
        ordinal: row.ordinal,
        category: if row.category
            == z1::category_code(appeals_domain::cards::PersonCategory::LegalEntity)
        {
            ApplicantCategory::LegalEntity
        } else {
            ApplicantCategory::Individual
        },
        iin_bin: row.iin_bin,
        full_name: row.full_name,
        address_check: AddressCheckView::from(stored.card.address_check()).into(),
        registry_lookup: stored.registry_lookup.map(Into::into),
        card,
    })
}
