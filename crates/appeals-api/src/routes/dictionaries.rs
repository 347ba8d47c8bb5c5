//! Reference books (справочники, DOMAIN.md §5.2): reading for every user, additions and
//! deactivation for administrators (R11, R27). Entries live in `dictionary_entries`, seeded by a
//! migration with the domain defaults; a change bumps the configuration version, is audited in
//! `admin_events` and is applied by every server process on its next request (see `rules.rs`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use appeals_domain::dictionary::{
    AppealKind, DictionaryEntry, DictionaryName, DocumentType, Evidence, KindGroup,
    is_snake_case_code,
};
use appeals_service::views::DictionaryEntryRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, DictionaryKeepers, ReferenceData};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::ValidatedJson;
use crate::state::AppState;
use appeals_service::dictionaries;

/// What each book holds (English; the legal point in brackets).
fn description(name: DictionaryName) -> &'static str {
    match name {
        DictionaryName::AppealKinds => "Kinds of registered items (Rules p.2, p.4; APPK Art. 4)",
        DictionaryName::DocumentTypes => {
            "Document types, ОЛ-1 requisite 8, with the review term of requisite 9 (R27, §6.4)"
        }
        DictionaryName::TerminationReasons => {
            "Reasons to terminate consideration, by kind group (§2.7, R40)"
        }
        DictionaryName::AppealDecisionTypes => "Decision types for appeals, ОЛ-2 (§2.7)",
        DictionaryName::ComplaintDecisionTypes => "Decision types for complaints, ОЛ-2 (R42)",
        DictionaryName::ComplaintDecisionBases => "Bases of a complaint decision (§2.7, R42)",
        DictionaryName::AnswerCharacters => "Answer characters (R41; 1-ОЛ §5 columns 9–11)",
        DictionaryName::NonAccountableCategories => {
            "Categories not subject to accounting, transferred via ОЛ-2 (Rules p.15, R16)"
        }
        DictionaryName::Markings => "Markings of a card, multi-valued (Rules p.6, R9–R11)",
        DictionaryName::ReceiptForms => "Forms of receipt, ОЛ-1 requisite 4 (§5.2)",
        DictionaryName::ReceiptSources => "Sources of receipt (§5.2)",
        DictionaryName::Languages => "Languages of the appeal, ОЛ-1 requisite 6 (§5.2)",
        DictionaryName::AppealCharacters => "Character: individual or collective (p.2(7), §5.2)",
        DictionaryName::PersonCategories => "Person categories (З-1, ЛП-1 requisite 7)",
        DictionaryName::ResidencyStatuses => "Residency statuses (ЛП-1 requisite 8)",
        DictionaryName::Sexes => "Sexes (ЛП-1 requisite 9)",
        DictionaryName::ReceptionKinds => "Kinds of personal reception (ЛП-1 requisite 6)",
        DictionaryName::ReceptionDecisions => {
            "Decisions on personal reception (ЛП-1 requisite 25; 1-ОЛ §5 columns 7–8)"
        }
        DictionaryName::SocialStatuses => "Social statuses (ЛП-1 requisite 18)",
        DictionaryName::ReceptionIssueNatures => "Natures of the question (ЛП-1 requisite 23)",
        DictionaryName::AgeBands => "Age bands (ЛП-1 requisite 17)",
        DictionaryName::Nationalities => "Nationalities (ЛП-1 requisite 14)",
        DictionaryName::Citizenships => "Citizenships (ЛП-1 requisite 15)",
    }
}

/// One reference book in the list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"name": "receipt_forms", "description": "Forms of receipt, ОЛ-1 requisite 4 (§5.2)",
    "entries": 6, "active_entries": 6, "editable": true}))]
pub struct DictionarySummary {
    /// The `{name}` of `GET /api/v1/dictionaries/{name}`.
    pub name: String,
    pub description: String,
    /// Number of entries, inactive ones included.
    pub entries: u32,
    pub active_entries: u32,
    /// Whether administrators may add entries (books generated from logic are read-only).
    pub editable: bool,
}

/// All reference books.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DictionaryList {
    pub items: Vec<DictionarySummary>,
    /// Configuration version (changes with every dictionary or calendar change).
    pub config_version: i64,
}

/// A review term (R27).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"days": 15, "unit": "working"}))]
pub struct TermDto {
    /// Number of days, 1–366.
    pub days: u32,
    /// `working` or `calendar`.
    pub unit: String,
}

/// One entry of a reference book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "application", "label_ru": "Заявление", "label_kk": "Өтініш", "active": true,
    "evidence": "obs", "ordinal": null, "kind": "application", "term": {"days": 15, "unit": "working"},
    "kind_group": null, "symbol": null, "auto_rule": null, "explanation_ru": null,
    "explanation_kk": null}))]
pub struct DictionaryEntryDto {
    /// Stable ASCII snake_case identifier; clients store it, never the labels.
    pub code: String,
    pub label_ru: String,
    pub label_kk: String,
    /// Inactive entries stay for old records but are refused for new ones.
    pub active: bool,
    /// How sure the value is: `seed`, `src`, `obs` or `inf` (DOMAIN.md §0).
    pub evidence: String,
    /// Ordinal in the legal list (p.6 marking item, p.15 category, §2.7 reason number).
    pub ordinal: Option<u8>,
    /// `document_types`: the kind of the document type.
    pub kind: Option<String>,
    /// `document_types`: the review term (R27).
    pub term: Option<TermDto>,
    /// `termination_reasons`, `appeal_kinds`: the kind group (R40).
    pub kind_group: Option<String>,
    /// `markings`: the printed symbol.
    pub symbol: Option<String>,
    /// `markings`: the automatic rule (R9, R10), if any.
    pub auto_rule: Option<String>,
    /// `termination_reasons`: the explanation the answer must carry (p.23(3) of the
    /// Instruction: the right to re-apply or to apply to the Supreme Court), appended to the
    /// answer text of a decision with this reason.
    pub explanation_ru: Option<String>,
    pub explanation_kk: Option<String>,
}

impl DictionaryEntryDto {
    fn of(entry: &DictionaryEntry) -> Result<Self, ApiError> {
        let mut value = serde_json::to_value(entry).map_err(ApiError::internal)?;
        if let serde_json::Value::Object(map) = &mut value {
            for field in [
                "ordinal",
                "kind",
                "term",
                "kind_group",
                "symbol",
                "auto_rule",
                "explanation_ru",
                "explanation_kk",
            ] {
                map.entry(field).or_insert(serde_json::Value::Null);
            }
        }
        serde_json::from_value(value).map_err(ApiError::internal)
    }
}

/// One reference book with its entries (in display order).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DictionaryDto {
    pub name: String,
    pub description: String,
    pub editable: bool,
    pub entries: Vec<DictionaryEntryDto>,
    /// Configuration version, also sent as `ETag`.
    pub config_version: i64,
}

/// A new entry (administrators). Attributes a book does not use are refused.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "video_call", "label_ru": "Видеозвонок", "label_kk": "Бейне қоңырау", "evidence": "src"}))]
pub struct NewDictionaryEntry {
    /// Stable ASCII snake_case identifier (`[a-z][a-z0-9_]*`, no double or trailing `_`), ≤ 64.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub label_ru: String,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub label_kk: String,
    /// `seed`, `src`, `obs` or `inf`; default `inf` (to be confirmed).
    pub evidence: Option<String>,
    pub ordinal: Option<u8>,
    /// `document_types` only, required there: `application`, `complaint`, `request`, `message`,
    /// `response` or `proposal`.
    pub kind: Option<String>,
    /// `document_types` only, required there.
    pub term: Option<TermDto>,
    /// `termination_reasons` only, required there: `group1`, `group2` or `complaint`.
    pub kind_group: Option<String>,
    /// `markings` only.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_length = 1, max_length = 20)]
    pub symbol: Option<String>,
}

/// A change of an entry (administrators): labels or the active flag.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct PatchDictionaryEntry {
    /// `false` deactivates the entry: kept for old records, refused for new ones.
    pub active: Option<bool>,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub label_ru: Option<String>,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub label_kk: Option<String>,
    /// `termination_reasons` only: the explanation the answer carries (empty removes it).
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub explanation_ru: Option<String>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub explanation_kk: Option<String>,
}

fn book_name(name: &str) -> Result<DictionaryName, ApiError> {
    name.parse()
        .map_err(|_| ApiError::not_found(format!("There is no dictionary `{name}`.")))
}

fn book_dto(
    name: DictionaryName,
    entries: &[DictionaryEntry],
    config_version: i64,
) -> Result<DictionaryDto, ApiError> {
    Ok(DictionaryDto {
        name: name.as_str().to_owned(),
        description: description(name).to_owned(),
        editable: dictionaries::editable(name),
        entries: entries
            .iter()
            .map(DictionaryEntryDto::of)
            .collect::<Result<_, _>>()?,
        config_version,
    })
}

fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// List the reference books with their entry counts.
///
/// Dictionaries are data (R11, R27): the values the domain defaults give are seeded by a migration
/// and administrators add or deactivate entries at run time.
#[utoipa::path(tag = "dictionaries", responses((status = 200, body = DictionaryList)))]
#[get("/dictionaries")]
pub async fn list(
    state: web::Data<AppState>,
    _auth: Auth<ReferenceData>,
) -> ApiResult<web::Json<DictionaryList>> {
    let (rows, config_version) = state.run(dictionaries::all).await?;
    let items = DictionaryName::ALL
        .iter()
        .map(|name| {
            let of_book = rows.iter().filter(|r| r.dictionary == name.as_str());
            let count = |only_active: bool| {
                u32::try_from(
                    of_book
                        .clone()
                        .filter(|r: &&DictionaryEntryRow| !only_active || r.active)
                        .count(),
                )
                .unwrap_or(u32::MAX)
            };
            DictionarySummary {
                name: name.as_str().to_owned(),
                description: description(*name).to_owned(),
                entries: count(false),
                active_entries: count(true),
                editable: dictionaries::editable(*name),
            }
        })
        .collect();
    Ok(web::Json(DictionaryList {
        items,
        config_version,
    }))
}

/// Read one reference book: every entry with `code`, `label_ru`, `label_kk` and its attributes.
///
/// `ETag` is the configuration version (R11, R27: markings and document types with their review
/// terms are dictionaries). An unknown name is 404.
#[utoipa::path(tag = "dictionaries", responses((status = 200, body = DictionaryDto, headers(("ETag" = String)))))]
#[get("/dictionaries/{name}")]
pub async fn get_one(
    state: web::Data<AppState>,
    _auth: Auth<ReferenceData>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let name = book_name(&path.into_inner())?;
    let (entries, version) = state
        .run(move |conn| dictionaries::book(conn, name))
        .await?;
    let dto = book_dto(name, &entries, version)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(dto.config_version)))
        .json(dto))
}

/// Read one entry of a reference book. `ETag` is the configuration version.
#[utoipa::path(tag = "dictionaries", responses((status = 200, body = DictionaryEntryDto, headers(("ETag" = String)))))]
#[get("/dictionaries/{name}/entries/{code}")]
pub async fn get_entry(
    state: web::Data<AppState>,
    _auth: Auth<ReferenceData>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (name, code) = path.into_inner();
    let name = book_name(&name)?;
    let (entry, version) = state
        .run(move |conn| dictionaries::entry(conn, name, &code))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(DictionaryEntryDto::of(&entry)?))
}

/// Parses a snake_case code of a closed domain enum (`Evidence`, `AppealKind`, `KindGroup`).
fn parse_code<T: serde::de::DeserializeOwned>(
    value: &str,
    pointer: &str,
    allowed: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match serde_json::from_value(serde_json::Value::String(value.to_owned())) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError {
                pointer: pointer.to_owned(),
                detail: format!("`{value}` is not one of {allowed}"),
            });
            None
        }
    }
}

/// Validates a new entry against the rules of its book; every invalid field is reported.
fn new_entry(name: DictionaryName, body: &NewDictionaryEntry) -> Result<DictionaryEntry, ApiError> {
    let mut errors = Vec::new();
    let mut refuse = |pointer: &str, detail: String| {
        errors.push(FieldError {
            pointer: pointer.to_owned(),
            detail,
        })
    };
    if !is_snake_case_code(&body.code) {
        refuse(
            "#/code",
            "must be an ASCII snake_case identifier (`[a-z][a-z0-9_]*`, no double or trailing `_`)"
                .to_owned(),
        );
    }
    for (pointer, label) in [
        ("#/label_ru", &body.label_ru),
        ("#/label_kk", &body.label_kk),
    ] {
        if label.trim().is_empty() {
            refuse(pointer, "must not be blank".to_owned());
        }
    }
    let not_used = format!("is not used by the `{name}` dictionary");
    let is = |n: DictionaryName| name == n;
    if !is(DictionaryName::DocumentTypes) {
        if body.kind.is_some() {
            refuse("#/kind", not_used.clone());
        }
        if body.term.is_some() {
            refuse("#/term", not_used.clone());
        }
    }
    if !is(DictionaryName::TerminationReasons) && body.kind_group.is_some() {
        refuse("#/kind_group", not_used.clone());
    }
    if !is(DictionaryName::Markings) && body.symbol.is_some() {
        refuse("#/symbol", not_used.clone());
    }
    if is(DictionaryName::DocumentTypes) {
        if body.kind.is_none() {
            refuse("#/kind", "is required for a document type".to_owned());
        }
        if body.term.is_none() {
            refuse("#/term", "is required for a document type (R27)".to_owned());
        }
    }
    if is(DictionaryName::TerminationReasons) && body.kind_group.is_none() {
        refuse(
            "#/kind_group",
            "is required for a termination reason (R40)".to_owned(),
        );
    }
    let evidence = match &body.evidence {
        Some(e) => parse_code::<Evidence>(e, "#/evidence", "seed, src, obs, inf", &mut errors),
        None => Some(Evidence::Inf),
    };
    let kind = body.kind.as_deref().and_then(|k| {
        parse_code::<AppealKind>(
            k,
            "#/kind",
            "application, complaint, request, message, response, proposal",
            &mut errors,
        )
    });
    if kind == Some(AppealKind::PersonalReceptionApplication) {
        errors.push(FieldError {
            pointer: "#/kind".to_owned(),
            detail: "applications for personal reception are registered through ЛП-1 (p.4 part 5)"
                .to_owned(),
        });
    }
    let kind_group = body.kind_group.as_deref().and_then(|g| {
        parse_code::<KindGroup>(g, "#/kind_group", "group1, group2, complaint", &mut errors)
    });
    if kind_group == Some(KindGroup::PersonalReception) {
        errors.push(FieldError {
            pointer: "#/kind_group".to_owned(),
            detail: "no termination reasons exist for personal reception".to_owned(),
        });
    }
    let term = match &body.term {
        Some(t) => {
            if !(1..=366).contains(&t.days) {
                errors.push(FieldError {
                    pointer: "#/term/days".to_owned(),
                    detail: "must be between 1 and 366".to_owned(),
                });
            }
            parse_code(&t.unit, "#/term/unit", "working, calendar", &mut errors)
                .map(|unit| appeals_domain::deadline::Term { days: t.days, unit })
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut entry = DictionaryEntry::new(
        body.code.clone(),
        body.label_ru.trim(),
        body.label_kk.trim(),
        evidence.unwrap_or(Evidence::Inf),
    );
    entry.ordinal = body.ordinal;
    entry.kind = kind;
    entry.term = term;
    entry.kind_group = kind_group;
    entry.symbol = body.symbol.clone();
    if is(DictionaryName::DocumentTypes) {
        DocumentType::from_entry(&entry)?;
    }
    Ok(entry)
}

/// Add an entry to a reference book (administrators).
///
/// The code is a stable ASCII snake_case identifier, unique in the book (a taken code is 409);
/// attributes are checked against the book (document types need a kind and a review term, R27;
/// termination reasons a kind group, R40). Books generated from domain logic are read-only (409).
/// The change is audited, bumps the configuration version and is usable at once — by every server
/// process on its next request (R11).
#[utoipa::path(
    tag = "dictionaries",
    request_body = NewDictionaryEntry,
    responses(
        (status = 201, body = DictionaryEntryDto, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The code is taken, or the book is read-only", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/dictionaries/{name}/entries")]
pub async fn add_entry(
    state: web::Data<AppState>,
    auth: Auth<DictionaryKeepers>,
    path: web::Path<String>,
    ValidatedJson(body): ValidatedJson<NewDictionaryEntry>,
) -> ApiResult<HttpResponse> {
    let name = book_name(&path.into_inner())?;
    dictionaries::refuse_closed(name)?;
    let entry = new_entry(name, &body)?;
    let ctx = state.ctx(&auth);
    let rules = state
        .run(move |conn| dictionaries::add_entry(conn, &ctx, name, entry))
        .await?;
    let version = rules.config_version.unwrap_or_default();
    let dto = DictionaryEntryDto::of(
        rules
            .dictionary(name)?
            .get(&body.code)
            .ok_or_else(|| ApiError::internal("the added entry is not in the reloaded rules"))?,
    )?;
    state.install_rules(rules);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/dictionaries/{name}/entries/{}", dto.code),
        ))
        .insert_header((header::ETAG, etag(version)))
        .json(dto))
}

/// Change an entry's labels or deactivate it (administrators).
///
/// Requires `If-Match` with the configuration version (`ETag` of the book; 428 without, 412 when
/// another change came first). A deactivated entry stays for old records and is refused for new
/// ones (R11). Audited; every server process applies it on its next request.
#[utoipa::path(
    tag = "dictionaries",
    request_body = PatchDictionaryEntry,
    params(("If-Match" = String, Header, description = "ETag of the dictionary (configuration version)")),
    responses(
        (status = 200, body = DictionaryEntryDto, headers(("ETag" = String))),
        (status = 409, description = "The book is read-only", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/dictionaries/{name}/entries/{code}")]
pub async fn patch_entry(
    state: web::Data<AppState>,
    auth: Auth<DictionaryKeepers>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    ValidatedJson(body): ValidatedJson<PatchDictionaryEntry>,
) -> ApiResult<HttpResponse> {
    let (name, code) = path.into_inner();
    let name = book_name(&name)?;
    let expected = crate::actions::if_match(&req)?;
    let change = dictionaries::EntryChange {
        active: body.active,
        label_ru: body.label_ru,
        label_kk: body.label_kk,
        explanation_ru: body.explanation_ru,
        explanation_kk: body.explanation_kk,
    };
    let ctx = state.ctx(&auth);
    let entry_code = code.clone();
    let rules = state
        .run(move |conn| {
            dictionaries::change_entry(conn, &ctx, name, &entry_code, expected, change)
        })
        .await?;
    let version = rules.config_version.unwrap_or_default();
    let dto =
        DictionaryEntryDto::of(rules.dictionary(name)?.get(&code).ok_or_else(|| {
            ApiError::internal("the changed entry is not in the reloaded rules")
        })?)?;
    state.install_rules(rules);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(dto))
}
