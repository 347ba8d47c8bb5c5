//! Analytics for the authorized body (issue 5, advisory): the campaign signal — many different
//! applicants sending near-identical texts. Nothing is stored or changed.

use std::collections::{BTreeMap, BTreeSet};

use appeals_db::{DbConn, repo};
use appeals_domain::dedup::Signature;
use chrono::NaiveDate;

use crate::access;
use crate::ctx::Ctx;
use crate::error::AppResult;

/// At most this many appeals of the window are clustered (newest first); `truncated` says so.
const WINDOW_CAP: i64 = 200_000;
/// Two texts are near-identical from this MinHash-estimated resemblance.
const NEAR_IDENTICAL: f64 = 0.6;
/// At most this many clusters are returned (largest first).
const MAX_CLUSTERS: usize = 100;
/// Characters of the sample text.
const SAMPLE_CHARS: usize = 300;

/// A cluster of near-identical texts from different applicants.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Appeals in the cluster.
    pub size: usize,
    /// Distinct applicants (IIN/BIN, else name; each anonymous appeal counts as one).
    pub applicants: usize,
    pub subject_ids: Vec<i64>,
    /// Appeals of the cluster, newest first.
    pub appeal_ids: Vec<i64>,
    /// The first 300 characters of the newest appeal's text.
    pub sample_text: String,
}

/// The clusters of a window, largest first.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    /// The window held more appeals than are clustered at once.
    pub truncated: bool,
    pub clusters: Vec<Cluster>,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups the appeals registered in `[from, to]` within the caller's reach (all subjects for the
/// authorized body's analysts, the analyst's subtree elsewhere) by shared LSH band keys of their
/// texts, keeps pairs whose estimated resemblance is at least 0.6, and returns clusters with at
/// least `min_size` distinct applicants.
pub fn campaigns(
    conn: &mut DbConn,
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    min_size: u32,
) -> AppResult<CampaignReport> {
    let params = ctx.rules.dedup.signature;
    let subjects = access::visible_subjects(conn, &ctx.grant)?;
    let mut entries =
        repo::duplicates::window_signatures(conn, subjects.as_deref(), from, to, WINDOW_CAP + 1)?;
    let truncated = entries.len() > usize::try_from(WINDOW_CAP).unwrap_or(usize::MAX);
    entries.truncate(usize::try_from(WINDOW_CAP).unwrap_or(usize::MAX));
    let signatures: Vec<Option<Signature>> = entries
        .iter()
        .map(|e| Signature::from_bytes(&e.2).ok().filter(|s| !s.is_empty()))
        .collect();
    let mut buckets: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, sig) in signatures.iter().enumerate() {
        if let Some(sig) = sig {
            for key in sig.band_keys(&params) {
                buckets.entry(key).or_default().push(i);
            }
        }
    }
    let mut parent: Vec<usize> = (0..entries.len()).collect();
    for members in buckets.values().filter(|m| m.len() >= 2) {
        let head = members[0];
        for &other in &members[1..] {
            let (Some(a), Some(b)) = (&signatures[head], &signatures[other]) else {
                continue;
            };
            if a.estimate_similarity(b) >= NEAR_IDENTICAL {
                let (ra, rb) = (find(&mut parent, head), find(&mut parent, other));
                if ra != rb {
                    parent[rb] = ra;
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..entries.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut clusters: Vec<(Cluster, i64)> = Vec::new();
    for members in groups.values() {
        let identities: BTreeSet<String> = members
            .iter()
            .map(|&i| {
                entries[i]
                    .3
                    .clone()
                    .unwrap_or_else(|| format!("anonymous:{}", entries[i].0))
            })
            .collect();
        if identities.len() < usize::try_from(min_size).unwrap_or(usize::MAX) {
            continue;
        }
        let mut ids: Vec<i64> = members.iter().map(|&i| entries[i].0).collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        let subjects: BTreeSet<i64> = members.iter().map(|&i| entries[i].1).collect();
        let newest = ids[0];
        clusters.push((
            Cluster {
                size: members.len(),
                applicants: identities.len(),
                subject_ids: subjects.into_iter().collect(),
                appeal_ids: ids,
                sample_text: String::new(),
            },
            newest,
        ));
    }
    clusters.sort_by(|a, b| b.0.size.cmp(&a.0.size).then(b.1.cmp(&a.1)));
    clusters.truncate(MAX_CLUSTERS);
    let samples: Vec<i64> = clusters.iter().map(|c| c.1).collect();
    let texts: BTreeMap<i64, String> = repo::duplicates::candidate_cards(conn, &samples)?
        .into_iter()
        .map(|c| (c.id, c.text))
        .collect();
    let clusters = clusters
        .into_iter()
        .map(|(mut c, newest)| {
            c.sample_text = texts
                .get(&newest)
                .map(|t| t.chars().take(SAMPLE_CHARS).collect())
                .unwrap_or_default();
            c
        })
        .collect();
    Ok(CampaignReport {
        truncated,
        clusters,
    })
}
