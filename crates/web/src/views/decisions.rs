//! Decision governance pages (三重一大): an organisation's year — the four
//! metrics, each side of each opening onto its topics, the topics, the
//! overdue execution tasks and the form to submit a topic (with the
//! classifier's suggestion) — and a topic's page: the procedure list step by
//! step with what each record holds, a form for each step that may be
//! recorded now, returns, tasks, the archive's completeness and the seal.
//! Every rule is the app layer's (`app::decisions`); these pages only turn
//! flat form fields into its inputs and its answers into HTML.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::decisions::{DecisionsRulePack, Finding, Item, Opinion, Outcome, Risk, TaskInput, Vote};
use ronghe_domain::members::FieldError;
use ronghe_domain::text::parse_date;
use ronghe_store::{Org, OverdueTask, TopicRow};
use serde::Deserialize;

use super::{form_page, Chrome, Sent};
use crate::app::decisions::{self, MetricsView, StepInput, StepState, SubmitInput, Suggestion, TopicView, VoteInput};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/decisions", get(org_page).post(submit))
        .route("/orgs/{id}/decisions/suggest", get(suggest))
        .route("/topics/{id}", get(topic_page))
        .route("/topics/{id}/steps", post(record_step))
        .route("/topics/{id}/return", post(return_topic))
        .route("/topics/{id}/resubmit", post(resubmit))
        .route("/topics/{id}/tasks/{task}/close", post(close_task))
}

/// The catalogue section naming the forms' fields in messages.
const LABELS: Option<&str> = Some("decisions.field");

/// The figures a page can drill into, and their catalogue keys.
const METRICS: [&str; 5] = ["prestudy_rate", "archive_completeness", "compliance", "cycle_time", "prestudy_rejections"];

fn status_class(status: &str) -> &'static str {
    match status {
        "closed" => "ok",
        "rejected" => "bad",
        "returned" => "warn",
        _ => "info",
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".into(), |r| format!("{:.0}%", r * 100.0))
}

/// Days as people read them: 46, 45.5.
fn days(d: f64) -> String {
    if d.fract() == 0.0 {
        format!("{d:.0}")
    } else {
        format!("{d:.1}")
    }
}

#[derive(Debug, Deserialize)]
struct OrgQuery {
    year: Option<i32>,
    metric: Option<String>,
    side: Option<String>,
}

/// The submission form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct SubmitForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    proposer: String,
    #[serde(default)]
    submitted_on: String,
    #[serde(default)]
    item_code: String,
    /// A suggestion's button, sent without scripts: the item it picks.
    #[serde(default)]
    pick: String,
}

/// One side of one metric, opened onto its topics.
struct Drill {
    metric: String,
    side: String,
    /// The topics, with their days from submission to decision and, on a
    /// ratio's denominator, whether each counts in the numerator.
    rows: Vec<(TopicRow, Option<i64>, Option<bool>)>,
}

/// A category of the matters list with its items, for the form's select.
struct CategoryItems {
    name: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "decisions/org.html")]
struct OrgPage {
    page: Chrome,
    org: Org,
    year: i32,
    m: MetricsView,
    topics: Vec<TopicRow>,
    overdue: Vec<OverdueTask>,
    /// All overdue tasks, of which `overdue` lists the first 500.
    overdue_total: i64,
    drill: Option<Drill>,
    can_write: bool,
    categories: Vec<CategoryItems>,
    form: SubmitForm,
    error: Option<String>,
    suggestions: Vec<Suggestion>,
    /// Whether suggestions were asked for (so "none found" can be said).
    suggested: bool,
    today: String,
}

impl OrgPage {
    /// A matter's name, from the pack in force (the code alone if it has none).
    fn item_name(&self, code: &str) -> String {
        self.categories
            .iter()
            .flat_map(|c| c.items.iter())
            .find(|i| i.code == code)
            .map_or_else(String::new, |i| i.name.clone())
    }

    fn percent(&self, r: &Option<f64>) -> String {
        percent(*r)
    }

    fn median(&self) -> String {
        self.m.cycle_time.median_days.map_or_else(|| "—".into(), days)
    }

    fn mean(&self) -> String {
        self.m.cycle_time.mean_days.map_or_else(|| "—".into(), days)
    }

    fn status_class(&self, s: &str) -> &'static str {
        status_class(s)
    }

    fn status_label(&self, s: &str) -> &'static str {
        self.page.tr.t(&format!("decisions.status.{s}"))
    }

    fn ratio(&self, key: &str) -> &crate::app::decisions::RatioView {
        match key {
            "prestudy_rate" => &self.m.prestudy_rate,
            "archive_completeness" => &self.m.archive_completeness,
            _ => &self.m.compliance,
        }
    }

    fn metric_label(&self, key: &str) -> &'static str {
        self.page.tr.t(&format!("decisions.metric.{key}"))
    }

    fn drill_href(&self, metric: &str, side: &str) -> String {
        format!("/orgs/{}/decisions?year={}&metric={metric}&side={side}#drill", self.org.id, self.year)
    }

    /// On a ratio's list, a link to its other side.
    fn other_side(&self, d: &Drill) -> Option<(String, &'static str)> {
        let other = match (d.metric.as_str(), d.side.as_str()) {
            ("cycle_time" | "prestudy_rejections", _) => return None,
            (_, "numerator") => "denominator",
            _ => "numerator",
        };
        Some((self.drill_href(&d.metric, other), self.page.tr.t(&format!("decisions.side.{other}"))))
    }

    fn drill_title(&self, d: &Drill) -> String {
        let tr = self.page.tr;
        if matches!(d.metric.as_str(), "cycle_time" | "prestudy_rejections") {
            return tr.t(&format!("decisions.metric.{}", d.metric)).to_string();
        }
        format!("{} · {}", tr.t(&format!("decisions.metric.{}", d.metric)), tr.t(&format!("decisions.side.{}", d.side)))
    }

    /// Whether the list is a ratio's denominator, whose rows say if each
    /// counts in the numerator.
    fn counts_sides(&self, d: &Drill) -> bool {
        d.rows.iter().any(|(_, _, counted)| counted.is_some())
    }

    fn definition(&self, d: &Drill) -> &'static str {
        self.page.tr.t(&format!("decisions.define.{}", d.metric))
    }
}

/// The submission form as the page draws it: what was typed, the message
/// when it came back, and whether to show the classifier's suggestion.
#[derive(Default)]
struct FormState {
    form: SubmitForm,
    error: Option<String>,
    suggested: bool,
}

async fn org_view(
    state: &AppState,
    auth: &Auth,
    org: Org,
    year: i32,
    drill: Option<(String, String)>,
    FormState { form, error, suggested }: FormState,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    let today = state.today();
    let m = decisions::metrics(state, &org, year).await?;
    let listed = decisions::list(state, &org, year).await?;
    let (topics, overdue, overdue_total) = (listed.topics, listed.overdue_tasks, listed.overdue_total);
    let drill = match drill {
        Some((metric, side)) => {
            let days: BTreeMap<i64, i64> = m.cycle_time.topics.iter().copied().collect();
            // The topics on the side asked for, and those in the numerator.
            let (ids, counted): (Vec<i64>, Option<Vec<i64>>) = match (metric.as_str(), side.as_str()) {
                ("cycle_time", _) => (m.cycle_time.topics.iter().map(|(id, _)| *id).collect(), None),
                ("prestudy_rejections", _) => (m.prestudy_rejections.clone(), None),
                (metric, side) => {
                    let r = match metric {
                        "prestudy_rate" => &m.prestudy_rate,
                        "archive_completeness" => &m.archive_completeness,
                        _ => &m.compliance,
                    };
                    if side == "numerator" {
                        (r.numerator_topics.clone(), None)
                    } else {
                        (r.denominator_topics.clone(), Some(r.numerator_topics.clone()))
                    }
                }
            };
            let by_id: BTreeMap<i64, &TopicRow> = topics.iter().map(|t| (t.id, t)).collect();
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids {
                // Every topic decided in the year is alive in it, so listed; the
                // store is asked only should that ever not hold.
                let row = match by_id.get(&id) {
                    Some(t) => (*t).clone(),
                    None => state.store.topic(id).await?.row,
                };
                rows.push((row, days.get(&id).copied(), counted.as_ref().map(|c| c.contains(&id))));
            }
            Some(Drill { metric, side, rows })
        }
        None => None,
    };
    let can_write = auth.principal().can(Action::WriteDecisions, &org.path);
    let pack = decisions::pack_for(state, org.tenant_id, today).await?;
    let suggestions = if suggested { decisions::suggestions(&pack, &form.title) } else { Vec::new() };
    let categories = if can_write {
        pack.categories
            .iter()
            .map(|c| CategoryItems {
                name: c.name.clone(),
                items: pack.items.iter().filter(|i| i.category == c.code).cloned().collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    form_page(
        error.is_some(),
        OrgPage {
            page: Chrome::new(
                auth,
                format!("{} · {}", org.name, tr.t("decisions.title")),
                format!("/orgs/{}/decisions?year={year}", org.id),
            ),
            org,
            year,
            m,
            topics,
            overdue,
            overdue_total,
            drill,
            can_write,
            categories,
            form,
            error,
            suggestions,
            suggested,
            today: today.to_string(),
        },
    )
}

async fn org_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<OrgQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, Action::ReadDecisions, id).await?;
    let year = state.year_or_current(q.year);
    let drill = match (q.metric, q.side) {
        (Some(m), side) if METRICS.contains(&m.as_str()) => {
            let side = side.filter(|s| s == "numerator").unwrap_or_else(|| "denominator".into());
            Some((m, side))
        }
        _ => None,
    };
    let form = SubmitForm { submitted_on: state.today().to_string(), ..Default::default() };
    org_view(&state, &auth, org, year, drill, FormState { form, ..Default::default() }).await
}

#[derive(Debug, Deserialize)]
struct SuggestQuery {
    #[serde(default)]
    title: String,
}

#[derive(Template)]
#[template(path = "decisions/suggestions.html")]
struct SuggestionsFragment {
    tr: Tr,
    suggestions: Vec<Suggestion>,
    suggested: bool,
}

/// The classifier's suggestion for a title: a fragment for htmx, or the
/// organisation's page with the form holding the title and the suggestions.
async fn suggest(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<SuggestQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, Action::ReadDecisions, id).await?;
    if super::is_htmx(&headers) {
        let pack = decisions::pack_for(&state, org.tenant_id, state.today()).await?;
        let suggested = !q.title.trim().is_empty();
        let suggestions = if suggested { decisions::suggestions(&pack, &q.title) } else { Vec::new() };
        return super::page(SuggestionsFragment { tr: Tr(auth.lang()), suggestions, suggested });
    }
    let form = SubmitForm { title: q.title, submitted_on: state.today().to_string(), ..Default::default() };
    let year = state.year_or_current(None);
    org_view(&state, &auth, org, year, None, FormState { form, error: None, suggested: true }).await
}

/// Submits a topic; back with the form, and the classifier's suggestion when
/// no item was chosen, if it is refused.
async fn submit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(mut f): Form<SubmitForm>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, Action::ReadDecisions, id).await?;
    // A suggestion picked without scripts fills the form in; it does not send it.
    if !f.pick.trim().is_empty() {
        f.item_code = std::mem::take(&mut f.pick);
        let year = state.year_or_current(None);
        return org_view(&state, &auth, org, year, None, FormState { form: f, error: None, suggested: false }).await;
    }
    let submitted_on = optional_date(&f.submitted_on, "submitted_on");
    let r = match submitted_on {
        Ok(submitted_on) => {
            let input = SubmitInput {
                item_code: f.item_code.clone(),
                title: f.title.clone(),
                summary: f.summary.clone(),
                proposer: f.proposer.clone(),
                submitted_on,
            };
            decisions::submit(&state, &auth, &org, &input).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(topic) => Ok(Redirect::to(&format!("/topics/{topic}")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, LABELS)?;
            let suggested = f.item_code.trim().is_empty() && !f.title.trim().is_empty();
            let year = state.year_or_current(None);
            org_view(&state, &auth, org, year, None, FormState { form: f, error: Some(message), suggested }).await
        }
    }
}

#[derive(Template)]
#[template(path = "decisions/topic.html")]
struct TopicPage {
    page: Chrome,
    v: TopicView,
    pack: DecisionsRulePack,
    can_write: bool,
    today: String,
    /// (form, message) of the form sent back.
    error: Option<(String, String)>,
    /// What that form sent.
    sent: Sent,
}

impl TopicPage {
    fn error_for(&self, form: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == form).map(|(_, m)| m.as_str())
    }

    /// What `form` sent for `name`, when it is the form that came back.
    fn val(&self, form: &str, name: &str) -> &str {
        if self.error.as_ref().is_some_and(|(f, _)| f == form) {
            self.sent.or_empty(name)
        } else {
            ""
        }
    }

    /// As `val`, for the `i`th row's `field` of a list (`risks[0].risk`).
    fn row_val(&self, form: &str, list: &str, i: &usize, field: &str) -> &str {
        self.val(form, &format!("{list}[{i}].{field}"))
    }

    fn date_val(&self, form: &str) -> String {
        match self.val(form, "done_on") {
            "" => self.today.clone(),
            d => d.to_string(),
        }
    }

    fn status_label(&self) -> &'static str {
        self.page.tr.t(&format!("decisions.status.{}", self.v.topic.status))
    }

    /// The year whose page lists the topic.
    fn year(&self) -> i32 {
        use chrono::Datelike;
        self.v.topic.decided_on.unwrap_or(self.v.topic.submitted_on).year()
    }

    fn key(&self, section: &str, code: &str) -> String {
        format!("{section}.{code}")
    }

    fn approved(&self, o: &Outcome) -> bool {
        *o == Outcome::Approved
    }

    fn vote_code(&self, v: &Vote) -> &'static str {
        match v {
            Vote::Agree => "agree",
            Vote::Disagree => "disagree",
            Vote::Abstain => "abstain",
        }
    }

    fn status_class(&self) -> &'static str {
        status_class(&self.v.topic.status)
    }

    fn open(&self) -> bool {
        self.v.topic.status == "open"
    }

    /// Why the steps not done are not going on, when the topic is not
    /// moving: returned (until resubmitted) or ended.
    fn idle(&self) -> Option<&'static str> {
        match self.v.topic.status.as_str() {
            "returned" => Some(self.page.tr.t("decisions.paused")),
            "closed" | "rejected" => Some(self.page.tr.t("decisions.not_pursued")),
            _ => None,
        }
    }

    /// A step's name: the pack's, or in English the catalogue's for a step
    /// Ronghe knows.
    fn step_name(&self, code: &str, name: &str) -> String {
        let key = format!("decisions.step_name.{code}");
        if self.page.tr.is_en() && ronghe_domain::i18n::has(&key) {
            self.page.tr.t(&key).to_string()
        } else {
            name.to_string()
        }
    }

    fn phase(&self, phase: &str) -> String {
        let key = format!("decisions.phase.{phase}");
        if self.page.tr.is_en() && ronghe_domain::i18n::has(&key) {
            self.page.tr.t(&key).to_string()
        } else {
            phase.to_string()
        }
    }

    fn artefact(&self, code: &str, name: &str) -> String {
        let key = format!("decisions.artefact.{code}");
        if self.page.tr.is_en() && ronghe_domain::i18n::has(&key) {
            self.page.tr.t(&key).to_string()
        } else {
            name.to_string()
        }
    }

    fn requires_text(&self, s: &StepState) -> String {
        s.requires
            .iter()
            .map(|(c, n)| self.artefact(c, n))
            .collect::<Vec<_>>()
            .join(self.page.tr.t("decisions.list_sep"))
    }

    fn waiting_text(&self, s: &StepState) -> String {
        s.waiting_for
            .iter()
            .map(|(c, n)| if self.pack.step(c).is_some() { self.step_name(c, n) } else { self.artefact(c, n) })
            .collect::<Vec<_>>()
            .join(self.page.tr.t("decisions.list_sep"))
    }

    fn missing_text(&self) -> String {
        self.v
            .completeness
            .missing
            .iter()
            .map(|m| {
                let step = self.pack.step(&m.step).map(|s| self.step_name(&s.code, &s.name)).unwrap_or_default();
                let what = self.artefact(&m.code, &m.name);
                if self.page.tr.is_en() {
                    format!("{what} ({step})")
                } else {
                    format!("{what}（{step}）")
                }
            })
            .collect::<Vec<_>>()
            .join(self.page.tr.t("decisions.list_sep"))
    }

    /// What the record's text is, by step.
    fn body_label(&self, code: &str) -> &'static str {
        let key = format!("decisions.body.{code}");
        if ronghe_domain::i18n::has(&key) {
            self.page.tr.t(&key)
        } else {
            self.page.tr.t("decisions.body.other")
        }
    }

    fn check_name(&self, code: &str) -> String {
        self.v.checks.iter().find(|(c, _)| c == code).map_or_else(|| code.to_string(), |(_, n)| n.clone())
    }

    /// A risk's score and level: `12（高）`; in English the level by the
    /// catalogue when Ronghe knows it.
    fn risk(&self, r: &Risk) -> String {
        match self.pack.risk(r.likelihood, r.impact) {
            Some((score, level)) => {
                let key = format!("decisions.risk_level.{}", level.code);
                let name = if self.page.tr.is_en() && ronghe_domain::i18n::has(&key) {
                    self.page.tr.t(&key)
                } else {
                    level.name.as_str()
                };
                self.page.tr.tf("decisions.risk_score", &[("score", score.to_string().as_str()), ("level", name)])
            }
            None => "—".into(),
        }
    }

    fn risk_class(&self, r: &Risk) -> &'static str {
        match self.pack.risk(r.likelihood, r.impact).map(|(_, l)| l.code.as_str()) {
            Some("low") => "ok",
            Some("medium") => "info",
            Some(_) => "bad",
            None => "",
        }
    }

    fn vote_label(&self, v: &Vote) -> &'static str {
        self.page.tr.t(match v {
            Vote::Agree => "decisions.vote.agree",
            Vote::Disagree => "decisions.vote.disagree",
            Vote::Abstain => "decisions.vote.abstain",
        })
    }

    /// The count of a discussion's named votes, and the majority of the
    /// whole committee it was measured against when the record keeps it.
    fn tally(&self, content: &ronghe_domain::decisions::StepContent) -> String {
        let votes = &content.votes;
        let n = |v: Vote| votes.iter().filter(|x| x.vote == v).count().to_string();
        let counted = self.page.tr.tf(
            "decisions.tally",
            &[
                ("present", votes.len().to_string().as_str()),
                ("agree", &n(Vote::Agree)),
                ("disagree", &n(Vote::Disagree)),
                ("abstain", &n(Vote::Abstain)),
            ],
        );
        match &content.tally {
            Some(t) => {
                let result = self.page.tr.t(if t.passed { "decisions.tally_passed" } else { "decisions.tally_failed" });
                let of = self.page.tr.tf("decisions.tally_of", &[("entitled", t.entitled.to_string().as_str())]);
                format!("{counted}{}{of}{result}", self.page.tr.t("decisions.list_sep"))
            }
            None => counted,
        }
    }

    fn outcome_label(&self, o: &Outcome) -> &'static str {
        self.page.tr.t(match o {
            Outcome::Approved => "decisions.outcome.approved",
            Outcome::Rejected => "decisions.outcome.rejected",
        })
    }

    /// The vote sent for a committee member, when the form came back.
    fn vote_sent(&self, member: &i64) -> &str {
        self.val("step-discussion", &format!("vote_{member}"))
    }

    fn reason_sent(&self, member: &i64) -> &str {
        self.val("step-discussion", &format!("reason_{member}"))
    }

    /// Execution tasks not closed yet (supervision waits for them).
    fn open_tasks(&self) -> usize {
        self.v.tasks.iter().filter(|k| k.task.done_on.is_none()).count()
    }

    /// Three rows for lists typed on the page (blank ones are ignored).
    fn rows(&self) -> std::ops::Range<usize> {
        0..3
    }

    /// The decision may also be recorded after the fact (补录) while it
    /// waits for steps the topic skipped.
    fn may_backfill(&self, s: &StepState) -> bool {
        s.code == "decision" && s.state == "waiting" && self.open()
    }

    /// The message of a form that came back but is not on the page any more
    /// (the topic moved on, or someone else acted first): shown at the top.
    fn error_elsewhere(&self) -> Option<&str> {
        let (form, message) = self.error.as_ref()?;
        let status = self.v.topic.status.as_str();
        let shown = self.can_write
            && if let Some(code) = form.strip_prefix("step-") {
                self.v.steps.iter().any(|s| s.code == code && (s.state == "ready" || self.may_backfill(s)))
            } else if let Some(id) = form.strip_prefix("task-") {
                status == "executing"
                    && self.v.tasks.iter().any(|k| k.task.id.to_string() == id && k.task.done_on.is_none())
            } else {
                (form == "resubmit" && status == "returned") || (form == "return" && self.open())
            };
        (!shown).then_some(message.as_str())
    }
}

async fn topic_view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    error: Option<(String, String)>,
    sent: Sent,
) -> AppResult<Response> {
    let t = decisions::readable_topic(state, auth, id).await?;
    let tr = Tr(auth.lang());
    let can_write = auth.principal().can(Action::WriteDecisions, &t.org_path);
    let title = format!("{} · {}", t.row.title, tr.t("decisions.topic"));
    let v = decisions::view(state, t).await?;
    // The topic's own pack version, as the rules judged it.
    let pack = v.pack.clone();
    form_page(
        error.is_some(),
        TopicPage {
            page: Chrome::new(auth, title, format!("/topics/{id}")),
            v,
            pack,
            can_write,
            today: state.today().to_string(),
            error,
            sent,
        },
    )
}

async fn topic_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    topic_view(&state, &auth, id, None, Sent::default()).await
}

/// After a form: back to the topic at the form's place, or the topic with
/// the message and what was typed.
async fn done(state: &AppState, auth: &Auth, id: i64, form: &str, r: AppResult<()>, sent: Sent) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/topics/{id}#{form}")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, LABELS)?;
            topic_view(state, auth, id, Some((form.to_string(), message)), sent).await
        }
    }
}

fn field<'f>(f: &'f [(String, String)], name: &str) -> &'f str {
    f.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// A date typed in a form: none when blank, refused when unreadable.
fn optional_date(typed: &str, name: &'static str) -> AppResult<Option<NaiveDate>> {
    match typed.trim() {
        "" => Ok(None),
        s => parse_date(s).map(Some).ok_or(AppError::Invalid(vec![FieldError { field: name, key: "field.bad_date" }])),
    }
}

fn date_field(f: &[(String, String)], name: &'static str) -> AppResult<Option<NaiveDate>> {
    optional_date(field(f, name), name)
}

/// The rows of a list sent as `list[i].field`, in their order.
fn rows<'f>(f: &'f [(String, String)], list: &str) -> Vec<BTreeMap<&'f str, &'f str>> {
    let prefix = format!("{list}[");
    let mut by_index: BTreeMap<usize, BTreeMap<&str, &str>> = BTreeMap::new();
    for (k, v) in f {
        let Some(rest) = k.strip_prefix(&prefix) else { continue };
        let Some((i, name)) = rest.split_once("].") else { continue };
        let Ok(i) = i.parse::<usize>() else { continue };
        by_index.entry(i).or_default().insert(name, v.as_str());
    }
    by_index.into_values().collect()
}

/// A step's form, flat as HTML sends it, as the app's input: the lists as
/// `opinions[i].expert`, `risks[i].likelihood`, `findings[i].check`,
/// `tasks[i].due_on`; each committee member's vote as `vote_<member>`
/// (`absent` or blank: not present, not sent) with `reason_<member>`.
fn step_input(f: &[(String, String)]) -> AppResult<StepInput> {
    let get = |row: &BTreeMap<&str, &str>, k: &str| row.get(k).map_or(String::new(), |v| v.to_string());
    let score = |row: &BTreeMap<&str, &str>, k: &str| row.get(k).and_then(|v| v.trim().parse::<u8>().ok()).unwrap_or(0);
    let mut tasks = Vec::new();
    for r in rows(f, "tasks") {
        let due_on = optional_date(r.get("due_on").copied().unwrap_or(""), "due_on")?;
        tasks.push(TaskInput { title: get(&r, "title"), owner: get(&r, "owner"), due_on });
    }
    let votes = f
        .iter()
        .filter_map(|(k, v)| {
            let member_id: i64 = k.strip_prefix("vote_")?.parse().ok()?;
            let vote = v.trim();
            (!vote.is_empty() && vote != "absent").then(|| VoteInput {
                member_id,
                vote: vote.to_string(),
                reason: field(f, &format!("reason_{member_id}")).to_string(),
            })
        })
        .collect();
    let outcome = match field(f, "outcome").trim() {
        "approved" => Some(Outcome::Approved),
        "rejected" => Some(Outcome::Rejected),
        _ => None,
    };
    let backfill = field(f, "backfill_reason").trim();
    Ok(StepInput {
        step: field(f, "step").trim().to_string(),
        done_on: date_field(f, "done_on")?,
        body: field(f, "body").to_string(),
        opinions: rows(f, "opinions")
            .iter()
            .map(|r| Opinion { expert: get(r, "expert"), opinion: get(r, "opinion") })
            .collect(),
        risks: rows(f, "risks")
            .iter()
            .map(|r| Risk {
                risk: get(r, "risk"),
                likelihood: score(r, "likelihood"),
                impact: score(r, "impact"),
                mitigation: get(r, "mitigation"),
                owner: get(r, "owner"),
            })
            .collect(),
        findings: rows(f, "findings")
            .iter()
            .map(|r| Finding { check: get(r, "check"), finding: get(r, "finding") })
            .collect(),
        votes,
        tasks,
        outcome,
        backfill_reason: (!backfill.is_empty()).then(|| backfill.to_string()),
        version: field(f, "version").trim().parse().ok(),
    })
}

async fn record_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    let form = format!("step-{}", field(&f, "step").trim());
    let r = match step_input(&f) {
        Ok(input) => decisions::record_step(&state, &auth, &t, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    done(&state, &auth, id, &form, r, Sent(f)).await
}

#[derive(Debug, Deserialize)]
struct ReturnForm {
    #[serde(default)]
    reason: String,
    /// The topic's version the page showed.
    #[serde(default)]
    version: String,
}

async fn return_topic(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<ReturnForm>,
) -> AppResult<Response> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    let r = decisions::return_topic(&state, &auth, &t, &f.reason, f.version.trim().parse().ok()).await;
    done(&state, &auth, id, "return", r, Sent(vec![("reason".into(), f.reason)])).await
}

#[derive(Debug, Deserialize)]
struct ResubmitForm {
    #[serde(default)]
    response: String,
    #[serde(default)]
    summary: String,
    /// The topic's version the page showed.
    #[serde(default)]
    version: String,
}

async fn resubmit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<ResubmitForm>,
) -> AppResult<Response> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    let r = decisions::resubmit(&state, &auth, &t, &f.response, &f.summary, f.version.trim().parse().ok()).await;
    done(&state, &auth, id, "resubmit", r, Sent(vec![("response".into(), f.response), ("summary".into(), f.summary)]))
        .await
}

async fn close_task(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, task)): Path<(i64, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let t = decisions::readable_topic(&state, &auth, id).await?;
    let r = match date_field(&f, "done_on") {
        Ok(day) => {
            let seen = field(&f, "version").trim().parse().ok();
            decisions::close_task(&state, &auth, &t, task, day, field(&f, "result"), seen).await
        }
        Err(e) => Err(e),
    };
    done(&state, &auth, id, &format!("task-{task}"), r, Sent(f)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_flat_form_becomes_the_apps_step_input() {
        let f = form(&[
            ("step", "discussion"),
            ("done_on", "2026-03-01"),
            ("body", "纪要"),
            ("risks[1].risk", "电价"),
            ("risks[1].likelihood", "3"),
            ("risks[1].impact", "4"),
            ("risks[0].risk", "工期"),
            ("risks[0].likelihood", "x"),
            ("findings[0].check", "direction"),
            ("findings[0].finding", "符合"),
            ("vote_7", "agree"),
            ("reason_7", "可行"),
            ("vote_8", "absent"),
            ("reason_8", "出差"),
            ("vote_9", "disagree"),
            ("tasks[0].title", "签合同"),
            ("tasks[0].due_on", ""),
        ]);
        let s = step_input(&f).unwrap();
        assert_eq!((s.step.as_str(), s.done_on), ("discussion", NaiveDate::from_ymd_opt(2026, 3, 1)));
        assert_eq!(
            s.risks.iter().map(|r| (r.risk.as_str(), r.likelihood, r.impact)).collect::<Vec<_>>(),
            [("工期", 0, 0), ("电价", 3, 4)]
        );
        assert_eq!(s.findings[0].check, "direction");
        let votes: Vec<(i64, &str, &str)> =
            s.votes.iter().map(|v| (v.member_id, v.vote.as_str(), v.reason.as_str())).collect();
        assert_eq!(votes, [(7, "agree", "可行"), (9, "disagree", "")]);
        assert_eq!((s.tasks.len(), s.tasks[0].due_on), (1, None));
        assert_eq!((s.outcome, s.backfill_reason), (None, None));
        let bad = form(&[("step", "research"), ("done_on", "昨天")]);
        assert!(matches!(step_input(&bad), Err(AppError::Invalid(_))));
    }
}
