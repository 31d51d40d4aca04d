//! Dues pages: a subtree's year (money received by month, who is in
//! arrears, who has no standard) and a member's year with the secretary's
//! two forms (set a standard, record a payment).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Datelike;
use ronghe_domain::auth::Action;
use ronghe_domain::dues::{format_yuan, parse_yuan, DuesRulePack, PaymentKind, Period};
use ronghe_domain::text::parse_date;
use ronghe_store::{MemberRecord, Org};
use serde::Deserialize;

use super::{counting, form_page, page, page_with, Chrome};
use crate::app::dues::{self, MemberYear, PaymentInput, StandardInput, SubtreeYear};
use crate::app::dues_import;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/dues", get(org_year))
        .route("/orgs/{id}/dues/export", get(org_export))
        .route("/orgs/{id}/dues/import", get(import_form).post(import_upload))
        .route("/orgs/{id}/dues/import/{draft}/commit", post(import_commit))
        .route("/members/{id}/dues", get(member_year))
        .route("/members/{id}/dues/standard", post(set_standard))
        .route("/members/{id}/dues/payments", post(record_payment))
        .route("/members/{id}/dues/payments/{payment}/void", post(void_payment))
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

/// Fen as yuan, for templates.
fn yuan(fen: &i64) -> String {
    format_yuan(*fen)
}

#[derive(Template)]
#[template(path = "dues/org.html")]
struct OrgDuesPage {
    page: Chrome,
    org: Org,
    d: std::sync::Arc<SubtreeYear>,
    can_write: bool,
}

impl OrgDuesPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(fen)
    }
}

async fn org_year(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadDues, id).await?;
    let year = state.year_or_current(q.year);
    let figure = dues::subtree_year(&state, &org, year).await?;
    let title = format!("{} · {}", org.name, crate::i18n::Tr(auth.lang()).t("dues.title"));
    let here = format!("/orgs/{id}/dues?year={year}");
    let Some(d) = figure.value().cloned() else { return counting(&auth, &org, title, here) };
    let can_write = auth.principal().can(Action::WriteDues, &org.path);
    page(OrgDuesPage { page: Chrome::new(&auth, title, here).counted(&state, &figure), org, d, can_write })
}

/// The subtree's dues year as .xlsx: money received by month, the members
/// in arrears, those with no standard. Audited: it names people and sums.
async fn org_export(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    use ronghe_exchange::{write_report, Cell, Sheet};
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadDues, id).await?;
    let year = state.year_or_current(q.year);
    let figure = dues::subtree_year(&state, &org, year).await?;
    let tr = crate::i18n::Tr(auth.lang());
    let Some(d) = figure.value() else {
        return counting(
            &auth,
            &org,
            format!("{} · {}", org.name, tr.t("dues.title")),
            format!("/orgs/{id}/dues/export?year={year}"),
        );
    };
    // An earlier count says when it was counted, in the first sheet's last
    // row and in the audit; a list cut at `dues::LISTED` says so in its
    // last row.
    let counted_at = figure.counted_at().map(|at| state.local_minute(at));
    let cut = |shown: usize, total: usize| {
        (shown < total).then(|| {
            vec![Cell::Text(tr.tf("dues.first_n", &[("n", &shown.to_string()), ("total", &total.to_string())]))]
        })
    };
    let yuan = |key: &str| format!("{}{}", tr.t(key), tr.t("dues.yuan_suffix"));
    let person = |a: &dues::Arrears| vec![Cell::Text(a.name.clone()), Cell::Text(a.org_name.clone())];
    let sheets = vec![
        Sheet {
            name: tr.t("dues.by_month").into(),
            columns: vec![
                (tr.t("dues.period").into(), 12.0),
                (yuan("dues.regular"), 16.0),
                (yuan("dues.voluntary"), 16.0),
                (tr.t("dues.payments").into(), 10.0),
            ],
            rows: d
                .months
                .iter()
                .map(|m| {
                    vec![
                        Cell::Text(m.period.clone()),
                        Cell::Fen(m.regular_fen),
                        Cell::Fen(m.voluntary_fen),
                        Cell::Int(m.payments),
                    ]
                })
                .chain(counted_at.as_ref().map(|at| vec![Cell::Text(tr.tf("figure.counted_at", &[("at", at)]))]))
                .collect(),
        },
        Sheet {
            name: tr.t("dues.arrears").into(),
            columns: vec![
                (tr.t("member.name").into(), 12.0),
                (tr.t("member.org").into(), 28.0),
                (tr.t("dues.months_owed").into(), 10.0),
                (yuan("dues.owed"), 14.0),
            ],
            rows: d
                .arrears
                .iter()
                .map(|a| [person(a), vec![Cell::Int(a.months_owed as i64), Cell::Fen(a.owed_fen)]].concat())
                .chain(cut(d.arrears.len(), d.arrears_count))
                .collect(),
        },
        Sheet {
            name: tr.t("dues.without_standard").into(),
            columns: vec![(tr.t("member.name").into(), 12.0), (tr.t("member.org").into(), 28.0)],
            rows: d
                .without_standard
                .iter()
                .map(person)
                .chain(cut(d.without_standard.len(), d.without_standard_count))
                .collect(),
        },
    ];
    let bytes = write_report(&sheets).map_err(|e| AppError::Internal(e.into()))?;
    state
        .store
        .audit(
            &auth.actor(),
            ronghe_store::AuditEntry::new("dues.export", "org", id)
                .org(id)
                .detail(serde_json::json!({"year": d.year, "counted_at": figure.counted_at()})),
        )
        .await?;
    let disposition = format!("attachment; filename=\"dues-{}-{}.xlsx\"", org.code, d.year);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The member's forms as typed, kept when they come back with an error.
#[derive(Debug, Clone, Default, Deserialize)]
struct StandardForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    from_month: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    monthly_income: String,
    #[serde(default)]
    monthly_dues: String,
    #[serde(default)]
    reason: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct PaymentForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    payer: String,
}

#[derive(Template)]
#[template(path = "dues/member.html")]
struct MemberDuesPage {
    page: Chrome,
    m: MemberRecord,
    org: Org,
    d: MemberYear,
    can_write: bool,
    categories: Vec<String>,
    standard: StandardForm,
    payment: PaymentForm,
    /// (which form, the message) when a form came back refused.
    error: Option<(&'static str, String)>,
}

impl MemberDuesPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(fen)
    }

    fn opt_yuan(&self, fen: &Option<i64>) -> String {
        fen.map(|f| yuan(&f)).unwrap_or_else(|| "—".into())
    }
}

async fn member_page(
    state: &AppState,
    auth: &Auth,
    m: MemberRecord,
    year: i32,
    standard: StandardForm,
    payment: PaymentForm,
    error: Option<(&'static str, String)>,
) -> AppResult<Response> {
    let org = state.store.org(m.row.org_id).await?;
    let d = dues::member_year(state, &m, year).await?;
    let pack =
        state.store.dues_rules(m.tenant_id, state.today()).await.unwrap_or_else(|_| DuesRulePack::default_pack());
    let title = format!("{} · {}", m.row.name, crate::i18n::Tr(auth.lang()).t("dues.title"));
    form_page(
        error.is_some(),
        MemberDuesPage {
            page: Chrome::new(auth, title, format!("/members/{}/dues?year={year}", m.row.id)),
            can_write: auth.principal().can(Action::WriteDues, &m.org_path),
            categories: pack.categories.iter().map(|c| c.code.clone()).collect(),
            m,
            org,
            d,
            standard,
            payment,
            error,
        },
    )
}

async fn member_year(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    dues::may_read(&auth, &m)?;
    let year = state.year_or_current(q.year);
    let today = state.today();
    let standard = StandardForm { year: year.to_string(), from_month: "1".into(), ..Default::default() };
    let payment = PaymentForm {
        kind: "regular".into(),
        period: Period::of(today).to_string(),
        paid_on: today.to_string(),
        ..Default::default()
    };
    member_page(&state, &auth, m, year, standard, payment, None).await
}

async fn set_standard(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<StandardForm>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    auth.require(Action::WriteDues, &m.org_path)?;
    let year = f.year.trim().parse::<i32>().unwrap_or_else(|_| state.today().year());
    let money = |s: &str, field| match s.trim() {
        "" => Ok(None),
        t => parse_yuan(t).map(Some).ok_or(AppError::Refused { field, key: "dues.bad_amount", params: vec![] }),
    };
    let result = async {
        let input = StandardInput {
            year,
            from_month: f.from_month.trim().parse().unwrap_or(0),
            category: f.category.clone(),
            monthly_income_fen: money(&f.monthly_income, "monthly_income_fen")?,
            monthly_dues_fen: money(&f.monthly_dues, "monthly_dues_fen")?,
            reason: f.reason.clone(),
        };
        dues::set_standard(&state, &auth, &m, &input).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}/dues?year={year}")).into_response()),
        Err(e) => {
            let message = super::form_error(crate::i18n::Tr(auth.lang()), e, None)?;
            let payment = PaymentForm { kind: "regular".into(), ..Default::default() };
            member_page(&state, &auth, m, year, f, payment, Some(("standard", message))).await
        }
    }
}

async fn record_payment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<PaymentForm>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    auth.require(Action::WriteDues, &m.org_path)?;
    let refused = |field, key| AppError::Refused { field, key, params: vec![] };
    let input = (|| {
        let kind = PaymentKind::from_code(f.kind.trim()).ok_or(refused("kind", "dues.unknown_kind"))?;
        let period = match f.period.trim() {
            "" => None,
            p => Some(Period::parse(p).ok_or(refused("period", "dues.bad_period"))?),
        };
        let amount_fen = parse_yuan(&f.amount).ok_or(refused("amount_fen", "dues.bad_amount"))?;
        let paid_on = parse_date(&f.paid_on).ok_or(refused("paid_on", "dues.bad_date"))?;
        Ok::<_, AppError>(PaymentInput { kind, period, amount_fen, paid_on, payer: f.payer.clone() })
    })();
    let result = match input {
        Ok(input) => dues::record_payment(&state, &auth, &m, &input).await.map(|_| input),
        Err(e) => Err(e),
    };
    match result {
        Ok(input) => {
            let year = input.period.map_or(input.paid_on.year(), |p| p.year);
            Ok(Redirect::to(&format!("/members/{id}/dues?year={year}")).into_response())
        }
        Err(e) => {
            let message = super::form_error(crate::i18n::Tr(auth.lang()), e, None)?;
            let year = Period::parse(&f.period).map_or_else(|| state.today().year(), |p| p.year);
            let standard = StandardForm { year: year.to_string(), from_month: "1".into(), ..Default::default() };
            member_page(&state, &auth, m, year, standard, f, Some(("payment", message))).await
        }
    }
}

#[derive(Template)]
#[template(path = "dues/import.html")]
struct ImportPage {
    page: Chrome,
    org: Org,
    report: Option<dues_import::PayrollReport>,
    draft_id: Option<i64>,
    year: String,
    from_month: String,
    category: String,
    categories: Vec<String>,
}

impl ImportPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(fen)
    }
}

async fn import_scope(state: &AppState, auth: &Auth, id: i64) -> AppResult<Org> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteDues, &org.path)?;
    Ok(org)
}

/// The import page, empty or with a report.
async fn import_page(
    state: &AppState,
    auth: &Auth,
    org: Org,
    opts: &dues_import::PayrollOptions,
    report: Option<dues_import::PayrollReport>,
    draft_id: Option<i64>,
) -> AppResult<Response> {
    let pack = state.store.dues_rules(org.tenant_id, state.today()).await?;
    let status = match &report {
        Some(r) if !r.problems.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let tr = crate::i18n::Tr(auth.lang());
    page_with(
        status,
        ImportPage {
            page: Chrome::new(auth, tr.t("dues.import_title"), format!("/orgs/{}/dues/import", org.id)),
            org,
            report,
            draft_id,
            year: opts.year.to_string(),
            from_month: opts.from_month.to_string(),
            category: opts.category.clone(),
            categories: pack.categories.iter().map(|c| c.code.clone()).collect(),
        },
    )
}

async fn import_form(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let org = import_scope(&state, &auth, id).await?;
    let today = state.today();
    let opts =
        dues_import::PayrollOptions { year: today.year(), from_month: today.month(), category: "employed".into() };
    import_page(&state, &auth, org, &opts, None, None).await
}

#[derive(Debug, Deserialize)]
struct ImportOptionsForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    from_month: String,
    #[serde(default)]
    category: String,
}

impl ImportOptionsForm {
    fn options(&self) -> dues_import::PayrollOptions {
        dues_import::PayrollOptions {
            year: self.year.trim().parse().unwrap_or(0),
            from_month: self.from_month.trim().parse().unwrap_or(0),
            category: self.category.trim().to_string(),
        }
    }
}

async fn import_upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    mut multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let org = import_scope(&state, &auth, id).await?;
    let mut file = None;
    let mut form = ImportOptionsForm { year: String::new(), from_month: String::new(), category: String::new() };
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::BadRequest("import.unreadable"))? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|_| AppError::BadRequest("import.unreadable"))?;
                file = Some((name, bytes));
            }
            Some(name @ ("year" | "from_month" | "category")) => {
                let name = name.to_string();
                let value = field.text().await.map_err(|_| AppError::BadRequest("import.unreadable"))?;
                match name.as_str() {
                    "year" => form.year = value,
                    "from_month" => form.from_month = value,
                    _ => form.category = value,
                }
            }
            _ => {}
        }
    }
    let (file_name, bytes) = file.filter(|(_, b)| !b.is_empty()).ok_or(AppError::BadRequest("import.no_file"))?;
    let opts = form.options();
    let report = dues_import::analyse(&state, &auth, &org, &file_name, &bytes, &opts).await?;
    let draft_id = if report.ok() {
        Some(
            state
                .store
                .stash_import("payroll", org.tenant_id, auth.principal().user_id, org.id, &file_name, &bytes)
                .await?,
        )
    } else {
        None
    };
    import_page(&state, &auth, org, &opts, Some(report), draft_id).await
}

/// Checks the stashed payroll again (the roster may have changed since the
/// preview) and sets every standard, or none.
async fn import_commit(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, draft)): Path<(i64, i64)>,
    Form(form): Form<ImportOptionsForm>,
) -> AppResult<Response> {
    let org = import_scope(&state, &auth, id).await?;
    let stashed = state.store.import_draft("payroll", draft, auth.principal().user_id).await?;
    if stashed.org_id != org.id {
        return Err(AppError::NotFound);
    }
    let opts = form.options();
    let report = dues_import::analyse(&state, &auth, &org, &stashed.file_name, &stashed.content, &opts).await?;
    if !report.ok() {
        return import_page(&state, &auth, org, &opts, Some(report), None).await;
    }
    dues_import::commit(&state, &auth.actor(), &report).await?;
    state.store.drop_import(draft).await?;
    Ok(Redirect::to(&format!("/orgs/{id}/dues?year={}", opts.year)).into_response())
}

#[derive(Debug, Deserialize)]
struct VoidForm {
    #[serde(default)]
    reason: String,
}

async fn void_payment(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, payment)): Path<(i64, i64)>,
    Form(f): Form<VoidForm>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    let year = state.store.dues_payment_year(id, payment).await?.unwrap_or_else(|| state.today().year());
    match dues::void_payment(&state, &auth, &m, payment, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}/dues?year={year}")).into_response()),
        Err(e) => {
            let message = super::form_error(crate::i18n::Tr(auth.lang()), e, None)?;
            let standard = StandardForm { year: year.to_string(), from_month: "1".into(), ..Default::default() };
            let payment = PaymentForm { kind: "regular".into(), ..Default::default() };
            member_page(&state, &auth, m, year, standard, payment, Some(("payment", message))).await
        }
    }
}
