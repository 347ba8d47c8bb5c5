//! The duplicate check (p.13, R13, R14) — a pure engine.
//!
//! p.2(2): a **duplicate** is an appeal from the same person (or group of persons) on the same
//! issue, a copy of or analogous to one sent earlier — also when addressed to a different subject,
//! worded differently or submitted in a different form — that contains no new arguments,
//! circumstances or legal grounds. p.13: the IAS is checked for duplicates **before registration**;
//! a duplicate is still registered and linked to the original (R13). R14: candidates are found by
//! the same IIN/BIN and full name, same settlement; the final qualification is the registrar's
//! decision, so this engine only *advises*.
//!
//! Pipeline: [`normalize`] (case, `ё`, punctuation, dates, boilerplate; fragments with original
//! spans) → [`features`] (stems and stem bigrams) → [`signature`] (MinHash + LSH band keys for the
//! DB index) → [`score`] (Jaccard, containment, novel fragments) + [`applicant`] (same person) →
//! [`Verdict`].
//!
//! What the DB layer stores per registered appeal (issue 5): the [`Signature::to_bytes`] blob
//! (520 bytes with the default `K = 128`: minima and the shingle-set size), the `b = 16` band keys ([`Fingerprint::band_keys`],
//! `u64`, store as `i64` in an indexed `(band_key)` or `(band, band_key)` table) and, per applicant,
//! the [`NormalizedApplicant`] fields `iin_bin`, `name_key` and `kato_settlement` (indexed). At
//! check time it fetches candidates by applicant and by band keys, then calls [`check`] with their
//! texts.

pub mod applicant;
pub mod features;
pub mod hash;
pub mod normalize;
pub mod score;
pub mod signature;
pub mod substance;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use applicant::{ApplicantKey, ApplicantMatch, ApplicantSettings, NormalizedApplicant};
pub use normalize::normalize;
pub use score::NovelFragment;
pub use signature::{MinHasher, Signature, SignatureParams};
pub use substance::Signal;

use crate::DomainError;

/// The engine's advice on one pair or on the whole check (p.2(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Not a repeat of the earlier appeal.
    New,
    /// Same applicant and same issue, but with new arguments or circumstances (or an anonymous
    /// appeal on the same issue, which p.2(2) cannot make a duplicate).
    Related,
    /// Same applicant, same issue, no material novelty: a duplicate in the sense of p.2(2).
    Duplicate,
}

/// Thresholds of the duplicate check. Defaults were tuned on `tests/data/dedup_eval.jsonl`
/// (see `docs/performance.md`, "Domain: duplicate engine").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupSettings {
    /// MinHash / LSH sizes.
    pub signature: SignatureParams,
    /// Who counts as the same applicant (R14).
    pub applicant: ApplicantSettings,
    /// "Same issue": minimum overlap coefficient of the two texts' content stems
    /// (`|A ∩ B| / min(|A|, |B|)`), the applicants' own name/address words excluded.
    /// Default 0.25.
    pub topic_min_overlap: f64,
    /// A fragment of the new text whose stems are found in the earlier text at least this share is
    /// covered (not new). Default 0.60.
    pub fragment_covered_at: f64,
    /// A fragment of the new text paired one-to-one with an earlier fragment at least this similar
    /// (Dice of stems) restates it, however reworded; leftovers of a sentence-for-sentence
    /// rewording are paired at half of it (see [`score::novel_fragments`]). Default 0.15.
    pub fragment_align_min: f64,
    /// Fragments with fewer content stems are never novel («Помогите!»). Default 4.
    pub fragment_min_stems: usize,
    /// The novelty is material (p.2(2): "new arguments, circumstances or legal grounds") when the
    /// novel fragments bring at least this many stems absent from the earlier text, or when one
    /// of them carries a signal of new substance (`substance_signals`). Default 6.
    pub novelty_min_stems: usize,
    /// Below the sentence: a clause of a restated sentence with at least this many stems absent
    /// from the earlier text is novel (when also covered below `clause_covered_at`). [INF]
    /// Default 5.
    pub clause_min_new_stems: usize,
    /// … covered below this share. [INF] Default 0.34.
    pub clause_covered_at: f64,
    /// Read signals of new substance (a cited norm, a new date, sum or document number, a named
    /// document, a changed request — `dedup::substance`): any of them in a novel fragment makes
    /// the repeat at most `related` (p.2(2): "new … circumstances or legal grounds"). [INF]
    /// Default `true`.
    pub substance_signals: bool,
    /// How many LSH bands (the first ones) a named applicant's check probes for *other*
    /// applicants' near-copies of the text. Those can only be `new` (R14, p.2(2): a duplicate is
    /// the same person's) and would be listed for information only, so the verdict never needs
    /// them; each probe costs a registration ≈ 15 % of its throughput (docs/performance.md,
    /// "Probing fewer bands"), and many applicants' near-identical texts are what the campaign
    /// signal shows analysts. With 4 of 16 bands of 3 rows near-copies (J ≥ 0.8) are still found
    /// with P ≥ 0.94. `0` looks at the applicant's own appeals only; a value ≥ the banding's bands
    /// probes all. Anonymous appeals, which have only their text, always probe every band.
    /// [INF] Default 0 (setting `dedup_others_probe_bands`, `appeals dedup probe-others`).
    pub others_probe_bands: u16,
}

impl Default for DedupSettings {
    fn default() -> Self {
        Self {
            signature: SignatureParams::default(),
            applicant: ApplicantSettings::default(),
            topic_min_overlap: 0.25,
            fragment_covered_at: 0.60,
            fragment_align_min: 0.15,
            fragment_min_stems: 4,
            novelty_min_stems: 6,
            clause_min_new_stems: 5,
            clause_covered_at: 0.34,
            substance_signals: true,
            others_probe_bands: 0,
        }
    }
}

impl DedupSettings {
    /// Checks ranges of all thresholds.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] naming the field.
    pub fn validate(&self) -> Result<(), DomainError> {
        self.signature.validate()?;
        let unit = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(DomainError::invalid(name, "must be between 0 and 1"))
            }
        };
        unit(
            "/applicant/min_shared_ratio",
            self.applicant.min_shared_ratio,
        )?;
        unit("/topic_min_overlap", self.topic_min_overlap)?;
        unit("/fragment_align_min", self.fragment_align_min)?;
        unit("/clause_covered_at", self.clause_covered_at)?;
        unit("/fragment_covered_at", self.fragment_covered_at)
    }
}

/// An appeal's text and applicants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Full text as received.
    pub text: String,
    /// Applicants (З-1); empty for an anonymous appeal.
    pub applicants: Vec<ApplicantKey>,
}

/// An earlier appeal fetched as a candidate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateDocument {
    /// The earlier appeal's id (registration number or row id), echoed back.
    pub id: String,
    /// Its text and applicants.
    pub document: Document,
}

/// What a candidate's scores were computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoredOn {
    /// Both texts compared: exact resemblance and containment, novel fragments.
    Text,
    /// Another applicant's appeal (R14: never a duplicate, whatever its text), scored on the two
    /// MinHash signatures alone: estimates with a standard error ≤ 0.044 at `K = 128`, no novel
    /// fragments.
    Signature,
}

/// Scores of one candidate against the new appeal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateScore {
    /// The candidate's id.
    pub id: String,
    /// Advice for this pair.
    pub verdict: Verdict,
    /// Applicant comparison (R14).
    pub applicant: ApplicantMatch,
    /// Exact Jaccard resemblance of the shingle sets.
    pub similarity: f64,
    /// MinHash estimate of `similarity` (what the LSH index saw).
    pub estimated_similarity: f64,
    /// Share of the earlier appeal's shingles repeated in the new one.
    pub containment: f64,
    /// Share of the new appeal's shingles found in the earlier one.
    pub reverse_containment: f64,
    /// Overlap coefficient of content stems ("same issue"); `None` when scored on signatures.
    pub topic_overlap: Option<f64>,
    /// Fragments of the new appeal the earlier one does not cover, verbatim. Empty for another
    /// applicant's appeal: novelty is measured against the same person's earlier appeal (p.2(2)).
    pub novel_fragments: Vec<NovelFragment>,
    /// Texts or signatures.
    pub scored_on: ScoredOn,
}

/// Result of [`check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The strongest verdict over all candidates (`New` without candidates).
    pub verdict: Verdict,
    /// Id of the best `Duplicate` candidate: the proposed `duplicate_of` link (R13).
    pub duplicate_of: Option<String>,
    /// All candidates, strongest verdict first, then by similarity.
    pub candidates: Vec<CandidateScore>,
}

/// A text prepared for comparison: normalised fragments, features and signature, and — on first
/// use — what novelty needs of it as the new appeal ([`Fingerprint::sentences`]) or as an earlier
/// one ([`Fingerprint::known_parts`]), so that a check reads each text once whatever the number
/// of candidates.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    /// Fragments with spans and canonical tokens.
    pub normalized: normalize::NormalizedText,
    /// Stems and shingles.
    pub features: features::TextFeatures,
    /// MinHash signature.
    pub signature: Signature,
    sentences: OnceLock<Vec<score::SentenceReading>>,
    known_parts: OnceLock<substance::KnownParts>,
}

impl Fingerprint {
    /// Normalises, extracts features and signs `text`.
    #[must_use]
    pub fn new(text: &str, hasher: &MinHasher) -> Self {
        let normalized = normalize::analyze(text);
        let features = features::extract(&normalized);
        let signature = hasher.sign(&features.shingles);
        Self::from_parts(normalized, features, signature)
    }

    /// A fingerprint of parts computed elsewhere (a stored signature with the text re-read).
    #[must_use]
    pub fn from_parts(
        normalized: normalize::NormalizedText,
        features: features::TextFeatures,
        signature: Signature,
    ) -> Self {
        Self {
            normalized,
            features,
            signature,
            sentences: OnceLock::new(),
            known_parts: OnceLock::new(),
        }
    }

    /// The content sentences of `text` (the text this fingerprint was made of) read clause by
    /// clause for novelty, computed once.
    pub fn sentences(&self, text: &str) -> &[score::SentenceReading] {
        self.sentences
            .get_or_init(|| score::read_sentences(text, &self.normalized, &self.features))
    }

    /// The numbers, dates and requests this text states, as an earlier appeal, computed once.
    pub fn known_parts(&self) -> &substance::KnownParts {
        self.known_parts.get_or_init(|| {
            substance::KnownParts::of(self.normalized.content().flat_map(|f| f.tokens.iter()))
        })
    }

    /// LSH band keys of the signature (see [`Signature::band_keys`]).
    #[must_use]
    pub fn band_keys(&self, params: &SignatureParams) -> Vec<u64> {
        self.signature.band_keys(params)
    }
}

/// Compares a prepared new appeal with one prepared candidate.
#[must_use]
pub fn score_pair(
    id: &str,
    new_text: &str,
    new: &Fingerprint,
    new_applicants: &[NormalizedApplicant],
    old: &Fingerprint,
    old_applicants: &[NormalizedApplicant],
    settings: &DedupSettings,
) -> CandidateScore {
    let applicant = applicant::same_applicant(new_applicants, old_applicants, &settings.applicant);
    let identity = features::identity_stems(
        new_applicants.iter().chain(old_applicants).flat_map(|a| {
            [
                a.name_key.as_deref(),
                a.address_key.as_deref(),
                a.iin_bin.as_deref(),
            ]
            .into_iter()
            .flatten()
        }),
        new.features.lang,
    );
    let (nf, of) = (
        &new.features.without_stems(&identity),
        &old.features.without_stems(&identity),
    );
    let topic_overlap = score::overlap(&nf.stems, &of.stems);
    let novelty = score::NoveltyParams {
        covered_at: settings.fragment_covered_at,
        align_min: settings.fragment_align_min,
        min_stems: settings.fragment_min_stems,
        clause_min_new_stems: settings.clause_min_new_stems,
        clause_covered_at: settings.clause_covered_at,
        signals: settings.substance_signals,
    };
    // Another applicant's appeal is `New` whatever it says: the alignment would be wasted.
    let novel_fragments = if applicant == ApplicantMatch::Different {
        Vec::new()
    } else {
        let known = substance::Known::new(
            &old.features.stems,
            &identity,
            old.features.lang,
            old.known_parts(),
        );
        score::novel_fragments(
            new_text,
            &new.normalized,
            (nf, new.sentences(new_text)),
            of,
            &known,
            &identity,
            &novelty,
        )
    };
    let novel_stems: usize = novel_fragments.iter().map(|f| f.new_stems).sum();
    let new_substance = novel_fragments.iter().any(|f| !f.signals.is_empty());
    let same_topic = topic_overlap >= settings.topic_min_overlap;
    let verdict = match applicant {
        ApplicantMatch::Different => Verdict::New,
        _ if !same_topic => Verdict::New,
        // p.2(2) needs "the same person": an anonymous appeal can at most be related.
        ApplicantMatch::Anonymous => Verdict::Related,
        ApplicantMatch::Same { .. }
            if new_substance || novel_stems >= settings.novelty_min_stems =>
        {
            Verdict::Related
        }
        ApplicantMatch::Same { .. } => Verdict::Duplicate,
    };
    CandidateScore {
        id: id.to_owned(),
        verdict,
        applicant,
        similarity: score::jaccard(&nf.shingles, &of.shingles),
        estimated_similarity: new.signature.estimate_similarity(&old.signature),
        containment: score::containment(&of.shingles, &nf.shingles),
        reverse_containment: score::containment(&nf.shingles, &of.shingles),
        topic_overlap: Some(topic_overlap),
        novel_fragments,
        scored_on: ScoredOn::Text,
    }
}

/// Scores another applicant's earlier appeal on the two signatures alone. R14: a different
/// applicant's appeal is never a duplicate nor related, so its text need not be read; what is
/// shown (a campaign hint) are MinHash estimates. `None` when a signature lacks its set size
/// (stored before format version 2): the caller then compares the texts with [`score_pair`].
#[must_use]
pub fn score_other_applicant(id: &str, new: &Signature, old: &Signature) -> Option<CandidateScore> {
    let similarity = new.estimate_similarity(old);
    Some(CandidateScore {
        id: id.to_owned(),
        verdict: Verdict::New,
        applicant: ApplicantMatch::Different,
        similarity,
        estimated_similarity: similarity,
        containment: new.estimate_containment(old)?,
        reverse_containment: old.estimate_containment(new)?,
        topic_overlap: None,
        novel_fragments: Vec::new(),
        scored_on: ScoredOn::Signature,
    })
}

/// The duplicate check of p.13: compares `new` with each candidate (fetched by the DB layer by
/// applicant and LSH band keys) and advises `Duplicate`, `Related` or `New` (p.2(2), R14).
///
/// # Errors
/// When `settings` are out of range ([`DedupSettings::validate`]).
pub fn check(
    new: &Document,
    candidates: &[CandidateDocument],
    settings: &DedupSettings,
) -> Result<CheckResult, DomainError> {
    settings.validate()?;
    let hasher = MinHasher::new(settings.signature)?;
    let new_fp = Fingerprint::new(&new.text, &hasher);
    let new_app: Vec<NormalizedApplicant> = new
        .applicants
        .iter()
        .map(ApplicantKey::normalized)
        .collect();
    let mut scores: Vec<CandidateScore> = candidates
        .iter()
        .map(|c| {
            let old_fp = Fingerprint::new(&c.document.text, &hasher);
            let old_app: Vec<NormalizedApplicant> = c
                .document
                .applicants
                .iter()
                .map(ApplicantKey::normalized)
                .collect();
            score_pair(
                &c.id, &new.text, &new_fp, &new_app, &old_fp, &old_app, settings,
            )
        })
        .collect();
    scores.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then(b.similarity.total_cmp(&a.similarity))
    });
    let verdict = scores.first().map_or(Verdict::New, |s| s.verdict);
    let duplicate_of = scores
        .first()
        .filter(|s| s.verdict == Verdict::Duplicate)
        .map(|s| s.id.clone());
    Ok(CheckResult {
        verdict,
        duplicate_of,
        candidates: scores,
    })
}

/// Signature bytes and band keys of a text, for the DB layer at registration (issue 5).
///
/// # Errors
/// When `params` are invalid.
pub fn index_keys(text: &str, params: SignatureParams) -> Result<(Vec<u8>, Vec<u64>), DomainError> {
    let hasher = MinHasher::new(params)?;
    let fp = Fingerprint::new(text, &hasher);
    Ok((fp.signature.to_bytes(), fp.band_keys(&params)))
}

#[cfg(test)]
mod tests;
