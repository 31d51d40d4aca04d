//! The organisation tree, the organisation page (with the rules it fails),
//! and the forms that create, edit and move organisations and appoint
//! officers.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::org::{OfficerRole, OrgKind};
use ronghe_domain::text::parse_date;
use ronghe_store::{MemberFilter, NewOrg, OfficerRow, Org, OrgCounts, OrgUpdate, StoreError};
use serde::Deserialize;

use super::org_pick::{self, OrgChoice, PickQuery};
use super::{is_htmx, page, page_with, Chrome};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(tree))
        .route("/orgs/{id}", get(show))
        .route("/orgs/{id}/tree", get(tree_children))
        .route("/orgs/{id}/edit", get(edit_form).post(edit))
        .route("/orgs/{id}/children/new", get(new_form))
        .route("/orgs/{id}/children", post(create))
        .route("/orgs/{id}/move", post(move_org))
        .route("/orgs/{id}/move-options", get(org_pick::move_options))
        .route("/orgs/{id}/officers", post(add_officer))
        .route("/orgs/{id}/officers/{officer}/delete", post(remove_officer))
}

/// A node of the tree as shown: the organisation and its active members.
pub struct Node {
    pub org: Org,
    pub counts: OrgCounts,
    pub has_children: bool,
}

#[derive(Template)]
#[template(path = "orgs/tree.html")]
struct TreePage {
    page: Chrome,
    roots: Vec<Node>,
}

#[derive(Template)]
#[template(path = "orgs/tree_children.html")]
struct TreeChildren {
    tr: Tr,
    nodes: Vec<Node>,
}

async fn nodes_under(state: &AppState, parent: i64, limit: Option<i64>) -> AppResult<Vec<Node>> {
    Ok(state
        .store
        .children_with_counts(parent, limit)
        .await?
        .into_iter()
        .map(|(org, counts)| Node { counts, has_children: org.kind != OrgKind::Group, org })
        .collect())
}

/// The user's subtrees, each expandable one level at a time.
async fn tree(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.require_somewhere(Action::ReadOrg)?;
    let p = auth.principal();
    let mut roots = Vec::new();
    let mut seen = Vec::new();
    let scope_roots: Vec<i64> = if p.scopes(Action::ReadOrg).is_empty() {
        p.bindings.iter().filter(|b| b.role.allows(Action::ReadOrg)).map(|b| b.org_id).collect()
    } else {
        p.scopes(Action::ReadOrg).iter().map(|b| b.org_id).collect()
    };
    for id in scope_roots {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let org = state.store.org(id).await?;
        let counts = state.store.org_counts(&org).await?;
        roots.push(Node { has_children: org.kind != OrgKind::Group, org, counts });
    }
    let tr = Tr(auth.lang());
    page(TreePage { page: Chrome::new(&auth, tr.t("orgs.tree_title"), "/orgs"), roots })
}

/// One level of children, as an htmx fragment; a direct load goes to the page.
async fn tree_children(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::ReadOrg, &org.path)?;
    if !is_htmx(&headers) {
        return Ok(Redirect::to(&format!("/orgs/{id}")).into_response());
    }
    let nodes = nodes_under(&state, id, None).await?;
    let nodes = nodes.into_iter().filter(|n| auth.principal().can(Action::ReadOrg, &n.org.path)).collect();
    page(TreeChildren { tr: Tr(auth.lang()), nodes })
}

pub struct FindingView {
    pub message: String,
    pub source: String,
    pub error: bool,
}

#[derive(Template)]
#[template(path = "orgs/show.html")]
struct OrgPage {
    page: Chrome,
    org: Org,
    breadcrumbs: Vec<Org>,
    counts: OrgCounts,
    children: Vec<Node>,
    /// How many children there are, when `children` holds only the first.
    children_total: usize,
    officers: Vec<OfficerRow>,
    findings: Vec<FindingView>,
    can_write: bool,
    can_roster: bool,
    can_dues: bool,
    can_development: bool,
    can_life: bool,
    can_decisions: bool,
    can_learning: bool,
    can_import: bool,
    /// Members who may be appointed (the organisation's own, for the form).
    candidates: Vec<(i64, String)>,
    officer_roles: Vec<&'static str>,
}

/// The org page lists this many children unless asked for all of them (a
/// national root has hundreds).
const CHILDREN_SHOWN: usize = 100;

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    #[serde(default)]
    children: String,
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::ReadOrg, &org.path)?;
    let p = auth.principal();
    let tr = Tr(auth.lang());
    let breadcrumbs =
        state.store.ancestors(&org).await?.into_iter().filter(|a| p.can(Action::ReadOrg, &a.path)).collect();
    let counts = state.store.org_counts(&org).await?;
    let all_children = q.children == "all";
    let mut children = nodes_under(&state, id, (!all_children).then_some(CHILDREN_SHOWN as i64 + 1)).await?;
    let children_total = if children.len() > CHILDREN_SHOWN && !all_children {
        children.truncate(CHILDREN_SHOWN);
        state.store.child_count(id).await? as usize
    } else {
        children.len()
    };
    let officers = state.store.officers(id).await?;
    let findings = crate::app::orgs::findings(&state, &org, &counts, &officers)
        .await?
        .into_iter()
        .map(|f| {
            let params: Vec<(&str, &str)> = f.params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let mut message = tr.tf(f.rule, &params);
            if let Some((_, advice)) = f.params.iter().find(|(k, _)| *k == "advice") {
                message.push_str(&tr.tf("rule.advice", &[("kind", tr.v("org_kind", advice))]));
            }
            FindingView { message, source: f.source, error: f.severity == ronghe_domain::org::Severity::Error }
        })
        .collect();
    let can_write = p.can(Action::WriteOrg, &org.path);
    // Branches and groups list their members to pick from; a committee's
    // subtree may hold thousands, so its form takes a name instead.
    let candidates = if can_write && org.kind.holds_members() {
        let page = state
            .store
            .list_members(&MemberFilter { root_path: org.path.clone(), limit: 300, ..Default::default() })
            .await?;
        page.rows.into_iter().map(|m| (m.id, format!("{}（{}）", m.name, m.org_name))).collect()
    } else {
        vec![]
    };
    let title = org.name.clone();
    page(OrgPage {
        page: Chrome::new(&auth, title, format!("/orgs/{id}")),
        can_roster: p.can(Action::ReadRoster, &org.path),
        can_dues: p.can(Action::ReadDues, &org.path),
        can_development: p.can(Action::ReadDevelopment, &org.path),
        can_life: p.can(Action::ReadLife, &org.path),
        can_decisions: p.can(Action::ReadDecisions, &org.path),
        can_learning: p.can(Action::ReadLearning, &org.path),
        can_import: p.can(Action::ImportRoster, &org.path),
        can_write,
        org,
        breadcrumbs,
        counts,
        children,
        children_total,
        officers,
        findings,
        candidates,
        officer_roles: OfficerRole::ALL.iter().map(|r| r.code()).collect(),
    })
}

/// The organisation form as typed, kept when it comes back with errors.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub unit_name: String,
    #[serde(default)]
    pub established_on: String,
    #[serde(default)]
    pub term_start: String,
    #[serde(default)]
    pub term_end: String,
}

pub struct ParsedOrg {
    pub kind: Option<OrgKind>,
    pub update: OrgUpdate,
}

fn opt_date(s: &str, field: &'static str, errors: &mut Vec<(&'static str, &'static str)>) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let d = parse_date(s);
    if d.is_none() {
        errors.push((field, "field.bad_date"));
    }
    d
}

impl OrgForm {
    pub fn from_org(o: &Org) -> OrgForm {
        let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        OrgForm {
            kind: o.kind.code().into(),
            code: o.code.clone(),
            name: o.name.clone(),
            unit_name: o.unit_name.clone(),
            established_on: d(o.established_on),
            term_start: d(o.term_start),
            term_end: d(o.term_end),
        }
    }

    /// Checks the form. A missing term end is filled from the term start
    /// and the term length of the rule pack.
    pub fn parse(
        &self,
        term_years: impl Fn(OrgKind) -> u32,
        fixed_kind: Option<OrgKind>,
    ) -> Result<ParsedOrg, Vec<(&'static str, &'static str)>> {
        let mut errors = Vec::new();
        let kind = fixed_kind.or_else(|| OrgKind::from_code(self.kind.trim()));
        if kind.is_none() {
            errors.push(("kind", "field.required"));
        }
        let code = self.code.trim().to_string();
        if code.is_empty() {
            errors.push(("code", "field.required"));
        } else if !ronghe_domain::org::valid_org_code(&code) {
            errors.push(("code", "org.bad_code"));
        }
        let name = ronghe_domain::text::fold_trim(&self.name);
        if name.is_empty() {
            errors.push(("name", "field.required"));
        }
        let established_on = opt_date(&self.established_on, "established_on", &mut errors);
        let term_start = opt_date(&self.term_start, "term_start", &mut errors);
        let mut term_end = opt_date(&self.term_end, "term_end", &mut errors);
        if let (Some(s), None, Some(k)) = (term_start, term_end, kind) {
            term_end = s.checked_add_months(chrono::Months::new(12 * term_years(k)));
        }
        if let (Some(s), Some(e)) = (term_start, term_end) {
            if e <= s {
                errors.push(("term_end", "org.term_end_before_start"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ParsedOrg {
            kind,
            update: OrgUpdate {
                code,
                name,
                unit_name: ronghe_domain::text::fold_trim(&self.unit_name),
                established_on,
                term_start,
                term_end,
            },
        })
    }
}

#[derive(Template)]
#[template(path = "orgs/form.html")]
struct OrgFormPage {
    page: Chrome,
    action: String,
    /// The parent (new) or the organisation itself (edit).
    context: Org,
    creating: bool,
    kinds: Vec<&'static str>,
    form: OrgForm,
    errors: HashMap<&'static str, String>,
    move_choice: Option<OrgChoice>,
}

impl OrgFormPage {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

fn translate(tr: Tr, errors: Vec<(&'static str, &'static str)>) -> HashMap<&'static str, String> {
    errors.into_iter().map(|(f, k)| (f, tr.t(k).to_string())).collect()
}

async fn new_form(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let parent = state.store.org(id).await?;
    auth.require(Action::WriteOrg, &parent.path)?;
    let tr = Tr(auth.lang());
    let kinds = allowed_kinds(parent.kind);
    page(OrgFormPage {
        page: Chrome::new(&auth, tr.t("orgs.new_title"), format!("/orgs/{id}/children/new")),
        action: format!("/orgs/{id}/children"),
        form: OrgForm { kind: kinds.first().copied().unwrap_or_default().into(), ..Default::default() },
        context: parent,
        creating: true,
        kinds,
        errors: HashMap::new(),
        move_choice: None,
    })
}

fn allowed_kinds(parent: OrgKind) -> Vec<&'static str> {
    OrgKind::ALL.into_iter().filter(|k| k.may_sit_under(Some(parent))).map(|k| k.code()).collect()
}

async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(form): Form<OrgForm>,
) -> AppResult<Response> {
    let parent = state.store.org(id).await?;
    auth.require(Action::WriteOrg, &parent.path)?;
    let tr = Tr(auth.lang());
    let pack = state.store.org_rules(parent.tenant_id, state.today()).await?;
    let result = form.parse(|k| pack.term_years(k), None);
    let errors = match result {
        Ok(p) => {
            let kind = p.kind.expect("parse checked the kind");
            let u = p.update;
            let new = NewOrg {
                parent_id: Some(id),
                kind,
                code: u.code,
                name: u.name,
                unit_name: u.unit_name,
                established_on: u.established_on,
                term_start: u.term_start,
                term_end: u.term_end,
            };
            match state.store.create_org(&auth.actor(), &new).await {
                Ok(org) => return Ok(Redirect::to(&format!("/orgs/{}", org.id)).into_response()),
                Err(StoreError::Conflict(k)) => vec![("code", k)],
                Err(StoreError::Invalid(k)) => vec![("kind", k)],
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => e,
    };
    let kinds = allowed_kinds(parent.kind);
    page_with(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        OrgFormPage {
            page: Chrome::new(&auth, tr.t("orgs.new_title"), format!("/orgs/{id}/children/new")),
            action: format!("/orgs/{id}/children"),
            context: parent,
            creating: true,
            kinds,
            errors: translate(tr, errors),
            form,
            move_choice: None,
        },
    )
}

/// The move card's list: shown when there is somewhere to move to, or a
/// search that found nothing.
async fn move_choice(state: &AppState, auth: &Auth, org: &Org, query: &str) -> AppResult<Option<OrgChoice>> {
    let c = OrgChoice {
        page_href: format!("/orgs/{}/edit", org.id),
        ..org_pick::move_targets(state, auth, org, query).await?
    };
    Ok((!c.orgs.is_empty() || c.searchable()).then_some(c))
}

async fn edit_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<PickQuery>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteOrg, &org.path)?;
    let tr = Tr(auth.lang());
    let move_choice = move_choice(&state, &auth, &org, &q.parent_q).await?;
    page(OrgFormPage {
        page: Chrome::new(&auth, tr.t("orgs.edit_title"), format!("/orgs/{id}/edit")),
        action: format!("/orgs/{id}/edit"),
        form: OrgForm::from_org(&org),
        kinds: vec![org.kind.code()],
        context: org,
        creating: false,
        errors: HashMap::new(),
        move_choice,
    })
}

async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(form): Form<OrgForm>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteOrg, &org.path)?;
    let tr = Tr(auth.lang());
    let pack = state.store.org_rules(org.tenant_id, state.today()).await?;
    let errors = match form.parse(|k| pack.term_years(k), Some(org.kind)) {
        Ok(p) => match state.store.update_org(&auth.actor(), id, &p.update).await {
            Ok(_) => return Ok(Redirect::to(&format!("/orgs/{id}")).into_response()),
            Err(StoreError::Conflict(k)) => vec![("code", k)],
            Err(e) => return Err(e.into()),
        },
        Err(e) => e,
    };
    let move_choice = move_choice(&state, &auth, &org, "").await?;
    page_with(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        OrgFormPage {
            page: Chrome::new(&auth, tr.t("orgs.edit_title"), format!("/orgs/{id}/edit")),
            action: format!("/orgs/{id}/edit"),
            kinds: vec![org.kind.code()],
            context: org,
            creating: false,
            errors: translate(tr, errors),
            form,
            move_choice,
        },
    )
}

#[derive(Deserialize)]
struct MoveForm {
    parent_id: i64,
}

async fn move_org(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    let parent = state.store.org(f.parent_id).await?;
    // Both ends of a move must be inside the user's scope.
    auth.require(Action::WriteOrg, &org.path)?;
    auth.require(Action::WriteOrg, &parent.path)?;
    state.store.move_org(&auth.actor(), id, parent.id).await?;
    Ok(Redirect::to(&format!("/orgs/{id}")).into_response())
}

#[derive(Deserialize)]
struct OfficerForm {
    #[serde(default)]
    member_id: Option<i64>,
    #[serde(default)]
    member_name: String,
    role: String,
    #[serde(default)]
    term_start: String,
    #[serde(default)]
    term_end: String,
}

async fn add_officer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<OfficerForm>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteOrg, &org.path)?;
    let member_id = match f.member_id {
        Some(id) => id,
        None => match state.store.members_named(&org.path, f.member_name.trim()).await?.as_slice() {
            [m] => m.id,
            [] => return Err(AppError::BadRequest("org.officer_not_found")),
            _ => return Err(AppError::BadRequest("org.officer_ambiguous")),
        },
    };
    let member = state.store.member(member_id).await?;
    if !member.org_path.starts_with(&org.path) {
        return Err(AppError::BadRequest("org.officer_outside"));
    }
    let role = OfficerRole::from_code(&f.role).ok_or(AppError::BadRequest("field.unknown_value"))?;
    let mut errors = Vec::new();
    let start = opt_date(&f.term_start, "term_start", &mut errors).or(org.term_start);
    let end = opt_date(&f.term_end, "term_end", &mut errors).or(org.term_end);
    if !errors.is_empty() {
        return Err(AppError::BadRequest("field.bad_date"));
    }
    state.store.add_officer(&auth.actor(), id, member.row.id, role, (start, end)).await?;
    Ok(Redirect::to(&format!("/orgs/{id}#officers")).into_response())
}

async fn remove_officer(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, officer)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteOrg, &org.path)?;
    state.store.remove_officer(&auth.actor(), id, officer).await?;
    Ok(Redirect::to(&format!("/orgs/{id}#officers")).into_response())
}
