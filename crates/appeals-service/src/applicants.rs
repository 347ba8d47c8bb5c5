//! З-1: the applicants of a card (Rules p.4, Appendix 1; R9, R14, R20, R21, R47, R48). An
//! applicant as a request gives it, the registry lookup that fills its card, and the use-cases that
//! add, replace and reconcile applicants — each one transaction through the card write path.

use appeals_db::rows::{ApplicantRow, NewApplicantRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::DomainError;
use appeals_domain::cards::{
    AddressBlock, AddressCheck, AppealCard, ApplicantCard, CompanyBlock, Contacts, PersonBlock,
    PersonCategory,
};
use appeals_domain::dictionary::DictionaryName;
use appeals_domain::events::{ApplicantNote, ApplicantSet, CardAction, CardEvent};
use appeals_domain::ident::{Bin, Iin, IinOrBin, Kato};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actions::{CardView, load_for_action};
use crate::cards::parts::{parse_json, to_json};
use crate::cards::write::{self, CardChange};
use crate::ctx::{Ctx, fail_if_any};
use crate::duplicates::check;
use crate::error::{AppError, AppResult, FieldIssue};
use crate::registry::{PersonRegistry, RegistryChannel, RegistryError, RegistryHit, lookup_local};

/// An applicant as a request gives it (З-1 requisites 3, 4, 5–7 or 20, 12–18, contacts).
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicantEntry {
    pub category: PersonCategory,
    pub iin_bin: Option<String>,
    pub surname: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: Option<String>,
    pub company_name: Option<String>,
    pub address: Option<AddressBlock>,
    pub mobile_phone: Option<String>,
    pub email: Option<String>,
}

/// The reason of a domain refusal, without its wrapper (for a field's `detail`).
pub fn domain_reason(e: DomainError) -> String {
    match e {
        DomainError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// An address's settlement code must be a KATO code.
pub fn check_address(a: &AddressBlock, pointer: &str, issues: &mut Vec<FieldIssue>) {
    if let Some(kato) = &a.settlement_kato
        && let Err(e) = Kato::parse(kato)
    {
        issues.push(FieldIssue::new(
            format!("{pointer}/settlement_kato"),
            domain_reason(e),
        ));
    }
}

impl ApplicantEntry {
    /// Requisite 4 (IIN/BIN, R47/R48), a name or an identifier, and the address; every problem is
    /// collected under `pointer`.
    pub fn check(&self, pointer: &str, issues: &mut Vec<FieldIssue>) {
        if let Some(id) = &self.iin_bin {
            let parsed = match self.category {
                PersonCategory::Individual => Iin::parse(id).map(|_| ()),
                PersonCategory::LegalEntity => Bin::parse(id).map(|_| ()),
            };
            if let Err(e) = parsed {
                issues.push(FieldIssue::new(
                    format!("{pointer}/iin_bin"),
                    domain_reason(e),
                ));
            }
        }
        match self.category {
            PersonCategory::Individual if self.surname.is_none() && self.iin_bin.is_none() => {
                issues.push(FieldIssue::new(
                    format!("{pointer}/surname"),
                    "an individual applicant needs a surname or an IIN",
                ))
            }
            PersonCategory::LegalEntity
                if self.company_name.is_none() && self.iin_bin.is_none() =>
            {
                issues.push(FieldIssue::new(
                    format!("{pointer}/company_name"),
                    "a legal-entity applicant needs a name or a BIN",
                ))
            }
            _ => {}
        }
        if let Some(address) = &self.address {
            check_address(address, &format!("{pointer}/address"), issues);
        }
    }

    /// The name for the duplicate check and З-1 lists: the company name of a legal entity, else
    /// surname, first name, patronymic.
    pub fn full_name(&self) -> Option<String> {
        match self.category {
            PersonCategory::LegalEntity => self.company_name.clone(),
            PersonCategory::Individual => {
                full_name_of([&self.surname, &self.first_name, &self.patronymic])
            }
        }
    }

    /// Requisite 4 as a registry key (the entry has been checked already).
    pub fn lookup_key(&self) -> Option<IinOrBin> {
        let id = self.iin_bin.as_deref()?;
        match self.category {
            PersonCategory::Individual => Iin::parse(id).ok().map(IinOrBin::Iin),
            PersonCategory::LegalEntity => Bin::parse(id).ok().map(IinOrBin::Bin),
        }
    }

    /// The З-1 card of this applicant on `card`, ordinal `ordinal`; `postal` is the postal address
    /// stated in the appeal (R21 compares it with requisites 12–18).
    pub fn card(
        &self,
        card: &AppealCard,
        ordinal: u32,
        postal: Option<&AddressBlock>,
    ) -> AppResult<ApplicantCard> {
        let mut z1 = ApplicantCard::new(card, ordinal, self.category, self.iin_bin.clone())?;
        if self.category == PersonCategory::Individual {
            z1.person = Some(PersonBlock {
                surname: self.surname.clone(),
                first_name: self.first_name.clone(),
                patronymic: self.patronymic.clone(),
                ..PersonBlock::default()
            });
        } else {
            z1.company = Some(CompanyBlock {
                name: self.company_name.clone(),
                ..Default::default()
            });
        }
        if let Some(address) = &self.address {
            z1.address = address.clone();
        }
        z1.postal_address_in_appeal = postal.cloned();
        z1.contacts = Contacts {
            mobile_phone: self.mobile_phone.clone(),
            work_home_phone: None,
            email: self.email.clone(),
        };
        Ok(z1)
    }

    /// The stored З-1 row of this applicant: its card filled from the registry when the lookup
    /// found requisite 4 (R20).
    pub fn row(
        &self,
        card: &AppealCard,
        appeal_id: i64,
        ordinal: i32,
        postal: Option<&AddressBlock>,
        lookup: Option<Lookup>,
    ) -> AppResult<NewApplicantRow> {
        let z1 = self.card(
            card,
            u32::try_from(ordinal).map_err(|e| AppError::corrupt(e.to_string()))?,
            postal,
        )?;
        let stored = apply_lookup(z1, lookup);
        Ok(NewApplicantRow {
            appeal_id,
            ordinal,
            category: category_code(self.category).to_owned(),
            iin_bin: self.iin_bin.clone(),
            full_name: card_full_name(&stored.card).or_else(|| self.full_name()),
            card: to_json(&stored)?,
        })
    }
}

/// The stored code of requisite 3.
pub fn category_code(c: PersonCategory) -> &'static str {
    match c {
        PersonCategory::Individual => "individual",
        PersonCategory::LegalEntity => "legal_entity",
    }
}

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// The registry lookup of one З-1 card, as stored with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryLookup {
    pub outcome: LookupOutcome,
    /// The adapter asked: `local` (imported copy) or `http` (registry gateway).
    pub channel: RegistryChannel,
    /// When the lookup was made.
    pub checked_at: chrono::DateTime<chrono::Utc>,
    /// When the data used left the state registry (filled cards only).
    pub data_as_of: Option<chrono::DateTime<chrono::Utc>>,
}

/// A lookup made before the write transaction.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub channel: RegistryChannel,
    pub checked_at: NaiveDateTime,
    pub result: LookupResult,
}

#[derive(Debug, Clone)]
pub enum LookupResult {
    Hit(Box<RegistryHit>),
    NotFound,
    Failed,
}

/// The registry lookups of a request's applicants (R20), always outside any transaction (a slow
/// registry must hold no locks): a remote registry's are made before the use-case (on a blocking
/// thread, [`RegistryLookups::remote`]), the local copy's by the use-case on its own connection
/// before its transaction (no second connection, no thread hop).
#[derive(Debug, Clone)]
pub enum RegistryLookups {
    Done(Vec<Option<Lookup>>),
    OnConnection(Vec<Option<IinOrBin>>),
}

impl RegistryLookups {
    /// What to look up for `entries` with `registry`: nothing, the local copy later, or `None`
    /// when a remote registry must be asked first ([`RegistryLookups::remote`]).
    pub fn plan(registry: &dyn PersonRegistry, entries: &[ApplicantEntry]) -> Option<Self> {
        let keys: Vec<_> = entries.iter().map(ApplicantEntry::lookup_key).collect();
        if keys.iter().all(Option::is_none) {
            return Some(Self::Done(vec![None; keys.len()]));
        }
        registry.is_local().then_some(Self::OnConnection(keys))
    }

    /// Asks a remote registry for every key (blocking). After the first failure the remaining
    /// keys are not tried: a registry that is down must not hold a request for one timeout per
    /// applicant.
    pub fn remote(
        registry: &dyn PersonRegistry,
        entries: &[ApplicantEntry],
        at: NaiveDateTime,
    ) -> Self {
        let keys: Vec<_> = entries.iter().map(ApplicantEntry::lookup_key).collect();
        Self::Done(lookup_all_with(registry.channel(), &keys, at, |key| {
            registry.lookup(key)
        }))
    }

    /// The lookups, one per applicant; called before the use-case's transaction begins.
    pub fn finish(self, conn: &mut DbConn, at: NaiveDateTime) -> Vec<Option<Lookup>> {
        match self {
            Self::Done(lookups) => lookups,
            Self::OnConnection(keys) => lookup_all_with(RegistryChannel::Local, &keys, at, |key| {
                lookup_local(conn, key)
            }),
        }
    }
}

fn lookup_all_with(
    channel: RegistryChannel,
    keys: &[Option<IinOrBin>],
    checked_at: NaiveDateTime,
    mut lookup: impl FnMut(&IinOrBin) -> Result<Option<RegistryHit>, RegistryError>,
) -> Vec<Option<Lookup>> {
    let mut failed = false;
    keys.iter()
        .map(|key| {
            let key = key.as_ref()?;
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

/// Surname, first name and patronymic, those given, in one string.
fn full_name_of(parts: [&Option<String>; 3]) -> Option<String> {
    let parts: Vec<&str> = parts.into_iter().flatten().map(String::as_str).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The name shown in lists: surname, first name, patronymic, or the company name.
pub fn card_full_name(card: &ApplicantCard) -> Option<String> {
    match card.category {
        PersonCategory::Individual => {
            let p = card.person.as_ref()?;
            full_name_of([&p.surname, &p.first_name, &p.patronymic])
        }
        PersonCategory::LegalEntity => card.company.as_ref()?.name.clone(),
    }
}

/// The R21 check as shown and as kept in history events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressCheckView {
    /// `nothing_to_compare`, `matches`, `differs` or `reconciled`.
    pub status: String,
    /// For `differs`: the requisite numbers (12–18) that differ.
    pub requisites: Vec<u8>,
}

impl From<AddressCheck> for AddressCheckView {
    fn from(check: AddressCheck) -> Self {
        let (status, requisites) = match check {
            AddressCheck::NothingToCompare => ("nothing_to_compare", Vec::new()),
            AddressCheck::Matches => ("matches", Vec::new()),
            AddressCheck::Differs(r) => ("differs", r),
            AddressCheck::Reconciled => ("reconciled", Vec::new()),
        };
        Self {
            status: status.to_owned(),
            requisites,
        }
    }
}

/// The applicants of a card as `applicants_changed` keeps them.
fn applicant_set(rows: &[ApplicantRow], markings: &[String]) -> ApplicantSet {
    ApplicantSet {
        applicants: rows
            .iter()
            .map(|row| ApplicantNote {
                ordinal: row.ordinal,
                category: row.category.clone(),
                iin_bin: row.iin_bin.clone(),
                full_name: row.full_name.clone(),
            })
            .collect(),
        applicant_count: rows.len(),
        markings: markings.to_vec(),
    }
}

/// A change of a card's applicants: the card at the version the client holds, the entries (checked
/// at the edge's pointers already), and their registry lookups (made before the transaction).
pub struct ChangeApplicants {
    pub appeal_id: i64,
    pub expected_version: i64,
    /// `true`: the entries become the whole set (renumbered 1, 2, …); `false`: they are added.
    pub replace_all: bool,
    pub entries: Vec<ApplicantEntry>,
    pub lookups: RegistryLookups,
}

/// Checks entries of a request (`#/applicants/{i}` for a list, `#` for one).
pub fn check_entries(entries: &[ApplicantEntry], single: bool) -> AppResult<()> {
    let mut issues = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let pointer = if single {
            "#".to_owned()
        } else {
            format!("#/applicants/{i}")
        };
        entry.check(&pointer, &mut issues);
    }
    fail_if_any(issues)
}

/// Adds applicants or replaces the set, in one transaction: З-1 rows, the count, the automatic
/// markings (ҰЖ for two or more, R9), the duplicate-check applicant keys (R14) and one
/// `applicants_changed` history event with the lists before and after.
pub fn change(conn: &mut DbConn, ctx: &Ctx, cmd: ChangeApplicants) -> AppResult<CardView> {
    let ChangeApplicants {
        appeal_id,
        expected_version,
        replace_all,
        entries,
        lookups,
    } = cmd;
    check_entries(&entries, !replace_all)?;
    let lookups = lookups.finish(conn, ctx.stored_now());
    write_tx(conn, |conn| {
        let (row, mut parts) = load_for_action(conn, ctx, appeal_id, Some(expected_version))?;
        let before_rows = repo::appeals::applicants(conn, row.id)?;
        let before_markings: Vec<String> = parts.card.markings().iter().cloned().collect();
        let first_ordinal = if replace_all {
            repo::appeals::delete_applicants(conn, row.id)?;
            1
        } else {
            before_rows.iter().map(|a| a.ordinal).max().unwrap_or(0) + 1
        };
        let postal = parts.details.postal_address.clone();
        let mut new_rows = Vec::with_capacity(entries.len());
        for (i, (entry, lookup)) in entries.iter().zip(lookups).enumerate() {
            let ordinal =
                first_ordinal + i32::try_from(i).map_err(|e| AppError::corrupt(e.to_string()))?;
            new_rows.push(entry.row(&parts.card, row.id, ordinal, postal.as_ref(), lookup)?);
        }
        repo::appeals::insert_applicants(conn, &new_rows)?;
        let added_keys = entries.iter().map(check::applicant_key).collect();
        check::reindex_applicants(conn, row.id, added_keys, replace_all)?;
        let after_rows = repo::appeals::applicants(conn, row.id)?;
        parts.card.refresh_automatic_markings(
            ctx.rules.dictionary(DictionaryName::Markings)?,
            after_rows.len(),
        );
        let mut next = parts.apply_to(&row)?;
        next.applicant_count =
            i32::try_from(after_rows.len()).map_err(|e| AppError::corrupt(e.to_string()))?;
        let markings: Vec<String> = parts.card.markings().iter().cloned().collect();
        write::store_tags_and_markings(conn, &row, &parts.card)?;
        let saved = write::commit(
            conn,
            ctx.actor(),
            ctx.stored_now(),
            CardChange {
                before: &row,
                after: next,
                event: CardEvent::new(
                    CardAction::ApplicantsChanged,
                    &applicant_set(&before_rows, &before_markings),
                    &applicant_set(&after_rows, &markings),
                )?,
            },
        )?;
        CardView::load(conn, saved)
    })
}

/// R21: the agreed address of applicant `ordinal`.
pub struct ReconcileAddress {
    pub appeal_id: i64,
    pub expected_version: i64,
    pub ordinal: i32,
    pub address: AddressBlock,
}

/// R21: the agreed address becomes requisites 12–18 of the З-1 card and the card is marked
/// reconciled; 409 when the appeal states no postal address; one `address_reconciled` event.
pub fn reconcile_address(
    conn: &mut DbConn,
    ctx: &Ctx,
    cmd: ReconcileAddress,
) -> AppResult<CardView> {
    let mut issues = Vec::new();
    check_address(&cmd.address, "#/address", &mut issues);
    fail_if_any(issues)?;
    let ReconcileAddress {
        appeal_id: id,
        expected_version,
        ordinal,
        address,
    } = cmd;
    write_tx(conn, |conn| {
        let (row, parts) = load_for_action(conn, ctx, id, Some(expected_version))?;
        let applicant = repo::appeals::applicants(conn, row.id)?
            .into_iter()
            .find(|a| a.ordinal == ordinal)
            .ok_or_else(|| {
                AppError::NotFound(format!("Appeal {id} has no applicant number {ordinal}."))
            })?;
        let mut stored: StoredApplicant = parse_json(&applicant.card, "applicant card")?;
        let check_before = stored.card.address_check();
        if check_before == AddressCheck::NothingToCompare {
            return Err(AppError::Conflict(
                "The appeal states no postal address; there is nothing to reconcile with."
                    .to_owned(),
            ));
        }
        let address_before = stored.card.address.clone();
        stored.card.reconcile_address(address.clone());
        let check_after = stored.card.address_check();
        repo::registry::update_applicant(
            conn,
            row.id,
            ordinal,
            applicant.full_name.as_deref(),
            &to_json(&stored)?,
        )?;
        let saved = write::commit(
            conn,
            ctx.actor(),
            ctx.stored_now(),
            CardChange {
                before: &row,
                after: row.clone(),
                event: CardEvent {
                    action: CardAction::AddressReconciled,
                    before: Some(json!({
                        "ordinal": ordinal,
                        "address": address_before,
                        "address_check": AddressCheckView::from(check_before),
                        "postal_address": parts.details.postal_address,
                    })),
                    after: Some(json!({
                        "ordinal": ordinal,
                        "address": address,
                        "address_check": AddressCheckView::from(check_after),
                    })),
                },
            },
        )?;
        CardView::load(conn, saved)
    })
}
