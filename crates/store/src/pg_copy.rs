//! Large inserts on PostgreSQL through `COPY … FROM STDIN`.
//!
//! An insert of a few hundred rows a statement binds every value as a
//! parameter, and the server waits while the next statement is built and
//! the client waits while the server writes. `COPY` streams the rows: the
//! server parses and writes one batch while the next is encoded, and there
//! is no statement to parse, bind or plan. The rows go in the same
//! transaction as the rest of the write, through the same constraints,
//! indexes and triggers (statement triggers see a `COPY`'s rows as they see
//! an `INSERT`'s), so a failed or dropped copy writes nothing.

use std::io::Write;

use chrono::{Datelike, NaiveDate};

/// How many bytes of rows are sent at once: large enough that a message's
/// overhead is nothing, small enough that the server starts on a batch
/// while the next is encoded.
const BATCH_BYTES: usize = 1 << 20;

/// Rows in `COPY`'s text format: values split by tabs and rows ended by
/// newlines, `\N` for NULL, and a backslash, tab, newline or carriage
/// return inside a value escaped with a backslash.
#[derive(Default)]
pub(crate) struct CopyRows {
    buf: Vec<u8>,
    /// A value has been written on the current row (the next one needs a tab).
    in_row: bool,
}

impl CopyRows {
    fn next_value(&mut self) -> &mut Vec<u8> {
        if self.in_row {
            self.buf.push(b'\t');
        }
        self.in_row = true;
        &mut self.buf
    }

    pub(crate) fn null(&mut self) -> &mut Self {
        self.next_value().extend_from_slice(b"\\N");
        self
    }

    pub(crate) fn int(&mut self, v: i64) -> &mut Self {
        let _ = write!(self.next_value(), "{v}");
        self
    }

    pub(crate) fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        let buf = self.next_value();
        let bytes = s.as_bytes();
        if !bytes.iter().any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) {
            buf.extend_from_slice(bytes);
            return self;
        }
        for &b in bytes {
            match b {
                b'\\' => buf.extend_from_slice(b"\\\\"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                b => buf.push(b),
            }
        }
        self
    }

    pub(crate) fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    /// A date as ISO 8601, which PostgreSQL reads whatever its `DateStyle`.
    pub(crate) fn date(&mut self, d: NaiveDate) -> &mut Self {
        let buf = self.next_value();
        if (1..=9999).contains(&d.year()) {
            let _ = write!(buf, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
        } else {
            // Outside four digits (validation keeps members' dates within
            // them) chrono's own form, which the server refuses if it
            // cannot read it: the copy then writes nothing.
            let _ = write!(buf, "{d}");
        }
        self
    }

    pub(crate) fn opt_date(&mut self, d: Option<NaiveDate>) -> &mut Self {
        match d {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }

    /// Bytes as `bytea`'s hex form, its backslash escaped for `COPY`.
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let buf = self.next_value();
        buf.extend_from_slice(b"\\\\x");
        buf.reserve(b.len() * 2);
        for &x in b {
            buf.push(HEX[usize::from(x >> 4)]);
            buf.push(HEX[usize::from(x & 15)]);
        }
        self
    }

    pub(crate) fn opt_bytes(&mut self, b: Option<&[u8]>) -> &mut Self {
        match b {
            Some(b) => self.bytes(b),
            None => self.null(),
        }
    }

    fn end_row(&mut self) {
        self.buf.push(b'\n');
        self.in_row = false;
    }
}

/// Writes `n` rows into `target` (`table (columns)`), row `i`'s values
/// written by `row(rows, i)` in the columns' order. Returns the rows the
/// server counted. (A row is asked for by its index, through a trait
/// object, so that the future holds no iterator or closure type whose
/// borrows the compiler cannot prove `Send` for every lifetime.)
pub(crate) async fn copy_in(
    conn: &mut sqlx::PgConnection,
    target: &str,
    n: usize,
    row: &(dyn Fn(&mut CopyRows, usize) + Sync),
) -> Result<u64, sqlx::Error> {
    let mut copy = conn.copy_in_raw(&format!("COPY {target} FROM STDIN")).await?;
    let mut rows = CopyRows { buf: Vec::with_capacity(BATCH_BYTES + 4096), in_row: false };
    for i in 0..n {
        row(&mut rows, i);
        rows.end_row();
        if rows.buf.len() >= BATCH_BYTES {
            copy.send(rows.buf.as_slice()).await?;
            rows.buf.clear();
        }
    }
    if !rows.buf.is_empty() {
        copy.send(rows.buf.as_slice()).await?;
    }
    copy.finish().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(f: impl FnOnce(&mut CopyRows)) -> String {
        let mut r = CopyRows::default();
        f(&mut r);
        r.end_row();
        String::from_utf8(r.buf).unwrap()
    }

    #[test]
    fn values_are_split_by_tabs_and_rows_end_with_a_newline() {
        assert_eq!(
            row(|r| {
                r.int(-7).text("张三").null().opt_int(Some(3)).opt_text(None);
            }),
            "-7\t张三\t\\N\t3\t\\N\n"
        );
    }

    #[test]
    fn text_escapes_what_copy_reads_as_syntax() {
        assert_eq!(
            row(|r| {
                r.text("a\\b\tc\nd\re");
            }),
            "a\\\\b\\tc\\nd\\re\n"
        );
        // A lone backslash-N is text, not NULL, once escaped.
        assert_eq!(
            row(|r| {
                r.text("\\N");
            }),
            "\\\\N\n"
        );
        assert_eq!(
            row(|r| {
                r.text("");
            }),
            "\n"
        );
    }

    #[test]
    fn dates_are_iso_and_bytes_are_bytea_hex() {
        let d = NaiveDate::from_ymd_opt(987, 3, 4).unwrap();
        assert_eq!(
            row(|r| {
                r.date(d).opt_date(None);
            }),
            "0987-03-04\t\\N\n"
        );
        assert_eq!(
            row(|r| {
                r.bytes(&[0x00, 0xab, 0x7f]).opt_bytes(None);
            }),
            "\\\\x00ab7f\t\\N\n"
        );
    }
}
