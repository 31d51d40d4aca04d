//! Reports as workbooks: named sheets of headed columns, money as numbers
//! in yuan with two decimals (computed from integer fen, never summed as
//! floats here), for figures people take into their own spreadsheets.

use rust_xlsxwriter::{Format, FormatAlign, Workbook};

use crate::ExportError;

/// One cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// An amount in fen, written as yuan.
    Fen(i64),
}

/// A sheet: its name, column headers with widths, and rows.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub columns: Vec<(String, f64)>,
    pub rows: Vec<Vec<Cell>>,
}

/// The sheets as one workbook: bold frozen headers with a filter.
pub fn write_report(sheets: &[Sheet]) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_align(FormatAlign::Center);
    let money = Format::new().set_num_format("#,##0.00");
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name)?;
        for (c, (title, width)) in s.columns.iter().enumerate() {
            sheet.set_column_width(c as u16, *width)?;
            sheet.write_string_with_format(0, c as u16, title, &header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        if !s.columns.is_empty() {
            sheet.autofilter(0, 0, s.rows.len() as u32, s.columns.len() as u16 - 1)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => sheet.write_string(r, c, t)?,
                    Cell::Int(n) => sheet.write_number(r, c, *n as f64)?,
                    // Exact: any fen amount below 2^53 is exact as a double
                    // divided by 100 to the two decimals shown.
                    Cell::Fen(f) => sheet.write_number_with_format(r, c, *f as f64 / 100.0, &money)?,
                };
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn sheets_headers_and_money_read_back() {
        let sheets = vec![
            Sheet {
                name: "按月收缴".into(),
                columns: vec![("所属月份".into(), 12.0), ("按月交纳（元）".into(), 16.0)],
                rows: vec![vec![Cell::Text("2026-01".into()), Cell::Fen(560138)]],
            },
            Sheet {
                name: "欠缴名单".into(),
                columns: vec![("姓名".into(), 10.0), ("欠缴月数".into(), 10.0)],
                rows: vec![vec![Cell::Text("张三".into()), Cell::Int(3)]],
            },
        ];
        let bytes = write_report(&sheets).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), vec!["按月收缴", "欠缴名单"]);
        let first = book.worksheet_range("按月收缴").unwrap();
        assert_eq!(first.get((0, 1)), Some(&Data::String("按月交纳（元）".into())));
        assert_eq!(first.get((1, 1)), Some(&Data::Float(5601.38)));
        let second = book.worksheet_range("欠缴名单").unwrap();
        assert_eq!(second.get((1, 1)), Some(&Data::Float(3.0)));
    }
}
