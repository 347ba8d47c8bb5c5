//! Registration numbers (Rules p.4, p.11; DOMAIN.md §1.3, §1.5; R2–R4).
//!
//! A number is a letter index plus a unique number from a through («сквозной») sequence (p.4). The
//! layout `{INDEX}-{YYYY}-{NNNNNNNN}` (e.g. `ЖТ-2026-00000042`) is eOtinish's [OBS]; the separator
//! and the counter width are settings ([`RegNumberFormat`]). The letter indices are data
//! ([`LetterIndexTable`]): the list of p.4 is NOT FOUND. The counter is supplied from outside — the
//! database owns the sequence — so this module only validates, formats and parses.
//!
//! A part forwarded by competence (p.11, APPK Art. 65 part 2) is numbered `<main>/<k>` ([`PartNumber`]);
//! [`next_part_number`] yields k from the last k used, so k counts from 1 per main appeal and is
//! never reused (R4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;
use crate::dictionary::Evidence;

/// One row of the letter-index table: the person category (a code of the `person_categories`
/// book) and the index numbers of its appeals start with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterIndexEntry {
    /// Code in `person_categories` (`individual`, `legal_entity`, …).
    pub category: String,
    /// The letter index, e.g. «ЖТ».
    pub index: String,
    /// Evidence of this value.
    pub evidence: Evidence,
}

/// The letter-index table (p.4 «әріптік көрсеткіш»; R3). Configuration data, not code branches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterIndexTable {
    /// Rows; categories are unique.
    pub entries: Vec<LetterIndexEntry>,
}

impl Default for LetterIndexTable {
    /// DOMAIN.md §1.3: «ЖТ» (жеке тұлға) for individuals is what eOtinish numbers show [OBS];
    /// «ЗТ» (заңды тұлға) for legal entities is a guess [INF].
    fn default() -> Self {
        Self {
            entries: vec![
                LetterIndexEntry {
                    category: "individual".to_owned(),
                    index: "ЖТ".to_owned(),
                    evidence: Evidence::Obs,
                },
                LetterIndexEntry {
                    category: "legal_entity".to_owned(),
                    index: "ЗТ".to_owned(),
                    evidence: Evidence::Inf,
                },
            ],
        }
    }
}

impl LetterIndexTable {
    /// Builds a table, checking every index and that categories do not repeat.
    pub fn new(entries: Vec<LetterIndexEntry>) -> Result<Self, DomainError> {
        for (i, e) in entries.iter().enumerate() {
            validate_index(&e.index)
                .map_err(|r| DomainError::invalid(format!("/entries/{i}/index"), r))?;
            if entries[..i].iter().any(|p| p.category == e.category) {
                return Err(DomainError::invalid(
                    format!("/entries/{i}/category"),
                    format!("category `{}` repeats", e.category),
                ));
            }
        }
        Ok(Self { entries })
    }

    /// The letter index for a person category.
    pub fn index_for(&self, category: &str) -> Result<&str, DomainError> {
        self.entries
            .iter()
            .find(|e| e.category == category)
            .map(|e| e.index.as_str())
            .ok_or_else(|| {
                DomainError::invalid(
                    "category",
                    format!("no letter index for category `{category}`"),
                )
            })
    }
}

/// How the through number of R3 is allocated («в сквозном порядке, только один раз»). The law asks
/// for a through, unique number; whether a failed registration may leave a hole is not said, so
/// this is configuration (stored in the database, the same for every server process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberingMode {
    /// One counter row, taken and held until commit: no holes, but registrations commit one at a
    /// time (the only mode on SQLite, whose writers are serialised anyway).
    #[default]
    Gapless,
    /// A database sequence (eOtinish's `registration_number_seq` [OBS]; the PostgreSQL default):
    /// registrations run in parallel; a number is lost only when its transaction fails after
    /// taking it. Consecutive successful registrations still get consecutive numbers.
    Sequence,
}

impl NumberingMode {
    /// The stored code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Gapless => "gapless",
            Self::Sequence => "sequence",
        }
    }

    /// Parses a stored code.
    ///
    /// # Errors
    /// An unknown code.
    pub fn from_code(code: &str) -> Result<Self, DomainError> {
        match code {
            "gapless" => Ok(Self::Gapless),
            "sequence" => Ok(Self::Sequence),
            other => Err(DomainError::invalid(
                "registration_numbering",
                format!("unknown numbering mode `{other}` (gapless | sequence)"),
            )),
        }
    }
}

/// Layout settings of a registration number (R3). Default: `-` and 8 digits (eOtinish [OBS]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegNumberFormat {
    /// Separator between index, year and counter.
    pub separator: char,
    /// Zero-padded width of the counter; the counter may not exceed it.
    pub counter_width: u8,
}

impl Default for RegNumberFormat {
    fn default() -> Self {
        Self {
            separator: '-',
            counter_width: 8,
        }
    }
}

impl RegNumberFormat {
    /// Assigns the number for a new registration (primary registration only, R2): the index of the
    /// applicant's category, the registration year and the counter the database handed out.
    pub fn issue(
        &self,
        table: &LetterIndexTable,
        category: &str,
        year: i32,
        counter: u64,
    ) -> Result<RegNumber, DomainError> {
        let index = table.index_for(category)?;
        self.build(index, year, counter)
    }

    /// Builds and validates a number.
    pub fn build(&self, index: &str, year: i32, counter: u64) -> Result<RegNumber, DomainError> {
        self.validate_self()?;
        validate_index(index).map_err(|r| DomainError::invalid("reg_number/index", r))?;
        if index.contains(self.separator) {
            return Err(DomainError::invalid(
                "reg_number/index",
                "index contains the separator",
            ));
        }
        let year = u16::try_from(year)
            .ok()
            .filter(|y| (1000..=9999).contains(y))
            .ok_or_else(|| DomainError::invalid("reg_number/year", "year must have four digits"))?;
        let max = 10u64
            .checked_pow(u32::from(self.counter_width))
            .map_or(u64::MAX, |p| p - 1);
        if counter == 0 || counter > max {
            return Err(DomainError::invalid(
                "reg_number/counter",
                format!("counter must be in 1..={max}"),
            ));
        }
        Ok(RegNumber {
            index: index.to_owned(),
            year,
            counter,
            separator: self.separator,
            width: self.counter_width,
        })
    }

    /// Parses a main number written in this format (exact counter width).
    pub fn parse(&self, s: &str) -> Result<RegNumber, DomainError> {
        self.validate_self()?;
        let bad = |r: &str| DomainError::invalid("reg_number", format!("`{s}`: {r}"));
        let mut parts = s.rsplitn(3, self.separator);
        let (Some(counter), Some(year), Some(index)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected INDEX, YEAR and COUNTER"));
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("year must be four digits"));
        }
        if counter.len() != usize::from(self.counter_width)
            || !counter.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad("counter has the wrong width"));
        }
        let year: i32 = year.parse().map_err(|_| bad("year is not a number"))?;
        let counter: u64 = counter
            .parse()
            .map_err(|_| bad("counter is not a number"))?;
        self.build(index, year, counter)
    }

    fn validate_self(&self) -> Result<(), DomainError> {
        if self.separator.is_alphanumeric()
            || self.separator == '/'
            || self.separator.is_whitespace()
        {
            return Err(DomainError::invalid(
                "reg_number_format/separator",
                "separator must be punctuation other than `/` (reserved for parts)",
            ));
        }
        if !(1..=19).contains(&self.counter_width) {
            return Err(DomainError::invalid(
                "reg_number_format/counter_width",
                "must be 1..=19",
            ));
        }
        Ok(())
    }
}

/// An index is 1–8 upper-case letters (Cyrillic incl. Kazakh letters, or Latin).
fn validate_index(index: &str) -> Result<(), String> {
    let n = index.chars().count();
    if n == 0 || n > 8 {
        return Err("letter index must have 1–8 letters".to_owned());
    }
    if !index
        .chars()
        .all(|c| c.is_alphabetic() && !c.is_lowercase())
    {
        return Err(format!("letter index `{index}` must be upper-case letters"));
    }
    Ok(())
}

/// The registration number of a main appeal (ОЛ-1 req. 2 [INF]): assigned once, never changed (R2).
/// It keeps the format it was issued in so that it prints back exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegNumber {
    index: String,
    year: u16,
    counter: u64,
    separator: char,
    width: u8,
}

impl RegNumber {
    /// Builds a number in the default format.
    pub fn new(index: &str, year: i32, counter: u64) -> Result<Self, DomainError> {
        RegNumberFormat::default().build(index, year, counter)
    }

    /// The letter index.
    pub fn index(&self) -> &str {
        &self.index
    }

    /// The registration year.
    pub fn year(&self) -> i32 {
        i32::from(self.year)
    }

    /// The through counter from the database sequence.
    pub fn counter(&self) -> u64 {
        self.counter
    }
}

impl fmt::Display for RegNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = self.separator;
        let width = usize::from(self.width);
        write!(
            f,
            "{}{sep}{:04}{sep}{:0width$}",
            self.index, self.year, self.counter
        )
    }
}

impl RegNumberFormat {
    /// The layout a written number was issued in: the separator before the trailing counter
    /// digits (their count is the width). A stored number keeps its layout when the setting
    /// changes later (R2), so it is read back by its own.
    pub fn of_written(s: &str) -> Option<Self> {
        let width = s.chars().rev().take_while(char::is_ascii_digit).count();
        let separator = s.chars().rev().nth(width)?;
        Some(Self {
            separator,
            counter_width: u8::try_from(width).ok()?,
        })
    }
}

impl FromStr for RegNumber {
    type Err = DomainError;

    /// Parses a number in the layout it was written in (default: `-`, 8 digits).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegNumberFormat::of_written(s).unwrap_or_default().parse(s)
    }
}

impl Serialize for RegNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The number of a part forwarded by competence: `<main>/<k>` (p.11, R4). Only main appeals have
/// parts: a part that is itself split again is not described by any source [INF].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartNumber {
    main: RegNumber,
    k: u32,
}

impl PartNumber {
    /// The part `k` (≥ 1) of `main`.
    pub fn new(main: RegNumber, k: u32) -> Result<Self, DomainError> {
        if k == 0 {
            return Err(DomainError::invalid("part", "part numbers start at 1"));
        }
        Ok(Self { main, k })
    }

    /// The main appeal's number (unchanged by forwarding, R2).
    pub fn main(&self) -> &RegNumber {
        &self.main
    }

    /// The ordinal after the slash.
    pub fn k(&self) -> u32 {
        self.k
    }
}

/// R4: the number of the next part of `main`, given the last k already used (0 if none). k grows
/// by one and is never reused; the caller stores the returned k as the new "last used" (eOtinish
/// `last_child_reg_number`).
pub fn next_part_number(main: &RegNumber, last_k: u32) -> Result<PartNumber, DomainError> {
    let k = last_k
        .checked_add(1)
        .ok_or_else(|| DomainError::Conflict(format!("no more part numbers for {main}")))?;
    PartNumber::new(main.clone(), k)
}

impl fmt::Display for PartNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.main, self.k)
    }
}

impl PartNumber {
    /// Parses `<main>/<k>` with the main number in `format`.
    pub fn parse_with(format: &RegNumberFormat, s: &str) -> Result<Self, DomainError> {
        let (main, k) = s
            .rsplit_once('/')
            .ok_or_else(|| DomainError::invalid("reg_number", format!("`{s}`: no `/k` part")))?;
        if k.is_empty() || k.starts_with('0') || !k.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::invalid(
                "reg_number",
                format!("`{s}`: bad part ordinal"),
            ));
        }
        let k = k.parse().map_err(|_| {
            DomainError::invalid("reg_number", format!("`{s}`: part ordinal too large"))
        })?;
        PartNumber::new(format.parse(main)?, k)
    }
}

impl FromStr for PartNumber {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let main = s.rsplit_once('/').map_or(s, |(main, _)| main);
        PartNumber::parse_with(&RegNumberFormat::of_written(main).unwrap_or_default(), s)
    }
}

/// Any number an appeal can carry: a main number or a part number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AppealNumber {
    /// A main appeal.
    Main(RegNumber),
    /// A part forwarded by competence.
    Part(PartNumber),
}

impl AppealNumber {
    /// The main number (itself, or the number of the appeal the part belongs to).
    pub fn main(&self) -> &RegNumber {
        match self {
            AppealNumber::Main(n) => n,
            AppealNumber::Part(p) => p.main(),
        }
    }

    /// Parses either form in `format`.
    pub fn parse_with(format: &RegNumberFormat, s: &str) -> Result<Self, DomainError> {
        if s.contains('/') {
            PartNumber::parse_with(format, s).map(AppealNumber::Part)
        } else {
            format.parse(s).map(AppealNumber::Main)
        }
    }
}

impl From<RegNumber> for AppealNumber {
    fn from(n: RegNumber) -> Self {
        AppealNumber::Main(n)
    }
}

impl From<PartNumber> for AppealNumber {
    fn from(n: PartNumber) -> Self {
        AppealNumber::Part(n)
    }
}

impl fmt::Display for AppealNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppealNumber::Main(n) => n.fmt(f),
            AppealNumber::Part(p) => p.fmt(f),
        }
    }
}

impl FromStr for AppealNumber {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let main = s.rsplit_once('/').map_or(s, |(main, _)| main);
        AppealNumber::parse_with(&RegNumberFormat::of_written(main).unwrap_or_default(), s)
    }
}

macro_rules! serde_as_string {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

serde_as_string!(PartNumber);
serde_as_string!(AppealNumber);

#[cfg(test)]
mod tests {

    #[test]
    fn numbering_mode_codes_round_trip() {
        for mode in [NumberingMode::Gapless, NumberingMode::Sequence] {
            assert_eq!(NumberingMode::from_code(mode.code()).unwrap(), mode);
        }
        assert!(NumberingMode::from_code("random").is_err());
        assert_eq!(NumberingMode::default(), NumberingMode::Gapless);
    }
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_number_reads_back_in_the_layout_it_was_issued_in() {
        let other = RegNumberFormat {
            separator: '.',
            counter_width: 6,
        };
        let n = other.build("ЖК", 2026, 2).unwrap();
        assert_eq!(n.to_string(), "ЖК.2026.000002");
        assert_eq!("ЖК.2026.000002".parse::<RegNumber>().unwrap(), n);
        let part: AppealNumber = "ЖК.2026.000002/3".parse().unwrap();
        assert_eq!(part.main(), &n);
        assert_eq!(part.to_string(), "ЖК.2026.000002/3");
        assert!("ЖК2026000002".parse::<RegNumber>().is_err());
    }

    #[test]
    fn eotinish_example_formats_and_parses() {
        let n = RegNumber::new("ЖТ", 2026, 42).unwrap();
        assert_eq!(n.to_string(), "ЖТ-2026-00000042");
        assert_eq!("ЖТ-2026-00000042".parse::<RegNumber>().unwrap(), n);
        assert_eq!((n.index(), n.year(), n.counter()), ("ЖТ", 2026, 42));
    }

    #[test]
    fn default_index_table_gives_zht_for_individuals_and_zt_for_legal_entities() {
        let fmt = RegNumberFormat::default();
        let table = LetterIndexTable::default();
        assert_eq!(
            fmt.issue(&table, "individual", 2026, 42)
                .unwrap()
                .to_string(),
            "ЖТ-2026-00000042"
        );
        assert_eq!(
            fmt.issue(&table, "legal_entity", 2026, 7)
                .unwrap()
                .to_string(),
            "ЗТ-2026-00000007"
        );
        assert!(fmt.issue(&table, "alien", 2026, 7).is_err());
    }

    #[test]
    fn index_table_is_data_a_configured_table_changes_the_number() {
        let table = LetterIndexTable::new(vec![LetterIndexEntry {
            category: "individual".into(),
            index: "ФЛ".into(),
            evidence: Evidence::Inf,
        }])
        .unwrap();
        let fmt = RegNumberFormat {
            separator: '.',
            counter_width: 6,
        };
        assert_eq!(
            fmt.issue(&table, "individual", 2026, 5)
                .unwrap()
                .to_string(),
            "ФЛ.2026.000005"
        );
        assert!(
            LetterIndexTable::new(vec![LetterIndexEntry {
                category: "x".into(),
                index: "жт".into(),
                evidence: Evidence::Inf,
            }])
            .is_err()
        );
    }

    #[test]
    fn consecutive_counters_give_distinct_consecutive_numbers() {
        // R3: the counter is the DB sequence; two successive values give two numbers in order.
        let a = RegNumber::new("ЖТ", 2026, 41).unwrap();
        let b = RegNumber::new("ЖТ", 2026, 42).unwrap();
        assert!(a < b);
        assert_ne!(a.to_string(), b.to_string());
    }

    #[test]
    fn invalid_numbers_are_rejected() {
        for s in [
            "",
            "ЖТ-2026-0000042",
            "ЖТ-2026-000000042",
            "ЖТ-26-00000042",
            "жт-2026-00000042",
            "-2026-00000042",
            "ЖТ-2026-00000000",
            "ЖТ2026-00000042",
            "ЖТ-2026-0000004a",
        ] {
            assert!(RegNumberFormat::default().parse(s).is_err(), "{s}");
        }
        // Read back in its own layout, a number of another width is a number of that width.
        for s in [
            "",
            "ЖТ-26-00000042",
            "жт-2026-00000042",
            "ЖТ-2026-00000000",
            "ЖТ2026-00000042",
        ] {
            assert!(s.parse::<RegNumber>().is_err(), "{s}");
        }
        assert!(RegNumber::new("ЖТ", 2026, 100_000_000).is_err());
        assert!(RegNumber::new("ЖТ", 2026, 0).is_err());
    }

    #[test]
    fn two_forwarded_parts_get_slash_1_and_slash_2() {
        // R4 test: forward two parts of ЖТ-2026-00000042 → …/1, …/2; the parent keeps its number.
        let main: RegNumber = "ЖТ-2026-00000042".parse().unwrap();
        let p1 = next_part_number(&main, 0).unwrap();
        let p2 = next_part_number(&main, p1.k()).unwrap();
        assert_eq!(p1.to_string(), "ЖТ-2026-00000042/1");
        assert_eq!(p2.to_string(), "ЖТ-2026-00000042/2");
        assert_eq!(p2.main(), &main);
        assert_eq!(main.to_string(), "ЖТ-2026-00000042");
        assert!(next_part_number(&main, u32::MAX).is_err());
    }

    #[test]
    fn part_numbers_parse_and_reject_bad_ordinals() {
        let p: PartNumber = "ЖТ-2026-00000042/3".parse().unwrap();
        assert_eq!(p.k(), 3);
        for s in [
            "ЖТ-2026-00000042/0",
            "ЖТ-2026-00000042/",
            "ЖТ-2026-00000042/01",
            "ЖТ-2026-00000042/x",
        ] {
            assert!(s.parse::<PartNumber>().is_err(), "{s}");
        }
        let any: AppealNumber = "ЖТ-2026-00000042/3".parse().unwrap();
        assert_eq!(any, AppealNumber::Part(p.clone()));
        assert_eq!(any.main(), p.main());
        assert!(matches!(
            "ЖТ-2026-00000042".parse::<AppealNumber>(),
            Ok(AppealNumber::Main(_))
        ));
    }

    fn index_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop::sample::select(vec![
                'Ж', 'Т', 'З', 'Ұ', 'Қ', 'Ә', 'Ө', 'А', 'Я', 'Ё', 'A', 'Z',
            ]),
            1..=8,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn reg_number_round_trips(index in index_strategy(), year in 1000i32..=9999, counter in 1u64..=99_999_999) {
            let n = RegNumber::new(&index, year, counter).unwrap();
            let text = n.to_string();
            prop_assert_eq!(text.parse::<RegNumber>().unwrap(), n.clone());
            prop_assert_eq!(text.parse::<AppealNumber>().unwrap(), AppealNumber::Main(n));
        }

        #[test]
        fn part_number_round_trips_and_k_never_repeats(
            index in index_strategy(), year in 1000i32..=9999, counter in 1u64..=99_999_999, parts in 1u32..20,
        ) {
            let main = RegNumber::new(&index, year, counter).unwrap();
            let mut last = 0;
            let mut seen = std::collections::BTreeSet::new();
            for _ in 0..parts {
                let p = next_part_number(&main, last).unwrap();
                prop_assert_eq!(p.k(), last + 1);
                prop_assert!(seen.insert(p.to_string()));
                prop_assert_eq!(p.to_string().parse::<PartNumber>().unwrap(), p.clone());
                prop_assert_eq!(p.main(), &main);
                last = p.k();
            }
        }

        #[test]
        fn configured_format_round_trips(
            index in index_strategy(), counter in 1u64..=999_999, sep in prop::sample::select(vec!['-', '.', '_', '|']),
        ) {
            let fmt = RegNumberFormat { separator: sep, counter_width: 6 };
            let n = fmt.build(&index, 2026, counter).unwrap();
            prop_assert_eq!(fmt.parse(&n.to_string()).unwrap(), n.clone());
            let part = next_part_number(&n, 0).unwrap();
            prop_assert_eq!(PartNumber::parse_with(&fmt, &part.to_string()).unwrap(), part);
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = s.parse::<AppealNumber>();
        }
    }
}
