//! Full-text search of appeals (issue 25): the words a card is found by, the query, and the
//! highlighted snippet. Pure: the database stores [`index_terms`] in PostgreSQL full-text search
//! or SQLite FTS5 and matches [`Query::terms`]; both backends therefore find the same cards.
//!
//! **Russian and Kazakh.** Neither backend ships a Kazakh stemmer (PostgreSQL has a Russian
//! snowball dictionary, SQLite none), so the terms are this crate's own stems — the light Russian
//! and Kazakh suffix strippers of the duplicate engine, cut to six letters — and a five-letter
//! prefix. Every word is indexed under its Russian stem, its Kazakh stem and its prefix, and a
//! query word matches any of them: a Kazakh word in a Russian letter, or the reverse, is still
//! found, «жолдың» finds «жолға», «кровля» finds «кровли». Stop words and appeal formulas are not
//! indexed. Ranking (PostgreSQL `ts_rank`, SQLite `bm25`) puts cards with more matching terms
//! first.
//!
//! **IIN/BIN.** A 12-digit query looks up the applicants' keyed hashes ([`iin_key`]), never a
//! plain IIN: the index holds no readable identifier and the search is not logged.

use std::ops::Range;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::DomainError;
use crate::dedup::features::{Lang, is_stop_word, stem};
use crate::dedup::normalize::{is_word_char, tokenize};

/// Most words a query may have (each is an index lookup).
pub const MAX_QUERY_WORDS: usize = 12;

/// The terms a card is found by: the stems of the words of its text, short content, tags and
/// applicants' names, each under its Russian and its Kazakh stem; space-separated, each once.
#[must_use]
pub fn index_terms<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut terms: Vec<String> = Vec::new();
    for text in texts {
        for token in tokenize(text) {
            terms.extend(word_terms(&token));
        }
    }
    terms.sort_unstable();
    terms.dedup();
    terms.join(" ")
}

/// The stems a canonical token is indexed (and matched) under: none for stop words and date
/// tokens, the number itself for a number.
fn word_terms(token: &str) -> Vec<String> {
    if is_stop_word(token)
        || token.starts_with('d') && token[1..].bytes().all(|b| b.is_ascii_digit())
    {
        return Vec::new();
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        return vec![token.to_owned()];
    }
    let mut terms = vec![
        stem(token, Lang::Ru),
        stem(token, Lang::Kk),
        prefix_term(token),
    ];
    terms.sort_unstable();
    terms.dedup();
    terms
}

/// A third, cruder key: the first five letters of a long word, a shorter word without its last
/// letter. The light stemmers treat some endings unevenly («кровля» → «кровл» but «кровли» →
/// «кров»); the prefix puts every form of a word under one term.
fn prefix_term(token: &str) -> String {
    let n = token.chars().count();
    let keep = if n >= 6 {
        5
    } else if n >= 4 {
        n - 1
    } else {
        n
    };
    token.chars().take(keep).collect()
}

/// A parsed search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Words: every group must match (AND), a group matches by any of its stems (OR).
    Words(Vec<Vec<String>>),
    /// A 12-digit IIN/BIN: the applicants' keyed hash is looked up.
    IinBin(String),
}

impl Query {
    /// Parses `q`.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] at `/q` when nothing searchable remains (empty, only stop words)
    /// or the query has more than [`MAX_QUERY_WORDS`] words.
    pub fn parse(q: &str) -> Result<Self, DomainError> {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let only_digits = q
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || c == '-');
        if digits.len() == 12 && only_digits {
            return Ok(Self::IinBin(digits));
        }
        let tokens = tokenize(q);
        if tokens.len() > MAX_QUERY_WORDS {
            return Err(DomainError::invalid(
                "/q",
                format!("at most {MAX_QUERY_WORDS} words"),
            ));
        }
        let mut groups: Vec<Vec<String>> = tokens
            .iter()
            .map(|t| word_terms(t))
            .filter(|g| !g.is_empty())
            .collect();
        groups.dedup();
        if groups.is_empty() {
            return Err(DomainError::invalid(
                "/q",
                "nothing to search for: give words of the text, a name or a 12-digit IIN/BIN",
            ));
        }
        Ok(Self::Words(groups))
    }

    /// Every stem of the query (for highlighting).
    #[must_use]
    pub fn stems(&self) -> Vec<&str> {
        match self {
            Self::Words(groups) => groups.iter().flatten().map(String::as_str).collect(),
            Self::IinBin(_) => Vec::new(),
        }
    }
}

/// The keyed hash under which an applicant's IIN/BIN is indexed for search: HMAC-SHA-256 with the
/// deployment's search key, hex. Without the key the 12-digit space cannot be enumerated back.
#[must_use]
pub fn iin_key(key: &[u8], iin_bin: &str) -> String {
    let digits: String = iin_bin.chars().filter(char::is_ascii_digit).collect();
    // HMAC accepts a key of any length, so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(digits.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A piece of a card's text around the first words that matched, with the matched words' byte
/// ranges within it (for a screen to highlight them; no markup is inserted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<Range<usize>>,
}

/// How many words a snippet shows around the first match.
const SNIPPET_WORDS: usize = 28;

/// The snippet of `text` for `stems` (from [`Query::stems`]): the words around the first matching
/// one, matching words marked; the opening words when none matches (a card found by name or IIN).
#[must_use]
pub fn snippet(text: &str, stems: &[&str]) -> Snippet {
    let words = word_spans(text);
    let matches = |span: &Range<usize>| {
        text.get(span.clone()).is_some_and(|w| {
            tokenize(w)
                .iter()
                .flat_map(|t| word_terms(t))
                .any(|term| stems.contains(&term.as_str()))
        })
    };
    let first = words.iter().position(&matches).unwrap_or(0);
    let from = first.saturating_sub(SNIPPET_WORDS / 4);
    let to = (from + SNIPPET_WORDS).min(words.len());
    let (Some(start), Some(end)) = (
        words.get(from).map(|w| w.start),
        words.get(to.saturating_sub(1)).map(|w| w.end),
    ) else {
        return Snippet {
            text: String::new(),
            highlights: Vec::new(),
        };
    };
    let highlights = words[from..to]
        .iter()
        .filter(|w| matches(w))
        .map(|w| w.start - start..w.end - start)
        .collect();
    Snippet {
        text: text.get(start..end).unwrap_or_default().to_owned(),
        highlights,
    }
}

/// Byte ranges of the words (runs of letters and digits) of `text`.
fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, q: &str) -> bool {
        let terms = index_terms([text]);
        let indexed: Vec<&str> = terms.split(' ').collect();
        match Query::parse(q) {
            Ok(Query::Words(groups)) => groups
                .iter()
                .all(|g| g.iter().any(|t| indexed.contains(&t.as_str()))),
            _ => false,
        }
    }

    #[test]
    fn search_finds_inflected_russian_and_kazakh_words() {
        let ru = "Крыша нашего дома протекает, квартиры заливает водой.";
        assert!(found(ru, "крыша квартира"));
        assert!(found(ru, "протекающей крыши"));
        assert!(found("Прошу отремонтировать кровлю и подъезд.", "кровля"));
        assert!(found("Ремонт кровли не начат.", "кровля"));
        assert!(!found(ru, "крыша школа"));
        let kk = "Ауылымыздағы жолдың жағдайы өте нашар, мектепке бару қиын.";
        assert!(found(kk, "жолға"));
        assert!(found(kk, "мектептің жолы"));
        assert!(!found(kk, "аурухана"));
    }

    #[test]
    fn search_query_rules() {
        assert_eq!(
            Query::parse(" 921029 350851 "),
            Ok(Query::IinBin("921029350851".to_owned()))
        );
        assert!(Query::parse("  ").is_err());
        assert!(Query::parse("и в на").is_err());
        let long = "слово ".repeat(MAX_QUERY_WORDS + 1);
        assert!(Query::parse(&long).is_err());
    }

    #[test]
    fn search_iin_key_is_keyed_and_ignores_separators() {
        let a = iin_key(b"key one", "921029350851");
        assert_eq!(a.len(), 64);
        assert_eq!(a, iin_key(b"key one", "921029-350851"));
        assert_ne!(a, iin_key(b"key two", "921029350851"));
        assert!(!a.contains("921029"));
    }

    #[test]
    fn search_snippet_marks_the_matched_words() {
        let text = "Здравствуйте. Прошу отремонтировать крышу дома по улице Абая, крыша течёт.";
        let q = Query::parse("крыша").unwrap_or(Query::Words(Vec::new()));
        let s = snippet(text, &q.stems());
        let marked: Vec<&str> = s.highlights.iter().map(|r| &s.text[r.clone()]).collect();
        assert_eq!(marked, vec!["крышу", "крыша"]);
    }
}
