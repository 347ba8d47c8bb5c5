//! The duplicate check over the database (Rules p.13, R13, R14; issue 5).
//!
//! [`PreparedCheck::new`] does the expensive part (normalisation, features, MinHash signature,
//! band and applicant keys) before any transaction. [`run_check`] is then a handful of indexed
//! lookups — candidates by applicant keys ∪ by LSH band keys (every band for an anonymous appeal;
//! for a named one only [`DedupSettings::others_probe_bands`], by default none), capped — a cheap
//! pre-filter on the stored signatures and applicant keys, and the engine's verification
//! ([`score_pair`]) of the few candidates that can matter. It reads only committed rows, so
//! another server process's registration is seen the moment it commits.

use std::collections::{BTreeMap, BTreeSet};

use appeals_db::rows::DedupSignatureRow;
use appeals_db::{DbConn, repo};
use appeals_domain::cards::AddressBlock;
use appeals_domain::dedup::score::NovelFragment;
use appeals_domain::dedup::{
    ApplicantKey, ApplicantMatch, CandidateScore, DedupSettings, Fingerprint, MinHasher,
    NormalizedApplicant, ScoredOn, Signature, SignatureParams, Verdict, applicant, features,
    normalize, score_other_applicant, score_pair,
};

use crate::applicants::ApplicantEntry;
use crate::cards::parts::{parse_json, to_json};
use crate::error::AppResult;

/// At most this many appeals are taken per applicant key (newest first); the keys' results are
/// united, so a common name never crowds out the applicant's own IIN/BIN.
pub const APPLICANT_CANDIDATES: i64 = 100;
/// At most this many appeals are taken by shared band keys: most shared bands first (the expected
/// number of shared bands is `b·J^r`: two or more from J ≈ 0.5, so those come first), then the
/// newest. At 1M synthetic appeals a text shares two or more bands with ~20 appeals and one band
/// with hundreds; each candidate costs a signature read, so the long tail of one-band hits is cut
/// here (64 before the fifth session).
pub const BAND_CANDIDATES: i64 = 32;
/// A named applicant's check takes at most this many appeals per probed band key (the newest)…
const OTHERS_PER_BAND_KEY: i64 = 4;
/// …and at most this many in all: only [`VERIFIED_OTHERS`] other applicants' texts are listed.
const OTHERS_BAND_CANDIDATES: i64 = VERIFIED_OTHERS as i64;
/// A catch-up reads the signatures of at most this many appeals indexed since its check began
/// (one primary-key range); when this many or more were, it probes the band keys instead.
const RECENT_SIGNATURES: i64 = 256;
/// At most this many candidates are verified on their full text (the rest are filtered on their
/// stored signature and applicant keys alone).
pub const VERIFIED_CANDIDATES: usize = 24;
/// At most this many texts of other applicants (or anonymous ones) are verified per check.
pub const VERIFIED_OTHERS: usize = 8;
/// A text of another applicant is verified (and shown as `new`) from this estimated resemblance.
const OTHERS_MIN_ESTIMATE: f64 = 0.5;
/// An anonymous side (text alone decides, at most `related`) is verified from this estimate.
const ANONYMOUS_MIN_ESTIMATE: f64 = 0.15;
/// A candidate with verdict `new` is listed from this resemblance (near-identical texts of others).
const LIST_NEW_FROM_SIMILARITY: f64 = 0.5;

/// The new appeal, prepared for the check outside any transaction.
#[derive(Debug, Clone)]
pub struct PreparedCheck {
    pub text: String,
    pub fingerprint: Fingerprint,
    pub applicants: Vec<ApplicantKey>,
    pub normalized: Vec<NormalizedApplicant>,
    pub signature_bytes: Vec<u8>,
    /// `u64` band keys bit-cast to `i64`.
    pub band_keys: Vec<i64>,
    /// The band keys the text-only lookup probes: all of them for an anonymous appeal, the first
    /// [`DedupSettings::others_probe_bands`] for a named one (others' texts can only be `new`).
    pub probe_keys: Vec<i64>,
    /// Stored `(key_kind, key)` pairs ([`index_keys`]).
    pub applicant_keys: Vec<(String, String)>,
    /// Looked-up `(key_kind, key)` pairs ([`lookup_keys`]).
    pub lookup_keys: Vec<(String, String)>,
    /// `iin:…` or `name:…` of the first applicant; `None` when anonymous.
    pub identity: Option<String>,
    /// Hashes of every applicant's `iin:…` and `name:…`: two appeals of one person share at least
    /// one (R14 compares IIN with IIN or name with name), so locking them serialises the person's
    /// concurrent registrations ([`repo::duplicates::lock_identities`]).
    pub identity_locks: Vec<i64>,
}

fn is_anonymous(normalized: &[NormalizedApplicant]) -> bool {
    normalized.iter().all(NormalizedApplicant::is_anonymous)
}

/// Seed of the identity lock hashes (any fixed value; only equality matters).
const IDENTITY_LOCK_SEED: u64 = 0x6964_656e_746c_6f63;

/// See [`PreparedCheck::identity_locks`].
fn identity_locks(normalized: &[NormalizedApplicant]) -> Vec<i64> {
    normalized
        .iter()
        .flat_map(identity_keys)
        .map(|key| {
            let h = appeals_domain::dedup::hash::hash_bytes(IDENTITY_LOCK_SEED, key.as_bytes());
            i64::from_ne_bytes(h.to_ne_bytes())
        })
        .collect()
}

/// The R14 keys of an applicant as given in a request.
pub fn applicant_key(a: &ApplicantEntry) -> ApplicantKey {
    ApplicantKey {
        iin_bin: a.iin_bin.clone(),
        full_name: a.full_name(),
        address: a.address.as_ref().and_then(AddressBlock::one_line),
        kato_settlement: a.address.as_ref().and_then(|x| x.settlement_kato.clone()),
    }
}

/// Index keys of normalised applicants (what `appeal_dedup_applicant_keys` stores): `iin_bin`,
/// and the name (with the settlement, and alone) under `name_kato`/`name` for an applicant without
/// an IIN/BIN, `name_kato_with_iin`/`name_with_iin` for one with it — so that a check for an
/// applicant with an IIN reads only the namesakes who could be the same person (see
/// [`lookup_keys`]).
pub fn index_keys(normalized: &[NormalizedApplicant]) -> Vec<(String, String)> {
    applicant_keys_with(normalized, |a| {
        if a.iin_bin.is_some() {
            &["_with_iin"]
        } else {
            &[""]
        }
    })
}

/// Keys a check looks up (R14). Two applicants who both have an IIN/BIN are the same person only
/// when it is the same number, so for an applicant with one the check reads its `iin_bin` key and
/// the namesakes **without** a number; for an applicant without one, every namesake. (Keys stored
/// before the `_with_iin` kinds existed are all under `name`/`name_kato`: they are still found,
/// only as extra candidates that the applicant comparison rejects.)
pub fn lookup_keys(normalized: &[NormalizedApplicant]) -> Vec<(String, String)> {
    let mut keys = applicant_keys_with(normalized, |a| {
        if a.iin_bin.is_some() {
            &[""]
        } else {
            &["", "_with_iin"]
        }
    });
    keys.sort();
    keys.dedup();
    keys
}

/// Each applicant's `iin_bin` key and its name keys (`name_kato…`, `name…`) under the kind
/// suffixes `suffixes` chooses for it.
fn applicant_keys_with(
    normalized: &[NormalizedApplicant],
    suffixes: impl Fn(&NormalizedApplicant) -> &'static [&'static str],
) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for a in normalized {
        if let Some(iin) = &a.iin_bin {
            keys.push(("iin_bin".to_owned(), iin.clone()));
        }
        let Some(name) = &a.name_key else {
            continue;
        };
        for suffix in suffixes(a) {
            if let Some(kato) = &a.kato_settlement {
                keys.push((format!("name_kato{suffix}"), format!("{name}|{kato}")));
            }
            // Without an IIN, R14 needs the name plus address or settlement; the address is
            // compared fuzzily (two languages), so the lookup is by name and the engine verifies.
            keys.push((format!("name{suffix}"), name.clone()));
        }
    }
    keys
}

/// `iin:…` then `name:…` of one applicant: who they are, for campaigns and identity locks.
fn identity_keys(a: &NormalizedApplicant) -> impl Iterator<Item = String> + '_ {
    [
        a.iin_bin.as_ref().map(|i| format!("iin:{i}")),
        a.name_key.as_ref().map(|n| format!("name:{n}")),
    ]
    .into_iter()
    .flatten()
}

/// `iin:…` / `name:…` of the first applicant (distinct applicants of a campaign).
pub fn identity(normalized: &[NormalizedApplicant]) -> Option<String> {
    identity_keys(normalized.first()?).next()
}

/// Re-keys an indexed appeal after its applicants changed, so later checks find it under the
/// applicants its card has now (R14): `added` joins the stored applicants, or replaces them when
/// `replace_all`. An appeal registered without the index (no signature stored) stays without it.
pub fn reindex_applicants(
    conn: &mut DbConn,
    appeal_id: i64,
    added: Vec<ApplicantKey>,
    replace_all: bool,
) -> AppResult<()> {
    let Some(row) = repo::duplicates::signatures(conn, &[appeal_id])?.pop() else {
        return Ok(());
    };
    let former: Vec<ApplicantKey> = parse_json(&row.applicants, "duplicate-check applicants")?;
    let former_normalized: Vec<NormalizedApplicant> =
        former.iter().map(ApplicantKey::normalized).collect();
    // Every kind a former applicant's key may be stored under (older rows predate `_with_iin`).
    let stale = applicant_keys_with(&former_normalized, |_| &["", "_with_iin"]);
    let applicants = if replace_all {
        added
    } else {
        former.into_iter().chain(added).collect()
    };
    let normalized: Vec<NormalizedApplicant> =
        applicants.iter().map(ApplicantKey::normalized).collect();
    repo::duplicates::replace_applicant_keys(
        conn,
        appeal_id,
        &to_json(&applicants)?,
        identity(&normalized).as_deref(),
        &stale,
        &index_keys(&normalized),
    )?;
    Ok(())
}

/// The band keys of `signature` as `appeal_dedup_bands` stores them (`u64` bit-cast to `i64`).
fn stored_band_keys(signature: &Signature, params: &SignatureParams) -> Vec<i64> {
    signature
        .band_keys(params)
        .into_iter()
        .map(|k| i64::from_ne_bytes(k.to_ne_bytes()))
        .collect()
}

/// Re-keys the whole band index with the banding of `params` (from the stored signatures, in one
/// transaction) and makes it the database's banding: an admin event records the change and the
/// configuration version moves, so running processes reload it. Returns the appeals re-keyed.
pub fn rebuild_band_index(conn: &mut DbConn, params: SignatureParams) -> AppResult<u64> {
    let banding = params.banding();
    appeals_db::write_tx(conn, |conn| -> AppResult<u64> {
        let before = repo::duplicates::banding(conn)?;
        let rekeyed = repo::duplicates::rebuild_bands(conn, &banding, |bytes| {
            let signature = Signature::from_bytes(bytes)
                .map_err(|e| appeals_db::DbError::Corrupt(format!("stored signature: {e}")))?;
            Ok(stored_band_keys(&signature, &params))
        })?;
        repo::configuration::record_setting_change(
            conn,
            "dedup_banding_set",
            repo::duplicates::BANDING_SETTING,
            Some(before),
            banding.clone(),
        )?;
        Ok(rekeyed)
    })
}

/// Makes `bands` the number of bands a named applicant's check probes for other applicants'
/// near-copies (setting `dedup_others_probe_bands`): an admin event records the change and the
/// configuration version moves, so running processes reload it. Nothing is re-indexed.
pub fn set_others_probe_bands(conn: &mut DbConn, bands: u16) -> AppResult<()> {
    Ok(repo::configuration::change_setting(
        conn,
        repo::duplicates::OTHERS_PROBE_SETTING,
        &bands.to_string(),
        "dedup_others_probe_bands_set",
    )?)
}

/// Turns the reading of signals of new substance (a cited norm, a new date, sum or document, a
/// changed request — `appeals_domain::dedup::substance`) on or off (setting
/// `dedup_substance_signals`, [INF] default on): an admin event records the change and the
/// configuration version moves, so running processes reload it.
pub fn set_substance_signals(conn: &mut DbConn, on: bool) -> AppResult<()> {
    Ok(repo::configuration::change_setting(
        conn,
        repo::duplicates::SUBSTANCE_SIGNALS_SETTING,
        if on { "on" } else { "off" },
        "dedup_substance_signals_set",
    )?)
}

impl PreparedCheck {
    /// Normalises, signs and keys the text and applicants of a registration.
    pub fn new(
        text: &str,
        applicants: &[ApplicantEntry],
        settings: &DedupSettings,
    ) -> AppResult<Self> {
        let hasher = MinHasher::new(settings.signature)?;
        let fingerprint = Fingerprint::new(text, &hasher);
        let applicants: Vec<ApplicantKey> = applicants.iter().map(applicant_key).collect();
        let normalized: Vec<NormalizedApplicant> =
            applicants.iter().map(ApplicantKey::normalized).collect();
        let band_keys = stored_band_keys(&fingerprint.signature, &settings.signature);
        let probed = if is_anonymous(&normalized) {
            band_keys.len()
        } else {
            usize::from(settings.others_probe_bands).min(band_keys.len())
        };
        Ok(Self {
            probe_keys: band_keys[..probed].to_vec(),
            text: text.to_owned(),
            signature_bytes: fingerprint.signature.to_bytes(),
            fingerprint,
            applicant_keys: index_keys(&normalized),
            lookup_keys: lookup_keys(&normalized),
            identity: identity(&normalized),
            identity_locks: identity_locks(&normalized),
            applicants,
            normalized,
            band_keys,
        })
    }

    /// A catch-up looks by text alone at the appeals indexed since the check began only for an
    /// anonymous appeal, which has nothing but its text: a named applicant's verdict rests on
    /// their own appeals (R14, caught up by applicant keys) — other applicants' texts found
    /// meanwhile could only be listed as `new`. Only then does the check read a watermark.
    pub fn catches_up_by_text(&self) -> bool {
        self.is_anonymous() && !self.probe_keys.is_empty()
    }

    /// Nobody named applies: the text is all the check has (R14: at most `related`).
    pub fn is_anonymous(&self) -> bool {
        is_anonymous(&self.normalized)
    }

    /// The `appeal_dedup_signatures` row of the registered appeal.
    pub fn signature_row(&self, appeal_id: i64) -> AppResult<DedupSignatureRow> {
        Ok(DedupSignatureRow {
            appeal_id,
            signature: self.signature_bytes.clone(),
            applicants: to_json(&self.applicants)?,
            applicant_identity: self.identity.clone(),
        })
    }

    /// Stores the index entries of the registered appeal.
    pub fn store(&self, conn: &mut DbConn, appeal_id: i64) -> AppResult<()> {
        repo::duplicates::insert_index(
            conn,
            &self.signature_row(appeal_id)?,
            &self.band_keys,
            &self.applicant_keys,
        )?;
        Ok(())
    }
}

/// What a check shows of a candidate, whatever subject holds it (never its text).
#[derive(Debug, Clone)]
pub struct CandidateRef {
    pub id: i64,
    pub reg_number: String,
    pub subject_id: i64,
    pub registered_at: chrono::NaiveDateTime,
}

impl CandidateRef {
    fn new(
        id: i64,
        reg_number: String,
        subject_id: i64,
        registered_at: chrono::NaiveDateTime,
    ) -> Self {
        Self {
            id,
            reg_number,
            subject_id,
            registered_at,
        }
    }
}

/// One verified candidate: the engine's scores plus what may be shown of it.
#[derive(Debug, Clone)]
pub struct CheckedCandidate {
    pub card: CandidateRef,
    pub score: CandidateScore,
}

/// Result of [`run_check`].
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub verdict: Verdict,
    /// Verified candidates, strongest verdict first, then by similarity.
    pub candidates: Vec<CheckedCandidate>,
    /// The newest indexed appeal when the check began: [`CheckOutcome::catch_up`] looks by text
    /// only at appeals indexed after it.
    pub indexed_up_to: i64,
    /// Every appeal the check looked at (verified or filtered out).
    pub seen: BTreeSet<i64>,
}

impl CheckOutcome {
    fn of(mut candidates: Vec<CheckedCandidate>, indexed_up_to: i64, seen: BTreeSet<i64>) -> Self {
        candidates.sort_by(|a, b| {
            b.score
                .verdict
                .cmp(&a.score.verdict)
                .then(b.score.similarity.total_cmp(&a.score.similarity))
                .then(b.card.id.cmp(&a.card.id))
        });
        let verdict = candidates.first().map_or(Verdict::New, |c| c.score.verdict);
        Self {
            verdict,
            candidates,
            indexed_up_to,
            seen,
        }
    }

    /// Completes a check made before the registering transaction with what was registered
    /// meanwhile (by this or another process), so the expensive part of the check holds no lock and
    /// the result is still as of the transaction. Call it after
    /// [`repo::duplicates::lock_identities`]: the applicant's own appeals are then looked up again
    /// whatever their ids (ids are not committed in order on PostgreSQL), text-only candidates among
    /// the appeals indexed since the check.
    pub fn catch_up(
        self,
        conn: &mut DbConn,
        new: &PreparedCheck,
        settings: &DedupSettings,
    ) -> AppResult<Self> {
        let (bands, indexed_up_to) = self.text_scope_since(conn, new)?;
        let indexed_up_to = indexed_up_to.max(self.indexed_up_to);
        let (since, seen) = verified_candidates(conn, new, settings, None, bands, &self.seen)?;
        if since.is_empty() && indexed_up_to <= self.indexed_up_to {
            return Ok(self);
        }
        let mut candidates = self.candidates;
        candidates.extend(since);
        let mut all_seen = self.seen;
        all_seen.extend(seen);
        Ok(Self::of(candidates, indexed_up_to, all_seen))
    }

    /// What a catch-up looks at by text alone, and the new watermark: the appeals indexed since
    /// the check began, read whole — unless a burst brought [`RECENT_SIGNATURES`] or more: then
    /// their band keys are probed instead; nothing unless
    /// [`PreparedCheck::catches_up_by_text`].
    fn text_scope_since(
        &self,
        conn: &mut DbConn,
        new: &PreparedCheck,
    ) -> AppResult<(BandScope, i64)> {
        if !new.catches_up_by_text() {
            return Ok((BandScope::Recent(Vec::new()), self.indexed_up_to));
        }
        let recent =
            repo::duplicates::signatures_after(conn, self.indexed_up_to, RECENT_SIGNATURES)?;
        if recent.len() < usize::try_from(RECENT_SIGNATURES).unwrap_or(usize::MAX) {
            let newest = recent.iter().map(|row| row.appeal_id).max();
            Ok((
                BandScope::Recent(recent),
                newest.unwrap_or(self.indexed_up_to),
            ))
        } else {
            let newest = repo::duplicates::last_indexed_appeal_id(conn)?;
            Ok((BandScope::BandsAfter(self.indexed_up_to), newest))
        }
    }

    /// The best duplicate (the `duplicate_of` link, R13).
    pub fn duplicate_of(&self) -> Option<&CheckedCandidate> {
        self.candidates
            .first()
            .filter(|c| c.score.verdict == Verdict::Duplicate)
    }

    /// What may be shown of the check: the candidates that are a repeat, and near-copies of other
    /// applicants' texts (never a text), scores rounded to three places.
    pub fn summary(&self) -> CheckSummary {
        let round = |v: f64| (v * 1000.0).round() / 1000.0;
        CheckSummary {
            verdict: self.verdict,
            duplicate_of: self.duplicate_of().map(|c| c.card.id),
            candidates: self
                .candidates
                .iter()
                .filter(|c| {
                    c.score.verdict != Verdict::New
                        || c.score.similarity >= LIST_NEW_FROM_SIMILARITY
                })
                .map(|c| ListedCandidate {
                    appeal_id: c.card.id,
                    registration_number: c.card.reg_number.clone(),
                    subject_id: c.card.subject_id,
                    registered_at: c.card.registered_at,
                    similarity: round(c.score.similarity),
                    containment: round(c.score.containment),
                    verdict: c.score.verdict,
                    novel_fragments: c.score.novel_fragments.clone(),
                    scored_on: c.score.scored_on,
                })
                .collect(),
        }
    }
}

/// The shown result of a check (p.13).
#[derive(Debug, Clone)]
pub struct CheckSummary {
    /// The strongest verdict over all candidates (`new` without candidates).
    pub verdict: Verdict,
    /// The best `duplicate` candidate: the `duplicate_of` link a registration stores (R13).
    pub duplicate_of: Option<i64>,
    /// Strongest verdict first, then by similarity.
    pub candidates: Vec<ListedCandidate>,
}

/// A candidate as shown, whatever subject holds it (p.2(2): never its text).
#[derive(Debug, Clone)]
pub struct ListedCandidate {
    pub appeal_id: i64,
    pub registration_number: String,
    pub subject_id: i64,
    pub registered_at: chrono::NaiveDateTime,
    pub similarity: f64,
    pub containment: f64,
    pub verdict: Verdict,
    pub novel_fragments: Vec<NovelFragment>,
    pub scored_on: ScoredOn,
}

/// The check: candidates by applicant keys ∪ band keys (capped), a pre-filter on stored
/// signatures and applicant keys, then the engine's verification of at most
/// [`VERIFIED_CANDIDATES`] texts. `exclude` is the appeal being checked, when it is stored.
pub fn run_check(
    conn: &mut DbConn,
    new: &PreparedCheck,
    settings: &DedupSettings,
    exclude: Option<i64>,
) -> AppResult<CheckOutcome> {
    // Read first: whatever is indexed after this is left to `catch_up` (when it looks by text).
    let indexed_up_to = if new.catches_up_by_text() {
        repo::duplicates::last_indexed_appeal_id(conn)?
    } else {
        0
    };
    let (candidates, seen) = verified_candidates(
        conn,
        new,
        settings,
        exclude,
        BandScope::All,
        &BTreeSet::new(),
    )?;
    Ok(CheckOutcome::of(candidates, indexed_up_to, seen))
}

/// A candidate after the pre-filter: who applied (as far as decided), how close the text looks.
struct Shortlisted {
    appeal_id: i64,
    matched: ApplicantMatch,
    estimate: f64,
    signature: Signature,
    /// Stored applicant keys (JSON), normalised only if the texts get compared.
    applicants: String,
    /// Already normalised (candidates found by applicant keys).
    normalized: Option<Vec<NormalizedApplicant>>,
}

/// Which appeals the text-only candidate stage looks at.
#[derive(Debug)]
enum BandScope {
    /// Every appeal, by shared band keys.
    All,
    /// The signature rows of the appeals indexed since a check began (a catch-up), already read:
    /// every one is compared (no LSH miss).
    Recent(Vec<DedupSignatureRow>),
    /// The appeals with an id above this one, by shared band keys (a catch-up after a burst of
    /// [`RECENT_SIGNATURES`] or more).
    BandsAfter(i64),
}

/// Candidate lookups, pre-filter and verification of the appeals not in `seen`: by applicant keys
/// always (whatever their ids), by band keys as `bands` says. Returns the candidates and the ids
/// looked at.
fn verified_candidates(
    conn: &mut DbConn,
    new: &PreparedCheck,
    settings: &DedupSettings,
    exclude: Option<i64>,
    bands: BandScope,
    seen: &BTreeSet<i64>,
) -> AppResult<(Vec<CheckedCandidate>, BTreeSet<i64>)> {
    let by_applicant =
        repo::duplicates::candidates_by_applicant(conn, &new.lookup_keys, APPLICANT_CANDIDATES)?;
    let (by_bands, mut recent) = text_candidates(conn, new, bands)?;
    let wanted = |id: &i64| Some(*id) != exclude && !seen.contains(id);
    recent.retain(|row| wanted(&row.appeal_id));
    let recent_ids: BTreeSet<i64> = recent.iter().map(|row| row.appeal_id).collect();
    let ids: BTreeSet<i64> = by_applicant
        .iter()
        .copied()
        .chain(by_bands)
        .chain(recent_ids.iter().copied())
        .filter(wanted)
        .collect();
    if ids.is_empty() {
        return Ok((Vec::new(), ids));
    }
    // The recent rows are already read; fetch the others' signatures.
    let listed: Vec<i64> = ids.difference(&recent_ids).copied().collect();
    let mut stored = repo::duplicates::signatures(conn, &listed)?;
    stored.extend(recent);
    let shortlist = shortlist(new, settings, stored, by_applicant.into_iter().collect())?;
    Ok((score_shortlisted(conn, new, settings, shortlist)?, ids))
}

/// Text-only candidates as `bands` says: appeal ids by shared band keys, or the signature rows of
/// the few appeals indexed since a check began (the pre-filter then compares every one).
fn text_candidates(
    conn: &mut DbConn,
    new: &PreparedCheck,
    bands: BandScope,
) -> AppResult<(Vec<i64>, Vec<DedupSignatureRow>)> {
    let after = match bands {
        BandScope::Recent(rows) => return Ok((Vec::new(), rows)),
        BandScope::All => None,
        BandScope::BandsAfter(id) => Some(id),
    };
    // A named applicant's text-only candidates can only be `new`: a few near-copies are enough.
    let (per_key, limit) = if new.is_anonymous() {
        (repo::duplicates::APPEALS_PER_BAND_KEY, BAND_CANDIDATES)
    } else {
        (OTHERS_PER_BAND_KEY, OTHERS_BAND_CANDIDATES)
    };
    let by_bands =
        repo::duplicates::candidates_by_bands(conn, &new.probe_keys, per_key, limit, after)?;
    Ok((by_bands.into_iter().map(|(id, _)| id).collect(), Vec::new()))
}

/// Pre-filter on the stored signatures and applicant keys: who applied, how close the text looks;
/// the same applicant first, at most [`VERIFIED_OTHERS`] others, [`VERIFIED_CANDIDATES`] in all.
fn shortlist(
    new: &PreparedCheck,
    settings: &DedupSettings,
    stored: Vec<DedupSignatureRow>,
    by_applicant: BTreeSet<i64>,
) -> AppResult<Vec<Shortlisted>> {
    let new_is_anonymous = new.is_anonymous();
    // Pre-filter: how close is the text (MinHash estimate), who is the applicant.
    let mut shortlist: Vec<Shortlisted> = Vec::new();
    for row in stored {
        let Ok(signature) = Signature::from_bytes(&row.signature) else {
            continue;
        };
        let estimate = new.fingerprint.signature.estimate_similarity(&signature);
        let (matched, normalized) = if by_applicant.contains(&row.appeal_id) {
            let keys: Vec<ApplicantKey> =
                parse_json(&row.applicants, "duplicate-check applicants")?;
            let old: Vec<NormalizedApplicant> = keys.iter().map(ApplicantKey::normalized).collect();
            let matched = applicant::same_applicant(&new.normalized, &old, &settings.applicant);
            (matched, Some(old))
        } else if new_is_anonymous || row.applicant_identity.is_none() {
            (ApplicantMatch::Anonymous, None)
        } else {
            // Found by text alone between two named applicants: the same person would share an
            // applicant key (R14), so this is another applicant — no need to normalise its keys.
            (ApplicantMatch::Different, None)
        };
        let keep = match matched {
            ApplicantMatch::Same { .. } => true,
            ApplicantMatch::Anonymous => estimate >= ANONYMOUS_MIN_ESTIMATE,
            ApplicantMatch::Different => estimate >= OTHERS_MIN_ESTIMATE,
        };
        if keep {
            shortlist.push(Shortlisted {
                appeal_id: row.appeal_id,
                matched,
                estimate,
                signature,
                applicants: row.applicants,
                normalized,
            });
        }
    }
    // Same applicant first (only they can be duplicates), then the closest texts; other
    // applicants' texts can only be `new`, so only the closest few are listed.
    let same = |s: &Shortlisted| matches!(s.matched, ApplicantMatch::Same { .. });
    shortlist.sort_by(|a, b| {
        same(b)
            .cmp(&same(a))
            .then(b.estimate.total_cmp(&a.estimate))
            .then(b.appeal_id.cmp(&a.appeal_id))
    });
    let mut others = 0;
    shortlist.retain(|s| {
        others += usize::from(!same(s));
        same(s) || others <= VERIFIED_OTHERS
    });
    shortlist.truncate(VERIFIED_CANDIDATES);
    Ok(shortlist)
}

/// Scores the shortlisted candidates and attaches what may be shown of them.
fn score_shortlisted(
    conn: &mut DbConn,
    new: &PreparedCheck,
    settings: &DedupSettings,
    shortlist: Vec<Shortlisted>,
) -> AppResult<Vec<CheckedCandidate>> {
    // Another applicant's appeal is scored on the signatures (R14: `new` whatever its text);
    // the rest — or a signature stored without its set size — on the texts.
    let mut scored = Vec::new();
    let mut to_compare = Vec::new();
    for s in shortlist {
        let by_signature = (s.matched == ApplicantMatch::Different)
            .then(|| {
                score_other_applicant(
                    &s.appeal_id.to_string(),
                    &new.fingerprint.signature,
                    &s.signature,
                )
            })
            .flatten();
        match by_signature {
            Some(score) => scored.push((s.appeal_id, score)),
            None => to_compare.push(s),
        }
    }
    let wanted: Vec<i64> = to_compare.iter().map(|s| s.appeal_id).collect();
    let texts: BTreeMap<i64, repo::duplicates::CandidateCard> =
        repo::duplicates::candidate_cards(conn, &wanted)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    for s in to_compare {
        let Some(card) = texts.get(&s.appeal_id) else {
            continue;
        };
        let old_applicants = match s.normalized {
            Some(old) => old,
            None => parse_json::<Vec<ApplicantKey>>(&s.applicants, "duplicate-check applicants")?
                .iter()
                .map(ApplicantKey::normalized)
                .collect(),
        };
        let normalized = normalize::analyze(&card.text);
        let features = features::extract(&normalized);
        let old = Fingerprint::from_parts(normalized, features, s.signature);
        let score = score_pair(
            &s.appeal_id.to_string(),
            &new.text,
            &new.fingerprint,
            &new.normalized,
            &old,
            &old_applicants,
            settings,
        );
        scored.push((s.appeal_id, score));
    }
    let signature_only: Vec<i64> = scored
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !texts.contains_key(id))
        .collect();
    let mut refs: BTreeMap<i64, CandidateRef> = repo::duplicates::card_refs(conn, &signature_only)?
        .into_iter()
        .map(|(id, reg_number, subject_id, registered_at)| {
            (
                id,
                CandidateRef::new(id, reg_number, subject_id, registered_at),
            )
        })
        .collect();
    refs.extend(texts.into_values().map(|c| {
        (
            c.id,
            CandidateRef::new(c.id, c.reg_number, c.subject_id, c.registered_at),
        )
    }));
    Ok(scored
        .into_iter()
        .filter_map(|(id, score)| {
            refs.remove(&id)
                .map(|card| CheckedCandidate { card, score })
        })
        .collect())
}

/// `POST /duplicate-checks`: the check of a would-be registration against the stored appeals of
/// every subject (p.2(2)); nothing is stored.
pub fn dry_run(
    conn: &mut DbConn,
    ctx: &crate::ctx::Ctx,
    prepared: PreparedCheck,
) -> AppResult<CheckSummary> {
    Ok(run_check(conn, &prepared, &ctx.rules.dedup, None)?.summary())
}
