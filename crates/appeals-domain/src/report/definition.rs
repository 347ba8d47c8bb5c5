//! The layout of report 1-ОЛ as data (p.32, Appendix 5): sections, their columns, and for each
//! column the counted facts it adds up. The authorized body corrects a column by storing a new
//! version of the definition — no rebuild; the default below ships with the system.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::facts::Measure;
use crate::DomainError;

/// The shipped default definition (sections 1–4 our reconstruction, section 5 the Order's).
pub const DEFAULT_DEFINITION: &str = include_str!("../../data/report-1ol.json");

/// Whether a section or column is printed in the law or is our reconstruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Appendix 2 to the Order (section 5 «Личный прием»).
    Law,
    /// Not in the seeds: built from what the cards support (docs/reports.md).
    Reconstruction,
}

impl Basis {
    /// The code (the serde name).
    pub const fn code(self) -> &'static str {
        match self {
            Basis::Law => "law",
            Basis::Reconstruction => "reconstruction",
        }
    }
}

/// A report definition: the form and its sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportDefinition {
    pub form: String,
    pub title_ru: String,
    pub title_kk: String,
    pub sections: Vec<SectionDefinition>,
}

/// One section: rows are subjects (with their row codes) and the totals of the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDefinition {
    pub code: String,
    pub title_ru: String,
    pub title_kk: String,
    pub basis: Basis,
    pub columns: Vec<ColumnDefinition>,
}

/// One column, printed under its (optional) group header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDefinition {
    pub code: String,
    pub label_ru: String,
    pub label_kk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ru: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_kk: Option<String>,
    pub basis: Basis,
    pub value: ColumnValue,
}

/// What a column shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ColumnValue {
    /// The row's name (the subject, or the total).
    Name,
    /// The row's code.
    RowCode,
    /// A signed sum of counted facts.
    Count { terms: Vec<Term> },
}

/// Which months a term adds up, relative to the period shown (the month alone, or the months
/// from 1 January to it — the cumulative report of p.32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Every month before the period: a balance at its start.
    Opening,
    /// The months of the period.
    Span,
    /// Every month up to the period's end: a balance at its end.
    Closing,
}

/// A named filter over counted facts: one measure, the values its dimensions must take (any
/// value where a dimension is not named), the window, and the sign it is added with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub measure: Measure,
    #[serde(default, rename = "where", skip_serializing_if = "BTreeMap::is_empty")]
    pub filter: BTreeMap<String, Vec<String>>,
    pub window: Window,
    #[serde(default = "plus", skip_serializing_if = "is_plus")]
    pub sign: i64,
}

fn plus() -> i64 {
    1
}

fn is_plus(sign: &i64) -> bool {
    *sign == 1
}

impl Term {
    /// Whether a fact with these dimensions passes the filter.
    pub fn admits(&self, dimensions: &BTreeMap<&str, &str>) -> bool {
        self.filter.iter().all(|(key, values)| {
            dimensions
                .get(key.as_str())
                .is_some_and(|v| values.iter().any(|want| want == v))
        })
    }
}

impl ReportDefinition {
    /// The shipped default.
    pub fn shipped() -> Result<Self, DomainError> {
        Self::parse(DEFAULT_DEFINITION)
    }

    /// Reads and checks a definition.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let definition: Self = serde_json::from_str(text)
            .map_err(|e| DomainError::invalid("", format!("not a report definition: {e}")))?;
        definition.check()?;
        Ok(definition)
    }

    /// Every section and column code unique, each section opened by its name and row-code
    /// columns, every term a ±1 filter over the dimensions its measure carries.
    pub fn check(&self) -> Result<(), DomainError> {
        if self.sections.is_empty() {
            return Err(DomainError::invalid("/sections", "at least one section"));
        }
        let mut sections = BTreeSet::new();
        for (i, section) in self.sections.iter().enumerate() {
            let at = format!("/sections/{i}");
            if !sections.insert(section.code.as_str()) {
                return Err(DomainError::invalid(
                    format!("{at}/code"),
                    format!("section code `{}` is used twice", section.code),
                ));
            }
            let mut columns = BTreeSet::new();
            for (j, column) in section.columns.iter().enumerate() {
                let at = format!("{at}/columns/{j}");
                if !columns.insert(column.code.as_str()) {
                    return Err(DomainError::invalid(
                        format!("{at}/code"),
                        format!("column code `{}` is used twice in the section", column.code),
                    ));
                }
                let ColumnValue::Count { terms } = &column.value else {
                    continue;
                };
                if terms.is_empty() {
                    return Err(DomainError::invalid(
                        format!("{at}/value/terms"),
                        "a count column adds up at least one term",
                    ));
                }
                for (k, term) in terms.iter().enumerate() {
                    let at = format!("{at}/value/terms/{k}");
                    if term.sign != 1 && term.sign != -1 {
                        return Err(DomainError::invalid(format!("{at}/sign"), "1 or -1"));
                    }
                    for key in term.filter.keys() {
                        if !term.measure.dimensions().contains(&key.as_str()) {
                            return Err(DomainError::invalid(
                                format!("{at}/where/{key}"),
                                format!(
                                    "`{}` is not counted by `{key}`; its dimensions: [{}]",
                                    term.measure.code(),
                                    term.measure.dimensions().join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
            let opening: Vec<_> = section.columns.iter().take(2).map(|c| &c.value).collect();
            if opening != [&ColumnValue::Name, &ColumnValue::RowCode] {
                return Err(DomainError::invalid(
                    format!("{at}/columns"),
                    "a section opens with its name and row-code columns",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_definition_holds_section_5_exactly_as_the_order_prints_it() {
        let d = ReportDefinition::shipped().expect("shipped definition");
        let s5 = d
            .sections
            .iter()
            .find(|s| s.code == "5")
            .expect("section 5");
        assert_eq!(s5.basis, Basis::Law);
        let labels: Vec<&str> = s5.columns.iter().map(|c| c.label_ru.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "Наименование показателей",
                "Код строки",
                "Остаток не рассмотренных заявлений на личный прием на начало года",
                "Всего поступило заявлений на личный прием",
                "Принят руководителем государственного органа, органа местного самоуправления",
                "Принят заместителем руководителя",
                "Записано на личный прием",
                "Отказано в личном приеме",
                "удовлетворено",
                "отказано",
                "разъяснено",
                "Остаток на конец отчетного периода",
            ]
        );
        let codes: Vec<&str> = s5.columns.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, (1..=12).map(|n| n.to_string()).collect::<Vec<_>>());
    }

    #[test]
    fn a_filter_on_a_dimension_the_measure_does_not_carry_is_refused_at_its_pointer() {
        let mut d = ReportDefinition::shipped().expect("shipped");
        if let ColumnValue::Count { terms } = &mut d.sections[0].columns[2].value {
            terms[0].filter.insert("colour".into(), vec!["red".into()]);
        }
        let text = serde_json::to_string(&d).expect("json");
        let err = ReportDefinition::parse(&text).expect_err("refused");
        assert!(
            err.to_string()
                .contains("/sections/0/columns/2/value/terms/0/where/colour")
        );
        assert!(ReportDefinition::parse(r#"{"form":"x"}"#).is_err());
    }
}
