//! "The same person (or group of persons)" of p.2(2), decided on applicant keys (R14).
//!
//! R14 / the published eOtinish algorithm (§6.5): the IIN must match and so must the full name
//! (ТАӘ); the appeal must come from the same settlement. Paper appeals often have no IIN, so
//! without one on either side the normalised full name plus the address or the KATO settlement
//! must match. A collective appeal (p.2(7)) is the same group when the sets share enough persons.

use serde::{Deserialize, Serialize};

/// What identifies one applicant (З-1 requisites as far as R14 needs them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantKey {
    /// IIN (person) or BIN (legal entity), 12 digits; other characters are ignored.
    pub iin_bin: Option<String>,
    /// Full name (ТАӘ / ФИО) or a legal entity's name, in any word order.
    pub full_name: Option<String>,
    /// Postal address as written.
    pub address: Option<String>,
    /// KATO code of the settlement (9 digits).
    pub kato_settlement: Option<String>,
}

/// Normalised form of an [`ApplicantKey`]; what the DB layer should store and index to fetch
/// candidates by applicant (R14).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizedApplicant {
    /// 12 digits, or `None` when absent or not 12 digits.
    pub iin_bin: Option<String>,
    /// Name words, lowercase, `ё`→`е`, sorted, space-separated: order-tolerant
    /// («Иванов Иван Иванович» = «Иван Иванович ИВАНОВ»).
    pub name_key: Option<String>,
    /// Address words without type words (ул., д., кв., көшесі …), lowercase, in order.
    pub address_key: Option<String>,
    /// KATO digits (9), or `None`.
    pub kato_settlement: Option<String>,
}

impl NormalizedApplicant {
    /// Whether nothing identifies this applicant (anonymous, p.2(1)): no IIN/BIN and no name.
    #[must_use]
    pub fn is_anonymous(&self) -> bool {
        self.iin_bin.is_none() && self.name_key.is_none()
    }
}

/// Address type words, dropped so that «ул. Абая, д. 10» = «Абая көшесі, 10 үй».
const ADDRESS_TYPE_WORDS: &[&str] = &[
    "а",
    "г",
    "город",
    "гор",
    "ул",
    "улица",
    "д",
    "дом",
    "кв",
    "квартира",
    "мкр",
    "микрорайон",
    "пр",
    "проспект",
    "пер",
    "переулок",
    "обл",
    "область",
    "р",
    "н",
    "район",
    "р-н",
    "с",
    "село",
    "п",
    "поселок",
    "корп",
    "корпус",
    "стр",
    "строение",
    "рк",
    "республика",
    "казахстан",
    "қ",
    "қаласы",
    "көшесі",
    "көш",
    "үй",
    "пәтер",
    "ауданы",
    "облысы",
    "ауылы",
    "даңғылы",
    "шағын",
    "ауданы",
    "қазақстан",
    "республикасы",
];

fn fold_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .map(|c| if c == 'ё' { 'е' } else { c })
                .collect()
        })
        .collect()
}

fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl ApplicantKey {
    /// The normalised key.
    #[must_use]
    pub fn normalized(&self) -> NormalizedApplicant {
        let iin_bin = self
            .iin_bin
            .as_deref()
            .map(digits_only)
            .filter(|d| d.len() == 12);
        let name_key = self
            .full_name
            .as_deref()
            .map(fold_words)
            .filter(|w| !w.is_empty())
            .map(|mut w| {
                w.sort();
                w.join(" ")
            });
        let address_key = self
            .address
            .as_deref()
            .map(|a| {
                fold_words(a)
                    .into_iter()
                    .filter(|w| !ADDRESS_TYPE_WORDS.contains(&w.as_str()))
                    .collect::<Vec<_>>()
            })
            .filter(|w| !w.is_empty())
            .map(|w| w.join(" "));
        let kato_settlement = self
            .kato_settlement
            .as_deref()
            .map(digits_only)
            .filter(|d| d.len() == 9);
        NormalizedApplicant {
            iin_bin,
            name_key,
            address_key,
            kato_settlement,
        }
    }
}

/// How two applicant sets are compared (R14). Defaults follow R14 literally.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicantSettings {
    /// Minimum number of persons two collective appeals must share. Default 1 ("the sets share at
    /// least one person").
    pub min_shared: usize,
    /// Minimum share of the smaller set that must be shared, 0..=1. Default 0.0 (one shared person
    /// is enough); set 0.5 to require half of a collective appeal's signatories.
    pub min_shared_ratio: f64,
    /// When both sides have an IIN/BIN and a name, the names must match too (R14: "same IIN/BIN and
    /// same full name"). Default `true`.
    pub iin_requires_name_match: bool,
}

impl Default for ApplicantSettings {
    fn default() -> Self {
        Self {
            min_shared: 1,
            min_shared_ratio: 0.0,
            iin_requires_name_match: true,
        }
    }
}

/// Result of comparing the applicants of two appeals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ApplicantMatch {
    /// The same person or group (p.2(2)); `shared` persons matched.
    Same {
        /// Number of persons of the new appeal matched in the earlier one.
        shared: usize,
    },
    /// Identified applicants, not the same.
    Different,
    /// At least one side is anonymous (p.2(1)): the text alone decides, and at most `Related`.
    Anonymous,
}

/// Whether two full names (normalised keys) name the same person: the same words in any order,
/// or one side with initials («иванов и и» = «иван иванович иванов»).
#[must_use]
pub fn names_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let (short, long) = if wa.len() <= wb.len() {
        (wa, wb)
    } else {
        (wb, wa)
    };
    if short.len() < 2 {
        return false;
    }
    let mut used = vec![false; long.len()];
    let mut full_matches = 0usize;
    // Full words first, so that an initial cannot take the surname's place.
    let (full, initials): (Vec<&str>, Vec<&str>) =
        short.iter().partition(|w| w.chars().count() > 1);
    for w in full {
        match long
            .iter()
            .enumerate()
            .position(|(i, l)| !used[i] && *l == w)
        {
            Some(i) => {
                used[i] = true;
                full_matches += 1;
            }
            None => return false,
        }
    }
    for w in initials {
        let Some(c) = w.chars().next() else {
            return false;
        };
        match long
            .iter()
            .enumerate()
            .position(|(i, l)| !used[i] && l.starts_with(c))
        {
            Some(i) => used[i] = true,
            None => return false,
        }
    }
    full_matches >= 1
}

/// Whether two addresses (normalised keys) are the same: the same numbers (house, flat) in the same
/// order and at least half of the words shared. Words are compared with Kazakh letters folded to
/// their Russian look-alikes and by a common prefix, because the same street is written in both
/// languages («Қарағанды, Ерубаев көшесі» = «Караганда, ул. Ерубаева»).
#[must_use]
pub fn addresses_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let split = |s: &str| -> (Vec<String>, Vec<String>) {
        let (nums, words): (Vec<String>, Vec<String>) = s
            .split(' ')
            .map(str::to_owned)
            .partition(|w| w.bytes().all(|c| c.is_ascii_digit()));
        (nums, words.iter().map(|w| fold_kazakh(w)).collect())
    };
    let ((na, wa), (nb, wb)) = (split(a), split(b));
    if na != nb || na.is_empty() {
        return false;
    }
    let shared = wa
        .iter()
        .filter(|w| wb.iter().any(|v| same_word(w, v)))
        .count();
    let smaller = wa.len().min(wb.len());
    smaller > 0 && shared * 2 >= smaller
}

/// Kazakh-specific letters → the Russian letters they are commonly replaced with.
fn fold_kazakh(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            'ә' => 'а',
            'ғ' => 'г',
            'қ' => 'к',
            'ң' => 'н',
            'ө' => 'о',
            'ұ' | 'ү' => 'у',
            'һ' => 'х',
            'і' => 'и',
            _ => c,
        })
        .collect()
}

/// Equal, or sharing a prefix of all but the last letter of the shorter word (at least 3 letters):
/// «абай» = «абая», «ерубаев» = «ерубаева», «караганды» = «караганда».
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let shorter = a.chars().count().min(b.chars().count());
    common >= 3 && common + 1 >= shorter
}

/// Same person (R14): same IIN/BIN (and name when both have one and the setting says so); without
/// an IIN on either side, same name plus same address or KATO settlement.
#[must_use]
pub fn same_person(
    a: &NormalizedApplicant,
    b: &NormalizedApplicant,
    s: &ApplicantSettings,
) -> bool {
    let names = match (&a.name_key, &b.name_key) {
        (Some(x), Some(y)) => Some(names_match(x, y)),
        _ => None,
    };
    if let (Some(x), Some(y)) = (&a.iin_bin, &b.iin_bin) {
        return x == y && (!s.iin_requires_name_match || names != Some(false));
    }
    if names != Some(true) {
        return false;
    }
    let same_address =
        matches!((&a.address_key, &b.address_key), (Some(x), Some(y)) if addresses_match(x, y));
    let same_kato =
        matches!((&a.kato_settlement, &b.kato_settlement), (Some(x), Some(y)) if x == y);
    same_address || same_kato
}

/// Compares two applicant sets (individual or collective appeals).
#[must_use]
pub fn same_applicant(
    new: &[NormalizedApplicant],
    earlier: &[NormalizedApplicant],
    s: &ApplicantSettings,
) -> ApplicantMatch {
    let new: Vec<&NormalizedApplicant> = new.iter().filter(|a| !a.is_anonymous()).collect();
    let earlier: Vec<&NormalizedApplicant> = earlier.iter().filter(|a| !a.is_anonymous()).collect();
    if new.is_empty() || earlier.is_empty() {
        return ApplicantMatch::Anonymous;
    }
    let shared = new
        .iter()
        .filter(|n| earlier.iter().any(|e| same_person(n, e, s)))
        .count();
    let smaller = new.len().min(earlier.len());
    let ratio = shared as f64 / smaller as f64;
    if shared >= s.min_shared.max(1) && ratio >= s.min_shared_ratio {
        ApplicantMatch::Same { shared }
    } else {
        ApplicantMatch::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(
        iin: Option<&str>,
        name: Option<&str>,
        addr: Option<&str>,
        kato: Option<&str>,
    ) -> NormalizedApplicant {
        ApplicantKey {
            iin_bin: iin.map(str::to_owned),
            full_name: name.map(str::to_owned),
            address: addr.map(str::to_owned),
            kato_settlement: kato.map(str::to_owned),
        }
        .normalized()
    }

    #[test]
    fn dedup_same_person_by_iin_name_address() {
        let s = ApplicantSettings::default();
        let a = key(
            Some("921029350851"),
            Some("Иванов Иван Иванович"),
            None,
            None,
        );
        let b = key(
            Some("9210 2935 0851"),
            Some("ИВАН ИВАНОВИЧ ИВАНОВ"),
            None,
            None,
        );
        assert!(same_person(&a, &b, &s));
        let c = key(
            Some("900101300811"),
            Some("Иванов Иван Иванович"),
            None,
            None,
        );
        assert!(!same_person(&a, &c, &s));
        // No IIN: name plus address or KATO.
        let d = key(
            None,
            Some("Иванов И.И."),
            Some("г. Алматы, ул. Абая, д. 10, кв. 5"),
            None,
        );
        let e = key(
            None,
            Some("Иван Иванович Иванов"),
            Some("Алматы қ., Абая көшесі, 10 үй, 5 пәтер"),
            None,
        );
        assert!(same_person(&d, &e, &s));
        let f = key(None, Some("Иванов Иван"), None, Some("751110000"));
        let g = key(
            Some("921029350851"),
            Some("Иванов Иван"),
            None,
            Some("751110000"),
        );
        assert!(same_person(&f, &g, &s));
        let h = key(None, Some("Петров Иван"), None, Some("751110000"));
        assert!(!same_person(&f, &h, &s));
        // Name without address or KATO on one side is not enough.
        assert!(!same_person(
            &key(None, Some("Иванов Иван"), None, None),
            &f,
            &s
        ));
        // Ёлкин = Елкин.
        assert!(names_match(
            &key(None, Some("Ёлкин Пётр"), None, None)
                .name_key
                .unwrap_or_default(),
            "елкин петр"
        ));
    }

    #[test]
    fn dedup_collective_and_anonymous_sets() {
        let s = ApplicantSettings::default();
        let p = |iin: &str, n: &str| key(Some(iin), Some(n), None, None);
        let group = [
            p("921029350851", "Иванов Иван"),
            p("900101300811", "Асанов Асан"),
        ];
        let one = [p("900101300811", "Асан Асанов")];
        assert_eq!(
            same_applicant(&one, &group, &s),
            ApplicantMatch::Same { shared: 1 }
        );
        let strict = ApplicantSettings { min_shared: 2, ..s };
        assert_eq!(
            same_applicant(&one, &group, &strict),
            ApplicantMatch::Different
        );
        assert_eq!(same_applicant(&[], &group, &s), ApplicantMatch::Anonymous);
        assert_eq!(
            same_applicant(&[key(None, None, Some("Абая 10"), None)], &group, &s),
            ApplicantMatch::Anonymous
        );
    }
}
