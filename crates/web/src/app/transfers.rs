//! Transfers of membership (组织关系转接) and the membership alerts beside
//! them: requesting a transfer, each action checked against the membership
//! rule pack, who may take it, what may come next, the warnings; and the
//! members out of contact long enough to be suspended. Shared by the pages
//! and the API.
//!
//! Who acts: the member's branch asks (and may withdraw); the committee
//! above it approves, issues the letter or refuses; the receiving
//! organisation accepts and records the member reporting. For a transfer
//! out of the group the sending side records the receipt coming back; for
//! one into the group the receiving branch registers the letter brought in.

use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::members::{FieldError, MemberInput};
use ronghe_domain::transfers::{
    away_transfer_due, check_action, next_actions, suspension_due, warnings, Action as Step, ActionFacts, Kind,
    MembershipRulePack, Refusal, State, Transfer, Warning,
};
use ronghe_store::{
    AwayRow, MemberRecord, NewAway, NewTransfer, Org, TransferEffect, TransferEvent, TransferRow, TransferStep,
};
use serde::{Deserialize, Serialize};

use crate::app::development::parent_path;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

/// A refusal with the state and action it names in the user's words.
fn refused(tr: Tr, r: Refusal) -> AppError {
    let mut params: Vec<(&'static str, String)> = r
        .params
        .into_iter()
        .map(|(k, v)| match k {
            "state" => (k, tr.v("transfer_state", &v).to_string()),
            "action" => (k, tr.v("transfer_action", &v).to_string()),
            _ => (k, v),
        })
        .collect();
    params.push(("source", r.source));
    AppError::Refused { field: "action", key: r.key, params }
}

/// The domain's view of a stored transfer.
pub fn as_transfer(t: &TransferRow) -> Transfer {
    Transfer {
        kind: Kind::from_code(&t.kind).unwrap_or(Kind::Internal),
        state: State::from_code(&t.state).unwrap_or(State::Cancelled),
        requested_on: t.requested_on,
        approved_on: t.approved_on,
        letter_issued_on: t.letter_issued_on,
        letter_valid_days: t.letter_valid_days.and_then(|d| u32::try_from(d).ok()),
        received_on: t.received_on,
    }
}

/// The subtree whose authority an action needs.
fn authority(t: &TransferRow, step: Step) -> Option<String> {
    let kind = Kind::from_code(&t.kind)?;
    let from = t.from_path.clone();
    let to = t.to_path.clone();
    match (kind, step) {
        (Kind::Inbound, _) => to,
        (_, Step::Approve | Step::IssueLetter | Step::Reject) => from.as_deref().and_then(parent_path),
        (_, Step::Cancel) => from,
        (Kind::Internal, Step::Receive | Step::Report) => to,
        (Kind::Outbound, Step::Receive) => from,
        (Kind::Outbound, Step::Report) => None,
    }
}

fn may(auth: &Auth, t: &TransferRow, step: Step) -> bool {
    authority(t, step).is_some_and(|p| auth.principal().can(Action::WriteRoster, &p))
}

/// Readers of either end's roster see a transfer; so does the member.
pub fn may_read(auth: &Auth, t: &TransferRow) -> AppResult<()> {
    let p = auth.principal();
    if t.member_id.is_some() && p.member_id == t.member_id {
        return Ok(());
    }
    let ends = [t.from_path.as_deref(), t.to_path.as_deref()];
    if ends.iter().flatten().any(|path| p.can(Action::ReadRoster, path)) {
        return Ok(());
    }
    // The error the nearer end would give (403 inside a visible org, else 404).
    auth.require(Action::ReadRoster, ends.iter().flatten().next().copied().unwrap_or("/"))
}

/// An action that could come next: allowed today, and whether this user may.
#[derive(Debug, Clone, Serialize)]
pub struct NextAction {
    pub action: Step,
    pub allowed: bool,
    pub why_not: Option<String>,
    /// Whether the signed-in user holds the authority it needs.
    pub yours: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TransferView {
    pub transfer: TransferRow,
    pub events: Vec<TransferEvent>,
    pub next: Vec<NextAction>,
    pub warnings: Vec<Warning>,
    /// The last day the letter is valid.
    pub letter_expires: Option<NaiveDate>,
    /// The month up to which the member's dues are paid (for the letter).
    pub dues_paid_through: Option<String>,
}

pub async fn view(state: &AppState, auth: &Auth, t: TransferRow) -> AppResult<TransferView> {
    let tr = Tr(auth.lang());
    let pack = state.store.membership_rules(t.tenant_id, state.today()).await?;
    let d = as_transfer(&t);
    let today = state.today();
    let next = next_actions(&d)
        .into_iter()
        .map(|a| {
            let verdict = check_action(&pack, &d, a, today, ActionFacts::default());
            NextAction {
                action: a,
                allowed: verdict.is_ok(),
                why_not: verdict.err().map(|r| message(tr, &r)),
                yours: may(auth, &t, a),
            }
        })
        .collect();
    let dues_paid_through = match t.member_id {
        Some(m) => state.store.dues_paid_through(m).await?,
        None => None,
    };
    Ok(TransferView {
        events: state.store.transfer_events(t.id).await?,
        next,
        warnings: warnings(&pack, &d, today),
        letter_expires: d.letter_expires(),
        dues_paid_through,
        transfer: t,
    })
}

fn message(tr: Tr, r: &Refusal) -> String {
    match refused(tr, r.clone()) {
        AppError::Refused { key, params, .. } => {
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            tr.tf(key, &params)
        }
        _ => String::new(),
    }
}

/// A transfer as asked for by the member's branch.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RequestInput {
    /// `internal` (to an organisation of the group) or `outbound`.
    pub kind: String,
    /// For `internal`: the receiving organisation's id …
    pub to_org_id: Option<i64>,
    /// … or its code.
    pub to_org_code: String,
    /// For `outbound`: the receiving organisation's name.
    pub to_name: String,
    pub reason: String,
    /// The day of the request (default: today).
    pub on: Option<NaiveDate>,
}

pub async fn request(state: &AppState, auth: &Auth, m: &MemberRecord, input: &RequestInput) -> AppResult<i64> {
    auth.require(Action::WriteRoster, &m.org_path)?;
    let today = state.today();
    let on = input.on.unwrap_or(today);
    if on > today {
        return Err(AppError::refused("on", "date.in_future", vec![]));
    }
    if m.row.status.code() != "normal" {
        return Err(AppError::refused("member", "transfer.member_not_active", vec![]));
    }
    let kind = Kind::from_code(input.kind.trim()).filter(|k| *k != Kind::Inbound);
    let (kind, to_org, to_name) = match kind {
        Some(Kind::Internal) => {
            let to = match (input.to_org_id, input.to_org_code.trim()) {
                (Some(id), _) => state.store.org(id).await.ok(),
                (None, code) if !code.is_empty() => state.store.org_by_code(m.tenant_id, code).await.ok(),
                _ => None,
            };
            let Some(to) = to.filter(|o| o.tenant_id == m.tenant_id) else {
                return Err(AppError::Invalid(vec![FieldError { field: "to_org_code", key: "transfer.unknown_org" }]));
            };
            if !to.kind.holds_members() {
                return Err(AppError::Invalid(vec![FieldError { field: "to_org_code", key: "member.org_not_branch" }]));
            }
            if to.id == m.row.org_id {
                return Err(AppError::Invalid(vec![FieldError { field: "to_org_code", key: "transfer.same_org" }]));
            }
            (Kind::Internal, Some(to.id), String::new())
        }
        Some(Kind::Outbound) => {
            let name = input.to_name.trim();
            if name.is_empty() {
                return Err(AppError::Invalid(vec![FieldError { field: "to_name", key: "field.required" }]));
            }
            (Kind::Outbound, None, name.to_string())
        }
        _ => return Err(AppError::Invalid(vec![FieldError { field: "kind", key: "field.unknown_value" }])),
    };
    let pack = state.store.membership_rules(m.tenant_id, on).await?;
    Ok(state
        .store
        .create_transfer(
            &auth.actor(),
            &NewTransfer {
                kind: kind.code(),
                member_id: Some(m.row.id),
                person_name: m.row.name.clone(),
                from_org_id: Some(m.row.org_id),
                from_name: String::new(),
                to_org_id: to_org,
                to_name,
                reason: input.reason.trim().to_string(),
                state: State::Requested.code(),
                requested_on: on,
                letter: None,
                pack_version: pack.version,
            },
        )
        .await?)
}

/// A letter brought in from an organisation outside the group.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InboundInput {
    pub person_name: String,
    /// The sending organisation, as the letter names it.
    pub from_name: String,
    pub letter_number: String,
    pub letter_issued_on: Option<NaiveDate>,
    /// The validity written on the letter, in days.
    pub letter_valid_days: Option<u32>,
    /// The day the member presented it (default: today).
    pub on: Option<NaiveDate>,
}

pub async fn register_inbound(state: &AppState, auth: &Auth, org: &Org, input: &InboundInput) -> AppResult<i64> {
    auth.require(Action::WriteRoster, &org.path)?;
    if !org.kind.holds_members() {
        return Err(AppError::Invalid(vec![FieldError { field: "org_id", key: "member.org_not_branch" }]));
    }
    let today = state.today();
    let mut errors = Vec::new();
    let mut need = |field, ok: bool| {
        if !ok {
            errors.push(FieldError { field, key: "field.required" });
        }
    };
    need("person_name", !input.person_name.trim().is_empty());
    need("from_name", !input.from_name.trim().is_empty());
    need("letter_number", !input.letter_number.trim().is_empty());
    need("letter_issued_on", input.letter_issued_on.is_some());
    need("letter_valid_days", input.letter_valid_days.is_some_and(|d| d > 0));
    if input.letter_issued_on.is_some_and(|d| d > today) {
        errors.push(FieldError { field: "letter_issued_on", key: "date.in_future" });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let on = input.on.unwrap_or(today).max(input.letter_issued_on.unwrap_or(today));
    let pack = state.store.membership_rules(org.tenant_id, on).await?;
    Ok(state
        .store
        .create_transfer(
            &auth.actor(),
            &NewTransfer {
                kind: Kind::Inbound.code(),
                member_id: None,
                person_name: input.person_name.trim().to_string(),
                from_org_id: None,
                from_name: input.from_name.trim().to_string(),
                to_org_id: Some(org.id),
                to_name: String::new(),
                reason: String::new(),
                state: State::LetterIssued.code(),
                requested_on: on,
                letter: Some((
                    input.letter_number.trim().to_string(),
                    input.letter_issued_on.unwrap_or(on),
                    i64::from(input.letter_valid_days.unwrap_or(pack.letter.default_valid_days)),
                )),
                pack_version: pack.version,
            },
        )
        .await?)
}

/// An action as asked for.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub action: String,
    pub on: Option<NaiveDate>,
    pub note: String,
    pub valid_days: Option<u32>,
    pub version: Option<i64>,
    /// Receiving a member from outside the group: their record.
    pub member: Option<MemberInput>,
}

pub async fn act(state: &AppState, auth: &Auth, t: &TransferRow, input: &ActionInput) -> AppResult<()> {
    may_read(auth, t)?;
    let Some(step) = Step::from_code(input.action.trim()) else {
        return Err(AppError::refused("action", "transfer.unknown_action", vec![("action", input.action.clone())]));
    };
    let today = state.today();
    let on = input.on.unwrap_or(today);
    if on > today {
        return Err(AppError::refused("on", "date.in_future", vec![]));
    }
    // The rules first (an action this transfer cannot take is 422 for
    // anyone who may read it), then whose action it is.
    let pack: MembershipRulePack = state.store.membership_rules(t.tenant_id, on).await?;
    let d = as_transfer(t);
    let facts = ActionFacts { valid_days: input.valid_days };
    let next = check_action(&pack, &d, step, on, facts).map_err(|r| refused(Tr(auth.lang()), r))?;
    if !may(auth, t, step) {
        return Err(AppError::Forbidden);
    }
    if matches!(step, Step::Reject | Step::Cancel) && input.note.trim().is_empty() {
        return Err(AppError::refused("note", "transfer.reason_required", vec![]));
    }
    let effect = match (d.kind, step) {
        (Kind::Internal, Step::Receive) => TransferEffect::Move {
            member_id: t.member_id.ok_or(AppError::NotFound)?,
            to_org_id: t.to_org_id.ok_or(AppError::NotFound)?,
        },
        (Kind::Outbound, Step::Receive) => TransferEffect::Out { member_id: t.member_id.ok_or(AppError::NotFound)? },
        (Kind::Inbound, Step::Receive) => {
            let Some(input) = &input.member else {
                return Err(AppError::Invalid(vec![FieldError { field: "member", key: "field.required" }]));
            };
            let draft = input.validate(today).map_err(AppError::Invalid)?;
            TransferEffect::In { to_org_id: t.to_org_id.ok_or(AppError::NotFound)?, draft: Box::new(draft) }
        }
        _ => TransferEffect::None,
    };
    let letter_valid_days =
        (step == Step::IssueLetter).then(|| i64::from(input.valid_days.unwrap_or(pack.letter.default_valid_days)));
    let new = TransferStep {
        action: step.code(),
        state: next.code(),
        on,
        note: input.note.trim().to_string(),
        letter_valid_days,
    };
    let version = input.version.unwrap_or(t.version);
    state.store.record_transfer_step(&auth.actor(), t.id, version, &new, &effect).await.map_err(|e| match e {
        ronghe_store::StoreError::Conflict("conflict.id_number") => {
            AppError::Invalid(vec![FieldError { field: "id_number", key: "conflict.id_number" }])
        }
        e => e.into(),
    })
}

/// A transfer on a list, with what needs attention.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub transfer: TransferRow,
    pub warnings: Vec<Warning>,
    pub open: bool,
}

/// A member out of contact long enough to be suspended.
#[derive(Debug, Clone, Serialize)]
pub struct LostContact {
    pub member_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub since: NaiveDate,
    pub suspension_due: NaiveDate,
}

/// A member away now, and the day their membership should have been
/// transferred if they have been away longer than the pack allows.
#[derive(Debug, Clone, Serialize)]
pub struct Away {
    #[serde(flatten)]
    pub row: AwayRow,
    pub transfer_due: Option<NaiveDate>,
}

/// A subtree's transfers (under way, and those closed in the last year)
/// and its membership alerts.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub transfers: Vec<Listed>,
    pub open: usize,
    pub warnings: usize,
    /// Members away now (流动党员), longest away first.
    pub away: Vec<Away>,
    /// The rule the away alert comes from.
    pub away_rule: String,
    pub lost_contact: Vec<LostContact>,
    /// The rule the lost-contact alert comes from.
    pub lost_contact_rule: String,
}

pub async fn overview(state: &AppState, org: &Org) -> AppResult<Overview> {
    overview_on(state, org, state.today()).await
}

/// [`overview`] as it stands on a given day (the reminder job's "today").
pub async fn overview_on(state: &AppState, org: &Org, today: NaiveDate) -> AppResult<Overview> {
    let pack = state.store.membership_rules(org.tenant_id, today).await?;
    let rows = state.store.subtree_transfers(&org.path, today - chrono::Duration::days(365)).await?;
    let transfers: Vec<Listed> = rows
        .into_iter()
        .map(|t| {
            let d = as_transfer(&t);
            Listed { warnings: warnings(&pack, &d, today), open: !next_actions(&d).is_empty(), transfer: t }
        })
        .collect();
    let lost = state.store.subtree_lost_contact(&org.path).await?;
    let lost_contact = lost
        .into_iter()
        .filter_map(|(member_id, name, org_id, org_name, since)| {
            Some(LostContact {
                suspension_due: suspension_due(&pack, since, today)?,
                member_id,
                name,
                org_id,
                org_name,
                since,
            })
        })
        .collect();
    let away = state
        .store
        .subtree_away(&org.path)
        .await?
        .into_iter()
        .map(|row| Away { transfer_due: away_transfer_due(&pack, row.left_on, today), row })
        .collect();
    Ok(Overview {
        away,
        away_rule: pack.source(&pack.away.source),
        open: transfers.iter().filter(|t| t.open).count(),
        warnings: transfers.iter().filter(|t| !t.warnings.is_empty()).count(),
        transfers,
        lost_contact,
        lost_contact_rule: pack.source(&pack.away.source),
    })
}

/// A stay away as recorded by the member's branch.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AwayInput {
    pub left_on: Option<NaiveDate>,
    pub expected_back: Option<NaiveDate>,
    /// Where (city, workplace address).
    pub place: String,
    /// The work they do there.
    pub work: String,
    /// How to reach them.
    pub contact: String,
    /// The certificate they carry (流动党员活动证 or 党员证明信 number), if any.
    pub certificate: String,
}

pub async fn record_away(state: &AppState, auth: &Auth, m: &MemberRecord, a: &AwayInput) -> AppResult<i64> {
    auth.require(Action::WriteRoster, &m.org_path)?;
    let today = state.today();
    let mut errors = Vec::new();
    match a.left_on {
        None => errors.push(FieldError { field: "left_on", key: "field.required" }),
        Some(d) if d > today => errors.push(FieldError { field: "left_on", key: "date.in_future" }),
        Some(_) => {}
    }
    if a.place.trim().is_empty() {
        errors.push(FieldError { field: "place", key: "field.required" });
    }
    if let (Some(left), Some(back)) = (a.left_on, a.expected_back) {
        if back < left {
            errors.push(FieldError { field: "expected_back", key: "away.back_before_left" });
        }
    }
    let (Some(left_on), true) = (a.left_on, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if m.row.status.code() != "normal" {
        return Err(AppError::refused("member", "transfer.member_not_active", vec![]));
    }
    Ok(state
        .store
        .add_away(
            &auth.actor(),
            &NewAway {
                member_id: m.row.id,
                org_id: m.row.org_id,
                left_on,
                expected_back: a.expected_back,
                place: a.place.trim().to_string(),
                work: a.work.trim().to_string(),
                contact: a.contact.trim().to_string(),
                certificate: a.certificate.trim().to_string(),
            },
        )
        .await?)
}

pub async fn end_away(state: &AppState, auth: &Auth, m: &MemberRecord, away: i64, on: NaiveDate) -> AppResult<()> {
    auth.require(Action::WriteRoster, &m.org_path)?;
    if on > state.today() {
        return Err(AppError::refused("on", "date.in_future", vec![]));
    }
    Ok(state.store.end_away(&auth.actor(), m.row.id, m.row.org_id, away, on).await?)
}
