//! Lists and records of a named type, read once for both backends: on
//! SQLite through the [`Reader`](crate::reader::Reader), each row decoded
//! into the type by column name ([`decode_row`]); on PostgreSQL row by
//! row through SQLx (`sqlx::FromRow`), as every other query is, on a
//! connection of the [`PgReader`](crate::pg_reader::PgReader). The type
//! derives both `Deserialize` and `sqlx::FromRow`; `scripts/test` (and so
//! `.ci/run`) runs every integration test on both backends and fails
//! without PostgreSQL, so each read is exercised both ways, and tests check
//! such reads against what was written and the lists' order.
//!
//! Why not SQLx on SQLite: its driver runs each connection on a thread of
//! its own, sends every row to the caller's task over a channel and copies
//! each of the row's values into an allocation of its own there
//! (`sqlite3_value_dup`), freed on another thread. For a page of fifty
//! roster lines that was about a thousand allocations freed across threads
//! and a third of the server's samples in the kernel (`scripts/driver-probe`
//! and `perf`, sessions 12 and 13).
//!
//! Why by name, through serde: a column list out of step with the struct's
//! fields fails to decode where a required field finds no column, and
//! never fills a field from another field's column; and one derive serves
//! every type. (An `Option` field no column fills reads `None`, as serde
//! has it: the tests that compare reads with what was written catch a
//! misspelt alias there.) From session 12 to 14 the rows
//! came as one JSON value that SQLite built (`json_group_array`) and
//! serde_json parsed; `perf` of a branch's roster then found about 15% of
//! the server's samples building and parsing that text, which reading the
//! values straight from SQLite's row saves.
//!
//! Why not the same on PostgreSQL: its driver reads rows from the socket on
//! the caller's task, with no thread between. (Folding the page into
//! `json_agg` there made pages a quarter to a half slower, session 12.)
//!
//! Use it for reads the reader's invariant allows (`reader.rs`): a key
//! lookup, or a list that stops within about a page. Each output column is
//! named as the field it fills: a plain column by itself, anything else by
//! `AS`. Columns no field names are skipped, so a query may select more, to
//! order by. SQLite has five storage classes and the types come from them:
//! integers (also booleans, stored as 0 and 1), reals, text (also dates as
//! ISO text, and codes through [`via`]), blobs and NULL (`Option`). Under
//! `#[serde(flatten)]` serde buffers each value before decoding it, so a
//! boolean there does not decode from 0 and 1, and a value that does not
//! fit its field is reported without its column.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};

/// Reads a list: `$sql` (ending in its `ORDER BY`, and a `LIMIT` if any),
/// each row decoded as `$ty`. `$bounded` says whether the read stops within
/// about a page whatever the data (see `reader.rs`): on SQLite a bounded
/// read runs on the caller's thread, any other on a blocking thread
/// (`$bounded` is evaluated on SQLite only, so it may ask the store).
/// `$bind` binds the parameters to `$q`, and is expanded once per backend.
/// `generic_plan = true` (evaluated on PostgreSQL only) runs the statement
/// on its generic plan ([`Plans::Generic`](crate::pg_reader::Plans)): for
/// a statement whose shape the caller has already chosen for the data.
/// Evaluates to `StoreResult<Vec<$ty>>`.
macro_rules! fetch_list {
    ($store:expr, $ty:ty, $sql:expr, bounded = $bounded:expr, |$q:ident| $bind:expr) => {
        $crate::rows::fetch_list!($store, $ty, $sql, bounded = $bounded, generic_plan = false, |$q| $bind)
    };
    ($store:expr, $ty:ty, $sql:expr, bounded = $bounded:expr, generic_plan = $generic:expr, |$q:ident| $bind:expr) => {{
        let sql: &str = &$sql;
        let result: $crate::StoreResult<Vec<$ty>> = match &$store.db {
            $crate::Db::Sqlite(_, reader) => {
                let binds = {
                    let $q = $crate::reader::Binds::default();
                    $bind
                };
                if $bounded {
                    reader.read(|c| binds.deserialize_all::<$ty>(c, sql))
                } else {
                    let sql = sql.to_owned();
                    reader.read_aside(move |c| binds.deserialize_all::<$ty>(c, &sql)).await
                }
            }
            $crate::Db::Postgres(_, reader) => {
                let plans = if $generic { $crate::pg_reader::Plans::Generic } else { $crate::pg_reader::Plans::Chosen };
                reader
                    .read(plans, async |c| {
                        let $q = sqlx::query_as::<_, $ty>(sql);
                        $bind.fetch_all(c).await
                    })
                    .await
            }
        };
        result
    }};
}
pub(crate) use fetch_list;

/// Reads one row by key, as [`fetch_list!`] reads a list of at most one (a
/// bounded read). No row is [`StoreError::NotFound`](crate::StoreError).
/// Evaluates to `StoreResult<$ty>`.
macro_rules! fetch_row {
    ($store:expr, $ty:ty, $sql:expr, |$q:ident| $bind:expr) => {
        $crate::rows::fetch_list!($store, $ty, $sql, bounded = true, |$q| $bind)
            .and_then(|rows| rows.into_iter().next().ok_or($crate::StoreError::NotFound))
    };
}
pub(crate) use fetch_row;

/// Decodes one row as a `T`, a `Deserialize` type whose fields are named
/// as the columns: serde is handed the row as a map from `names` (the
/// statement's column names, in order) to their values. A value that does
/// not fit its field is `FromSqlConversionFailure`, naming the column; a
/// required field no column fills, or a value under `#[serde(flatten)]`
/// that does not fit, is `InvalidColumnName` with serde's message.
pub(crate) fn decode_row<T: de::DeserializeOwned>(row: &rusqlite::Row<'_>, names: &[String]) -> rusqlite::Result<T> {
    let mut columns = Columns { row, names, next: 0, failed: None };
    T::deserialize(RowAsMap(&mut columns)).map_err(|e| match columns.failed {
        Some(at) => {
            let ty = row.get_ref(at).map_or(rusqlite::types::Type::Null, |v| v.data_type());
            let message = format!("column {}: {e}", names[at]);
            rusqlite::Error::FromSqlConversionFailure(at, ty, message.into())
        }
        None => rusqlite::Error::InvalidColumnName(e.to_string()),
    })
}

/// What a value failed with, before [`decode_row`] names
/// its column.
#[derive(Debug)]
pub(crate) struct DecodeError(String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        DecodeError(msg.to_string())
    }
}

struct Columns<'a, 'stmt> {
    row: &'a rusqlite::Row<'stmt>,
    names: &'a [String],
    /// The column whose name comes next; one past the value last given.
    next: usize,
    /// The column whose value did not fit its field.
    failed: Option<usize>,
}

struct RowAsMap<'c, 'a, 'stmt>(&'c mut Columns<'a, 'stmt>);

impl<'de> de::Deserializer<'de> for RowAsMap<'_, '_, '_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_map(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> MapAccess<'de> for Columns<'_, '_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DecodeError> {
        match self.names.get(self.next) {
            Some(name) => {
                self.next += 1;
                seed.deserialize(name.as_str().into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DecodeError> {
        let at = self.next - 1;
        let value = self.row.get_ref(at).map_err(de::Error::custom)?;
        seed.deserialize(Value(value)).inspect_err(|_| self.failed = Some(at))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.names.len() - self.next)
    }
}

/// One column's value.
struct Value<'a>(rusqlite::types::ValueRef<'a>);

impl<'de> de::Deserializer<'de> for Value<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        use rusqlite::types::ValueRef;
        match self.0 {
            ValueRef::Null => visitor.visit_unit(),
            ValueRef::Integer(i) => visitor.visit_i64(i),
            ValueRef::Real(r) => visitor.visit_f64(r),
            ValueRef::Text(t) => visitor.visit_str(std::str::from_utf8(t).map_err(de::Error::custom)?),
            ValueRef::Blob(b) => visitor.visit_bytes(b),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            rusqlite::types::ValueRef::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// SQLite stores a boolean as an integer.
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            rusqlite::types::ValueRef::Integer(i @ (0 | 1)) => visitor.visit_bool(i == 1),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant stored as its name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            rusqlite::types::ValueRef::Text(t) => {
                visitor.visit_enum(std::str::from_utf8(t).map_err(de::Error::custom)?.into_deserializer())
            }
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// For `#[serde(deserialize_with)]` on fields stored as a code (a closed
/// vocabulary), decoded as SQLx's `#[sqlx(try_from = …)]` decodes them.
pub(crate) fn via<'de, D, S, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    S: serde::Deserialize<'de>,
    T: TryFrom<S>,
    T::Error: std::fmt::Display,
{
    T::try_from(S::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// For `#[serde(deserialize_with)]` on date fields: SQLite keeps a date as
/// ISO text (`2024-07-01`), which this reads digit by digit. Through
/// chrono's `FromStr`, its general format parser, the four dates of each
/// roster line were a tenth of a branch's roster page in instructions
/// (`valgrind --tool=callgrind` of `ronghe serve`, 200 pages); anything
/// not of that one shape is left to chrono, so both read the same dates.
/// A date field without it reads the same, only slower. PostgreSQL's rows
/// decode through SQLx and never come here.
pub(crate) fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
    struct Iso;
    impl Visitor<'_> for Iso {
        type Value = chrono::NaiveDate;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date as YYYY-MM-DD")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<chrono::NaiveDate, E> {
            iso_date(s).map_or_else(|| s.parse().map_err(E::custom), Ok)
        }
    }
    d.deserialize_str(Iso)
}

/// [`date`] for an optional date (NULL, or no column, is `None`); use it
/// with `#[serde(default)]`, which keeps a missing column `None`.
pub(crate) fn opt_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<chrono::NaiveDate>, D::Error> {
    struct Opt;
    impl<'de> Visitor<'de> for Opt {
        type Value = Option<chrono::NaiveDate>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date as YYYY-MM-DD, or NULL")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            date(d).map(Some)
        }
    }
    d.deserialize_option(Opt)
}

/// `YYYY-MM-DD` with a year of four digits, or `None` for anything else
/// (including a day the calendar does not have).
fn iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b: &[u8; 10] = s.as_bytes().try_into().ok()?;
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Binds;
    use chrono::Datelike;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Line {
        id: i64,
        #[serde(deserialize_with = "via::<_, String, _>")]
        gender: ronghe_domain::members::Gender,
        day: Option<chrono::NaiveDate>,
        done: bool,
        share: f64,
    }

    fn lines(c: &rusqlite::Connection, sql: &str) -> rusqlite::Result<Vec<Line>> {
        Binds::default().deserialize_all::<Line>(c, sql)
    }

    #[test]
    fn rows_decode_by_name_in_the_statements_order() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let sql = "SELECT * FROM (
                SELECT 'female' AS gender, 3 AS id, '2024-07-01' AS day, 1 AS done, 0.5 AS share, 'x' AS ignored
                UNION ALL SELECT 'male', 4, NULL, 0, 2, 'y')
            ORDER BY id DESC";
        let rows = lines(&c, sql).unwrap();
        let female = ronghe_domain::members::Gender::Female;
        let day = chrono::NaiveDate::from_ymd_opt(2024, 7, 1);
        assert_eq!(
            rows[0],
            Line { id: 4, gender: ronghe_domain::members::Gender::Male, day: None, done: false, share: 2.0 }
        );
        assert_eq!(rows[1], Line { id: 3, gender: female, day, done: true, share: 0.5 });
    }

    #[test]
    fn dates_read_digit_by_digit_as_chrono_reads_them() {
        let mut day = chrono::NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        while day.year() < 2101 {
            let text = day.to_string();
            assert_eq!(iso_date(&text), Some(day), "{text}");
            day = day.succ_opt().unwrap();
        }
        for text in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-32",
            "2024-1-01",
            "2024/01/01",
            "２０２４-01-01",
            "+2024-01-01",
            "2024-01-01 ",
            "",
            "abcd-ef-gh",
        ] {
            assert_eq!(iso_date(text), None, "{text}");
        }
        #[derive(Debug, serde::Deserialize)]
        struct Days {
            #[serde(deserialize_with = "date")]
            day: chrono::NaiveDate,
            #[serde(default, deserialize_with = "opt_date")]
            maybe: Option<chrono::NaiveDate>,
            #[serde(default, deserialize_with = "opt_date")]
            absent: Option<chrono::NaiveDate>,
        }
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let read = |sql: &str| Binds::default().deserialize_all::<Days>(&c, sql);
        let rows =
            read("SELECT '2024-02-29' AS day, NULL AS maybe UNION ALL SELECT '+12024-01-01', '2024-07-01'").unwrap();
        assert_eq!(rows[0].day, chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!((rows[0].maybe, rows[0].absent), (None, None));
        assert_eq!(rows[1].day, chrono::NaiveDate::from_ymd_opt(12024, 1, 1).unwrap(), "chrono reads the rest");
        assert_eq!(rows[1].maybe, chrono::NaiveDate::from_ymd_opt(2024, 7, 1));
        let bad = read("SELECT '2023-02-29' AS day").unwrap_err();
        assert!(bad.to_string().contains("column day"), "{bad}");
    }

    #[test]
    fn a_value_that_does_not_fit_names_its_column() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let bad = lines(&c, "SELECT 1 AS id, 'x' AS gender, NULL AS day, 0 AS done, 1.0 AS share").unwrap_err();
        assert!(bad.to_string().contains("column gender"), "{bad}");
        let bad = lines(&c, "SELECT 1 AS id, 'male' AS gender, NULL AS day, 2 AS done, 1.0 AS share").unwrap_err();
        assert!(bad.to_string().contains("column done"), "{bad}");
        let missing = lines(&c, "SELECT 1 AS id, 'male' AS gender, 0 AS done").unwrap_err();
        assert!(missing.to_string().contains("missing field `share`"), "{missing}");
        let absent = lines(&c, "SELECT 1 AS id, 'male' AS gender, 0 AS done, 1 AS share").unwrap();
        assert_eq!(absent[0].day, None, "an Option no column fills is None");
    }
}
