//! A payroll export read for party dues: whose income (the ID number, with
//! the name as a cross-check), the monthly income in yuan, and optionally
//! the dues category. Bytes in, rows out: matching people to the roster is
//! the caller's.

use std::collections::HashMap;

use ronghe_domain::dues::parse_yuan;
use ronghe_domain::id_number::IdNumber;
use ronghe_domain::text::fold_trim;

use crate::check::RowError;
use crate::columns::{normalise, recognise};
use crate::Table;

/// Headers that name the monthly income a payroll gives (the dues base:
/// after-tax wage, or the pension of the retired).
const INCOME_HEADERS: [&str; 12] = [
    "月收入",
    "税后月收入",
    "税后工资",
    "税后收入",
    "工资收入",
    "月工资收入",
    "离退休费",
    "养老金",
    "党费基数",
    "党费计算基数",
    "monthly income",
    "monthly_income",
];
const CATEGORY_HEADERS: [&str; 4] = ["党费类别", "缴费类别", "人员类别", "dues category"];

/// One person of the payroll.
#[derive(Debug, Clone, PartialEq)]
pub struct PayrollRow {
    pub row: usize,
    pub id_number: IdNumber,
    pub name: String,
    pub income_fen: i64,
    /// A dues category code (`employed`, `retired`, …) when the file has one.
    pub category: Option<&'static str>,
}

#[derive(Debug, Clone, Default)]
pub struct Payroll {
    pub rows: Vec<PayrollRow>,
    pub errors: Vec<RowError>,
    /// The headers of the columns read, as the file writes them, for
    /// problems the caller finds (not on the roster, a different name).
    pub id_column: String,
    pub name_column: String,
    pub income_column: String,
}

/// A category as payroll departments write it.
pub fn dues_category(label: &str) -> Option<&'static str> {
    let l = normalise(label);
    Some(match l.as_str() {
        "在职" | "在岗" | "在职职工" | "employed" => "employed",
        "离退休" | "退休" | "离休" | "离退休人员" | "retired" => "retired",
        "农民" | "farmer" => "farmer",
        "学生" | "student" => "student",
        "下岗" | "失业" | "下岗失业" | "unemployed" => "unemployed",
        "低保" | "救济" | "抚恤" | "relief" => "relief",
        _ => return None,
    })
}

/// The payroll's rows, or the key of the column it lacks.
pub fn read_payroll(table: &Table) -> Result<Payroll, &'static str> {
    let find = |pred: &dyn Fn(&str) -> bool| table.headers.iter().position(|h| pred(h));
    let id_col = find(&|h| recognise(h) == Some("id_number")).ok_or("dues.import_no_id_column")?;
    let name_col = find(&|h| recognise(h) == Some("name"));
    let income_col =
        find(&|h| INCOME_HEADERS.iter().any(|i| normalise(i) == normalise(h))).ok_or("dues.import_no_income_column")?;
    let category_col = find(&|h| CATEGORY_HEADERS.iter().any(|c| normalise(c) == normalise(h)));
    let header = |c: usize| table.headers[c].clone();
    let error = |row, c: usize, field, key, other_row| RowError { row, column: header(c), field, key, other_row };

    let mut out = Payroll {
        id_column: header(id_col),
        name_column: name_col.map(header).unwrap_or_default(),
        income_column: header(income_col),
        ..Payroll::default()
    };
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    for (row, cells) in &table.rows {
        let cell = |c: usize| cells.get(c).map(String::as_str).unwrap_or("");
        if cells.iter().all(|c| fold_trim(c).is_empty()) {
            continue;
        }
        let mut errors = Vec::new();
        let id = IdNumber::parse(cell(id_col));
        if let Err(e) = &id {
            errors.push(error(*row, id_col, "id_number", e.key(), None));
        }
        let income = match fold_trim(cell(income_col)).as_str() {
            "" => {
                errors.push(error(*row, income_col, "monthly_income_fen", "dues.income_required", None));
                None
            }
            text => {
                let parsed = parse_yuan(text);
                if parsed.is_none() {
                    errors.push(error(*row, income_col, "monthly_income_fen", "dues.bad_amount", None));
                }
                parsed
            }
        };
        let category = match category_col.map(|c| fold_trim(cell(c))).filter(|c| !c.is_empty()) {
            None => None,
            Some(label) => {
                let code = dues_category(&label);
                if code.is_none() {
                    errors.push(error(*row, category_col.unwrap_or(0), "category", "dues.unknown_category", None));
                }
                code
            }
        };
        if let Ok(id) = &id {
            if let Some(&first) = first_row_of.get(id.as_str()) {
                errors.push(error(*row, id_col, "id_number", "import.duplicate_in_file", Some(first)));
            } else {
                first_row_of.insert(id.as_str().to_string(), *row);
            }
        }
        match (id, income) {
            (Ok(id_number), Some(income_fen)) if errors.is_empty() => out.rows.push(PayrollRow {
                row: *row,
                id_number,
                name: name_col.map(|c| fold_trim(cell(c))).unwrap_or_default(),
                income_fen,
                category,
            }),
            _ => out.errors.extend(errors),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{read_table, FileKind};
    use ronghe_domain::id_number::synthesize;

    fn id(n: u32) -> String {
        synthesize(410802, chrono::NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(), n).as_str().to_string()
    }

    #[test]
    fn a_payroll_reads_with_its_own_headers() {
        let csv = format!(
            "工资表\n序号,姓名,身份证号码,部门,应发工资,税后工资,党费类别\n1,张三,{},综采一队,9000,\"7,512.35\",在职\n2,李四,{},机关,,3200,退休\n",
            id(1),
            id(3)
        );
        let table = read_table(FileKind::Csv, csv.as_bytes()).unwrap();
        let p = read_payroll(&table).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(
            p.rows.iter().map(|r| (r.name.as_str(), r.income_fen, r.category)).collect::<Vec<_>>(),
            vec![("张三", 751235, Some("employed")), ("李四", 320000, Some("retired"))]
        );
    }

    #[test]
    fn every_bad_row_is_named_and_none_is_kept() {
        let csv = format!(
            "姓名,身份证号码,税后工资,党费类别\n张三,{},4500,在职\n李四,{},,在职\n王五,123,4500,\n赵六,{},45.678,\n钱七,{},4500,教师\n孙八,{},4500,\n",
            id(1),
            id(3),
            id(5),
            id(7),
            id(1)
        );
        let table = read_table(FileKind::Csv, csv.as_bytes()).unwrap();
        let p = read_payroll(&table).unwrap();
        let errors: Vec<(usize, &str, &str)> = p.errors.iter().map(|e| (e.row, e.column.as_str(), e.key)).collect();
        assert_eq!(
            errors,
            vec![
                (3, "税后工资", "dues.income_required"),
                (4, "身份证号码", "id_number.length"),
                (5, "税后工资", "dues.bad_amount"),
                (6, "党费类别", "dues.unknown_category"),
                (7, "身份证号码", "import.duplicate_in_file"),
            ]
        );
        assert_eq!(p.errors[4].other_row, Some(2));
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn a_file_without_an_income_column_says_so() {
        let table =
            read_table(FileKind::Csv, format!("姓名,身份证号码,部门\n张三,{},机关\n", id(1)).as_bytes()).unwrap();
        assert_eq!(read_payroll(&table).unwrap_err(), "dues.import_no_income_column");
    }
}
