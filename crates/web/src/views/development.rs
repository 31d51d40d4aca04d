//! Member development pages: a subtree's pipeline board (people at each
//! stage, who is overdue) with the branch's application form; a person's
//! timeline with a form for each step that could come next; documents; and
//! the record sheet a secretary prints and files.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ronghe_domain::auth::Action;
use ronghe_domain::development::Requirement;
use ronghe_domain::org::OrgKind;
use ronghe_domain::text::parse_date;
use ronghe_store::{Org, Voter};

use super::{form_page, page_with, Chrome};
use crate::app::development::{self as dev, Application, Choice, Person, Pipeline, StepInput, Timeline};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/development", get(board).post(apply))
        .route("/members/{id}/development", get(person))
        .route("/members/{id}/development/print", get(print))
        .route("/members/{id}/development/steps", post(record_step))
        .route("/members/{id}/development/pack", post(move_pack))
        .route("/members/{id}/development/documents", post(upload))
        .route("/members/{id}/development/documents/{doc}", get(download))
}

#[derive(Template)]
#[template(path = "development/board.html")]
struct BoardPage {
    page: Chrome,
    org: Org,
    p: Pipeline,
    can_apply: bool,
    form: Application,
    error: Option<String>,
    today: String,
}

async fn board_page(
    state: &AppState,
    auth: &Auth,
    org: Org,
    form: Application,
    error: Option<String>,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    let p = dev::pipeline(state, tr, &org).await?;
    let can_apply = org.kind == OrgKind::Branch && auth.principal().can(Action::WriteDevelopment, &org.path);
    let title = format!("{} · {}", org.name, tr.t("dev.title"));
    form_page(
        error.is_some(),
        BoardPage {
            page: Chrome::new(auth, title, format!("/orgs/{}/development", org.id)),
            org,
            p,
            can_apply,
            form,
            error,
            today: state.today().to_string(),
        },
    )
}

async fn board(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadDevelopment, id).await?;
    let form = Application { ethnicity: "汉族".into(), applied_on: state.today().to_string(), ..Default::default() };
    board_page(&state, &auth, org, form, None).await
}

async fn apply(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(a): Form<Application>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteDevelopment, &org.path)?;
    match dev::apply(&state, &auth, &org, &a).await {
        Ok(new) => Ok(Redirect::to(&format!("/members/{new}/development")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("dev.field"))?;
            board_page(&state, &auth, org, a, Some(message)).await
        }
    }
}

#[derive(Template)]
#[template(path = "development/person.html")]
struct PersonPage {
    page: Chrome,
    t: Timeline,
    can_write: bool,
    /// Whether the user may take the higher committee's steps.
    can_approve: bool,
    voters: Vec<Voter>,
    /// The packs a group administrator may move the person to.
    packs: Vec<String>,
    today: String,
    /// The step whose form came back, and the message.
    error: Option<(String, String)>,
}

impl PersonPage {
    fn requires(&self, n: &dev::NextStep, what: &str) -> bool {
        let r = match what {
            "contacts" => Requirement::Contacts,
            "introducers" => Requirement::Introducers,
            "training" => Requirement::Training,
            _ => Requirement::Votes,
        };
        n.requires == Some(r)
    }

    fn error_for(&self, step: &str) -> Option<&str> {
        self.error.as_ref().filter(|(s, _)| s == step).map(|(_, m)| m.as_str())
    }

    /// A step's recorded facts in words: people named, training, votes.
    fn facts(&self, s: &dev::StepView) -> String {
        facts_text(self.page.tr, &s.facts)
    }
}

fn facts_text(tr: Tr, f: &serde_json::Value) -> String {
    let names = |key: &str| -> Option<String> {
        let list = f[key].as_array()?;
        Some(list.iter().filter_map(|p| p["name"].as_str()).collect::<Vec<_>>().join("、"))
    };
    let mut parts = Vec::new();
    if let Some(n) = names("contacts") {
        parts.push(format!("{}：{n}", tr.t("dev.contacts")));
    }
    if let Some(n) = names("introducers") {
        parts.push(format!("{}：{n}", tr.t("dev.introducers")));
    }
    if let (Some(d), Some(h)) = (f["training_days"].as_u64(), f["training_hours"].as_u64()) {
        parts.push(tr.tf("dev.training_summary", &[("days", &d.to_string()), ("hours", &h.to_string())]));
    }
    if let Some(eligible) = f["eligible"].as_u64() {
        let n = |k: &str| f[k].as_u64().unwrap_or(0).to_string();
        parts.push(tr.tf(
            "dev.vote_summary",
            &[
                ("eligible", &eligible.to_string()),
                ("present", &n("present")),
                ("agree", &n("agree")),
                ("disagree", &n("disagree")),
                ("abstain", &n("abstain")),
            ],
        ));
        let against: Vec<String> = f["votes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["choice"] != "agree")
            .filter_map(|v| Some(format!("{}（{}）", v["name"].as_str()?, tr.v("dev_choice", v["choice"].as_str()?))))
            .collect();
        if !against.is_empty() {
            parts.push(against.join("、"));
        }
    }
    if f["special"].as_bool() == Some(true) {
        parts.push(tr.t("dev.special").to_string());
    }
    if let Some(m) = f["extended_months"].as_u64() {
        parts.push(tr.tf("dev.extended_summary", &[("months", &m.to_string())]));
    }
    parts.join(" · ")
}

async fn person_page(
    state: &AppState,
    auth: &Auth,
    person: Person,
    error: Option<(String, String)>,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    let t = dev::timeline(state, tr, &person).await?;
    let can_write =
        matches!(person, Person::Candidate(_)) && auth.principal().can(Action::WriteDevelopment, &t.person.org_path);
    let can_approve =
        dev::parent_path(&t.person.org_path).is_some_and(|p| auth.principal().can(Action::WriteDevelopment, &p));
    let voters = if can_write && t.next.iter().any(|n| n.requires.is_some()) {
        state.store.branch_voters(&t.person.org_path).await?
    } else {
        vec![]
    };
    let packs = match &person {
        Person::Candidate(c) if auth.principal().can(Action::WriteOrg, &c.org_path) => {
            dev::pack_versions(state, c.tenant_id).await?
        }
        _ => vec![],
    };
    let title = format!("{} · {}", t.person.name, tr.t("dev.record"));
    form_page(
        error.is_some(),
        PersonPage {
            page: Chrome::new(auth, title, format!("/members/{}/development", t.person.id)),
            t,
            can_write,
            can_approve,
            voters,
            packs,
            today: state.today().to_string(),
            error,
        },
    )
}

async fn person(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let p = dev::readable_person(&state, &auth, id).await?;
    person_page(&state, &auth, p, None).await
}

/// The step form: repeated keys (people named) and one `vote_<member>` per
/// member entitled to vote.
fn step_input(pairs: &[(String, String)]) -> Result<StepInput, AppError> {
    let mut input = StepInput::default();
    let refuse = |field, key| AppError::Refused { field, key, params: vec![] };
    for (k, v) in pairs {
        let v = v.trim();
        match k.as_str() {
            "step" => input.step = v.to_string(),
            "on" => input.on = Some(parse_date(v).ok_or(refuse("on", "dev.date_required"))?),
            "acted_by" => input.acted_by = v.to_string(),
            "note" => input.note = v.to_string(),
            "contacts" => input.contacts.push(v.parse().map_err(|_| refuse("contacts", "dev.unknown_member"))?),
            "introducers" => {
                input.introducers.push(v.parse().map_err(|_| refuse("introducers", "dev.unknown_member"))?)
            }
            "training_days" if !v.is_empty() => {
                input.training_days = v.parse().map_err(|_| refuse("training_days", "dev.bad_number"))?
            }
            "training_hours" if !v.is_empty() => {
                input.training_hours = v.parse().map_err(|_| refuse("training_hours", "dev.bad_number"))?
            }
            "special" => input.special = v == "on" || v == "true",
            "extended_months" if !v.is_empty() => {
                input.extended_months = Some(v.parse().map_err(|_| refuse("extended_months", "dev.bad_number"))?)
            }
            "version" => input.version = v.parse().ok(),
            k if k.starts_with("vote_") => {
                let id: i64 = k["vote_".len()..].parse().map_err(|_| refuse("votes", "dev.bad_choice"))?;
                match v {
                    "" | "absent" => {}
                    c => input.votes.push((id, Choice::from_code(c).ok_or(refuse("votes", "dev.bad_choice"))?)),
                }
            }
            _ => {}
        }
    }
    Ok(input)
}

async fn record_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let c = state.store.candidate(id).await?;
    auth.require(Action::WriteDevelopment, &c.org_path)?;
    let step = pairs.iter().find(|(k, _)| k == "step").map(|(_, v)| v.clone()).unwrap_or_default();
    let result = match step_input(&pairs) {
        Ok(input) => dev::record_step(&state, &auth, &c, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}/development")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("dev.field"))?;
            person_page(&state, &auth, Person::Candidate(c), Some((step, message))).await
        }
    }
}

#[derive(Debug, serde::Deserialize)]
struct PackForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

async fn move_pack(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<PackForm>,
) -> AppResult<Response> {
    let c = state.store.candidate(id).await?;
    auth.require(Action::WriteOrg, &c.org_path)?;
    match dev::move_pack(&state, &auth, &c, &f.version, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}/development")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("dev.field"))?;
            person_page(&state, &auth, Person::Candidate(c), Some(("pack".into(), message))).await
        }
    }
}

async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let c = state.store.candidate(id).await?;
    auth.require(Action::WriteDevelopment, &c.org_path)?;
    let (mut file, mut step_id) = (None, None);
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::BadRequest("import.unreadable"))? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|_| AppError::BadRequest("import.unreadable"))?;
                file = Some((name, bytes));
            }
            Some("step_id") => {
                step_id = field.text().await.ok().and_then(|t| t.trim().parse::<i64>().ok());
            }
            _ => {}
        }
    }
    let (name, bytes) = file.unwrap_or_default();
    match dev::add_document(&state, &auth, &c, step_id, &name, &bytes).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}/development#documents")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("dev.field"))?;
            person_page(&state, &auth, Person::Candidate(c), Some(("document".into(), message))).await
        }
    }
}

async fn download(State(state): State<AppState>, auth: Auth, Path((id, doc)): Path<(i64, i64)>) -> AppResult<Response> {
    dev::readable_person(&state, &auth, id).await?;
    let (row, bytes) = state.store.development_document(id, doc).await?;
    Ok(super::attachment(&row.content_type, &row.file_name, bytes))
}

#[derive(Template)]
#[template(path = "development/print.html")]
struct PrintPage {
    page: Chrome,
    t: Timeline,
    steps: Vec<(u8, &'static str, Option<dev::StepView>)>,
    today: String,
}

impl PrintPage {
    fn facts(&self, s: &dev::StepView) -> String {
        facts_text(self.page.tr, &s.facts)
    }
}

/// The development record sheet (发展党员工作纪实表): every one of the 25
/// steps with its date and who acted, blank where not yet taken.
async fn print(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let person = dev::readable_person(&state, &auth, id).await?;
    let tr = Tr(auth.lang());
    let t = dev::timeline(&state, tr, &person).await?;
    let steps = dev::all_steps()
        .iter()
        .map(|s| {
            let taken = t.steps.iter().rev().find(|v| v.step == s.code).cloned();
            (s.number, dev::step_title(tr, s.code), taken)
        })
        .collect();
    let title = format!("{} · {}", t.person.name, tr.t("dev.print_title"));
    page_with(
        StatusCode::OK,
        PrintPage {
            page: Chrome::new(&auth, title, format!("/members/{id}/development/print")),
            t,
            steps,
            today: state.today().to_string(),
        },
    )
}
