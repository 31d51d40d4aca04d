//! Spreadsheet bytes to a table of text cells. Everything downstream works
//! on text, so this is where the spreadsheet's own types (numbers, dates,
//! errors) are turned into the text a person would have typed.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use ronghe_domain::text::{date_from_excel_serial, fold_compact};

use crate::columns::recognise;
use crate::FileKind;

/// A sheet as text cells. Row numbers are the spreadsheet's own (the header
/// row is 1 for a header in the first row), so that an error message points
/// at the row the person sees in Excel.
///
/// An ID-number cell that Excel had stored as a number has already lost its
/// last digits; its text starts with an internal marker so that
/// [`check_rows`](crate::check_rows) can say so instead of reporting a
/// confusing checksum error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Why a file could not be turned into a table. [`ReadError::key`] gives
/// the message in the catalogues.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file is not a readable spreadsheet: {0}")]
    Unreadable(String),
    #[error("the spreadsheet has no data")]
    Empty,
    #[error("no header row with a name column in the first {HEADER_SEARCH_ROWS} rows")]
    NoHeader,
}

impl ReadError {
    pub fn key(&self) -> &'static str {
        match self {
            ReadError::Unreadable(_) => "import.unreadable",
            ReadError::Empty => "import.empty",
            ReadError::NoHeader => "import.no_header",
        }
    }
}

/// How many non-empty rows are searched for the header. Roster exports put
/// a title and sometimes a date or unit line above the header; ten covers
/// them without mistaking a data row far down for a header.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// Starts the text of an ID-number cell that arrived as a number. A
/// private-use character cannot come from a keyboard, so it cannot collide
/// with anything a person typed.
pub(crate) const LOST_DIGITS: char = '\u{E000}';

/// Excel keeps 15 significant digits; an 18-digit ID number stored as a
/// number is at least this large and has lost its last three.
const DIGITS_LOST_AT: f64 = 1e15;

pub fn read_table(kind: FileKind, bytes: &[u8]) -> Result<Table, ReadError> {
    match kind {
        FileKind::Xlsx => read_xlsx(bytes),
        FileKind::Csv => read_csv(bytes),
    }
}

/// What the header says about a column, which decides how numbers in it
/// are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    Plain,
    Date,
    IdNumber,
}

fn column_kind(header: &str) -> ColumnKind {
    match recognise(header) {
        Some("birth_date" | "join_date" | "conversion_date") => ColumnKind::Date,
        Some("id_number") => ColumnKind::IdNumber,
        _ => ColumnKind::Plain,
    }
}

fn is_blank(cell: &str) -> bool {
    fold_compact(cell).is_empty()
}

/// Finds the header among the first non-empty rows (a title row above it
/// is skipped) and keeps the non-empty rows below it. Shared by both
/// formats so that a CSV with a title line works like an XLSX with one.
fn into_table<R>(
    rows: impl Iterator<Item = (usize, R)>,
    text: impl Fn(&R, usize, ColumnKind) -> String,
    width: impl Fn(&R) -> usize,
) -> Result<Table, ReadError> {
    let mut rows = rows.peekable();
    let mut seen = 0;
    let mut any = false;
    let headers = loop {
        let Some((_, row)) = rows.next() else {
            return Err(if any { ReadError::NoHeader } else { ReadError::Empty });
        };
        let cells: Vec<String> = (0..width(&row)).map(|i| text(&row, i, ColumnKind::Plain)).collect();
        if cells.iter().all(|c| is_blank(c)) {
            continue;
        }
        any = true;
        if cells.iter().any(|c| recognise(c) == Some("name")) {
            break cells.into_iter().map(|c| c.trim().to_string()).collect::<Vec<_>>();
        }
        seen += 1;
        if seen == HEADER_SEARCH_ROWS {
            return Err(ReadError::NoHeader);
        }
    };
    let kinds: Vec<ColumnKind> = headers.iter().map(|h| column_kind(h)).collect();
    let mut table = Table { headers, rows: Vec::new() };
    for (number, row) in rows {
        let cells: Vec<String> =
            (0..width(&row)).map(|i| text(&row, i, kinds.get(i).copied().unwrap_or(ColumnKind::Plain))).collect();
        if !cells.iter().all(|c| is_blank(c)) {
            table.rows.push((number, cells));
        }
    }
    Ok(table)
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, ReadError> {
    let unreadable = |e: calamine::XlsxError| ReadError::Unreadable(e.to_string());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let range = match book.worksheet_range_at(0) {
        None => return Err(ReadError::Empty),
        Some(range) => range.map_err(unreadable)?,
    };
    // The range starts at the first used cell, not at A1; its offset turns
    // positions in the range back into the sheet's row numbers.
    let Some((first_row, _)) = range.start() else {
        return Err(ReadError::Empty);
    };
    let rows = range.rows().enumerate().map(|(i, r)| (first_row as usize + i + 1, r));
    into_table(rows, |row, i, kind| cell_text(&row[i], kind), |row| row.len())
}

/// A cell as the text a person would have typed into it.
fn cell_text(cell: &Data, kind: ColumnKind) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => number_text(*i as f64, kind),
        Data::Float(f) => number_text(*f, kind),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(dt) => dt.date().to_string(),
            None => number_text(dt.as_f64(), ColumnKind::Plain),
        },
        Data::DateTime(dt) => number_text(dt.as_f64(), ColumnKind::Plain),
        Data::DateTimeIso(s) => iso_date(s).map_or_else(|| s.clone(), |d| d.to_string()),
        Data::DurationIso(s) => s.clone(),
        // "#N/A" and friends are kept so that validation reports the cell
        // rather than the import silently treating it as empty.
        Data::Error(e) => e.to_string(),
    }
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    s.parse::<NaiveDateTime>().map(|dt| dt.date()).or_else(|_| s.parse::<NaiveDate>()).ok()
}

fn number_text(f: f64, kind: ColumnKind) -> String {
    match kind {
        // A number between 1900 and 2100 in a date column is a year or a
        // year.month typed without a date format (出生年月 1985.03), not a
        // day in 1905; it stays as typed for validation to judge.
        ColumnKind::Date if !(1900.0..2101.0).contains(&f) => {
            if let Some(d) = date_from_excel_serial(f) {
                return d.to_string();
            }
        }
        ColumnKind::IdNumber if f.abs() >= DIGITS_LOST_AT => {
            return format!("{LOST_DIGITS}{f:.0}");
        }
        _ => {}
    }
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    // The csv crate skips blank lines, and its positions point at the end
    // of the previous record, so the row number is counted here: the line
    // breaks before the record's first byte, less those inside quoted
    // cells of earlier records (a cell with a line break is still one row
    // in Excel).
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let (mut counted_to, mut breaks, mut breaks_inside) = (0, 0, 0);
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Unreadable(e.to_string()))?;
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        breaks += bytes[counted_to..start].iter().filter(|&&b| b == b'\n').count();
        counted_to = start;
        records.push((breaks - breaks_inside + 1, record.iter().map(str::to_string).collect::<Vec<_>>()));
        breaks_inside += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
    }
    into_table(records.into_iter(), |row, i, _| row[i].clone(), Vec::len)
}

/// CSV text in whatever encoding it came: a byte-order mark decides if
/// there is one, then UTF-8 if the bytes are valid UTF-8, and otherwise
/// GB18030, which is what Chinese Excel writes for "CSV (逗号分隔)" and is
/// a superset of GBK.
fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, bad) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return if bad { Err(not_text()) } else { Ok(text.into_owned()) };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if bad || text.contains('\0') {
        return Err(not_text());
    }
    Ok(text.into_owned())
}

fn not_text() -> ReadError {
    ReadError::Unreadable("not UTF-8 or GB18030 text".into())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    /// A roster the way a branch secretary's Excel file really looks: a
    /// title row, a blank row, a header with a required marker, dates as
    /// date cells and as serial numbers, an ID typed as text with a
    /// lower-case x and spaces, full-width digits, and an ID that Excel
    /// turned into a number.
    pub(crate) fn messy_xlsx() -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy年m月d日");
        sheet.write_string(0, 0, "第一党支部党员花名册").unwrap();
        let headers = [
            "序号",
            "姓名（必填）",
            "性别",
            "民族",
            "出生年月",
            "身份证号",
            "联系电话",
            "党员类别",
            "入党时间",
            "转正时间",
            "备注",
        ];
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(2, c as u16, *h).unwrap();
        }
        // Row 4: dates as real date cells, the ID as text with spaces.
        sheet.write_number(3, 0, 1).unwrap();
        sheet.write_string(3, 1, " 王 芳 ").unwrap();
        sheet.write_string(3, 2, "女").unwrap();
        sheet.write_string(3, 3, "汉").unwrap();
        sheet.write_datetime_with_format(3, 4, ExcelDateTime::from_ymd(1949, 12, 31).unwrap(), &date).unwrap();
        sheet.write_string(3, 5, " 110105 19491231 002x ").unwrap();
        sheet.write_number(3, 6, 13800138000.0).unwrap();
        sheet.write_string(3, 7, "正式党员").unwrap();
        sheet.write_datetime_with_format(3, 8, ExcelDateTime::from_ymd(1975, 7, 1).unwrap(), &date).unwrap();
        sheet.write_number(3, 9, 27942.0).unwrap(); // 1976-07-01 as a bare serial
                                                    // Row 5 is left empty; row 6: full-width digits and a numeric ID.
        sheet.write_number(5, 0, 2).unwrap();
        sheet.write_string(5, 1, "李明").unwrap();
        sheet.write_string(5, 3, "回族").unwrap();
        sheet.write_string(5, 4, "１９８８－０２－２９").unwrap();
        sheet.write_number(5, 5, 410102198802290011.0).unwrap();
        sheet.write_string(5, 7, "预备").unwrap();
        sheet.write_string(5, 8, "2024.3.5").unwrap();
        sheet.write_string(5, 10, "调入").unwrap();
        // Row 7: only the row number is filled in, as templates are.
        sheet.write_number(6, 0, 3).unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn xlsx_title_rows_dates_and_numbers() {
        let table = read_table(FileKind::Xlsx, &messy_xlsx()).unwrap();
        assert_eq!(table.headers[1], "姓名（必填）");
        assert_eq!(table.headers.len(), 11);
        let numbers: Vec<usize> = table.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, vec![4, 6, 7]);
        let first = &table.rows[0].1;
        assert_eq!(first[0], "1");
        assert_eq!(first[4], "1949-12-31");
        assert_eq!(first[6], "13800138000");
        assert_eq!(first[8], "1975-07-01");
        assert_eq!(first[9], "1976-07-01");
        let second = &table.rows[1].1;
        assert_eq!(second[4], "１９８８－０２－２９");
        assert!(second[5].starts_with(LOST_DIGITS), "{:?}", second[5]);
        assert_eq!(second[8], "2024.3.5");
    }

    #[test]
    fn xlsx_years_in_date_columns_are_not_serials() {
        assert_eq!(number_text(1985.03, ColumnKind::Date), "1985.03");
        assert_eq!(number_text(1985.0, ColumnKind::Date), "1985");
        assert_eq!(number_text(45356.0, ColumnKind::Date), "2024-03-05");
        assert_eq!(number_text(20240305.0, ColumnKind::Date), "20240305");
        assert_eq!(number_text(45356.0, ColumnKind::Plain), "45356");
        assert_eq!(number_text(1.5, ColumnKind::Plain), "1.5");
        assert_eq!(number_text(4.101021988e17, ColumnKind::Plain), "410102198800000000");
    }

    #[test]
    fn xlsx_without_a_name_header_or_data() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for r in 0..12 {
            sheet.write_string(r, 0, format!("第{r}行")).unwrap();
        }
        sheet.write_string(12, 0, "姓名").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(read_table(FileKind::Xlsx, &bytes).unwrap_err().key(), "import.no_header");

        let mut book = Workbook::new();
        book.add_worksheet();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(read_table(FileKind::Xlsx, &bytes).unwrap_err().key(), "import.empty");

        assert_eq!(read_table(FileKind::Xlsx, b"not a zip").unwrap_err().key(), "import.unreadable");
    }

    #[test]
    fn xlsx_header_not_in_column_a() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(3, 2, "姓名").unwrap();
        sheet.write_string(3, 3, "民族").unwrap();
        sheet.write_string(4, 2, "张三").unwrap();
        let table = read_table(FileKind::Xlsx, &book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(table.headers, vec!["姓名", "民族"]);
        assert_eq!(table.rows, vec![(5, vec!["张三".to_string(), String::new()])]);
    }

    const CSV: &str =
        "姓名,民族,身份证号码\r\n王芳,汉族,11010519491231002X\r\n\r\n\"李\n明\",回族,x\r\n,,\r\n张三,汉族,y\r\n";

    #[test]
    fn csv_utf8_with_bom_and_row_numbers() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(CSV.as_bytes());
        let table = read_table(FileKind::Csv, &bytes).unwrap();
        assert_eq!(table.headers, vec!["姓名", "民族", "身份证号码"]);
        let numbers: Vec<usize> = table.rows.iter().map(|(n, _)| *n).collect();
        // Row 3 is blank, row 4 holds a line break inside a quoted cell and
        // row 5 has only commas, so 张三 is on row 6 as Excel shows it.
        assert_eq!(numbers, vec![2, 4, 6]);
        assert_eq!(table.rows[1].1[0], "李\n明");
    }

    #[test]
    fn csv_in_gbk_and_without_bom() {
        let (gbk, _, _) = encoding_rs::GBK.encode(CSV);
        assert!(std::str::from_utf8(&gbk).is_err());
        let table = read_table(FileKind::Csv, &gbk).unwrap();
        assert_eq!(table.headers, vec!["姓名", "民族", "身份证号码"]);
        assert_eq!(table.rows[0].1, vec!["王芳", "汉族", "11010519491231002X"]);

        let table = read_table(FileKind::Csv, CSV.as_bytes()).unwrap();
        assert_eq!(table.rows[2].1[0], "张三");
    }

    #[test]
    fn csv_title_line_empty_and_garbage() {
        let table = read_table(FileKind::Csv, "党员花名册,,\n姓名,民族\n王芳,汉\n".as_bytes()).unwrap();
        assert_eq!(table.headers, vec!["姓名", "民族"]);
        assert_eq!(table.rows, vec![(3, vec!["王芳".to_string(), "汉".to_string()])]);
        assert_eq!(read_table(FileKind::Csv, b"\r\n,,\r\n").unwrap_err().key(), "import.empty");
        assert_eq!(read_table(FileKind::Csv, b"a,b\n1,2\n").unwrap_err().key(), "import.no_header");
        assert_eq!(read_table(FileKind::Csv, &[0x81, 0x20, 0xff, 0x00]).unwrap_err().key(), "import.unreadable");
    }
}
