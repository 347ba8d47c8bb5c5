//! The working-day calendar of Kazakhstan (R30–R33): published years, a deadline calculator,
//! per-year overrides edited by administrators (versioned and audited), and the explicit
//! recalculation of stored review deadlines after a calendar change.

use actix_web::{HttpResponse, get, post, put, web};
use appeals_domain::calendar::{Calendar, Override, OverrideKind, SpecialDay};
use appeals_domain::deadline::{self, DayUnit, Term};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::{Auth, CalendarKeepers, Recalculators, ReferenceData};
use crate::dto::MovedDeadline;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::ValidatedJson;
use crate::state::AppState;
use appeals_service::config;

/// One day whose status differs from the plain five-day week (or a holiday on a weekend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"date": "2026-03-23", "weekday": "monday", "working": false, "kind": "transfer",
    "name": "Наурыз мейрамы (перенос с 2026-03-21)", "source": "Закон РК «О праздниках в Республике Казахстан», ст. 5"}))]
pub struct CalendarDayDto {
    pub date: NaiveDate,
    /// `monday` … `sunday`.
    pub weekday: String,
    pub working: bool,
    /// `holiday`, `transfer`, `religious`, `override_day_off` or `override_working`.
    pub kind: String,
    pub name: String,
    /// The legal act (or data source) the day comes from.
    pub source: String,
}

/// Direction of an override (R32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKindDto {
    /// The day becomes a day off.
    DayOff,
    /// The day becomes a working day (a working Saturday/Sunday, or a withdrawn day off).
    Working,
}

/// One override of a year (R32).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-03-10", "kind": "day_off", "source": "Постановление Правительства РК № … от …"}))]
pub struct OverrideDto {
    pub date: NaiveDate,
    pub kind: OverrideKindDto,
    /// The legal act (government decree, ministry order).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub source: String,
}

impl OverrideDto {
    fn of(o: &Override) -> Self {
        Self {
            date: o.date,
            kind: match o.kind {
                OverrideKind::DayOff => OverrideKindDto::DayOff,
                OverrideKind::Working => OverrideKindDto::Working,
            },
            source: o.source.clone(),
        }
    }

    /// The override as stated (the service trims the source when it stores it).
    fn stated(&self) -> Override {
        match self.kind {
            OverrideKindDto::DayOff => Override::day_off(self.date, self.source.clone()),
            OverrideKindDto::Working => Override::working(self.date, self.source.clone()),
        }
    }
}

/// One year of the calendar (R30–R33).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalendarYearDto {
    pub year: i32,
    /// Version of the calendar data (R33); every computed deadline records it.
    #[schema(example = "kz-r0-3fa2c81d09b7")]
    pub calendar_version: String,
    pub working_days: u32,
    /// Days off, weekends included.
    pub days_off: u32,
    pub non_working_weekdays: u32,
    pub working_weekend_days: u32,
    /// Every non-working weekday and every working Saturday/Sunday, by date.
    pub days: Vec<CalendarDayDto>,
    /// Holidays that fell on a Saturday/Sunday (the cause of transfers, R30; religious days never
    /// transfer, R31).
    pub weekend_holidays: Vec<CalendarDayDto>,
    /// The overrides in force for the year (what `PUT …/overrides` replaces).
    pub overrides: Vec<OverrideDto>,
    /// How many times administrators replaced the year's overrides (`null`: built-in data).
    pub overrides_version: Option<i64>,
    /// Data-quality note of the year, if any.
    pub note: Option<String>,
    /// Kurban ait and the government swaps of the year are estimates shipped ahead of their
    /// announcement; an administrator confirms the year by replacing its overrides.
    pub provisional: bool,
}

fn weekday(d: NaiveDate) -> String {
    d.format("%A").to_string().to_lowercase()
}

fn kind_code(s: &SpecialDay) -> Result<String, ApiError> {
    serde_json::to_value(s.kind)
        .map_err(ApiError::internal)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal("day kind is not a string"))
}

fn year_dto(
    calendar: &Calendar,
    year: i32,
    overrides_version: Option<i64>,
) -> Result<CalendarYearDto, ApiError> {
    let published = calendar
        .year(year)
        .map_err(|_| ApiError::not_found(format!("The calendar has no year {year}.")))?;
    let mut days = Vec::new();
    let mut weekend_holidays = Vec::new();
    for s in &published.special_days {
        let weekend = matches!(
            s.date.weekday(),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        let off = s.kind.is_day_off();
        let dto = CalendarDayDto {
            date: s.date,
            weekday: weekday(s.date),
            working: !off,
            kind: kind_code(s)?,
            name: s.name.clone(),
            source: s.source.clone(),
        };
        if weekend == off {
            weekend_holidays.push(dto);
        } else {
            days.push(dto);
        }
    }
    let overrides = calendar
        .data()
        .years
        .iter()
        .find(|y| y.year == year)
        .map(|y| y.overrides.iter().map(OverrideDto::of).collect())
        .unwrap_or_default();
    let count = |working: bool| {
        u32::try_from(days.iter().filter(|d| d.working == working).count()).unwrap_or(u32::MAX)
    };
    Ok(CalendarYearDto {
        year,
        calendar_version: published.calendar_version.to_string(),
        working_days: published.working_days,
        days_off: published.days_off,
        non_working_weekdays: count(false),
        working_weekend_days: count(true),
        weekend_holidays,
        days,
        overrides,
        overrides_version,
        note: published.note,
        provisional: published.provisional,
    })
}

/// One year of the working-day calendar: every non-working weekday and working weekend day with
/// its kind and legal source, counts, and the calendar version.
///
/// Holidays and weekend transfers follow the Law on holidays Art. 5 (R30); 7 January and Kurban
/// ait never transfer (R31); government swaps are overrides (R32); the data is versioned (R33).
/// A year outside the calendar's range is 404.
#[utoipa::path(tag = "calendar", responses((status = 200, body = CalendarYearDto)))]
#[get("/calendar/{year}")]
pub async fn get_year(
    state: web::Data<AppState>,
    _auth: Auth<ReferenceData>,
    path: web::Path<i32>,
) -> ApiResult<web::Json<CalendarYearDto>> {
    let year = path.into_inner();
    let rules = state.current_rules().await?;
    let version = state
        .run(move |conn| config::overrides_version(conn, year))
        .await?;
    Ok(web::Json(year_dto(&rules.calendar, year, version)?))
}

/// Query of the deadline calculator.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// The day the term runs from (`YYYY-MM-DD`); a non-working day counts from the next working
    /// day (R7).
    #[param(required = true, example = "2026-03-05")]
    pub start: Option<String>,
    /// Length of the term, 1–3660 days.
    #[param(required = true, example = "15")]
    pub days: Option<String>,
    /// `working` or `calendar` (R29: a calendar-day term ending on a day off moves to the next
    /// working day).
    #[param(required = true, example = "working")]
    pub unit: Option<String>,
}

/// A computed due date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"due_date": "2026-03-31", "start": "2026-03-05", "days": 15, "unit": "working",
    "convention": "inclusive", "calendar_version": "kz-r0-3fa2c81d09b7"}))]
pub struct DeadlineDto {
    /// The last day on which the action is still on time.
    pub due_date: NaiveDate,
    pub start: NaiveDate,
    pub days: u32,
    pub unit: String,
    /// Day-count convention (R28): `inclusive` — the start day is day 1.
    pub convention: String,
    pub calendar_version: String,
}

/// The three query parameters of the calculator, every missing or invalid one reported at once.
fn parse_deadline_query(q: DeadlineQuery) -> Result<(NaiveDate, u32, DayUnit), ApiError> {
    let mut errors = Vec::new();
    let mut refuse = |name: &str, detail: &str| {
        errors.push(FieldError {
            pointer: format!("#/query/{name}"),
            detail: detail.to_owned(),
        })
    };
    let start = match q.start.as_deref() {
        None => {
            refuse("start", "is required");
            None
        }
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| refuse("start", "must be a date YYYY-MM-DD"))
            .ok(),
    };
    let days = match q.days.as_deref() {
        None => {
            refuse("days", "is required");
            None
        }
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=3660).contains(&n) => Some(n),
            _ => {
                refuse("days", "must be an integer between 1 and 3660");
                None
            }
        },
    };
    let unit = match q.unit.as_deref() {
        None => {
            refuse("unit", "is required");
            None
        }
        Some("working") => Some(DayUnit::Working),
        Some("calendar") => Some(DayUnit::Calendar),
        Some(_) => {
            refuse("unit", "must be `working` or `calendar`");
            None
        }
    };
    match (start, days, unit) {
        (Some(start), Some(days), Some(unit)) => Ok((start, days, unit)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Compute a due date on the working-day calendar.
///
/// `days` working days (R27, R28: the start day is day 1 under the default `inclusive`
/// convention) or calendar days (R29: an end on a day off moves to the next working day), from
/// `start`. Invalid parameters are 422 with `#/query/<name>` pointers.
#[utoipa::path(tag = "calendar", params(DeadlineQuery), responses((status = 200, body = DeadlineDto)))]
#[get("/calendar/deadline")]
pub async fn deadline_calc(
    state: web::Data<AppState>,
    _auth: Auth<ReferenceData>,
    query: web::Query<DeadlineQuery>,
) -> ApiResult<web::Json<DeadlineDto>> {
    let (start, days, unit) = parse_deadline_query(query.into_inner())?;
    let rules = state.current_rules().await?;
    let calendar = &rules.calendar;
    let range = format!(
        "is outside the calendar range {}–{}",
        calendar.first_year(),
        calendar.last_year()
    );
    calendar
        .is_working_day(start)
        .map_err(|_| ApiError::invalid_field("#/query/start", range.clone()))?;
    let term = Term { days, unit };
    let due = deadline::term_end(calendar, start, term, rules.deadlines.convention)
        .map_err(|_| ApiError::invalid_field("#/query/days", format!("the term's end {range}")))?;
    let code = |v: serde_json::Result<serde_json::Value>| {
        v.ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    Ok(web::Json(DeadlineDto {
        due_date: due.date,
        start,
        days,
        unit: code(serde_json::to_value(unit)),
        convention: code(serde_json::to_value(rules.deadlines.convention)),
        calendar_version: due.calendar_version.to_string(),
    }))
}

/// The new overrides of a year.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"overrides": [{"date": "2026-03-10", "kind": "day_off", "source": "Постановление Правительства РК № … от …"}]}))]
pub struct ReplaceOverrides {
    /// Working weekend days and extra days off of the year (replaces the whole list, built-in
    /// overrides included).
    #[validate(length(max = 366), nested)]
    #[schema(max_items = 366)]
    pub overrides: Vec<OverrideDto>,
}

/// Replace the overrides of a year (administrators).
///
/// Government swaps — working weekend days and extra days off, each with its legal source (R32).
/// The calendar gets a new version (R33); deadlines already stored on cards keep theirs until an
/// explicit recalculation (`POST /api/v1/calendar/recalculations`). An override that changes
/// nothing is refused (422). Audited; every server process applies it on its next request.
#[utoipa::path(tag = "calendar", request_body = ReplaceOverrides, responses((status = 200, body = CalendarYearDto)))]
#[put("/calendar/{year}/overrides")]
pub async fn replace_overrides(
    state: web::Data<AppState>,
    auth: Auth<CalendarKeepers>,
    path: web::Path<i32>,
    ValidatedJson(body): ValidatedJson<ReplaceOverrides>,
) -> ApiResult<web::Json<CalendarYearDto>> {
    let year = path.into_inner();
    let stated: Vec<Override> = body.overrides.iter().map(OverrideDto::stated).collect();
    let ctx = state.ctx(&auth);
    let changed = state
        .run(move |conn| config::replace_overrides(conn, &ctx, year, stated))
        .await?;
    let dto = year_dto(
        &changed.rules.calendar,
        year,
        Some(changed.overrides_version),
    )?;
    state.install_rules(changed.rules);
    Ok(web::Json(dto))
}

/// An explicit recalculation of stored review deadlines.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from": "2026-03-01", "dry_run": true}))]
pub struct RecalculationRequest {
    /// Only cards whose current review deadline is on or after this date (default: all).
    pub from: Option<NaiveDate>,
    /// `true`: report what would move and change nothing.
    pub dry_run: bool,
}

/// Result of a recalculation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"calendar_version": "kz-r1-0a1b2c3d4e5f", "conventions_version": 0, "dry_run": false, "checked": 3, "moved_count": 1,
    "skipped_extended": 0, "moved": [{"appeal_id": 7, "registration_number": "ЖТ-2026-00000007", "review_due_before": "2026-03-31",
    "review_due_after": "2026-04-01", "calendar_version_before": "kz-r0-3fa2c81d09b7", "version": 2}]}))]
pub struct RecalculationDto {
    /// The calendar version deadlines were recalculated with.
    pub calendar_version: String,
    /// The version of the deadline conventions they were recalculated with (0: built-in).
    pub conventions_version: i64,
    pub dry_run: bool,
    /// Open cards computed with another calendar or conventions version.
    pub checked: u32,
    pub moved_count: u32,
    /// Cards with a signed extension (R37): their control date is not derived from the term, so
    /// they are left alone.
    pub skipped_extended: u32,
    pub moved: Vec<MovedDeadline>,
}

/// Recalculate the review deadlines of open cards (administrators).
///
/// R33: a calendar or conventions change never moves stored deadlines by itself; this audited
/// operation counts the review term (ОЛ-1 requisite 9) again from the registration date on the
/// current calendar and deadline conventions for the open cards of the caller's subject computed
/// with an older version of either, and records a
/// `deadline_recalculated` event on every card whose deadline moved. `dry_run` reports and
/// changes nothing.
#[utoipa::path(tag = "calendar", request_body = RecalculationRequest, responses((status = 200, body = RecalculationDto)))]
#[post("/calendar/recalculations")]
pub async fn recalculate(
    state: web::Data<AppState>,
    auth: Auth<Recalculators>,
    ValidatedJson(body): ValidatedJson<RecalculationRequest>,
) -> ApiResult<HttpResponse> {
    let ctx = state.ctx(&auth);
    let done = state
        .run(move |conn| config::recalculate_deadlines(conn, &ctx, body.from, body.dry_run))
        .await?;
    Ok(HttpResponse::Ok().json(RecalculationDto::from(done)))
}

impl From<config::Recalculation> for RecalculationDto {
    fn from(done: config::Recalculation) -> Self {
        Self {
            calendar_version: done.calendar_version,
            dry_run: done.dry_run,
            checked: done.checked,
            moved_count: done.moved_count,
            skipped_extended: done.skipped_extended,
            conventions_version: done.conventions_version,
            moved: done.moved.into_iter().map(MovedDeadline::from).collect(),
        }
    }
}
