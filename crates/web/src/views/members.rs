//! The roster (search, filters, keyset pages, export), member pages, and
//! the forms that add and edit members and record status changes.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ronghe_domain::auth::Action;
use ronghe_domain::members::{Category, Education, FieldError, Gender, MemberInput, Status};
use ronghe_domain::text::parse_date;
use ronghe_store::{decode_cursor, MemberFilter, MemberRecord, MemberRow, Org, StatusChange};
use serde::Deserialize;

use super::org_pick::{self, OrgChoice, PickQuery};
use super::{datetime, filters, is_htmx, page, Chrome};
use crate::app::roster;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/members", get(list).post(create))
        .route("/orgs/{id}/members/new", get(new_form))
        .route("/orgs/{id}/members/org-options", get(org_pick::enrolment_options))
        .route("/orgs/{id}/members/export", get(export))
        .route("/members/{id}", get(show))
        .route("/members/{id}/edit", get(edit_form).post(edit))
        .route("/members/{id}/reveal", post(reveal))
        .route("/members/{id}/status", post(change_status))
}

/// The roster's search and filters, as they appear in the URL.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub format: String,
}

impl RosterQuery {
    pub fn filter(&self, root_path: &str, limit: i64) -> MemberFilter {
        MemberFilter {
            root_path: root_path.to_string(),
            q: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
            category: Category::from_code(&self.category),
            status: Status::from_code(&self.status),
            education: Education::from_code(&self.education),
            gender: Gender::from_code(&self.gender),
            org_only: None,
            after: decode_cursor(&self.after),
            limit,
            include_inactive: false,
        }
    }

    /// The query string without the cursor, for "next page" and export links.
    pub fn base(&self) -> String {
        let e = crate::error::urlencode;
        format!(
            "q={}&category={}&status={}&education={}&gender={}",
            e(&self.q),
            e(&self.category),
            e(&self.status),
            e(&self.education),
            e(&self.gender)
        )
    }
}

pub const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "members/list.html")]
struct RosterPage {
    page: Chrome,
    tr: Tr,
    org: Org,
    query: RosterQuery,
    rows: Vec<MemberRow>,
    next: Option<String>,
    can_write: bool,
    can_import: bool,
    categories: Vec<&'static str>,
    statuses: Vec<&'static str>,
    educations: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "members/rows.html")]
struct RosterRows {
    tr: Tr,
    org: Org,
    rows: Vec<MemberRow>,
    next: Option<String>,
    query: RosterQuery,
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| code(*v)).collect()
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<RosterQuery>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::ReadRoster, &org.path)?;
    let result = state.store.list_members(&query.filter(&org.path, PAGE_SIZE)).await?;
    let tr = Tr(auth.lang());
    if is_htmx(&headers) {
        return page(RosterRows { tr, org, rows: result.rows, next: result.next, query });
    }
    let p = auth.principal();
    page(RosterPage {
        tr,
        page: Chrome::new(&auth, format!("{} · {}", org.name, tr.t("roster.title")), format!("/orgs/{id}/members")),
        can_write: p.can(Action::WriteRoster, &org.path),
        can_import: p.can(Action::ImportRoster, &org.path),
        org,
        query,
        rows: result.rows,
        next: result.next,
        categories: codes(Category::ALL, Category::code),
        statuses: codes(Status::ALL, Status::code),
        educations: codes(Education::ALL, Education::code),
    })
}

/// The whole filtered roster as .xlsx or .csv. Users who may see personal
/// data get it in full (one audit row for the export); others get it masked.
async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(query): Query<RosterQuery>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::ReadRoster, &org.path)?;
    let kind = if query.format == "csv" { ronghe_exchange::FileKind::Csv } else { ronghe_exchange::FileKind::Xlsx };
    let clear = auth.principal().can(Action::ViewPersonalData, &org.path);
    let bytes = crate::app::roster_import::export(
        &state.store,
        &auth.actor(),
        &org,
        &query.filter(&org.path, 0),
        clear,
        kind,
        auth.lang(),
    )
    .await?;
    let (mime, ext) = match kind {
        ronghe_exchange::FileKind::Csv => ("text/csv; charset=utf-8", "csv"),
        ronghe_exchange::FileKind::Xlsx => {
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        }
    };
    let disposition = format!("attachment; filename=\"members-{}.{ext}\"", org.code);
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

#[derive(Template)]
#[template(path = "members/show.html")]
struct MemberPage {
    page: Chrome,
    m: MemberRow,
    org: Org,
    history: Vec<StatusChange>,
    revealed: Option<(String, Option<String>)>,
    can_write: bool,
    can_reveal: bool,
    can_dues: bool,
    can_roster: bool,
    can_development: bool,
    statuses: Vec<&'static str>,
    today: String,
}

impl MemberPage {
    fn when(&self, ms: &i64) -> String {
        datetime(*ms)
    }
}

async fn member_page(
    state: &AppState,
    auth: &Auth,
    rec: MemberRecord,
    revealed: Option<(String, Option<String>)>,
) -> AppResult<Response> {
    let org = state.store.org(rec.row.org_id).await?;
    let history = state.store.status_history(rec.row.id).await?;
    let p = auth.principal();
    page(MemberPage {
        page: Chrome::new(auth, rec.row.name.clone(), format!("/members/{}", rec.row.id)),
        can_write: p.can(Action::WriteRoster, &rec.org_path),
        can_reveal: p.can(Action::ViewPersonalData, &rec.org_path),
        can_dues: p.member_id == Some(rec.row.id) || p.can(Action::ReadDues, &rec.org_path),
        can_roster: p.can(Action::ReadRoster, &rec.org_path),
        can_development: p.member_id == Some(rec.row.id) || p.can(Action::ReadDevelopment, &rec.org_path),
        m: rec.row,
        org,
        history,
        revealed,
        statuses: codes(Status::ALL, Status::code),
        today: state.today().to_string(),
    })
}

async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let rec = state.store.member(id).await?;
    roster::may_read(&auth, &rec)?;
    member_page(&state, &auth, rec, None).await
}

/// Shows the identity number and phone in full, once, and audits it. A
/// POST, so that a prefetch or a shared link never discloses anything.
async fn reveal(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let rec = state.store.member(id).await?;
    auth.require(Action::ViewPersonalData, &rec.org_path)?;
    let clear = state.store.reveal_member(&auth.actor(), id).await?;
    member_page(&state, &auth, rec, Some(clear)).await
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
    since: String,
    #[serde(default)]
    reason: String,
}

async fn change_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let rec = state.store.member(id).await?;
    auth.require(Action::WriteRoster, &rec.org_path)?;
    let status = Status::from_code(&f.status)
        .ok_or(AppError::Invalid(vec![FieldError { field: "status", key: "field.unknown_value" }]))?;
    let since =
        parse_date(&f.since).ok_or(AppError::Invalid(vec![FieldError { field: "since", key: "field.bad_date" }]))?;
    if since > state.today() {
        return Err(AppError::Invalid(vec![FieldError { field: "since", key: "date.in_future" }]));
    }
    state.store.change_member_status(&auth.actor(), id, status, since, f.reason.trim()).await?;
    Ok(Redirect::to(&format!("/members/{id}")).into_response())
}

/// The member form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct MemberForm {
    #[serde(flatten)]
    input: MemberInput,
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    version: i64,
}

#[derive(Template)]
#[template(path = "members/form.html")]
struct MemberFormPage {
    page: Chrome,
    action: String,
    heading: String,
    cancel: String,
    f: MemberInput,
    version: i64,
    choice: OrgChoice,
    errors: HashMap<&'static str, String>,
    categories: Vec<&'static str>,
    educations: Vec<&'static str>,
    genders: Vec<&'static str>,
}

impl MemberFormPage {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    fn general_errors(&self) -> Vec<&str> {
        self.errors.iter().filter(|(k, _)| **k == "form").map(|(_, v)| v.as_str()).collect()
    }
}

/// Where a member form is and what it was drawn from: the page itself (its
/// organisation search reloads it), where it is sent, its heading, where
/// cancel goes, and the scope whose branches and groups it enrols in.
struct FormAt<'a> {
    page: String,
    action: String,
    heading: String,
    cancel: String,
    scope: &'a Org,
    org_query: &'a str,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    at: FormAt<'_>,
    f: MemberInput,
    org_id: i64,
    version: i64,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let FormAt { page, action, heading, cancel, scope, org_query } = at;
    let tr = Tr(auth.lang());
    let failed = !errors.is_empty();
    let errors: HashMap<&'static str, String> = errors
        .into_iter()
        .map(|e| (if e.field.is_empty() { "form" } else { e.field }, tr.t(e.key).to_string()))
        .collect();
    super::form_page(
        failed,
        MemberFormPage {
            page: Chrome::new(auth, heading.clone(), page.clone()),
            choice: OrgChoice { page_href: page, ..org_pick::enrolment(state, auth, scope, org_query, org_id).await? },
            action,
            heading,
            cancel,
            f,
            version,
            errors,
            categories: codes(Category::ALL, Category::code),
            educations: codes(Education::ALL, Education::code),
            genders: codes(Gender::ALL, Gender::code),
        },
    )
}

async fn new_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<PickQuery>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteRoster, &org.path)?;
    let tr = Tr(auth.lang());
    let preselect = if org.kind.holds_members() { org.id } else { 0 };
    let input =
        MemberInput { category: Category::Full.code().into(), ethnicity: "汉族".into(), ..Default::default() };
    let at = FormAt {
        page: format!("/orgs/{id}/members/new"),
        action: format!("/orgs/{id}/members"),
        heading: tr.t("member.new_title").into(),
        cancel: format!("/orgs/{id}/members"),
        scope: &org,
        org_query: &q.org_q,
    };
    form_page(&state, &auth, at, input, q.org_id.trim().parse().unwrap_or(preselect), 0, vec![]).await
}

fn target_id(f: &MemberForm) -> Result<i64, FieldError> {
    f.org_id.trim().parse().map_err(|_| FieldError { field: "org_id", key: "field.required" })
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    let scope = state.store.org(id).await?;
    auth.require(Action::WriteRoster, &scope.path)?;
    let tr = Tr(auth.lang());
    let result = match target_id(&f) {
        Ok(org_id) => {
            let target = state.store.org(org_id).await?;
            if !target.path.starts_with(&scope.path) {
                return Err(AppError::NotFound);
            }
            roster::create_member(&state, &auth, &target, &f.input).await
        }
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match result {
        Ok(member_id) => Ok(Redirect::to(&format!("/members/{member_id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let org_id = target_id(&f).unwrap_or(0);
            let at = FormAt {
                page: format!("/orgs/{id}/members/new"),
                action: format!("/orgs/{id}/members"),
                heading: tr.t("member.new_title").into(),
                cancel: format!("/orgs/{id}/members"),
                scope: &scope,
                org_query: "",
            };
            form_page(&state, &auth, at, f.input, org_id, 0, errors).await
        }
        Err(e) => Err(e),
    }
}

/// The scope whose enrolling organisations the edit form offers: the
/// widest subtree the user may write that holds the member.
fn edit_scope_path(auth: &Auth, rec: &MemberRecord) -> Option<String> {
    auth.principal()
        .scopes(Action::WriteRoster)
        .iter()
        .find(|b| rec.org_path.starts_with(&b.org_path))
        .map(|b| b.org_path.clone())
}

async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<PickQuery>,
) -> AppResult<Response> {
    let rec = state.store.member(id).await?;
    auth.require(Action::WriteRoster, &rec.org_path)?;
    let (id_number, phone) = state.store.reveal_member(&auth.actor(), id).await?;
    let scope = scope_org(&state, &auth, &rec).await?;
    let tr = Tr(auth.lang());
    let m = &rec.row;
    let input = MemberInput {
        name: m.name.clone(),
        gender: m.gender.code().into(),
        ethnicity: m.ethnicity.clone(),
        birth_date: m.birth_date.to_string(),
        id_number,
        education: m.education.0.map(|e| e.code().to_string()).unwrap_or_default(),
        post: m.post.clone(),
        unit: m.unit.clone(),
        phone: phone.unwrap_or_default(),
        category: m.category.code().into(),
        join_date: m.join_date.to_string(),
        conversion_date: m.conversion_date.map(|d| d.to_string()).unwrap_or_default(),
    };
    let at = FormAt {
        page: format!("/members/{id}/edit"),
        action: format!("/members/{id}/edit"),
        heading: tr.tf("member.edit_title", &[("name", &m.name)]),
        cancel: format!("/members/{id}"),
        scope: &scope,
        org_query: &q.org_q,
    };
    form_page(&state, &auth, at, input, q.org_id.trim().parse().unwrap_or(m.org_id), m.version, vec![]).await
}

async fn scope_org(state: &AppState, auth: &Auth, rec: &MemberRecord) -> AppResult<Org> {
    let path = edit_scope_path(auth, rec).ok_or(AppError::Forbidden)?;
    let root_id = ronghe_store::path_ids(&path).last().copied().ok_or(AppError::NotFound)?;
    Ok(state.store.org(root_id).await?)
}

async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    let rec = state.store.member(id).await?;
    auth.require(Action::WriteRoster, &rec.org_path)?;
    let tr = Tr(auth.lang());
    let result = match target_id(&f) {
        Ok(org_id) => {
            let target = state.store.org(org_id).await?;
            roster::update_member(&state, &auth, &rec, &target, f.version, &f.input).await
        }
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    let errors = match result {
        Ok(()) => return Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => errors,
        Err(AppError::Conflict("conflict.stale")) => vec![FieldError { field: "", key: "conflict.stale" }],
        Err(e) => return Err(e),
    };
    let scope = scope_org(&state, &auth, &rec).await?;
    let org_id = target_id(&f).unwrap_or(rec.row.org_id);
    let at = FormAt {
        page: format!("/members/{id}/edit"),
        action: format!("/members/{id}/edit"),
        heading: tr.tf("member.edit_title", &[("name", &rec.row.name)]),
        cancel: format!("/members/{id}"),
        scope: &scope,
        org_query: "",
    };
    form_page(&state, &auth, at, f.input, org_id, f.version, errors).await
}
