//! Roster import and export, shared by the import page, the API and the
//! `ronghe import members` / `ronghe export members` commands.
//!
//! An import is checked whole before anything is written: the file's own
//! problems (by `ronghe-exchange`), then what only the database knows
//! (branches by name or code, identity numbers already on the roster).
//! Only a file without a single problem is written, in one transaction.

use std::collections::HashMap;

use chrono::NaiveDate;
use ronghe_domain::i18n::{t, tf, Lang};
use ronghe_domain::members::MemberDraft;
use ronghe_exchange::{ExportRow, FileKind};
use ronghe_store::{Actor, MemberFilter, Org, Store};
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// One problem, located: the spreadsheet row and column, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    /// The spreadsheet's own row number (0 for a problem with the header).
    pub row: usize,
    /// The column's header as written in the file.
    pub column: String,
    pub code: String,
    pub message: String,
}

/// What an import would do.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file_name: String,
    pub rows: usize,
    pub problems: Vec<ImportProblem>,
    pub ignored_columns: Vec<String>,
    /// The members to add, with their organisations, when there are no problems.
    #[serde(skip)]
    pub ready: Vec<(i64, MemberDraft)>,
    /// Organisation names for the preview: id → name.
    #[serde(skip)]
    pub org_names: HashMap<i64, String>,
}

impl ImportReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && !self.ready.is_empty()
    }
}

/// A located problem with its message; `params` fill the message's
/// placeholders (`{row}`, `{column}`, `{value}`).
pub(crate) fn problem(
    lang: Lang,
    row: usize,
    column: impl Into<String>,
    key: &str,
    params: &[(&str, String)],
) -> ImportProblem {
    ImportProblem { row, column: column.into(), code: key.to_string(), message: tf(lang, key, params) }
}

/// Checks a file for import into the subtree at `root`. `may_write` says
/// whether the user may add members to an organisation.
pub async fn analyse(
    store: &Store,
    root: &Org,
    file_name: &str,
    bytes: &[u8],
    today: NaiveDate,
    lang: Lang,
    may_write: &(dyn Fn(&Org) -> bool + Sync),
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        file_name: file_name.to_string(),
        rows: 0,
        problems: vec![],
        ignored_columns: vec![],
        ready: vec![],
        org_names: HashMap::new(),
    };
    let Some(kind) = FileKind::from_name(file_name) else {
        report.problems.push(problem(lang, 0, "", "import.bad_extension", &[]));
        return Ok(report);
    };
    let table = match ronghe_exchange::read_table(kind, bytes) {
        Ok(t) => t,
        Err(e) => {
            report.problems.push(problem(lang, 0, "", e.key(), &[]));
            return Ok(report);
        }
    };
    let map = match ronghe_exchange::map_columns(&table.headers) {
        Ok(m) => m,
        Err(problems) => {
            report.problems = problems
                .iter()
                .map(|p| problem(lang, 0, p.column.clone(), p.key, &[("column", p.column.clone())]))
                .collect();
            return Ok(report);
        }
    };
    report.ignored_columns = map.ignored_columns.clone();
    let rows = ronghe_exchange::rows(&table, &map);
    report.rows = rows.len();
    if rows.is_empty() {
        report.problems.push(problem(lang, 0, "", "import.empty", &[]));
        return Ok(report);
    }
    let checked = ronghe_exchange::check_rows(&rows, &map, today);
    for e in &checked.errors {
        let other = e.other_row.map(|r| r.to_string()).unwrap_or_default();
        report.problems.push(problem(lang, e.row, e.column.clone(), e.key, &[("row", other)]));
    }

    // Where each row goes: its branch column, or the organisation imported into.
    let branch_column = ronghe_exchange::column_for(&map, "branch");
    let mut resolved: HashMap<String, Result<Org, &'static str>> = HashMap::new();
    let mut placed: Vec<(usize, i64, MemberDraft)> = Vec::new();
    for (row, branch, draft) in checked.drafts {
        let target = match branch.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            None => {
                if root.kind.holds_members() && may_write(root) {
                    Ok(root.clone())
                } else {
                    Err("import.org_not_branch")
                }
            }
            Some(key) => {
                if !resolved.contains_key(key) {
                    let found = store.find_org_in_subtree(&root.path, key).await?;
                    let r = match found.as_slice() {
                        [] => Err("import.unknown_branch"),
                        [o] if !o.kind.holds_members() => Err("import.org_not_branch"),
                        [o] if !may_write(o) => Err("import.unknown_branch"),
                        [o] => Ok(o.clone()),
                        _ => Err("import.ambiguous_branch"),
                    };
                    resolved.insert(key.to_string(), r);
                }
                resolved[key].clone()
            }
        };
        match target {
            Ok(org) => {
                report.org_names.insert(org.id, org.name.clone());
                placed.push((row, org.id, draft));
            }
            Err(key) => {
                let value = branch.clone().unwrap_or_else(|| root.name.clone());
                report.problems.push(problem(lang, row, branch_column.clone(), key, &[("value", value)]))
            }
        }
    }

    // Identity numbers already on the tenant's roster.
    let indexes: Vec<String> =
        ronghe_domain::par::map(&placed, |(_, _, d)| store.id_number_index(d.id_number.as_str()));
    let existing = store.existing_id_indexes(root.tenant_id, &indexes).await?;
    let id_column = ronghe_exchange::column_for(&map, "id_number");
    for ((row, _, _), index) in placed.iter().zip(&indexes) {
        if existing.contains(index) {
            report.problems.push(problem(lang, *row, id_column.clone(), "import.duplicate_in_db", &[]));
        }
    }
    report.problems.sort_by_key(|p| p.row);
    report.ready = placed.into_iter().map(|(_, org, d)| (org, d)).collect();
    Ok(report)
}

/// Writes a checked import: all of its rows or, on any problem, none.
pub async fn commit(store: &Store, actor: &Actor, report: &ImportReport) -> AppResult<usize> {
    if !report.ok() {
        return Err(AppError::BadRequest("import.has_problems"));
    }
    let ids = store.insert_members(actor, &report.ready, "member.import").await?;
    // A large import changes what the planner should know about the roster.
    if ids.len() >= Store::BULK_ROWS {
        store.analyze().await?;
    }
    Ok(ids.len())
}

/// The filtered roster of a subtree as a spreadsheet. With `clear`, the
/// identity numbers and phones are decrypted (one audit row for the lot).
pub async fn export(
    store: &Store,
    actor: &Actor,
    org: &Org,
    filter: &MemberFilter,
    clear: bool,
    kind: FileKind,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let mut rows = Vec::new();
    let mut f = MemberFilter { limit: 5_000, after: None, ..filter.clone() };
    loop {
        let page = store.list_members(&f).await?;
        rows.extend(page.rows);
        match page.next {
            Some(c) => f.after = ronghe_store::decode_cursor(&c),
            None => break,
        }
    }
    let clear_values: HashMap<i64, (String, Option<String>)> = if clear {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        store.reveal_members(actor, org.id, &ids).await?.into_iter().map(|(id, n, p)| (id, (n, p))).collect()
    } else {
        HashMap::new()
    };
    let codes: HashMap<i64, String> =
        store.subtree_orgs(&org.path).await?.into_iter().map(|o| (o.id, o.code)).collect();
    let out: Vec<ExportRow> = rows
        .into_iter()
        .map(|r| {
            let (id_number, phone) = match clear_values.get(&r.id) {
                Some((n, p)) => (n.clone(), p.clone().unwrap_or_default()),
                None => (r.id_number_masked.clone(), r.phone_masked.clone().unwrap_or_default()),
            };
            let label = |group: &str, code: &str| t(lang, &format!("{group}.{code}")).to_string();
            ExportRow {
                org_code: codes.get(&r.org_id).cloned().unwrap_or_default(),
                org_name: r.org_name.clone(),
                name: r.name.clone(),
                gender: label("gender", r.gender.code()),
                ethnicity: r.ethnicity.clone(),
                birth_date: Some(r.birth_date),
                id_number,
                education: r.education.0.map(|e| label("education", e.code())).unwrap_or_default(),
                post: r.post.clone(),
                unit: r.unit.clone(),
                phone,
                category: label("category", r.category.code()),
                join_date: Some(r.join_date),
                conversion_date: r.conversion_date,
                status: label("status", r.status.code()),
            }
        })
        .collect();
    let bytes = match kind {
        FileKind::Xlsx => ronghe_exchange::write_xlsx(&out, lang),
        FileKind::Csv => ronghe_exchange::write_csv(&out, lang),
    }
    .map_err(|e| AppError::Internal(anyhow::anyhow!("export failed: {e}")))?;
    Ok(bytes)
}
