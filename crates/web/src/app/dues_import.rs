//! Payroll import for dues: a payroll export sets the monthly income, and
//! so the standard, of every member it names, from a month on. Checked
//! whole like the roster import: the file's own problems, then what only
//! the roster knows (who the ID number belongs to, whether they are in the
//! organisation imported into, whether the name matches). Nothing is
//! written unless every row is right.

use std::collections::HashMap;

use chrono::NaiveDate;
use ronghe_domain::auth::{path_within, Action};
use ronghe_domain::text::fold_compact;
use ronghe_exchange::{read_payroll, read_table, FileKind};
use ronghe_store::{Actor, IndexedMember, NewStandard, Org};
use serde::Serialize;

use crate::app::roster_import::{problem, ImportProblem};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// What the standards are set for: a month of a year on, and the category
/// of rows that do not name one.
#[derive(Debug, Clone, Default)]
pub struct PayrollOptions {
    pub year: i32,
    pub from_month: u32,
    pub category: String,
}

/// A standard the import would set, with who it is for.
#[derive(Debug, Clone)]
pub struct ReadyStandard {
    pub standard: NewStandard,
    pub name: String,
    pub org_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PayrollReport {
    pub file_name: String,
    pub rows: usize,
    pub problems: Vec<ImportProblem>,
    #[serde(skip)]
    pub ready: Vec<ReadyStandard>,
}

impl PayrollReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && !self.ready.is_empty()
    }
}

pub async fn analyse(
    state: &AppState,
    auth: &Auth,
    root: &Org,
    file_name: &str,
    bytes: &[u8],
    opts: &PayrollOptions,
) -> AppResult<PayrollReport> {
    let lang = auth.lang();
    let mut report = PayrollReport { file_name: file_name.to_string(), rows: 0, problems: vec![], ready: vec![] };
    let Some(first) = NaiveDate::from_ymd_opt(opts.year, opts.from_month, 1) else {
        report.problems.push(problem(lang, 0, "", "dues.bad_month", &[]));
        return Ok(report);
    };
    let Some(kind) = FileKind::from_name(file_name) else {
        report.problems.push(problem(lang, 0, "", "import.bad_extension", &[]));
        return Ok(report);
    };
    let table = match read_table(kind, bytes) {
        Ok(t) => t,
        Err(e) => {
            report.problems.push(problem(lang, 0, "", e.key(), &[]));
            return Ok(report);
        }
    };
    let payroll = match read_payroll(&table) {
        Ok(p) => p,
        Err(key) => {
            report.problems.push(problem(lang, 0, "", key, &[]));
            return Ok(report);
        }
    };
    report.rows = table.rows.len();
    for e in &payroll.errors {
        let other = e.other_row.map(|r| r.to_string()).unwrap_or_default();
        report.problems.push(problem(lang, e.row, e.column.clone(), e.key, &[("row", other)]));
    }

    let indexes: Vec<String> =
        ronghe_domain::par::map(&payroll.rows, |r| state.store.id_number_index(r.id_number.as_str()));
    let found = state.store.members_by_id_indexes(root.tenant_id, &indexes).await?;
    let by_index: HashMap<&str, &IndexedMember> = found.iter().map(|m| (m.id_number_index.as_str(), m)).collect();
    let pack = state.store.dues_rules(root.tenant_id, first).await?;
    let p = auth.principal();
    for (r, index) in payroll.rows.iter().zip(&indexes) {
        let Some(m) = by_index.get(index.as_str()) else {
            report.problems.push(problem(lang, r.row, payroll.id_column.clone(), "dues.import_not_on_roster", &[]));
            continue;
        };
        if !path_within(&m.org_path, &root.path) || !p.can(Action::WriteDues, &m.org_path) {
            let params = [("org", root.name.clone())];
            report.problems.push(problem(lang, r.row, payroll.id_column.clone(), "dues.import_not_in_org", &params));
            continue;
        }
        if !matches!(m.status.as_str(), "normal" | "lost_contact") {
            report.problems.push(problem(lang, r.row, payroll.id_column.clone(), "dues.import_inactive", &[]));
            continue;
        }
        if !r.name.is_empty() && fold_compact(&r.name) != fold_compact(&m.name) {
            let params = [("roster", m.name.clone())];
            report.problems.push(problem(
                lang,
                r.row,
                payroll.name_column.clone(),
                "dues.import_name_differs",
                &params,
            ));
            continue;
        }
        match pack.quote(r.category.unwrap_or(opts.category.as_str()), Some(r.income_fen)) {
            Ok(q) => report.ready.push(ReadyStandard {
                standard: NewStandard {
                    member_id: m.id,
                    org_id: m.org_id,
                    year: opts.year,
                    from_month: opts.from_month,
                    category: q.category,
                    monthly_income_fen: q.monthly_income_fen,
                    rate_permille: q.rate_permille,
                    monthly_dues_fen: q.monthly_dues_fen,
                    pack_version: q.pack_version,
                    reason: String::new(),
                },
                name: m.name.clone(),
                org_name: m.org_name.clone(),
            }),
            Err(e) => report.problems.push(problem(lang, r.row, payroll.income_column.clone(), e.key, &[])),
        }
    }
    report.problems.sort_by_key(|p| p.row);
    if report.problems.is_empty() && report.ready.is_empty() {
        report.problems.push(problem(lang, 0, "", "import.empty", &[]));
    }
    Ok(report)
}

/// Sets every standard of a checked import, replacing any set from the same
/// month: all or, on any problem, none.
pub async fn commit(state: &AppState, actor: &Actor, report: &PayrollReport) -> AppResult<usize> {
    if !report.ok() {
        return Err(AppError::BadRequest("import.has_problems"));
    }
    let standards: Vec<NewStandard> = report.ready.iter().map(|r| r.standard.clone()).collect();
    state.store.insert_dues(actor, &standards, &[], true).await?;
    Ok(standards.len())
}
