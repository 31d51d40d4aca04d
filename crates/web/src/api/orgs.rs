//! Organisations: one, and its children.

use axum::extract::{Path, State};
use axum::Json;
use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::i18n::tf;
use ronghe_store::{Org, OrgCounts};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::error::{ApiErrorBody, AppResult};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// `committee` (党委), `general_branch` (党总支), `branch` (党支部) or `group` (党小组).
    pub kind: String,
    pub code: String,
    pub name: String,
    /// The unit (enterprise, mine, plant) the organisation serves.
    pub unit_name: String,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    /// Active full members in the subtree.
    pub full_members: i64,
    /// Active probationary members in the subtree.
    pub probationary_members: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDto {
    /// The rule's code, e.g. `rule.branch_needs_committee`.
    pub rule: String,
    /// `error` or `warning`.
    pub severity: String,
    pub message: String,
    /// The regulation the rule comes from.
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDetail {
    #[serde(flatten)]
    pub org: OrgDto,
    /// The organisation rules it fails today.
    pub findings: Vec<FindingDto>,
}

fn dto(o: Org, c: &OrgCounts) -> OrgDto {
    OrgDto {
        id: o.id,
        parent_id: o.parent_id,
        kind: o.kind.code().into(),
        code: o.code,
        name: o.name,
        unit_name: o.unit_name,
        established_on: o.established_on,
        term_start: o.term_start,
        term_end: o.term_end,
        full_members: c.full_members,
        probationary_members: c.probationary_members,
    }
}

/// An organisation with its member counts and the rules it fails.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = OrgDetail), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Json<OrgDetail>> {
    let org = state.store.org(id).await?;
    auth.require(Action::ReadOrg, &org.path)?;
    let counts = state.store.org_counts(&org).await?;
    let officers = state.store.officers(id).await?;
    let findings = crate::app::orgs::findings(&state, &org, &counts, &officers)
        .await?
        .into_iter()
        .map(|f| FindingDto {
            rule: f.rule.into(),
            severity: if f.severity == ronghe_domain::org::Severity::Error { "error" } else { "warning" }.into(),
            message: tf(auth.lang(), f.rule, &f.params.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()),
            source: f.source,
        })
        .collect();
    Ok(Json(OrgDetail { org: dto(org, &counts), findings }))
}

/// The organisations directly under one, with their member counts.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/children", tag = "orgs",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<OrgDto>), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn children(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Json<Vec<OrgDto>>> {
    let org = state.store.org(id).await?;
    auth.require(Action::ReadOrg, &org.path)?;
    let out = state
        .store
        .children_with_counts(id, None)
        .await?
        .into_iter()
        .filter(|(c, _)| auth.principal().can(Action::ReadOrg, &c.path))
        .map(|(c, n)| dto(c, &n))
        .collect();
    Ok(Json(out))
}
