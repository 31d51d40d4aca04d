//! Decision governance (三重一大): topics submitted to a party committee,
//! classified against the matters list, taken through the procedure list
//! (调研-论证-决策-执行-监督) one checked step at a time, returned with
//! reasons, voted on by name, decided, executed and supervised to the end;
//! and the four metrics of DOMAIN.md §5 for any subtree and year, each with
//! the topics on both sides. Shared by the pages and the API.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use ronghe_domain::auth::Action;
use ronghe_domain::decisions::{
    check_task_close, prepare_step, DecisionsRulePack, DoneStep, Effect, Finding, Item, Opinion, Outcome, Refusal,
    Risk, StepContent, StepDraft, TaskInput, TopicState, Vote,
};
use ronghe_domain::meetings::Period;
use ronghe_domain::members::FieldError;
use ronghe_store::{
    Figures, NewTopic, NewTopicStep, Org, OverdueTask, TopicEffect, TopicLists, TopicRecord, TopicReturnRow, TopicRow,
    TopicStepRow, TopicTaskRow,
};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// The pack a topic runs under: the one in force when it was submitted.
pub async fn pack_for(state: &AppState, tenant_id: i64, day: NaiveDate) -> AppResult<DecisionsRulePack> {
    Ok(state.store.decisions_rules(tenant_id, day).await?)
}

/// The pack a topic runs under: the version it was submitted under, even
/// after a newer one came into force.
async fn topic_pack(state: &AppState, t: &TopicRow) -> AppResult<DecisionsRulePack> {
    Ok(state.store.decisions_rules_version(t.tenant_id, &t.pack_version).await?)
}

/// A topic the caller may read (404 outside their scope).
pub async fn readable_topic(state: &AppState, auth: &Auth, id: i64) -> AppResult<TopicRecord> {
    let t = state.store.topic(id).await?;
    auth.require(Action::ReadDecisions, &t.org_path)?;
    Ok(t)
}

/// A topic as its proposer submits it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SubmitInput {
    /// The matters list's item (e.g. `I02`); `GET …/decisions/suggest` proposes one from the title.
    pub item_code: String,
    pub title: String,
    pub summary: String,
    /// The department or unit submitting it.
    pub proposer: String,
    /// Default: today.
    pub submitted_on: Option<NaiveDate>,
}

fn required(field: &'static str, v: &str, errors: &mut Vec<FieldError>) {
    if v.trim().is_empty() {
        errors.push(FieldError { field, key: "field.required" });
    }
}

fn not_future(state: &AppState, field: &'static str, day: NaiveDate) -> AppResult<()> {
    if day > state.today() {
        return Err(AppError::Invalid(vec![FieldError { field, key: "date.in_future" }]));
    }
    Ok(())
}

/// Submits a topic to the party committee of `org` (议题申报).
pub async fn submit(state: &AppState, auth: &Auth, org: &Org, s: &SubmitInput) -> AppResult<i64> {
    auth.require(Action::WriteDecisions, &org.path)?;
    let mut errors = Vec::new();
    required("title", &s.title, &mut errors);
    required("summary", &s.summary, &mut errors);
    required("item_code", &s.item_code, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let day = s.submitted_on.unwrap_or_else(|| state.today());
    not_future(state, "submitted_on", day)?;
    let pack = pack_for(state, org.tenant_id, day).await?;
    if pack.item(s.item_code.trim()).is_none() {
        return Err(AppError::refused("item_code", "decision.unknown_item", vec![("item", s.item_code.clone())]));
    }
    let content = StepContent { body: s.summary.trim().to_string(), ..StepContent::default() };
    Ok(state
        .store
        .create_topic(
            &auth.actor(),
            &NewTopic {
                org_id: org.id,
                item_code: s.item_code.trim().to_string(),
                pack_version: pack.version.clone(),
                title: s.title.trim().to_string(),
                summary: s.summary.trim().to_string(),
                proposer: s.proposer.trim().to_string(),
                submitted_on: day,
                content: serde_json::to_string(&content).map_err(anyhow::Error::from)?,
            },
        )
        .await?)
}

/// A committee member's vote as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VoteInput {
    pub member_id: i64,
    /// `agree`, `disagree` or `abstain`.
    pub vote: String,
    pub reason: String,
}

/// A step's record as sent: which parts a step needs is the procedure list's
/// (the research report is `body`; expert review takes `opinions`; risk
/// assessment `risks`; the political review `findings` for every check;
/// the discussion `votes` and its minutes in `body`; the decision `body` and
/// `outcome`; execution `tasks`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// A step code of the procedure list (`research`, `expert_review`, …).
    pub step: String,
    /// Default: today.
    pub done_on: Option<NaiveDate>,
    pub body: String,
    #[schema(value_type = Vec<Object>)]
    pub opinions: Vec<Opinion>,
    #[schema(value_type = Vec<Object>)]
    pub risks: Vec<Risk>,
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<Finding>,
    pub votes: Vec<VoteInput>,
    #[schema(value_type = Vec<Object>)]
    pub tasks: Vec<TaskInput>,
    /// `approved` or `rejected` (the decision step).
    #[schema(value_type = Option<String>)]
    pub outcome: Option<Outcome>,
    /// Recording a decision already taken outside the procedure (补录): the
    /// reason. Only the decision step may be recorded so; the steps it
    /// skipped stay missing, and the metrics count it against compliance.
    pub backfill_reason: Option<String>,
    /// The topic's `version` as the sender last saw it; when given, a topic
    /// changed since is refused (409) rather than acted on.
    pub version: Option<i64>,
}

/// A refusal in the user's language: the steps and artefacts it names come
/// from the pack in Chinese, and from the catalogue in English.
fn refused(auth: &Auth, r: Refusal) -> AppError {
    let mut params = r.params;
    if auth.lang() == ronghe_domain::Lang::En && !r.codes.is_empty() {
        if let Some(first) = params.first_mut() {
            let section = if first.0 == "steps" { "decisions.step_name" } else { "decisions.artefact" };
            first.1 = r
                .codes
                .iter()
                .map(|c| {
                    let key = format!("{section}.{c}");
                    if ronghe_domain::i18n::has(&key) {
                        crate::i18n::Tr(ronghe_domain::Lang::En).t(&key).to_string()
                    } else {
                        c.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
        }
    }
    AppError::refused(r.field, r.key, params)
}

/// The steps recorded for a topic, as the rules see them.
fn done_steps(rows: &[TopicStepRow]) -> Vec<DoneStep> {
    rows.iter()
        .map(|r| DoneStep {
            code: r.step.clone(),
            done_on: r.done_on,
            artefacts: serde_json::from_str(&r.artefacts).unwrap_or_default(),
            backfilled: r.backfill_reason.is_some(),
        })
        .collect()
}

/// Records a step after `decisions::prepare_step` has judged it against the
/// procedure list and the committee (the rules live there, shared with the
/// demo): the topic open, the step due, its prior steps done and dated no
/// later, each line whole, every artefact proved, named votes only by the
/// committee on the step's day with a quorum. A topic the committee does
/// not pass, or the deciding body rejects, or supervision closes, ends and
/// is sealed. Returns the seal's hash when the step ended the topic.
pub async fn record_step(state: &AppState, auth: &Auth, t: &TopicRecord, s: &StepInput) -> AppResult<Option<String>> {
    auth.require(Action::WriteDecisions, &t.org_path)?;
    let pack = topic_pack(state, &t.row).await?;
    let item = topic_item(&pack, &t.row)?;
    let done_on = s.done_on.unwrap_or_else(|| state.today());
    let rows = state.store.topic_steps(t.row.id).await?;
    let steps = done_steps(&rows);
    let tasks: Vec<(NaiveDate, Option<NaiveDate>)> =
        state.store.topic_tasks(t.row.id).await?.iter().map(|k| (k.due_on, k.done_on)).collect();
    let step = s.step.trim();
    let mut votes = Vec::new();
    for v in &s.votes {
        let vote = match v.vote.trim() {
            "agree" => Vote::Agree,
            "disagree" => Vote::Disagree,
            "abstain" => Vote::Abstain,
            _ => return Err(AppError::refused("votes", "dev.bad_choice", vec![])),
        };
        votes.push((v.member_id, vote, v.reason.clone()));
    }
    let committee: Vec<(i64, String)> = if step == "discussion" && !votes.is_empty() {
        state.store.committee_attendees(t.row.org_id, done_on).await?.into_iter().map(|(id, n, _)| (id, n)).collect()
    } else {
        Vec::new()
    };
    let draft = StepDraft {
        step: step.to_string(),
        done_on,
        content: StepContent {
            body: s.body.clone(),
            opinions: s.opinions.clone(),
            risks: s.risks.clone(),
            findings: s.findings.clone(),
            tasks: s.tasks.clone(),
            outcome: s.outcome,
            ..StepContent::default()
        },
        votes,
        backfill_reason: s.backfill_reason.clone(),
    };
    let topic = TopicState { status: &t.row.status, submitted_on: t.row.submitted_on, steps: &steps, tasks: &tasks };
    let p = prepare_step(&pack, item, &topic, &committee, &draft, state.today()).map_err(|r| refused(auth, r))?;
    let effect = match p.effect {
        Effect::None => TopicEffect::None,
        Effect::Decided { approved } => TopicEffect::Decided { approved },
        Effect::Rejected => TopicEffect::Rejected,
        Effect::Closed => TopicEffect::Closed,
    };
    Ok(state
        .store
        .record_topic_step(
            &auth.actor(),
            t,
            s.version.unwrap_or(t.row.version),
            &NewTopicStep {
                step: p.step,
                done_on: p.done_on,
                content: serde_json::to_string(&p.content).map_err(anyhow::Error::from)?,
                artefacts: p.artefacts.into_iter().collect(),
                backfill_reason: p.backfill_reason,
                tasks: p.tasks,
                effect,
            },
        )
        .await?)
}

fn topic_item<'p>(pack: &'p DecisionsRulePack, t: &TopicRow) -> AppResult<&'p Item> {
    pack.item(&t.item_code)
        .ok_or_else(|| AppError::refused("item_code", "decision.unknown_item", vec![("item", t.item_code.clone())]))
}

/// Sends an open topic back to its proposer with the reasons.
pub async fn return_topic(
    state: &AppState,
    auth: &Auth,
    t: &TopicRecord,
    reason: &str,
    seen: Option<i64>,
) -> AppResult<()> {
    auth.require(Action::WriteDecisions, &t.org_path)?;
    if reason.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError { field: "reason", key: "field.required" }]));
    }
    if t.row.status != "open" {
        return Err(AppError::refused("reason", "decision.return_open_only", vec![]));
    }
    state.store.return_topic(&auth.actor(), t, seen.unwrap_or(t.row.version), state.today(), reason.trim()).await?;
    // The reasons go back to whoever submitted it, in their reminders.
    if let Some(user) = state.store.topic_submitter(t.row.id).await? {
        let tr = crate::i18n::Tr(ronghe_domain::Lang::Zh);
        let n = state.store.topic_returns(t.row.id).await?.len();
        state
            .store
            .notify(
                t.row.tenant_id,
                user,
                &format!("topic:{}:return:{n}", t.row.id),
                &tr.tf("decision.returned_title", &[("title", &t.row.title)]),
                reason.trim(),
                &format!("/topics/{}", t.row.id),
            )
            .await?;
    }
    Ok(())
}

/// Resubmits a returned topic with what was done about the reasons.
pub async fn resubmit(
    state: &AppState,
    auth: &Auth,
    t: &TopicRecord,
    response: &str,
    summary: &str,
    seen: Option<i64>,
) -> AppResult<()> {
    auth.require(Action::WriteDecisions, &t.org_path)?;
    if response.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError { field: "response", key: "field.required" }]));
    }
    if t.row.status != "returned" {
        return Err(AppError::refused("response", "decision.not_returned", vec![]));
    }
    let summary = if summary.trim().is_empty() { t.row.summary.as_str() } else { summary.trim() };
    Ok(state
        .store
        .resubmit_topic(&auth.actor(), t, seen.unwrap_or(t.row.version), state.today(), response.trim(), summary)
        .await?)
}

/// Closes an execution task with its result, not before it was assigned.
pub async fn close_task(
    state: &AppState,
    auth: &Auth,
    t: &TopicRecord,
    task_id: i64,
    done_on: Option<NaiveDate>,
    result: &str,
    seen: Option<i64>,
) -> AppResult<()> {
    auth.require(Action::WriteDecisions, &t.org_path)?;
    if result.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError { field: "result", key: "field.required" }]));
    }
    if t.row.status != "executing" {
        return Err(AppError::refused("result", "decision.not_executing", vec![]));
    }
    let day = done_on.unwrap_or_else(|| state.today());
    let assigned =
        state.store.topic_steps(t.row.id).await?.into_iter().find(|s| s.step == "execution").map(|s| s.done_on);
    check_task_close(assigned, day, state.today()).map_err(|r| refused(auth, r))?;
    Ok(state
        .store
        .close_topic_task(&auth.actor(), t, seen.unwrap_or(t.row.version), task_id, day, result.trim())
        .await?)
}

/// Where a step of the procedure list stands for a topic.
#[derive(Debug, Clone, Serialize)]
pub struct StepState {
    pub code: String,
    pub name: String,
    pub phase: String,
    /// (code, name) of each artefact it requires.
    pub requires: Vec<(String, String)>,
    /// `done`, `ready` (may be recorded now), `waiting`, or `not_reached`
    /// (the topic ended before it).
    pub state: &'static str,
    /// What it waits for: (code, name) of each prior step not yet done, and
    /// of the `tasks_closed` artefact while execution tasks are open.
    pub waiting_for: Vec<(String, String)>,
    pub record: Option<StepRecord>,
}

/// A recorded step with its parsed content.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub done_on: NaiveDate,
    pub content: StepContent,
    pub artefacts: Vec<String>,
    pub backfill_reason: Option<String>,
}

/// The archive's completeness against what the procedure list requires.
#[derive(Debug, Clone, Serialize)]
pub struct Completeness {
    pub required: usize,
    pub held: usize,
    /// Each artefact still missing, with the step that owes it.
    pub missing: Vec<MissingArtefact>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MissingArtefact {
    pub code: String,
    pub name: String,
    /// The step that owes it.
    pub step: String,
}

/// A task with whether it is overdue.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    #[serde(flatten)]
    pub task: TopicTaskRow,
    pub overdue: bool,
}

/// A topic with everything on its page.
#[derive(Debug, Clone, Serialize)]
pub struct TopicView {
    pub topic: TopicRow,
    pub item: Item,
    pub category: String,
    /// The deciding body's name.
    pub decides: String,
    pub steps: Vec<StepState>,
    pub returns: Vec<TopicReturnRow>,
    pub tasks: Vec<TaskView>,
    pub completeness: Completeness,
    /// Committee members who may vote: (member id, name).
    pub committee: Vec<(i64, String)>,
    /// The pack's political review checks: (code, name).
    pub checks: Vec<(String, String)>,
    /// (sequence in the organisation's chain, SM3 hash) once sealed.
    pub seal: Option<(i64, String)>,
    /// The pack the topic runs under (its version), for the page's names and scales.
    #[serde(skip)]
    pub pack: DecisionsRulePack,
}

pub async fn view(state: &AppState, t: TopicRecord) -> AppResult<TopicView> {
    let pack = topic_pack(state, &t.row).await?;
    let item = topic_item(&pack, &t.row)?.clone();
    let rows = state.store.topic_steps(t.row.id).await?;
    let done: BTreeMap<&str, &TopicStepRow> = rows.iter().map(|r| (r.step.as_str(), r)).collect();
    let open = matches!(t.row.status.as_str(), "open" | "executing");
    let task_rows = state.store.topic_tasks(t.row.id).await?;
    let tasks_closed = !task_rows.is_empty() && task_rows.iter().all(|k| k.done_on.is_some());
    let steps = pack
        .steps_for(&item)
        .into_iter()
        .map(|s| {
            let waiting_for: Vec<(String, String)> = s
                .after
                .iter()
                .filter_map(|a| pack.step(a))
                .filter(|a| {
                    pack.steps_for(&item).iter().any(|x| x.code == a.code) && !done.contains_key(a.code.as_str())
                })
                .map(|a| (a.code.clone(), a.name.clone()))
                .collect();
            let record = done.get(s.code.as_str()).map(|r| StepRecord {
                done_on: r.done_on,
                content: serde_json::from_str(&r.content).unwrap_or_default(),
                artefacts: serde_json::from_str(&r.artefacts).unwrap_or_default(),
                backfill_reason: r.backfill_reason.clone(),
            });
            // Supervision also waits for every task to be closed.
            let mut waiting_for = waiting_for;
            if s.requires.iter().any(|a| a == "tasks_closed") && !tasks_closed {
                waiting_for.push(("tasks_closed".into(), pack.artefact_name("tasks_closed")));
            }
            let state = match (&record, open, waiting_for.is_empty()) {
                (Some(_), _, _) => "done",
                // The topic ended before it came to this step.
                (None, false, _) => "not_reached",
                (None, true, true) => "ready",
                (None, true, false) => "waiting",
            };
            StepState {
                code: s.code.clone(),
                name: s.name.clone(),
                phase: s.phase.clone(),
                requires: s.requires.iter().map(|a| (a.clone(), pack.artefact_name(a))).collect(),
                state,
                waiting_for,
                record,
            }
        })
        .collect();
    // A topic rejected owes the archive of the steps up to where it ended;
    // each step its own artefacts (one step's minutes are not another's).
    let owed = match (t.row.status.as_str(), t.row.decided_on) {
        ("rejected", None) => pack.path_to(&item, "discussion"),
        ("rejected", Some(_)) => pack.decision_path(&item),
        _ => pack.steps_for(&item),
    };
    let held: BTreeMap<&str, BTreeSet<String>> =
        rows.iter().map(|r| (r.step.as_str(), serde_json::from_str(&r.artefacts).unwrap_or_default())).collect();
    let mut required = 0;
    let mut missing = Vec::new();
    for s in &owed {
        for a in &s.requires {
            required += 1;
            if !held.get(s.code.as_str()).is_some_and(|h| h.contains(a)) {
                missing.push(MissingArtefact { code: a.clone(), name: pack.artefact_name(a), step: s.code.clone() });
            }
        }
    }
    let today = state.today();
    let tasks =
        task_rows.into_iter().map(|k| TaskView { overdue: k.done_on.is_none() && k.due_on < today, task: k }).collect();
    let committee = if open {
        state.store.committee_attendees(t.row.org_id, today).await?.into_iter().map(|(id, n, _)| (id, n)).collect()
    } else {
        Vec::new()
    };
    Ok(TopicView {
        category: pack.category_name(&item.category),
        decides: pack.body_name(&item.decides),
        completeness: Completeness { required, held: required - missing.len(), missing },
        checks: pack.checks.iter().map(|c| (c.code.clone(), c.name.clone())).collect(),
        returns: state.store.topic_returns(t.row.id).await?,
        seal: state.store.topic_seal(t.row.id).await?,
        steps,
        tasks,
        committee,
        item,
        topic: t.row,
        pack,
    })
}

/// A ratio with its topics, for the API and the drill-down.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RatioView {
    pub numerator: usize,
    pub denominator: usize,
    /// numerator ÷ denominator; null when there is nothing to divide by.
    pub rate: Option<f64>,
    pub numerator_topics: Vec<i64>,
    pub denominator_topics: Vec<i64>,
}

impl From<ronghe_domain::decisions::Ratio> for RatioView {
    fn from(r: ronghe_domain::decisions::Ratio) -> Self {
        RatioView {
            numerator: r.numerator.len(),
            denominator: r.denominator.len(),
            rate: r.rate,
            numerator_topics: r.numerator,
            denominator_topics: r.denominator,
        }
    }
}

/// Decision cycle time: the median days from submission to decision, with
/// the mean's numerator (total days) and denominator (decided topics).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CycleView {
    pub median_days: Option<f64>,
    pub numerator: i64,
    pub denominator: usize,
    pub mean_days: Option<f64>,
    /// (topic id, days) for each decided topic.
    pub topics: Vec<(i64, i64)>,
}

/// The four metrics of DOMAIN.md §5 for a subtree and year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MetricsView {
    pub org_id: i64,
    pub year: i32,
    /// The quarter, when the period is one.
    pub quarter: Option<u32>,
    /// The period: topics decided from `from` to `to`, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 前置研究执行率
    pub prestudy_rate: RatioView,
    /// 决策记实档案完整率
    pub archive_completeness: RatioView,
    /// 重大决策合规率
    pub compliance: RatioView,
    /// 决策周期
    pub cycle_time: CycleView,
    /// Topics the party committee's pre-study rejected in the period (the
    /// seed's 否决): never decided, so in none of the ratios above.
    pub prestudy_rejections: Vec<i64>,
}

/// The metrics over the topics of `org`'s subtree decided in `year`.
pub async fn metrics(state: &AppState, org: &Org, year: i32) -> AppResult<MetricsView> {
    metrics_in(state, org, year, None).await
}

/// What a subtree's metrics are kept under: the organisation's path as
/// read, the year and the quarter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetricsKey {
    path: String,
    year: i32,
    quarter: Option<u32>,
}

/// The metrics over the topics of `org`'s subtree decided in `year`, or in
/// one quarter of it (1–4). Computed from the topics and their steps, then
/// kept by the node under the tenant's `decisions` figure version (a view
/// after a change computes them once; the others read them).
pub async fn metrics_in(state: &AppState, org: &Org, year: i32, quarter: Option<u32>) -> AppResult<MetricsView> {
    Ok(MetricsView::clone(&*kept_metrics(state, org, year, quarter).await?))
}

/// [`metrics_in`] as the node keeps them.
pub async fn kept_metrics(
    state: &AppState,
    org: &Org,
    year: i32,
    quarter: Option<u32>,
) -> AppResult<std::sync::Arc<MetricsView>> {
    let quarter = quarter.filter(|q| (1..=4).contains(q));
    let key = MetricsKey { path: org.path.clone(), year, quarter };
    super::cached_figure(state, &state.decisions, org.tenant_id, Figures::Decisions, key, || async {
        let m = compute_metrics(state, org, year, quarter).await?;
        let weight = 1 + m.cycle_time.topics.len() + m.prestudy_rejections.len();
        Ok((m, weight))
    })
    .await
}

/// The metrics computed from the topics and their steps, as a view after a
/// change does.
pub async fn compute_metrics(state: &AppState, org: &Org, year: i32, quarter: Option<u32>) -> AppResult<MetricsView> {
    let quarter = quarter.filter(|q| (1..=4).contains(q));
    let Period { start: from, end: to } = match quarter {
        Some(q) => Period::quarter(year, q),
        None => Period::year(year),
    };
    let (topics, steps) = state.store.decided_topics(&org.path, from, to).await?;
    let mut by_topic: BTreeMap<i64, Vec<TopicStepRow>> = BTreeMap::new();
    for s in steps {
        by_topic.entry(s.topic_id).or_default().push(s);
    }
    let mut packs: BTreeMap<String, DecisionsRulePack> = BTreeMap::new();
    let mut assessed = Vec::new();
    for t in &topics {
        let pack = match packs.entry(t.pack_version.clone()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(topic_pack(state, t).await?),
        };
        let Some(item) = pack.item(&t.item_code) else { continue };
        let done = done_steps(by_topic.get(&t.id).map(Vec::as_slice).unwrap_or_default());
        if let Some(a) = pack.assess(t.id, item, &done, t.submitted_on) {
            assessed.push(a);
        }
    }
    let m = ronghe_domain::decisions::metrics(&assessed);
    let prestudy_rejections = state.store.prestudy_rejections(&org.path, from, to).await?;
    let days: Vec<(i64, i64)> = assessed.iter().map(|a| (a.id, (a.decided_on - a.submitted_on).num_days())).collect();
    let total: i64 = days.iter().map(|d| d.1).sum();
    Ok(MetricsView {
        org_id: org.id,
        year,
        quarter,
        from,
        to,
        prestudy_rate: m.prestudy_rate.into(),
        archive_completeness: m.archive_completeness.into(),
        compliance: m.compliance.into(),
        cycle_time: CycleView {
            median_days: m.cycle_days_median,
            numerator: total,
            denominator: days.len(),
            mean_days: (!days.is_empty()).then(|| total as f64 / days.len() as f64),
            topics: days,
        },
        prestudy_rejections,
    })
}

/// A subtree's topics in a year, with its overdue execution tasks.
pub async fn list(state: &AppState, org: &Org, year: i32) -> AppResult<TopicList> {
    let Period { start: from, end: to } = Period::year(year);
    let today = state.today();
    let overdue_on = (year == today.year()).then_some(today);
    let TopicLists { topics, overdue_tasks, overdue_total } =
        state.store.topic_lists(&org.path, from, to, overdue_on).await?;
    Ok(TopicList { topics, overdue_tasks, overdue_total })
}

/// A subtree's topics in a year and its overdue execution tasks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TopicList {
    #[schema(value_type = Vec<Object>)]
    pub topics: Vec<TopicRow>,
    /// Execution tasks open past their day (this year only), the 500 longest overdue.
    #[schema(value_type = Vec<Object>)]
    pub overdue_tasks: Vec<OverdueTask>,
    /// How many there are in all.
    pub overdue_total: i64,
}

/// The matters list's items best matching a title: the classifier's suggestion.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub code: String,
    pub name: String,
    pub category: String,
    pub prestudy: bool,
    pub expert: bool,
    pub workers: bool,
    /// The deciding body's name.
    pub decides: String,
}

pub fn suggestions(pack: &DecisionsRulePack, title: &str) -> Vec<Suggestion> {
    pack.suggest(title, 5)
        .into_iter()
        .map(|i| Suggestion {
            code: i.code.clone(),
            name: i.name.clone(),
            category: pack.category_name(&i.category),
            prestudy: i.prestudy,
            expert: i.expert,
            workers: i.workers,
            decides: pack.body_name(&i.decides),
        })
        .collect()
}
