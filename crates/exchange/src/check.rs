//! Table rows to member inputs, and member inputs to drafts with every
//! problem named by row and column, the way a person fixes a spreadsheet.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use ronghe_domain::id_number::IdNumber;
use ronghe_domain::members::{MemberDraft, MemberInput};
use ronghe_domain::text::fold_trim;
use serde::Serialize;

use crate::columns::{column_for, ColumnMap, BRANCH};
use crate::read::LOST_DIGITS;
use crate::Table;

/// One data row of the file: its sheet row number, the branch it names (an
/// organisation name or code, resolved by the caller) and the member.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub row: usize,
    pub branch: Option<String>,
    pub input: MemberInput,
}

/// The member inputs of a table. Rows in which every mapped column is empty
/// are left out: import templates come with the 序号 column numbered far
/// beyond the data, and those rows are not members with missing fields.
pub fn rows(table: &Table, map: &ColumnMap) -> Vec<ImportRow> {
    table
        .rows
        .iter()
        .filter_map(|(row, cells)| {
            let mut input = MemberInput::default();
            let mut branch = None;
            let mut any = false;
            for (field, index) in map.fields() {
                let value = cells.get(index).map(|c| c.trim()).unwrap_or("");
                any |= !value.is_empty();
                let value = value.to_string();
                match field {
                    "name" => input.name = value,
                    "gender" => input.gender = value,
                    "ethnicity" => input.ethnicity = value,
                    "birth_date" => input.birth_date = value,
                    "id_number" => input.id_number = value,
                    "education" => input.education = value,
                    "post" => input.post = value,
                    "unit" => input.unit = value,
                    "phone" => input.phone = value,
                    "category" => input.category = value,
                    "join_date" => input.join_date = value,
                    "conversion_date" => input.conversion_date = value,
                    BRANCH => branch = Some(fold_trim(&value)).filter(|b| !b.is_empty()),
                    other => unreachable!("column map holds unknown field {other}"),
                }
            }
            input.birth_date = resolve_birth_month(&input.birth_date, &input.id_number);
            any.then_some(ImportRow { row: *row, branch, input })
        })
        .collect()
}

/// Many rosters have 出生年月 (year and month only, `1985.03`), which is
/// not a date. The ID number holds the full birth date: when the year and
/// month agree with it, the cell is cleared so validation takes the date
/// from the ID number; when they disagree, the first of that month is used
/// so validation reports the mismatch rather than an unreadable date.
fn resolve_birth_month(cell: &str, id_number: &str) -> String {
    let Some((year, months)) = year_month(cell) else {
        return cell.to_string();
    };
    if let Ok(id) = IdNumber::parse(id_number) {
        let born = id.birth_date();
        if born.year() == year && months.contains(&born.month()) {
            return String::new();
        }
    }
    match NaiveDate::from_ymd_opt(year, months[0], 1) {
        Some(d) => d.to_string(),
        None => cell.to_string(),
    }
}

/// Reads `1985.03`, `1985-3`, `1985/03`, `1985年3月` and `198503`. Returns
/// the possible months: `1985.1` may be October, because Excel drops the
/// trailing zero of `1985.10` typed into a number cell.
fn year_month(cell: &str) -> Option<(i32, Vec<u32>)> {
    let s = ronghe_domain::text::fold_compact(cell);
    let s = s.trim_end_matches('月');
    let (y, m) = if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.split_at(4)
    } else {
        s.split_once(['.', '-', '/', '年'])?
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = y.parse().ok()?;
    let month: u32 = m.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let mut months = vec![month];
    if s.contains('.') && m == "1" {
        months.push(10);
    }
    Some((year, months))
}

/// Whether an ID number is what is left after Excel stored it as a number:
/// the marker [`read_table`](crate::read_table) puts on such XLSX cells, or
/// the scientific notation (`1.10105E+17`) Excel writes into a CSV saved
/// from such a sheet.
fn lost_digits(id_number: &str) -> bool {
    let s = ronghe_domain::text::fold_compact(id_number).to_ascii_uppercase();
    s.starts_with(LOST_DIGITS) || (s.contains("E+") && s.parse::<f64>().is_ok_and(|f| f >= 1e15))
}

/// One problem in one cell: the sheet row number, the column's header as
/// written in the file (or the field name when the column is absent), the
/// field, and the catalogue key. `other_row` is the row a duplicate
/// collides with; the message takes it as the `{row}` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub field: &'static str,
    pub key: &'static str,
    pub other_row: Option<usize>,
}

/// The outcome of checking a file: the rows that may be imported (row
/// number, branch, draft) and every problem, both in row order.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub drafts: Vec<(usize, Option<String>, MemberDraft)>,
    pub errors: Vec<RowError>,
}

/// Validates every row with the domain validator and finds ID numbers that
/// appear more than once in the file. Every row of a duplicate pair is
/// refused, each pointing at the other, because which of them is right
/// cannot be known. A row with any error yields no draft.
pub fn check_rows(rows: &[ImportRow], map: &ColumnMap, today: NaiveDate) -> Checked {
    let error = |row: usize, field: &'static str, key: &'static str, other_row: Option<usize>| RowError {
        row,
        column: column_for(map, field),
        field,
        key,
        other_row,
    };

    // Validation is pure and most of the work: it runs on every core.
    let validated = ronghe_domain::par::map(rows, |r| {
        let lost_digits = lost_digits(&r.input.id_number);
        let result = if lost_digits {
            // The digits are gone; the domain's "wrong length" would send
            // the person looking at the number rather than the cell format.
            let input = MemberInput { id_number: String::new(), ..r.input.clone() };
            input.validate(today)
        } else {
            r.input.validate(today)
        };
        (lost_digits, result, IdNumber::parse(&r.input.id_number).ok())
    });

    // For each row, another row with the same normalised ID number. Only
    // numbers that parse are compared; the others have an error of their own.
    let twins: Vec<Option<usize>> = {
        let mut seen: HashMap<&str, Vec<usize>> = HashMap::new();
        for (r, (_, _, id)) in rows.iter().zip(&validated) {
            if let Some(id) = id {
                seen.entry(id.as_str()).or_default().push(r.row);
            }
        }
        rows.iter()
            .zip(&validated)
            .map(|(r, (_, _, id))| id.as_ref().and_then(|id| seen[id.as_str()].iter().copied().find(|&n| n != r.row)))
            .collect()
    };

    let mut checked = Checked::default();
    for ((r, (lost_digits, result, _)), twin) in rows.iter().zip(validated).zip(twins) {
        let mut errors = Vec::new();
        if lost_digits {
            errors.push(error(r.row, "id_number", "import.id_number_as_number", None));
        }
        let draft = match result {
            Ok(draft) => Some(draft),
            Err(field_errors) => {
                errors.extend(
                    field_errors
                        .into_iter()
                        .filter(|e| !(lost_digits && e.field == "id_number"))
                        .map(|e| error(r.row, e.field, e.key, None)),
                );
                None
            }
        };
        if let Some(other) = twin {
            errors.push(error(r.row, "id_number", "import.duplicate_in_file", Some(other)));
        }
        match draft {
            Some(draft) if errors.is_empty() => checked.drafts.push((r.row, r.branch.clone(), draft)),
            _ => checked.errors.extend(errors),
        }
    }
    checked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::tests::messy_xlsx;
    use crate::{map_columns, read_table, FileKind};
    use ronghe_domain::id_number::synthesize;
    use ronghe_domain::members::{Category, Gender};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn table(csv: &str) -> (Table, ColumnMap) {
        let table = read_table(FileKind::Csv, csv.as_bytes()).unwrap();
        let map = map_columns(&table.headers).unwrap();
        (table, map)
    }

    fn keys(checked: &Checked) -> Vec<(usize, &str, &str, Option<usize>)> {
        checked.errors.iter().map(|e| (e.row, e.column.as_str(), e.key, e.other_row)).collect()
    }

    #[test]
    fn the_messy_xlsx_validates_where_it_can() {
        let table = read_table(FileKind::Xlsx, &messy_xlsx()).unwrap();
        let map = map_columns(&table.headers).unwrap();
        assert_eq!(map.ignored_columns, vec!["备注"]);
        let rows = rows(&table, &map);
        // Row 7 holds only a 序号 and is not a member.
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![4, 6]);
        let checked = check_rows(&rows, &map, today());

        let (row, branch, wang) = &checked.drafts[0];
        assert_eq!((*row, branch), (4, &None));
        assert_eq!(wang.name, "王 芳");
        assert_eq!(wang.id_number.as_str(), "11010519491231002X");
        assert_eq!(wang.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(wang.conversion_date, NaiveDate::from_ymd_opt(1976, 7, 1));
        assert_eq!(wang.phone.as_ref().unwrap().as_str(), "13800138000");
        assert_eq!(checked.drafts.len(), 1);

        assert_eq!(keys(&checked), vec![(6, "身份证号", "import.id_number_as_number", None)]);
        assert_eq!(checked.errors[0].field, "id_number");
    }

    #[test]
    fn errors_name_the_column_as_written_or_the_field() {
        let (table, map) = table(
            "姓名,身份证号码,民族,人员类别,入党时间\n\
             ,11010519491231002X,汉,正式,1975-07-01\n\
             赵六,11010519491231002X,汉,正式,2030-01-01\n",
        );
        let checked = check_rows(&rows(&table, &map), &map, today());
        assert!(checked.drafts.is_empty());
        assert_eq!(
            keys(&checked),
            vec![
                (2, "姓名", "field.required", None),
                (2, "身份证号码", "import.duplicate_in_file", Some(3)),
                (3, "入党时间", "date.in_future", None),
                (3, "身份证号码", "import.duplicate_in_file", Some(2)),
            ]
        );
        // Gender is not a column here; an error about it names the field.
        assert_eq!(column_for(&map, "gender"), "gender");
    }

    #[test]
    fn duplicates_are_found_after_normalising() {
        let a = synthesize(410102, NaiveDate::from_ymd_opt(1980, 5, 6).unwrap(), 12);
        let b = synthesize(410102, NaiveDate::from_ymd_opt(1981, 5, 6).unwrap(), 12);
        let spaced = format!("{} {}", &a.as_str()[..6], &a.as_str()[6..]);
        let csv = format!(
            "姓名,身份证号码,民族,党员类别,入党日期,所在党支部\n\
             甲,{a},汉,正式党员,2005-01-01,DZB01\n\n\
             乙,{b},汉,正式党员,2005-01-01, dzb02 \n\
             丙,{spaced},汉,正式党员,2005-01-01,\n",
            a = a.as_str(),
            b = b.as_str(),
        );
        let (table, map) = table(&csv);
        let rows = rows(&table, &map);
        assert_eq!(rows[1].branch.as_deref(), Some("dzb02"));
        assert_eq!(rows[2].branch, None);
        let checked = check_rows(&rows, &map, today());
        assert_eq!(
            keys(&checked),
            vec![
                (2, "身份证号码", "import.duplicate_in_file", Some(5)),
                (5, "身份证号码", "import.duplicate_in_file", Some(2)),
            ]
        );
        assert_eq!(checked.drafts.len(), 1);
        let (row, branch, draft) = &checked.drafts[0];
        assert_eq!((*row, branch.as_deref()), (4, Some("dzb02")));
        assert_eq!(draft.category, Category::Full);
        assert_eq!(draft.gender, b.gender());
    }

    #[test]
    fn birth_year_and_month_are_checked_against_the_id_number() {
        let id = "11010519491231002X";
        assert_eq!(resolve_birth_month("1949.12", id), "");
        assert_eq!(resolve_birth_month("1949年12月", id), "");
        assert_eq!(resolve_birth_month("194912", id), "");
        assert_eq!(resolve_birth_month("1949-11", id), "1949-11-01");
        assert_eq!(resolve_birth_month("1949-12-31", id), "1949-12-31");
        assert_eq!(resolve_birth_month("", id), "");
        // Excel shows 1985.10 typed as a number as 1985.1.
        let october = synthesize(110105, NaiveDate::from_ymd_opt(1985, 10, 3).unwrap(), 1);
        assert_eq!(resolve_birth_month("1985.1", october.as_str()), "");
        assert_eq!(resolve_birth_month("1985-1", october.as_str()), "1985-01-01");

        let (table, map) = table(&format!(
            "姓名,出生年月,性别,身份证号码,民族,党员类别,入党日期\n\
             甲,1949.12,女,{id},汉,正式党员,1975-07-01\n\
             乙,1950.01,,{id},汉,正式党员,1975-07-01\n"
        ));
        let rows = rows(&table, &map);
        let checked = check_rows(&rows, &map, today());
        let errors: Vec<_> = keys(&checked).into_iter().filter(|e| e.2 != "import.duplicate_in_file").collect();
        assert_eq!(errors, vec![(3, "出生年月", "birth_date.mismatch_id", None)]);
    }

    #[test]
    fn scientific_notation_from_a_csv_saved_by_excel() {
        assert!(lost_digits("1.10105E+17"));
        assert!(lost_digits(" 1.10105e+17 "));
        assert!(!lost_digits("11010519491231002X"));
        assert!(!lost_digits("1E+5"));
        let (table, map) = table("姓名,身份证号码,民族,党员类别,入党日期\n王芳,1.10105E+17,汉族,正式党员,1975-07-01\n");
        let checked = check_rows(&rows(&table, &map), &map, today());
        assert_eq!(keys(&checked), vec![(2, "身份证号码", "import.id_number_as_number", None)]);
    }

    #[test]
    fn gender_comes_from_the_id_number_when_absent() {
        let (table, map) =
            table("姓名,身份证号码,民族,党员类别,入党日期\n王芳,11010519491231002x,汉族,预备党员,2026-01-01\n");
        let checked = check_rows(&rows(&table, &map), &map, today());
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        assert_eq!(checked.drafts[0].2.gender, Gender::Female);
        assert_eq!(checked.drafts[0].2.category, Category::Probationary);
    }
}
