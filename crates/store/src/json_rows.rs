//! Lists and records read on SQLite as one JSON value: the database folds
//! the rows into a JSON array of objects (a record is an array of one), which
//! serde decodes by column name. On PostgreSQL the same lists are read row
//! by row, as every other query is.
//!
//! Why on SQLite: until session 13 these reads went through SQLx's SQLite
//! driver, which runs each connection on a thread of its own and sends
//! every row to the caller's task over a channel, copying each of the
//! row's values into an allocation of its own on that thread
//! (`sqlite3_value_dup`), which the caller then frees on another. For a
//! page of fifty roster lines that is about a thousand allocations freed
//! across threads. Measured with `scripts/driver-probe` (a branch's roster
//! statement, 64 async clients, two cores, session 12): 6,895 pages/s and
//! 283 µs of CPU a page row by row, 9,772 pages/s and 200 µs as one JSON
//! value of objects decoded by serde. Two shapes measured and not taken:
//! arrays of columns by position (11,376 pages/s, but a column list out of
//! step with the struct would decode silently wrong), and the order inside
//! the aggregate (`json_group_array(… ORDER BY …)`: 7,774 pages/s, because
//! SQLite then sorts the page again in a temporary table). The page is
//! sorted by the caller's comparison after decoding instead: the inner
//! query's `ORDER BY` and `LIMIT` choose the rows, and SQLite does not
//! promise that an aggregate meets them in that order, so the sort makes
//! the order certain, at no measurable cost on a page that is already in
//! it. Since session 13 they run on the caller's thread through
//! [`crate::reader::Reader`], with no driver thread between; the JSON
//! stays because it decodes any `Deserialize` type by column name, where
//! reading rusqlite's rows would need a hand-written mapping per type.
//!
//! Why not on PostgreSQL: its driver reads rows from the socket on the
//! caller's task, with no thread between, and building the JSON costs the
//! server more than sending the rows: the same pages fell by a quarter to
//! a half (a branch's roster 2,070 → 1,545 pages/s, the root's new-member
//! form 2,950 → 1,558) when they were read as `json_agg` there.
//!
//! Use it for bounded reads (the reader's invariant: a key lookup or a
//! page with a `LIMIT`) whose columns are plain values (text, integers,
//! dates as ISO text, NULLs; not booleans, which SQLite stores as
//! integers). Through SQLx, short lists gained nothing measurable (session
//! 12: the org page's children, 17 rows, and decision governance's
//! topics, 29); through the reader every such read saves its hand-offs
//! to the driver's thread, whatever its length. The objects are keyed by
//! column name, so the Rust type's fields are matched
//! by name, not by position. The comparison must order as the SQL does:
//! SQLite's default collation compares text byte by byte, as Rust's `str`
//! does, and ISO dates order as `NaiveDate` does. The column list given
//! beside the query names its output columns, each a plain column named by
//! itself or by `AS` (the query itself may compute them under those
//! names): [`object`] refuses anything else. The type derives both
//! `sqlx::FromRow` and `Deserialize`; `scripts/test` (and so `.ci/run`)
//! runs every integration test on both backends and fails without
//! PostgreSQL, so each is read both ways, and tests check such reads
//! against what was written and the lists' order.

use serde::de::DeserializeOwned;

use crate::StoreError;

/// Reads a list: `$sql` (ending in its `ORDER BY`, and a `LIMIT` if any),
/// whose output columns begin with `$columns` (the fields of `$ty`; the
/// query may select more after them, to order by), with `$cmp` comparing two rows as
/// that `ORDER BY` does. `$bounded` says whether the read stops within
/// about a page whatever the data (see `reader.rs`): on SQLite a bounded
/// read runs on the caller's thread, any other on a blocking thread
/// (`$bounded` is evaluated on SQLite only, so it may ask the store).
/// `$bind` binds the parameters to `$q`, and is expanded once per backend.
/// Evaluates to `StoreResult<Vec<$ty>>`.
macro_rules! fetch_list {
    ($store:expr, $ty:ty, $columns:expr, $sql:expr, $cmp:expr, bounded = $bounded:expr, |$q:ident| $bind:expr) => {{
        let sql: &str = &$sql;
        let result: $crate::StoreResult<Vec<$ty>> = match &$store.db {
            $crate::Db::Sqlite(_, reader) => {
                // The row's JSON object, built from the column list once.
                static OBJECT: std::sync::LazyLock<String> =
                    std::sync::LazyLock::new(|| $crate::json_rows::object($columns));
                let sql = $crate::json_rows::wrap(&OBJECT, sql);
                let binds = {
                    let $q = $crate::reader::Binds::default();
                    $bind
                };
                let run = move |c: &rusqlite::Connection| binds.one::<String>(c, &sql);
                let json = if $bounded { reader.read(run) } else { reader.read_aside(run).await };
                json.and_then(|json| {
                    $crate::json_rows::decode::<$ty>(&json).map(|mut rows| {
                        let cmp: fn(&$ty, &$ty) -> std::cmp::Ordering = $cmp;
                        rows.sort_by(cmp);
                        rows
                    })
                })
            }
            $crate::Db::Postgres(pool) => {
                let $q = sqlx::query_as::<_, $ty>(sql);
                $bind.fetch_all(pool).await.map_err(Into::into)
            }
        };
        result
    }};
}
pub(crate) use fetch_list;

/// Reads one row by key: `$sql`, whose select list is `$columns` (the
/// fields of `$ty`), as [`fetch_list!`] reads a list of at most one (a
/// bounded read). No row is [`StoreError::NotFound`]. Evaluates to
/// `StoreResult<$ty>`.
macro_rules! fetch_row {
    ($store:expr, $ty:ty, $columns:expr, $sql:expr, |$q:ident| $bind:expr) => {
        $crate::json_rows::fetch_list!(
            $store,
            $ty,
            $columns,
            $sql,
            |_: &$ty, _: &$ty| std::cmp::Ordering::Equal,
            bounded = true,
            |$q| $bind
        )
        .and_then(|rows| rows.into_iter().next().ok_or($crate::StoreError::NotFound))
    };
}
pub(crate) use fetch_row;

/// The output names of a select list such as `"m.id, o.name AS org_name"`:
/// what follows `AS`, or the column after the last dot.
/// Panics on an item that is not a plain column: the lists are constants,
/// so the first test that reads one finds out.
pub(crate) fn column_names(select_list: &str) -> Vec<&str> {
    select_list
        .split(',')
        .map(|item| {
            let item = item.trim();
            let at = item.find(" AS ").or_else(|| item.find(" as "));
            let name = match at {
                Some(at) => item[at + 4..].trim(),
                None => item.rsplit('.').next().unwrap_or(item).trim(),
            };
            let plain = |s: &str| {
                s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                    && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            };
            let column = at.map_or(item, |at| &item[..at]);
            assert!(
                plain(name) && column.split('.').all(plain),
                "json_rows reads plain columns only, named by themselves or by AS: {item:?}"
            );
            name
        })
        .collect()
}

/// The JSON object of a row of `select_list`, keyed by its output names.
pub(crate) fn object(select_list: &str) -> String {
    let pairs: Vec<String> = column_names(select_list).into_iter().map(|n| format!("'{n}', {n}")).collect();
    format!("json_object({})", pairs.join(", "))
}

/// Wraps `inner`, a SQLite query whose select list begins with the columns
/// of `object` (from [`object`]), so that it answers one row of one text:
/// its rows as a JSON array of objects, in no promised order. No rows give
/// `[]`.
pub(crate) fn wrap(object: &str, inner: &str) -> String {
    format!("SELECT json_group_array({object}) FROM ({inner})")
}

/// Decodes what [`wrap`]'s query answered.
pub(crate) fn decode<T: DeserializeOwned>(json: &str) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Other(anyhow::anyhow!("a JSON page of rows: {e}")))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_follows_as_or_the_last_dot() {
        assert_eq!(
            column_names("m.id, o.name AS org_name,\n     m.birth_date, version, c.stage as now"),
            vec!["id", "org_name", "birth_date", "version", "now"]
        );
    }

    #[test]
    #[should_panic(expected = "plain columns only")]
    fn an_expression_is_refused() {
        column_names("m.id, COALESCE(m.post, m.unit) AS post");
    }

    #[test]
    fn the_wrapper_keys_each_row_by_its_names() {
        let sql = wrap(&object("m.id, o.name AS org_name"), "SELECT 1");
        assert_eq!(sql, "SELECT json_group_array(json_object('id', id, 'org_name', org_name)) FROM (SELECT 1)");
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Line {
        id: i64,
        #[serde(deserialize_with = "via::<_, String, _>")]
        gender: ronghe_domain::members::Gender,
        day: Option<chrono::NaiveDate>,
    }

    #[test]
    fn rows_decode_by_name_and_codes_through_their_conversion() {
        let rows: Vec<Line> =
            decode(r#"[{"day": "2024-07-01", "gender": "female", "id": 3}, {"id": 4, "gender": "male", "day": null}]"#)
                .unwrap();
        assert_eq!(rows[0].day, chrono::NaiveDate::from_ymd_opt(2024, 7, 1));
        assert_eq!(rows[1], Line { id: 4, gender: ronghe_domain::members::Gender::Male, day: None });
        let bad = decode::<Line>(r#"[{"id": 1, "gender": "x", "day": null}]"#).unwrap_err();
        assert!(bad.to_string().contains("JSON page"), "{bad}");
    }
}
