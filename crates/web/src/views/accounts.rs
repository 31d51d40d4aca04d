//! The account page, and the work of two of the three MLPS administrators:
//! the system administrator creates accounts, the security administrator
//! binds roles to them and lifts lockouts. Neither sees party data, and
//! neither can do the other's part.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ronghe_domain::auth::{check_password_policy, may_add_role, Action, Principal, Role};
use ronghe_store::{NewUser, RoleRow, StoreError, UserSummary};
use serde::Deserialize;

use super::{page_with, Chrome};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/accounts", post(create))
        .route("/accounts/{id}/roles", post(grant))
        .route("/accounts/{id}/roles/{binding}/delete", post(revoke))
        .route("/accounts/{id}/unlock", post(unlock))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Chrome,
    roles: Vec<(String, String)>,
    /// For the system and security administrators: the group's accounts.
    users: Vec<UserSummary>,
    bindings: HashMap<i64, Vec<RoleRow>>,
    can_create: bool,
    can_grant: bool,
    role_codes: Vec<&'static str>,
    form: NewAccountForm,
    message: Option<String>,
    /// The outcome of a password change: (succeeded, message).
    password: Option<(bool, String)>,
    now: i64,
}

impl AccountPage {
    fn bindings_of(&self, user: &i64) -> &[RoleRow] {
        self.bindings.get(user).map(Vec::as_slice).unwrap_or(&[])
    }
}

async fn render(
    state: &AppState,
    auth: &Auth,
    status: StatusCode,
    form: NewAccountForm,
    message: Option<String>,
) -> AppResult<Response> {
    render_with(state, auth, status, form, message, None).await
}

async fn render_with(
    state: &AppState,
    auth: &Auth,
    status: StatusCode,
    form: NewAccountForm,
    message: Option<String>,
    password: Option<(bool, String)>,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    let p = auth.principal();
    let mut roles = Vec::new();
    for b in &p.bindings {
        let org = state.store.org(b.org_id).await?;
        roles.push((tr.v("role", b.role.code()).to_string(), org.name));
    }
    let can_create = auth.require_group(Action::ManageAccounts).is_ok();
    let can_grant = auth.require_group(Action::ManageRoles).is_ok();
    let (users, bindings) = if can_create || can_grant {
        let mut by_user: HashMap<i64, Vec<RoleRow>> = HashMap::new();
        for r in state.store.role_bindings(p.tenant_id).await? {
            by_user.entry(r.user_id).or_default().push(r);
        }
        (state.store.users(p.tenant_id).await?, by_user)
    } else {
        (vec![], HashMap::new())
    };
    page_with(
        status,
        AccountPage {
            page: Chrome::new(auth, tr.t("account.title"), "/account"),
            roles,
            users,
            bindings,
            can_create,
            can_grant,
            role_codes: Role::ALL.iter().map(|r| r.code()).collect(),
            form,
            message,
            password,
            now: ronghe_store::now_ms(),
        },
    )
}

async fn account(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    render(&state, &auth, StatusCode::OK, NewAccountForm::default(), None).await
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Anyone may change their own password: the policy applies, and their
/// other sessions end.
async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    let p = auth.principal();
    let problem = if f.new != f.confirm {
        Some("account.password_mismatch")
    } else if let Err(e) = check_password_policy(&p.username, &f.new) {
        Some(e.key())
    } else if !state.store.change_password(&auth.actor(), p.user_id, &f.current, &f.new, &auth.user.token).await? {
        Some("account.password_wrong")
    } else {
        None
    };
    let (status, outcome) = match problem {
        Some(key) => (StatusCode::UNPROCESSABLE_ENTITY, (false, tr.t(key).to_string())),
        None => (StatusCode::OK, (true, tr.t("account.password_changed").to_string())),
    };
    render_with(&state, &auth, status, NewAccountForm::default(), None, Some(outcome)).await
}

#[derive(Debug, Clone, Default, Deserialize)]
struct NewAccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

/// The system administrator creates an account, with no roles: binding
/// roles is the security administrator's part.
async fn create(State(state): State<AppState>, auth: Auth, Form(mut f): Form<NewAccountForm>) -> AppResult<Response> {
    auth.require_group(Action::ManageAccounts)?;
    let tr = Tr(auth.lang());
    let username = f.username.trim().to_string();
    let problem = if username.is_empty() || f.display_name.trim().is_empty() {
        Some("field.required")
    } else {
        check_password_policy(&username, &f.password).err().map(|e| e.key())
    };
    let problem = match problem {
        Some(p) => Some(p),
        None => {
            let new = NewUser {
                tenant_id: auth.principal().tenant_id,
                username,
                display_name: f.display_name.trim().to_string(),
                password: std::mem::take(&mut f.password),
                member_id: None,
                roles: vec![],
            };
            match state.store.create_user(&auth.actor(), &new).await {
                Ok(_) => return Ok(Redirect::to("/account").into_response()),
                Err(StoreError::Conflict(k)) => Some(k),
                Err(e) => return Err(e.into()),
            }
        }
    };
    f.password.clear();
    render(&state, &auth, StatusCode::UNPROCESSABLE_ENTITY, f, problem.map(|k| tr.t(k).to_string())).await
}

#[derive(Debug, Deserialize)]
struct GrantForm {
    role: String,
    org_code: String,
}

/// The security administrator binds a role on an organisation subtree.
async fn grant(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> AppResult<Response> {
    auth.require_group(Action::ManageRoles)?;
    // The account and what it already holds, as permission checks see it.
    let target = state.store.principal(user_id).await?;
    if target.tenant_id != auth.principal().tenant_id {
        return Err(AppError::NotFound);
    }
    match check_grant(&state, &auth, &target, &f).await? {
        Ok((role, org_id)) => match state.store.grant_role(&auth.actor(), user_id, role, org_id).await {
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(Redirect::to("/account").into_response()),
            Err(e) => Err(e.into()),
        },
        Err(key) => {
            let message = Tr(auth.lang()).t(key).to_string();
            render(&state, &auth, StatusCode::UNPROCESSABLE_ENTITY, NewAccountForm::default(), Some(message)).await
        }
    }
}

/// The role and organisation to bind, or why not.
async fn check_grant(
    state: &AppState,
    auth: &Auth,
    target: &Principal,
    f: &GrantForm,
) -> AppResult<Result<(Role, i64), &'static str>> {
    let p = auth.principal();
    if target.user_id == p.user_id {
        return Ok(Err("accounts.not_yourself"));
    }
    let Some(role) = Role::from_code(&f.role) else { return Ok(Err("field.unknown_value")) };
    let Ok(org) = state.store.org_by_code(p.tenant_id, f.org_code.trim()).await else {
        return Ok(Err("accounts.unknown_org"));
    };
    let held: Vec<Role> = target.bindings.iter().map(|b| b.role).collect();
    Ok(may_add_role(&held, role).map(|()| (role, org.id)))
}

async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    Path((user_id, binding)): Path<(i64, i64)>,
) -> AppResult<Response> {
    auth.require_group(Action::ManageRoles)?;
    if user_id == auth.principal().user_id {
        return Err(AppError::Forbidden);
    }
    state.store.revoke_role(&auth.actor(), user_id, binding).await?;
    Ok(Redirect::to("/account").into_response())
}

async fn unlock(State(state): State<AppState>, auth: Auth, Path(user_id): Path<i64>) -> AppResult<Response> {
    auth.require_group(Action::ManageRoles)?;
    state.store.unlock_user(&auth.actor(), user_id).await?;
    Ok(Redirect::to("/account").into_response())
}
