//! Text as people type it: full-width digits and letters, stray spaces, and
//! the many ways a date is written in Chinese offices.

use chrono::NaiveDate;

/// Folds full-width ASCII (as typed with a Chinese IME) to half-width, and
/// removes every kind of whitespace, including the ideographic space U+3000
/// and the non-breaking spaces that spreadsheets leave behind.
pub fn fold_compact(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace() && *c != '\u{feff}' && *c != '\u{200b}').map(fold_char).collect()
}

/// Like [`fold_compact`] but keeps single inner spaces (for names written in
/// Latin script) and trims the ends.
pub fn fold_trim(input: &str) -> String {
    let folded: String = input.chars().map(fold_char).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fold_char(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Parses a calendar date written in any of the usual ways:
/// `2024-03-05`, `2024/3/5`, `2024.3.5`, `2024年3月5日`, `20240305`, with
/// full-width digits or a trailing time (`2024-03-05 00:00:00`).
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = fold_trim(input);
    // A trailing time of day, as spreadsheets export date cells, is dropped.
    let s = s.split([' ', 'T']).next().unwrap_or("");
    let s = s.trim_end_matches('日').trim_end_matches('号');
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let (y, rest) = s.split_at(4);
        let (m, d) = rest.split_at(2);
        return ymd(y, m, d);
    }
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => ymd(y, m, d),
        _ => None,
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Excel stores dates as days since 1899-12-30 (the 1900 leap-year bug is
/// why it is not 12-31). Serials below 61 predate anyone on a roster.
pub fn date_from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(serial.trunc() as u64))
}

/// Whole years between two dates, as an age is counted.
pub fn years_between(from: NaiveDate, to: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_as_people_write_them() {
        for s in [
            "2024-03-05",
            "2024/3/5",
            "2024.03.05",
            "2024年3月5日",
            "20240305",
            " ２０２４－０３－０５ ",
            "2024-03-05 00:00:00",
            "2024-03-05T00:00:00",
            "2024年03月05号",
        ] {
            assert_eq!(parse_date(s), d(2024, 3, 5), "{s}");
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in ["2023-02-29", "2024-13-01", "24-3-5", "", "abc", "2024-03"] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert_eq!(parse_date("2024-02-29"), d(2024, 2, 29));
    }

    #[test]
    fn excel_serials() {
        assert_eq!(date_from_excel_serial(45356.0), d(2024, 3, 5));
        assert_eq!(date_from_excel_serial(45356.75), d(2024, 3, 5));
        assert_eq!(date_from_excel_serial(1.0), None);
    }

    #[test]
    fn folding() {
        assert_eq!(fold_compact(" 4101 0219９０ "), "4101021990");
        assert_eq!(fold_compact("\u{3000}１２３\u{a0}"), "123");
        assert_eq!(fold_trim("  Li   Ming "), "Li Ming");
    }

    #[test]
    fn ages_count_birthdays() {
        let born = NaiveDate::from_ymd_opt(2008, 2, 29).unwrap();
        assert_eq!(years_between(born, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()), 17);
        assert_eq!(years_between(born, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()), 18);
    }
}
