//! Identifiers carried by the cards: IIN and BIN (R47, R48) and KATO codes (R49).
//!
//! "Parse, don't validate": each type can only be built by its smart constructor, so a value of the
//! type is valid by construction. Serde reads and writes them as strings (through the same
//! constructor). `Display` prints the full value; use `masked()` in logs (personal data).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// First-pass weights of the IIN/BIN check digit (R47).
const WEIGHTS_1: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/// Second-pass weights, used when the first pass gives 10 (R47).
const WEIGHTS_2: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

fn weighted_mod_11(digits: &[u8; 11], weights: &[u32; 11]) -> u32 {
    digits
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(*d) * w)
        .sum::<u32>()
        % 11
}

/// The IIN/BIN check digit of the first 11 digits (R47, DOMAIN.md §4.2): weights 1..11 mod 11; if
/// that gives 10, weights 3..11,1,2 mod 11; if that also gives 10 the prefix is never issued
/// (`None`).
///
/// Known weakness of the official algorithm: digit 11 has first-pass weight 11 ≡ 0 (mod 11), so
/// when the first pass applies a change of digit 11 alone keeps the check digit valid.
pub fn check_digit(first11: &[u8; 11]) -> Option<u8> {
    let s1 = weighted_mod_11(first11, &WEIGHTS_1);
    let k = if s1 != 10 {
        s1
    } else {
        weighted_mod_11(first11, &WEIGHTS_2)
    };
    // k < 11, so the narrowing cannot lose information.
    if k == 10 { None } else { u8::try_from(k).ok() }
}

/// Whether the check digit of `first11` comes from the second pass (documented weakness: a one-digit
/// change that moves a number between the two passes may go undetected).
pub fn uses_second_pass(first11: &[u8; 11]) -> bool {
    weighted_mod_11(first11, &WEIGHTS_1) == 10
}

/// Parses exactly 12 ASCII digits and checks the check digit (R47).
fn twelve_digits(field: &str, s: &str) -> Result<[u8; 12], DomainError> {
    let bytes = s.as_bytes();
    if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(DomainError::invalid(field, "must be exactly 12 digits"));
    }
    let mut d = [0u8; 12];
    for (out, b) in d.iter_mut().zip(bytes) {
        *out = b - b'0';
    }
    let mut first11 = [0u8; 11];
    first11.copy_from_slice(&d[..11]);
    match check_digit(&first11) {
        None => Err(DomainError::invalid(
            field,
            "no valid check digit exists for the first 11 digits (both passes give 10): never issued",
        )),
        Some(k) if k != d[11] => Err(DomainError::invalid(
            field,
            format!("check digit mismatch: expected {k}, found {}", d[11]),
        )),
        Some(_) => Ok(d),
    }
}

fn two(d: &[u8], at: usize) -> u32 {
    u32::from(d[at]) * 10 + u32::from(d[at + 1])
}

fn mask12(s: &str) -> String {
    // 4 leading and 2 trailing digits stay visible, e.g. `9210******51`.
    match (s.get(..4), s.get(10..)) {
        (Some(head), Some(tail)) => format!("{head}******{tail}"),
        _ => "************".to_string(),
    }
}

/// Sex encoded by digit 7 of an IIN (odd = male, even = female; R48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Digit 7 ∈ {1, 3, 5}.
    Male,
    /// Digit 7 ∈ {2, 4, 6}.
    Female,
}

/// Individual identification number — ИИН `YYMMDD C NNNN K` (R47, R48).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iin(String);

impl Iin {
    /// Parses an IIN (R47, R48): 12 digits; valid two-pass mod-11 check digit; digit 7 ∈ 0..=6;
    /// for digit 7 ∈ 1..=6 digits 1–6 are a valid birth date in the century it encodes (18xx,
    /// 19xx, 20xx); for 0 (foreign nationals, no century) they must be a date in 19YY or 20YY
    /// [INF]. Whether the date is in the future needs "today": see [`Iin::parse_as_of`].
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let d = twelve_digits("iin", s)?;
        let c = d[6];
        if c > 6 {
            return Err(DomainError::invalid(
                "iin",
                format!("digit 7 (century and sex) must be 0–6, found {c}"),
            ));
        }
        let (yy, mm, dd) = (two(&d, 0) as i32, two(&d, 2), two(&d, 4));
        let valid_date = match century(c) {
            Some(base) => NaiveDate::from_ymd_opt(base + yy, mm, dd).is_some(),
            None => {
                NaiveDate::from_ymd_opt(1900 + yy, mm, dd).is_some()
                    || NaiveDate::from_ymd_opt(2000 + yy, mm, dd).is_some()
            }
        };
        if !valid_date {
            return Err(DomainError::invalid(
                "iin",
                "digits 1–6 are not a valid birth date (YYMMDD)",
            ));
        }
        Ok(Self(s.to_string()))
    }

    /// [`Iin::parse`] plus R48's "not in the future" check against the caller's `today` (the
    /// domain has no clock).
    pub fn parse_as_of(s: &str, today: NaiveDate) -> Result<Self, DomainError> {
        let iin = Self::parse(s)?;
        if iin.birth_date().is_some_and(|b| b > today) {
            return Err(DomainError::invalid("iin", "birth date is in the future"));
        }
        Ok(iin)
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digit(&self, i: usize) -> u8 {
        self.0.as_bytes()[i] - b'0'
    }

    /// Birth date (R48); `None` for digit 7 = 0 (no century information).
    pub fn birth_date(&self) -> Option<NaiveDate> {
        let base = century(self.digit(6))?;
        let n = |i: usize| u32::from(self.digit(i)) * 10 + u32::from(self.digit(i + 1));
        NaiveDate::from_ymd_opt(base + n(0) as i32, n(2), n(4))
    }

    /// Sex (R48); `None` for digit 7 = 0.
    pub fn sex(&self) -> Option<Sex> {
        match self.digit(6) {
            0 => None,
            c if c % 2 == 1 => Some(Sex::Male),
            _ => Some(Sex::Female),
        }
    }

    /// For logs: `9210******51`.
    pub fn masked(&self) -> String {
        mask12(&self.0)
    }
}

/// First year of the century encoded by IIN digit 7 (1–2 → 1800, 3–4 → 1900, 5–6 → 2000).
fn century(c: u8) -> Option<i32> {
    match c {
        1 | 2 => Some(1800),
        3 | 4 => Some(1900),
        5 | 6 => Some(2000),
        _ => None,
    }
}

/// Digit 5 of a BIN: the kind of entity (R48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinEntityType {
    /// 4 — resident legal entity.
    ResidentLegalEntity,
    /// 5 — non-resident legal entity.
    NonResidentLegalEntity,
    /// 6 — individual entrepreneur in joint entrepreneurship (ИП(С)).
    JointEntrepreneurship,
}

/// Digit 6 of a BIN: the division (R48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinDivision {
    /// 0 — head organisation (or the ИП(С) itself).
    HeadOrganization,
    /// 1 — branch.
    Branch,
    /// 2 — representative office.
    RepresentativeOffice,
    /// 3 — peasant (farm) economy in joint entrepreneurship.
    PeasantFarm,
}

/// Business identification number — БИН `YYMM T A NNNNN K` (R47, R48).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bin(String);

impl Bin {
    /// Parses a BIN (R47, R48): 12 digits; valid check digit (same algorithm as IIN — [INF,
    /// verified on the §4.3 vectors]); month (digits 3–4) 01–12; digit 5 ∈ {4, 5, 6}; digit 6 ∈
    /// {0, 1, 2, 3}.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let d = twelve_digits("bin", s)?;
        let month = two(&d, 2);
        if !(1..=12).contains(&month) {
            return Err(DomainError::invalid(
                "bin",
                format!("digits 3–4 (month) must be 01–12, found {month:02}"),
            ));
        }
        if !(4..=6).contains(&d[4]) {
            return Err(DomainError::invalid(
                "bin",
                format!("digit 5 (entity type) must be 4, 5 or 6, found {}", d[4]),
            ));
        }
        if d[5] > 3 {
            return Err(DomainError::invalid(
                "bin",
                format!("digit 6 (division) must be 0–3, found {}", d[5]),
            ));
        }
        Ok(Self(s.to_string()))
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digit(&self, i: usize) -> u8 {
        self.0.as_bytes()[i] - b'0'
    }

    /// Two-digit year and month of (re-)registration (the century is not encoded).
    pub fn registration_year_month(&self) -> (u8, u8) {
        (
            self.digit(0) * 10 + self.digit(1),
            self.digit(2) * 10 + self.digit(3),
        )
    }

    /// Entity type from digit 5.
    pub fn entity_type(&self) -> BinEntityType {
        match self.digit(4) {
            4 => BinEntityType::ResidentLegalEntity,
            5 => BinEntityType::NonResidentLegalEntity,
            _ => BinEntityType::JointEntrepreneurship,
        }
    }

    /// Division from digit 6.
    pub fn division(&self) -> BinDivision {
        match self.digit(5) {
            0 => BinDivision::HeadOrganization,
            1 => BinDivision::Branch,
            2 => BinDivision::RepresentativeOffice,
            _ => BinDivision::PeasantFarm,
        }
    }

    /// For logs: `9401******85`.
    pub fn masked(&self) -> String {
        mask12(&self.0)
    }
}

/// An IIN or a BIN (З-1 req. 4, «ИИН/БИН»). Unambiguous: digit 5 of an IIN is the tens of the
/// day of month (0–3), of a BIN the entity type (4–6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum IinOrBin {
    /// An individual.
    Iin(Iin),
    /// A legal entity, branch or ИП(С).
    Bin(Bin),
}

impl IinOrBin {
    /// Parses as a BIN when digit 5 is 4–6, otherwise as an IIN (R47, R48).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.as_bytes().get(4) {
            Some(b'4'..=b'6') => Bin::parse(s).map(Self::Bin),
            _ => Iin::parse(s).map(Self::Iin),
        }
        .map_err(|e| match e {
            DomainError::Invalid { reason, .. } => DomainError::invalid("iin_bin", reason),
            other => other,
        })
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Iin(i) => i.as_str(),
            Self::Bin(b) => b.as_str(),
        }
    }

    /// For logs.
    pub fn masked(&self) -> String {
        mask12(self.as_str())
    }
}

/// Level of a KATO object, from which parts of `AB CD EF HIJ` are non-zero (R49, DOMAIN.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KatoLevel {
    /// `AB0000000` — oblast or city of republican significance.
    Region,
    /// `ABCD00000` — district or city administration (Г.А.).
    District,
    /// `ABCDEF000` — rural okrug, settlement administration or town within the district.
    Okrug,
    /// `ABCDEFH00` — settlement.
    Settlement,
    /// `ABCDEFHIJ` with `IJ` ≠ 00 — sub-settlement.
    SubSettlement,
}

/// A KATO code: 9 digits `AB CD EF HIJ` (R49). Existence in the KATO version active on the record
/// date is a dictionary lookup, outside this type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kato(String);

/// Byte ranges of the parts `AB`, `CD`, `EF`, `H`, `IJ`.
const KATO_PARTS: [(usize, usize); 5] = [(0, 2), (2, 4), (4, 6), (6, 7), (7, 9)];

impl Kato {
    /// Parses a KATO code (R49): exactly 9 digits, region part `AB` not `00`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let b = s.as_bytes();
        if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
            return Err(DomainError::invalid("kato", "must be exactly 9 digits"));
        }
        if &b[..2] == b"00" {
            return Err(DomainError::invalid(
                "kato",
                "region part (digits 1–2) must not be 00",
            ));
        }
        Ok(Self(s.to_string()))
    }

    /// The 9 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn part_is_zero(&self, k: usize) -> bool {
        let (a, b) = KATO_PARTS[k];
        self.0.as_bytes()[a..b].iter().all(|c| *c == b'0')
    }

    /// Index of the lowest non-zero part (0 = `AB` … 4 = `IJ`).
    fn lowest_part(&self) -> usize {
        (1..KATO_PARTS.len())
            .rev()
            .find(|k| !self.part_is_zero(*k))
            .unwrap_or(0)
    }

    /// Level derived from the zero suffix (R49).
    pub fn level(&self) -> KatoLevel {
        match self.lowest_part() {
            0 => KatoLevel::Region,
            1 => KatoLevel::District,
            2 => KatoLevel::Okrug,
            3 => KatoLevel::Settlement,
            _ => KatoLevel::SubSettlement,
        }
    }

    /// Parent code, derived by zeroing the lowest non-zero part (R49 [INF]); `None` for a region.
    pub fn parent(&self) -> Option<Kato> {
        let k = self.lowest_part();
        if k == 0 {
            return None;
        }
        let (a, b) = KATO_PARTS[k];
        let mut s = self.0.clone();
        s.replace_range(a..b, &"0".repeat(b - a));
        Some(Kato(s))
    }

    /// Region code `AB` (equals the numeric ISO 3166-2:KZ part [INF]).
    pub fn region_code(&self) -> u8 {
        let b = self.0.as_bytes();
        (b[0] - b'0') * 10 + (b[1] - b'0')
    }

    /// The region (`AB0000000`) containing this object.
    pub fn region(&self) -> Kato {
        Kato(format!("{}0000000", &self.0[..2]))
    }

    /// Whether `self` is `other` or one of its ancestors.
    pub fn contains(&self, other: &Kato) -> bool {
        let mut cur = Some(other.clone());
        while let Some(c) = cur {
            if c == *self {
                return true;
            }
            cur = c.parent();
        }
        false
    }
}

macro_rules! string_newtype_impls {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $t {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.as_str().to_string()
            }
        }
    };
}

string_newtype_impls!(Iin);
string_newtype_impls!(Bin);
string_newtype_impls!(IinOrBin);
string_newtype_impls!(Kato);

#[cfg(test)]
mod tests {
    use chrono::Datelike;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StringDeserializer};

    use super::*;

    fn first11(s: &str) -> [u8; 11] {
        let mut a = [0u8; 11];
        for (o, b) in a.iter_mut().zip(s.bytes()) {
            *o = b - b'0';
        }
        a
    }

    fn de<T: for<'a> Deserialize<'a>>(s: &str) -> Result<T, DeError> {
        let d: StringDeserializer<DeError> = s.to_string().into_deserializer();
        T::deserialize(d)
    }

    fn reason(e: DomainError) -> String {
        match e {
            DomainError::Invalid { reason, .. } => reason,
            other => panic!("unexpected {other:?}"),
        }
    }

    /// §4.3: 921029350851 valid IIN (s1 = 1); born 1992-10-29, male 19xx.
    #[test]
    fn r47_r48_vector_921029350851() {
        let iin = Iin::parse("921029350851").unwrap();
        assert_eq!(iin.birth_date(), NaiveDate::from_ymd_opt(1992, 10, 29));
        assert_eq!(iin.sex(), Some(Sex::Male));
        assert!(!uses_second_pass(&first11("92102935085")));
        assert_eq!(iin.to_string(), "921029350851");
        assert_eq!(iin.masked(), "9210******51");
    }

    /// §4.3: 940140000385 valid BIN (s1 = 5): 1994-01, resident legal entity, head organisation.
    #[test]
    fn r47_r48_vector_bin_940140000385() {
        let bin = Bin::parse("940140000385").unwrap();
        assert_eq!(bin.registration_year_month(), (94, 1));
        assert_eq!(bin.entity_type(), BinEntityType::ResidentLegalEntity);
        assert_eq!(bin.division(), BinDivision::HeadOrganization);
        assert_eq!(IinOrBin::parse("940140000385").unwrap(), IinOrBin::Bin(bin));
        // Day "40" is no date, so it is not an IIN.
        assert!(Iin::parse("940140000385").is_err());
    }

    /// §4.3: 990140004654 valid BIN (s1 = 4).
    #[test]
    fn r47_vector_bin_990140004654() {
        assert!(Bin::parse("990140004654").is_ok());
        assert_eq!(check_digit(&first11("99014000465")), Some(4));
    }

    /// §4.3 / R47: 900101300811 valid via the second pass.
    #[test]
    fn r47_vector_second_pass_900101300811() {
        assert!(uses_second_pass(&first11("90010130081")));
        let iin = Iin::parse("900101300811").unwrap();
        assert_eq!(iin.birth_date(), NaiveDate::from_ymd_opt(1990, 1, 1));
    }

    /// §4.3 / R47: any number starting 90010130080 is invalid (both passes give 10).
    #[test]
    fn r47_vector_no_check_digit_90010130080x() {
        assert_eq!(check_digit(&first11("90010130080")), None);
        for x in 0..=9 {
            let e = Iin::parse(&format!("90010130080{x}")).unwrap_err();
            assert!(reason(e).contains("both passes give 10"));
        }
    }

    /// §4.3: invalid check digits — 921029350852, the eOtinish QA fixtures 111100000001 and
    /// 123123123123, and the Faker doc example 780322300455.
    #[test]
    fn r47_vectors_invalid_check_digit() {
        let e = Iin::parse("921029350852").unwrap_err();
        assert_eq!(reason(e), "check digit mismatch: expected 1, found 2");
        for s in ["111100000001", "123123123123", "780322300455"] {
            let last = s.as_bytes()[11] - b'0';
            assert_ne!(check_digit(&first11(s)), Some(last), "{s}");
            assert!(IinOrBin::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn r47_structure_errors() {
        for s in [
            "",
            "92102935085",
            "9210293508511",
            "92102935085a",
            " 921029350851",
        ] {
            assert_eq!(
                reason(Iin::parse(s).unwrap_err()),
                "must be exactly 12 digits",
                "{s:?}"
            );
        }
        let e = IinOrBin::parse("92102935085").unwrap_err();
        assert!(matches!(e, DomainError::Invalid { ref field, .. } if field == "iin_bin"));
    }

    /// R48: digit 7 ∈ 0..6, valid non-future date, century and sex.
    #[test]
    fn r48_iin_century_sex_and_dates() {
        // Helper: complete an 11-digit prefix with its check digit.
        let complete = |p: &str| format!("{p}{}", check_digit(&first11(p)).unwrap());
        let female_2005 = complete("05022960012"); // 2005-02-29 does not exist
        assert!(Iin::parse(&female_2005).is_err());
        let female_2004 = Iin::parse(&complete("04022960012")).unwrap();
        assert_eq!(
            female_2004.birth_date(),
            NaiveDate::from_ymd_opt(2004, 2, 29)
        );
        assert_eq!(female_2004.sex(), Some(Sex::Female));
        let e = Iin::parse(&complete("92102975085")).unwrap_err();
        assert!(reason(e).contains("digit 7"));
        // Foreign national (digit 7 = 0): no birth date, no sex.
        let foreign = Iin::parse(&complete("92102905085")).unwrap();
        assert_eq!((foreign.birth_date(), foreign.sex()), (None, None));
        // Future birth date: rejected as of 2026-01-01, accepted later.
        let future = complete("26061550012");
        let jan = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(Iin::parse(&future).is_ok());
        assert_eq!(
            reason(Iin::parse_as_of(&future, jan).unwrap_err()),
            "birth date is in the future"
        );
        assert!(Iin::parse_as_of(&future, NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()).is_ok());
    }

    /// R48: BIN structure.
    #[test]
    fn r48_bin_structure() {
        let complete = |p: &str| format!("{p}{}", check_digit(&first11(p)).unwrap_or(0));
        assert!(reason(Bin::parse(&complete("94134000038")).unwrap_err()).contains("month"));
        assert!(reason(Bin::parse(&complete("94017000038")).unwrap_err()).contains("digit 5"));
        assert!(reason(Bin::parse(&complete("94014400038")).unwrap_err()).contains("digit 6"));
        let branch = Bin::parse(&complete("15125100012")).unwrap();
        assert_eq!(branch.entity_type(), BinEntityType::NonResidentLegalEntity);
        assert_eq!(branch.division(), BinDivision::Branch);
        assert_eq!(branch.masked().len(), 12);
    }

    #[test]
    fn serde_as_strings_through_the_constructor() {
        let iin: Iin = de("921029350851").unwrap();
        assert_eq!(String::from(iin), "921029350851");
        assert!(de::<Iin>("921029350852").is_err());
        let k: Kato = de("613637103").unwrap();
        assert_eq!(k.as_str(), "613637103");
        assert!(de::<Kato>("61363710").is_err());
        let either: IinOrBin = de("990140004654").unwrap();
        assert!(matches!(either, IinOrBin::Bin(_)));
    }

    /// R49: KATO samples of DOMAIN.md §5.1 (levels and the parent chain).
    #[test]
    fn r49_kato_levels_and_parents() {
        let k = |s: &str| Kato::parse(s).unwrap();
        let chain = [
            "613637103",
            "613637100",
            "613637000",
            "613600000",
            "610000000",
        ];
        let levels = [
            KatoLevel::SubSettlement,
            KatoLevel::Settlement,
            KatoLevel::Okrug,
            KatoLevel::District,
            KatoLevel::Region,
        ];
        for (i, code) in chain.iter().enumerate() {
            assert_eq!(k(code).level(), levels[i], "{code}");
            assert_eq!(
                k(code).parent().map(|p| p.to_string()),
                chain.get(i + 1).map(|s| s.to_string())
            );
        }
        assert_eq!(k("611010000").level(), KatoLevel::Okrug); // г.Туркестан within Туркестан Г.А.
        assert_eq!(k("611010000").parent(), Some(k("611000000")));
        assert_eq!(k("611633100").parent(), Some(k("611633000")));
        assert_eq!(k("101033102").region(), k("100000000"));
        assert_eq!(k("101033102").region_code(), 10);
        assert!(k("610000000").contains(&k("613637103")));
        assert!(!k("611000000").contains(&k("613637103")));
        for bad in ["61363710", "6136371030", "61363710x", "003637103", ""] {
            assert!(Kato::parse(bad).is_err(), "{bad}");
        }
    }

    /// Generates a valid IIN from a birth date, sex and serial.
    fn make_iin(date: NaiveDate, female: bool, serial: u32) -> Option<String> {
        let c = match (date.year() / 100, female) {
            (18, false) => 1,
            (18, true) => 2,
            (19, false) => 3,
            (19, true) => 4,
            (20, false) => 5,
            _ => 6,
        };
        let p = format!("{}{c}{serial:04}", date.format("%y%m%d"));
        check_digit(&first11(&p)).map(|k| format!("{p}{k}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any valid IIN re-parses from its `Display`, keeps its birth date and sex, and masks.
        #[test]
        fn valid_iin_roundtrips(days in 0i64..73_000, female: bool, serial in 0u32..10_000) {
            let date = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap() + chrono::Duration::days(days);
            prop_assume!(date.year() < 2100);
            if let Some(s) = make_iin(date, female, serial) {
                let iin = Iin::parse(&s).unwrap();
                prop_assert_eq!(iin.birth_date(), Some(date));
                prop_assert_eq!(iin.sex(), Some(if female { Sex::Female } else { Sex::Male }));
                prop_assert_eq!(Iin::parse(&iin.to_string()).unwrap(), iin.clone());
                prop_assert_eq!(IinOrBin::parse(&s).unwrap(), IinOrBin::Iin(iin.clone()));
                let m = iin.masked();
                prop_assert!(m.starts_with(&s[..4]) && m.ends_with(&s[10..]) && m.contains("******"));
            }
        }

        /// One-digit changes (R47), stated exactly for the official algorithm:
        /// * a change of the check digit (digit 12) is always detected;
        /// * digit 11 has first-pass weight 11 ≡ 0 (mod 11): when the first pass applies, a change
        ///   of digit 11 alone is NOT detected; when the second pass applies (weight 2) it is;
        /// * digits 1–10 change the first sum, so the change is detected when both numbers use the
        ///   first pass; when one of them falls to the second pass it may go undetected.
        #[test]
        fn one_digit_change_detection(digits in proptest::array::uniform11(0u8..10), pos in 0usize..12, delta in 1u8..10) {
            let Some(k) = check_digit(&digits) else { return Ok(()) };
            let mut all = [0u8; 12];
            all[..11].copy_from_slice(&digits);
            all[11] = k;
            all[pos] = (all[pos] + delta) % 10;
            let mut changed = [0u8; 11];
            changed.copy_from_slice(&all[..11]);
            let still_valid = check_digit(&changed) == Some(all[11]);
            match pos {
                11 => prop_assert!(!still_valid),
                10 => prop_assert_eq!(still_valid, !uses_second_pass(&digits)),
                _ if !uses_second_pass(&digits) && !uses_second_pass(&changed) => {
                    prop_assert!(!still_valid)
                }
                _ => {}
            }
        }

        /// Parsing never panics, and accepted values are exactly 12 digits.
        #[test]
        fn parse_never_panics(s in "\\PC{0,14}") {
            if let Ok(v) = IinOrBin::parse(&s) {
                prop_assert_eq!(v.as_str().len(), 12);
            }
            let _ = Kato::parse(&s);
        }
    }
}
