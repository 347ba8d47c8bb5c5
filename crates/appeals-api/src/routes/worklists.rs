//! Work lists (issue 25): the lists registrar, executor and head screens are built on, with their
//! counts.

use actix_web::{get, web};
use appeals_domain::worklist::{DEFAULT_WITHIN, WorkList};
use appeals_service::worklists::{self, WorkListPage, WorkScope};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Auth, Readers};
use crate::card_view;
use crate::dto::AppealDto;
use crate::error::{ApiError, ApiResult};
use crate::pagination::PageRequest;
use crate::state::AppState;

/// Whose cards and how far ahead.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkListScopeQuery {
    /// `mine`: the cards routed to you; `subject` (default): your subject's; `subtree`: every
    /// subject you may list (your subtree, or all for the authorized body's analysts).
    #[param(example = "subject")]
    pub scope: Option<String>,
    /// `due_soon`: working days ahead, 1–30 (default 3).
    pub within: Option<u32>,
}

/// A page of a work list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkListPageQuery {
    /// As for the counts.
    pub scope: Option<String>,
    /// As for the counts.
    pub within: Option<u32>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// How many cards a work list holds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WorkListCount {
    #[schema(example = "overdue")]
    pub name: String,
    /// Counted up to 1,000.
    pub count: i64,
    /// More than `count` (1,000): show «1 000+».
    pub capped: bool,
}

/// The counts of every work list for a scope.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WorkListCounts {
    pub scope: String,
    pub within: u32,
    pub lists: Vec<WorkListCount>,
}

/// A page of a work list, earliest control date first (transfer date for `transfers_due`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WorkListItems {
    pub name: String,
    pub items: Vec<AppealDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

fn scope_of(s: Option<&str>) -> Result<WorkScope, ApiError> {
    match s {
        None | Some("subject") => Ok(WorkScope::Subject),
        Some("mine") => Ok(WorkScope::Mine),
        Some("subtree") => Ok(WorkScope::Subtree),
        Some(_) => Err(ApiError::invalid_field(
            "#/query/scope",
            "must be mine, subject or subtree",
        )),
    }
}

fn scope_code(s: WorkScope) -> &'static str {
    match s {
        WorkScope::Mine => "mine",
        WorkScope::Subject => "subject",
        WorkScope::Subtree => "subtree",
    }
}

/// `date.id` of the last card of a page.
fn cursor_of(date: NaiveDate, id: i64) -> String {
    format!("{date}.{id}")
}

fn parse_cursor(c: &str) -> Result<(NaiveDate, i64), ApiError> {
    let bad = || ApiError::invalid_field("#/query/cursor", "is not a cursor of this list");
    let (date, id) = c.split_once('.').ok_or_else(bad)?;
    Ok((
        date.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// Counts of every work list.
///
/// `due_today`, `due_soon` (control date within `within` working days after today),
/// `overdue`, `awaiting_assignment` (registered, not routed to an executor),
/// `awaiting_acceptance` (forwarded parts the receiving registrar has not accepted, p.11),
/// `awaiting_approval` and `awaiting_signature` (forwarding or extension, R35/R37),
/// `deemed_refusal` (R44), `transfers_due` (p.15), `anonymous_redirect` (R15: anonymous crime
/// or threat reports not yet forwarded, due the day of registration). "Today" is the server's date in the
/// deployment's time zone; working days follow the calendar.
#[utoipa::path(
    tag = "worklists",
    params(WorkListScopeQuery),
    responses(
        (status = 200, body = WorkListCounts),
        (status = 422, description = "Unknown scope or `within` out of range", body = crate::error::Problem),
    )
)]
#[get("/worklists")]
pub async fn counts(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    query: web::Query<WorkListScopeQuery>,
) -> ApiResult<web::Json<WorkListCounts>> {
    let q = query.into_inner();
    let scope = scope_of(q.scope.as_deref())?;
    let within = q.within.unwrap_or(DEFAULT_WITHIN);
    let ctx = state.ctx(&auth);
    let counted = state
        .run(move |conn| worklists::counts(conn, &ctx, scope, within))
        .await?;
    Ok(web::Json(WorkListCounts {
        scope: scope_code(scope).to_owned(),
        within,
        lists: counted
            .into_iter()
            .map(|c| WorkListCount {
                name: c.list.code().to_owned(),
                count: c.count,
                capped: c.capped,
            })
            .collect(),
    }))
}

/// One work list, earliest date first, keyset-paginated.
///
/// The names are those of `GET /api/v1/worklists`; an unknown name is 404.
#[utoipa::path(
    tag = "worklists",
    params(("name" = String, Path, example = "overdue"), WorkListPageQuery),
    responses(
        (status = 200, body = WorkListItems),
        (status = 404, description = "No such work list", body = crate::error::Problem),
        (status = 422, description = "Unknown scope, `within`, `limit` or `cursor` out of range", body = crate::error::Problem),
    )
)]
#[get("/worklists/{name}")]
pub async fn items(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<String>,
    query: web::Query<WorkListPageQuery>,
) -> ApiResult<web::Json<WorkListItems>> {
    let name = path.into_inner();
    let (list, page, limit) = page_request(&name, query.into_inner())?;
    let ctx = state.ctx(&auth);
    let mut views = state
        .run(move |conn| worklists::page(conn, &ctx, page))
        .await?;
    let next_cursor = cut(list, &mut views, limit, |v| {
        (v.row.review_due, v.row.transfer_due, v.row.id)
    });
    let items = views
        .into_iter()
        .map(|v| card_view::view_of(&v.row, v.subject, v.applicants))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(WorkListItems {
        name,
        items,
        next_cursor,
    }))
}

/// The list, the use-case's page and the page size of a request (404 for an unknown list).
fn page_request(name: &str, q: WorkListPageQuery) -> ApiResult<(WorkList, WorkListPage, i64)> {
    let list = WorkList::parse(name)
        .ok_or_else(|| ApiError::not_found(format!("There is no work list `{name}`.")))?;
    // The cursor of a work list is a (date, id), parsed below; the page size is the lists' common one.
    let limit = PageRequest::parse(q.limit, None)?.limit;
    let page = WorkListPage {
        list,
        scope: scope_of(q.scope.as_deref())?,
        within: q.within.unwrap_or(DEFAULT_WITHIN),
        after: q.cursor.as_deref().map(parse_cursor).transpose()?,
        limit: limit + 1,
    };
    Ok((list, page, limit))
}

/// Cuts a page fetched one longer than `limit` and gives the next page's cursor, if any; `key`
/// reads (control date, transfer date, id) of an item.
fn cut<T>(
    list: WorkList,
    page: &mut Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> (NaiveDate, Option<NaiveDate>, i64),
) -> Option<String> {
    let more = i64::try_from(page.len()).unwrap_or(i64::MAX) > limit;
    page.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let last = page.last().filter(|_| more)?;
    let (review_due, transfer_due, id) = key(last);
    let date = if list == WorkList::TransfersDue {
        transfer_due.unwrap_or(review_due)
    } else {
        review_due
    };
    Some(cursor_of(date, id))
}

/// One page of a work list in the summary view.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WorkListSummaries {
    pub name: String,
    pub items: Vec<crate::dto::AppealSummaryDto>,
    pub next_cursor: Option<String>,
}

/// One page of a work list in the summary view.
///
/// The cards of `GET /api/v1/worklists/{name}` (same scope, `within`, order and cursors) as a list
/// screen shows them — one statement per page, without texts or applicants.
#[utoipa::path(
    tag = "worklists",
    params(("name" = String, Path, example = "overdue"), WorkListPageQuery),
    responses(
        (status = 200, body = WorkListSummaries),
        (status = 404, description = "No such work list", body = crate::error::Problem),
        (status = 422, description = "Unknown scope, `within`, `limit` or `cursor` out of range", body = crate::error::Problem),
    )
)]
#[get("/worklists/{name}/summaries")]
pub async fn item_summaries(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<String>,
    query: web::Query<WorkListPageQuery>,
) -> ApiResult<web::Json<WorkListSummaries>> {
    let name = path.into_inner();
    let (list, page, limit) = page_request(&name, query.into_inner())?;
    let ctx = state.ctx(&auth);
    let mut cards = state
        .run(move |conn| worklists::page_summaries(conn, &ctx, page))
        .await?;
    let next_cursor = cut(list, &mut cards, limit, |c| {
        (c.row.review_due, c.row.transfer_due, c.row.id)
    });
    Ok(web::Json(WorkListSummaries {
        name,
        items: cards
            .into_iter()
            .map(crate::dto::AppealSummaryDto::from)
            .collect(),
        next_cursor,
    }))
}
