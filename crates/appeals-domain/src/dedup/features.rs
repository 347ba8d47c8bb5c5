//! Content stems and shingles of a normalised text.
//!
//! **Shingle choice.** p.2(2) makes a reworded copy a duplicate, so the features must survive
//! synonyms, changed word order and restructured sentences. 3-word shingles do not: one changed
//! word in a 12-word sentence kills 3 of its 10 shingles, and a real paraphrase changes every
//! third word. So the shingle set is
//!
//! * every content **stem** (a unigram: stop words and appeal formulas removed, a light suffix
//!   stemmer for Russian or Kazakh applied, stems cut to 7 characters), plus
//! * every **pair of adjacent stems** within a sentence (bigrams), which keeps some word order so
//!   that two texts with the same vocabulary but different statements still differ.
//!
//! Typos are absorbed partly by the stemmer (endings are dropped, stems are cut) and by the
//! fragment-coverage threshold of the novelty test; a typo in a word's root costs one unigram and
//! two bigrams. Character shingles were not used: they are typo-robust but not synonym-robust,
//! and a 1,500-character text has ~1,500 of them, which would eat the 100 µs budget in MinHash.
//!
//! Russian and Kazakh are not matched across languages (a Kazakh translation of a Russian appeal
//! scores as unrelated); the language is detected per text to pick the stemmer.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::hash::combine;
use super::normalize::NormalizedText;

/// [`STOP_WORDS`] as a set: a linear scan per token would cost more than the MinHash itself.
/// Hashed with FNV (a process-local set, so any hasher would do; SipHash is just slower).
static STOP_SET: LazyLock<HashSet<&'static str, BuildFnv>> =
    LazyLock::new(|| STOP_WORDS.iter().copied().collect());

/// `BuildHasher` for in-memory sets of short words.
#[derive(Debug, Clone, Copy, Default)]
struct BuildFnv;

impl std::hash::BuildHasher for BuildFnv {
    type Hasher = super::hash::Fnv64;
    fn build_hasher(&self) -> Self::Hasher {
        super::hash::Fnv64::new(0)
    }
}

/// Suffixes bucketed by their last character, longest first within a bucket, so stemming a word
/// compares it with the handful of endings that can match instead of all of them.
struct SuffixTable {
    buckets: Vec<(char, Vec<Vec<char>>)>,
}

impl SuffixTable {
    fn new(list: &[&str]) -> Self {
        let mut buckets: Vec<(char, Vec<Vec<char>>)> = Vec::new();
        for suf in list {
            let chars: Vec<char> = suf.chars().collect();
            let Some(&last) = chars.last() else { continue };
            match buckets.iter_mut().find(|(c, _)| *c == last) {
                Some((_, v)) => v.push(chars),
                None => buckets.push((last, vec![chars])),
            }
        }
        for (_, v) in &mut buckets {
            v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
        Self { buckets }
    }

    /// Removes the longest suffix that leaves at least `min_stem` characters.
    fn strip(&self, chars: &mut Vec<char>, min_stem: usize) -> bool {
        let Some(&last) = chars.last() else {
            return false;
        };
        let Some((_, list)) = self.buckets.iter().find(|(c, _)| *c == last) else {
            return false;
        };
        for suf in list {
            let n = suf.len();
            if chars.len() >= min_stem + n && chars[chars.len() - n..] == suf[..] {
                chars.truncate(chars.len() - n);
                return true;
            }
        }
        false
    }
}

static RU_SUFFIX_TABLE: LazyLock<SuffixTable> = LazyLock::new(|| SuffixTable::new(RU_SUFFIXES));
static KK_SUFFIX_TABLE: LazyLock<SuffixTable> = LazyLock::new(|| SuffixTable::new(KK_SUFFIXES));
static REFLEXIVE_TABLE: LazyLock<SuffixTable> = LazyLock::new(|| SuffixTable::new(&["ся", "сь"]));

/// Seed of unigram hashes.
const UNIGRAM_SEED: u64 = 0x756e_6967_7261_6d31;

/// Stop words and appeal formulas, Russian and Kazakh: frequent in every appeal, so they would
/// make unrelated appeals look alike. The appeal-kind words (заявление, жалоба, өтініш …) are here
/// because p.2(2) makes the form of an appeal irrelevant to duplicate status.
const STOP_WORDS: &[&str] = &[
    // Russian function words.
    "а",
    "без",
    "бы",
    "был",
    "была",
    "были",
    "было",
    "быть",
    "в",
    "вам",
    "вас",
    "весь",
    "во",
    "вот",
    "все",
    "всего",
    "всех",
    "вы",
    "где",
    "да",
    "даже",
    "для",
    "до",
    "его",
    "ее",
    "ей",
    "если",
    "есть",
    "еще",
    "же",
    "за",
    "здесь",
    "и",
    "из",
    "или",
    "им",
    "их",
    "к",
    "как",
    "какие",
    "кем",
    "ко",
    "когда",
    "кто",
    "ли",
    "либо",
    "мне",
    "меня",
    "мной",
    "мы",
    "на",
    "над",
    "нам",
    "нас",
    "наш",
    "наша",
    "наше",
    "нашего",
    "нашей",
    "наши",
    "наших",
    "нашим",
    "не",
    "него",
    "нее",
    "нет",
    "ни",
    "них",
    "но",
    "ну",
    "о",
    "об",
    "он",
    "она",
    "они",
    "оно",
    "от",
    "по",
    "под",
    "после",
    "при",
    "про",
    "с",
    "сам",
    "свой",
    "свою",
    "своей",
    "свои",
    "своих",
    "со",
    "так",
    "также",
    "там",
    "то",
    "того",
    "той",
    "только",
    "том",
    "тот",
    "у",
    "уже",
    "чем",
    "что",
    "чтобы",
    "эта",
    "эти",
    "это",
    "этого",
    "этой",
    "этом",
    "этот",
    "я",
    "мой",
    "моя",
    "мое",
    "мои",
    "моей",
    "моего",
    "моих",
    "который",
    "которая",
    "которое",
    "которые",
    "которых",
    "которым",
    "очень",
    "через",
    "между",
    "себя",
    "себе",
    "тем",
    "тех",
    "этим",
    "этих",
    "ему",
    "г",
    "гг",
    "д",
    "кв",
    "ул",
    "т",
    // Russian appeal formulas.
    "прошу",
    "просим",
    "просьба",
    "обращаюсь",
    "обращаемся",
    "обращение",
    "обращения",
    "заявление",
    "жалоба",
    "жалобу",
    "настоящим",
    "данный",
    "данное",
    "данной",
    "вас",
    "ваше",
    "вашего",
    "вашей",
    "уважением",
    "пожалуйста",
    // Kazakh function words.
    "және",
    "мен",
    "бен",
    "пен",
    "да",
    "де",
    "та",
    "те",
    "бұл",
    "осы",
    "сол",
    "ол",
    "олар",
    "біз",
    "сіз",
    "сіздер",
    "менің",
    "біздің",
    "сіздің",
    "оның",
    "олардың",
    "маған",
    "бізге",
    "сізге",
    "оған",
    "үшін",
    "бойынша",
    "туралы",
    "арқылы",
    "дейін",
    "кейін",
    "бірақ",
    "немесе",
    "яғни",
    "әлі",
    "ғана",
    "ма",
    "ме",
    "ба",
    "бе",
    "па",
    "пе",
    "еді",
    "екен",
    "деп",
    "тағы",
    "сондай",
    "ақ",
    "мұнда",
    "онда",
    "қазір",
    "бар",
    "жоқ",
    "ретінде",
    "сияқты",
    "ж",
    "қ",
    "к",
    // Kazakh appeal formulas.
    "өтініш",
    "өтінемін",
    "өтінеміз",
    "сұраймын",
    "сұраймыз",
    "арыз",
    "шағым",
    "жолдаймын",
    "жүгінемін",
    "жүгінеміз",
    "сізден",
    "сіздерден",
    "құрметпен",
];

/// Language of a text, for the stemmer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Russian (or anything without Kazakh letters).
    Ru,
    /// Kazakh: at least 2 % of the letters are Kazakh-specific.
    Kk,
}

fn is_kazakh_letter(c: char) -> bool {
    matches!(c, 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і')
}

/// Detects the language from canonical tokens.
#[must_use]
pub fn detect_lang(text: &NormalizedText) -> Lang {
    let (mut letters, mut kazakh) = (0usize, 0usize);
    for f in text.content() {
        for t in &f.tokens {
            for c in t.chars().filter(|c| super::normalize::is_letter(*c)) {
                letters += 1;
                kazakh += usize::from(is_kazakh_letter(c));
            }
        }
    }
    if letters > 0 && kazakh * 50 >= letters {
        Lang::Kk
    } else {
        Lang::Ru
    }
}

/// Russian endings, longest first within the list's use (the longest matching one is removed).
const RU_SUFFIXES: &[&str] = &[
    "ованием",
    "ениями",
    "ениях",
    "ением",
    "ениям",
    "ования",
    "ование",
    "остями",
    "остях",
    "остью",
    "ости",
    "ость",
    "иями",
    "иях",
    "ией",
    "ями",
    "ами",
    "ого",
    "его",
    "ому",
    "ему",
    "ыми",
    "ими",
    "ешь",
    "ишь",
    "ете",
    "ите",
    "ают",
    "яют",
    "ует",
    "уют",
    "ать",
    "ять",
    "ить",
    "еть",
    "уть",
    "ала",
    "али",
    "ало",
    "ила",
    "или",
    "ило",
    "ела",
    "ели",
    "ело",
    "ия",
    "ие",
    "ий",
    "ый",
    "ой",
    "ая",
    "яя",
    "ое",
    "ее",
    "ые",
    "ых",
    "их",
    "ым",
    "им",
    "ом",
    "ем",
    "ах",
    "ях",
    "ов",
    "ев",
    "ей",
    "ую",
    "юю",
    "ет",
    "ит",
    "ут",
    "ют",
    "ат",
    "ят",
    "ть",
    "ла",
    "ли",
    "ло",
    "ал",
    "ил",
    "а",
    "я",
    "ы",
    "и",
    "у",
    "ю",
    "е",
    "о",
    "ь",
    "й",
];

/// Kazakh endings (case, plural, possessive, person, common verb forms). Kazakh stacks them, so
/// they are removed repeatedly.
const KK_SUFFIXES: &[&str] = &[
    "ның",
    "нің",
    "дың",
    "дің",
    "тың",
    "тің",
    "ға",
    "ге",
    "қа",
    "ке",
    "на",
    "не",
    "да",
    "де",
    "та",
    "те",
    "нда",
    "нде",
    "дан",
    "ден",
    "тан",
    "тен",
    "нан",
    "нен",
    "ды",
    "ді",
    "ты",
    "ті",
    "ны",
    "ні",
    "мен",
    "бен",
    "пен",
    "лар",
    "лер",
    "дар",
    "дер",
    "тар",
    "тер",
    "ымыз",
    "іміз",
    "мыз",
    "міз",
    "ыңыз",
    "іңіз",
    "ңыз",
    "ңіз",
    "ым",
    "ім",
    "ың",
    "ің",
    "сы",
    "сі",
    "мын",
    "мін",
    "бын",
    "бін",
    "пын",
    "пін",
    "быз",
    "біз",
    "пыз",
    "піз",
    "сыз",
    "сіз",
    "ған",
    "ген",
    "қан",
    "кен",
    "йды",
    "йді",
    "ады",
    "еді",
    "ып",
    "іп",
    "дағы",
    "дегі",
    "тағы",
    "тегі",
    "ндағы",
    "ндегі",
    "у",
    "ы",
    "і",
    "а",
    "е",
    "н",
    "м",
    "ң",
];

/// Maximum stem length in characters: longer words differ only in derivation.
const MAX_STEM_CHARS: usize = 6;

/// Light stemmer: strips one Russian ending (after a reflexive «ся/сь»), or up to four stacked
/// Kazakh endings, then cuts the stem to [`MAX_STEM_CHARS`].
#[must_use]
pub fn stem(word: &str, lang: Lang) -> String {
    let mut buf = Vec::new();
    stem_into(word, lang, &mut buf);
    buf.into_iter().collect()
}

/// [`stem`] into a reusable buffer (no allocation per word on the hot path).
fn stem_into(word: &str, lang: Lang, chars: &mut Vec<char>) {
    chars.clear();
    chars.extend(word.chars());
    if chars.iter().all(|c| super::normalize::is_letter(*c)) {
        match lang {
            Lang::Ru => {
                REFLEXIVE_TABLE.strip(chars, 3);
                RU_SUFFIX_TABLE.strip(chars, 3);
            }
            Lang::Kk => {
                for _ in 0..4 {
                    if !KK_SUFFIX_TABLE.strip(chars, 2) {
                        break;
                    }
                }
            }
        }
    }
    chars.truncate(MAX_STEM_CHARS);
}

/// Hash of a stem: [`hash_bytes`] of its UTF-8, computed from the characters directly.
fn stem_hash(word: &str, lang: Lang, buf: &mut Vec<char>) -> u64 {
    stem_into(word, lang, buf);
    let mut h = super::hash::Fnv64::new(UNIGRAM_SEED);
    let mut utf8 = [0u8; 4];
    for c in buf.iter() {
        std::hash::Hasher::write(&mut h, c.encode_utf8(&mut utf8).as_bytes());
    }
    super::hash::fmix64(std::hash::Hasher::finish(&h))
}

/// The hashed stem of one canonical token, as it appears in [`TextFeatures::stems`].
#[must_use]
pub fn stem_hash_of(word: &str, lang: Lang) -> u64 {
    stem_hash(word, lang, &mut Vec::with_capacity(32))
}

/// Whether a canonical token is a function word or an appeal formula (never content).
#[must_use]
pub fn is_stop_word(token: &str) -> bool {
    STOP_SET.contains(token)
}

/// Stems of one content fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentStems {
    /// Index into [`NormalizedText::fragments`].
    pub fragment: usize,
    /// Hashes of the fragment's content stems, deduplicated, sorted.
    pub stems: Vec<u64>,
}

/// The features of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFeatures {
    /// Language used for stemming.
    pub lang: Lang,
    /// Shingle hashes (stems and adjacent stem pairs), sorted, deduplicated.
    pub shingles: Vec<u64>,
    /// Stem hashes of the whole text, sorted, deduplicated.
    pub stems: Vec<u64>,
    /// Per content fragment stems, in text order.
    pub fragments: Vec<FragmentStems>,
}

/// Extracts the features of a normalised text.
#[must_use]
pub fn extract(text: &NormalizedText) -> TextFeatures {
    let lang = detect_lang(text);
    let mut shingles = Vec::new();
    let mut all_stems = Vec::new();
    let mut fragments = Vec::new();
    let mut buf = Vec::with_capacity(32);
    for (idx, f) in text.fragments.iter().enumerate() {
        if f.kind != super::normalize::FragmentKind::Content || f.tokens.is_empty() {
            continue;
        }
        let mut prev: Option<u64> = None;
        let mut stems = Vec::with_capacity(f.tokens.len());
        for t in &f.tokens {
            if STOP_SET.contains(t.as_str()) {
                continue;
            }
            let h = stem_hash(t, lang, &mut buf);
            stems.push(h);
            shingles.push(h);
            if let Some(p) = prev {
                shingles.push(combine(p, h));
            }
            prev = Some(h);
        }
        all_stems.extend_from_slice(&stems);
        stems.sort_unstable();
        stems.dedup();
        fragments.push(FragmentStems {
            fragment: idx,
            stems,
        });
    }
    shingles.sort_unstable();
    shingles.dedup();
    all_stems.sort_unstable();
    all_stems.dedup();
    TextFeatures {
        lang,
        shingles,
        stems: all_stems,
        fragments,
    }
}

impl TextFeatures {
    /// The same features without the given stems (sorted), in the whole-text and per-fragment
    /// stem sets; shingles are kept (the signature must not depend on who is asking).
    #[must_use]
    pub fn without_stems(&self, remove: &[u64]) -> TextFeatures {
        let keep = |v: &[u64]| -> Vec<u64> {
            v.iter()
                .copied()
                .filter(|h| remove.binary_search(h).is_err())
                .collect()
        };
        TextFeatures {
            lang: self.lang,
            shingles: self.shingles.clone(),
            stems: keep(&self.stems),
            fragments: self
                .fragments
                .iter()
                .map(|f| FragmentStems {
                    fragment: f.fragment,
                    stems: keep(&f.stems),
                })
                .collect(),
        }
    }
}

/// Stems of the applicants' own identity — name words, address words, IIN/BIN — hashed like text
/// stems (sorted, deduplicated). The applicant's name and address in the text («Заявитель: …»,
/// «Я, …, проживаю по адресу …») are not an argument of the appeal, so they must neither make two
/// appeals of one person look like the same issue nor count as novelty when a copy of the header
/// was not recognised (a typo in «әкіміне»).
#[must_use]
pub fn identity_stems<'a>(words: impl IntoIterator<Item = &'a str>, lang: Lang) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    let mut buf = Vec::new();
    for w in words {
        for t in super::normalize::tokenize(w) {
            if !STOP_SET.contains(t.as_str()) {
                out.push(stem_hash(&t, lang, &mut buf));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_stem_folds_inflections() {
        assert_eq!(stem("квартиры", Lang::Ru), stem("квартира", Lang::Ru));
        assert_eq!(stem("ремонта", Lang::Ru), stem("ремонт", Lang::Ru));
        assert_eq!(stem("дороги", Lang::Ru), stem("дорогу", Lang::Ru));
        assert_eq!(stem("үйіміздің", Lang::Kk), stem("үйдің", Lang::Kk));
        assert_eq!(stem("мектепке", Lang::Kk), stem("мектептің", Lang::Kk));
        assert_eq!(stem("жолдың", Lang::Kk), stem("жолға", Lang::Kk));
        assert_eq!(stem("2024", Lang::Kk), "2024");
    }
}
