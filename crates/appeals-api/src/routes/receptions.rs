//! Personal reception (ЛП-1, Rules p.4 part 5, p.18, Appendix 2-1): applications, the day's queue,
//! schedules and slots, refusal and outcome.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use appeals_domain::schedule::Schedule;
use appeals_service::applicants::RegistryLookups;
use appeals_service::idempotency::Once;
use appeals_service::receptions::{self, Book, ListReceptions, NewSchedule, ReceptionView};
use chrono::NaiveTime;

use crate::actions::{expected_version, if_match};
use crate::auth::{
    Auth, ReceptionBookers, ReceptionEditors, ReceptionKeepers, ReceptionReaders,
    ReceptionRegistrars, ScheduleKeepers,
};
use crate::card_view::etag;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::pagination::PageRequest;
use crate::reception_dto::{
    ApplyForReception, BookingBody, EndSchedule, OutcomeBody, PatchReception, QueueQuery,
    ReceptionDto, ReceptionHistoryDto, ReceptionListQuery, ReceptionPage, ReceptionQueue,
    RefusalBody, ScheduleBody, ScheduleDto, SlotsDto, SlotsQuery,
};
use crate::state::AppState;

fn with_etag(view: ReceptionView) -> ApiResult<HttpResponse> {
    let dto = ReceptionDto::of(view)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto))
}

/// Register an application for personal reception (R10, R26).
///
/// The application is registered through its ЛП-1 card: a registration number from the through
/// numbering (requisite 2, R3), the marking «ЖҚ» (R10), the next place in the subject's queue
/// today (requisites 3–4). The IIN is checked (R47, R48). One card per application: a second one
/// with the same `source_reference` is a 409. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "receptions",
    request_body = ApplyForReception,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of registering twice")),
    responses(
        (status = 201, description = "Registered; `Location` names the card", body = ReceptionDto,
         headers(("Location" = String, description = "/api/v1/receptions/{id}"), ("ETag" = String))),
        (status = 409, description = "The application is already registered (R26)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/receptions")]
pub async fn apply(
    state: web::Data<AppState>,
    auth: Auth<ReceptionRegistrars>,
    req: HttpRequest,
    ValidatedJson(body): ValidatedJson<ApplyForReception>,
) -> ApiResult<HttpResponse> {
    let idem = crate::actions::idempotency(&req, &body)?;
    let ctx = state.ctx(&auth);
    let cmd = body.into_command(idem, RegistryLookups::Done(vec![None]));
    // R20 as for З-1: the registry is asked before the transaction and never fails the call.
    let entry = cmd.person.lookup_entry();
    let lookup = crate::applicants::start_lookups(&state, &[entry], ctx.stored_now()).await?;
    let cmd = receptions::Apply { lookup, ..cmd };
    let dto = state
        .db(move |conn| {
            receptions::apply(conn, &ctx, cmd, |_, view| ReceptionDto::of(view))
                .map(Once::into_inner)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/receptions/{}", dto.id)))
        .insert_header((header::ETAG, etag(dto.version)))
        .json(dto))
}

/// List reception cards (newest first, cursor-paginated), as JSON or as CSV.
///
/// The caller's own subject; heads and controllers their subtree; analysts of the authorized body
/// every subject (1-ОЛ section 5). With `Accept: text/csv` the same page comes as a CSV document
/// (UTF-8 with a byte-order mark; ЛП-1 requisites as columns), pages of up to 1,000 rows, and the
/// next page's address in `Link: <…>; rel="next"`.
#[utoipa::path(
    tag = "receptions",
    params(ReceptionListQuery),
    responses((status = 200, content(
        (ReceptionPage = "application/json"),
        (String = "text/csv", example = "id,registration_number,status,…\r\n7,ЖТ-2026-00000043,queued,…")
    ), headers(("Link" = String, description = "CSV only: the next page, `rel=\"next\"`"))))
)]
#[get("/receptions")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<ReceptionReaders>,
    req: HttpRequest,
    query: web::Query<ReceptionListQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let csv = crate::csv_export::wants_csv(&req);
    let page = if csv {
        let rows = crate::csv_export::CSV_PAGE;
        PageRequest::parse_bounded(q.limit, q.cursor.as_deref(), rows, rows)?
    } else {
        PageRequest::parse(q.limit, q.cursor.as_deref())?
    };
    let filter = ListReceptions {
        subject_id: q.subject_id,
        status: q.status,
        official_user_id: q.official_user_id,
        from: q.from,
        to: q.to,
        out_of_schedule: q.out_of_schedule,
        kind: q.kind,
        before_id: page.cursor_id,
        limit: page.fetch(),
    };
    let ctx = state.ctx(&auth);
    let mut views = state
        .run(move |conn| receptions::list(conn, &ctx, filter))
        .await?;
    let next_cursor = page.cut(&mut views, |v| v.row.id);
    let items: Vec<ReceptionDto> = views
        .into_iter()
        .map(ReceptionDto::of)
        .collect::<Result<_, ApiError>>()?;
    if csv {
        let document = crate::csv_export::receptions_csv(&items)?;
        return Ok(crate::csv_export::csv_response(
            &req,
            document,
            "receptions.csv",
            next_cursor.as_deref(),
        ));
    }
    Ok(HttpResponse::Ok().json(ReceptionPage { items, next_cursor }))
}

/// The day's queue of the caller's subject.
///
/// Applications put in the queue up to that day and not yet held, refused or not held, in queue
/// order (the day they were queued, then requisite 3), each with its slot and presiding official
/// once given. No application is flagged for waiting: the Rules set no term for it
/// (docs/reception.md).
#[utoipa::path(tag = "receptions", params(QueueQuery), responses((status = 200, body = ReceptionQueue)))]
#[get("/receptions/queue")]
pub async fn queue(
    state: web::Data<AppState>,
    auth: Auth<ReceptionReaders>,
    query: web::Query<QueueQuery>,
) -> ApiResult<web::Json<ReceptionQueue>> {
    let ctx = state.ctx(&auth);
    let date = query
        .into_inner()
        .date
        .unwrap_or_else(|| ctx.rules.local_date(ctx.now));
    let views = state
        .run(move |conn| receptions::queue(conn, &ctx, date))
        .await?;
    let items = views
        .into_iter()
        .map(ReceptionDto::of)
        .collect::<Result<_, ApiError>>()?;
    Ok(web::Json(ReceptionQueue { date, items }))
}

/// Read one reception card (the application and its ЛП-1). `ETag` carries the version.
#[utoipa::path(tag = "receptions", responses((status = 200, body = ReceptionDto, headers(("ETag" = String)))))]
#[get("/receptions/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<ReceptionReaders>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    with_etag(
        state
            .run(move |conn| receptions::get(conn, &ctx, id))
            .await?,
    )
}

/// Correct requisites of a reception card: the person (7–22), the question (23), the kind (6).
///
/// Requires `If-Match` with the current `ETag` (428 without it, 412 when stale). Codes of
/// reference books and the IIN are checked (422 at their pointer, nothing changed); one `updated`
/// event records the values before and after.
#[utoipa::path(
    tag = "receptions",
    request_body = PatchReception,
    params(("If-Match" = String, Header, description = "ETag of the version being edited")),
    responses(
        (status = 200, body = ReceptionDto, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/receptions/{id}")]
pub async fn patch_one(
    state: web::Data<AppState>,
    auth: Auth<ReceptionEditors>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<PatchReception>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_command(path.into_inner(), if_match(&req)?);
    let ctx = state.ctx(&auth);
    with_etag(
        state
            .run(move |conn| receptions::edit(conn, &ctx, cmd))
            .await?,
    )
}

/// The card's hash-chained history (oldest first) and whether the chain is intact.
#[utoipa::path(tag = "receptions", responses((status = 200, body = ReceptionHistoryDto)))]
#[get("/receptions/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    auth: Auth<ReceptionReaders>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<ReceptionHistoryDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let (events, broken) = state
        .run(move |conn| receptions::history(conn, &ctx, id))
        .await?;
    Ok(web::Json(ReceptionHistoryDto::of(events, broken)))
}

/// Give a queued application a slot of a schedule (requisites 24–25).
///
/// The schedule's official presides (a head or deputy head, R24); requisite 25 becomes
/// «записано на личный прием»; the slot's day, time and place are proposed for requisites 26–29.
/// A slot is given once: whoever asks second — from any server process — gets 409. `If-Match`
/// is optional (412 when stale).
#[utoipa::path(
    tag = "receptions",
    request_body = BookingBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag")),
    responses(
        (status = 200, body = ReceptionDto, headers(("ETag" = String))),
        (status = 409, description = "The slot is taken, or the reception is not waiting in the queue", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/receptions/{id}/booking")]
pub async fn book(
    state: web::Data<AppState>,
    auth: Auth<ReceptionBookers>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<BookingBody>,
) -> ApiResult<HttpResponse> {
    let cmd = Book {
        reception_id: path.into_inner(),
        expected_version: expected_version(&req)?,
        schedule_id: body.schedule_id,
        starts_at: body.starts_at,
    };
    let ctx = state.ctx(&auth);
    with_etag(
        state
            .run(move |conn| receptions::book(conn, &ctx, cmd))
            .await?,
    )
}

/// Confirm the reserved slot (the applicant agreed to it).
#[utoipa::path(
    tag = "receptions",
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag")),
    responses(
        (status = 200, body = ReceptionDto, headers(("ETag" = String))),
        (status = 409, description = "No slot, or already confirmed", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/receptions/{id}/booking/confirmation")]
pub async fn confirm(
    state: web::Data<AppState>,
    auth: Auth<ReceptionBookers>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (id, expected) = (path.into_inner(), expected_version(&req)?);
    let ctx = state.ctx(&auth);
    with_etag(
        state
            .run(move |conn| receptions::confirm(conn, &ctx, id, expected))
            .await?,
    )
}

/// Give the slot back: the application waits in the queue again, at its place.
#[utoipa::path(
    tag = "receptions",
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag")),
    responses(
        (status = 200, body = ReceptionDto, headers(("ETag" = String))),
        (status = 409, description = "The reception has no slot", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/receptions/{id}/booking/release")]
pub async fn release(
    state: web::Data<AppState>,
    auth: Auth<ReceptionBookers>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (id, expected) = (path.into_inner(), expected_version(&req)?);
    let ctx = state.ctx(&auth);
    with_etag(
        state
            .run(move |conn| receptions::release(conn, &ctx, id, expected))
            .await?,
    )
}

/// Refuse the reception (requisite 25 «отказано в личном приеме»).
///
/// The reason becomes requisite 36; the card is complete (R25) and a slot it had is given back.
#[utoipa::path(
    tag = "receptions",
    request_body = RefusalBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag")),
    responses(
        (status = 200, body = ReceptionDto, headers(("ETag" = String))),
        (status = 409, description = "The reception already has its outcome", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/receptions/{id}/refusal")]
pub async fn refuse(
    state: web::Data<AppState>,
    auth: Auth<ReceptionBookers>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<RefusalBody>,
) -> ApiResult<HttpResponse> {
    let (id, expected) = (path.into_inner(), expected_version(&req)?);
    let ctx = state.ctx(&auth);
    with_etag(
        state
            .run(move |conn| receptions::refuse(conn, &ctx, id, expected, body.reason))
            .await?,
    )
}

/// Record the outcome of the reception (p.18 parts 2–3, R25).
///
/// `held: true` — requisites 26–29 (the slot's day, time and place unless given), 31 (a head or
/// deputy head of the subject), 32, 33 and the result are required; `held: false` — requisite 36,
/// and the card is still complete. A missing requisite is a 422 whose error names its number at
/// its JSON pointer; nothing is stored. A reception by schedule is held in a slot (409 without
/// one).
#[utoipa::path(
    tag = "receptions",
    request_body = OutcomeBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag")),
    responses(
        (status = 200, body = ReceptionDto, headers(("ETag" = String))),
        (status = 409, description = "Already decided, or held without a slot", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/receptions/{id}/outcome")]
pub async fn record_outcome(
    state: web::Data<AppState>,
    auth: Auth<ReceptionKeepers>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<OutcomeBody>,
) -> ApiResult<HttpResponse> {
    let cmd = body.into_command(path.into_inner(), expected_version(&req)?);
    let ctx = state.ctx(&auth);
    with_etag(
        state
            .run(move |conn| receptions::record_outcome(conn, &ctx, cmd))
            .await?,
    )
}

fn hours(value: &str, pointer: &str) -> Result<NaiveTime, ApiError> {
    NaiveTime::parse_from_str(value, "%H:%M")
        .map_err(|_| ApiError::invalid_field(pointer, "must be a time HH:MM"))
}

/// Create a reception schedule of a head or deputy head of the caller's subject (p.18 part 2).
///
/// Its slots are cut from `starts` to `ends` on the named weekdays that are working days of the
/// calendar: a holiday or a transferred day off has none, and a calendar change moves them at once.
#[utoipa::path(tag = "receptions", request_body = ScheduleBody, responses((status = 201, body = ScheduleDto)))]
#[post("/reception-schedules")]
pub async fn create_schedule(
    state: web::Data<AppState>,
    auth: Auth<ScheduleKeepers>,
    ValidatedJson(body): ValidatedJson<ScheduleBody>,
) -> ApiResult<HttpResponse> {
    let cmd = NewSchedule {
        official_user_id: body.official_user_id,
        schedule: Schedule {
            weekdays: body.weekdays,
            starts: hours(&body.starts, "#/starts")?,
            ends: hours(&body.ends, "#/ends")?,
            slot_minutes: body.slot_minutes,
            valid_from: body.valid_from,
            valid_to: body.valid_to,
        },
        place_kato: body.place_kato,
        place_addressee: body.place_addressee,
        online: body.online,
    };
    let ctx = state.ctx(&auth);
    let row = state
        .run(move |conn| receptions::create_schedule(conn, &ctx, cmd))
        .await?;
    Ok(HttpResponse::Created().json(ScheduleDto::from(row)))
}

/// End a schedule of the caller's subject: no slots after `valid_to`.
///
/// Slots already given after that day must be given back first (409). Another subject's schedule
/// answers 404.
#[utoipa::path(
    tag = "receptions",
    request_body = EndSchedule,
    responses(
        (status = 200, body = ScheduleDto),
        (status = 409, description = "Slots after `valid_to` are given to receptions", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/reception-schedules/{id}")]
pub async fn end_schedule(
    state: web::Data<AppState>,
    auth: Auth<ScheduleKeepers>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<EndSchedule>,
) -> ApiResult<web::Json<ScheduleDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let row = state
        .run(move |conn| receptions::end_schedule(conn, &ctx, id, body.valid_to))
        .await?;
    Ok(web::Json(row.into()))
}

/// The reception schedules the caller may read.
#[utoipa::path(tag = "receptions", responses((status = 200, body = Vec<ScheduleDto>)))]
#[get("/reception-schedules")]
pub async fn list_schedules(
    state: web::Data<AppState>,
    auth: Auth<ReceptionReaders>,
) -> ApiResult<web::Json<Vec<ScheduleDto>>> {
    let ctx = state.ctx(&auth);
    let rows = state
        .run(move |conn| receptions::schedules(conn, &ctx))
        .await?;
    Ok(web::Json(rows.into_iter().map(ScheduleDto::from).collect()))
}

/// The slots of a schedule in a window of days, each free or given (none on a day off).
#[utoipa::path(tag = "receptions", params(SlotsQuery), responses((status = 200, body = SlotsDto)))]
#[get("/reception-schedules/{id}/slots")]
pub async fn slots(
    state: web::Data<AppState>,
    auth: Auth<ReceptionReaders>,
    path: web::Path<i64>,
    query: web::Query<SlotsQuery>,
) -> ApiResult<web::Json<SlotsDto>> {
    let (id, q) = (path.into_inner(), query.into_inner());
    let ctx = state.ctx(&auth);
    let (row, slots) = state
        .run(move |conn| receptions::slots(conn, &ctx, id, q.from, q.to))
        .await?;
    Ok(web::Json(SlotsDto {
        schedule: row.into(),
        slots: slots.into_iter().map(Into::into).collect(),
    }))
}
