//! Analytics for the authorized body: the campaign signal (issue 5, advisory).

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{get, web};
use appeals_db::repo;
use appeals_domain::dedup::Signature;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Analysts, Auth};
use crate::error::{ApiError, ApiResult};
use crate::rules::Today;
use crate::state::AppState;

/// At most this many appeals of the window are clustered (newest first); `truncated` says so.
const WINDOW_CAP: i64 = 200_000;
/// Two texts are near-identical from this MinHash-estimated resemblance.
const NEAR_IDENTICAL: f64 = 0.6;
/// At most this many clusters are returned (largest first).
const MAX_CLUSTERS: usize = 100;
/// Characters of the sample text.
const SAMPLE_CHARS: usize = 300;

/// Query of `GET /analytics/campaigns`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CampaignQuery {
    /// First registration date of the window (YYYY-MM-DD); default `to` − 30 days.
    pub from: Option<NaiveDate>,
    /// Last registration date of the window (YYYY-MM-DD); default today.
    pub to: Option<NaiveDate>,
    /// Minimum number of distinct applicants in a cluster, 2–10000; default 3.
    pub min_size: Option<u32>,
}

/// A cluster of near-identical texts from different applicants.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CampaignCluster {
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

/// Clusters of the window, largest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"from": "2026-03-01", "to": "2026-03-31", "min_size": 3, "truncated": false,
    "clusters": [{"size": 40, "applicants": 38, "subject_ids": [2, 5], "appeal_ids": [903, 901],
    "sample_text": "Просим остановить вырубку сквера на ул. Жамбыла…"}]}))]
pub struct Campaigns {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub min_size: u32,
    /// The window held more appeals than are clustered at once; narrow it.
    pub truncated: bool,
    pub clusters: Vec<CampaignCluster>,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Campaign signal: many different applicants sending near-identical texts (advisory).
///
/// Groups the appeals registered in `[from, to]` (all subjects for the authorized body's analysts,
/// the analyst's subtree elsewhere) by shared LSH band keys of their
/// texts, keeps pairs whose estimated resemblance is at least 0.6, and lists clusters with at
/// least `min_size` distinct applicants (default 3), with their subjects and a sample text. Not a
/// duplicate verdict (p.2(2) needs the same applicant); nothing is stored or changed.
#[utoipa::path(tag = "analytics", params(CampaignQuery), responses((status = 200, body = Campaigns)))]
#[get("/analytics/campaigns")]
pub async fn campaigns(
    state: web::Data<AppState>,
    auth: Auth<Analysts>,
    query: web::Query<CampaignQuery>,
) -> ApiResult<web::Json<Campaigns>> {
    let q = query.into_inner();
    let rules = state.rules();
    let to = q.to.unwrap_or_else(|| rules.today());
    let from = q.from.unwrap_or(to - chrono::Duration::days(30));
    if from > to {
        return Err(ApiError::invalid_field(
            "#/query/from",
            "must not be after `to`",
        ));
    }
    let min_size = q.min_size.unwrap_or(3);
    if !(2..=10_000).contains(&min_size) {
        return Err(ApiError::invalid_field(
            "#/query/min_size",
            "must be between 2 and 10000",
        ));
    }
    let params = rules.dedup.signature;
    let grant = auth.principal.clone();
    let result = state
        .db(move |conn| {
            let subjects = appeals_service::access::visible_subjects(conn, &grant)?;
            let mut entries = repo::duplicates::window_signatures(
                conn,
                subjects.as_deref(),
                from,
                to,
                WINDOW_CAP + 1,
            )?;
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
            let mut clusters: Vec<(CampaignCluster, i64)> = Vec::new();
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
                    CampaignCluster {
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
            Ok(Campaigns {
                from,
                to,
                min_size,
                truncated,
                clusters,
            })
        })
        .await?;
    Ok(web::Json(result))
}
