//! Spreadsheets in and out for the member roster. This crate turns
//! spreadsheet bytes (XLSX or CSV) into rows of text and validated member
//! drafts, and turns roster rows back into spreadsheet bytes.
//!
//! Architecture Invariant: no IO and no database. The caller reads the
//! upload and writes the download; checks that need stored data (an ID
//! number already on the roster, a branch code that does not exist) are
//! the caller's, and [`column_for`] lets it name the column in its errors.
//!
//! The import pipeline is four steps, each usable on its own so that a
//! preview page can stop after any of them:
//! [`read_table`] → [`map_columns`] → [`rows`] → [`check_rows`].

mod check;
mod columns;
mod docx;
mod export;
mod payroll;
mod questions;
mod read;
mod report;

pub use check::{check_rows, rows, Checked, ImportRow, RowError};
pub use columns::{column_for, header_label, map_columns, ColumnMap, HeaderProblem};
pub use docx::{write_docx, Block};
pub use export::{write_csv, write_xlsx, ExportError, ExportRow};
pub use payroll::{dues_category, read_payroll, Payroll, PayrollRow};
pub use questions::{read_questions, QuestionRow};
pub use read::{read_table, ReadError, Table};
pub use report::{write_report, Cell, Sheet};

/// The spreadsheet formats accepted for import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Xlsx,
    Csv,
}

impl FileKind {
    /// The kind a file name's extension says, ignoring case. The legacy
    /// binary `.xls` is deliberately refused: calamine reads it poorly for
    /// dates and people can re-save as `.xlsx` in one step.
    pub fn from_name(file_name: &str) -> Option<FileKind> {
        let ext = file_name.trim().rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" => Some(FileKind::Xlsx),
            "csv" => Some(FileKind::Csv),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FileKind;

    #[test]
    fn file_kind_by_extension() {
        assert_eq!(FileKind::from_name("花名册.XLSX"), Some(FileKind::Xlsx));
        assert_eq!(FileKind::from_name("a.b.xlsm"), Some(FileKind::Xlsx));
        assert_eq!(FileKind::from_name("roster.Csv"), Some(FileKind::Csv));
        assert_eq!(FileKind::from_name("roster.xls"), None);
        assert_eq!(FileKind::from_name("xlsx"), None);
        assert_eq!(FileKind::from_name(""), None);
    }
}
