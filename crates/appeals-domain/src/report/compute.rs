//! A report from kept counts: each section's rows (one per subject, with the totals of its
//! hierarchy) and each count column's value for the month alone and cumulatively from 1 January
//! (p.32).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::definition::{Basis, ColumnValue, ReportDefinition, Term, Window};
use super::facts::{Measure, Month, parse_dimensions};
use crate::DomainError;

/// The reporting period: a month of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Result<Self, DomainError> {
        if !(1..=12).contains(&month) {
            return Err(DomainError::invalid("/month", "a month is 1–12"));
        }
        if !(2000..=2100).contains(&year) {
            return Err(DomainError::invalid("/year", "a year of 2000–2100"));
        }
        Ok(Self { year, month })
    }

    /// The first month of the year, as `yyyymm` — counts before it are the opening balance.
    pub fn year_start(self) -> Month {
        self.year * 100 + 1
    }

    /// The period's month as `yyyymm`.
    pub fn end(self) -> Month {
        self.year * 100 + self.month as i32
    }
}

/// A kept count summed for one subject, one measure and dimensions, and one month of the year
/// (`None`: every month before the year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    pub subject_id: i64,
    pub month: Option<Month>,
    pub measure: Measure,
    pub dimensions: String,
    pub n: i64,
}

/// A subject as a row of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectLine {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name_ru: String,
    pub name_kk: Option<String>,
    pub row_code: String,
}

/// What a row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// One subject's own cards.
    Subject,
    /// A subject and every subject below it in the hierarchy.
    Total,
    /// Every subject of the report (the republic, for the authorized body).
    GrandTotal,
}

impl RowKind {
    /// The code (the serde name).
    pub const fn code(self) -> &'static str {
        match self {
            RowKind::Subject => "subject",
            RowKind::Total => "total",
            RowKind::GrandTotal => "grand_total",
        }
    }
}

/// One figure: the month alone and cumulatively from 1 January.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub month: i64,
    pub cumulative: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnHead {
    pub code: String,
    pub label_ru: String,
    pub label_kk: String,
    pub group_ru: Option<String>,
    pub group_kk: Option<String>,
    pub basis: Basis,
    /// `name`, `row_code` or `count`.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    pub kind: RowKind,
    pub subject_id: Option<i64>,
    pub name_ru: String,
    pub name_kk: String,
    pub row_code: String,
    /// Depth in the hierarchy shown (0 at the top).
    pub depth: u32,
    /// Count columns by code.
    pub cells: BTreeMap<String, Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionTable {
    pub code: String,
    pub title_ru: String,
    pub title_kk: String,
    pub basis: Basis,
    pub columns: Vec<ColumnHead>,
    pub rows: Vec<TableRow>,
}

/// The counts of one subject, measure and dimensions: before the year and per month of it.
#[derive(Debug, Clone, Default)]
struct Series {
    before_year: i64,
    months: [i64; 12],
}

impl Series {
    /// Sum over the window, for the span of month indexes `from..=to` (0 = January).
    fn sum(&self, window: Window, from: usize, to: usize) -> i64 {
        let months = |a: usize, b: usize| -> i64 { self.months[a..b].iter().sum() };
        match window {
            Window::Opening => self.before_year + months(0, from),
            Window::Span => months(from, to + 1),
            Window::Closing => self.before_year + months(0, to + 1),
        }
    }
}

type SubjectSeries = HashMap<(Measure, String), Series>;

fn term_value(series: &SubjectSeries, term: &Term, from: usize, to: usize) -> i64 {
    series
        .iter()
        .filter(|((measure, dims), _)| {
            *measure == term.measure && term.admits(&parse_dimensions(dims))
        })
        .map(|(_, s)| s.sum(term.window, from, to))
        .sum::<i64>()
        * term.sign
}

/// Builds every section of the report for the subjects given (rows in hierarchy order, a total
/// row above each subject that has subjects below it in the report, and a grand total when the
/// report holds more than one tree).
pub fn compute(
    definition: &ReportDefinition,
    period: Period,
    subjects: &[SubjectLine],
    counts: &[CountRow],
) -> Vec<SectionTable> {
    let mut by_subject: HashMap<i64, SubjectSeries> = HashMap::new();
    let start = period.year_start();
    for c in counts {
        let series = by_subject
            .entry(c.subject_id)
            .or_default()
            .entry((c.measure, c.dimensions.clone()))
            .or_default();
        match c.month {
            Some(m) if m >= start && m <= period.end() => {
                series.months[(m - start) as usize] += c.n;
            }
            Some(m) if m < start => series.before_year += c.n,
            None => series.before_year += c.n,
            Some(_) => {}
        }
    }
    let order = hierarchy_order(subjects);
    let month_index = period.month as usize - 1;
    let empty = SubjectSeries::new();
    definition
        .sections
        .iter()
        .map(|section| {
            let own: HashMap<i64, BTreeMap<String, Cell>> = subjects
                .iter()
                .map(|s| {
                    let series = by_subject.get(&s.id).unwrap_or(&empty);
                    let cells = section
                        .columns
                        .iter()
                        .filter_map(|c| match &c.value {
                            ColumnValue::Count { terms } => {
                                let value = |from, to| {
                                    terms.iter().map(|t| term_value(series, t, from, to)).sum()
                                };
                                Some((
                                    c.code.clone(),
                                    Cell {
                                        month: value(month_index, month_index),
                                        cumulative: value(0, month_index),
                                    },
                                ))
                            }
                            _ => None,
                        })
                        .collect();
                    (s.id, cells)
                })
                .collect();
            SectionTable {
                code: section.code.clone(),
                title_ru: section.title_ru.clone(),
                title_kk: section.title_kk.clone(),
                basis: section.basis,
                columns: section
                    .columns
                    .iter()
                    .map(|c| ColumnHead {
                        code: c.code.clone(),
                        label_ru: c.label_ru.clone(),
                        label_kk: c.label_kk.clone(),
                        group_ru: c.group_ru.clone(),
                        group_kk: c.group_kk.clone(),
                        basis: c.basis,
                        kind: match c.value {
                            ColumnValue::Name => "name",
                            ColumnValue::RowCode => "row_code",
                            ColumnValue::Count { .. } => "count",
                        }
                        .to_owned(),
                    })
                    .collect(),
                rows: rows(&order, &own),
            }
        })
        .collect()
}

/// A subject placed in the tree the report shows.
struct Placed<'a> {
    line: &'a SubjectLine,
    depth: u32,
    /// The subject and every subject below it in the report.
    subtree: Vec<i64>,
}

/// Depth-first order of the subjects: a subject whose parent is not in the report is a root.
fn hierarchy_order(subjects: &[SubjectLine]) -> Vec<Placed<'_>> {
    let ids: std::collections::HashSet<i64> = subjects.iter().map(|s| s.id).collect();
    let mut children: BTreeMap<Option<i64>, Vec<&SubjectLine>> = BTreeMap::new();
    for s in subjects {
        let parent = s.parent_id.filter(|p| ids.contains(p) && *p != s.id);
        children.entry(parent).or_default().push(s);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.row_code.cmp(&b.row_code).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::new();
    fn walk<'a>(
        node: &'a SubjectLine,
        depth: u32,
        children: &BTreeMap<Option<i64>, Vec<&'a SubjectLine>>,
        out: &mut Vec<Placed<'a>>,
    ) -> Vec<i64> {
        let at = out.len();
        out.push(Placed {
            line: node,
            depth,
            subtree: Vec::new(),
        });
        let mut subtree = vec![node.id];
        // A malformed hierarchy (a cycle) cannot recurse forever: depth is bounded.
        if depth < 32 {
            for child in children.get(&Some(node.id)).into_iter().flatten() {
                subtree.extend(walk(child, depth + 1, children, out));
            }
        }
        out[at].subtree = subtree.clone();
        subtree
    }
    for root in children.get(&None).into_iter().flatten() {
        walk(root, 0, &children, &mut out);
    }
    out
}

fn add(into: &mut BTreeMap<String, Cell>, from: &BTreeMap<String, Cell>) {
    for (code, cell) in from {
        let sum = into.entry(code.clone()).or_default();
        sum.month += cell.month;
        sum.cumulative += cell.cumulative;
    }
}

fn rows(order: &[Placed<'_>], own: &HashMap<i64, BTreeMap<String, Cell>>) -> Vec<TableRow> {
    let empty = BTreeMap::new();
    let cells_of = |id: i64| own.get(&id).unwrap_or(&empty);
    let mut out = Vec::new();
    let roots = order.iter().filter(|p| p.depth == 0).count();
    if roots > 1 {
        let mut cells = BTreeMap::new();
        for p in order {
            add(&mut cells, cells_of(p.line.id));
        }
        out.push(TableRow {
            kind: RowKind::GrandTotal,
            subject_id: None,
            name_ru: "Итого по Республике Казахстан".to_owned(),
            name_kk: "Қазақстан Республикасы бойынша барлығы".to_owned(),
            row_code: "0".to_owned(),
            depth: 0,
            cells,
        });
    }
    let shift = u32::from(roots > 1);
    for p in order {
        let name_kk = p
            .line
            .name_kk
            .clone()
            .unwrap_or_else(|| p.line.name_ru.clone());
        if p.subtree.len() > 1 {
            let mut cells = BTreeMap::new();
            for id in &p.subtree {
                add(&mut cells, cells_of(*id));
            }
            out.push(TableRow {
                kind: RowKind::Total,
                subject_id: Some(p.line.id),
                name_ru: format!("Итого: {}", p.line.name_ru),
                name_kk: format!("Барлығы: {name_kk}"),
                row_code: p.line.row_code.clone(),
                depth: p.depth + shift,
                cells,
            });
        }
        out.push(TableRow {
            kind: RowKind::Subject,
            subject_id: Some(p.line.id),
            name_ru: p.line.name_ru.clone(),
            name_kk,
            row_code: p.line.row_code.clone(),
            depth: p.depth + shift,
            cells: cells_of(p.line.id).clone(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i64, parent: Option<i64>, code: &str) -> SubjectLine {
        SubjectLine {
            id,
            parent_id: parent,
            name_ru: format!("S{id}"),
            name_kk: None,
            row_code: code.to_owned(),
        }
    }

    fn count(subject: i64, month: Option<Month>, measure: Measure, dims: &str, n: i64) -> CountRow {
        CountRow {
            subject_id: subject,
            month,
            measure,
            dimensions: dims.to_owned(),
            n,
        }
    }

    fn section5(tables: &[SectionTable]) -> &SectionTable {
        tables.iter().find(|t| t.code == "5").expect("section 5")
    }

    #[test]
    fn section_5_balances_add_up_monthly_and_cumulatively_and_totals_sum_their_subtree() {
        let d = ReportDefinition::shipped().expect("definition");
        let subjects = [
            line(1, None, "010"),
            line(2, Some(1), "011"),
            line(3, Some(1), "012"),
        ];
        let counts = [
            // Two applications of last year, one refused then.
            count(2, None, Measure::ReceptionReceived, "presiding=none", 2),
            count(2, None, Measure::ReceptionRefused, "", 1),
            // This year: three in January (one with the head), one explained in February.
            count(
                2,
                Some(202601),
                Measure::ReceptionReceived,
                "presiding=head",
                1,
            ),
            count(
                2,
                Some(202601),
                Measure::ReceptionReceived,
                "presiding=none",
                2,
            ),
            count(
                2,
                Some(202602),
                Measure::ReceptionResult,
                "result=explained",
                1,
            ),
            count(
                3,
                Some(202602),
                Measure::ReceptionReceived,
                "presiding=deputy_head",
                4,
            ),
            count(
                3,
                Some(202603),
                Measure::ReceptionReceived,
                "presiding=none",
                9,
            ),
        ];
        let tables = compute(
            &d,
            Period::new(2026, 2).expect("period"),
            &subjects,
            &counts,
        );
        let s5 = section5(&tables);
        let kinds: Vec<(RowKind, &str)> = s5
            .rows
            .iter()
            .map(|r| (r.kind, r.row_code.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (RowKind::Total, "010"),
                (RowKind::Subject, "010"),
                (RowKind::Subject, "011"),
                (RowKind::Subject, "012")
            ]
        );
        let row2 = &s5.rows[2].cells;
        let c = |code: &str| row2[code];
        assert_eq!(
            c("3").cumulative,
            1,
            "start of year: 2 received − 1 refused"
        );
        assert_eq!(
            c("4"),
            Cell {
                month: 0,
                cumulative: 3
            }
        );
        assert_eq!(c("5").cumulative, 1);
        assert_eq!(
            c("11"),
            Cell {
                month: 1,
                cumulative: 1
            }
        );
        assert_eq!(
            c("12"),
            Cell {
                month: 3,
                cumulative: 3
            }
        );
        assert_eq!(c("3").month, 4, "start of February");
        for row in &s5.rows {
            for pick in [|c: Cell| c.month, |c: Cell| c.cumulative] {
                let v = |code: &str| pick(row.cells[code]);
                assert_eq!(
                    v("12"),
                    v("3") + v("4") - v("8") - v("9") - v("10") - v("11"),
                    "row {}",
                    row.row_code
                );
            }
        }
        let total = &s5.rows[0].cells;
        for code in total.keys() {
            let sum: i64 = s5.rows[1..].iter().map(|r| r.cells[code].cumulative).sum();
            assert_eq!(total[code].cumulative, sum, "column {code}");
        }
        assert_eq!(total["4"].cumulative, 7, "March is after the period");
    }

    #[test]
    fn codes_are_the_serde_names() {
        for kind in [RowKind::Subject, RowKind::Total, RowKind::GrandTotal] {
            assert_eq!(serde_json::to_value(kind).expect("json"), kind.code());
        }
        for basis in [Basis::Law, Basis::Reconstruction] {
            assert_eq!(serde_json::to_value(basis).expect("json"), basis.code());
        }
    }

    #[test]
    fn two_trees_get_a_grand_total() {
        let d = ReportDefinition::shipped().expect("definition");
        let subjects = [line(1, None, "01"), line(2, None, "02")];
        let counts = [
            count(1, Some(202605), Measure::Duplicate, "", 2),
            count(2, Some(202605), Measure::Duplicate, "", 3),
        ];
        let tables = compute(
            &d,
            Period::new(2026, 5).expect("period"),
            &subjects,
            &counts,
        );
        let s1 = &tables[0];
        assert_eq!(s1.rows[0].kind, RowKind::GrandTotal);
        let duplicates = s1.columns.last().expect("column").code.clone();
        assert_eq!(s1.rows[0].cells[&duplicates].cumulative, 5);
        assert!(Period::new(2026, 13).is_err());
    }
}
