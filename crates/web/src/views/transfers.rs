//! Transfer pages: a subtree's transfers and membership alerts (with the
//! form for a letter brought in from outside), a member's transfers (with
//! the form to ask for one), a transfer's record with a form for each next
//! action, and the introduction letter to print.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ronghe_domain::auth::Action;
use ronghe_domain::members::MemberInput;
use ronghe_domain::text::parse_date;
use ronghe_store::{AwayRow, MemberRecord, Org, TransferRow};
use serde::Deserialize;

use super::{form_page, page_with, Chrome};
use crate::app::transfers::{self, ActionInput, AwayInput, InboundInput, Overview, RequestInput, TransferView};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/transfers", get(org_page))
        .route("/orgs/{id}/transfers/inbound", post(inbound))
        .route("/members/{id}/transfers", get(member_page).post(request))
        .route("/members/{id}/away", post(away))
        .route("/members/{id}/away/{away}/return", post(back))
        .route("/transfers/{id}", get(show))
        .route("/transfers/{id}/actions", post(act))
        .route("/transfers/{id}/letter", get(letter))
}

fn date_or_none(s: &str) -> Option<chrono::NaiveDate> {
    parse_date(s.trim())
}

#[derive(Template)]
#[template(path = "transfers/org.html")]
struct OrgPage {
    page: Chrome,
    org: Org,
    o: Overview,
    can_inbound: bool,
    form: InboundForm,
    error: Option<String>,
    today: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct InboundForm {
    #[serde(default)]
    person_name: String,
    #[serde(default)]
    from_name: String,
    #[serde(default)]
    letter_number: String,
    #[serde(default)]
    letter_issued_on: String,
    #[serde(default)]
    letter_valid_days: String,
}

async fn org_view(
    state: &AppState,
    auth: &Auth,
    org: Org,
    form: InboundForm,
    error: Option<String>,
) -> AppResult<Response> {
    let o = transfers::overview(state, &org).await?;
    let tr = Tr(auth.lang());
    let can_inbound = org.kind.holds_members() && auth.principal().can(Action::WriteRoster, &org.path);
    form_page(
        error.is_some(),
        OrgPage {
            page: Chrome::new(
                auth,
                format!("{} · {}", org.name, tr.t("transfer.title")),
                format!("/orgs/{}/transfers", org.id),
            ),
            org,
            o,
            can_inbound,
            form,
            error,
            today: state.today().to_string(),
        },
    )
}

async fn org_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadRoster, id).await?;
    // The letter's validity the issuer writes, by default the pack's.
    let pack = state.store.membership_rules(org.tenant_id, state.today()).await?;
    let form = InboundForm { letter_valid_days: pack.letter.default_valid_days.to_string(), ..Default::default() };
    org_view(&state, &auth, org, form, None).await
}

async fn inbound(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<InboundForm>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteRoster, &org.path)?;
    let input = InboundInput {
        person_name: f.person_name.clone(),
        from_name: f.from_name.clone(),
        letter_number: f.letter_number.clone(),
        letter_issued_on: date_or_none(&f.letter_issued_on),
        letter_valid_days: f.letter_valid_days.trim().parse().ok(),
        on: None,
    };
    match transfers::register_inbound(&state, &auth, &org, &input).await {
        Ok(t) => Ok(Redirect::to(&format!("/transfers/{t}")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("transfer.field"))?;
            org_view(&state, &auth, org, f, Some(message)).await
        }
    }
}

#[derive(Template)]
#[template(path = "transfers/member.html")]
struct MemberPage {
    page: Chrome,
    m: MemberRecord,
    list: Vec<TransferRow>,
    away: Vec<AwayRow>,
    can_request: bool,
    form: RequestForm,
    /// (which form, the message)
    error: Option<(&'static str, String)>,
    today: String,
}

impl MemberPage {
    fn error_for(&self, form: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| *f == form).map(|(_, m)| m.as_str())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct RequestForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    to_org_code: String,
    #[serde(default)]
    to_name: String,
    #[serde(default)]
    reason: String,
}

async fn member_view(
    state: &AppState,
    auth: &Auth,
    m: MemberRecord,
    form: RequestForm,
    error: Option<(&'static str, String)>,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    let list = state.store.member_transfers(m.row.id).await?;
    let away = state.store.member_away(m.row.id).await?;
    let can_request = auth.principal().can(Action::WriteRoster, &m.org_path);
    form_page(
        error.is_some(),
        MemberPage {
            page: Chrome::new(
                auth,
                format!("{} · {}", m.row.name, tr.t("transfer.title")),
                format!("/members/{}/transfers", m.row.id),
            ),
            m,
            list,
            away,
            can_request,
            form,
            error,
            today: state.today().to_string(),
        },
    )
}

async fn member_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    auth.require(Action::ReadRoster, &m.org_path)?;
    member_view(&state, &auth, m, RequestForm { kind: "internal".into(), ..Default::default() }, None).await
}

async fn request(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<RequestForm>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    auth.require(Action::WriteRoster, &m.org_path)?;
    let input = RequestInput {
        kind: f.kind.clone(),
        to_org_id: None,
        to_org_code: f.to_org_code.clone(),
        to_name: f.to_name.clone(),
        reason: f.reason.clone(),
        on: None,
    };
    match transfers::request(&state, &auth, &m, &input).await {
        Ok(t) => Ok(Redirect::to(&format!("/transfers/{t}")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("transfer.field"))?;
            member_view(&state, &auth, m, f, Some(("request", message))).await
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct AwayForm {
    #[serde(default)]
    left_on: String,
    #[serde(default)]
    expected_back: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    work: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    certificate: String,
}

async fn away(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<AwayForm>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    auth.require(Action::WriteRoster, &m.org_path)?;
    let input = AwayInput {
        left_on: date_or_none(&f.left_on),
        expected_back: date_or_none(&f.expected_back),
        place: f.place,
        work: f.work,
        contact: f.contact,
        certificate: f.certificate,
    };
    match transfers::record_away(&state, &auth, &m, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}/transfers")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("transfer.field"))?;
            let form = RequestForm { kind: "internal".into(), ..Default::default() };
            member_view(&state, &auth, m, form, Some(("away", message))).await
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct BackForm {
    #[serde(default)]
    on: String,
}

async fn back(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, away)): Path<(i64, i64)>,
    Form(f): Form<BackForm>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    auth.require(Action::WriteRoster, &m.org_path)?;
    let on = date_or_none(&f.on).unwrap_or_else(|| state.today());
    match transfers::end_away(&state, &auth, &m, away, on).await {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}/transfers")).into_response()),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("transfer.field"))?;
            let form = RequestForm { kind: "internal".into(), ..Default::default() };
            member_view(&state, &auth, m, form, Some(("away", message))).await
        }
    }
}

#[derive(Template)]
#[template(path = "transfers/show.html")]
struct ShowPage {
    page: Chrome,
    v: TransferView,
    today: String,
    default_days: u32,
    error: Option<(String, String)>,
}

impl ShowPage {
    fn error_for(&self, action: &str) -> Option<&str> {
        self.error.as_ref().filter(|(a, _)| a == action).map(|(_, m)| m.as_str())
    }
}

async fn show_view(
    state: &AppState,
    auth: &Auth,
    t: TransferRow,
    error: Option<(String, String)>,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    let pack = state.store.membership_rules(t.tenant_id, state.today()).await?;
    let title = format!("{} · {}", t.person_name, tr.t("transfer.title"));
    let here = format!("/transfers/{}", t.id);
    let v = transfers::view(state, auth, t).await?;
    form_page(
        error.is_some(),
        ShowPage {
            page: Chrome::new(auth, title, here),
            v,
            today: state.today().to_string(),
            default_days: pack.letter.default_valid_days,
            error,
        },
    )
}

async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let t = state.store.transfer(id).await?;
    transfers::may_read(&auth, &t)?;
    show_view(&state, &auth, t, None).await
}

async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let t = state.store.transfer(id).await?;
    transfers::may_read(&auth, &t)?;
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let action = get("action");
    let member = (!get("name").is_empty()).then(|| MemberInput {
        name: get("name"),
        gender: get("gender"),
        ethnicity: get("ethnicity"),
        birth_date: get("birth_date"),
        id_number: get("id_number"),
        education: get("education"),
        post: get("post"),
        unit: get("unit"),
        phone: get("phone"),
        category: get("category"),
        join_date: get("join_date"),
        conversion_date: get("conversion_date"),
    });
    let input = ActionInput {
        action: action.clone(),
        on: date_or_none(&get("on")),
        note: get("note"),
        valid_days: get("valid_days").parse().ok(),
        version: get("version").parse().ok(),
        member,
    };
    match transfers::act(&state, &auth, &t, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/transfers/{id}")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("transfer.field"))?;
            show_view(&state, &auth, t, Some((action, message))).await
        }
    }
}

#[derive(Template)]
#[template(path = "transfers/letter.html")]
struct LetterPage {
    page: Chrome,
    v: TransferView,
    category: String,
    gender: String,
}

impl LetterPage {
    fn body(&self) -> String {
        let t = &self.v.transfer;
        self.page.tr.tf(
            "transfer.letter_body",
            &[
                ("name", &t.person_name),
                ("gender", &self.gender),
                ("category", &self.category),
                ("from", &t.from_name),
                ("to", &t.to_name),
            ],
        )
    }

    fn dues(&self) -> String {
        match &self.v.dues_paid_through {
            Some(month) => self.page.tr.tf("transfer.letter_dues", &[("month", month)]),
            None => self.page.tr.t("transfer.letter_no_dues").to_string(),
        }
    }

    fn validity(&self) -> String {
        let days = self.v.transfer.letter_valid_days.unwrap_or_default().to_string();
        let until = self.v.letter_expires.map(|d| d.to_string()).unwrap_or_default();
        self.page.tr.tf("transfer.letter_validity", &[("days", &days), ("until", &until)])
    }

    fn receipt(&self) -> String {
        self.page.tr.tf("transfer.receipt_body", &[("name", &self.v.transfer.person_name)])
    }
}

/// The introduction letter (党员组织关系介绍信), from the records: the
/// member, their category, where from and to, the dues paid through, the
/// number and validity.
async fn letter(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let t = state.store.transfer(id).await?;
    transfers::may_read(&auth, &t)?;
    if t.letter_number.is_none() {
        return Err(AppError::NotFound);
    }
    let tr = Tr(auth.lang());
    let (category, gender) = match t.member_id {
        Some(m) => {
            let m = state.store.member(m).await?;
            (tr.v("category", m.row.category.code()).to_string(), tr.v("gender", m.row.gender.code()).to_string())
        }
        None => (String::new(), String::new()),
    };
    let title = format!("{} · {}", t.person_name, tr.t("transfer.letter"));
    let v = transfers::view(&state, &auth, t).await?;
    page_with(
        StatusCode::OK,
        LetterPage { page: Chrome::new(&auth, title, format!("/transfers/{id}/letter")), v, category, gender },
    )
}
