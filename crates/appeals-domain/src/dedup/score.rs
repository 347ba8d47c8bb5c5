//! Resemblance, containment and novelty between a new appeal and an earlier one (p.2(2)).

use serde::{Deserialize, Serialize};

use super::features::TextFeatures;
use super::normalize::{NormalizedText, clause_spans, tokenize};
use super::substance::{Known, Reading, Signal, about_the_repeat, asks, new_signals};

/// `|a ∩ b|` of two sorted, deduplicated hash sets.
#[must_use]
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Exact Jaccard resemblance `|a ∩ b| / |a ∪ b|` of sorted sets (0 when both are empty: two
/// texts without content are not "the same content").
#[must_use]
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let inter = intersection_size(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Containment of `part` in `whole`: `|part ∩ whole| / |part|` (0 for an empty `part`).
#[must_use]
pub fn containment(part: &[u64], whole: &[u64]) -> f64 {
    if part.is_empty() {
        0.0
    } else {
        intersection_size(part, whole) as f64 / part.len() as f64
    }
}

/// Overlap coefficient `|a ∩ b| / min(|a|, |b|)`: "same topic" even when one text is much longer.
#[must_use]
pub fn overlap(a: &[u64], b: &[u64]) -> f64 {
    let m = a.len().min(b.len());
    if m == 0 {
        0.0
    } else {
        intersection_size(a, b) as f64 / m as f64
    }
}

/// A sentence, line or clause of the new appeal that the earlier appeal does not cover: a
/// candidate new argument or circumstance (p.2(2)), shown to the registrar verbatim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NovelFragment {
    /// The original text of the fragment (not normalised).
    pub text: String,
    /// Byte offset of the fragment in the new appeal's text.
    pub start: usize,
    /// Byte offset just past the fragment.
    pub end: usize,
    /// Share of the fragment's content stems found anywhere in the earlier appeal.
    pub coverage: f64,
    /// Highest similarity (Dice of stems) to any single fragment of the earlier appeal.
    pub best_match: f64,
    /// Number of the fragment's content stems absent from the earlier appeal.
    pub new_stems: usize,
    /// Kinds of new substance in the fragment (a cited norm, a date, a sum, a document, a changed
    /// request) that the earlier appeal does not have; any of them makes the repeat at most
    /// `related` (see [`super::substance`]). Absent in results stored before issue 24.
    #[serde(default)]
    pub signals: Vec<Signal>,
}

/// Dice coefficient `2|a ∩ b| / (|a| + |b|)` of two sorted sets.
#[must_use]
pub fn dice(a: &[u64], b: &[u64]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        0.0
    } else {
        2.0 * intersection_size(a, b) as f64 / total as f64
    }
}

/// Thresholds of [`novel_fragments`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoveltyParams {
    /// A fragment whose stems are found anywhere in the earlier text at least this share is
    /// covered.
    pub covered_at: f64,
    /// A fragment aligned one-to-one with an earlier fragment at least this similar (Dice of
    /// stems) is a restatement of it, however reworded.
    pub align_min: f64,
    /// Fragments with fewer content stems are never novel, unless they carry a signal of new
    /// substance.
    pub min_stems: usize,
    /// Below the sentence: a clause with at least this many content stems absent from the
    /// earlier text …
    pub clause_min_new_stems: usize,
    /// … and covered below this share is novel even inside a restated sentence.
    pub clause_covered_at: f64,
    /// Whether signals of new substance ([`super::substance`]) are read.
    pub signals: bool,
}

/// A content sentence of a new appeal read for novelty once per check, clause by clause
/// ([`read_sentences`]).
#[derive(Debug, Clone)]
pub struct SentenceReading {
    /// The sentence asks for something ([`asks`]): only there a demand is a changed request.
    asking: bool,
    /// The sentence speaks about the repeat or is a courtesy ([`about_the_repeat`]).
    about_the_repeat: bool,
    clauses: Vec<ClauseReading>,
}

/// One clause of a [`SentenceReading`].
#[derive(Debug, Clone)]
struct ClauseReading {
    span: std::ops::Range<usize>,
    /// Hashed content stems, sorted (the applicants' own not yet removed).
    stems: Vec<u64>,
    about_the_repeat: bool,
    reading: Reading,
}

/// Reads every content fragment of `text` (one [`SentenceReading`] per entry of
/// `features.fragments`, in order), for [`novel_fragments`] against any number of candidates.
#[must_use]
pub fn read_sentences(
    text: &str,
    norm: &NormalizedText,
    features: &TextFeatures,
) -> Vec<SentenceReading> {
    features
        .fragments
        .iter()
        .map(|f| {
            let Some(frag) = norm.fragments.get(f.fragment) else {
                return SentenceReading {
                    asking: false,
                    about_the_repeat: false,
                    clauses: Vec::new(),
                };
            };
            let clauses = clause_spans(text, frag.span.clone())
                .into_iter()
                .filter_map(|span| {
                    let tokens = tokenize(text.get(span.clone())?);
                    let about_the_repeat = about_the_repeat(&tokens);
                    let reading = Reading::new(tokens, features.lang);
                    Some(ClauseReading {
                        stems: reading.content_stems(),
                        about_the_repeat,
                        reading,
                        span,
                    })
                })
                .collect::<Vec<ClauseReading>>();
            SentenceReading {
                asking: asks(&frag.tokens),
                about_the_repeat: clauses.iter().any(|c| c.about_the_repeat),
                clauses,
            }
        })
        .collect()
}

/// Fragments of `new` that the earlier text does not cover: the candidate new arguments and
/// circumstances of p.2(2), verbatim.
///
/// A real paraphrase changes half of a sentence's words, so word coverage alone cannot tell a
/// reworded sentence from a new one on the same topic. Restatements are therefore found by
/// **alignment**: new and earlier fragments are paired one-to-one, most similar pairs first
/// (Dice of stems ≥ `align_min`; when exactly as many sentences are left unpaired on both sides —
/// a sentence-for-sentence rewording — the leftovers are paired at `align_min / 2`). A reworded
/// copy pairs every sentence with its original; the new-argument paragraph added to a copy finds
/// every earlier sentence already taken by its own restatement and stays unpaired. A sentence is
/// novel when it is unpaired, covered below `covered_at` and has at least `min_stems` stems.
///
/// **Below the sentence** (p.2(2) is about arguments, not sentences): every other sentence is
/// read clause by clause ([`clause_spans`]); a clause is novel when it carries a signal of new
/// substance ([`super::substance`]: a cited norm, a date, a sum, a document, a changed request
/// the earlier text does not have) or brings at least `clause_min_new_stems` stems absent from
/// the earlier text and is covered below `clause_covered_at`. So «в нарушение статьи 42 Закона …»
/// inside an otherwise repeated sentence is returned as the new part. `identity` are the
/// applicants' own stems (sorted), never novel.
#[must_use]
pub fn novel_fragments(
    new_text: &str,
    new_norm: &NormalizedText,
    (new, sentences): (&TextFeatures, &[SentenceReading]),
    old: &TextFeatures,
    known: &Known<'_>,
    identity: &[u64],
    p: &NoveltyParams,
) -> Vec<NovelFragment> {
    // All pairs above the alignment threshold, most similar first (ties: text order, so the
    // result is deterministic).
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    let mut best = vec![0.0f64; new.fragments.len()];
    for (i, f) in new.fragments.iter().enumerate() {
        for (j, g) in old.fragments.iter().enumerate() {
            let d = dice(&f.stems, &g.stems);
            best[i] = best[i].max(d);
            if d >= p.align_min / 2.0 && d > 0.0 {
                pairs.push((d, i, j));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut new_taken = vec![false; new.fragments.len()];
    let mut old_taken = vec![false; old.fragments.len()];
    let assign = |min: f64, new_taken: &mut [bool], old_taken: &mut [bool]| {
        for &(d, i, j) in &pairs {
            if d >= min && !new_taken[i] && !old_taken[j] {
                new_taken[i] = true;
                old_taken[j] = true;
            }
        }
    };
    assign(p.align_min, &mut new_taken, &mut old_taken);
    // Sentence-for-sentence substitution (as many unpaired sentences left on both sides) is how a
    // rewording looks, so the leftovers are paired at half the threshold. When the new text has
    // more unpaired sentences than the earlier one (added arguments, new events), it is not a
    // substitution and nothing more is paired.
    let left_new = new_taken
        .iter()
        .zip(&new.fragments)
        .filter(|(t, f)| !**t && !f.stems.is_empty())
        .count();
    let left_old = old_taken
        .iter()
        .zip(&old.fragments)
        .filter(|(t, f)| !**t && !f.stems.is_empty())
        .count();
    if left_new > 0 && left_new == left_old {
        assign(p.align_min / 2.0, &mut new_taken, &mut old_taken);
    }
    let mut out = Vec::new();
    for (i, f) in new.fragments.iter().enumerate() {
        let (Some(frag), Some(read)) = (new_norm.fragments.get(f.fragment), sentences.get(i))
        else {
            continue;
        };
        let signals_of = |r: &Reading| {
            if p.signals {
                new_signals(r, read.asking, known)
            } else {
                Vec::new()
            }
        };
        let covered = intersection_size(&f.stems, &old.stems);
        let coverage = covered as f64 / f.stems.len().max(1) as f64;
        if !read.about_the_repeat
            && !new_taken[i]
            && f.stems.len() >= p.min_stems.max(1)
            && coverage < p.covered_at
        {
            // A whole new sentence; its signals are those of its clauses.
            let mut whole = Run::new(frag.span.clone());
            let signals = read
                .clauses
                .iter()
                .flat_map(|c| signals_of(&c.reading))
                .collect();
            whole.add(frag.span.clone(), f.stems.len(), covered, signals);
            whole.push_to(&mut out, new_text, best[i]);
            continue;
        }
        // A restated or covered sentence can still carry a new claim in one of its clauses:
        // consecutive novel clauses make one fragment.
        let mut run: Option<Run> = None;
        for clause in &read.clauses {
            // The clause's stems without the applicants' own, and how many the earlier text has.
            let (mut stems, mut covered) = (0usize, 0usize);
            for h in &clause.stems {
                if identity.binary_search(h).is_err() {
                    stems += 1;
                    covered += usize::from(old.stems.binary_search(h).is_ok());
                }
            }
            let fresh = stems - covered;
            let signals = signals_of(&clause.reading);
            // In a sentence paired with an earlier one (a restatement), only substance makes a
            // clause new: rewording alone changes half the words of every clause.
            let novel = !signals.is_empty()
                || (!new_taken[i]
                    && !clause.about_the_repeat
                    && fresh >= p.clause_min_new_stems.max(1)
                    && (covered as f64) < p.clause_covered_at * stems as f64);
            // A clause that goes on with a new statement («…, и с тех пор работы стоят») belongs
            // to it: the fragment runs on while the clauses are not covered.
            let continues = run.is_some()
                && fresh > 0
                && !clause.about_the_repeat
                && (covered as f64) < p.covered_at * stems as f64;
            if novel || continues {
                run.get_or_insert_with(|| Run::new(clause.span.clone()))
                    .add(clause.span.clone(), stems, covered, signals);
            } else if let Some(done) = run.take() {
                done.push_to(&mut out, new_text, best[i]);
            }
        }
        if let Some(done) = run {
            done.push_to(&mut out, new_text, best[i]);
        }
    }
    out
}

/// Consecutive novel clauses (or a whole sentence) being gathered into one fragment.
struct Run {
    span: std::ops::Range<usize>,
    stems: usize,
    covered: usize,
    signals: Vec<Signal>,
}

impl Run {
    fn new(span: std::ops::Range<usize>) -> Self {
        Self {
            span,
            stems: 0,
            covered: 0,
            signals: Vec::new(),
        }
    }

    /// Extends the fragment to the end of `clause` with its counts and signals.
    fn add(
        &mut self,
        clause: std::ops::Range<usize>,
        stems: usize,
        covered: usize,
        signals: Vec<Signal>,
    ) {
        self.span.end = clause.end;
        self.stems += stems;
        self.covered += covered;
        for s in signals {
            if !self.signals.contains(&s) {
                self.signals.push(s);
            }
        }
    }

    /// The gathered fragment of `new_text`, verbatim with its offsets.
    fn push_to(mut self, out: &mut Vec<NovelFragment>, new_text: &str, best_match: f64) {
        let Some(text) = new_text.get(self.span.clone()) else {
            return;
        };
        self.signals.sort_unstable();
        out.push(NovelFragment {
            text: text.to_owned(),
            start: self.span.start,
            end: self.span.end,
            coverage: self.covered as f64 / self.stems.max(1) as f64,
            best_match,
            new_stems: self.stems - self.covered,
            signals: self.signals,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_set_measures() {
        let a = [1, 2, 3, 4];
        let b = [3, 4, 5, 6, 7, 8];
        assert!((jaccard(&a, &b) - 2.0 / 8.0).abs() < 1e-12);
        assert!((containment(&a, &b) - 0.5).abs() < 1e-12);
        assert!((containment(&b, &a) - 2.0 / 6.0).abs() < 1e-12);
        assert!((overlap(&a, &b) - 0.5).abs() < 1e-12);
        assert!(jaccard(&[], &[]).abs() < f64::EPSILON);
    }
}
