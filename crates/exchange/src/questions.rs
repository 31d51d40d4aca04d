//! A question bank from a spreadsheet (.xlsx): one question a row, under
//! headers in Chinese or English — 题型/kind, 分类/category, 题干/stem,
//! 选项A…选项H (or A…H), 答案/answer. Bytes in, rows out with their sheet
//! row numbers; checking the questions is the caller's.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::ReadError;

/// A question as a row of the sheet has it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuestionRow {
    /// The sheet's row number (1-based, as people see it).
    pub row: usize,
    pub kind: String,
    pub category: String,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: String,
}

fn text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Bool(b) => b.to_string(),
        other => other.to_string().trim().to_string(),
    }
}

/// The kind as the sheet may write it: the codes, or the Chinese names.
pub fn question_kind(s: &str) -> String {
    match s.trim() {
        "单选" | "单选题" | "单项选择" => "single",
        "多选" | "多选题" | "多项选择" => "multiple",
        "判断" | "判断题" => "true_false",
        "填空" | "填空题" => "fill_in",
        other => return other.to_lowercase(),
    }
    .to_string()
}

/// The answer as the sheet may write it: 对/错 for true or false.
fn answer_text(kind: &str, s: &str) -> String {
    match (kind, s.trim()) {
        ("true_false", "对" | "正确" | "√" | "是" | "TRUE" | "True") => "true".into(),
        ("true_false", "错" | "错误" | "×" | "否" | "FALSE" | "False") => "false".into(),
        (_, other) => other.to_string(),
    }
}

/// Reads the first sheet's questions.
pub fn read_questions(bytes: &[u8]) -> Result<Vec<QuestionRow>, ReadError> {
    let unreadable = |e: calamine::XlsxError| ReadError::Unreadable(e.to_string());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let range = match book.worksheet_range_at(0) {
        None => return Err(ReadError::Empty),
        Some(range) => range.map_err(unreadable)?,
    };
    let Some((first_row, _)) = range.start() else {
        return Err(ReadError::Empty);
    };
    let mut rows = range.rows().enumerate().map(|(i, r)| (first_row as usize + i + 1, r));
    let Some((_, header)) = rows.next() else {
        return Err(ReadError::Empty);
    };
    let headers: Vec<String> = header.iter().map(text).collect();
    let find = |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
    let (Some(kind), Some(stem), Some(answer)) =
        (find(&["题型", "kind"]), find(&["题干", "题目", "stem"]), find(&["答案", "answer"]))
    else {
        return Err(ReadError::NoHeader);
    };
    let category = find(&["分类", "类别", "category"]);
    let options: Vec<usize> =
        ('A'..='H').filter_map(|l| find(&[&format!("选项{l}"), &l.to_string(), &format!("option {l}")])).collect();
    let cell = |r: &[Data], i: usize| r.get(i).map(text).unwrap_or_default();
    Ok(rows
        .filter(|(_, r)| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|(row, r)| {
            let kind = question_kind(&cell(r, kind));
            QuestionRow {
                row,
                answer: answer_text(&kind, &cell(r, answer)),
                kind,
                category: category.map(|c| cell(r, c)).unwrap_or_default(),
                stem: cell(r, stem),
                options: {
                    // Blank columns after the last option are not options; a
                    // blank between two is kept (and refused by the check),
                    // so that D's text never moves into C under the answer "C".
                    let mut o: Vec<String> = options.iter().map(|i| cell(r, *i)).collect();
                    while o.last().is_some_and(|x| x.is_empty()) {
                        o.pop();
                    }
                    o
                },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_of_questions_reads_with_chinese_headers_and_names() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let s = book.add_worksheet();
        for (c, h) in ["题型", "分类", "题干", "选项A", "选项B", "选项C", "答案"].iter().enumerate() {
            s.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["多选题", "党章", "党员的义务包括？", "学习", "执行决定", "逃避责任", "AB"].iter().enumerate()
        {
            s.write_string(1, c as u16, *v).unwrap();
        }
        for (c, v) in ["判断", "党章", "预备期为一年。", "", "", "", "对"].iter().enumerate() {
            s.write_string(3, c as u16, *v).unwrap();
        }
        // Option B left blank between A and C: kept in its place, not closed up.
        for (c, v) in ["单选", "党章", "第三题", "甲", "", "丙", "C"].iter().enumerate() {
            s.write_string(4, c as u16, *v).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let rows = read_questions(&bytes).unwrap();
        assert_eq!(rows.len(), 3, "the empty row is skipped");
        assert_eq!(rows[2].options, vec!["甲".to_string(), String::new(), "丙".to_string()]);
        assert_eq!((rows[0].row, rows[0].kind.as_str(), rows[0].options.len()), (2, "multiple", 3));
        assert_eq!((rows[1].row, rows[1].kind.as_str(), rows[1].answer.as_str()), (4, "true_false", "true"));
    }
}
