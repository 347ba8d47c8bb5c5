//! Report 1-ОЛ (Rules p.32, Appendix 5; R44, R50, R51): the report as JSON, CSV or XLSX, the
//! reporting schedule, closing a month and its revisions, and the report definition.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use appeals_domain::report::ReportDefinition;
use appeals_service::reports::{self, CloseMonth, ReportQuery as Query};

use crate::auth::{Auth, ReferenceData, ReportClosers, ReportDefinitionEditors, ReportReaders};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::report_dto::{
    ChangeDefinition, DefinitionDto, DefinitionVersionDto, DefinitionVersions, ReportDto,
    ReportQuery, ReportScheduleDto, RevisionDto, RevisionList, RevisionsQuery, ScheduleQuery,
};
use crate::report_export::{self, XLSX};
use crate::state::AppState;

fn download(body: Vec<u8>, media: &str, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}

/// Report 1-ОЛ for a month (JSON, CSV or XLSX).
///
/// Built from the ОЛ-1, ОЛ-2 and ЛП-1 cards of each subject, as counted by the card write path:
/// every count column for the month alone (`month`) and cumulatively from 1 January (`cumulative`,
/// p.32), due on the 10th of the next month moved to the next working day (R50). Section 5
/// «Личный прием» has the twelve columns of Appendix 2 to the Order; sections 1–4 are our
/// reconstruction (each column says its `basis`; docs/reports.md). Rows: one per subject with its
/// row code, a total above each subject that has subjects below it, a grand total when several
/// trees are shown. Analysts of the authorized body see every subject, everyone else their
/// subtree. `Accept: text/csv` gives one line per figure; `Accept:
/// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` a workbook laid out like the
/// paper form.
#[utoipa::path(
    tag = "reports",
    params(ReportQuery),
    responses(
        (status = 200, content(
            (ReportDto = "application/json"),
            (String = "text/csv", example = "year,month,section,row_kind,subject_id,row_code,name_ru,column,label_ru,month_value,cumulative_value\r\n2026,4,5,subject,2,AKIMAT-ALA,Акимат города Алматы,4,Всего поступило заявлений на личный прием,3,11"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )),
        (status = 403, description = "A subject outside the caller's subtree", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/1-ol")]
pub async fn report(
    state: web::Data<AppState>,
    auth: Auth<ReportReaders>,
    req: HttpRequest,
    query: web::Query<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let ctx = state.ctx(&auth);
    let cmd = Query {
        year: q.year,
        month: q.month,
        subject_id: q.subject_id,
    };
    let view = state
        .run(move |conn| reports::generate(conn, &ctx, cmd))
        .await?;
    let dto = ReportDto::from(view);
    let name = format!("1-OL-{}-{:02}", dto.period.year, dto.period.month);
    if crate::csv_export::accepts(&req, XLSX) {
        return Ok(download(
            report_export::xlsx(&dto)?,
            XLSX,
            &format!("{name}.xlsx"),
        ));
    }
    if crate::csv_export::wants_csv(&req) {
        return Ok(download(
            report_export::csv(&dto)?,
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
        ));
    }
    Ok(HttpResponse::Ok().json(dto))
}

/// The reporting schedule of a year (R50).
///
/// Each month's due date (the 10th of the next month, moved to the next working day) and, for
/// every subject the caller sees, whether it closed the month, closed it late, or is overdue.
#[utoipa::path(tag = "reports", params(ScheduleQuery), responses((status = 200, body = ReportScheduleDto)))]
#[get("/reports/1-ol/schedule")]
pub async fn schedule(
    state: web::Data<AppState>,
    auth: Auth<ReportReaders>,
    query: web::Query<ScheduleQuery>,
) -> ApiResult<web::Json<ReportScheduleDto>> {
    let year = query.year;
    let ctx = state.ctx(&auth);
    let months = state
        .run(move |conn| reports::schedule(conn, &ctx, year))
        .await?;
    Ok(web::Json(ReportScheduleDto {
        year,
        months: months.into_iter().map(Into::into).collect(),
    }))
}

/// Close a month of the caller's subject (p.32).
///
/// Freezes the report of the subject and its subtree for the month as revision 1, with the content
/// hash, the server's time, and the definition and calendar versions. Closing again answers 200
/// with that revision. A card changed later in a closed month adds a revision (listed by
/// `…/revisions`); a revision is never overwritten. Before the month has ended: 409.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, example = 2026), ("month" = u32, Path, example = 4)),
    responses(
        (status = 201, description = "Closed now", body = RevisionDto),
        (status = 200, description = "Already closed: the first revision", body = RevisionDto),
        (status = 409, description = "The month has not ended", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reports/1-ol/{year}/{month}/close")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Auth<ReportClosers>,
    path: web::Path<(i32, u32)>,
) -> ApiResult<HttpResponse> {
    let (year, month) = path.into_inner();
    let ctx = state.ctx(&auth);
    let cmd = CloseMonth {
        year,
        month,
        subject_id: None,
    };
    let (created, revision) = state
        .run(move |conn| reports::close(conn, &ctx, cmd))
        .await?;
    let dto = RevisionDto::from(revision);
    Ok(if created {
        HttpResponse::Created().json(dto)
    } else {
        HttpResponse::Ok().json(dto)
    })
}

/// The revisions of a closed month, oldest first.
///
/// Revision 1 is the month as closed; each later one holds the figures after a change of a card
/// counted in it, with `changes` listing every figure that moved. 404 when the month is not
/// closed.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, example = 2026), ("month" = u32, Path, example = 4), RevisionsQuery),
    responses(
        (status = 200, body = RevisionList),
        (status = 404, description = "The month is not closed", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/1-ol/{year}/{month}/revisions")]
pub async fn revisions(
    state: web::Data<AppState>,
    auth: Auth<ReportReaders>,
    path: web::Path<(i32, u32)>,
    query: web::Query<RevisionsQuery>,
) -> ApiResult<web::Json<RevisionList>> {
    let (year, month) = path.into_inner();
    let subject = query.subject_id;
    let ctx = state.ctx(&auth);
    let items = state
        .run(move |conn| reports::revisions(conn, &ctx, year, month, subject))
        .await?;
    Ok(web::Json(RevisionList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// The report definition in force.
///
/// Sections, their columns, and for each count column the signed sum of named filters over the
/// counted facts (`measure`, `where`, `window`: `opening` | `span` | `closing`). The shipped
/// default is version 1.
#[utoipa::path(tag = "reports", responses((status = 200, body = DefinitionDto)))]
#[get("/reports/1-ol/definition")]
pub async fn definition(
    state: web::Data<AppState>,
    auth: Auth<ReferenceData>,
) -> ApiResult<web::Json<DefinitionDto>> {
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| reports::definition(conn, &ctx))
        .await?;
    Ok(web::Json(DefinitionDto::of(view)?))
}

/// Every version of the report definition, newest first.
#[utoipa::path(tag = "reports", responses((status = 200, body = DefinitionVersions)))]
#[get("/reports/1-ol/definition/versions")]
pub async fn definition_versions(
    state: web::Data<AppState>,
    auth: Auth<ReferenceData>,
) -> ApiResult<web::Json<DefinitionVersions>> {
    let ctx = state.ctx(&auth);
    let rows = state
        .run(move |conn| reports::definition_versions(conn, &ctx))
        .await?;
    Ok(web::Json(DefinitionVersions {
        items: rows
            .into_iter()
            .map(|v| DefinitionVersionDto {
                version: v.version,
                content_hash: v.content_hash,
                changed_at: v.changed_at,
                changed_by: v.changed_by,
                reason: v.reason,
            })
            .collect(),
    }))
}

/// Correct the report definition (the authorized body).
///
/// Stores the definition as the next version (audited, with the reason); reports use it at once,
/// closed months keep their revisions and gain a new one only when their figures change. The same
/// definition again changes nothing (200). A column that filters by a dimension its measure does
/// not carry, or an unknown measure, is a 422 at its pointer.
#[utoipa::path(
    tag = "reports",
    request_body = ChangeDefinition,
    responses(
        (status = 201, description = "Stored as the next version", body = DefinitionDto),
        (status = 200, description = "Unchanged", body = DefinitionDto),
    )
)]
#[put("/reports/1-ol/definition")]
pub async fn change_definition(
    state: web::Data<AppState>,
    auth: Auth<ReportDefinitionEditors>,
    ValidatedJson(body): ValidatedJson<ChangeDefinition>,
) -> ApiResult<HttpResponse> {
    let stated: ReportDefinition = serde_json::from_value(body.definition).map_err(|e| {
        ApiError::from(appeals_service::AppError::field(
            "#/definition",
            format!("not a report definition: {e}"),
        ))
    })?;
    let ctx = state.ctx(&auth);
    let reason = body.reason;
    let (created, view) = state
        .run(move |conn| reports::change_definition(conn, &ctx, stated, reason))
        .await?;
    let dto = DefinitionDto::of(view)?;
    Ok(if created {
        HttpResponse::Created().json(dto)
    } else {
        HttpResponse::Ok().json(dto)
    })
}
