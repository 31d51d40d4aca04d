//! A form's choice of one organisation (the branch a member is enrolled
//! in, the new parent of an organisation being moved). A list holds every
//! candidate while there are few; past [`LIMIT`] (a group root has
//! thousands, a national one hundreds of thousands) it holds the first in
//! tree order and the form shows a search by name or code beside it: with
//! scripts the list follows what is typed (`…/org-options`), without them
//! the search reloads the form with the matches.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use ronghe_domain::auth::Action;
use ronghe_domain::org::OrgKind;
use ronghe_store::{Org, OrgPick};
use serde::Deserialize;

use super::page;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::AppState;

/// How many organisations a list shows before the form asks for a search.
pub const LIMIT: usize = 200;

/// The list of a form's organisation field and what drew it.
pub struct OrgChoice {
    /// The `<select>`'s id and name.
    pub field: &'static str,
    /// The search's parameter name.
    pub query_field: &'static str,
    /// What was searched for (empty: nothing).
    pub query: String,
    pub orgs: Vec<Org>,
    /// The organisation chosen (0: none), listed whether or not it matches.
    pub selected: i64,
    /// The list starts with an empty choice (the field must be chosen).
    pub blank: bool,
    /// More matched than are listed.
    pub more: bool,
    /// The form's own page, which the search without scripts reloads.
    pub page_href: String,
    /// Where the list is asked for as it is typed.
    pub options_href: String,
}

impl OrgChoice {
    /// A search is shown when the list could not hold every candidate, or
    /// when it holds the matches of one.
    pub fn searchable(&self) -> bool {
        self.more || !self.query.is_empty()
    }

    /// [`LIMIT`], for the hint.
    pub fn limit(&self) -> String {
        LIMIT.to_string()
    }

    fn new(field: &'static str, query_field: &'static str, query: &str) -> OrgChoice {
        OrgChoice {
            field,
            query_field,
            query: query.trim().to_string(),
            orgs: Vec::new(),
            selected: 0,
            blank: false,
            more: false,
            page_href: String::new(),
            options_href: String::new(),
        }
    }

    /// Keeps the first [`LIMIT`] of what was found (one more was asked for,
    /// to know whether there are more).
    fn cut(&mut self) {
        self.more = self.orgs.len() > LIMIT;
        self.orgs.truncate(LIMIT);
    }
}

/// The search's query string, under either field's name.
#[derive(Debug, Default, Deserialize)]
pub struct PickQuery {
    #[serde(default)]
    pub org_q: String,
    #[serde(default)]
    pub parent_q: String,
    /// The organisation chosen when the list is asked for again.
    #[serde(default)]
    pub org_id: String,
}

/// The branches and groups of `scope` a member may be enrolled in by the
/// caller, matching `query`, with `selected` (if it is one of them) first
/// when the matches leave it out.
pub async fn enrolment(state: &AppState, auth: &Auth, scope: &Org, query: &str, selected: i64) -> AppResult<OrgChoice> {
    let mut c = OrgChoice::new("org_id", "org_q", query);
    let kinds: Vec<OrgKind> = OrgKind::ALL.into_iter().filter(|k| k.holds_members()).collect();
    let pick = OrgPick { kinds: &kinds, query: &c.query, limit: LIMIT as i64 + 1, ..Default::default() };
    let p = auth.principal();
    c.orgs = state.store.pick_orgs(&scope.path, &pick).await?;
    c.orgs.retain(|o| p.can(Action::WriteRoster, &o.path));
    c.cut();
    if selected != 0 && !c.orgs.iter().any(|o| o.id == selected) {
        if let Ok(o) = state.store.org(selected).await {
            if o.path.starts_with(&scope.path) && o.kind.holds_members() && p.can(Action::WriteRoster, &o.path) {
                c.orgs.insert(0, o);
            }
        }
    }
    c.selected = selected;
    c.blank = true;
    c.options_href = format!("/orgs/{}/members/org-options", scope.id);
    Ok(c)
}

/// Where the caller may move `org`: organisations they may change that
/// may hold its kind, outside its own subtree, other than its present
/// parent, matching `query`.
pub async fn move_targets(state: &AppState, auth: &Auth, org: &Org, query: &str) -> AppResult<OrgChoice> {
    let mut c = OrgChoice::new("parent_id", "parent_q", query);
    let kinds: Vec<OrgKind> = OrgKind::ALL.into_iter().filter(|k| org.kind.may_sit_under(Some(*k))).collect();
    if !kinds.is_empty() {
        for scope in auth.principal().scopes(Action::WriteOrg) {
            let room = LIMIT + 1 - c.orgs.len();
            if room == 0 {
                break;
            }
            let pick = OrgPick {
                kinds: &kinds,
                query: &c.query,
                outside: Some(&org.path),
                except: org.parent_id,
                limit: room as i64,
            };
            for o in state.store.pick_orgs(&scope.org_path, &pick).await? {
                if !c.orgs.iter().any(|x| x.id == o.id) {
                    c.orgs.push(o);
                }
            }
        }
    }
    c.cut();
    c.options_href = format!("/orgs/{}/move-options", org.id);
    Ok(c)
}

/// A list's options alone, for the search as it is typed.
#[derive(Template)]
#[template(path = "org_options.html")]
struct Options {
    tr: Tr,
    choice: OrgChoice,
}

/// `GET /orgs/{id}/members/org-options?org_q=…&org_id=…`: the enrolment
/// list of a member form whose scope is `id`.
pub async fn enrolment_options(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<PickQuery>,
) -> AppResult<Response> {
    let scope = crate::app::org_for(&state, &auth, Action::WriteRoster, id).await?;
    let selected = q.org_id.trim().parse().unwrap_or(0);
    let choice = enrolment(&state, &auth, &scope, &q.org_q, selected).await?;
    page(Options { tr: Tr(auth.lang()), choice })
}

/// `GET /orgs/{id}/move-options?parent_q=…`: where organisation `id` may move.
pub async fn move_options(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<PickQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, Action::WriteOrg, id).await?;
    let choice = move_targets(&state, &auth, &org, &q.parent_q).await?;
    page(Options { tr: Tr(auth.lang()), choice })
}
