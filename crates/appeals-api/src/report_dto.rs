//! Report 1-ОЛ on the wire (p.32, Appendix 5): the report, the reporting schedule, the closed
//! months' revisions and the report definition.

use std::collections::BTreeMap;

use appeals_domain::report::{Cell, ColumnHead, SectionTable, TableRow};
use appeals_service::reports::{
    CellChange, DefinitionView, MonthSchedule, ReportView, Revision, SubjectClosing,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::ApiError;

/// The period and the subject of a report.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The year (2000–2100).
    #[param(example = 2026)]
    pub year: i32,
    /// The month, 1–12: the report covers it alone (`month`) and 1 January to its end
    /// (`cumulative`, p.32).
    #[param(example = 4)]
    pub month: u32,
    /// Show this subject and its subtree (default: every subject the caller may see).
    pub subject_id: Option<i64>,
}

/// The reporting year.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    #[param(example = 2026)]
    pub year: i32,
}

/// Whose closed month.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionsQuery {
    /// The subject (default: the caller's own).
    pub subject_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodDto {
    #[schema(example = 2026)]
    pub year: i32,
    #[schema(example = 4)]
    pub month: u32,
}

/// A figure: the month alone and cumulatively from 1 January.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct CellDto {
    #[schema(example = 3)]
    pub month: i64,
    #[schema(example = 11)]
    pub cumulative: i64,
}

impl From<Cell> for CellDto {
    fn from(c: Cell) -> Self {
        Self {
            month: c.month,
            cumulative: c.cumulative,
        }
    }
}

/// A column of a section, as the form prints it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ColumnDto {
    #[schema(example = "4")]
    pub code: String,
    #[schema(example = "Всего поступило заявлений на личный прием")]
    pub label_ru: String,
    pub label_kk: String,
    /// The group header above the column, if any.
    #[schema(example = "Решение по личному приему")]
    pub group_ru: Option<String>,
    pub group_kk: Option<String>,
    /// `law` (Appendix 2 to the Order) or `reconstruction` (docs/reports.md).
    #[schema(example = "law")]
    pub basis: String,
    /// `name`, `row_code` or `count`.
    #[schema(example = "count")]
    pub kind: String,
}

impl From<ColumnHead> for ColumnDto {
    fn from(c: ColumnHead) -> Self {
        Self {
            code: c.code,
            label_ru: c.label_ru,
            label_kk: c.label_kk,
            group_ru: c.group_ru,
            group_kk: c.group_kk,
            basis: c.basis.code().to_owned(),
            kind: c.kind,
        }
    }
}

/// A row: one subject's own cards, the total of a subject with its subtree, or the grand total.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowDto {
    /// `subject`, `total` or `grand_total`.
    #[schema(example = "subject")]
    pub kind: String,
    #[schema(example = 2)]
    pub subject_id: Option<i64>,
    #[schema(example = "Акимат города Алматы")]
    pub name_ru: String,
    pub name_kk: String,
    #[schema(example = "AKIMAT-ALA")]
    pub row_code: String,
    /// Depth in the hierarchy shown (0 at the top).
    pub depth: u32,
    /// The count columns by code.
    pub cells: BTreeMap<String, CellDto>,
}

impl From<TableRow> for RowDto {
    fn from(r: TableRow) -> Self {
        Self {
            kind: r.kind.code().to_owned(),
            subject_id: r.subject_id,
            name_ru: r.name_ru,
            name_kk: r.name_kk,
            row_code: r.row_code,
            depth: r.depth,
            cells: r.cells.into_iter().map(|(k, v)| (k, v.into())).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionDto {
    #[schema(example = "5")]
    pub code: String,
    #[schema(example = "Личный прием")]
    pub title_ru: String,
    pub title_kk: String,
    /// `law` or `reconstruction`.
    pub basis: String,
    pub columns: Vec<ColumnDto>,
    pub rows: Vec<RowDto>,
}

impl From<SectionTable> for SectionDto {
    fn from(t: SectionTable) -> Self {
        Self {
            code: t.code,
            title_ru: t.title_ru,
            title_kk: t.title_kk,
            basis: t.basis.code().to_owned(),
            columns: t.columns.into_iter().map(Into::into).collect(),
            rows: t.rows.into_iter().map(Into::into).collect(),
        }
    }
}

/// Report 1-ОЛ for a month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportDto {
    #[schema(example = "1-ОЛ")]
    pub form: String,
    pub title_ru: String,
    pub title_kk: String,
    pub period: PeriodDto,
    /// R50: the 10th of the next month, moved to the next working day.
    #[schema(example = "2026-05-12")]
    pub due: NaiveDate,
    pub calendar_version: String,
    /// The server's time of generation.
    pub generated_at: DateTime<Utc>,
    /// The month has not ended: its figures still move.
    pub provisional: bool,
    pub definition_version: i64,
    /// The subject whose subtree the report shows (none: everything the caller sees).
    pub subject_id: Option<i64>,
    pub sections: Vec<SectionDto>,
}

impl From<ReportView> for ReportDto {
    fn from(v: ReportView) -> Self {
        Self {
            form: v.form,
            title_ru: v.title_ru,
            title_kk: v.title_kk,
            period: PeriodDto {
                year: v.period.year,
                month: v.period.month,
            },
            due: v.due,
            calendar_version: v.calendar_version,
            generated_at: v.generated_at,
            provisional: v.provisional,
            definition_version: v.definition_version,
            subject_id: v.subject_id,
            sections: v.sections.into_iter().map(Into::into).collect(),
        }
    }
}

/// A subject's state for a month of the reporting schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectClosingDto {
    pub subject_id: i64,
    pub name_ru: String,
    /// When the month was closed (UTC).
    pub closed_at: Option<NaiveDateTime>,
    /// Closed after the due date.
    pub closed_late: bool,
    /// Not closed, and the due date has passed.
    pub overdue: bool,
}

impl From<SubjectClosing> for SubjectClosingDto {
    fn from(s: SubjectClosing) -> Self {
        Self {
            subject_id: s.subject_id,
            name_ru: s.name_ru,
            closed_at: s.closed_at,
            closed_late: s.closed_late,
            overdue: s.overdue,
        }
    }
}

/// One month of the reporting year (R50).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthScheduleDto {
    #[schema(example = 4)]
    pub month: u32,
    #[schema(example = "2026-05-12")]
    pub due: NaiveDate,
    pub subjects: Vec<SubjectClosingDto>,
}

impl From<MonthSchedule> for MonthScheduleDto {
    fn from(m: MonthSchedule) -> Self {
        Self {
            month: m.month,
            due: m.due,
            subjects: m.subjects.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportScheduleDto {
    pub year: i32,
    pub months: Vec<MonthScheduleDto>,
}

/// A figure that moved between two revisions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CellChangeDto {
    #[schema(example = "1")]
    pub section: String,
    pub row_code: String,
    pub subject_id: Option<i64>,
    /// `subject`, `total` or `grand_total`.
    pub row_kind: String,
    #[schema(example = "3")]
    pub column: String,
    /// `month` or `cumulative`.
    pub figure: String,
    pub before: i64,
    pub after: i64,
}

impl From<CellChange> for CellChangeDto {
    fn from(c: CellChange) -> Self {
        Self {
            section: c.section,
            row_code: c.row_code,
            subject_id: c.subject_id,
            row_kind: c.row_kind,
            column: c.column,
            figure: c.figure,
            before: c.before,
            after: c.after,
        }
    }
}

/// A frozen revision of a closed month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionDto {
    pub id: i64,
    pub subject_id: i64,
    pub period: PeriodDto,
    /// 1 when the month was closed; each later change of its figures adds one.
    #[schema(example = 1)]
    pub revision: i32,
    /// SHA-256 of the frozen figures.
    pub content_hash: String,
    pub definition_version: i64,
    pub calendar_version: String,
    pub generated_at: NaiveDateTime,
    /// The user who closed the month (revision 1).
    pub closed_by: Option<i64>,
    /// What changed since the revision before (empty for revision 1).
    pub changes: Vec<CellChangeDto>,
    pub sections: Vec<SectionDto>,
}

impl From<Revision> for RevisionDto {
    fn from(r: Revision) -> Self {
        let row = r.row;
        Self {
            id: row.id,
            subject_id: row.subject_id,
            period: PeriodDto {
                year: row.year,
                month: u32::try_from(row.month).unwrap_or_default(),
            },
            revision: row.revision,
            content_hash: row.content_hash,
            definition_version: row.definition_version,
            calendar_version: row.calendar_version,
            generated_at: row.generated_at,
            closed_by: row.closed_by,
            changes: r.changes.into_iter().map(Into::into).collect(),
            sections: r.sections.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionList {
    pub items: Vec<RevisionDto>,
}

/// A version of the report definition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DefinitionDto {
    #[schema(example = 1)]
    pub version: i64,
    pub content_hash: String,
    pub changed_at: NaiveDateTime,
    pub changed_by: Option<i64>,
    #[schema(example = "shipped default")]
    pub reason: String,
    /// The sections and their columns; each count column a signed sum of terms `{measure,
    /// where, window, sign}` (docs/reports.md).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
}

impl DefinitionDto {
    pub fn of(v: DefinitionView) -> Result<Self, ApiError> {
        Ok(Self {
            version: v.row.version,
            content_hash: v.row.content_hash,
            changed_at: v.row.changed_at,
            changed_by: v.row.changed_by,
            reason: v.row.reason,
            definition: serde_json::to_value(&v.definition).map_err(ApiError::internal)?,
        })
    }
}

/// A version in the list (without the text).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DefinitionVersionDto {
    pub version: i64,
    pub content_hash: String,
    pub changed_at: NaiveDateTime,
    pub changed_by: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DefinitionVersions {
    pub items: Vec<DefinitionVersionDto>,
}

/// A corrected definition and why.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeDefinition {
    /// The whole definition (as `GET …/definition` returns it under `definition`).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    #[validate(length(min = 1, max = 1000))]
    #[schema(example = "Column 1/4 also counts appeals received by videoconference")]
    pub reason: String,
}
