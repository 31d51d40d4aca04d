//! Roster rows to spreadsheet bytes. The Chinese headers are the import
//! headers, so a file exported, corrected in Excel and uploaded again goes
//! through import unchanged.

use chrono::{Datelike, NaiveDate};
use ronghe_domain::i18n::Lang;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::columns::header_label;

/// One member as exported. Labels, not codes: the file is for people. The
/// caller decides whether `id_number` is masked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportRow {
    pub org_code: String,
    pub org_name: String,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: Option<NaiveDate>,
    pub id_number: String,
    pub education: String,
    pub post: String,
    pub unit: String,
    pub phone: String,
    pub category: String,
    pub join_date: Option<NaiveDate>,
    pub conversion_date: Option<NaiveDate>,
    pub status: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the spreadsheet failed: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("writing the CSV failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the document failed: {0}")]
    Docx(String),
}

impl ExportError {
    pub fn key(&self) -> &'static str {
        "export.failed"
    }
}

/// How a column's values are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// Digits that must stay text: as a number Excel would drop digits
    /// from an ID number and show a phone number in scientific notation.
    Digits,
    Date,
}

enum Value<'a> {
    Text(&'a str),
    Date(Option<NaiveDate>),
}

/// The columns in order: field (for the header), width in characters,
/// kind, and the value. The branch code goes in 所在党支部 because that is
/// what import resolves; the name beside it is for the reader.
type ColumnSpec = (&'static str, f64, Kind, fn(&ExportRow) -> Value<'_>);

const COLUMNS: &[ColumnSpec] = &[
    ("name", 12.0, Kind::Text, |r| Value::Text(&r.name)),
    ("gender", 6.0, Kind::Text, |r| Value::Text(&r.gender)),
    ("ethnicity", 10.0, Kind::Text, |r| Value::Text(&r.ethnicity)),
    ("birth_date", 12.0, Kind::Date, |r| Value::Date(r.birth_date)),
    ("id_number", 21.0, Kind::Digits, |r| Value::Text(&r.id_number)),
    ("education", 12.0, Kind::Text, |r| Value::Text(&r.education)),
    ("post", 16.0, Kind::Text, |r| Value::Text(&r.post)),
    ("unit", 24.0, Kind::Text, |r| Value::Text(&r.unit)),
    ("phone", 15.0, Kind::Digits, |r| Value::Text(&r.phone)),
    ("category", 10.0, Kind::Text, |r| Value::Text(&r.category)),
    ("join_date", 12.0, Kind::Date, |r| Value::Date(r.join_date)),
    ("conversion_date", 12.0, Kind::Date, |r| Value::Date(r.conversion_date)),
    ("branch", 14.0, Kind::Text, |r| Value::Text(&r.org_code)),
    ("branch_name", 28.0, Kind::Text, |r| Value::Text(&r.org_name)),
    ("status", 10.0, Kind::Text, |r| Value::Text(&r.status)),
];

fn sheet_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "党员花名册",
        Lang::En => "Members",
    }
}

/// An XLSX workbook with one sheet: bold, frozen header row with a filter,
/// ID numbers and phones as text cells, dates as real date cells.
pub fn write_xlsx(rows: &[ExportRow], lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(lang))?;
    let header = Format::new().set_bold().set_align(FormatAlign::Center);
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");

    for (c, (field, width, kind, _)) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        sheet.set_column_width(c, *width)?;
        // The column format also applies to rows a person adds later, so
        // an ID number typed below the export stays text too.
        match kind {
            Kind::Digits => sheet.set_column_format(c, &text)?,
            Kind::Date => sheet.set_column_format(c, &date)?,
            Kind::Text => sheet,
        };
        sheet.write_string_with_format(0, c, header_label(field, lang), &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, COLUMNS.len() as u16 - 1)?;

    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, (_, _, kind, value)) in COLUMNS.iter().enumerate() {
            let c = c as u16;
            match value(row) {
                Value::Text("") | Value::Date(None) => {}
                Value::Text(s) if *kind == Kind::Digits => {
                    sheet.write_string_with_format(r, c, s, &text)?;
                }
                Value::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Value::Date(Some(d)) => match excel_date(d) {
                    Some(d) => {
                        sheet.write_date_with_format(r, c, &d, &date)?;
                    }
                    // Excel has no dates before 1900; the text still
                    // re-imports.
                    None => {
                        sheet.write_string(r, c, d.to_string())?;
                    }
                },
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

fn excel_date(d: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// CSV in UTF-8 with a byte-order mark: without it Excel reads the file as
/// the system code page and the Chinese is garbled.
///
/// Two adjustments are made for Excel, both undone by import:
/// an ID number or phone made only of digits gets a leading tab so Excel
/// keeps it as text instead of rounding it to 15 digits, and a text cell
/// starting with `=`, `+`, `-` or `@` gets a leading `'` so Excel does not
/// run it as a formula (CSV injection).
pub fn write_csv(rows: &[ExportRow], lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        writer.write_record(COLUMNS.iter().map(|(field, ..)| header_label(field, lang)))?;
        for row in rows {
            writer.write_record(COLUMNS.iter().map(|(_, _, kind, value)| match (value(row), kind) {
                (Value::Date(d), _) => d.map(|d| d.to_string()).unwrap_or_default(),
                (Value::Text(s), Kind::Digits) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("\t{s}")
                }
                (Value::Text(s), _) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
                (Value::Text(s), _) => s.to_string(),
            }))?;
        }
        writer.flush().map_err(csv::Error::from)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_rows, map_columns, read_table, rows, FileKind};
    use calamine::{Data, Reader, Xlsx};
    use ronghe_domain::id_number::synthesize;
    use ronghe_domain::members::{MemberDraft, MemberInput};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Drafts as the store would hold them, and the export rows a caller
    /// would build from them (Chinese labels, clear ID numbers).
    fn members() -> Vec<(String, MemberDraft)> {
        let li = synthesize(410102, d(1988, 2, 29), 1);
        let ann = synthesize(310101, d(1990, 10, 3), 10);
        let inputs = [
            (
                "DZB01",
                "王芳",
                "女",
                "汉族",
                "11010519491231002X",
                "大学本科",
                "采煤队长",
                "一矿",
                "13800138000",
                "正式党员",
                "1975-07-01",
                "1976-07-01",
            ),
            ("DZB01", "李明", "", "回族", li.as_str(), "", "", "", "", "预备党员", "2026-03-05", ""),
            (
                "DZB02",
                "Ann Lee",
                "",
                "满族",
                ann.as_str(),
                "硕士研究生",
                "=工程师",
                "机关",
                "037165551234",
                "正式党员",
                "2015-06-30",
                "2016-06-30",
            ),
        ];
        inputs
            .iter()
            .map(|(org, name, gender, eth, id, edu, post, unit, phone, cat, join, conv)| {
                let input = MemberInput {
                    name: name.to_string(),
                    gender: gender.to_string(),
                    ethnicity: eth.to_string(),
                    id_number: id.to_string(),
                    education: edu.to_string(),
                    post: post.to_string(),
                    unit: unit.to_string(),
                    phone: phone.to_string(),
                    category: cat.to_string(),
                    join_date: join.to_string(),
                    conversion_date: conv.to_string(),
                    ..MemberInput::default()
                };
                (org.to_string(), input.validate(today()).unwrap())
            })
            .collect()
    }

    fn export_rows(members: &[(String, MemberDraft)]) -> Vec<ExportRow> {
        members
            .iter()
            .map(|(org, m)| ExportRow {
                org_code: org.clone(),
                org_name: format!("{org}党支部"),
                name: m.name.clone(),
                gender: m.gender.label_zh().into(),
                ethnicity: m.ethnicity.clone(),
                birth_date: Some(m.birth_date),
                id_number: m.id_number.as_str().into(),
                education: m.education.map(|e| e.label_zh().into()).unwrap_or_default(),
                post: m.post.clone(),
                unit: m.unit.clone(),
                phone: m.phone.as_ref().map(|p| p.as_str().into()).unwrap_or_default(),
                category: m.category.label_zh().into(),
                join_date: Some(m.join_date),
                conversion_date: m.conversion_date,
                status: "正常".into(),
            })
            .collect()
    }

    fn reimport(kind: FileKind, bytes: &[u8]) -> Vec<(usize, Option<String>, MemberDraft)> {
        let table = read_table(kind, bytes).unwrap();
        let map = map_columns(&table.headers).unwrap();
        assert_eq!(map.ignored_columns, vec!["党组织名称", "党员状态"]);
        let checked = check_rows(&rows(&table, &map), &map, today());
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        checked.drafts
    }

    fn expected(members: &[(String, MemberDraft)]) -> Vec<(usize, Option<String>, MemberDraft)> {
        members.iter().enumerate().map(|(i, (org, m))| (i + 2, Some(org.clone()), m.clone())).collect()
    }

    #[test]
    fn xlsx_round_trip_gives_the_same_drafts() {
        let members = members();
        let bytes = write_xlsx(&export_rows(&members), Lang::Zh).unwrap();
        // The "=工程师" post goes out and comes back as text, not a formula.
        assert_eq!(reimport(FileKind::Xlsx, &bytes), expected(&members));
    }

    #[test]
    fn csv_round_trip_gives_the_same_drafts() {
        let members = members();
        let mut rows = export_rows(&members);
        // The CSV guards a formula-like post with a quote, which the
        // validator keeps; compare on a post that needs no guard.
        rows[2].post = "工程师".into();
        let mut members = members;
        members[2].1.post = "工程师".into();
        let bytes = write_csv(&rows, Lang::Zh).unwrap();
        assert_eq!(reimport(FileKind::Csv, &bytes), expected(&members));
    }

    #[test]
    fn xlsx_cells_have_the_right_types() {
        let members = members();
        let bytes = write_xlsx(&export_rows(&members), Lang::Zh).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), vec!["党员花名册"]);
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let headers: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(
            headers,
            vec![
                "姓名",
                "性别",
                "民族",
                "出生日期",
                "身份证号码",
                "学历",
                "工作岗位",
                "工作单位",
                "联系电话",
                "党员类别",
                "入党日期",
                "转正日期",
                "所在党支部",
                "党组织名称",
                "党员状态"
            ]
        );
        let row = &range.rows().nth(1).unwrap();
        assert_eq!(row[4], Data::String("11010519491231002X".into()));
        assert_eq!(row[8], Data::String("13800138000".into()));
        assert!(matches!(row[3], Data::DateTime(_)), "{:?}", row[3]);
        assert!(matches!(row[10], Data::DateTime(_)), "{:?}", row[10]);
        assert_eq!(row[13], Data::String("DZB01党支部".into()));
        // Absent values are empty cells, not empty strings.
        assert_eq!(range.rows().nth(2).unwrap()[11], Data::Empty);
    }

    #[test]
    fn english_headers_are_field_names_and_reimport() {
        let members = members();
        let mut rows = export_rows(&members);
        rows[2].post = "工程师".into();
        let bytes = write_csv(&rows, Lang::En).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.starts_with(
            "\u{feff}name,gender,ethnicity,birth_date,id_number,education,post,unit,phone,category,join_date,conversion_date,branch,branch_name,status\r\n"
        ));
        let table = read_table(FileKind::Csv, &bytes).unwrap();
        let map = map_columns(&table.headers).unwrap();
        assert_eq!(map.ignored_columns, vec!["branch_name", "status"]);
        let checked = check_rows(&crate::rows(&table, &map), &map, today());
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        assert_eq!(checked.drafts.len(), 3);

        let bytes = write_xlsx(&rows, Lang::En).unwrap();
        let table = read_table(FileKind::Xlsx, &bytes).unwrap();
        assert_eq!(table.headers[4], "id_number");
    }

    #[test]
    fn csv_guards_digits_and_formulas() {
        let members = members();
        let bytes = write_csv(&export_rows(&members), Lang::Zh).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.contains(",\t13800138000,"), "{text}");
        assert!(text.contains(",'=工程师,"), "{text}");
        // The check character X keeps Excel from reading the number, so it
        // needs no tab; a masked number neither.
        assert!(text.contains(",11010519491231002X,"), "{text}");
        assert!(text.contains(",1976-07-01,DZB01,DZB01党支部,正常\r\n"), "{text}");
    }

    #[test]
    fn empty_export_has_headers_only() {
        let bytes = write_xlsx(&[], Lang::Zh).unwrap();
        let err = read_table(FileKind::Xlsx, &bytes).map(|t| t.rows.len()).unwrap();
        assert_eq!(err, 0);
        let bytes = write_csv(&[], Lang::Zh).unwrap();
        assert_eq!(read_table(FileKind::Csv, &bytes).unwrap().rows.len(), 0);
    }
}
