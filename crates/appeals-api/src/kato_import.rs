//! `appeals kato import FILE`: the KATO classifier as the Bureau of National Statistics publishes
//! it (CSV, `;` or `,` separated, a header row): the code in `te`, the level in `k`, the names in
//! `name_rus` and `name_kaz` (the other columns, `ab`…`hij` and `nn`, repeat the code's parts and
//! number the rows). `code`, `level`, `name_ru`, `name_kk` are accepted as header names too.

use std::io::Read;

use appeals_service::kato::KatoObject;

/// The KATO sample shipped for the demo and the tests (a few regions and districts).
pub const SAMPLE: &str = include_str!("../data/kato-sample.csv");

/// Reads the whole file; any bad row fails it (its line is named).
pub fn parse(mut input: impl Read) -> Result<Vec<KatoObject>, String> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .iter()
        .map(str::to_lowercase)
        .collect();
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.as_str()))
            .ok_or_else(|| format!("the header names no column {}", names.join(" / ")))
    };
    let (code, level) = (column(&["te", "code"])?, column(&["k", "level"])?);
    let (ru, kk) = (
        column(&["name_rus", "name_ru"])?,
        column(&["name_kaz", "name_kk"])?,
    );
    let mut objects = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(2);
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let cell = |k: usize| record.get(k).unwrap_or_default().to_owned();
        objects.push(KatoObject {
            line,
            code: cell(code),
            name_ru: cell(ru),
            name_kk: cell(kk),
            level: cell(level)
                .parse()
                .map_err(|_| format!("line {line}: the level `k` must be a number"))?,
        });
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_sample_reads_in_the_official_layout() {
        let objects = parse(SAMPLE.as_bytes()).unwrap_or_default();
        assert_eq!(objects.len(), 9);
        assert_eq!(objects[4].code, "751110000");
        assert_eq!(objects[4].name_ru, "Алмалинский район");
        assert_eq!(objects[4].level, 2);
        assert_eq!(objects[0].line, 2);
    }

    #[test]
    fn a_comma_separated_file_with_our_names_reads_too() {
        let file = "code,level,name_ru,name_kk\n750000000,1,город Алматы,Алматы қаласы\n";
        let objects = parse(file.as_bytes()).unwrap_or_default();
        assert_eq!(objects.len(), 1);
        assert!(parse("te;k\n1;x\n".as_bytes()).is_err());
    }
}
