//! Adding and editing members: validation, the organisation check, and the
//! duplicate check, the same for the form and the API.

use ronghe_domain::auth::Action;
use ronghe_domain::members::{FieldError, MemberDraft, MemberInput};
use ronghe_store::{MemberRecord, Org, StoreError};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// Checks that members may be enrolled at `org` and that the user may
/// write its roster.
fn check_target(auth: &Auth, org: &Org) -> AppResult<()> {
    auth.require(Action::WriteRoster, &org.path)?;
    if !org.kind.holds_members() {
        return Err(AppError::Invalid(vec![FieldError { field: "org_id", key: "member.org_not_branch" }]));
    }
    Ok(())
}

fn validate(state: &AppState, input: &MemberInput) -> AppResult<MemberDraft> {
    input.validate(state.today()).map_err(AppError::Invalid)
}

/// A duplicate identity number is a problem with that field.
fn field_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict("conflict.id_number") => {
            AppError::Invalid(vec![FieldError { field: "id_number", key: "conflict.id_number" }])
        }
        e => e.into(),
    }
}

pub async fn create_member(state: &AppState, auth: &Auth, org: &Org, input: &MemberInput) -> AppResult<i64> {
    check_target(auth, org)?;
    let draft = validate(state, input)?;
    state.store.create_member(&auth.actor(), org.id, draft).await.map_err(field_conflict)
}

/// Saves an edit. `version` is the one the form was filled from; a newer
/// save by someone else is reported instead of overwritten.
pub async fn update_member(
    state: &AppState,
    auth: &Auth,
    member: &MemberRecord,
    target_org: &Org,
    version: i64,
    input: &MemberInput,
) -> AppResult<()> {
    auth.require(Action::WriteRoster, &member.org_path)?;
    check_target(auth, target_org)?;
    let draft = validate(state, input)?;
    state
        .store
        .update_member(&auth.actor(), member.row.id, version, target_org.id, &draft)
        .await
        .map_err(field_conflict)
}

/// Whether the user may see this member's record: their roster scope, or
/// their own record.
pub fn may_read(auth: &Auth, member: &MemberRecord) -> AppResult<()> {
    if auth.principal().member_id == Some(member.row.id) {
        return Ok(());
    }
    auth.require(Action::ReadRoster, &member.org_path)
}
