//! Which column feeds which field. Roster exports from different systems
//! name the same column differently (身份证号 / 公民身份号码 / id_number),
//! so headers are matched against a list of spellings after folding away
//! the noise people add: spaces, full-width characters, case and the
//! "required" markers of import templates.

use ronghe_domain::i18n::Lang;
use ronghe_domain::text::fold_compact;
use serde::Serialize;

/// One importable column: the field it feeds, the header the export writes
/// in each language, and the other spellings recognised on import.
struct Column {
    field: &'static str,
    zh: &'static str,
    en: &'static str,
    synonyms: &'static [&'static str],
}

/// The branch is not a member field: it says which organisation the member
/// joins, so it travels beside the [`MemberInput`](ronghe_domain::members::MemberInput).
pub(crate) const BRANCH: &str = "branch";

const COLUMNS: &[Column] = &[
    Column { field: "name", zh: "姓名", en: "name", synonyms: &["党员姓名", "full_name"] },
    Column { field: "gender", zh: "性别", en: "gender", synonyms: &["sex"] },
    Column { field: "ethnicity", zh: "民族", en: "ethnicity", synonyms: &["nationality"] },
    Column {
        field: "birth_date",
        zh: "出生日期",
        en: "birth_date",
        synonyms: &["出生年月", "出生年月日", "出生时间", "date_of_birth", "birthday"],
    },
    Column {
        field: "id_number",
        zh: "身份证号码",
        en: "id_number",
        synonyms: &["身份证号", "公民身份号码", "公民身份证号码", "身份证", "身份证件号码", "id_no", "id_card"],
    },
    Column { field: "education", zh: "学历", en: "education", synonyms: &["文化程度", "最高学历"] },
    Column {
        field: "post", zh: "工作岗位", en: "post", synonyms: &["岗位", "职务", "职务职称", "position"]
    },
    Column { field: "unit", zh: "工作单位", en: "unit", synonyms: &["单位", "所在单位", "employer"] },
    Column {
        field: "phone",
        zh: "联系电话",
        en: "phone",
        synonyms: &["手机号码", "手机号", "手机", "电话", "联系方式", "mobile", "telephone"],
    },
    Column { field: "category", zh: "党员类别", en: "category", synonyms: &["人员类别", "类别"] },
    Column { field: "join_date", zh: "入党日期", en: "join_date", synonyms: &["入党时间", "入党年月"] },
    Column {
        field: "conversion_date", zh: "转正日期", en: "conversion_date", synonyms: &["转正时间", "转正年月"]
    },
    Column {
        field: BRANCH,
        zh: "所在党支部",
        en: "branch",
        synonyms: &["所在支部", "党支部", "支部", "所属党支部", "branch_code"],
    },
];

/// Columns the export writes that import does not read. They are listed
/// here only so that [`header_label`] can name them; on import they are
/// ignored like any unknown column (and reported, because the data in them
/// is indeed not imported).
const EXPORT_ONLY: &[(&str, &str, &str)] =
    &[("branch_name", "党组织名称", "branch_name"), ("status", "党员状态", "status")];

/// Columns an import cannot do without: the validator requires these fields
/// and none of them can be derived from another column.
const REQUIRED: &[&str] = &["name", "id_number", "category", "join_date", "ethnicity"];

/// Columns that number the rows of a printed roster. They carry no data, so
/// ignoring them is not worth a warning.
const ROW_NUMBERS: &[&str] = &["序号", "编号", "no", "no.", "#"];

/// Folds a header to the form synonyms are compared in: no spaces, no
/// underscores, half-width, lower case, without `*` or `（必填）`-style
/// markers that templates put around required columns.
pub(crate) fn normalise(header: &str) -> String {
    let mut s = fold_compact(header).to_lowercase().replace('_', "");
    loop {
        let before = s.len();
        for marker in ["*", "(必填)", "(选填)", "(可选)", "(required)", "(optional)", ":", "："] {
            if let Some(rest) = s.strip_suffix(marker) {
                s = rest.to_string();
            }
        }
        if let Some(rest) = s.strip_prefix('*') {
            s = rest.to_string();
        }
        if s.len() == before {
            return s;
        }
    }
}

/// The field a header feeds, if it is one we know.
pub(crate) fn recognise(header: &str) -> Option<&'static str> {
    let h = normalise(header);
    if h.is_empty() {
        return None;
    }
    COLUMNS
        .iter()
        .find(|c| normalise(c.zh) == h || normalise(c.en) == h || c.synonyms.iter().any(|s| normalise(s) == h))
        .map(|c| c.field)
}

/// The header the export writes for a field (`name`, `birth_date`, …,
/// `branch`, `branch_name`, `status`); the field itself if unknown. Callers
/// use it to name a column the file lacks, in the reader's language.
pub fn header_label(field: &str, lang: Lang) -> &str {
    let pick = |zh: &'static str, en: &'static str| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    if let Some(c) = COLUMNS.iter().find(|c| c.field == field) {
        return pick(c.zh, c.en);
    }
    if let Some((_, zh, en)) = EXPORT_ONLY.iter().find(|(f, _, _)| *f == field) {
        return pick(zh, en);
    }
    // An unknown field is a programming error upstream, but showing its
    // name is better than a panic on a download page.
    field
}

/// Which input field each column feeds. Built by [`map_columns`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnMap {
    /// (field, column index, header as written), in column order.
    columns: Vec<(&'static str, usize, String)>,
    /// Headers of columns that feed nothing, as written, in column order:
    /// shown to the person as a warning so they know that data is dropped.
    pub ignored_columns: Vec<String>,
}

impl ColumnMap {
    /// The index of the column feeding `field`, if the file has one.
    pub fn index_of(&self, field: &str) -> Option<usize> {
        self.columns.iter().find(|(f, _, _)| *f == field).map(|(_, i, _)| *i)
    }

    /// The header, as written in the file, of the column feeding `field`.
    pub fn header_of(&self, field: &str) -> Option<&str> {
        self.columns.iter().find(|(f, _, _)| *f == field).map(|(_, _, h)| h.as_str())
    }

    /// Whether the file has a branch column, so the caller knows whether
    /// to ask which branch the whole file belongs to.
    pub fn has_branch(&self) -> bool {
        self.index_of(BRANCH).is_some()
    }

    pub(crate) fn fields(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.columns.iter().map(|(f, i, _)| (*f, *i))
    }
}

/// A problem with the header row. `column` is the header as written for a
/// duplicate, or the expected Chinese header for a missing column; `field`
/// is the field concerned so the caller can name it in another language
/// with [`header_label`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderProblem {
    pub column: String,
    pub field: &'static str,
    pub key: &'static str,
}

/// Matches headers to fields. Fails with every problem at once: columns
/// the import cannot do without, and two columns feeding the same field
/// (which one is right cannot be guessed).
pub fn map_columns(headers: &[String]) -> Result<ColumnMap, Vec<HeaderProblem>> {
    let mut columns: Vec<(&'static str, usize, String)> = Vec::new();
    let mut ignored_columns = Vec::new();
    let mut problems = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let written = header.trim().to_string();
        match recognise(header) {
            Some(field) if columns.iter().any(|(f, _, _)| *f == field) => {
                problems.push(HeaderProblem { column: written, field, key: "import.duplicate_column" });
            }
            Some(field) => columns.push((field, i, written)),
            None if written.is_empty() => {}
            None if ROW_NUMBERS.contains(&normalise(header).as_str()) => {}
            None => ignored_columns.push(written),
        }
    }
    for field in REQUIRED {
        if !columns.iter().any(|(f, _, _)| f == field) {
            problems.push(HeaderProblem {
                column: header_label(field, Lang::Zh).to_string(),
                field,
                key: "import.missing_column",
            });
        }
    }
    if problems.is_empty() {
        Ok(ColumnMap { columns, ignored_columns })
    } else {
        Err(problems)
    }
}

/// The column to name in an error about `field`: the header as written in
/// the file, or the field name itself when the file has no such column.
pub fn column_for(map: &ColumnMap, field: &str) -> String {
    map.header_of(field).map_or_else(|| field.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(hs: &[&str]) -> Vec<String> {
        hs.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn synonyms_and_noise_are_recognised() {
        for (header, field) in [
            ("姓名", "name"),
            (" 姓 名 ", "name"),
            ("*姓名", "name"),
            ("姓名（必填）", "name"),
            ("姓名*", "name"),
            ("Name", "name"),
            ("出生年月", "birth_date"),
            ("Birth Date", "birth_date"),
            ("公民身份号码（必填）", "id_number"),
            ("身份证号", "id_number"),
            ("ID_NUMBER", "id_number"),
            ("文化程度", "education"),
            ("职务", "post"),
            ("单位", "unit"),
            ("手机号码", "phone"),
            ("人员类别", "category"),
            ("入党时间", "join_date"),
            ("转正时间", "conversion_date"),
            ("所在支部", "branch"),
            ("ｂｒａｎｃｈ", "branch"),
        ] {
            assert_eq!(recognise(header), Some(field), "{header}");
        }
        assert_eq!(recognise("备注"), None);
        assert_eq!(recognise(""), None);
    }

    #[test]
    fn unknown_columns_are_listed_and_row_numbers_skipped() {
        let map = map_columns(&headers(&[
            "序号",
            "姓名",
            "身份证号码",
            "民族",
            "党员类别",
            "入党日期",
            "备注",
            "",
            "党员状态",
        ]))
        .unwrap();
        assert_eq!(map.ignored_columns, vec!["备注", "党员状态"]);
        assert_eq!(map.index_of("id_number"), Some(2));
        assert_eq!(map.header_of("join_date"), Some("入党日期"));
        assert!(!map.has_branch());
        assert_eq!(column_for(&map, "phone"), "phone");
        assert_eq!(column_for(&map, "name"), "姓名");
    }

    #[test]
    fn missing_and_duplicate_columns_are_problems() {
        let problems = map_columns(&headers(&["姓名", "身份证号", "公民身份号码", "入党时间"])).unwrap_err();
        let got: Vec<_> = problems.iter().map(|p| (p.column.as_str(), p.field, p.key)).collect();
        assert_eq!(
            got,
            vec![
                ("公民身份号码", "id_number", "import.duplicate_column"),
                ("党员类别", "category", "import.missing_column"),
                ("民族", "ethnicity", "import.missing_column"),
            ]
        );
    }

    #[test]
    fn every_export_header_is_recognised_as_its_field() {
        for c in COLUMNS {
            for lang in [Lang::Zh, Lang::En] {
                assert_eq!(recognise(header_label(c.field, lang)), Some(c.field));
            }
        }
        for (field, _, _) in EXPORT_ONLY {
            assert_eq!(recognise(header_label(field, Lang::Zh)), None);
        }
        assert_eq!(header_label("nonsense", Lang::En), "nonsense");
    }
}
