//! Analytics for the authorized body: the campaign signal (issue 5, advisory).

use actix_web::{get, web};
use appeals_service::analytics;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Analysts, Auth};
use crate::error::{ApiError, ApiResult};
use crate::rules::Today;
use crate::state::AppState;

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
    let ctx = state.ctx(&auth);
    let report = state
        .run(move |conn| analytics::campaigns(conn, &ctx, from, to, min_size))
        .await?;
    Ok(web::Json(Campaigns::from((from, to, min_size, report))))
}

impl From<(NaiveDate, NaiveDate, u32, analytics::CampaignReport)> for Campaigns {
    fn from(
        (from, to, min_size, report): (NaiveDate, NaiveDate, u32, analytics::CampaignReport),
    ) -> Self {
        Self {
            from,
            to,
            min_size,
            truncated: report.truncated,
            clusters: report
                .clusters
                .into_iter()
                .map(|c| CampaignCluster {
                    size: c.size,
                    applicants: c.applicants,
                    subject_ids: c.subject_ids,
                    appeal_ids: c.appeal_ids,
                    sample_text: c.sample_text,
                })
                .collect(),
        }
    }
}
