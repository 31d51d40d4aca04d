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
    artefacts_of, check_step, row_problem, tally, DecisionsRulePack, DoneStep, Finding, Item, NamedVote, Opinion,
    Outcome, Risk, StepContent, StepRefusal, TaskInput, Vote,
};
use ronghe_domain::members::FieldError;
use ronghe_store::{
    NewTopic, NewTopicStep, Org, OverdueTask, TopicEffect, TopicRecord, TopicReturnRow, TopicRow, TopicStepRow,
    TopicTaskRow,
};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// The pack a topic runs under: the one in force when it was submitted.
pub async fn pack_for(state: &AppState, tenant_id: i64, day: NaiveDate) -> AppResult<DecisionsRulePack> {
    Ok(state.store.decisions_rules(tenant_id, day).await?)
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
}

fn names(pack: &DecisionsRulePack, codes: &[String], step: bool) -> String {
    codes
        .iter()
        .map(|c| if step { pack.step(c).map_or_else(|| c.clone(), |s| s.name.clone()) } else { pack.artefact_name(c) })
        .collect::<Vec<_>>()
        .join("、")
}

fn refusal(pack: &DecisionsRulePack, r: StepRefusal) -> AppError {
    let params = match &r {
        StepRefusal::PriorMissing(steps) => vec![("steps", names(pack, steps, true))],
        StepRefusal::ArtefactMissing(a) => vec![("artefacts", names(pack, a, false))],
        _ => vec![],
    };
    AppError::refused("step", r.key(), params)
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

/// Records a step after checking it against the procedure list: the topic
/// must be open (or executing, for the steps after the decision), the step
/// must apply to the item, its prior steps be done and dated no later, and
/// its record prove every artefact the step requires. Named votes come from
/// the committee's current members; the discussion needs a quorum, and a
/// topic the committee does not pass ends rejected. Returns the seal's hash
/// when the step ended the topic.
pub async fn record_step(state: &AppState, auth: &Auth, t: &TopicRecord, s: &StepInput) -> AppResult<Option<String>> {
    auth.require(Action::WriteDecisions, &t.org_path)?;
    match t.row.status.as_str() {
        "returned" => return Err(AppError::refused("step", "decision.returned", vec![])),
        "closed" | "rejected" => return Err(refusal(&DecisionsRulePack::default_pack(), StepRefusal::Closed)),
        _ => {}
    }
    let pack = pack_for(state, t.row.tenant_id, t.row.submitted_on).await?;
    let item = topic_item(&pack, &t.row)?;
    let done_on = s.done_on.unwrap_or_else(|| state.today());
    not_future(state, "done_on", done_on)?;
    let rows = state.store.topic_steps(t.row.id).await?;
    let done: BTreeSet<String> = rows.iter().map(|r| r.step.clone()).collect();
    let step = s.step.trim();
    let tasks = state.store.topic_tasks(t.row.id).await?;
    let tasks_closed = !tasks.is_empty() && tasks.iter().all(|k| k.done_on.is_some());
    let mut content = StepContent {
        body: s.body.trim().to_string(),
        opinions: s
            .opinions
            .iter()
            .filter(|o| !(o.expert.trim().is_empty() && o.opinion.trim().is_empty()))
            .cloned()
            .collect(),
        risks: s.risks.iter().filter(|r| !r.risk.trim().is_empty()).cloned().collect(),
        findings: s.findings.clone(),
        votes: Vec::new(),
        tasks: s.tasks.iter().filter(|k| !k.title.trim().is_empty()).cloned().collect(),
        outcome: s.outcome,
        tally: None,
    };
    let mut effect = TopicEffect::None;
    if step == "discussion" && !s.votes.is_empty() {
        let committee = state.store.committee_attendees(t.row.org_id, done_on).await?;
        let by_id: BTreeMap<i64, &String> = committee.iter().map(|(id, name, _)| (*id, name)).collect();
        let mut seen = BTreeSet::new();
        for v in &s.votes {
            let Some(name) = by_id.get(&v.member_id) else {
                return Err(AppError::refused(
                    "votes",
                    "decision.not_on_committee",
                    vec![("id", v.member_id.to_string())],
                ));
            };
            if !seen.insert(v.member_id) {
                return Err(AppError::refused("votes", "dev.named_twice", vec![]));
            }
            let vote = match v.vote.trim() {
                "agree" => Vote::Agree,
                "disagree" => Vote::Disagree,
                "abstain" => Vote::Abstain,
                _ => return Err(AppError::refused("votes", "dev.bad_choice", vec![])),
            };
            content.votes.push(NamedVote {
                member_id: v.member_id,
                name: (*name).clone(),
                vote,
                reason: v.reason.trim().to_string(),
            });
        }
        let result = tally(&content.votes.iter().map(|v| v.vote).collect::<Vec<_>>(), committee.len());
        if !result.quorate {
            return Err(AppError::refused(
                "votes",
                "decision.not_quorate",
                vec![("present", content.votes.len().to_string()), ("entitled", committee.len().to_string())],
            ));
        }
        if !result.passed {
            effect = TopicEffect::Rejected;
        }
        content.tally = Some(result);
    }
    if let Some(r) = row_problem(&pack, &content) {
        let check = pack.checks.get(r.row - 1).map(|c| c.name.clone()).unwrap_or_default();
        return Err(AppError::refused(r.part, r.key, vec![("row", r.row.to_string()), ("check", check)]));
    }
    let artefacts = artefacts_of(&pack, step, &content, tasks_closed);
    let backfill = s.backfill_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    match backfill {
        // A decision already taken, recorded after the fact: what it skipped
        // stays missing, for the metrics to count.
        Some(_) if step == "decision" => {
            let Some(def) = pack.step(step) else { unreachable!("the pack has a decision step") };
            let lacking: Vec<String> = def.requires.iter().filter(|a| !artefacts.contains(*a)).cloned().collect();
            if done.contains(step) {
                return Err(refusal(&pack, StepRefusal::AlreadyDone));
            }
            if !lacking.is_empty() {
                return Err(refusal(&pack, StepRefusal::ArtefactMissing(lacking)));
            }
        }
        Some(_) => return Err(AppError::refused("backfill_reason", "decision.backfill_decision_only", vec![])),
        None => check_step(&pack, item, &done, step, &artefacts).map_err(|r| refusal(&pack, r))?,
    }
    // Dated no earlier than what it waits for, so the record reads in order.
    if let Some(def) = pack.step(step) {
        if let Some(last) = rows.iter().filter(|r| def.after.contains(&r.step)).map(|r| r.done_on).max() {
            if done_on < last {
                return Err(AppError::refused("done_on", "decision.before_prior", vec![("date", last.to_string())]));
            }
        }
    }
    if done_on < t.row.submitted_on {
        return Err(AppError::refused(
            "done_on",
            "decision.before_prior",
            vec![("date", t.row.submitted_on.to_string())],
        ));
    }
    match step {
        "decision" => {
            let Some(outcome) = s.outcome else {
                return Err(refusal(&pack, StepRefusal::ArtefactMissing(vec!["decision_record".into()])));
            };
            effect = TopicEffect::Decided { approved: outcome == Outcome::Approved };
        }
        "supervision" => effect = TopicEffect::Closed,
        _ => {}
    }
    // The execution step's tasks; none other adds any.
    let new_tasks = if step == "execution" {
        content
            .tasks
            .iter()
            .filter_map(|k| Some((k.title.trim().to_string(), k.owner.trim().to_string(), k.due_on?)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(state
        .store
        .record_topic_step(
            &auth.actor(),
            t,
            &NewTopicStep {
                step: step.to_string(),
                done_on,
                content: serde_json::to_string(&content).map_err(anyhow::Error::from)?,
                artefacts: artefacts.into_iter().collect(),
                backfill_reason: backfill.map(str::to_string),
                tasks: new_tasks,
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
pub async fn return_topic(state: &AppState, auth: &Auth, t: &TopicRecord, reason: &str) -> AppResult<()> {
    auth.require(Action::WriteDecisions, &t.org_path)?;
    if reason.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError { field: "reason", key: "field.required" }]));
    }
    if t.row.status != "open" {
        return Err(AppError::refused("reason", "decision.return_open_only", vec![]));
    }
    state.store.return_topic(&auth.actor(), t, state.today(), reason.trim()).await?;
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
pub async fn resubmit(state: &AppState, auth: &Auth, t: &TopicRecord, response: &str, summary: &str) -> AppResult<()> {
    auth.require(Action::WriteDecisions, &t.org_path)?;
    if response.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError { field: "response", key: "field.required" }]));
    }
    if t.row.status != "returned" {
        return Err(AppError::refused("response", "decision.not_returned", vec![]));
    }
    let summary = if summary.trim().is_empty() { t.row.summary.as_str() } else { summary.trim() };
    Ok(state.store.resubmit_topic(&auth.actor(), t, state.today(), response.trim(), summary).await?)
}

/// Closes an execution task with its result.
pub async fn close_task(
    state: &AppState,
    auth: &Auth,
    t: &TopicRecord,
    task_id: i64,
    done_on: Option<NaiveDate>,
    result: &str,
) -> AppResult<()> {
    auth.require(Action::WriteDecisions, &t.org_path)?;
    if result.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError { field: "result", key: "field.required" }]));
    }
    if t.row.status != "executing" {
        return Err(AppError::refused("result", "decision.not_executing", vec![]));
    }
    let day = done_on.unwrap_or_else(|| state.today());
    not_future(state, "done_on", day)?;
    // Not before the tasks were assigned.
    if let Some(assigned) = state.store.topic_steps(t.row.id).await?.iter().find(|s| s.step == "execution") {
        if day < assigned.done_on {
            return Err(AppError::refused(
                "done_on",
                "decision.before_prior",
                vec![("date", assigned.done_on.to_string())],
            ));
        }
    }
    Ok(state.store.close_topic_task(&auth.actor(), t, task_id, day, result.trim()).await?)
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
    /// (code, name) of each artefact still missing.
    pub missing: Vec<(String, String)>,
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
}

pub async fn view(state: &AppState, t: TopicRecord) -> AppResult<TopicView> {
    let pack = pack_for(state, t.row.tenant_id, t.row.submitted_on).await?;
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
    let held: BTreeSet<String> = done_steps(&rows).into_iter().flat_map(|s| s.artefacts).collect();
    // A topic rejected owes the archive of the steps up to where it ended.
    let required: BTreeSet<&str> = match (t.row.status.as_str(), t.row.decided_on) {
        ("rejected", None) => pack.path_to(&item, "discussion"),
        ("rejected", Some(_)) => pack.decision_path(&item),
        _ => pack.steps_for(&item),
    }
    .iter()
    .flat_map(|s| s.requires.iter().map(String::as_str))
    .collect();
    let missing: Vec<(String, String)> =
        required.iter().filter(|a| !held.contains(**a)).map(|a| (a.to_string(), pack.artefact_name(a))).collect();
    let today = state.today();
    let tasks =
        task_rows.into_iter().map(|k| TaskView { overdue: k.done_on.is_none() && k.due_on < today, task: k }).collect();
    let committee = if open {
        state.store.committee_attendees(t.row.org_id, today).await?.into_iter().map(|(id, n, _)| (id, n)).collect()
    } else {
        Vec::new()
    };
    Ok(TopicView {
        category: pack.categories.iter().find(|c| c.code == item.category).map(|c| c.name.clone()).unwrap_or_default(),
        decides: pack.bodies.iter().find(|b| b.code == item.decides).map(|b| b.name.clone()).unwrap_or_default(),
        completeness: Completeness { required: required.len(), held: required.len() - missing.len(), missing },
        checks: pack.checks.iter().map(|c| (c.code.clone(), c.name.clone())).collect(),
        returns: state.store.topic_returns(t.row.id).await?,
        seal: state.store.topic_seal(t.row.id).await?,
        steps,
        tasks,
        committee,
        item,
        topic: t.row,
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

/// The metrics over the topics of `org`'s subtree decided in `year`, or in
/// one quarter of it (1–4).
pub async fn metrics_in(state: &AppState, org: &Org, year: i32, quarter: Option<u32>) -> AppResult<MetricsView> {
    let (first, last) = match quarter.filter(|q| (1..=4).contains(q)) {
        Some(q) => (q * 3 - 2, q * 3),
        None => (1, 12),
    };
    let from = NaiveDate::from_ymd_opt(year, first, 1).expect("a month");
    let to = NaiveDate::from_ymd_opt(if last == 12 { year + 1 } else { year }, last % 12 + 1, 1).expect("a month")
        - chrono::Duration::days(1);
    let (topics, steps) = state.store.decided_topics(&org.path, from, to).await?;
    let mut by_topic: BTreeMap<i64, Vec<TopicStepRow>> = BTreeMap::new();
    for s in steps {
        by_topic.entry(s.topic_id).or_default().push(s);
    }
    let mut packs: BTreeMap<NaiveDate, DecisionsRulePack> = BTreeMap::new();
    let mut assessed = Vec::new();
    for t in &topics {
        let pack = match packs.entry(t.submitted_on) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(pack_for(state, t.tenant_id, t.submitted_on).await?)
            }
        };
        let Some(item) = pack.item(&t.item_code) else { continue };
        let done = done_steps(by_topic.get(&t.id).map(Vec::as_slice).unwrap_or_default());
        if let Some(a) = pack.assess(t.id, item, &done, t.submitted_on) {
            assessed.push(a);
        }
    }
    let m = ronghe_domain::decisions::metrics(&assessed);
    let prestudy_rejections = state
        .store
        .subtree_topics(&org.path, from, to)
        .await?
        .into_iter()
        .filter(|t| {
            t.status == "rejected" && t.decided_on.is_none() && t.closed_on.is_some_and(|d| d >= from && d <= to)
        })
        .map(|t| t.id)
        .collect();
    let days: Vec<(i64, i64)> = assessed.iter().map(|a| (a.id, (a.decided_on - a.submitted_on).num_days())).collect();
    let total: i64 = days.iter().map(|d| d.1).sum();
    Ok(MetricsView {
        org_id: org.id,
        year,
        quarter: quarter.filter(|q| (1..=4).contains(q)),
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
pub async fn list(state: &AppState, org: &Org, year: i32) -> AppResult<(Vec<TopicRow>, Vec<OverdueTask>)> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("a year");
    let to = NaiveDate::from_ymd_opt(year, 12, 31).expect("a year");
    let topics = state.store.subtree_topics(&org.path, from, to).await?;
    let overdue = if year == state.today().year() {
        state.store.overdue_topic_tasks(&org.path, state.today()).await?
    } else {
        Vec::new()
    };
    Ok((topics, overdue))
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
            category: pack.categories.iter().find(|c| c.code == i.category).map(|c| c.name.clone()).unwrap_or_default(),
            prestudy: i.prestudy,
            expert: i.expert,
            workers: i.workers,
            decides: pack.bodies.iter().find(|b| b.code == i.decides).map(|b| b.name.clone()).unwrap_or_default(),
        })
        .collect()
}
