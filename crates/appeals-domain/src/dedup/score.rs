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
    if union == 0 { 0.0 } else { inter as f64 / union as f64 }
}

/// Containment of `part` in `whole`: `|part ∩ whole| / |part|` (0 for an empty `part`).
#[must_use]
pub fn containment(part: &[u64], whole: &[u64]) -> f64 {
    if part.is_empty() { 0.0 } else { intersection_size(part, whole) as f64 / part.len() as f64 }
}

/// Overlap coefficient `|a ∩ b| / min(|a|, |b|)`: "same topic" even when one text is much longer.
#[must_use]
pub fn overlap(a: &[u64], b: &[u64]) -> f64 {
    let m = a.len().min(b.len());
    if m == 0 { 0.0 } else { intersection_size(a, b) as f64 / m as f64 }
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
    /// Number of the fragment's content stems absent from the earlier appeal.
    pub new_stems: usize,
}

/// Fragments of `new` not covered by `old`: coverage below `covered_at` and at least `min_stems`
/// content stems (shorter fragments — «Помогите!» — carry no argument).
#[must_use]
pub fn novel_fragments(
    new_text: &str,
    new_norm: &NormalizedText,
    new: &TextFeatures,
    old: &TextFeatures,
    covered_at: f64,
    min_stems: usize,
) -> Vec<NovelFragment> {
    let mut out = Vec::new();
    for f in &new.fragments {
        if f.stems.len() < min_stems.max(1) {
            continue;
        }
        let covered = intersection_size(&f.stems, &old.stems);
        let coverage = covered as f64 / f.stems.len() as f64;
        if coverage >= covered_at {
            continue;
        }
        let Some(frag) = new_norm.fragments.get(f.fragment) else { continue };
        let Some(text) = new_text.get(frag.span.clone()) else { continue };
        out.push(NovelFragment {
            text: text.to_owned(),
            start: frag.span.start,
            end: frag.span.end,
            coverage,
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
