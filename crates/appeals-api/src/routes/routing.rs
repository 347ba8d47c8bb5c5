//! Hierarchical routing and signing authority (issue 21; docs/hierarchy.md): the routing facts of a
//! card, what p.23 of the prosecutors' Instruction says about sending it down, who may sign its
//! answer (p.54), and the quarterly analysis of every unit (p.56).

use actix_web::{HttpRequest, HttpResponse, get, http::header, put, web};
use appeals_domain::hierarchy::{
    AnswerResult, ComplaintAbout, Quarter, RoutingFacts, RoutingVerdict,
};
use appeals_service::routing;
use appeals_service::views::SubjectRow;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::actions::if_match;
use crate::auth::{Auth, CardEditors, Readers, ReportReaders};
use crate::card_view;
use crate::dto::AppealDto;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// Routing facts
// ---------------------------------------------------------------------------------------------

/// The routing facts of a card (p.23, p.54), stated by the people who work it. The whole set is
/// replaced; a field left out is `false` / null.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"public_resonance": false, "head_instruction": false,
    "lower_answer_attached": false, "complaint_about": "deputy", "report_back_required": false,
    "earlier_registration_number": "ЖТ-2026-00000042"}))]
pub struct RoutingFactsDto {
    /// p.23 part 5: a violation of constitutional rights with wide public resonance — the appeal
    /// stays at this level (its structural units) and may not be sent down.
    #[serde(default)]
    pub public_resonance: bool,
    /// p.23 part 5: the head (or a deputy) instructed that it be considered at this level.
    #[serde(default)]
    pub head_instruction: bool,
    /// p.23(2): the applicant attached the lower office's answer — a repeat appeal stays here.
    #[serde(default)]
    pub lower_answer_attached: bool,
    /// p.54: what the appeal complains about — `subordinate`, `deputy`, `lower_office_answer`.
    pub complaint_about: Option<String>,
    /// p.54(5): came from a central body that requires information on the result, or was sent
    /// down with a report-back requirement (set by the forwarding, p.23(2)).
    #[serde(default)]
    pub report_back_required: bool,
    /// p.23(2): the earlier appeal the applicant names (its registration number); with the
    /// duplicate check's `duplicate`/`related` links it makes the card a repeat.
    #[validate(length(min = 1, max = 100))]
    pub earlier_registration_number: Option<String>,
}

impl RoutingFactsDto {
    fn of(f: &RoutingFacts) -> Self {
        Self {
            public_resonance: f.public_resonance,
            head_instruction: f.head_instruction,
            lower_answer_attached: f.lower_answer_attached,
            complaint_about: f.complaint_about.map(|c| code(&c)),
            report_back_required: f.report_back_required,
            earlier_registration_number: f.earlier_registration_number.clone(),
        }
    }

    fn facts(self) -> ApiResult<RoutingFacts> {
        let complaint_about = match self.complaint_about {
            None => None,
            Some(c) => Some(
                serde_json::from_value::<ComplaintAbout>(serde_json::Value::String(c.clone()))
                    .map_err(|_| {
                        ApiError::from(appeals_service::AppError::field(
                            "#/complaint_about",
                            format!(
                                "`{c}` is not one of: subordinate, deputy, lower_office_answer"
                            ),
                        ))
                    })?,
            ),
        };
        Ok(RoutingFacts {
            public_resonance: self.public_resonance,
            head_instruction: self.head_instruction,
            lower_answer_attached: self.lower_answer_attached,
            complaint_about,
            report_back_required: self.report_back_required,
            earlier_registration_number: self.earlier_registration_number,
        })
    }
}

/// The snake_case code of a serde enum value.
fn code<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// State the routing facts of a card (p.23, p.54 of the Instruction).
///
/// Requires `If-Match` with the card's `ETag`. The facts decide whether the card may be sent down
/// the hierarchy (`GET …/routing`) and who may sign its answer (`GET …/signers`). One history
/// event `routing_facts_stated` with the facts before and after.
#[utoipa::path(
    tag = "appeals",
    request_body = RoutingFactsDto,
    params(("If-Match" = String, Header, description = "ETag of the version being edited")),
    responses(
        (status = 200, body = AppealDto, headers(("ETag" = String))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[put("/appeals/{id}/routing-facts")]
pub async fn state_facts(
    state: web::Data<AppState>,
    auth: Auth<CardEditors>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<RoutingFactsDto>,
) -> ApiResult<HttpResponse> {
    let target = appeals_service::actions::Target {
        appeal_id: path.into_inner(),
        expected_version: Some(if_match(&req)?),
    };
    let facts = body.facts()?;
    let ctx = state.ctx(&auth);
    let card = state
        .run(move |conn| routing::state_facts(conn, &ctx, target, facts))
        .await?;
    let dto = card_view::view_of(&card.row, card.subject, card.applicants)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, card_view::etag(dto.version)))
        .json(dto))
}

// ---------------------------------------------------------------------------------------------
// p.23: the routing view
// ---------------------------------------------------------------------------------------------

/// The lower body's answer the system holds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LowerAnswerDto {
    pub appeal_id: i64,
    pub registration_number: String,
    pub subject_id: i64,
    pub answered_on: NaiveDate,
}

/// A subject, by id and name.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubjectBrief {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub hierarchy_level: Option<String>,
}

impl From<&SubjectRow> for SubjectBrief {
    fn from(s: &SubjectRow) -> Self {
        Self {
            id: s.id,
            code: s.code.clone(),
            name_ru: s.name_ru.clone(),
            hierarchy_level: s.hierarchy_level.clone(),
        }
    }
}

/// What p.23 of the Instruction says about a card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "appeal_id": 42, "registration_number": "ЖТ-2026-00000042",
    "holder": {"id": 1, "code": "GP", "name_ru": "Генеральная прокуратура", "hierarchy_level": "head_office"},
    "facts": {"public_resonance": false, "head_instruction": false, "lower_answer_attached": false,
        "complaint_about": null, "report_back_required": false, "earlier_registration_number": null},
    "repeat": true, "repeat_of": [17],
    "lower_answer": {"appeal_id": 17, "registration_number": "ЖТ-2026-00000017", "subject_id": 2, "answered_on": "2026-02-20"},
    "lower_body": {"id": 2, "code": "PR-ALA", "name_ru": "Прокуратура г. Алматы", "hierarchy_level": "regional_office"},
    "verdict": "keep", "rule": "p.23(2) part 3 of the Instruction",
    "reason": "the system holds the lower office's answer …", "notification": null,
    "report_back_required": false, "send_down_by": "2026-03-10", "overdue": false
}))]
pub struct RoutingDto {
    pub appeal_id: i64,
    pub registration_number: String,
    /// The subject that holds the card, with its hierarchy level.
    pub holder: SubjectBrief,
    pub facts: RoutingFactsDto,
    /// A repeat appeal (same person, same question, p.23(2)): linked by the duplicate check or
    /// named by the applicant.
    pub repeat: bool,
    pub repeat_of: Vec<i64>,
    /// p.23(2) part 3: the lower office's answer to this applicant on this question, if the
    /// system holds one — then the repeat appeal is considered here.
    pub lower_answer: Option<LowerAnswerDto>,
    /// The lower body by territory: the deepest regional or district office below the holder
    /// whose KATO code covers the appeal's settlement KATO (null when none).
    pub lower_body: Option<SubjectBrief>,
    /// `send_down` or `keep`.
    pub verdict: String,
    /// The rule that decides.
    pub rule: String,
    /// Why the card stays (`keep`).
    pub reason: Option<String>,
    /// The written notification of the applicant when it is sent down (p.23(1)–(2)).
    pub notification: Option<String>,
    /// p.23(2): a repeat goes down with the requirement to report the result, signed by the first
    /// head.
    pub report_back_required: bool,
    /// p.23(1)–(2): sent down within 3 working days of receipt (the card's forwarding deadline).
    pub send_down_by: NaiveDate,
    /// Still here after `send_down_by` although p.23 sends it to the lower body found.
    pub overdue: bool,
}

/// What p.23 of the Instruction says about the card: primary or repeat, the lower body's answer
/// the system holds, the lower body by territory, and whether it is sent down (with the applicant's
/// notification) or stays; overdue routing is flagged.
#[utoipa::path(tag = "appeals", responses(
    (status = 200, body = RoutingDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/appeals/{id}/routing")]
pub async fn routing_view(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<RoutingDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let v = state.run(move |conn| routing::view(conn, &ctx, id)).await?;
    let (verdict, rule, reason, notification, report_back_required) = match v.verdict {
        RoutingVerdict::SendDown {
            rule,
            report_back_required,
            notification,
        } => (
            "send_down",
            rule,
            None,
            Some(notification),
            report_back_required,
        ),
        RoutingVerdict::Keep { rule, reason } => ("keep", rule, Some(reason), None, false),
    };
    Ok(web::Json(RoutingDto {
        appeal_id: v.appeal_id,
        registration_number: v.registration_number,
        holder: SubjectBrief::from(&v.holder),
        facts: RoutingFactsDto::of(&v.facts),
        repeat: !v.repeat_of.is_empty(),
        repeat_of: v.repeat_of,
        lower_answer: v.lower_answer.map(|a| LowerAnswerDto {
            appeal_id: a.appeal_id,
            registration_number: a.registration_number,
            subject_id: a.subject_id,
            answered_on: a.answered_on,
        }),
        lower_body: v.lower_body.as_ref().map(SubjectBrief::from),
        verdict: verdict.to_owned(),
        rule,
        reason,
        notification,
        report_back_required,
        send_down_by: v.send_down_by,
        overdue: v.overdue,
    }))
}

// ---------------------------------------------------------------------------------------------
// p.54: who may sign
// ---------------------------------------------------------------------------------------------

/// Which result to ask about.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignersQuery {
    /// `satisfied`, `refused`, `explained` or `other`; all four when absent.
    pub result: Option<String>,
}

/// A person who may sign.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignerDto {
    pub user_id: i64,
    pub full_name: Option<String>,
    pub subject_id: i64,
    /// `head`, `deputy_head`, `executor`, `superior_head`.
    pub positions: Vec<String>,
}

/// Who may sign an answer with one result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignersForResultDto {
    /// `satisfied`, `refused`, `explained`, `other`.
    pub result: String,
    /// The rule that decides (null: the holder has no level, or the table has no row for it —
    /// whoever records decisions signs).
    pub rule: Option<String>,
    /// The positions the rule allows.
    pub positions: Vec<String>,
    pub signers: Vec<SignerDto>,
}

/// Who may sign the pending answer of a card, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "appeal_id": 42, "registration_number": "ЖТ-2026-00000042", "hierarchy_level": "regional_office",
    "results": [{"result": "refused", "rule": "p.54(5): refusals", "positions": ["head"],
        "signers": [{"user_id": 3, "full_name": "Прокурор области", "subject_id": 2, "positions": ["head"]}]}]
}))]
pub struct SignersDto {
    pub appeal_id: i64,
    pub registration_number: String,
    /// The holder's hierarchy level (null: no signing rule by level applies).
    pub hierarchy_level: Option<String>,
    pub results: Vec<SignersForResultDto>,
}

/// Who may sign the card's answer (p.54 (3)–(8) of the Instruction, the conventions'
/// `hierarchy.signing_authority` table): for each result of the answer — satisfied, refused,
/// explained, other — the rule that decides, the positions it allows and the people who hold them
/// now. The complaint's subject and a report-back requirement come from the routing facts.
#[utoipa::path(tag = "appeals", params(SignersQuery), responses(
    (status = 200, body = SignersDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/appeals/{id}/signers")]
pub async fn signers(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
    query: web::Query<SignersQuery>,
) -> ApiResult<web::Json<SignersDto>> {
    let only = match query.into_inner().result {
        None => None,
        Some(r) => Some(
            AnswerResult::ALL
                .into_iter()
                .find(|a| a.code() == r)
                .ok_or_else(|| {
                    ApiError::from(appeals_service::AppError::field(
                        "#/query/result",
                        format!("`{r}` is not one of: satisfied, refused, explained, other"),
                    ))
                })?,
        ),
    };
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let (row, level, results) = state
        .run(move |conn| routing::signers(conn, &ctx, id, only))
        .await?;
    Ok(web::Json(SignersDto {
        appeal_id: row.id,
        registration_number: row.reg_number,
        hierarchy_level: level.map(|l| l.code().to_owned()),
        results: results
            .into_iter()
            .map(|r| SignersForResultDto {
                result: r.result.code().to_owned(),
                rule: r.rule.as_ref().map(|x| x.rule.clone()),
                positions: r
                    .rule
                    .as_ref()
                    .map(|x| x.signers.iter().map(|p| p.code().to_owned()).collect())
                    .unwrap_or_default(),
                signers: r
                    .users
                    .into_iter()
                    .map(|(u, positions)| SignerDto {
                        user_id: u.id,
                        full_name: u.full_name,
                        subject_id: u.subject_id,
                        positions: positions.iter().map(|p| p.code().to_owned()).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// p.56: the quarterly analysis
// ---------------------------------------------------------------------------------------------

/// The quarter asked for.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    #[param(example = 2026)]
    pub year: i32,
    /// 1–4.
    #[param(example = 1)]
    pub quarter: u32,
    /// This subject and its subtree (default: every subject the caller may see).
    pub subject_id: Option<i64>,
}

/// One unit's figures.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnitFiguresDto {
    pub subject: SubjectBrief,
    /// Accountable appeals registered in the quarter.
    pub received: i64,
    /// Final acts made in the quarter.
    pub considered: i64,
    pub satisfied: i64,
    pub refused: i64,
    pub explained: i64,
    /// Taken note of, terminated, returned.
    pub other_result: i64,
    /// Final acts after the control date, and deemed refusals (R44).
    pub overdue: i64,
    /// Repeat appeals: registered as duplicates of earlier ones (p.13).
    pub repeat: i64,
}

/// The quarterly analysis of work with appeals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"year": 2026, "quarter": 1, "due": "2026-04-06", "units": [
    {"subject": {"id": 2, "code": "PR-ALA", "name_ru": "Прокуратура г. Алматы", "hierarchy_level": "regional_office"},
     "received": 120, "considered": 101, "satisfied": 30, "refused": 20, "explained": 45,
     "other_result": 6, "overdue": 3, "repeat": 9}]}))]
pub struct QuarterlyAnalysisDto {
    pub year: i32,
    pub quarter: u32,
    /// p.56: the 5th day of the month after the quarter (setting
    /// `hierarchy.quarterly_analysis_due_day`), moved to the next working day.
    pub due: NaiveDate,
    pub units: Vec<UnitFiguresDto>,
}

/// The quarterly analysis of work with appeals (p.56 of the Instruction): per unit, the appeals
/// received, considered, by result, overdue and repeat — from the cards' kept 1-ОЛ counts (p.55:
/// the card is the basis of every unit's report) — and the due date. The caller's reach of report
/// reading applies.
#[utoipa::path(tag = "reports", params(QuarterQuery), responses(
    (status = 200, body = QuarterlyAnalysisDto),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/reports/quarterly-analysis")]
pub async fn quarterly_analysis(
    state: web::Data<AppState>,
    auth: Auth<ReportReaders>,
    query: web::Query<QuarterQuery>,
) -> ApiResult<web::Json<QuarterlyAnalysisDto>> {
    let q = query.into_inner();
    let quarter = Quarter::new(q.year, q.quarter).map_err(|e| match e {
        appeals_domain::DomainError::Invalid { field, reason } => ApiError::from(
            appeals_service::AppError::field(format!("#/query{field}"), reason),
        ),
        other => other.into(),
    })?;
    let ctx = state.ctx(&auth);
    let analysis = state
        .run(move |conn| routing::quarterly_analysis(conn, &ctx, quarter, q.subject_id))
        .await?;
    Ok(web::Json(QuarterlyAnalysisDto {
        year: analysis.quarter.year,
        quarter: analysis.quarter.quarter,
        due: analysis.due,
        units: analysis
            .units
            .into_iter()
            .map(|(s, f)| UnitFiguresDto {
                subject: SubjectBrief::from(&s),
                received: f.received,
                considered: f.considered,
                satisfied: f.satisfied,
                refused: f.refused,
                explained: f.explained,
                other_result: f.other_result,
                overdue: f.overdue,
                repeat: f.repeat,
            })
            .collect(),
    }))
}
