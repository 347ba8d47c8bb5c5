//! ОЛ-1: register, list, read, edit, history.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use appeals_service::appeals::{edit, register as registration};
use appeals_service::cards::read;
use appeals_service::idempotency::Once;

use crate::actions::if_match;
use crate::auth::{Auth, CardEditors, Readers, Registrars};
use crate::card_view;
use crate::dto::{
    AppealDto, AppealListQuery, AppealPage, AppealSearchHit, AppealSearchPage, AppealSearchQuery,
    EventDto, PatchAppeal, RegisterAppeal, SnippetDto,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::pagination::{DEFAULT_LIMIT, MAX_LIMIT, PageRequest};
use crate::state::AppState;

fn created(dto: &AppealDto) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/appeals/{}", dto.id)))
        .insert_header((header::ETAG, card_view::etag(dto.version)))
        .json(dto)
}

/// Register an appeal, message, request, response or proposal.
///
/// The server fills ОЛ-1 requisites 1, 2, 3, 5, 9, 10, 13 (R19): the registration number from the
/// through counter (`{INDEX}-{YYYY}-{NNNNNNNN}`, R3), the registration date normalised to the
/// working-day calendar (a non-working day or a time after 18:30 local moves it, R7/R8), the
/// review and forwarding deadlines, markings (ҰЖ for two or more applicants, R9) and the talon
/// (R6). Send `Idempotency-Key` to make retries safe. Invalid input stores nothing.
#[utoipa::path(
    tag = "appeals",
    request_body = RegisterAppeal,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of registering twice")),
    responses(
        (status = 201, description = "Registered; `Location` names the card", body = AppealDto,
         headers(("Location" = String, description = "/api/v1/appeals/{id}"), ("ETag" = String, description = "Card version"))),
    )
)]
#[post("/appeals")]
pub async fn register(
    state: web::Data<AppState>,
    auth: Auth<Registrars>,
    req: HttpRequest,
    ValidatedJson(body): ValidatedJson<RegisterAppeal>,
) -> ApiResult<HttpResponse> {
    let idem = crate::actions::idempotency(&req, &body)?;
    let ctx = state.ctx(&auth);
    let prepared = registration::prepare(&ctx, body.into(), state.duplicate_check_on_registration)?;
    // R20: registry lookups happen before the transaction (a slow registry holds no locks) and
    // never fail the registration.
    let lookups =
        crate::applicants::start_lookups(&state, prepared.applicants(), ctx.stored_now()).await?;
    let cmd = registration::Register {
        prepared,
        lookups,
        idem,
    };
    let dto = state
        .db(move |conn| {
            registration::register(conn, &ctx, cmd, |_, done| {
                let mut dto =
                    card_view::view_of(&done.card.row, done.card.subject, done.card.applicants)?;
                dto.duplicate_check = done.check.map(Into::into);
                Ok::<_, ApiError>(dto)
            })
            .map(Once::into_inner)
        })
        .await?;
    let verdict = dto
        .duplicate_check
        .as_ref()
        .and_then(|c| serde_json::to_value(c.verdict).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    state.metrics().registered(verdict.as_deref());
    Ok(created(&dto))
}

/// List appeals (newest first, cursor-paginated), as JSON or as CSV.
///
/// Newest registered first (by id); a range of registration dates (`from`, `to`) comes by
/// registration date, newest first, then by id.
///
/// Users see their own subject's cards; analysts of the authorized body see all subjects and may
/// filter by `subject_id`. With `Accept: text/csv` the same page comes as a CSV document (UTF-8 with
/// a byte-order mark; one row per card, columns named like the JSON fields, several values in a
/// cell joined by `; `), pages of up to 1,000 rows (default 1,000), and the next page's address in
/// `Link: <…>; rel="next"`; with `all=true` the whole list as one streamed document (read in
/// batches, so the server's memory does not grow with it).
#[utoipa::path(
    tag = "appeals",
    params(AppealListQuery),
    responses((status = 200, content(
        (AppealPage = "application/json"),
        (String = "text/csv", example = "id,registration_number,main_appeal_id,…\r\n42,ЖТ-2026-00000042,,…")
    ), headers(("Link" = String, description = "CSV only: the next page, `rel=\"next\"`"))))
)]
#[get("/appeals")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    req: HttpRequest,
    query: web::Query<AppealListQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let csv = crate::csv_export::wants_csv(&req);
    let stream_all = q.all.unwrap_or(false);
    if stream_all && !csv {
        return Err(ApiError::invalid_field(
            "#/query/all",
            "a whole list is exported as CSV only (Accept: text/csv)",
        ));
    }
    let (default, max) = if csv {
        (crate::csv_export::CSV_PAGE, crate::csv_export::CSV_PAGE)
    } else {
        (DEFAULT_LIMIT, MAX_LIMIT)
    };
    let page_request = list_page(&q, default, max)?;
    let filter = list_filter(q, &page_request);
    let ctx = state.ctx(&auth);
    if stream_all {
        return Ok(stream_csv(state, ctx, filter, page_request.limit));
    }
    let mut views = state
        .run(move |conn| read::list(conn, &ctx, filter))
        .await?;
    let next_cursor = page_request.cut_ordered(&mut views, |v| (v.row.registration_date, v.row.id));
    let items = views
        .into_iter()
        .map(|v| card_view::view_of(&v.row, v.subject, v.applicants))
        .collect::<Result<Vec<_>, _>>()?;
    let page = AppealPage { items, next_cursor };
    if !csv {
        return Ok(HttpResponse::Ok().json(page));
    }
    let document = crate::csv_export::appeals_csv(&page.items)?;
    Ok(crate::csv_export::csv_response(
        &req,
        document,
        "appeals.csv",
        page.next_cursor.as_deref(),
    ))
}

/// The page of a list request: a range of registration dates comes in registration-date order
/// (its cursor `date.id`), any other list in id order.
fn list_page(q: &AppealListQuery, default: i64, max: i64) -> Result<PageRequest, ApiError> {
    let in_date_order = q.from.is_some() || q.to.is_some();
    PageRequest::parse_ordered(q.limit, q.cursor.as_deref(), default, max, in_date_order)
}

/// The use-case's filters of a list request.
fn list_filter(q: AppealListQuery, page_request: &PageRequest) -> read::ListAppeals {
    read::ListAppeals {
        subject_id: q.subject_id,
        status: q.status,
        kind: q.kind,
        registered_from: q.from,
        registered_to: q.to,
        applicant_iin_bin: q.iin_bin,
        reg_number: q.registration_number,
        tag: q.tag,
        marking: q.marking,
        overdue: q.overdue.unwrap_or(false),
        transfer_overdue: q.transfer_overdue.unwrap_or(false),
        deemed_refusal: q.deemed_refusal.unwrap_or(false),
        entered_late: q.entered_late,
        before_id: page_request.cursor_id,
        before_registration_date: page_request.cursor_date,
        limit: page_request.fetch(),
    }
}

/// The same list in its summary view (newest first, cursor-paginated).
///
/// Every filter of `GET /api/v1/appeals`, and the same cursors; each item carries what a list screen
/// shows — number, status, kind, type, holder id, dates and deadlines, flags, short content, tags,
/// markings — read in one statement, without the text, the applicants or the holder's name (open
/// the card for those). The page a registrar's or executor's screen is built on at national scale.
#[utoipa::path(
    tag = "appeals",
    params(AppealListQuery),
    responses(
        (status = 200, body = crate::dto::AppealSummaryPage),
        (status = 422, description = "A bad filter, limit or cursor", body = crate::error::Problem),
    )
)]
#[get("/appeals/summaries")]
pub async fn list_summaries(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    query: web::Query<AppealListQuery>,
) -> ApiResult<web::Json<crate::dto::AppealSummaryPage>> {
    let q = query.into_inner();
    if q.all.is_some() {
        return Err(ApiError::invalid_field(
            "#/query/all",
            "a whole list is exported as CSV of `GET /api/v1/appeals`",
        ));
    }
    let page_request = list_page(&q, DEFAULT_LIMIT, MAX_LIMIT)?;
    let filter = list_filter(q, &page_request);
    let ctx = state.ctx(&auth);
    let mut cards = state
        .run(move |conn| read::list_summaries(conn, &ctx, filter))
        .await?;
    let next_cursor = page_request.cut_ordered(&mut cards, |c| (c.row.registration_date, c.row.id));
    Ok(web::Json(crate::dto::AppealSummaryPage {
        items: cards
            .into_iter()
            .map(crate::dto::AppealSummaryDto::from)
            .collect(),
        next_cursor,
    }))
}

/// Deepest position in a search ranking a page may start at: ranked results are for finding,
/// lists and exports page by id.
const MAX_SEARCH_OFFSET: i64 = 10_000;

/// Full-text search of appeals, best match first.
///
/// Finds cards by the words of their text, short content (requisite 12), tags and applicants'
/// names — Russian or Kazakh, in any inflection (every word of the query must occur) — or by an
/// applicant's 12-digit IIN/BIN, which is looked up through a keyed hash (no IIN is indexed in
/// clear, none is logged). Only the subjects the caller may list are searched: own subject,
/// subtree, or all for analysts of the authorized body. Each hit carries a snippet of the text
/// with the byte ranges of the matched words.
#[utoipa::path(
    tag = "appeals",
    params(AppealSearchQuery),
    responses(
        (status = 200, body = AppealSearchPage),
        (status = 422, description = "Nothing to search for, too many words, or a bad limit/cursor", body = crate::error::Problem),
    )
)]
#[get("/appeals/search")]
pub async fn search(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    query: web::Query<AppealSearchQuery>,
) -> ApiResult<web::Json<AppealSearchPage>> {
    let q = query.into_inner();
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let offset = page.cursor_id.unwrap_or(0);
    if !(0..=MAX_SEARCH_OFFSET).contains(&offset) {
        return Err(ApiError::invalid_field(
            "#/query/cursor",
            "is not a cursor of this search",
        ));
    }
    let cmd = appeals_service::search::SearchAppeals {
        q: q.q,
        offset,
        limit: page.fetch(),
    };
    let ctx = state.ctx(&auth);
    let mut hits = state
        .run(move |conn| appeals_service::search::appeals(conn, &ctx, cmd))
        .await?;
    let more = i64::try_from(hits.len()).unwrap_or(i64::MAX) > page.limit;
    hits.truncate(usize::try_from(page.limit).unwrap_or(usize::MAX));
    let items = hits
        .into_iter()
        .map(|h| {
            Ok(AppealSearchHit {
                appeal: card_view::view_of(&h.card.row, h.card.subject, h.card.applicants)?,
                snippet: SnippetDto {
                    text: h.snippet.text,
                    highlights: h
                        .snippet
                        .highlights
                        .iter()
                        .map(|r| [r.start, r.end])
                        .collect(),
                },
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(web::Json(AppealSearchPage {
        items,
        next_cursor: more.then(|| (offset + page.limit).to_string()),
    }))
}

/// Every card of a list as one CSV document, read in keyset batches of `batch` by a task that
/// waits while the client reads (a channel of four batches): the server holds at most a few
/// batches, however long the list.
fn stream_csv(
    state: web::Data<AppState>,
    ctx: appeals_service::Ctx,
    filter: read::ListAppeals,
    batch: i64,
) -> HttpResponse {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    actix_web::rt::spawn(async move {
        let in_date_order = filter.in_date_order();
        let mut before = (filter.before_registration_date, filter.before_id);
        let mut first = true;
        loop {
            let page = read::ListAppeals {
                before_registration_date: before.0,
                before_id: before.1,
                limit: batch,
                ..filter.clone()
            };
            let ctx = ctx.clone();
            let part = async {
                let views = state.run(move |conn| read::list(conn, &ctx, page)).await?;
                let last = views.last().map(|v| {
                    let date = in_date_order.then_some(v.row.registration_date);
                    (date, Some(v.row.id))
                });
                let full = i64::try_from(views.len()).unwrap_or(i64::MAX) >= batch;
                let items = views
                    .into_iter()
                    .map(|v| card_view::view_of(&v.row, v.subject, v.applicants))
                    .collect::<Result<Vec<_>, _>>()?;
                let bytes = crate::csv_export::appeals_csv_part(&items, first)?;
                Ok::<_, ApiError>((bytes, last.filter(|_| full)))
            };
            let (bytes, next) = match part.await {
                Ok(done) => done,
                Err(e) => {
                    // The status line is sent: the client sees a cut document and the log the cause.
                    tracing::error!(error = %e, "CSV export stopped");
                    let _ = tx.send(Err(e.into())).await;
                    return;
                }
            };
            first = false;
            if tx.send(Ok(web::Bytes::from(bytes))).await.is_err() {
                return; // the client went away
            }
            match next {
                Some(cursor) => before = cursor,
                None => return,
            }
        }
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"appeals.csv\"",
        ))
        .streaming(crate::csv_export::CsvParts(rx))
}

/// Read one card (ОЛ-1 with its З-1 cards, deadlines and talon). `ETag` carries the version.
///
/// With `If-None-Match` naming the current `ETag` (or `*`) the answer is `304 Not Modified` with no
/// body: a client that polls a card reads it again only when it changed.
#[utoipa::path(
    tag = "appeals",
    params(("If-None-Match" = Option<String>, Header, description = "ETags the client holds; the current one gives 304")),
    responses(
        (status = 200, body = AppealDto, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag sent", headers(("ETag" = String))),
    )
)]
#[get("/appeals/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let held = if_none_match(&req);
    let ctx = state.ctx(&auth);
    let read = state
        .run(move |conn| read::card(conn, &ctx, id, |v| held.matches(v)))
        .await?;
    Ok(match read {
        read::CardRead::Card(view) => {
            let dto = card_view::view_of(&view.row, view.subject, view.applicants)?;
            HttpResponse::Ok()
                .insert_header((header::ETAG, card_view::etag(dto.version)))
                .json(dto)
        }
        read::CardRead::NotModified(version) => HttpResponse::NotModified()
            .insert_header((header::ETAG, card_view::etag(version)))
            .finish(),
    })
}

/// The versions named by `If-None-Match` (RFC 9110 §13.1.2: weak comparison, `*` for any).
#[derive(Debug, Default)]
struct HeldVersions {
    any: bool,
    versions: Vec<i64>,
}

impl HeldVersions {
    fn matches(&self, version: i64) -> bool {
        self.any || self.versions.contains(&version)
    }
}

fn if_none_match(req: &HttpRequest) -> HeldVersions {
    let mut held = HeldVersions::default();
    for value in req.headers().get_all(header::IF_NONE_MATCH) {
        for tag in value.to_str().unwrap_or_default().split(',') {
            let tag = tag.trim();
            if tag == "*" {
                held.any = true;
            } else if let Some(v) = card_view::version_of_etag(tag) {
                held.versions.push(v);
            }
        }
    }
    held
}

/// Edit requisites of ОЛ-1.
///
/// Requires `If-Match` with the current `ETag` (428 without it, 412 when stale). Changing
/// requisite 8 `document_type` requires `tags` (p.4 part 4, R12 → 422 otherwise) and recomputes
/// requisites 9 (term) and 13 (review deadline) (R19). `tags` alone replace the tags (event
/// `tags_changed`). The registration number never changes (R2).
#[utoipa::path(
    tag = "appeals",
    request_body = PatchAppeal,
    params(("If-Match" = String, Header, description = "ETag of the version being edited")),
    responses(
        (status = 200, body = AppealDto, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/appeals/{id}")]
pub async fn patch_one(
    state: web::Data<AppState>,
    auth: Auth<CardEditors>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<PatchAppeal>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_command(path.into_inner(), if_match(&req)?);
    let ctx = state.ctx(&auth);
    let view = state.run(move |conn| edit::edit(conn, &ctx, cmd)).await?;
    let dto = card_view::view_of(&view.row, view.subject, view.applicants)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, card_view::etag(dto.version)))
        .json(dto))
}

/// Put markings on a card or take them off (p.6, R9, R11).
///
/// Markings of the `markings` book without an automatic rule are put on and taken off freely. An
/// automatic one — «ҰЖ» `collective`, set from two or more applicants (R9) — is *corrected*: it stays
/// as corrected when the applicants change, requisite 7 follows it, and the correction needs a
/// `reason` (422 at `#/reason`). One `markings_changed` history event with the markings before and
/// after and the reason. An unknown or inactive code is 422 at its index; a body that changes
/// nothing is 422.
#[utoipa::path(
    tag = "appeals",
    request_body = crate::dto::ChangeMarkingsBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 200, body = AppealDto, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/appeals/{id}/markings")]
pub async fn change_markings(
    state: web::Data<AppState>,
    auth: Auth<CardEditors>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<crate::dto::ChangeMarkingsBody>,
) -> ApiResult<HttpResponse> {
    let cmd = edit::ChangeMarkings {
        target: crate::actions::target(&req, path.into_inner())?,
        add: body.add,
        remove: body.remove,
        reason: body.reason,
    };
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| edit::change_markings(conn, &ctx, cmd))
        .await?;
    crate::actions::card_ok(view)
}

/// Recompute the card's history chain (for auditors).
///
/// Every event must follow the previous one (`seq` + 1, `prev_hash` = its hash) and hash to its
/// stored content; the first event that does not is reported. Whoever may read the card may verify
/// it (404 otherwise). `appeals audit verify` does the same for every card.
#[utoipa::path(tag = "appeals", responses((status = 200, body = crate::dto::HistoryVerificationDto)))]
#[get("/appeals/{id}/history/verification")]
pub async fn verify_history(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<crate::dto::HistoryVerificationDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let check = state
        .run(move |conn| read::verify_history(conn, &ctx, id))
        .await?;
    Ok(web::Json(crate::dto::HistoryVerificationDto {
        appeal_id: id,
        events_checked: check.checked,
        intact: check.broken.is_none(),
        broken: check.broken.map(|b| crate::dto::BrokenLinkDto {
            seq: b.seq,
            event_id: b.event_id,
            reason: b.reason,
        }),
        head_hash: check.head_hash,
    }))
}

/// The card's history: every action as a hash-chained event (oldest first).
#[utoipa::path(tag = "appeals", responses((status = 200, body = Vec<EventDto>)))]
#[get("/appeals/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<EventDto>>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let events = state.run(move |conn| read::history(conn, &ctx, id)).await?;
    Ok(web::Json(
        events.iter().map(|e| crate::dto::event_dto!(e)).collect(),
    ))
}
