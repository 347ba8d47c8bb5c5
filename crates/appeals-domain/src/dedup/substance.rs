//! Signals of new substance (p.2(2): a duplicate has "no new arguments, circumstances or legal
//! grounds").
//!
//! Plain word overlap cannot see that «в нарушение статьи 42 Закона …» inside an otherwise
//! repeated sentence is a new legal ground, or that «15.10.2025 комиссия составила акт» is a new
//! circumstance: most of the words are old. So a clause of the new appeal is also read for what
//! carries substance and is **absent from the earlier appeal**:
//!
//! * a **legal norm** — an article, point, part, law, code, rules, resolution (RU) or бап, тармақ,
//!   заң, кодекс, қағида, қаулы (KK) with a number or a name the earlier text does not have;
//! * a **date** or a **number** (a sum, a document number, a count with a unit) the earlier text
//!   does not have — except in a clause that only refers to the earlier appeal itself («моё
//!   обращение от 12.03.2025»), which is not a new circumstance;
//! * a **named document** (акт, протокол, заключение, решение суда, справка, предписание; акт,
//!   хаттама, қорытынды, сот шешімі, анықтама …) the earlier text does not mention;
//! * a **changed request**: a kind of demand the earlier text did not make (check → compensate →
//!   punish → cancel → stop).
//!
//! The word lists are the engine's reading of Russian and Kazakh appeals ([INF]); they are data
//! here, tested on the hand-written evaluation set (`tests/data/dedup_hand/`).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::features::{Lang, is_stop_word, stem_hash_of};

/// A kind of new substance found in a novel fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// A reference to a legal norm (article, point, law, code …) the earlier appeal does not cite.
    LegalNorm,
    /// A date the earlier appeal does not contain.
    Date,
    /// A sum, a document number or a counted quantity the earlier appeal does not contain.
    Number,
    /// A named document (act, court decision, expert conclusion …) the earlier appeal does not
    /// mention.
    Document,
    /// A kind of request the earlier appeal did not make (compensation, punishment, cancellation,
    /// stopping works).
    Request,
}

/// Kinds of request, from the weakest to the strongest (a repeat that asks for more is not a
/// copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestKind {
    Compensate,
    Punish,
    Discipline,
    Cancel,
    Stop,
}

/// Word beginnings of each kind of request, Russian and Kazakh.
const REQUESTS: &[(RequestKind, &[&str])] = &[
    (
        RequestKind::Compensate,
        &[
            "возмест",
            "возмещ",
            "компенс",
            "взыск",
            "перерасч",
            "пересчит",
            "пересчет",
            "өтеу",
            "өтесін",
            "өтеп",
            "өтелс",
            "өндір",
            "өтемақы",
        ],
    ),
    (
        RequestKind::Punish,
        &[
            "привлеч",
            "привлек",
            "наказ",
            "уголовн",
            "жауапқа",
            "жазала",
            "қылмыстық",
        ],
    ),
    (
        // Against an official: «служебное расследование», «уволить», «жұмыстан босату».
        RequestKind::Discipline,
        &[
            "уволь",
            "уволи",
            "дисциплинар",
            "служебн",
            "босат",
            "жұмыстан",
            "тәртіптік",
            "қызметтік",
        ],
    ),
    (
        RequestKind::Cancel,
        &[
            "отмен",
            "аннулир",
            "пересмотр",
            "недействительн",
            "күшін",
            "жойылсын",
            "жойсын",
        ],
    ),
    (
        RequestKind::Stop,
        &[
            "приостанов",
            "прекрат",
            "запрет",
            "демонтир",
            "снести",
            "снос",
            "тоқтат",
            "тыйым",
            "сүріл",
            "бөлшекте",
        ],
    ),
];

/// Words that make a sentence a request («прошу», «сұраймын»): a demand counts only there
/// («әуелі бәрін өтеуді бұйырды» reports what someone said, it asks nothing).
const ASKING: &[&str] = &[
    "прошу",
    "просим",
    "требую",
    "требуем",
    "обязать",
    "сұраймын",
    "сұраймыз",
    "өтінемін",
    "өтінеміз",
    "талап",
    "міндеттеу",
];

/// Whether a sentence (canonical tokens) asks for something.
#[must_use]
pub fn asks(tokens: &[String]) -> bool {
    tokens.iter().any(|t| ASKING.contains(&t.as_str()))
}

/// Words of courtesy and of the repeat itself («повторно обращаюсь», «извините за
/// настойчивость», «ответа так и не получил», «тағы да жазып отырмын», «алдын ала рахмет»): a
/// clause with one of them speaks about the correspondence, not about the matter, and is new
/// only with a signal of substance (p.2(2) counts arguments and circumstances, not insistence).
const ABOUT_THE_REPEAT: &[&str] = &[
    "повторн",
    "извин",
    "прощени",
    "признател",
    "благодар",
    "спасибо",
    "надеюсь",
    "надеемся",
    "надежд",
    "беспокойств",
    "беспокою",
    "настойчив",
    "пониман",
    "понимаю",
    "сожалени",
    "вынужден",
    "писал",
    "пишу",
    "напис",
    "обращаюсь",
    "обращалась",
    "обращался",
    "обращени",
    "письм",
    "предыдущ",
    "қайтадан",
    "қайталап",
    "тағы",
    "кешір",
    "рахмет",
    "алғыс",
    "үміт",
    "түсіністік",
    "мазала",
    "өтінішім",
    "хатым",
    "жаздым",
    "жазып",
    "жазған",
    "жүгінгенім",
    "жүгініп",
    "өтініш",
    "тілеймін",
    "денсаулық",
    "ғафу",
    "мазаңыз",
    "амандық",
    "желаю",
    "здоровья",
    "успехов",
];

/// Whether a clause (canonical tokens) speaks about the repeat or is a courtesy, see
/// [`ABOUT_THE_REPEAT`]; «ответа нет», «жауап берілмеді» too, while «в ответе указано …» reports
/// a circumstance.
#[must_use]
pub fn about_the_repeat(tokens: &[String]) -> bool {
    let unanswered =
        tokens.iter().any(|t| ANSWER_SET.matches(t)) && tokens.iter().any(|t| is_negation(t));
    unanswered
        || tokens
            .iter()
            .any(|t| REPEAT_SET.matches(t) || (t == "раз" && tokens.iter().any(|w| w == "еще")))
}

/// Word beginnings of a numbered part of a legal act («статья 42», «42-бабы»): a norm only with
/// its number. «стать» alone is the verb "to become" and is excluded by [`legal_anchor`].
const NUMBERED_NORMS: &[&str] = &[
    "стать",
    "подпункт",
    "пункт",
    "част",
    "параграф",
    "бап",
    "баб",
    "тармақ",
    "тармағ",
];

/// Word beginnings of a legal act named by its title («Закона «О жилищных отношениях»»,
/// «Тұрғын үй қатынастары туралы Заңы»).
const NAMED_NORMS: &[&str] = &[
    "закон",
    "кодекс",
    "конституц",
    "правил",
    "постановлени",
    "приказ",
    "регламент",
    "снип",
    "санпин",
    "гост",
    "заң",
    "қағида",
    "қаулы",
    "бұйры",
    "жарлы",
    "нормати",
];

/// Words that surround any citation («в нарушение», «согласно», «сәйкес») and so do not name it.
const CITATION_WORDS: &[&str] = &[
    "наруш",
    "соглас",
    "соответств",
    "требован",
    "предусмотр",
    "установлен",
    "бұз",
    "сәйкес",
    "талап",
    "көзде",
    "белгілен",
];

/// How a word cites a legal norm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Norm {
    /// A numbered part: new when its number is.
    Numbered,
    /// An act by its title: new when a word of the title (or a number) is.
    Named,
}

fn legal_anchor(token: &str) -> Option<Norm> {
    let excluded = [
        "частн",
        "часто",
        "законн",
        "законч",
        "правильн",
        "заңсыз",
        "заңды",
        "приказал",
    ];
    let (_, norm) = NORM_TABLE.find(token)?;
    (token != "стать" && !excluded.iter().any(|e| token.starts_with(e))).then_some(norm)
}

/// Word beginnings of named documents that can be attached or cited as evidence.
const DOCUMENT_PREFIXES: &[&str] = &[
    "акта",
    "акте",
    "актом",
    "акту",
    "акты",
    "актов",
    "акті",
    "протокол",
    "предписани",
    "заключени",
    "экспертиз",
    "справк",
    "приговор",
    "выписк",
    "квитанц",
    "фотограф",
    "фотофикс",
    "видеозапис",
    "хаттама",
    "нұсқама",
    "қорытынды",
    "сараптама",
    "анықтама",
    "үкім",
    "түбіртек",
    "үзінді",
    "бейнежазба",
    "договор",
    "келісімшарт",
    "шарт",
];

/// Words of an attachment («копию прилагаю», «көшірмесін қоса беремін»): evidence, unless it is
/// a copy of the earlier appeal.
const ATTACHED: &[&str] = &["копи", "прилага", "прилож", "көшірме"];

/// Documents named by a word that is also common prose («решение», «шешім»): a document only
/// next to a court word.
const COURT_DOCUMENTS: &[&str] = &["решени", "определени", "шешім", "ұйғарым"];
const COURT_WORDS: &[&str] = &["суд", "сот"];

/// Words by which a clause refers to the earlier appeal itself: a date or number there is the
/// earlier appeal's, not a new circumstance.
const EARLIER_APPEAL: &[&str] = &[
    "обращ",
    "заявлени",
    "жалоб",
    "письм",
    "запрос",
    "өтініш",
    "шағым",
    "хат",
    "арыз",
];

/// Words of an answer received: a clause that reports the answer to the earlier appeal («ответ
/// № 3Т-15 от 20.05.2025») states a new circumstance even though it also names the appeal.
const ANSWER_WORDS: &[&str] = &["ответ", "отписк", "жауап", "жауаб"];

/// Words that make an appeal word point at the applicant's own earlier appeal («моё обращение»,
/// «первое письмо», «алдыңғы өтінішім»), and verbs that say so by themselves («я уже обращался»).
const EARLIER_MARKERS: &[&str] = &[
    "мое",
    "мой",
    "моему",
    "моего",
    "моим",
    "моем",
    "наше",
    "нашего",
    "нашему",
    "нашим",
    "свое",
    "своего",
    "своему",
    "своим",
    "первое",
    "первого",
    "первому",
    "первом",
    "предыдущ",
    "прошл",
    "ранее",
    "бірінші",
    "алдыңғы",
    "бұрынғы",
];
const EARLIER_VERBS: &[&str] = &[
    "обращал",
    "писал",
    "направлял",
    "отправлял",
    "өтінішім",
    "хатым",
    "шағымым",
    "жолдаған",
    "жіберген",
    "жазған",
    "жүгінген",
];

/// Units after which even a one-digit number is a quantity («5 млн тенге», «3 гектара»).
const UNIT_PREFIXES: &[&str] = &[
    "тенге",
    "тг",
    "теңге",
    "тыс",
    "млн",
    "млрд",
    "мың",
    "процент",
    "гектар",
    "га",
    "сотых",
    "сотық",
    "метр",
    "литр",
    "тонн",
    "кг",
    "кубометр",
    "куб",
    "квт",
    "адам",
    "человек",
    "семей",
    "отбасы",
];

fn starts_any(token: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| token.starts_with(p))
}

/// Word beginnings bucketed by their first character, longest first within a bucket: a token is
/// compared with the handful that can match instead of a whole list (the lists are read for every
/// token of every candidate).
struct Prefixes<T: 'static> {
    buckets: Vec<Vec<(&'static str, T)>>,
}

impl<T: Copy> Prefixes<T> {
    fn new(entries: impl IntoIterator<Item = (&'static str, T)>) -> Self {
        let mut buckets: Vec<Vec<(&'static str, T)>> = (0..64).map(|_| Vec::new()).collect();
        for (p, t) in entries {
            if let Some(c) = p.chars().next() {
                buckets[bucket(c)].push((p, t));
            }
        }
        for b in &mut buckets {
            b.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        }
        Self { buckets }
    }

    /// The longest listed beginning of `token`, with its value.
    fn find(&self, token: &str) -> Option<(&'static str, T)> {
        let c = token.chars().next()?;
        self.buckets[bucket(c)]
            .iter()
            .find(|(p, _)| token.starts_with(p))
            .copied()
    }
}

impl Prefixes<()> {
    fn of(list: &'static [&'static str]) -> Self {
        Self::new(list.iter().map(|p| (*p, ())))
    }

    fn matches(&self, token: &str) -> bool {
        self.find(token).is_some()
    }
}

fn bucket(c: char) -> usize {
    (c as usize) & 63
}

static ANSWER_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(ANSWER_WORDS));
static EARLIER_APPEAL_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(EARLIER_APPEAL));
static EARLIER_MARKER_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(EARLIER_MARKERS));
static EARLIER_VERB_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(EARLIER_VERBS));
static REPEAT_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(ABOUT_THE_REPEAT));
static DOCUMENT_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(DOCUMENT_PREFIXES));
static COURT_DOCUMENT_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(COURT_DOCUMENTS));
static ATTACHED_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(ATTACHED));
static CITATION_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(CITATION_WORDS));
static UNIT_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(UNIT_PREFIXES));
static TIME_SET: LazyLock<Prefixes<()>> = LazyLock::new(|| Prefixes::of(TIME_WORDS));
static NORM_TABLE: LazyLock<Prefixes<Norm>> = LazyLock::new(|| {
    Prefixes::new(
        NUMBERED_NORMS
            .iter()
            .map(|p| (*p, Norm::Numbered))
            .chain(NAMED_NORMS.iter().map(|p| (*p, Norm::Named))),
    )
});
static REQUEST_TABLE: LazyLock<Prefixes<RequestKind>> = LazyLock::new(|| {
    Prefixes::new(
        REQUESTS
            .iter()
            .flat_map(|(kind, list)| list.iter().map(move |p| (*p, *kind))),
    )
});
static MONTH_TABLE: LazyLock<Prefixes<u32>> =
    LazyLock::new(|| Prefixes::new(super::normalize::MONTH_STEMS.iter().copied()));

/// The words that name the act cited at `tokens[i]`: «Закона **о жилищных отношениях**»,
/// «**Жилищного** кодекса», «Правил **благоустройства территории**», «**Тұрғын үй қатынастары**
/// туралы Заңы», «**Еңбек** кодексі». A bare «по закону» names nothing.
fn title_words(tokens: &[String], i: usize) -> Vec<usize> {
    let at = |k: usize| tokens.get(k).map(String::as_str);
    let mut out: Vec<usize> = Vec::new();
    let in_text = |r: std::ops::Range<usize>| r.filter(|&k| k < tokens.len());
    if matches!(at(i + 1), Some("о" | "об" | "республики" | "рк")) {
        out.extend(in_text(i + 2..i + 5));
    } else if starts_any(
        &tokens[i],
        &["правил", "постановлени", "приказ", "регламент"],
    ) {
        out.extend(in_text(i + 1..i + 3));
    } else if starts_any(&tokens[i], &["қағида", "қаулы", "кодекс", "бұйры"])
    {
        // Kazakh titles come first: «Жайылымдарды пайдалану қағидалары», «Еңбек кодексі».
        out.extend(i.saturating_sub(2)..i);
    }
    if i >= 1 && at(i - 1) == Some("туралы") {
        out.extend(i.saturating_sub(4)..i - 1);
    } else if i >= 1 {
        let before = tokens[i - 1].as_str();
        let adjective = ["ого", "ому", "ым", "ый", "ий", "ой", "ом", "ая", "ое"]
            .iter()
            .any(|e| before.ends_with(e))
            && before.chars().count() > 4;
        let code = starts_any(&tokens[i], &["кодекс"]) && before.chars().count() > 2;
        if adjective || code {
            out.push(i - 1);
        }
    }
    out.retain(|&k| legal_anchor(&tokens[k]).is_none());
    out
}

fn is_document(tokens: &[String], i: usize) -> bool {
    let t = tokens[i].as_str();
    if t == "акт" || DOCUMENT_SET.matches(t) {
        return true;
    }
    COURT_DOCUMENT_SET.matches(t)
        && tokens[i.saturating_sub(2)..(i + 3).min(tokens.len())]
            .iter()
            .any(|w| starts_any(w, COURT_WORDS))
}

/// «не», «нет», «без», «жоқ» or a Kazakh negative verb («берілмеді», «алмадым»): «ответа нет с
/// марта» complains of silence, it reports no answer.
fn is_negation(token: &str) -> bool {
    matches!(token, "не" | "нет" | "без" | "ни" | "жоқ" | "емес")
        || [
            "мады",
            "меді",
            "мадым",
            "медім",
            "бады",
            "беді",
            "пады",
            "педі",
            "майды",
            "мейді",
        ]
        .iter()
        .any(|e| token.ends_with(e))
}

fn is_number(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(token: &str) -> bool {
    token.len() == 9 && token.starts_with('d') && is_number(&token[1..])
}

fn request_kind(token: &str) -> Option<RequestKind> {
    REQUEST_TABLE.find(token).map(|(_, kind)| kind)
}

/// A date as far as it is written: «в марте» has no day, «14 марта» no year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DateParts {
    year: Option<u32>,
    month: u32,
    day: Option<u32>,
}

/// The date at `tokens[i]`: a date token (`dYYYYMMDD`) or a month word with the day before it and
/// the year after it when they are written.
fn date_parts<S: AsRef<str>>(tokens: &[S], i: usize) -> Option<DateParts> {
    let t = tokens[i].as_ref();
    if is_date(t) {
        let n = |r: std::ops::Range<usize>| t.get(r).and_then(|v| v.parse::<u32>().ok());
        return Some(DateParts {
            year: n(1..5),
            month: n(5..7)?,
            day: n(7..9),
        });
    }
    let month = month_word(t)?;
    let number = |k: usize, max_len: usize| {
        tokens
            .get(k)
            .map(AsRef::as_ref)
            .filter(|w| is_number(w) && w.len() <= max_len)
            .and_then(|w| w.parse::<u32>().ok())
    };
    Some(DateParts {
        year: number(i + 1, 4).filter(|y| *y >= 1900),
        month,
        day: i
            .checked_sub(1)
            .and_then(|k| number(k, 2))
            .filter(|d| (1..=31).contains(d)),
    })
}

/// The month a month word names, but not a surname made of one («Мамыров», «Наурызбаева»,
/// «Мартынов»).
fn month_word(token: &str) -> Option<u32> {
    const SURNAME: [&str; 11] = [
        "ов", "ев", "ин", "ын", "бай", "бек", "ұл", "қыз", "жан", "гүл", "хан",
    ];
    if matches!(token, "май" | "мая" | "мае") {
        return Some(5);
    }
    let (stem, month) = MONTH_TABLE.find(token)?;
    let rest = &token[stem.len()..];
    (!SURNAME.iter().any(|s| rest.starts_with(s))).then_some(month)
}

/// Words after a number that make it a time of day («с 9 утра до 23 часов»), not a quantity.
const TIME_WORDS: &[&str] = &[
    "час",
    "утра",
    "вечера",
    "ночи",
    "минут",
    "сағат",
    "таңғы",
    "кешкі",
];

/// What an appeal says that a later one may repeat — its numbers and dates exactly and the kinds
/// of request it makes — read once per text ([`super::Fingerprint::known_parts`]).
#[derive(Debug, Clone, Default)]
pub struct KnownParts {
    /// Numbers and date tokens, exactly: stems are cut to six characters, which would make every
    /// date of one year «the same».
    numbers: Vec<String>,
    /// Dates as (year, month, day), from date tokens and month words («в марте», «14 марта»),
    /// so that «14 марта 2025» and «в марте 2025 года (14 числа)» are one date.
    dates: Vec<DateParts>,
    requests: Vec<RequestKind>,
}

impl KnownParts {
    /// Reads the canonical content tokens of an appeal.
    pub fn of<'t>(tokens: impl IntoIterator<Item = &'t String>) -> Self {
        let mut requests = Vec::new();
        let mut numbers = Vec::new();
        let mut dates = Vec::new();
        let tokens: Vec<&String> = tokens.into_iter().collect();
        for (i, t) in tokens.iter().enumerate() {
            let t = *t;
            if let Some(d) = date_parts(&tokens, i) {
                if let (Some(y), Some(day)) = (d.year, d.day) {
                    numbers.push(y.to_string());
                    numbers.push(day.to_string());
                }
                dates.push(d);
            }
            if t.bytes().any(|b| b.is_ascii_digit()) {
                numbers.push(t.clone());
            }
            // «принять меры к соседу» already asks for whatever the law allows, punishment too.
            if matches!(t.as_str(), "меры" | "мер" | "шара" | "шаралар")
                && !requests.contains(&RequestKind::Punish)
            {
                requests.push(RequestKind::Punish);
            }
            if let Some(kind) = request_kind(t)
                && !requests.contains(&kind)
            {
                requests.push(kind);
            }
        }
        numbers.sort_unstable();
        numbers.dedup();
        Self {
            numbers,
            dates,
            requests,
        }
    }
}

/// What the earlier appeal already says: the hashed stems of its content words (see
/// [`super::features::TextFeatures::stems`]), its [`KnownParts`], and the applicants' own words
/// (name, address, IIN/BIN — never new substance).
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    stems: &'a [u64],
    identity: &'a [u64],
    lang: Lang,
    parts: &'a KnownParts,
}

impl<'a> Known<'a> {
    /// `stems` and `identity` sorted, hashed in the earlier appeal's `lang`.
    #[must_use]
    pub fn new(stems: &'a [u64], identity: &'a [u64], lang: Lang, parts: &'a KnownParts) -> Self {
        Self {
            stems,
            identity,
            lang,
            parts,
        }
    }

    fn has_date(&self, d: DateParts) -> bool {
        let agree = |a: Option<u32>, b: Option<u32>| a.is_none() || b.is_none() || a == b;
        self.parts
            .dates
            .iter()
            .any(|k| k.month == d.month && agree(k.year, d.year) && agree(k.day, d.day))
    }

    /// Whether the earlier appeal has the `i`-th token of `r` (its stem; a number exactly).
    fn has(&self, r: &Reading, i: usize) -> bool {
        let token = r.tokens[i].as_str();
        let h = if r.lang == self.lang {
            r.hashes[i]
        } else {
            stem_hash_of(token, self.lang)
        };
        if self.identity.binary_search(&h).is_ok() {
            return true;
        }
        if token.bytes().any(|b| b.is_ascii_digit()) {
            return self
                .parts
                .numbers
                .binary_search_by(|n| n.as_str().cmp(token))
                .is_ok();
        }
        self.stems.binary_search(&h).is_ok()
    }
}

/// What one token of a new appeal could signal, whatever the earlier appeal says.
#[derive(Debug, Clone, Copy, Default)]
struct Cue {
    /// A named document or an attachment.
    document: bool,
    request: Option<RequestKind>,
    date: Option<DateParts>,
    /// A number that is a quantity (two digits or more, or one before a unit), not a time of day,
    /// a day before a month word or a norm's number.
    quantity: bool,
}

/// A citation of a legal norm: the tokens that name it (its number, its title words).
#[derive(Debug, Clone)]
struct Citation {
    naming: Vec<usize>,
}

/// One clause (or sentence) of a new appeal, read once per check whatever the number of
/// candidates: its tokens, their hashed stems and what each may signal. [`new_signals`] then
/// only looks the candidates up.
#[derive(Debug, Clone)]
pub struct Reading {
    tokens: Vec<String>,
    hashes: Vec<u64>,
    lang: Lang,
    cues: Vec<Cue>,
    citations: Vec<Citation>,
    /// The clause only speaks of the earlier appeal («моё обращение от 12.03.2025»): its dates
    /// and numbers are that appeal's.
    refers_to_earlier: bool,
    /// A line of only numbers is the letter's own date or reference, not a statement.
    only_numbers: bool,
}

impl Reading {
    /// Reads canonical tokens of a text in `lang`.
    #[must_use]
    pub fn new(tokens: Vec<String>, lang: Lang) -> Self {
        let hashes = tokens.iter().map(|t| stem_hash_of(t, lang)).collect();
        let only_numbers = tokens.iter().all(|t| is_number(t) || is_date(t));
        let answer_reported =
            tokens.iter().any(|t| ANSWER_SET.matches(t)) && !tokens.iter().any(|t| is_negation(t));
        let refers_to_earlier = !answer_reported
            && (tokens.iter().any(|t| EARLIER_VERB_SET.matches(t))
                || (tokens.iter().any(|t| EARLIER_APPEAL_SET.matches(t))
                    && tokens.iter().any(|t| EARLIER_MARKER_SET.matches(t))));
        // Numbers around a norm's name are the norm's («статья 42», «42-бабы»), not quantities.
        let mut in_norm = vec![false; tokens.len()];
        let mut citations = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            let Some(norm) = legal_anchor(t) else {
                continue;
            };
            let window = i.saturating_sub(2)..(i + 3).min(tokens.len());
            let mut naming: Vec<usize> =
                window.clone().filter(|&j| is_number(&tokens[j])).collect();
            if norm == Norm::Named {
                naming.extend(title_words(&tokens, i).into_iter().filter(|&j| {
                    let w = tokens[j].as_str();
                    !is_stop_word(w) && !CITATION_SET.matches(w)
                }));
            }
            for j in window {
                in_norm[j] |= is_number(&tokens[j]);
            }
            citations.push(Citation { naming });
        }
        let cues = (0..tokens.len())
            .map(|i| {
                let t = tokens[i].as_str();
                let next = tokens.get(i + 1).map_or("", String::as_str);
                let date = if in_norm[i] {
                    None
                } else {
                    date_parts(&tokens, i)
                };
                Cue {
                    document: is_document(&tokens, i)
                        || (ATTACHED_SET.matches(t) && !refers_to_earlier),
                    request: request_kind(t),
                    date,
                    quantity: date.is_none()
                        && !in_norm[i]
                        && is_number(t)
                        && month_word(next).is_none()
                        && !TIME_SET.matches(next)
                        && (t.len() >= 2 || UNIT_SET.matches(next)),
                }
            })
            .collect();
        Self {
            tokens,
            hashes,
            lang,
            cues,
            citations,
            refers_to_earlier,
            only_numbers,
        }
    }

    /// The canonical tokens read.
    #[must_use]
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// Hashed stems of the content words (stop words dropped), sorted, deduplicated — as
    /// [`super::features::extract`] computes a fragment's, without stemming again.
    #[must_use]
    pub fn content_stems(&self) -> Vec<u64> {
        let mut stems: Vec<u64> = self
            .tokens
            .iter()
            .zip(&self.hashes)
            .filter(|(t, _)| !is_stop_word(t))
            .map(|(_, h)| *h)
            .collect();
        stems.sort_unstable();
        stems.dedup();
        stems
    }
}

/// The kinds of new substance in one clause of the new appeal, compared with what the earlier
/// appeal says; `asking` tells whether the clause's sentence is a request ([`asks`]), where alone
/// a demand counts. Sorted, without repeats.
#[must_use]
pub fn new_signals(r: &Reading, asking: bool, known: &Known<'_>) -> Vec<Signal> {
    let mut out = Vec::new();
    if r.only_numbers {
        return out;
    }
    let mut add = |s: Signal| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    if r.citations
        .iter()
        .any(|c| c.naming.iter().any(|&j| !known.has(r, j)))
    {
        add(Signal::LegalNorm);
    }
    for (i, cue) in r.cues.iter().enumerate() {
        if cue.document && !known.has(r, i) {
            add(Signal::Document);
        }
        if asking
            && let Some(kind) = cue.request
            && !known.parts.requests.contains(&kind)
        {
            add(Signal::Request);
        }
        if r.refers_to_earlier {
            continue;
        }
        if let Some(d) = cue.date {
            // «15.10.2025», «в июне», «Пятнадцатого августа», «желтоқсанда».
            if !known.has_date(d) {
                add(Signal::Date);
            }
        } else if cue.quantity && !known.has(r, i) {
            add(Signal::Number);
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::normalize::tokenize;

    fn signals_in(clause: &str, earlier: &str, lang: Lang) -> Vec<Signal> {
        let text = crate::dedup::normalize::analyze(earlier);
        let features = crate::dedup::features::extract(&text);
        assert_eq!(features.lang, lang);
        let parts = KnownParts::of(text.content().flat_map(|f| f.tokens.iter()));
        let known = Known::new(&features.stems, &[], lang, &parts);
        let tokens = tokenize(clause);
        let asking = asks(&tokens);
        new_signals(&Reading::new(tokens, lang), asking, &known)
    }

    fn signals(clause: &str, earlier: &str) -> Vec<Signal> {
        signals_in(clause, earlier, Lang::Ru)
    }

    const EARLIER: &str = "Управляющая компания не ремонтирует крышу дома 15, вода заливает \
        квартиры. Прошу провести проверку.";

    #[test]
    fn dedup_substance_cited_norm_is_new_unless_cited_before() {
        let clause =
            "в нарушение статьи 42 Закона «О жилищных отношениях» компания не ремонтирует крышу";
        assert_eq!(signals(clause, EARLIER), vec![Signal::LegalNorm]);
        let cited = format!("{EARLIER} Это нарушает статью 42 Закона о жилищных отношениях.");
        assert!(signals(clause, &cited).is_empty());
        assert!(signals("мы хотим стать участниками программы", EARLIER).is_empty());
    }

    #[test]
    fn dedup_substance_dates_sums_documents_and_requests() {
        assert_eq!(
            signals(
                "15.10.2025 комиссия акимата составила акт обследования",
                EARLIER
            ),
            vec![Signal::Date, Signal::Document]
        );
        assert_eq!(
            signals("ущерб составил 412 000 тенге", EARLIER),
            vec![Signal::Number]
        );
        assert_eq!(
            signals(
                "прошу возместить ущерб и привлечь виновных к ответственности",
                EARLIER
            ),
            vec![Signal::Request]
        );
        assert_eq!(
            signals("решением суда от 5 марта обязали компанию", EARLIER),
            vec![Signal::Date, Signal::Document]
        );
        // The earlier appeal's own date and a house number already stated are not new.
        assert!(signals("я уже писал вам обращение от 12.03.2025", EARLIER).is_empty());
        assert!(signals("крышу дома 15 так и не отремонтировали", EARLIER).is_empty());
    }

    #[test]
    fn dedup_substance_kazakh() {
        let earlier = "Үйіміздің шатыры ағады, пәтерлерді су басады. Тексеруді сұраймын.";
        let s = |c: &str| signals_in(c, earlier, Lang::Kk);
        assert_eq!(
            s("Тұрғын үй қатынастары туралы Заңның 42-бабы бұзылды"),
            vec![Signal::LegalNorm]
        );
        assert_eq!(
            s("келтірілген залалды өтеуді сұраймын"),
            vec![Signal::Request]
        );
        assert_eq!(
            s("2025 жылғы 15 қазанда тексеру актісі жасалды"),
            vec![Signal::Date, Signal::Document]
        );
    }
}
