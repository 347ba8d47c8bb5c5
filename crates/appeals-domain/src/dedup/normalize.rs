//! Normalisation of Russian and Kazakh appeal texts for the duplicate check (p.13, p.2(2), R14).
//!
//! p.2(2) says an appeal is a duplicate even when it is "worded differently or submitted in a
//! different form" and "addressed to different subjects". So everything that differs between two
//! copies of the same appeal without changing its substance is folded away here:
//!
//! * case, `ё`→`е`, Latin look-alike letters typed inside Cyrillic words (`Aкимат` with a Latin
//!   `A`); the Kazakh letters `ә ғ қ ң ө ұ ү һ і` are kept as they are (they carry meaning);
//! * punctuation and whitespace (tokens are runs of letters or of digits);
//! * numbers → canonical digits without leading zeros; dates written as `12.03.2024`,
//!   `2024-03-12`, `12 марта 2024 г.` or `2024 жылғы 12 наурыз` → one token `d20240312`;
//! * boilerplate that differs from copy to copy: the addressee/applicant header («Акиму района»,
//!   «от Иванова И.И.», «… әкіміне», «тұратын …»), greetings («Здравствуйте», «Уважаемый …»,
//!   «Сәлеметсіз бе», «Құрметті …»), the closing and everything after it («С уважением»,
//!   «Құрметпен», «Заранее спасибо»), contact lines, phone numbers and e-mail/URL addresses.
//!
//! The text is split into fragments (sentences, or lines without end punctuation) whose byte spans
//! in the original text are kept, because novelty (new arguments, p.2(2)) must be shown to the
//! registrar verbatim.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// What a fragment is, as far as the duplicate check is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FragmentKind {
    /// Substance of the appeal: compared and eligible for novelty.
    Content,
    /// Addressee / applicant / title lines at the top of the letter.
    Header,
    /// A greeting or a form of address with nothing else in it.
    Greeting,
    /// The closing formula and everything after it (signature, date, contacts).
    Closing,
    /// A contact line (phone, e-mail).
    Contact,
}

/// One sentence or line of the original text with its canonical tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// Byte range of the fragment in the original text, trimmed of surrounding whitespace and, for
    /// a fragment that began with a greeting clause, of that clause.
    pub span: Range<usize>,
    /// Classification; only [`FragmentKind::Content`] fragments carry substance.
    pub kind: FragmentKind,
    /// Canonical tokens (empty for boilerplate fragments).
    pub tokens: Vec<String>,
}

/// A text split into fragments with canonical tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormalizedText {
    /// All fragments in order, boilerplate included (so spans can be shown).
    pub fragments: Vec<Fragment>,
}

impl NormalizedText {
    /// Content fragments only.
    pub fn content(&self) -> impl Iterator<Item = &Fragment> {
        self.fragments
            .iter()
            .filter(|f| f.kind == FragmentKind::Content && !f.tokens.is_empty())
    }

    /// The canonical form: one content fragment per line, tokens separated by one space.
    #[must_use]
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        for f in self.content() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&f.tokens.join(" "));
        }
        out
    }
}

/// The canonical form of `text` (see the module docs). Idempotent:
/// `normalize(&normalize(t)) == normalize(t)`.
#[must_use]
pub fn normalize(text: &str) -> String {
    analyze(text).canonical()
}

/// Splits `text` into fragments, classifies boilerplate and computes canonical tokens.
#[must_use]
pub fn analyze(text: &str) -> NormalizedText {
    let mut fragments = Vec::new();
    // Header lines and greetings only occur before the body; once a content fragment is seen
    // a line such as «В акимат района я обращался дважды» is substance, not a header.
    let mut in_header_zone = true;
    let mut closed = false;
    for span in split_fragments(text) {
        if closed {
            fragments.push(Fragment {
                span,
                kind: FragmentKind::Closing,
                tokens: Vec::new(),
            });
            continue;
        }
        let (span, tokens, greeting_only) = strip_greetings(text, span);
        let kind = if greeting_only {
            FragmentKind::Greeting
        } else if starts_with_any(&tokens, CLOSINGS) {
            // «Заранее благодарю…» before any content is a courtesy, not the end of the letter:
            // closing there would drop the whole body as signature.
            if in_header_zone {
                FragmentKind::Greeting
            } else {
                closed = true;
                FragmentKind::Closing
            }
        } else if tokens
            .first()
            .is_some_and(|t| CONTACT_WORDS.contains(&t.as_str()))
        {
            FragmentKind::Contact
        } else if in_header_zone && is_header(&tokens) {
            FragmentKind::Header
        } else {
            if !tokens.is_empty() {
                in_header_zone = false;
            }
            FragmentKind::Content
        };
        let tokens = if kind == FragmentKind::Content {
            tokens
        } else {
            Vec::new()
        };
        fragments.push(Fragment { span, kind, tokens });
    }
    NormalizedText { fragments }
}

/// Abbreviations after which a full stop does not end a sentence («г. Алматы», «ул. Абая»,
/// «д. 5», «Алматы қ.»). Single letters (initials «И. И.») are handled separately.
const ABBREVIATIONS: &[&str] = &[
    "г",
    "гг",
    "ул",
    "кв",
    "мкр",
    "пр",
    "просп",
    "обл",
    "им",
    "тел",
    "стр",
    "корп",
    "каб",
    "пос",
    "ст",
    "жж",
    "көш",
    "ауд",
    "респ",
    "тг",
    "млн",
    "млрд",
    "тыс",
    "руб",
    "др",
    "см",
    "напр",
    "пер",
    "мкрн",
    "тенге",
    "шт",
    "пл",
    "ш",
    "ж",
    "қ",
    "д",
    "п",
    "с",
    "т",
    "е",
];

/// Byte spans of sentences / lines, trimmed, empty ones dropped.
#[must_use]
pub fn split_fragments(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = 0usize;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0usize;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c == '\n' || c == '\r' {
            push_trimmed(text, start..pos, &mut spans);
            start = pos + c.len_utf8();
            i += 1;
            continue;
        }
        if is_terminator(c) {
            // A run of terminators and closing quotes/brackets belongs to the sentence.
            let mut j = i;
            while j < chars.len() && (is_terminator(chars[j].1) || is_closer(chars[j].1)) {
                j += 1;
            }
            let run_is_single_dot = c == '.' && (j - i == 1 || !is_terminator(chars[i + 1].1));
            let followed_by_space = j >= chars.len() || chars[j].1.is_whitespace();
            if followed_by_space && !(run_is_single_dot && is_abbreviation_before(text, pos)) {
                let end = if j < chars.len() {
                    chars[j].0
                } else {
                    text.len()
                };
                push_trimmed(text, start..end, &mut spans);
                start = end;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push_trimmed(text, start..text.len(), &mut spans);
    spans
}

/// Byte spans of the clauses of one fragment `span` of `text`: split at commas, semicolons,
/// colons, dashes and brackets (not at a comma between digits, «1,5 млн»), trimmed, empty ones
/// dropped. Novelty below the sentence is judged per clause (p.2(2): a repeated sentence can
/// carry a new argument in one clause).
#[must_use]
pub fn clause_spans(text: &str, span: Range<usize>) -> Vec<Range<usize>> {
    let Some(s) = text.get(span.clone()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut prev: Option<char> = None;
    let mut iter = s.char_indices().peekable();
    while let Some((pos, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let splits = match c {
            ',' => {
                !(prev.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit()))
            }
            ';' | ':' | '—' | '–' | '(' | ')' => true,
            '-' => prev.is_some_and(char::is_whitespace) && next.is_some_and(char::is_whitespace),
            // «… 287 450 тенге. В ЦОН говорят …»: a sentence the splitter kept whole because of
            // the abbreviation-like word before the full stop.
            '.' => {
                s[pos + 1..]
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
                    && s[pos + 1..].starts_with(char::is_whitespace)
                    && word_before_is_long(s, pos)
            }
            _ => false,
        };
        if splits {
            push_trimmed(s, start..pos, &mut out);
            start = pos + c.len_utf8();
        }
        prev = Some(c);
    }
    push_trimmed(s, start..s.len(), &mut out);
    out.into_iter()
        .map(|r| span.start + r.start..span.start + r.end)
        .collect()
}

/// Whether the word before byte `dot` is a number or has at least five letters («тенге.»), so
/// the full stop is not that of «г. Уральск» or «ул. Абая».
fn word_before_is_long(text: &str, dot: usize) -> bool {
    let word: Vec<char> = text[..dot]
        .chars()
        .rev()
        .take_while(|c| is_word_char(*c))
        .collect();
    word.first().is_some_and(char::is_ascii_digit) || word.len() >= 5
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | ';')
}

fn is_closer(c: char) -> bool {
    matches!(c, '»' | '"' | ')' | '”' | '\'' | ']')
}

/// Whether the word right before the full stop at `dot` is an abbreviation or an initial.
fn is_abbreviation_before(text: &str, dot: usize) -> bool {
    let before = &text[..dot];
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !is_letter(*c))
        .map_or(0, |(p, c)| p + c.len_utf8());
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    if word.chars().count() == 1 {
        return true;
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

fn push_trimmed(text: &str, span: Range<usize>, spans: &mut Vec<Range<usize>>) {
    let s = &text[span.clone()];
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    if !trimmed.is_empty() {
        let start = span.start + lead;
        spans.push(start..start + trimmed.len());
    }
}

/// Salutations: stripped on their own when no comma follows («Здравствуйте я …»).
const SALUTATIONS: &[&[&str]] = &[
    &["здравствуите"],
    &["здравствуйте"],
    &["здравствуй"],
    &["добрый", "день"],
    &["добрый", "вечер"],
    &["доброе", "утро"],
    &["доброго", "времени", "суток"],
    &["доброго", "дня"],
    &["приветствую"],
    &["сәлеметсіз", "бе"],
    &["сәлеметсіздер", "ме"],
    &["сәлеметсіз"],
    &["сәлем"],
    &["армысыз"],
    &["армысыздар"],
    &["қайырлы", "күн"],
    &["ассалаумағалейкум"],
    &["ассаламуалейкум"],
];

/// Forms of address: they run to the first comma or the end of the fragment («Уважаемый Ерлан
/// Болатович!», «Құрметті әкім мырза,»).
const ADDRESS_FORMS: &[&[&str]] = &[
    &["уважаемый"],
    &["уважаемая"],
    &["уважаемые"],
    &["құрметті"],
    &["дорогой"],
    &["дорогая"],
];

/// Closing formulas: the fragment and everything after it is the signature block.
const CLOSINGS: &[&[&str]] = &[
    &["с", "уважением"],
    &["заранее", "спасибо"],
    &["заранее", "благодарю"],
    &["заранее", "благодарим"],
    &["спасибо", "за", "внимание"],
    &["благодарю", "за", "внимание"],
    &["құрметпен"],
    &["алдын", "ала", "рахмет"],
    &["алдын", "ала", "алғыс"],
    &["назарларыңызға", "рахмет"],
    &["подпись"],
    &["қолы"],
];

/// First words of contact lines.
const CONTACT_WORDS: &[&str] = &[
    "тел",
    "телефон",
    "моб",
    "e",
    "мобильный",
    "сот",
    "контактный",
    "контактные",
    "контакты",
    "email",
    "mail",
    "эл",
    "почта",
    "байланыс",
    "ұялы",
    "whatsapp",
    "ватсап",
];

/// Words that open an addressee / applicant / title line.
const HEADER_FIRST_WORDS: &[&str] = &[
    "от",
    "кому",
    "заявитель",
    "акиму",
    "начальнику",
    "руководителю",
    "директору",
    "министру",
    "прокурору",
    "председателю",
    "главе",
    "депутату",
    "генеральному",
    "заместителю",
    "уполномоченному",
    "в",
    "во",
    "жалоба",
    "заявление",
    "обращение",
    "запрос",
    "предложение",
    "өтініш",
    "арыз",
    "шағым",
    "ұсыныс",
    "сұрау",
];

/// Stems that mark an addressee / applicant line anywhere in it (the Kazakh addressee comes
/// last: «Алмалы ауданының әкіміне»).
const HEADER_STEMS: &[&str] = &[
    "проживающ",
    "зарегистрирован",
    "адрес",
    "иин",
    "бин",
    "әкіміне",
    "әкімдігіне",
    "басшысына",
    "прокурорына",
    "бастығына",
    "төрағасына",
    "директорына",
    "министріне",
    "депутатына",
    "басқармасына",
    "бөліміне",
    "департаментіне",
    "уәкілге",
    "тұратын",
    "мекенжай",
    "жсн",
    "бсн",
];

/// A header line is short and made of addressee/applicant words. Short so that a real first
/// sentence starting with «В …» survives unless it is the addressee line.
fn is_header(tokens: &[String]) -> bool {
    if tokens.is_empty() || tokens.len() > 14 {
        return false;
    }
    let first = tokens[0].as_str();
    if HEADER_FIRST_WORDS.contains(&first) {
        // «В акимат района я обращался дважды» is a sentence; an addressee line has no verb, which
        // we cannot see cheaply, so «в/во» only counts for short lines.
        return !matches!(first, "в" | "во") || tokens.len() <= 6;
    }
    tokens
        .iter()
        .any(|t| HEADER_STEMS.iter().any(|s| t.starts_with(s)))
}

fn starts_with_any(tokens: &[String], phrases: &[&[&str]]) -> bool {
    phrase_len(tokens, phrases).is_some()
}

fn phrase_len(tokens: &[String], phrases: &[&[&str]]) -> Option<usize> {
    phrases
        .iter()
        .filter(|p| p.len() <= tokens.len() && p.iter().zip(tokens).all(|(a, b)| *a == b.as_str()))
        .map(|p| p.len())
        .max()
}

/// Removes leading greeting clauses. Returns the remaining span, its tokens and whether the whole
/// fragment was a greeting.
fn strip_greetings(text: &str, mut span: Range<usize>) -> (Range<usize>, Vec<String>, bool) {
    let mut tokens = tokenize(&text[span.clone()]);
    loop {
        let salutation = phrase_len(&tokens, SALUTATIONS);
        let address = phrase_len(&tokens, ADDRESS_FORMS);
        if salutation.is_none() && address.is_none() {
            return (span, tokens, false);
        }
        let s = &text[span.clone()];
        if let Some(comma) = s.find(',') {
            let rest = span.start + comma + 1;
            let rest_trim = text[rest..span.end].len() - text[rest..span.end].trim_start().len();
            span = rest + rest_trim..span.end;
            tokens = tokenize(&text[span.clone()]);
            if tokens.is_empty() {
                return (span, tokens, true);
            }
            continue;
        }
        match salutation {
            // «Здравствуйте я живу …»: drop only the salutation words.
            Some(n) if address.is_none() && n < tokens.len() => {
                tokens.drain(..n);
            }
            _ => return (span, Vec::new(), true),
        }
    }
}

/// A token before the canonical pass.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    /// ASCII digits, leading zeros stripped.
    Num(String),
    /// `dYYYYMMDD`.
    Date(String),
}

impl Tok {
    fn into_string(self) -> String {
        match self {
            Tok::Word(s) | Tok::Num(s) | Tok::Date(s) => s,
        }
    }

    fn text(&self) -> &str {
        match self {
            Tok::Word(s) | Tok::Num(s) | Tok::Date(s) => s,
        }
    }
}

/// Canonical tokens of one fragment.
#[must_use]
pub fn tokenize(fragment: &str) -> Vec<String> {
    let raw = scan(fragment);
    let dated = word_dates(raw);
    let without_phones = drop_phones(dated);
    drop_year_markers(without_phones)
        .into_iter()
        .map(Tok::into_string)
        .collect()
}

/// Latin letters that look like Cyrillic ones, by case (`H` looks like `Н`, `h` like `һ`).
fn homoglyph(c: char) -> Option<char> {
    Some(match c {
        'A' => 'А',
        'B' => 'В',
        'C' => 'С',
        'E' => 'Е',
        'H' => 'Н',
        'I' => 'І',
        'K' => 'К',
        'M' => 'М',
        'O' => 'О',
        'P' => 'Р',
        'T' => 'Т',
        'X' => 'Х',
        'Y' => 'У',
        'a' => 'а',
        'c' => 'с',
        'e' => 'е',
        'h' => 'һ',
        'i' => 'і',
        'k' => 'к',
        'o' => 'о',
        'p' => 'р',
        'x' => 'х',
        'y' => 'у',
        _ => return None,
    })
}

/// `char::is_alphanumeric` with fast paths for ASCII and the Cyrillic block (Russian and Kazakh
/// letters): the general Unicode table lookup took two thirds of the signature time.
#[must_use]
pub fn is_word_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => true,
        // The Cyrillic block is all letters except U+0482 (a sign) and U+0483–U+0489 (marks).
        '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}' => true,
        _ if c.is_ascii() => false,
        _ => c.is_alphanumeric(),
    }
}

/// `char::is_alphabetic` with the same fast paths as [`is_word_char`].
#[must_use]
pub fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}' => true,
        _ if c.is_ascii() => false,
        _ => c.is_alphabetic(),
    }
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// First pass: words, numbers and numeric dates; e-mails and URLs skipped.
fn scan(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut iter = s.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((pos, c)) = iter.next() {
        let chunk_start = prev.is_none_or(char::is_whitespace);
        if chunk_start && !c.is_whitespace() {
            let chunk_end = s[pos..]
                .find(char::is_whitespace)
                .map_or(s.len(), |e| pos + e);
            let chunk = &s[pos..chunk_end];
            let starts = |p: &str| {
                chunk
                    .get(..p.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(p))
            };
            if chunk.contains('@') || starts("http://") || starts("https://") || starts("www.") {
                // Contacts differ between copies and carry no substance.
                while iter.peek().is_some_and(|(p, _)| *p < chunk_end) {
                    iter.next();
                }
                prev = Some('@');
                continue;
            }
        }
        let word_start = prev.is_none_or(|p| !is_word_char(p));
        if word_start
            && c.is_ascii_digit()
            && let Some((date, len)) = numeric_date(&s[pos..])
        {
            out.push(Tok::Date(date));
            let end = pos + len;
            let mut last = c;
            while let Some((p, ch)) = iter.peek().copied() {
                if p >= end {
                    break;
                }
                last = ch;
                iter.next();
            }
            prev = Some(last);
            run_start = None;
            continue;
        }
        if is_word_char(c) {
            if run_start.is_none() {
                run_start = Some(pos);
            }
        } else if let Some(st) = run_start.take() {
            push_run(&s[st..pos], &mut out);
        }
        prev = Some(c);
    }
    if let Some(st) = run_start {
        push_run(&s[st..], &mut out);
    }
    out
}

/// Lowercase (with `ё`→`е`) for ASCII, Russian and Kazakh letters without the Unicode table
/// lookup of `char::to_lowercase`, which dominated normalisation time; `None` for other characters.
fn fast_lower(c: char) -> Option<char> {
    let l = match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        'a'..='z' | '0'..='9' => c,
        'Ё' | 'ё' => 'е',
        'А'..='Я' => char::from_u32(c as u32 + 32)?,
        'а'..='я' | 'ѐ'..='џ' => c,
        'Ѐ'..='Џ' => char::from_u32(c as u32 + 80)?,
        'Ә' => 'ә',
        'Ғ' => 'ғ',
        'Қ' => 'қ',
        'Ң' => 'ң',
        'Ө' => 'ө',
        'Ұ' => 'ұ',
        'Ү' => 'ү',
        'Һ' => 'һ',
        'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' => c,
        _ => return None,
    };
    Some(l)
}

/// Folds one run of alphanumeric characters into tokens.
fn push_run(run: &str, out: &mut Vec<Tok>) {
    // The canonical date token must survive a second pass unsplit (only `D` changes when folded).
    if run.len() == 9
        && run.starts_with(['d', 'D'])
        && run.bytes().skip(1).all(|b| b.is_ascii_digit())
    {
        out.push(Tok::Date(run.to_ascii_lowercase()));
        return;
    }
    let mixed = run.chars().any(is_cyrillic) && run.chars().any(|c| c.is_ascii_alphabetic());
    // Fold and split in one pass: at non-alphanumerics produced by lowercasing («İ») and at
    // digit/letter boundaries («2024г», «5а»), so that «5а» and «5 а» fold the same.
    let mut piece = String::with_capacity(run.len());
    let mut piece_digits = false;
    let mut push = |c: char, piece: &mut String, out: &mut Vec<Tok>| {
        if !is_word_char(c) {
            flush_piece(piece, out);
            return;
        }
        let d = c.is_ascii_digit();
        if !piece.is_empty() && d != piece_digits {
            flush_piece(piece, out);
        }
        piece_digits = d;
        piece.push(c);
    };
    for c in run.chars() {
        let c = if mixed { homoglyph(c).unwrap_or(c) } else { c };
        match fast_lower(c) {
            Some(l) => push(l, &mut piece, out),
            None => {
                for l in c.to_lowercase() {
                    push(if l == 'ё' { 'е' } else { l }, &mut piece, out);
                }
            }
        }
    }
    flush_piece(&mut piece, out);
}

fn flush_piece(piece: &mut String, out: &mut Vec<Tok>) {
    if piece.is_empty() {
        return;
    }
    let p = std::mem::take(piece);
    if p.bytes().all(|b| b.is_ascii_digit()) {
        let zeros = p.bytes().take_while(|&b| b == b'0').count();
        out.push(Tok::Num(match zeros {
            0 => p,
            z if z == p.len() => "0".to_owned(),
            z => p[z..].to_owned(),
        }));
    } else {
        out.push(Tok::Word(p));
    }
}

fn date_token(y: u32, m: u32, d: u32) -> Option<String> {
    let year = i32::try_from(y).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, m, d)?;
    if !(1900..=2100).contains(&y) {
        return None;
    }
    Some(format!("d{y:04}{m:02}{d:02}"))
}

/// `dd.mm.yyyy`, `dd/mm/yy`, `dd-mm-yyyy` or `yyyy-mm-dd` at the start of `s`; returns the token
/// and the byte length consumed.
fn numeric_date(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let num = |from: usize, len: usize| -> Option<u32> { s.get(from..from + len)?.parse().ok() };
    let n1 = digits(0);
    let sep = *b.get(n1)?;
    if !matches!(sep, b'.' | b'/' | b'-') {
        return None;
    }
    let n2 = digits(n1 + 1);
    if n2 == 0 || b.get(n1 + 1 + n2) != Some(&sep) {
        return None;
    }
    let p3 = n1 + 1 + n2 + 1;
    let n3 = digits(p3);
    let end = p3 + n3;
    if n1 == 4 && n2 == 2 && n3 == 2 && sep == b'-' {
        return Some((date_token(num(0, 4)?, num(5, 2)?, num(8, 2)?)?, end));
    }
    if !(1..=2).contains(&n1) || !(1..=2).contains(&n2) || !(n3 == 2 || n3 == 4) {
        return None;
    }
    let mut year = num(p3, n3)?;
    if n3 == 2 {
        // Two-digit years in appeals are recent ones.
        year += if year <= 69 { 2000 } else { 1900 };
    }
    Some((date_token(year, num(n1 + 1, n2)?, num(0, n1)?)?, end))
}

/// Month stems, Russian and Kazakh, with their months («май», «мая», «мае» are matched whole:
/// «майдан» is not May).
pub(crate) const MONTH_STEMS: &[(&str, u32)] = &[
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
    ("қаңтар", 1),
    ("ақпан", 2),
    ("наурыз", 3),
    ("сәуір", 4),
    ("мамыр", 5),
    ("маусым", 6),
    ("шілде", 7),
    ("тамыз", 8),
    ("қыркүйек", 9),
    ("қазан", 10),
    ("қараша", 11),
    ("желтоқсан", 12),
];

/// The month a (Russian or Kazakh, possibly inflected) month word names.
fn month_of(word: &str) -> Option<u32> {
    if matches!(word, "май" | "мая" | "мае") {
        return Some(5);
    }
    MONTH_STEMS
        .iter()
        .find(|(p, _)| word.starts_with(p))
        .map(|&(_, m)| m)
}

fn num_value(t: &Tok) -> Option<u32> {
    match t {
        Tok::Num(s) if s.len() <= 4 => s.parse().ok(),
        _ => None,
    }
}

fn word_of(t: &Tok) -> Option<&str> {
    match t {
        Tok::Word(s) => Some(s),
        _ => None,
    }
}

/// Dates written with month words: «12 марта 2024», «2024 жылғы 12 наурыз».
fn word_dates(mut toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        // Russian and Kazakh day-month-year.
        // (Checked in this order so that the month lookup only runs after a number.)
        if i + 2 < toks.len()
            && let Some(d) = num_value(&toks[i])
            && let Some(m) = word_of(&toks[i + 1]).and_then(month_of)
            && let Some(y) = num_value(&toks[i + 2])
            && let Some(tok) = date_token(y, m, d)
        {
            out.push(Tok::Date(tok));
            i += 3;
            continue;
        }
        // Kazakh year-first: «2024 жылғы 12 наурыз(дағы)».
        if i + 3 < toks.len()
            && let Some(y) = num_value(&toks[i])
            && word_of(&toks[i + 1]).is_some_and(|w| matches!(w, "жылғы" | "жылы" | "ж"))
            && let Some(d) = num_value(&toks[i + 2])
            && let Some(m) = word_of(&toks[i + 3]).and_then(month_of)
            && let Some(tok) = date_token(y, m, d)
        {
            out.push(Tok::Date(tok));
            i += 4;
            continue;
        }
        out.push(std::mem::replace(&mut toks[i], Tok::Word(String::new())));
        i += 1;
    }
    out
}

/// Phone numbers: a maximal run of numbers whose digits form a Kazakhstan phone number
/// (`+7 701 123 45 67`, `8 (727) 255-55-55`, `87011234567`): 10–12 digits starting with 7 or 8.
fn drop_phones(mut toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if !matches!(toks[i], Tok::Num(_)) {
            out.push(std::mem::replace(&mut toks[i], Tok::Word(String::new())));
            i += 1;
            continue;
        }
        let mut j = i;
        let mut digits = String::new();
        while j < toks.len()
            && let Tok::Num(n) = &toks[j]
        {
            digits.push_str(n);
            j += 1;
        }
        let phone = (10..=12).contains(&digits.len()) && digits.starts_with(['7', '8']);
        if !phone {
            out.extend(
                toks[i..j]
                    .iter_mut()
                    .map(|t| std::mem::replace(t, Tok::Word(String::new()))),
            );
        }
        i = j;
    }
    out
}

/// «г.», «года», «жылғы» after a date are part of the date.
fn drop_year_markers(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for t in toks {
        let after_date = matches!(out.last(), Some(Tok::Date(_)));
        if after_date
            && matches!(
                t.text(),
                "г" | "гг" | "год" | "года" | "году" | "ж" | "жыл" | "жылы" | "жылғы"
            )
        {
            continue;
        }
        out.push(t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_normalize_folds_case_yo_punctuation_and_homoglyphs() {
        // The «А» of «Акимат» below is Latin.
        assert_eq!(
            normalize("Ещё  раз: Akимат, ЁЛКА! Да."),
            "еще раз акимат елка\nда"
        );
        assert_eq!(normalize("Біздің ҮЙДІҢ шатыры"), "біздің үйдің шатыры");
    }

    #[test]
    fn dedup_normalize_dates_and_numbers() {
        assert_eq!(
            normalize("Случилось 12.03.2024 г. в доме 007"),
            "случилось d20240312 в доме 7"
        );
        assert_eq!(normalize("12 марта 2024 года"), "d20240312");
        assert_eq!(normalize("2024 жылғы 12 наурызда"), "d20240312");
        assert_eq!(normalize("2024-03-12"), "d20240312");
        // Not a date: keeps the numbers.
        assert_eq!(normalize("45.03.2024"), "45 3 2024");
    }

    #[test]
    fn dedup_normalize_thanks_before_the_body_do_not_close_the_letter() {
        let text = "Заранее благодарю за рассмотрение обращения. Крыша течёт уже месяц.\n\
                    Заранее благодарю. Иванов И.И.";
        assert_eq!(normalize(text), "крыша течет уже месяц");
    }

    #[test]
    fn dedup_normalize_drops_boilerplate() {
        let text = "Акиму Алмалинского района\nот Иванова И.И.\n\nЗдравствуйте! Уважаемый аким!\n\
                    Крыша течёт. Тел. +7 (701) 123-45-67, ivanov@mail.kz\nС уважением, Иванов И.И.\n\
                    87011234567";
        assert_eq!(normalize(text), "крыша течет");
        let kk = "Алмалы ауданының әкіміне\nСәлеметсіз бе, құрметті әкім! Шатыр ағып жатыр. \
                  Құрметпен, Асанов А.";
        assert_eq!(normalize(kk), "шатыр ағып жатыр");
        assert_eq!(normalize("Здравствуйте, прошу помочь."), "прошу помочь");
    }

    #[test]
    fn dedup_fragments_keep_original_spans() {
        let text = "Крыша течёт уже год.  В г. Алматы так везде!\nПомогите";
        let n = analyze(text);
        let spans: Vec<&str> = n.fragments.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(
            spans,
            ["Крыша течёт уже год.", "В г. Алматы так везде!", "Помогите"]
        );
    }
}
