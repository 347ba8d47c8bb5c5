//! The domain configuration a process applies: calendar, deadline settings, dictionaries, the
//! registration-number format and the duplicate-check settings; the [OBS]/[INF] choices live here
//! as data, loaded from the database (R11, R27, R32, R33). How a server process keeps its snapshot
//! current is the api crate's (`rules::keep_rules_current`).

use std::collections::BTreeMap;
use std::sync::Arc;

use appeals_db::{DbConn, repo};
use appeals_domain::calendar::{Calendar, Override};
use appeals_domain::cards::AddressReconciliationPolicy;
use appeals_domain::deadline::DeadlineSettings;
use appeals_domain::dedup::DedupSettings;
use appeals_domain::dictionary::{Dictionary, DictionaryName, default_dictionaries};
use appeals_domain::lifecycle::ForwardedTermPolicy;
use appeals_domain::regnum::{LetterIndexTable, NumberingMode, RegNumberFormat};

use crate::error::{AppError, AppResult};

/// Everything a rule needs besides the card itself.
pub struct Rules {
    pub calendar: Arc<Calendar>,
    pub deadlines: DeadlineSettings,
    pub dictionaries: BTreeMap<DictionaryName, Dictionary>,
    pub letter_index: LetterIndexTable,
    pub number_format: RegNumberFormat,
    /// R35 [INF]: where a forwarded appeal's (or part's) review term starts at the receiver.
    pub forwarded_term_policy: ForwardedTermPolicy,
    /// The `config_versions.rules` value these rules were loaded at; `None` for the built-in
    /// defaults (before the first load from the database).
    pub config_version: Option<i64>,
    /// Thresholds of the duplicate check (p.13, R14; defaults tuned on tests/data/dedup_eval.jsonl).
    pub dedup: DedupSettings,
    /// R3: how the through number is allocated (the database's `registration_numbering`).
    pub numbering: NumberingMode,
    /// R21 [INF]: whether an unreconciled address difference holds up the first decision.
    pub address_reconciliation: AddressReconciliationPolicy,
}

/// Name of the `settings` row holding the R21 policy (`AddressReconciliationPolicy::code`);
/// absent → the built-in default.
pub const ADDRESS_RECONCILIATION_SETTING: &str = "address_reconciliation";

/// R21: stores the address-reconciliation policy, with its admin event and a configuration-version
/// bump (running servers pick it up when they reload).
pub fn set_address_reconciliation(
    conn: &mut DbConn,
    policy: AddressReconciliationPolicy,
) -> AppResult<()> {
    Ok(repo::configuration::change_setting(
        conn,
        ADDRESS_RECONCILIATION_SETTING,
        policy.code(),
        "address_reconciliation_set",
    )?)
}

impl Rules {
    /// The defaults DOMAIN.md gives for every configurable choice.
    pub fn defaults() -> Self {
        Self {
            calendar: Arc::new(Calendar::kazakhstan_default()),
            deadlines: DeadlineSettings::default(),
            dictionaries: default_dictionaries()
                .into_iter()
                .map(|d| (d.name, d))
                .collect(),
            letter_index: LetterIndexTable::default(),
            number_format: RegNumberFormat::default(),
            forwarded_term_policy: ForwardedTermPolicy::default(),
            address_reconciliation: AddressReconciliationPolicy::default(),
            config_version: None,
            dedup: DedupSettings::default(),
            numbering: NumberingMode::default(),
        }
    }

    /// Builds the rules from the database as of its current configuration version: dictionaries
    /// from `dictionary_entries`, the calendar = the built-in one with the stored year overrides
    /// applied in ascending year order (so every process derives the same calendar version).
    /// The version is read first: a change committed meanwhile is at worst loaded twice.
    pub fn load(conn: &mut DbConn) -> AppResult<Self> {
        let version = repo::configuration::rules_version(conn)?;
        let dictionaries = repo::configuration::load_dictionaries(conn)?;
        let stored = repo::configuration::all_calendar_overrides(conn)?
            .into_iter()
            .map(|row| {
                let overrides: Vec<Override> = crate::cards::parts::parse_json(
                    &row.data,
                    &format!("calendar overrides of {}", row.year),
                )?;
                Ok((row.year, overrides))
            })
            .collect::<AppResult<Vec<_>>>()?;
        let calendar = calendar_with_overrides(stored).map_err(|(year, e)| {
            AppError::corrupt(format!(
                "stored calendar overrides of {year} are invalid: {e}"
            ))
        })?;
        let defaults = Self::defaults();
        Ok(Self {
            calendar: Arc::new(calendar),
            dictionaries: dictionaries.into_iter().map(|d| (d.name, d)).collect(),
            config_version: Some(version),
            numbering: repo::numbering::mode(conn)?,
            dedup: dedup_settings_of(conn, defaults.dedup)?,
            address_reconciliation: match repo::configuration::setting(
                conn,
                ADDRESS_RECONCILIATION_SETTING,
            )? {
                Some(code) => AddressReconciliationPolicy::parse(&code)?,
                None => defaults.address_reconciliation,
            },
            ..defaults
        })
    }

    /// The local date of an instant (the calendar's time zone, UTC+5 by default).
    pub fn local_date(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        self.local_time(t).date()
    }

    /// A UTC instant as local time of the configured zone.
    pub fn local_time(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
        (t + chrono::Duration::minutes(i64::from(self.deadlines.utc_offset_minutes))).naive_utc()
    }

    pub fn dictionary(&self, name: DictionaryName) -> AppResult<&Dictionary> {
        self.dictionaries
            .get(&name)
            .ok_or_else(|| AppError::corrupt(format!("dictionary {name} is not loaded")))
    }

    /// Checks that `code` is an active entry of `name`; the error points at `pointer`.
    pub fn require_code(&self, name: DictionaryName, code: &str, pointer: &str) -> AppResult<()> {
        self.dictionary(name)?
            .require_active(code)
            .map(|_| ())
            .map_err(|_| {
                AppError::field(
                    pointer,
                    format!("`{code}` is not an active code of the `{name}` dictionary"),
                )
            })
    }
}

/// `defaults` with the LSH banding the database's duplicate index was built with (setting
/// `dedup_banding`): band keys computed with another banding would never meet the stored ones;
/// and with the stored `dedup_others_probe_bands`, when set.
pub fn dedup_settings_of(conn: &mut DbConn, defaults: DedupSettings) -> AppResult<DedupSettings> {
    let banding = repo::duplicates::banding(conn)?;
    let signature = defaults.signature.with_banding(&banding).map_err(|e| {
        AppError::corrupt(format!(
            "the stored duplicate-index banding `{banding}` is invalid: {e}"
        ))
    })?;
    let others_probe_bands =
        match repo::configuration::setting(conn, repo::duplicates::OTHERS_PROBE_SETTING)? {
            Some(stored) => stored.parse().map_err(|_| {
                AppError::corrupt(format!(
                    "the stored `{}` `{stored}` is not a number of bands",
                    repo::duplicates::OTHERS_PROBE_SETTING
                ))
            })?,
            None => defaults.others_probe_bands,
        };
    Ok(DedupSettings {
        signature,
        others_probe_bands,
        ..defaults
    })
}

/// The built-in calendar with per-year overrides applied in the given order (R32, R33). On invalid
/// data, the year whose overrides were rejected and the domain error.
pub fn calendar_with_overrides(
    years: Vec<(i32, Vec<Override>)>,
) -> Result<Calendar, (i32, appeals_domain::DomainError)> {
    let mut calendar = Calendar::kazakhstan_default();
    for (year, overrides) in years {
        calendar = calendar
            .replace_year_overrides(year, overrides)
            .map_err(|e| (year, e))?;
    }
    Ok(calendar)
}
