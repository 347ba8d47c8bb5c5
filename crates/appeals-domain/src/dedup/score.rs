//! Resemblance, containment and novelty between a new appeal and an earlier one (p.2(2)).

use serde::{Deserialize, Serialize};

use super::features::TextFeatures;
use super::normalize::NormalizedText;

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

/// A sentence or line of the new appeal that the earlier appeal does not cover: a candidate new
/// argument or circumstance (p.2(2)), shown to the registrar verbatim.
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
    /// Fragments with fewer content stems are never novel.
    pub min_stems: usize,
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
/// every earlier sentence already taken by its own restatement and stays unpaired. A fragment is novel when it is unpaired, covered below
/// `covered_at` and has at least `min_stems` stems.
#[must_use]
pub fn novel_fragments(
    new_text: &str,
    new_norm: &NormalizedText,
    new: &TextFeatures,
    old: &TextFeatures,
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
        if new_taken[i] || f.stems.len() < p.min_stems.max(1) {
            continue;
        }
        let covered = intersection_size(&f.stems, &old.stems);
        let coverage = covered as f64 / f.stems.len() as f64;
        if coverage >= p.covered_at {
            continue;
        }
        let Some(frag) = new_norm.fragments.get(f.fragment) else {
            continue;
        };
        let Some(text) = new_text.get(frag.span.clone()) else {
            continue;
        };
        out.push(NovelFragment {
            text: text.to_owned(),
            start: frag.span.start,
            end: frag.span.end,
            coverage,
            best_match: best[i],
            new_stems: f.stems.len() - covered,
        });
    }
    out
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
