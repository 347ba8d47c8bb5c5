//! Report 1-ОЛ as a download: CSV (one line per figure, for spreadsheets and loaders) and an XLSX
//! workbook laid out like the paper form — one sheet per section with the form's title, the
//! grouped column headers in Russian and Kazakh, the column numbers, and a row per subject with
//! its row code; the cumulative figures of p.32 first, the month alone on a sheet beside it.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::error::ApiError;
use crate::report_dto::{ReportDto, SectionDto};

/// The XLSX media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The report as CSV: a UTF-8 byte-order mark, a header, then one line per figure.
pub fn csv(report: &ReportDto) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    out.extend_from_slice("\u{feff}".as_bytes());
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "year",
        "month",
        "section",
        "row_kind",
        "subject_id",
        "row_code",
        "name_ru",
        "column",
        "label_ru",
        "month_value",
        "cumulative_value",
    ])
    .map_err(ApiError::internal)?;
    let (year, month) = (
        report.period.year.to_string(),
        report.period.month.to_string(),
    );
    for s in &report.sections {
        for r in &s.rows {
            for c in s.columns.iter().filter(|c| c.kind == "count") {
                let cell = r.cells.get(&c.code);
                w.write_record([
                    year.as_str(),
                    month.as_str(),
                    &s.code,
                    &r.kind,
                    &r.subject_id.map(|i| i.to_string()).unwrap_or_default(),
                    &r.row_code,
                    &r.name_ru,
                    &c.code,
                    &c.label_ru,
                    &cell.map(|c| c.month.to_string()).unwrap_or_default(),
                    &cell.map(|c| c.cumulative.to_string()).unwrap_or_default(),
                ])
                .map_err(ApiError::internal)?;
            }
        }
    }
    w.into_inner().map_err(ApiError::internal)
}

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::internal(format!("workbook: {e}"))
}

/// The name of a section's sheet (31 characters at most, as Excel allows).
pub fn sheet_name(section: &str, monthly: bool) -> String {
    if monthly {
        format!("Раздел {section} (месяц)")
    } else {
        format!("Раздел {section}")
    }
}

/// The report as an XLSX workbook.
pub fn xlsx(report: &ReportDto) -> Result<Vec<u8>, ApiError> {
    let mut book = Workbook::new();
    for section in &report.sections {
        for monthly in [false, true] {
            let sheet = book.add_worksheet();
            sheet
                .set_name(sheet_name(&section.code, monthly))
                .map_err(xlsx_error)?;
            write_section(sheet, report, section, monthly).map_err(xlsx_error)?;
        }
    }
    book.save_to_buffer().map_err(xlsx_error)
}

/// Row of the first column header in a section sheet (0-based): title, period, blank, then the
/// group headers, the labels and the column numbers; data starts three rows below.
pub const HEADER_ROW: u32 = 3;

fn write_section(
    sheet: &mut Worksheet,
    report: &ReportDto,
    section: &SectionDto,
    monthly: bool,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let total = Format::new().set_bold().set_border(FormatBorder::Thin);
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "Форма {} «{}». Раздел {} «{}» / {}-бөлім «{}»",
            report.form,
            report.title_ru,
            section.code,
            section.title_ru,
            section.code,
            section.title_kk
        ),
        &bold,
    )?;
    let span = if monthly {
        format!("за {:02}.{}", report.period.month, report.period.year)
    } else {
        format!(
            "с 1 января по {:02}.{} (с нарастающим итогом)",
            report.period.month, report.period.year
        )
    };
    sheet.write_string(
        1,
        0,
        format!(
            "Период: {span}. Срок представления: {}. Сформирован: {}{}",
            report.due,
            report.generated_at.format("%Y-%m-%d %H:%M UTC"),
            if report.provisional {
                " (месяц не завершен)"
            } else {
                ""
            }
        ),
    )?;
    let (groups, labels, numbers) = (HEADER_ROW, HEADER_ROW + 1, HEADER_ROW + 2);
    let columns = &section.columns;
    // Group headers: a run of columns under the same group is merged; a column without a group
    // has its label span both header rows.
    let mut c = 0;
    while c < columns.len() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        match &columns[c].group_ru {
            Some(group) => {
                let mut end = c;
                while end + 1 < columns.len() && columns[end + 1].group_ru.as_ref() == Some(group) {
                    end += 1;
                }
                let title = match &columns[c].group_kk {
                    Some(kk) => format!("{group}\n{kk}"),
                    None => group.clone(),
                };
                let last = u16::try_from(end).unwrap_or(u16::MAX);
                if end > c {
                    sheet.merge_range(groups, col, groups, last, &title, &head)?;
                } else {
                    sheet.write_string_with_format(groups, col, &title, &head)?;
                }
                for (k, column) in columns.iter().enumerate().take(end + 1).skip(c) {
                    let k16 = u16::try_from(k).unwrap_or(u16::MAX);
                    let label = format!("{}\n{}", column.label_ru, column.label_kk);
                    sheet.write_string_with_format(labels, k16, &label, &head)?;
                }
                c = end + 1;
            }
            None => {
                let label = format!("{}\n{}", columns[c].label_ru, columns[c].label_kk);
                sheet.merge_range(groups, col, labels, col, &label, &head)?;
                c += 1;
            }
        }
    }
    for (k, column) in columns.iter().enumerate() {
        let k16 = u16::try_from(k).unwrap_or(u16::MAX);
        sheet.write_string_with_format(numbers, k16, &column.code, &head)?;
        sheet.set_column_width(k16, if k == 0 { 48 } else { 14 })?;
    }
    sheet.set_row_height(labels, 90)?;
    for (i, row) in section.rows.iter().enumerate() {
        let r = numbers + 1 + u32::try_from(i).unwrap_or(u32::MAX - numbers - 1);
        let format = if row.kind == "subject" { &cell } else { &total };
        for (k, column) in columns.iter().enumerate() {
            let k16 = u16::try_from(k).unwrap_or(u16::MAX);
            match column.kind.as_str() {
                "name" => {
                    let indent = "  ".repeat(row.depth as usize);
                    sheet.write_string_with_format(
                        r,
                        k16,
                        format!("{indent}{}", row.name_ru),
                        format,
                    )?
                }
                "row_code" => sheet.write_string_with_format(r, k16, &row.row_code, format)?,
                _ => {
                    let value = row
                        .cells
                        .get(&column.code)
                        .map_or(0, |c| if monthly { c.month } else { c.cumulative });
                    sheet.write_number_with_format(r, k16, value as f64, format)?
                }
            };
        }
    }
    Ok(())
}
