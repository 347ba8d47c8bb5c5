//! З-1 cards as stored and shown: registry auto-fill (R20) and the address check (R21).

use appeals_db::DbConn;
use appeals_db::rows::ApplicantRow;
use appeals_domain::cards::{AddressCheck, ApplicantCard, PersonCategory};
use appeals_domain::ident::{Bin, Iin, IinOrBin};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{ApplicantCategory, ApplicantDto, ApplicantInput};
use crate::error::ApiError;
use crate::registry::{PersonRegistry, RegistryChannel, RegistryError, RegistryHit};
use crate::workflow::parse_json;

/// What `appeal_applicants.card` holds: the domain card plus the outcome of its registry lookup.
/// The extra field sits beside the card's own fields, so readers of a plain `ApplicantCard` still
/// read it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredApplicant {
    #[serde(flatten)]
    pub card: ApplicantCard,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_lookup: Option<RegistryLookup>,
}

/// Result of the registry lookup made when requisite 4 was filled (R20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LookupOutcome {
    /// Requisites 3, 5–18 / 20–26 were filled from the registry (see `card.autofill`).
    Filled,
    /// The registry has no record of this IIN/BIN.
    NotFound,
    /// The registry could not be asked (down, timeout, bad answer); the card is not auto-filled.
    Unavailable,
    /// The registry answered with a record of another category; the card is not auto-filled.
    Rejected,
}

/// The registry lookup of one З-1 card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegistryLookup {
    pub outcome: LookupOutcome,
    /// The adapter asked: `local` (imported copy) or `http` (registry gateway).
    pub channel: RegistryChannel,
    /// When the lookup was made.
    pub checked_at: DateTime<Utc>,
    /// When the data used left the state registry (filled cards only).
    pub data_as_of: Option<DateTime<Utc>>,
}

/// A lookup made before the write transaction.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub channel: RegistryChannel,
    pub checked_at: chrono::NaiveDateTime,
    pub result: LookupResult,
}

#[derive(Debug, Clone)]
pub enum LookupResult {
    Hit(Box<RegistryHit>),
    NotFound,
    Failed,
}

/// Requisite 4 of an applicant as a lookup key (the input has been validated already).
pub fn lookup_key(a: &ApplicantInput) -> Option<IinOrBin> {
    let id = a.iin_bin.as_deref()?;
    match a.category {
        ApplicantCategory::Individual => Iin::parse(id).ok().map(IinOrBin::Iin),
        ApplicantCategory::LegalEntity => Bin::parse(id).ok().map(IinOrBin::Bin),
    }
}

/// Looks up each key. After the first failure the remaining keys are not tried: a registry that
/// is down must not hold a registration for one timeout per applicant. Blocking.
pub fn lookup_all(registry: &dyn PersonRegistry, keys: &[Option<IinOrBin>]) -> Vec<Option<Lookup>> {
    lookup_all_with(registry.channel(), keys, |key| registry.lookup(key))
}

/// The registry lookups of a request's applicants (R20), always outside any transaction (a slow
/// registry must hold no locks): the HTTP registry's at once on a blocking thread, the local
/// copy's later on the handler's own connection (no second connection, no thread hop).
pub enum RegistryLookups {
    Done(Vec<Option<Lookup>>),
    OnConnection(Vec<Option<IinOrBin>>),
}

impl RegistryLookups {
    pub async fn start(
        state: &crate::state::AppState,
        applicants: &[ApplicantInput],
    ) -> Result<Self, ApiError> {
        let keys: Vec<_> = applicants.iter().map(lookup_key).collect();
        if keys.iter().all(Option::is_none) {
            return Ok(Self::Done(vec![None; keys.len()]));
        }
        let registry = state.registry();
        if registry.is_local() {
            return Ok(Self::OnConnection(keys));
        }
        Ok(Self::Done(
            actix_web::web::block(move || lookup_all(registry.as_ref(), &keys)).await?,
        ))
    }

    /// The lookups, one per applicant; call it before the handler's transaction begins.
    pub fn finish(self, conn: &mut DbConn) -> Vec<Option<Lookup>> {
        match self {
            Self::Done(lookups) => lookups,
            Self::OnConnection(keys) => lookup_all_local(conn, &keys),
        }
    }
}

/// [`lookup_all`] in the imported copy on the caller's connection (see
/// [`PersonRegistry::is_local`]); call it outside any transaction.
fn lookup_all_local(conn: &mut DbConn, keys: &[Option<IinOrBin>]) -> Vec<Option<Lookup>> {
    lookup_all_with(RegistryChannel::Local, keys, |key| {
        crate::registry::lookup_local(conn, key)
    })
}

fn lookup_all_with(
    channel: RegistryChannel,
    keys: &[Option<IinOrBin>],
    mut lookup: impl FnMut(&IinOrBin) -> Result<Option<RegistryHit>, RegistryError>,
) -> Vec<Option<Lookup>> {
    let mut failed = false;
    keys.iter()
        .map(|key| {
            let key = key.as_ref()?;
            let checked_at = appeals_db::now_utc();
            let result = if failed {
                LookupResult::Failed
            } else {
                match lookup(key) {
                    Ok(Some(hit)) => LookupResult::Hit(Box::new(hit)),
                    Ok(None) => LookupResult::NotFound,
                    Err(e) => {
                        failed = true;
                        // The error names the failure, never the IIN/BIN.
                        tracing::warn!(channel = channel.code(), error = %e,
                            "registry lookup failed; the applicant card is not auto-filled");
                        LookupResult::Failed
                    }
                }
            };
            Some(Lookup {
                channel,
                checked_at,
                result,
            })
        })
        .collect()
}

/// Applies a lookup to a new card (R20): a hit fills the person/company/address blocks and records
/// the registry and fetch time in `card.autofill`.
pub fn apply_lookup(card: ApplicantCard, lookup: Option<Lookup>) -> StoredApplicant {
    let mut card = card;
    let registry_lookup = lookup.map(|l| {
        let (outcome, data_as_of) = match l.result {
            LookupResult::Hit(hit) => {
                let data_as_of = hit.data_as_of;
                match card.apply_registry_record(hit.source, hit.record, l.checked_at) {
                    Ok(()) => (LookupOutcome::Filled, Some(data_as_of.and_utc())),
                    Err(_) => {
                        tracing::warn!(
                            channel = l.channel.code(),
                            "the registry record does not fit the applicant's category; not auto-filled"
                        );
                        (LookupOutcome::Rejected, None)
                    }
                }
            }
            LookupResult::NotFound => (LookupOutcome::NotFound, None),
            LookupResult::Failed => (LookupOutcome::Unavailable, None),
        };
        RegistryLookup {
            outcome,
            channel: l.channel,
            checked_at: l.checked_at.and_utc(),
            data_as_of,
        }
    });
    StoredApplicant {
        card,
        registry_lookup,
    }
}

/// The name shown in lists: surname, first name, patronymic, or the company name.
pub fn card_full_name(card: &ApplicantCard) -> Option<String> {
    match card.category {
        PersonCategory::Individual => {
            let p = card.person.as_ref()?;
            let parts: Vec<&str> = [&p.surname, &p.first_name, &p.patronymic]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        PersonCategory::LegalEntity => card.company.as_ref()?.name.clone(),
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

pub fn address_check_dto(check: AddressCheck) -> AddressCheckDto {
    let (status, requisites) = match check {
        AddressCheck::NothingToCompare => ("nothing_to_compare", Vec::new()),
        AddressCheck::Matches => ("matches", Vec::new()),
        AddressCheck::Differs(r) => ("differs", r),
        AddressCheck::Reconciled => ("reconciled", Vec::new()),
    };
    AddressCheckDto {
        status: status.to_owned(),
        requisites,
    }
}

/// The API view of a stored З-1 card.
pub fn dto(row: ApplicantRow) -> Result<ApplicantDto, ApiError> {
    let stored: StoredApplicant = parse_json(&row.card, "applicant card")?;
    let card: serde_json::Value = parse_json(&row.card, "applicant card")?;
    Ok(ApplicantDto {
        ordinal: row.ordinal,
        category: if row.category == "legal_entity" {
            ApplicantCategory::LegalEntity
        } else {
            ApplicantCategory::Individual
        },
        iin_bin: row.iin_bin,
        full_name: row.full_name,
        address_check: address_check_dto(stored.card.address_check()),
        registry_lookup: stored.registry_lookup,
        card,
    })
}

/// One applicant as recorded in history events (`applicants_changed`). History is the audit
/// trail, so it keeps requisite 4 in full; it is never written to logs.
pub fn history_entry(row: &ApplicantRow) -> serde_json::Value {
    serde_json::json!({
        "ordinal": row.ordinal,
        "category": row.category,
        "iin_bin": row.iin_bin,
        "full_name": row.full_name,
    })
}
