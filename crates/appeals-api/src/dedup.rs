//! The duplicate check as shown to clients (Rules p.13, R13, R14): the DTOs of a check's result.
//! The check itself is the service's (`appeals_service::duplicates::check`).

use appeals_domain::dedup::{ScoredOn, Signal, Verdict};
use appeals_service::duplicates::check::CheckSummary;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The engine's advice (p.2(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerdictDto {
    /// Same applicant, same issue, no new arguments, circumstances or legal grounds.
    Duplicate,
    /// Same applicant and issue with new content (or an anonymous appeal on the same issue).
    Related,
    /// Not a repeat.
    New,
}

impl VerdictDto {
    pub fn code(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Related => "related",
            Self::New => "new",
        }
    }
}

impl From<Verdict> for VerdictDto {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Duplicate => Self::Duplicate,
            Verdict::Related => Self::Related,
            Verdict::New => Self::New,
        }
    }
}

/// A sentence, line or clause of the checked text that the earlier appeal does not cover,
/// verbatim: a candidate new argument, circumstance or legal ground (p.2(2)).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "text": "в нарушение статьи 42 Закона «О жилищных отношениях»",
    "start": 412, "end": 497, "signals": ["legal_norm"]
}))]
pub struct NovelFragmentDto {
    pub text: String,
    /// Byte offset in the checked text.
    pub start: usize,
    /// Byte offset just past the fragment.
    pub end: usize,
    /// What makes the fragment new substance, when the engine recognised it: a cited norm, a
    /// date, a sum or document number, a named document, a changed request that the earlier
    /// appeal does not have. Any of them makes the pair at most `related`. Empty when the
    /// fragment is new by its words alone.
    pub signals: Vec<NoveltySignalDto>,
}

/// A kind of new substance in a novel fragment (p.2(2): "new arguments, circumstances or legal
/// grounds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoveltySignalDto {
    /// A reference to a legal norm (article, point, law, code; бап, тармақ, заң) not cited before.
    LegalNorm,
    /// A date not stated before.
    Date,
    /// A sum, a document number or a counted quantity not stated before.
    Number,
    /// A named document (act, court decision, expert conclusion, certificate, contract).
    Document,
    /// A kind of request not made before (compensation, punishment, disciplinary action,
    /// cancellation, stopping works).
    Request,
}

impl From<Signal> for NoveltySignalDto {
    fn from(s: Signal) -> Self {
        match s {
            Signal::LegalNorm => Self::LegalNorm,
            Signal::Date => Self::Date,
            Signal::Number => Self::Number,
            Signal::Document => Self::Document,
            Signal::Request => Self::Request,
        }
    }
}

/// An earlier appeal the check compared with. Only these fields are shown, whatever subject holds
/// it (p.2(2): a duplicate may be addressed to another subject; its text does not leak).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicateCandidateDto {
    pub appeal_id: i64,
    #[schema(example = "ЖТ-2026-00000042")]
    pub registration_number: String,
    pub subject_id: i64,
    pub registered_at: DateTime<Utc>,
    /// Jaccard resemblance of the two texts' shingles (0–1).
    pub similarity: f64,
    /// Share of the earlier appeal's shingles repeated in the checked text (0–1).
    pub containment: f64,
    pub verdict: VerdictDto,
    /// New arguments or circumstances of the checked text against this appeal (empty for another
    /// applicant's appeal).
    pub novel_fragments: Vec<NovelFragmentDto>,
    /// `text`: the two texts were compared (exact scores). `signature`: another applicant's
    /// appeal — `new` whatever its text (R14) — scored on the stored MinHash signatures alone
    /// (estimates, standard error ≤ 0.044).
    pub scored_on: ScoredOnDto,
}

/// What a candidate's scores were computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoredOnDto {
    Text,
    Signature,
}

impl From<ScoredOn> for ScoredOnDto {
    fn from(s: ScoredOn) -> Self {
        match s {
            ScoredOn::Text => Self::Text,
            ScoredOn::Signature => Self::Signature,
        }
    }
}

/// Result of the duplicate check (p.13).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"verdict": "duplicate", "duplicate_of": 41, "candidates": [{"appeal_id": 41,
    "registration_number": "ЖТ-2026-00000041", "subject_id": 2, "registered_at": "2026-03-02T05:00:00Z",
    "similarity": 0.71, "containment": 0.93, "verdict": "duplicate", "novel_fragments": [],
    "scored_on": "text"}]}))]
pub struct DuplicateCheckDto {
    /// The strongest verdict over all candidates (`new` without candidates).
    pub verdict: VerdictDto,
    /// The best `duplicate` candidate: the `duplicate_of` link a registration stores (R13).
    pub duplicate_of: Option<i64>,
    /// Strongest verdict first, then by similarity.
    pub candidates: Vec<DuplicateCandidateDto>,
}

impl From<VerdictDto> for Verdict {
    fn from(v: VerdictDto) -> Self {
        match v {
            VerdictDto::Duplicate => Self::Duplicate,
            VerdictDto::Related => Self::Related,
            VerdictDto::New => Self::New,
        }
    }
}

impl From<CheckSummary> for DuplicateCheckDto {
    fn from(s: CheckSummary) -> Self {
        Self {
            verdict: s.verdict.into(),
            duplicate_of: s.duplicate_of,
            candidates: s
                .candidates
                .into_iter()
                .map(|c| DuplicateCandidateDto {
                    appeal_id: c.appeal_id,
                    registration_number: c.registration_number,
                    subject_id: c.subject_id,
                    registered_at: c.registered_at.and_utc(),
                    similarity: c.similarity,
                    containment: c.containment,
                    verdict: c.verdict.into(),
                    novel_fragments: c
                        .novel_fragments
                        .into_iter()
                        .map(|f| NovelFragmentDto {
                            text: f.text,
                            start: f.start,
                            end: f.end,
                            signals: f.signals.into_iter().map(Into::into).collect(),
                        })
                        .collect(),
                    scored_on: c.scored_on.into(),
                })
                .collect(),
        }
    }
}
