//! The domain configuration a process applies: calendar, deadline settings, dictionaries and the
//! registration-number format. Built once at start-up; the [OBS]/[INF] choices live here as data.

use std::collections::BTreeMap;
use std::sync::Arc;

use appeals_domain::calendar::Calendar;
use appeals_domain::deadline::DeadlineSettings;
use appeals_domain::dedup::DedupSettings;
use appeals_domain::dictionary::{Dictionary, DictionaryName, default_dictionaries};
use appeals_domain::regnum::{LetterIndexTable, RegNumberFormat};

use crate::error::ApiError;

/// Everything a rule needs besides the card itself.
pub struct Rules {
    pub calendar: Arc<Calendar>,
    pub deadlines: DeadlineSettings,
    pub dictionaries: BTreeMap<DictionaryName, Dictionary>,
    pub letter_index: LetterIndexTable,
    pub number_format: RegNumberFormat,
    /// Thresholds of the duplicate check (p.13, R14; defaults tuned on tests/data/dedup_eval.jsonl).
    pub dedup: DedupSettings,
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
            dedup: DedupSettings::default(),
        }
    }

    /// Today's local date (the calendar's time zone, UTC+5 by default).
    pub fn today(&self) -> chrono::NaiveDate {
        self.local_time(chrono::Utc::now()).date()
    }

    /// A UTC instant as local time of the configured zone.
    pub fn local_time(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
        (t + chrono::Duration::minutes(i64::from(self.deadlines.utc_offset_minutes))).naive_utc()
    }

    pub fn dictionary(&self, name: DictionaryName) -> Result<&Dictionary, ApiError> {
        self.dictionaries
            .get(&name)
            .ok_or_else(|| ApiError::internal(format!("dictionary {name} is not loaded")))
    }

    /// Checks that `code` is an active entry of `name`; the error points at `pointer`.
    pub fn require_code(
        &self,
        name: DictionaryName,
        code: &str,
        pointer: &str,
    ) -> Result<(), ApiError> {
        self.dictionary(name)?
            .require_active(code)
            .map(|_| ())
            .map_err(|_| {
                ApiError::invalid_field(
                    pointer,
                    format!("`{code}` is not an active code of the `{name}` dictionary"),
                )
            })
    }
}
