//! The working-day calendar of Kazakhstan, five-day week (R30–R33).
//!
//! Holidays are *rules with validity ranges* (Law «О праздниках в Республике Казахстан», Art. 5),
//! religious days off and government swaps are *per-year data* (Labour Code Art. 84 p.5, Art. 85
//! p.3). The data is versioned (R33): replacing a year's data yields a new [`Calendar`] with a new
//! [`CalendarVersion`]; a deadline records the version it was computed with, so results computed
//! with an older calendar are never silently changed.
//!
//! At construction the calendar precomputes, over its whole year range, a prefix count of working
//! days and the sorted list of working days. Every query ("add N working days", "next working day")
//! is then O(1): no day-by-day loop per query.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::deadline::DayCountConvention;
use crate::error::DomainError;

/// First year covered by [`Calendar::kazakhstan_default`].
pub const DEFAULT_FIRST_YEAR: i32 = 2018;
/// Last year covered by [`Calendar::kazakhstan_default`].
pub const DEFAULT_LAST_YEAR: i32 = 2030;

/// Legal source of the statutory holiday list and of the weekend transfer rule (R30).
pub const LAW_ON_HOLIDAYS: &str = "Закон РК «О праздниках в Республике Казахстан», ст. 5";
/// Legal source of the religious days off that are never transferred (R31).
pub const LABOUR_CODE_RELIGIOUS: &str =
    "Трудовой кодекс РК, ст. 84 п. 5 (религиозный праздник — выходной день без переноса)";
/// Legal source of the Government's discretionary swaps (R32).
pub const LABOUR_CODE_SWAP: &str =
    "Трудовой кодекс РК, ст. 85 п. 3 (перенос выходных дней Правительством)";

/// Why a day is special on the calendar. A day without a kind is an ordinary weekday (working) or
/// an ordinary Saturday/Sunday (non-working).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A statutory (state or national) holiday — Law on holidays Art. 5 (R30).
    Holiday,
    /// The extra day off produced by a holiday falling on Saturday/Sunday (R30).
    Transfer,
    /// A religious day off (7 January, first day of Kurban ait) — never transferred (R31).
    Religious,
    /// An extra day off set by the Government (Labour Code Art. 85 p.3) or a data correction (R32).
    OverrideDayOff,
    /// A working day set by the Government on a weekend day, or a withdrawn day off (R32, R33).
    OverrideWorking,
}

impl DayKind {
    /// Whether a day of this kind is a day off (every kind but `OverrideWorking`).
    pub fn is_day_off(self) -> bool {
        !matches!(self, DayKind::OverrideWorking)
    }
}

/// One special day of the calendar, as `GET /calendar/{year}` will list it (R30–R32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialDay {
    /// The day.
    pub date: NaiveDate,
    /// Why it is special.
    pub kind: DayKind,
    /// Human name (holiday name, or "перенос с …").
    pub name: String,
    /// The legal act (or data source) the day comes from.
    pub source: String,
}

/// Whether a statutory holiday produces a transfer when it falls on a weekend (R30 vs R31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// State/national holiday: a weekend occurrence gives one extra day off (R30).
    State,
    /// Religious day off: never transferred (R31, Labour Code Art. 84 p.5).
    Religious,
}

/// A fixed-date holiday valid for a range of years (Law on holidays Art. 5, R30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRule {
    /// Month (1–12).
    pub month: u32,
    /// Day of month.
    pub day: u32,
    /// Holiday name as in the Law.
    pub name: String,
    /// Whether a weekend occurrence transfers (R30) or not (R31).
    pub kind: HolidayKind,
    /// First year the rule applies (inclusive); `None` = since before the calendar range.
    pub from_year: Option<i32>,
    /// Last year the rule applies (inclusive); `None` = still in force.
    pub to_year: Option<i32>,
    /// Legal source.
    pub source: String,
}

impl HolidayRule {
    /// Whether the rule is in force in `year`.
    pub fn applies_to(&self, year: i32) -> bool {
        self.from_year.is_none_or(|from| year >= from) && self.to_year.is_none_or(|to| year <= to)
    }
}

/// A religious day off whose date is fixed each year (first day of Kurban ait, R31).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedHoliday {
    /// The day off.
    pub date: NaiveDate,
    /// Holiday name.
    pub name: String,
    /// Legal act fixing the date.
    pub source: String,
}

/// The direction of a government swap or data correction (R32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// The day becomes a day off.
    DayOff,
    /// The day becomes a working day (working Saturday/Sunday, or a withdrawn day off).
    Working,
}

/// An explicit per-date override of the computed calendar (R32, R33).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// The day.
    pub date: NaiveDate,
    /// Day off or working day.
    pub kind: OverrideKind,
    /// Legal act (government decree, ministry order) or data source.
    pub source: String,
}

impl Override {
    /// An extra day off (R32).
    pub fn day_off(date: NaiveDate, source: impl Into<String>) -> Self {
        Self {
            date,
            kind: OverrideKind::DayOff,
            source: source.into(),
        }
    }
    /// A working day on a day that would otherwise be off (R32).
    pub fn working(date: NaiveDate, source: impl Into<String>) -> Self {
        Self {
            date,
            kind: OverrideKind::Working,
            source: source.into(),
        }
    }
}

/// The replaceable data of one year (R31–R33): lunar-dated religious days and overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearData {
    /// Calendar year.
    pub year: i32,
    /// Religious days off dated per year (first day of Kurban ait), never transferred (R31).
    pub religious_days: Vec<DatedHoliday>,
    /// Government swaps and corrections (R32).
    pub overrides: Vec<Override>,
    /// Data-quality note (e.g. "Kurban ait date not yet fixed"); `None` when the year was checked
    /// against a published table.
    pub note: Option<String>,
    /// The year's dated days (Kurban ait, government swaps) are estimates shipped ahead of their
    /// announcement; an administrator's replacement of the year's overrides confirms the year.
    #[serde(default)]
    pub provisional: bool,
}

/// All input data of a calendar; [`Calendar::from_data`] turns it into precomputed tables (R33).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarData {
    /// First year covered.
    pub first_year: i32,
    /// Last year covered.
    pub last_year: i32,
    /// Incremented by every replacement; part of the [`CalendarVersion`] (R33).
    pub revision: u32,
    /// Fixed-date holidays with validity ranges (R30, R31).
    pub rules: Vec<HolidayRule>,
    /// At most one entry per year; years without an entry have no dated days and no overrides.
    pub years: Vec<YearData>,
}

/// Identifier of one version of the calendar data (R33): `kz-r<revision>-<fingerprint>`, where the
/// fingerprint is a hash of the effective special days, so different data never share an id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CalendarVersion(String);

impl CalendarVersion {
    /// The id as text (stored next to every computed deadline).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CalendarVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The status of one date (R30–R32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    /// The day.
    pub date: NaiveDate,
    /// Whether it is a working day.
    pub working: bool,
    /// Present when the day is a holiday, transfer, religious day or override.
    pub special: Option<SpecialDay>,
}

/// One year of the calendar as the API will publish it (`GET /calendar/{year}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearCalendar {
    /// Calendar year.
    pub year: i32,
    /// Version of the data (R33).
    pub calendar_version: CalendarVersion,
    /// Number of working days.
    pub working_days: u32,
    /// Number of days off (weekends included).
    pub days_off: u32,
    /// Every holiday (including those falling on weekends), transfer, religious day and override.
    pub special_days: Vec<SpecialDay>,
    /// Data-quality note of the year, if any.
    pub note: Option<String>,
    /// The year's Kurban ait and swaps are estimates not yet confirmed by an administrator.
    pub provisional: bool,
}

/// The working-day calendar with precomputed tables (R30–R33). Immutable: replacing data returns a
/// new calendar with a new version.
#[derive(Debug, Clone)]
pub struct Calendar {
    data: CalendarData,
    version: CalendarVersion,
    /// `base.num_days_from_ce()`, to turn a date into an index without a loop.
    base_ce: i32,
    /// `cum[i]` = number of working days among the first `i` days of the range (length days + 1).
    cum: Vec<u32>,
    /// Every working day of the range, ascending.
    working: Vec<NaiveDate>,
    /// Every special day of the range, ascending by date (one per date).
    special: Vec<SpecialDay>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn out_of_range(field: &str, first: i32, last: i32) -> DomainError {
    DomainError::invalid(field, format!("outside the calendar range {first}–{last}"))
}

impl Calendar {
    /// The built-in calendar of Kazakhstan for 2018–2030 (see [`CalendarData::kazakhstan_default`]).
    pub fn kazakhstan_default() -> Self {
        // The built-in data is a constant whose validity is asserted by the tests
        // (`default_data_is_valid_and_covers_2018_2030`), so validation is skipped here rather
        // than turning a programming error into a panic or into a silently different calendar.
        Self::build_unchecked(CalendarData::kazakhstan_default())
    }

    /// Validates `data` and precomputes the tables (R30–R33).
    pub fn from_data(data: CalendarData) -> Result<Self, DomainError> {
        validate(&data)?;
        // Overrides must change something: a no-op override is almost always a data-entry error
        // (wrong date or wrong direction), and silently accepting it would hide it.
        let natural = compute_special_days(&data, false);
        for yd in &data.years {
            for o in &yd.overrides {
                // Without overrides every special day is a day off.
                let naturally_off = is_weekend(o.date) || natural.contains_key(&o.date);
                let wanted_off = o.kind == OverrideKind::DayOff;
                if naturally_off == wanted_off {
                    return Err(DomainError::invalid(
                        format!("years/{}/overrides/{}", yd.year, o.date),
                        if wanted_off {
                            "day-off override on a day that is already a day off"
                        } else {
                            "working override on a day that is already a working day"
                        },
                    ));
                }
            }
        }
        Ok(Self::build_unchecked(data))
    }

    fn build_unchecked(data: CalendarData) -> Self {
        let special_map = compute_special_days(&data, true);
        let base = NaiveDate::from_ymd_opt(data.first_year, 1, 1).unwrap_or(NaiveDate::MIN);
        let end = NaiveDate::from_ymd_opt(data.last_year, 12, 31).unwrap_or(base);
        let mut cum = Vec::with_capacity(4800);
        let mut working = Vec::with_capacity(3300);
        cum.push(0u32);
        let mut count = 0u32;
        for d in base.iter_days().take_while(|d| *d <= end) {
            let off = match special_map.get(&d) {
                Some(s) => s.kind.is_day_off(),
                None => is_weekend(d),
            };
            if !off {
                count += 1;
                working.push(d);
            }
            cum.push(count);
        }
        let special: Vec<SpecialDay> = special_map.into_values().collect();
        let version = CalendarVersion(format!(
            "kz-r{}-{:012x}",
            data.revision,
            fingerprint(data.first_year, data.last_year, &special) & 0xffff_ffff_ffff
        ));
        Self {
            base_ce: base.num_days_from_ce(),
            data,
            version,
            cum,
            working,
            special,
        }
    }

    /// The version id recorded with every deadline (R33).
    pub fn version(&self) -> &CalendarVersion {
        &self.version
    }

    /// The input data (to edit and pass to [`Calendar::from_data`] or the `replace_*` methods).
    pub fn data(&self) -> &CalendarData {
        &self.data
    }

    /// First year of the range.
    pub fn first_year(&self) -> i32 {
        self.data.first_year
    }

    /// Last year of the range.
    pub fn last_year(&self) -> i32 {
        self.data.last_year
    }

    fn index(&self, field: &str, d: NaiveDate) -> Result<usize, DomainError> {
        let i = d.num_days_from_ce() - self.base_ce;
        if i < 0 || i as usize + 1 >= self.cum.len() {
            return Err(out_of_range(
                field,
                self.data.first_year,
                self.data.last_year,
            ));
        }
        Ok(i as usize)
    }

    fn working_at(&self, field: &str, k: usize) -> Result<NaiveDate, DomainError> {
        self.working
            .get(k)
            .copied()
            .ok_or_else(|| out_of_range(field, self.data.first_year, self.data.last_year))
    }

    /// Whether `date` is a working day (R30–R32).
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, DomainError> {
        let i = self.index("date", date)?;
        Ok(self.cum[i + 1] > self.cum[i])
    }

    /// The status of `date` with its kind and legal source (R30–R32).
    pub fn day(&self, date: NaiveDate) -> Result<DayInfo, DomainError> {
        let working = self.is_working_day(date)?;
        let special = self
            .special
            .binary_search_by_key(&date, |s| s.date)
            .ok()
            .map(|k| self.special[k].clone());
        Ok(DayInfo {
            date,
            working,
            special,
        })
    }

    /// `date` itself if it is a working day, else the next working day (R7, R29). O(1).
    pub fn next_working_day_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, DomainError> {
        let i = self.index("date", date)?;
        self.working_at("date", self.cum[i] as usize)
    }

    /// The `n`-th working day of a term of `n` working days counted from `start` (R28): with
    /// `Inclusive` the first working day on or after `start` is day 1; with `Exclusive` the first
    /// working day after that one is day 1 (a non-working `start` counts from the next working day,
    /// R7). O(1).
    pub fn add_working_days(
        &self,
        start: NaiveDate,
        n: u32,
        convention: DayCountConvention,
    ) -> Result<NaiveDate, DomainError> {
        if n == 0 {
            return Err(DomainError::invalid(
                "term/days",
                "a term must be at least 1 day",
            ));
        }
        let i = self.index("start", start)?;
        // cum[i] = working days strictly before `start`, i.e. the index of the first working day
        // on or after `start` in `working`.
        let first = self.cum[i] as usize;
        let k = match convention {
            DayCountConvention::Inclusive => first + n as usize - 1,
            DayCountConvention::Exclusive => first + n as usize,
        };
        self.working_at("term", k)
    }

    /// The `n`-th working day strictly after `date`, whatever `date` is (R38: "not later than N
    /// working days before"). O(1).
    pub fn nth_working_day_after(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, DomainError> {
        if n == 0 {
            return Err(DomainError::invalid("days", "must be at least 1"));
        }
        let i = self.index("date", date)?;
        self.working_at("term", self.cum[i + 1] as usize + n as usize - 1)
    }

    /// End of a term of `n` calendar days from `start` (R29, Rules p.32): counted from the first
    /// working day on or after `start` (R7) — that day is day 1 with `Inclusive`, day 0 with
    /// `Exclusive` — and moved to the next working day when it falls on a non-working day. O(1).
    pub fn add_calendar_days(
        &self,
        start: NaiveDate,
        n: u32,
        convention: DayCountConvention,
    ) -> Result<NaiveDate, DomainError> {
        if n == 0 {
            return Err(DomainError::invalid(
                "term/days",
                "a term must be at least 1 day",
            ));
        }
        let registered = self.next_working_day_on_or_after(start)?;
        let offset = match convention {
            DayCountConvention::Inclusive => n - 1,
            DayCountConvention::Exclusive => n,
        };
        let end = registered
            .checked_add_days(Days::new(u64::from(offset)))
            .ok_or_else(|| out_of_range("term", self.data.first_year, self.data.last_year))?;
        self.next_working_day_on_or_after(end)
    }

    /// Number of working days in `(from, to]` (0 when `to <= from`). O(1).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, DomainError> {
        let i = self.index("from", from)?;
        let j = self.index("to", to)?;
        Ok(self.cum[j + 1].saturating_sub(self.cum[i + 1]))
    }

    /// One year as published by the API: counts and every special day with kind and source.
    pub fn year(&self, year: i32) -> Result<YearCalendar, DomainError> {
        let (first, last) = self.year_bounds(year)?;
        let i = self.index("year", first)?;
        let j = self.index("year", last)?;
        let working_days = self.cum[j + 1] - self.cum[i];
        let total = (j - i + 1) as u32;
        let special_days = self
            .special
            .iter()
            .filter(|s| s.date.year() == year)
            .cloned()
            .collect::<Vec<_>>();
        let data = self.data.years.iter().find(|y| y.year == year);
        Ok(YearCalendar {
            year,
            calendar_version: self.version.clone(),
            working_days,
            days_off: total - working_days,
            special_days,
            note: data.and_then(|y| y.note.clone()),
            provisional: data.is_some_and(|y| y.provisional),
        })
    }

    fn year_bounds(&self, year: i32) -> Result<(NaiveDate, NaiveDate), DomainError> {
        if year < self.data.first_year || year > self.data.last_year {
            return Err(out_of_range(
                "year",
                self.data.first_year,
                self.data.last_year,
            ));
        }
        match (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(out_of_range(
                "year",
                self.data.first_year,
                self.data.last_year,
            )),
        }
    }

    /// Monday–Friday dates of `year` that are days off (the published "non-working weekdays").
    pub fn non_working_weekdays(&self, year: i32) -> Result<Vec<NaiveDate>, DomainError> {
        self.year_bounds(year)?;
        Ok(self
            .special
            .iter()
            .filter(|s| s.date.year() == year && !is_weekend(s.date) && s.kind.is_day_off())
            .map(|s| s.date)
            .collect())
    }

    /// Saturday/Sunday dates of `year` that are working days (R32).
    pub fn working_weekend_days(&self, year: i32) -> Result<Vec<NaiveDate>, DomainError> {
        self.year_bounds(year)?;
        Ok(self
            .special
            .iter()
            .filter(|s| s.date.year() == year && is_weekend(s.date) && !s.kind.is_day_off())
            .map(|s| s.date)
            .collect())
    }

    /// A new calendar where the data of `data.year` is replaced; the revision is incremented, so the
    /// version changes (R33). Deadlines computed with `self` keep `self`'s version.
    pub fn replace_year(&self, data: YearData) -> Result<Calendar, DomainError> {
        let mut next = self.data.clone();
        next.revision = next.revision.saturating_add(1);
        next.years.retain(|y| y.year != data.year);
        next.years.push(data);
        next.years.sort_by_key(|y| y.year);
        Self::from_data(next)
    }

    /// A new calendar where the overrides of `year` are replaced (R32, R33).
    pub fn replace_year_overrides(
        &self,
        year: i32,
        overrides: Vec<Override>,
    ) -> Result<Calendar, DomainError> {
        let mut yd = self
            .data
            .years
            .iter()
            .find(|y| y.year == year)
            .cloned()
            .unwrap_or_else(|| YearData {
                year,
                ..YearData::default()
            });
        yd.overrides = overrides;
        yd.provisional = false;
        self.replace_year(yd)
    }

    /// A new calendar with another set of holiday rules (e.g. a change of the Law on holidays, R33).
    pub fn replace_rules(&self, rules: Vec<HolidayRule>) -> Result<Calendar, DomainError> {
        let mut next = self.data.clone();
        next.revision = next.revision.saturating_add(1);
        next.rules = rules;
        Self::from_data(next)
    }
}

fn validate(data: &CalendarData) -> Result<(), DomainError> {
    if !(1900..=2200).contains(&data.first_year)
        || data.first_year > data.last_year
        || data.last_year > 2200
    {
        return Err(DomainError::invalid(
            "first_year",
            "year range must be ascending within 1900–2200",
        ));
    }
    for (k, r) in data.rules.iter().enumerate() {
        // 2000 is a leap year, so 29 February is accepted as a rule date.
        if NaiveDate::from_ymd_opt(2000, r.month, r.day).is_none() {
            return Err(DomainError::invalid(
                format!("rules/{k}"),
                "month/day is not a date",
            ));
        }
        if let (Some(a), Some(b)) = (r.from_year, r.to_year)
            && a > b
        {
            return Err(DomainError::invalid(
                format!("rules/{k}"),
                "from_year is after to_year",
            ));
        }
    }
    let mut seen_years = BTreeSet::new();
    for y in &data.years {
        let field = format!("years/{}", y.year);
        if y.year < data.first_year || y.year > data.last_year {
            return Err(out_of_range(&field, data.first_year, data.last_year));
        }
        if !seen_years.insert(y.year) {
            return Err(DomainError::invalid(field, "year given twice"));
        }
        let mut dates = BTreeSet::new();
        for d in &y.religious_days {
            if d.date.year() != y.year {
                return Err(DomainError::invalid(
                    field,
                    format!("{} is not in {}", d.date, y.year),
                ));
            }
        }
        for o in &y.overrides {
            if o.date.year() != y.year {
                return Err(DomainError::invalid(
                    field,
                    format!("{} is not in {}", o.date, y.year),
                ));
            }
            if !dates.insert(o.date) {
                return Err(DomainError::invalid(
                    field,
                    format!("override {} given twice", o.date),
                ));
            }
        }
    }
    Ok(())
}

/// Applies the rules of the Law on holidays (R30), the religious days (R31) and, when
/// `with_overrides`, the overrides (R32). Returns one special day per date.
fn compute_special_days(
    data: &CalendarData,
    with_overrides: bool,
) -> BTreeMap<NaiveDate, SpecialDay> {
    // Holidays first: (kind, name, source). A state holiday wins over a religious day on the same
    // date, because only the state holiday can produce a transfer.
    let mut holidays: BTreeMap<NaiveDate, (HolidayKind, &str, &str)> = BTreeMap::new();
    for year in data.first_year..=data.last_year {
        for r in data.rules.iter().filter(|r| r.applies_to(year)) {
            if let Some(date) = NaiveDate::from_ymd_opt(year, r.month, r.day) {
                let entry = (r.kind, r.name.as_str(), r.source.as_str());
                match holidays.get(&date) {
                    Some((HolidayKind::State, _, _)) => {}
                    _ => {
                        holidays.insert(date, entry);
                    }
                }
            }
        }
    }
    for y in &data.years {
        for d in &y.religious_days {
            holidays.entry(d.date).or_insert((
                HolidayKind::Religious,
                d.name.as_str(),
                d.source.as_str(),
            ));
        }
    }

    let mut out: BTreeMap<NaiveDate, SpecialDay> = BTreeMap::new();
    for (date, (kind, name, source)) in &holidays {
        let kind = match kind {
            HolidayKind::State => DayKind::Holiday,
            HolidayKind::Religious => DayKind::Religious,
        };
        out.insert(
            *date,
            SpecialDay {
                date: *date,
                kind,
                name: (*name).into(),
                source: (*source).into(),
            },
        );
    }

    // R30: each state holiday on Saturday/Sunday gives one extra day off on the first following
    // day that is not a weekend day, not a holiday (of any kind) and not an earlier transfer.
    // Holidays are visited in date order so earlier holidays take the earlier free days.
    for (date, (kind, name, _)) in &holidays {
        if *kind != HolidayKind::State || !is_weekend(*date) {
            continue;
        }
        let mut candidate = date.succ_opt();
        while let Some(c) = candidate {
            if is_weekend(c) || out.contains_key(&c) {
                candidate = c.succ_opt();
            } else {
                break;
            }
        }
        if let Some(c) = candidate {
            out.insert(
                c,
                SpecialDay {
                    date: c,
                    kind: DayKind::Transfer,
                    name: format!("Перенос выходного дня с {date} ({name})"),
                    source: LAW_ON_HOLIDAYS.into(),
                },
            );
        }
    }

    if with_overrides {
        for y in &data.years {
            for o in &y.overrides {
                let (kind, name) = match o.kind {
                    OverrideKind::DayOff => {
                        (DayKind::OverrideDayOff, "Дополнительный выходной день")
                    }
                    OverrideKind::Working => (DayKind::OverrideWorking, "Рабочий день"),
                };
                out.insert(
                    o.date,
                    SpecialDay {
                        date: o.date,
                        kind,
                        name: name.into(),
                        source: o.source.clone(),
                    },
                );
            }
        }
    }
    out
}

/// FNV-1a over the effective special days: equal data gives equal ids, any change a new one.
fn fingerprint(first: i32, last: i32, special: &[SpecialDay]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    eat(&first.to_le_bytes());
    eat(&last.to_le_bytes());
    for s in special {
        eat(&s.date.num_days_from_ce().to_le_bytes());
        eat(&[s.kind as u8]);
    }
    h
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn rule(
    month: u32,
    day: u32,
    name: &str,
    kind: HolidayKind,
    from_year: Option<i32>,
    to_year: Option<i32>,
    source: &str,
) -> HolidayRule {
    HolidayRule {
        month,
        day,
        name: name.into(),
        kind,
        from_year,
        to_year,
        source: source.into(),
    }
}

impl CalendarData {
    /// The built-in data of Kazakhstan, 2018–2030 (DOMAIN.md §3.1–§3.3):
    /// * statutory holidays with their validity ranges — 30 August up to 2025 only, 15 March from
    ///   2027, 25 October from 2022, 1 and 17 December up to 2021;
    /// * 7 January and the first day of Kurban ait as religious days off without transfer (R31);
    /// * the government swaps DOMAIN.md lists (2018, 2022, 2023, 2025) as overrides (R32).
    ///
    /// Years whose data is incomplete carry a `note`.
    pub fn kazakhstan_default() -> Self {
        use HolidayKind::{Religious, State};
        let law = LAW_ON_HOLIDAYS;
        let rules = vec![
            rule(1, 1, "Новый год", State, None, None, law),
            rule(1, 2, "Новый год", State, None, None, law),
            rule(
                1,
                7,
                "Православное Рождество",
                Religious,
                None,
                None,
                LABOUR_CODE_RELIGIOUS,
            ),
            rule(3, 8, "Международный женский день", State, None, None, law),
            // [SRC taspanews.kz 18.03.2026] new Constitution Day from 2027; whether it transfers is
            // not yet published — treated as a state holiday (transfers) [INF].
            rule(
                3,
                15,
                "День Конституции",
                State,
                Some(2027),
                None,
                "Конституция РК 2026; сообщение МТСЗН РК от 18.03.2026 (перенос при совпадении с выходным — [INF])",
            ),
            rule(3, 21, "Наурыз мейрамы", State, None, None, law),
            rule(3, 22, "Наурыз мейрамы", State, None, None, law),
            rule(3, 23, "Наурыз мейрамы", State, None, None, law),
            rule(
                5,
                1,
                "Праздник единства народа Казахстана",
                State,
                None,
                None,
                law,
            ),
            rule(5, 7, "День защитника Отечества", State, None, None, law),
            rule(5, 9, "День Победы", State, None, None, law),
            rule(7, 6, "День столицы", State, None, None, law),
            // Not a holiday from 2026 (МТСЗН 18.03.2026): 31.08.2026 is a working day.
            rule(
                8,
                30,
                "День Конституции",
                State,
                None,
                Some(2025),
                "Закон РК «О праздниках в Республике Казахстан», ст. 5 (до 2025 г.; отменён с 2026 г., МТСЗН 18.03.2026)",
            ),
            rule(
                10,
                25,
                "День Республики",
                State,
                Some(2022),
                None,
                "Закон РК «О праздниках в Республике Казахстан», ст. 5 (восстановлен с 2022 г.)",
            ),
            rule(
                12,
                1,
                "День Первого Президента Республики Казахстан",
                State,
                None,
                Some(2021),
                "Закон РК «О праздниках в Республике Казахстан», ст. 5 (до 2021 г.; отменён в 2022 г.)",
            ),
            rule(12, 16, "День Независимости", State, None, None, law),
            rule(
                12,
                17,
                "День Независимости",
                State,
                None,
                Some(2021),
                "Закон РК «О праздниках в Республике Казахстан», ст. 5 (второй день — до 2021 г.)",
            ),
        ];

        let kurban = |date: NaiveDate, source: &str| DatedHoliday {
            date,
            name: "Курбан айт (первый день)".into(),
            source: source.into(),
        };
        let kurban_src =
            "Дата Курбан айта — решение МТСЗН РК и ДУМК; Трудовой кодекс РК, ст. 84 п. 5";
        let swap = |year: i32| {
            format!(
                "{LABOUR_CODE_SWAP}; постановление Правительства РК о переносе выходных дней на {year} год"
            )
        };

        let pair = |working: NaiveDate, off: NaiveDate, year: i32| {
            vec![
                Override::working(working, swap(year)),
                Override::day_off(off, swap(year)),
            ]
        };
        let checked = |year: i32, kurban_day: NaiveDate, overrides: Vec<Override>| YearData {
            year,
            religious_days: vec![kurban(kurban_day, kurban_src)],
            overrides,
            note: None,
            provisional: false,
        };
        let mut years = vec![
            checked(
                2018,
                ymd(2018, 8, 21),
                [
                    pair(ymd(2018, 3, 3), ymd(2018, 3, 9), 2018),
                    pair(ymd(2018, 4, 28), ymd(2018, 4, 30), 2018),
                    pair(ymd(2018, 5, 5), ymd(2018, 5, 8), 2018),
                    pair(ymd(2018, 8, 25), ymd(2018, 8, 31), 2018),
                    pair(ymd(2018, 12, 29), ymd(2018, 12, 31), 2018),
                ]
                .concat(),
            ),
            checked(
                2019,
                ymd(2019, 8, 11),
                pair(ymd(2019, 5, 4), ymd(2019, 5, 10), 2019),
            ),
            checked(
                2020,
                ymd(2020, 7, 31),
                [
                    pair(ymd(2020, 1, 5), ymd(2020, 1, 3), 2020),
                    // Victory Day fell on Saturday 9 May: its day off was given on Friday 8 May
                    // instead of Monday 11 May.
                    pair(ymd(2020, 5, 11), ymd(2020, 5, 8), 2020),
                    pair(ymd(2020, 12, 20), ymd(2020, 12, 18), 2020),
                ]
                .concat(),
            ),
            checked(
                2021,
                ymd(2021, 7, 20),
                pair(ymd(2021, 7, 3), ymd(2021, 7, 5), 2021),
            ),
            // 9 July 2022 was a Saturday; no effect on working days [INF, DOMAIN.md §3.3].
            checked(
                2022,
                ymd(2022, 7, 9),
                [
                    pair(ymd(2022, 3, 5), ymd(2022, 3, 7), 2022),
                    pair(ymd(2022, 8, 27), ymd(2022, 8, 29), 2022),
                    pair(ymd(2022, 10, 22), ymd(2022, 10, 24), 2022),
                ]
                .concat(),
            ),
            checked(
                2023,
                ymd(2023, 6, 28),
                pair(ymd(2023, 7, 1), ymd(2023, 7, 7), 2023),
            ),
            // Kurban ait 2024 fell on Sunday 16 June; a religious day off is not transferred (R31),
            // so 17 June 2024 was a working day.
            checked(
                2024,
                ymd(2024, 6, 16),
                pair(ymd(2024, 5, 4), ymd(2024, 5, 8), 2024),
            ),
            checked(
                2025,
                ymd(2025, 6, 6),
                pair(ymd(2025, 1, 5), ymd(2025, 1, 3), 2025),
            ),
            checked(2026, ymd(2026, 5, 27), vec![]),
        ];
        // Kurban ait by the astronomical estimate of 10 Dhu al-Hijja; announced each year by the
        // Spiritual Administration of Muslims and the Ministry of Labour.
        for (year, estimate) in [
            (2027, ymd(2027, 5, 16)),
            (2028, ymd(2028, 5, 5)),
            (2029, ymd(2029, 4, 24)),
            (2030, ymd(2030, 4, 13)),
        ] {
            years.push(YearData {
                year,
                religious_days: vec![kurban(
                    estimate,
                    "Курбан айт — предварительная оценка (10 зуль-хиджа); дата объявляется ДУМК и МТСЗН",
                )],
                overrides: vec![],
                note: Some(format!(
                    "Provisional: Kurban ait {estimate} is an estimate and the government swaps of {year} are not yet decreed; an administrator confirms the year by replacing its overrides"
                )),
                provisional: true,
            });
        }
        Self {
            first_year: DEFAULT_FIRST_YEAR,
            last_year: DEFAULT_LAST_YEAR,
            revision: 1,
            rules,
            years,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Dates of `year` from a DOMAIN.md-style list `"MM-DD MM-DD …"`.
    fn dates(year: i32, md: &str) -> Vec<NaiveDate> {
        md.split_whitespace()
            .map(|x| NaiveDate::parse_from_str(&format!("{year}-{x}"), "%Y-%m-%d").unwrap())
            .collect()
    }

    fn cal() -> Calendar {
        Calendar::from_data(CalendarData::kazakhstan_default()).unwrap()
    }

    #[test]
    fn default_data_is_valid_and_covers_2018_2030() {
        let c = cal();
        assert_eq!((c.first_year(), c.last_year()), (2018, 2030));
        assert!(c.is_working_day(d(2018, 1, 3)).is_ok());
        assert!(c.is_working_day(d(2030, 12, 31)).is_ok());
        assert!(c.is_working_day(d(2017, 12, 31)).is_err());
        assert!(c.is_working_day(d(2031, 1, 1)).is_err());
        assert_eq!(Calendar::kazakhstan_default().version(), c.version());
    }

    /// DOMAIN.md §3.3, 2022 [OBS eOtinish Holidays.kt]: exact set of non-working weekdays and
    /// working Saturdays.
    #[test]
    fn table_2022_matches_domain_3_3() {
        let c = cal();
        let off = dates(
            2022,
            "01-03 01-04 01-07 03-07 03-08 03-21 03-22 03-23 05-02 05-09 05-10 07-06 08-29 08-30 10-24 10-25 12-16",
        );
        assert_eq!(c.non_working_weekdays(2022).unwrap(), off);
        assert_eq!(
            c.working_weekend_days(2022).unwrap(),
            dates(2022, "03-05 08-27 10-22")
        );
    }

    /// DOMAIN.md §3.3, 2025: exact set, working Sunday 2025-01-05.
    #[test]
    fn table_2025_matches_domain_3_3() {
        let c = cal();
        let off = dates(
            2025,
            "01-01 01-02 01-03 01-07 03-10 03-21 03-24 03-25 05-01 05-07 05-09 06-06 07-07 09-01 10-27 12-16",
        );
        assert_eq!(c.non_working_weekdays(2025).unwrap(), off);
        assert_eq!(c.working_weekend_days(2025).unwrap(), dates(2025, "01-05"));
    }

    /// DOMAIN.md §3.3, 2026, with 31 August withdrawn (§3.1 2026 change).
    #[test]
    fn table_2026_matches_domain_3_3() {
        let c = cal();
        let off = dates(
            2026,
            "01-01 01-02 01-07 03-09 03-23 03-24 03-25 05-01 05-07 05-11 05-27 07-06 10-26 12-16",
        );
        assert_eq!(c.non_working_weekdays(2026).unwrap(), off);
        assert!(c.working_weekend_days(2026).unwrap().is_empty());
        assert!(c.is_working_day(d(2026, 8, 31)).unwrap());
        // Published totals were 119 days off / 246 working days *with* 31 August off.
        let y = c.year(2026).unwrap();
        assert_eq!((y.days_off, y.working_days), (118, 247));
    }

    /// DOMAIN.md §3.3, 2023 (Jan–Mar from eOtinish, and the later days from sources).
    #[test]
    fn table_2023_known_part() {
        let c = cal();
        let off: Vec<_> = c
            .non_working_weekdays(2023)
            .unwrap()
            .into_iter()
            .filter(|x| x.month() <= 3)
            .collect();
        assert_eq!(off, dates(2023, "01-02 01-03 03-08 03-21 03-22 03-23"));
        for (m, day) in [(6, 28), (7, 6), (7, 7)] {
            assert!(!c.is_working_day(d(2023, m, day)).unwrap());
        }
        assert!(c.is_working_day(d(2023, 7, 1)).unwrap());
    }

    /// R30 tests: 2022 → 01-03 and 01-04 off; 2026 → 03-24, 03-25, 05-11 off; 2022 → 05-10 off.
    #[test]
    fn r30_weekend_transfers() {
        let c = cal();
        for x in [
            d(2022, 1, 3),
            d(2022, 1, 4),
            d(2026, 3, 24),
            d(2026, 3, 25),
            d(2026, 5, 11),
            d(2022, 5, 10),
        ] {
            let info = c.day(x).unwrap();
            assert!(!info.working, "{x}");
            assert_eq!(info.special.unwrap().kind, DayKind::Transfer, "{x}");
        }
        // 2022-05-09 is itself a holiday, so Defender's Day (Sat 7 May) moves past it.
        assert_eq!(
            c.day(d(2022, 5, 9)).unwrap().special.unwrap().kind,
            DayKind::Holiday
        );
        // 2023 New Year: Sun 1 Jan, Mon 2 Jan → Tue 3 Jan.
        assert_eq!(
            c.day(d(2023, 1, 3)).unwrap().special.unwrap().kind,
            DayKind::Transfer
        );
        assert!(c.is_working_day(d(2023, 1, 4)).unwrap());
    }

    /// R31: 2023-01-07 (Sat) → 2023-01-09 is a working day; Kurban ait is religious, no transfer.
    #[test]
    fn r31_religious_days_never_transfer() {
        let c = cal();
        assert!(c.is_working_day(d(2023, 1, 9)).unwrap());
        assert_eq!(
            c.day(d(2023, 1, 7)).unwrap().special.unwrap().kind,
            DayKind::Religious
        );
        let k = c.day(d(2025, 6, 6)).unwrap();
        assert!(!k.working);
        assert_eq!(k.special.unwrap().kind, DayKind::Religious);
        // 2022 Kurban ait fell on Saturday 9 July: Monday 11 July stays a working day.
        assert!(c.is_working_day(d(2022, 7, 11)).unwrap());
    }

    /// R32: 2025-01-05 (Sunday) is a working day; 2025-01-03 is a day off.
    #[test]
    fn r32_overrides() {
        let c = cal();
        let sun = c.day(d(2025, 1, 5)).unwrap();
        assert!(sun.working);
        assert_eq!(sun.special.as_ref().unwrap().kind, DayKind::OverrideWorking);
        assert!(sun.special.unwrap().source.contains("ст. 85"));
        let fri = c.day(d(2025, 1, 3)).unwrap();
        assert!(!fri.working);
        assert_eq!(fri.special.unwrap().kind, DayKind::OverrideDayOff);
        // 2018: Sat 25 Aug working ↔ Fri 31 Aug off (§3.2).
        assert!(c.is_working_day(d(2018, 8, 25)).unwrap());
        assert!(!c.is_working_day(d(2018, 8, 31)).unwrap());
    }

    #[test]
    fn validity_ranges_of_rules() {
        let c = cal();
        // 30 August: holiday up to 2025 (2025: Sat → Mon 1 Sep), not in 2026.
        assert_eq!(
            c.day(d(2025, 8, 30)).unwrap().special.unwrap().kind,
            DayKind::Holiday
        );
        assert!(c.day(d(2026, 8, 30)).unwrap().special.is_none());
        // 15 March from 2027 (a Monday) only.
        assert!(!c.is_working_day(d(2027, 3, 15)).unwrap());
        assert!(c.is_working_day(d(2024, 3, 15)).unwrap());
        // 1 and 17 December up to 2021 only; 25 October from 2022 only.
        assert!(!c.is_working_day(d(2021, 12, 1)).unwrap());
        assert!(!c.is_working_day(d(2021, 12, 17)).unwrap());
        assert!(c.is_working_day(d(2022, 12, 1)).unwrap());
        assert!(c.is_working_day(d(2021, 10, 25)).unwrap());
        assert!(!c.is_working_day(d(2023, 10, 25)).unwrap());
    }

    /// R33: replacing a year's data yields a new version; the old calendar is untouched.
    #[test]
    fn r33_replacing_overrides_creates_a_new_version() {
        let c = cal();
        // The eGov calendar of January 2026 still had 31 August as a day off (§3.1).
        let egov = c
            .replace_year_overrides(
                2026,
                vec![Override::day_off(
                    d(2026, 8, 31),
                    "eGov calendar, January 2026",
                )],
            )
            .unwrap();
        assert_ne!(egov.version(), c.version());
        assert!(!egov.is_working_day(d(2026, 8, 31)).unwrap());
        assert!(c.is_working_day(d(2026, 8, 31)).unwrap());
        let y = egov.year(2026).unwrap();
        assert_eq!(
            (y.days_off, y.working_days),
            (119, 246),
            "published 2026 totals"
        );
        assert_eq!(y.calendar_version, *egov.version());
        // Replacing it back gives the same effective days: the fingerprint part matches again but
        // the revision differs, so the id still differs.
        let back = egov.replace_year_overrides(2026, vec![]).unwrap();
        assert_ne!(back.version(), c.version());
        assert_eq!(
            back.non_working_weekdays(2026).unwrap(),
            c.non_working_weekdays(2026).unwrap()
        );
    }

    #[test]
    fn r33_withdrawing_a_transfer_by_working_override() {
        // A calendar that still has 30 August in 2026 (the rule as it stood in January 2026).
        let mut data = CalendarData::kazakhstan_default();
        for r in &mut data.rules {
            if (r.month, r.day) == (8, 30) {
                r.to_year = Some(2026);
            }
        }
        let jan = Calendar::from_data(data).unwrap();
        let t = jan.day(d(2026, 8, 31)).unwrap();
        assert_eq!(t.special.unwrap().kind, DayKind::Transfer);
        let withdrawn = jan
            .replace_year_overrides(
                2026,
                vec![Override::working(d(2026, 8, 31), "МТСЗН 18.03.2026")],
            )
            .unwrap();
        assert!(withdrawn.is_working_day(d(2026, 8, 31)).unwrap());
    }

    #[test]
    fn invalid_data_is_rejected() {
        let c = cal();
        // A working override on an ordinary Wednesday changes nothing: a data-entry error.
        let e = c.replace_year_overrides(2026, vec![Override::working(d(2026, 2, 4), "x")]);
        assert!(matches!(e, Err(DomainError::Invalid { .. })));
        let e = c.replace_year_overrides(2026, vec![Override::day_off(d(2025, 2, 4), "x")]);
        assert!(matches!(e, Err(DomainError::Invalid { .. })));
        let e = c.replace_year_overrides(2040, vec![]);
        assert!(matches!(e, Err(DomainError::Invalid { .. })));
    }

    #[test]
    fn r32_new_kurban_ait_date_via_replace_year() {
        let c = cal();
        assert!(c.year(2027).unwrap().note.is_some());
        let y = YearData {
            year: 2027,
            religious_days: vec![DatedHoliday {
                date: d(2027, 5, 17),
                name: "Курбан айт".into(),
                source: "test".into(),
            }],
            overrides: vec![],
            note: None,
            provisional: false,
        };
        let c2 = c.replace_year(y).unwrap();
        assert!(!c2.is_working_day(d(2027, 5, 17)).unwrap());
        assert!(c.is_working_day(d(2027, 5, 17)).unwrap());
    }

    /// Issue 23: the swaps decreed for 2018–2024 and Kurban ait 2024 on a Sunday (not moved,
    /// R31); future years are provisional until an administrator confirms them.
    #[test]
    fn r31_r32_decreed_swaps_kurban_2024_and_provisional_years() {
        let c = cal();
        assert!(c.is_working_day(d(2024, 5, 4)).unwrap());
        assert!(!c.is_working_day(d(2024, 5, 8)).unwrap());
        assert!(c.is_working_day(d(2024, 6, 17)).unwrap());
        assert!(!c.is_working_day(d(2019, 5, 10)).unwrap());
        assert!(c.is_working_day(d(2021, 7, 3)).unwrap());
        assert!(!c.is_working_day(d(2028, 5, 5)).unwrap());
        assert!(c.year(2028).unwrap().provisional);
        assert!(!c.year(2026).unwrap().provisional);
        let confirmed = c.replace_year_overrides(2028, vec![]).unwrap();
        assert!(!confirmed.year(2028).unwrap().provisional);
    }

    #[test]
    fn queries_agree_with_a_day_by_day_count() {
        let c = cal();
        // Reference: walk day by day (tests only) and compare with the O(1) answers.
        let start = d(2024, 12, 20);
        let mut day = start;
        let mut k = 0;
        while k < 40 {
            day = day.succ_opt().unwrap();
            if c.is_working_day(day).unwrap() {
                k += 1;
                assert_eq!(c.nth_working_day_after(start, k).unwrap(), day);
                assert_eq!(c.working_days_between(start, day).unwrap(), k);
            }
        }
    }

    #[test]
    fn year_listing_has_sources() {
        let y = cal().year(2025).unwrap();
        assert!(y.special_days.iter().all(|s| !s.source.is_empty()));
        assert!(
            y.special_days
                .iter()
                .any(|s| s.date == d(2025, 3, 22) && s.kind == DayKind::Holiday)
        );
        assert!(y.note.is_none());
    }
}
