//! The demo's decision governance (三重一大): a year of topics at the group
//! committee and at the committees of the mine and the power plant, taken
//! through the procedure list as the application takes them. Every step is
//! judged by `decisions::prepare_step`, the function `app::decisions::record_step`
//! calls, before it is written ([`Recorder`]), so the demo holds no record the
//! application would refuse; a decision recorded after the fact (补录) is the
//! application's own allowance, with its reason.
//!
//! What it shows: annual investment plans and an organisational reform
//! pre-studied and decided; a high-energy expansion project the party
//! committee's pre-study rejected by named vote, and a retrofit not meeting
//! safety standards that the deciding body turned down; emergency decisions
//! recorded after the fact, so that the metrics fall short of 100% and name
//! the topics; execution tasks past their day; topics returned (one still
//! waiting, others resubmitted); topics waiting at various steps; and topics
//! supervised to the end and sealed.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;
use ronghe_domain::decisions::{
    check_task_close, prepare_step, tally, DecisionsRulePack, DoneStep, Effect, Finding, Item, Opinion, Outcome, Risk,
    StepContent, StepDraft, TaskInput, TopicState, Vote,
};
use ronghe_store::{Actor, NewTopic, NewTopicStep, Org, Store, StoreError, TopicEffect};

fn store_err(e: StoreError) -> anyhow::Error {
    anyhow::anyhow!("demo decisions: {e}")
}

/// A step as the application's form sends it.
struct StepIn<'s> {
    step: &'s str,
    on: NaiveDate,
    /// The record without its votes (the recorder names the voters).
    content: StepContent,
    /// (committee member, vote, reason).
    votes: Vec<(i64, Vote, String)>,
    backfill: Option<String>,
}

/// Writes topics through the store after the checks the application makes
/// (`app::decisions::{submit, record_step, return_topic, resubmit,
/// close_task}`), and refuses, naming the topic and the rule, what the
/// application would refuse.
struct Recorder<'a> {
    store: &'a Store,
    actor: &'a Actor,
    today: NaiveDate,
}

impl Recorder<'_> {
    fn not_future(&self, what: &str, day: NaiveDate) -> anyhow::Result<()> {
        if day > self.today {
            anyhow::bail!("the demo dates {what} {day}, after today ({})", self.today);
        }
        Ok(())
    }

    /// As `app::decisions::submit`.
    async fn submit(
        &self,
        org: &Org,
        item: &str,
        title: &str,
        summary: &str,
        proposer: &str,
        on: NaiveDate,
    ) -> anyhow::Result<i64> {
        if title.trim().is_empty() || summary.trim().is_empty() || item.trim().is_empty() {
            anyhow::bail!("the demo submits a topic without its title, summary or item: «{title}»");
        }
        self.not_future(&format!("the submission of «{title}»"), on)?;
        let pack = self.store.decisions_rules(org.tenant_id, on).await.map_err(store_err)?;
        if pack.item(item.trim()).is_none() {
            anyhow::bail!("the demo files «{title}» under {item}, which the matters list does not have");
        }
        let content = StepContent { body: summary.trim().to_string(), ..StepContent::default() };
        self.store
            .create_topic(
                self.actor,
                &NewTopic {
                    org_id: org.id,
                    item_code: item.trim().to_string(),
                    pack_version: pack.version.clone(),
                    title: title.trim().to_string(),
                    summary: summary.trim().to_string(),
                    proposer: proposer.trim().to_string(),
                    submitted_on: on,
                    content: serde_json::to_string(&content)?,
                },
            )
            .await
            .map_err(store_err)
    }

    /// As `app::decisions::record_step`: the topic open (or executing), the
    /// step applying to the item with its prior steps done and dated no
    /// later, every artefact it requires proved by its record, named votes
    /// from the committee's current members with a quorum, a topic the
    /// committee does not pass ended rejected. A backfilled step must be
    /// the decision, with the decision's own artefacts. The demo adds one
    /// rule of its own: every vote against or abstention gives its reason.
    async fn record(&self, id: i64, s: StepIn<'_>) -> anyhow::Result<TopicEffect> {
        let t = self.store.topic(id).await.map_err(store_err)?;
        let title = t.row.title.clone();
        let refused =
            |why: String| anyhow::anyhow!("the demo's topic «{title}» breaks the procedure at {}: {why}", s.step);
        for (member, vote, reason) in &s.votes {
            if *vote != Vote::Agree && reason.trim().is_empty() {
                return Err(refused(format!("member {member} votes {vote:?} without a reason")));
            }
        }
        let pack = self.store.decisions_rules_version(t.row.tenant_id, &t.row.pack_version).await.map_err(store_err)?;
        let item = pack.item(&t.row.item_code).ok_or_else(|| refused(format!("no item {}", t.row.item_code)))?;
        let rows = self.store.topic_steps(id).await.map_err(store_err)?;
        let steps: Vec<DoneStep> = rows
            .iter()
            .map(|r| DoneStep {
                code: r.step.clone(),
                done_on: r.done_on,
                artefacts: serde_json::from_str(&r.artefacts).unwrap_or_default(),
                backfilled: r.backfill_reason.is_some(),
            })
            .collect();
        let tasks: Vec<(NaiveDate, Option<NaiveDate>)> =
            self.store.topic_tasks(id).await.map_err(store_err)?.iter().map(|k| (k.due_on, k.done_on)).collect();
        let committee: Vec<(i64, String)> = if s.step == "discussion" {
            let c = self.store.committee_attendees(t.row.org_id, s.on).await.map_err(store_err)?;
            c.into_iter().map(|(id, n, _)| (id, n)).collect()
        } else {
            Vec::new()
        };
        let draft = StepDraft {
            step: s.step.to_string(),
            done_on: s.on,
            content: s.content,
            votes: s.votes,
            backfill_reason: s.backfill,
        };
        let topic =
            TopicState { status: &t.row.status, submitted_on: t.row.submitted_on, steps: &steps, tasks: &tasks };
        let p = prepare_step(&pack, item, &topic, &committee, &draft, self.today)
            .map_err(|r| refused(format!("{} {:?}", r.key, r.params)))?;
        let effect = match p.effect {
            Effect::None => TopicEffect::None,
            Effect::Decided { approved } => TopicEffect::Decided { approved },
            Effect::Rejected => TopicEffect::Rejected,
            Effect::Closed => TopicEffect::Closed,
        };
        self.store
            .record_topic_step(
                self.actor,
                &t,
                t.row.version,
                &NewTopicStep {
                    step: p.step,
                    done_on: p.done_on,
                    content: serde_json::to_string(&p.content)?,
                    artefacts: p.artefacts.into_iter().collect(),
                    backfill_reason: p.backfill_reason,
                    tasks: p.tasks,
                    effect,
                },
            )
            .await
            .map_err(store_err)?;
        Ok(effect)
    }

    /// As `app::decisions::return_topic` (dated in the demo's past).
    async fn return_topic(&self, id: i64, on: NaiveDate, reason: &str) -> anyhow::Result<()> {
        let t = self.store.topic(id).await.map_err(store_err)?;
        if reason.trim().is_empty() || t.row.status != "open" {
            anyhow::bail!("the demo returns «{}» without a reason or while {}", t.row.title, t.row.status);
        }
        self.not_future(&format!("the return of «{}»", t.row.title), on)?;
        self.store.return_topic(self.actor, &t, t.row.version, on, reason.trim()).await.map_err(store_err)
    }

    /// As `app::decisions::resubmit` (dated in the demo's past).
    async fn resubmit(&self, id: i64, on: NaiveDate, response: &str, summary: &str) -> anyhow::Result<()> {
        let t = self.store.topic(id).await.map_err(store_err)?;
        if response.trim().is_empty() || t.row.status != "returned" {
            anyhow::bail!("the demo resubmits «{}» without a response or while {}", t.row.title, t.row.status);
        }
        self.not_future(&format!("the resubmission of «{}»", t.row.title), on)?;
        let summary = if summary.trim().is_empty() { t.row.summary.clone() } else { summary.trim().to_string() };
        self.store.resubmit_topic(self.actor, &t, t.row.version, on, response.trim(), &summary).await.map_err(store_err)
    }

    /// As `app::decisions::close_task`.
    async fn close_task(&self, id: i64, task_id: i64, on: NaiveDate, result: &str) -> anyhow::Result<()> {
        let t = self.store.topic(id).await.map_err(store_err)?;
        if result.trim().is_empty() || t.row.status != "executing" {
            anyhow::bail!("the demo closes a task of «{}» without a result or while {}", t.row.title, t.row.status);
        }
        let assigned = self.store.topic_steps(id).await.map_err(store_err)?.into_iter().find(|s| s.step == "execution");
        check_task_close(assigned.map(|s| s.done_on), on, self.today)
            .map_err(|r| anyhow::anyhow!("the demo closes a task of «{}»: {} {:?}", t.row.title, r.key, r.params))?;
        self.store.close_topic_task(self.actor, &t, t.row.version, task_id, on, result.trim()).await.map_err(store_err)
    }
}

/// Where a topic is studied.
#[derive(Clone, Copy)]
enum At {
    Group,
    Mine,
    Plant,
}

/// How the committee votes at the discussion.
#[derive(Clone, Copy)]
enum Votes {
    /// Passed: all for, now and then one member away or abstaining.
    Pass,
    /// As written, member by member (in the committee's order).
    Named(&'static [(Vote, &'static str)]),
}

/// What becomes of an execution task.
#[derive(Clone, Copy)]
enum Fate {
    Done(&'static str),
    /// Done within days of the decision (an emergency's first task).
    Quick(&'static str),
    /// Due later than today.
    Open,
    /// Due before today, still open.
    Overdue,
}

struct Return {
    reason: &'static str,
    /// (response, amended summary) when resubmitted.
    resubmitted: Option<(&'static str, &'static str)>,
}

/// A topic of the demo and how far it goes. Texts may say `{Y}` for the
/// year the topic is about (the year a little after its last step).
struct Plan {
    at: At,
    item: &'static str,
    title: &'static str,
    proposer: &'static str,
    summary: &'static str,
    /// Days before today of its decision, or of its last step or event
    /// (fewer if its submission would be more than a year back).
    ago: (i64, i64),
    /// The last step recorded (`submit`: only submitted).
    upto: &'static str,
    returned: Option<Return>,
    /// Recorded after the fact: the reason, and the steps done before it.
    backfill: Option<(&'static str, &'static [&'static str])>,
    research: &'static str,
    experts: &'static [(&'static str, &'static str)],
    /// (risk, likelihood, impact, mitigation, owner)
    risks: &'static [(&'static str, u8, u8, &'static str, &'static str)],
    /// 三查三看: direction, policy, interests.
    findings: [&'static str; 3],
    votes: Votes,
    /// What the committee said, for the minutes.
    minutes: &'static str,
    feedback: &'static str,
    /// The workers' congress minutes.
    workers: &'static str,
    decision: &'static str,
    outcome: Outcome,
    /// (task, owner, fate)
    tasks: &'static [(&'static str, &'static str, Fate)],
    supervision: &'static str,
}

const BLANK: Plan = Plan {
    at: At::Group,
    item: "",
    title: "",
    proposer: "",
    summary: "",
    ago: (1, 1),
    upto: "submit",
    returned: None,
    backfill: None,
    research: "",
    experts: &[],
    risks: &[],
    findings: ["", "", ""],
    votes: Votes::Pass,
    minutes: "",
    feedback: "",
    workers: "",
    decision: "",
    outcome: Outcome::Approved,
    tasks: &[],
    supervision: "",
};

/// Reasons a member abstains on a topic that passes.
const ABSTAIN: [&str; 3] =
    ["对实施进度安排有保留意见，建议进一步细化", "对资金测算依据有保留意见", "建议补充同类企业对标分析后再作决定"];

/// Why a committee member is away.
const AWAY: [&str; 3] = ["因公出差请假", "参加集团会议请假", "带班下井请假"];

/// A plausible gap in days before a step.
fn gap(step: &str, backfilled: bool, rng: &mut StdRng) -> i64 {
    match step {
        "research" => rng.gen_range(10..=25),
        "expert_review" => rng.gen_range(5..=12),
        "risk_assessment" => rng.gen_range(2..=8),
        "political_review" => rng.gen_range(2..=6),
        "discussion" => rng.gen_range(3..=10),
        "feedback" => rng.gen_range(1..=3),
        "workers_review" => rng.gen_range(7..=20),
        "decision" if backfilled => rng.gen_range(0..=2),
        "decision" => rng.gen_range(5..=15),
        _ => rng.gen_range(2..=7),
    }
}

/// The org where a plan is studied.
fn org_of(at: At, orgs: &[Org; 3]) -> &Org {
    match at {
        At::Group => &orgs[0],
        At::Mine => &orgs[1],
        At::Plant => &orgs[2],
    }
}

/// Writes the demo's topics at the group committee, the mine's and the
/// plant's (`orgs`, in that order); returns how many.
pub(crate) async fn seed(
    store: &Store,
    actor: &Actor,
    today: NaiveDate,
    orgs: &[Org; 3],
    rng: &mut StdRng,
) -> anyhow::Result<usize> {
    let r = Recorder { store, actor, today };
    let pack = store.decisions_rules(orgs[0].tenant_id, today).await.map_err(store_err)?;
    let plans = plans();
    for p in &plans {
        topic(&r, &pack, org_of(p.at, orgs), p, rng).await?;
    }
    Ok(plans.len())
}

/// Takes one topic as far as its plan says.
async fn topic(
    r: &Recorder<'_>,
    pack: &DecisionsRulePack,
    org: &Org,
    p: &Plan,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let item = pack.item(p.item).ok_or_else(|| anyhow::anyhow!("the demo plan names item {}", p.item))?;
    let applicable: Vec<&str> =
        pack.steps_for(item).iter().map(|s| s.code.as_str()).filter(|c| *c != "submit").collect();
    let rank = |c: &str| applicable.iter().position(|x| *x == c);
    let upto = if p.upto == "submit" {
        None
    } else {
        Some(rank(p.upto).ok_or_else(|| anyhow::anyhow!("{} is not a step of {}", p.upto, p.item))?)
    };
    let reached = |c: &str| upto.is_some_and(|u| rank(c).is_some_and(|k| k <= u));
    // The steps up to the decision, in order, and their days from submission.
    let pre: Vec<&str> = match p.backfill {
        Some((_, did)) => did.iter().copied().chain(["decision"]).collect(),
        None => applicable.iter().copied().take_while(|c| *c != "execution").filter(|c| reached(c)).collect(),
    };
    let mut t = 0;
    let mut returned_at = None;
    let mut resubmitted_at = None;
    if let Some(ret) = &p.returned {
        t += rng.gen_range(2..=5);
        returned_at = Some(t);
        if ret.resubmitted.is_some() {
            t += rng.gen_range(5..=12);
            resubmitted_at = Some(t);
        }
    }
    let mut offsets = Vec::new();
    for c in &pre {
        t += gap(c, p.backfill.is_some(), rng);
        offsets.push((*c, t));
    }
    // Submitted within the last year.
    let last = (r.today - Duration::days(rng.gen_range(p.ago.0..=p.ago.1))).max(r.today - Duration::days(364 - t));
    let submitted = last - Duration::days(t);
    let year = (last + Duration::days(45)).year().to_string();
    let fill = |s: &str| s.replace("{Y}", &year);
    let title = fill(p.title);

    let id = r.submit(org, p.item, &title, &fill(p.summary), p.proposer, submitted).await?;
    if let (Some(ret), Some(at)) = (&p.returned, returned_at) {
        r.return_topic(id, submitted + Duration::days(at), ret.reason).await?;
        if let (Some((response, summary)), Some(at)) = (ret.resubmitted, resubmitted_at) {
            r.resubmit(id, submitted + Duration::days(at), response, &fill(summary)).await?;
        }
    }
    let mut decided_on = None;
    for (code, at) in offsets {
        let on = submitted + Duration::days(at);
        let mut votes = Vec::new();
        let mut backfill = None;
        let content = match code {
            "research" => StepContent { body: fill(p.research), ..StepContent::default() },
            "expert_review" => StepContent {
                opinions: p.experts.iter().map(|(e, o)| Opinion { expert: e.to_string(), opinion: fill(o) }).collect(),
                ..StepContent::default()
            },
            "risk_assessment" => StepContent {
                risks: p
                    .risks
                    .iter()
                    .map(|(risk, l, i, m, o)| Risk {
                        risk: risk.to_string(),
                        likelihood: *l,
                        impact: *i,
                        mitigation: m.to_string(),
                        owner: o.to_string(),
                    })
                    .collect(),
                ..StepContent::default()
            },
            "political_review" => StepContent {
                findings: pack
                    .checks
                    .iter()
                    .zip(p.findings)
                    .map(|(c, f)| Finding { check: c.code.clone(), finding: fill(f) })
                    .collect(),
                ..StepContent::default()
            },
            "discussion" => {
                let (v, minutes) = discussion(r, pack, org, item, p, &title, on, rng).await?;
                votes = v;
                StepContent { body: minutes, ..StepContent::default() }
            }
            "feedback" => StepContent { body: fill(p.feedback), ..StepContent::default() },
            "workers_review" => StepContent { body: fill(p.workers), ..StepContent::default() },
            "decision" => {
                backfill = p.backfill.map(|(why, _)| why.to_string());
                StepContent { body: fill(p.decision), outcome: Some(p.outcome), ..StepContent::default() }
            }
            other => anyhow::bail!("the demo has no record for step {other}"),
        };
        let effect = r.record(id, StepIn { step: code, on, content, votes, backfill }).await?;
        match effect {
            TopicEffect::Rejected if p.upto == "discussion" => return Ok(()),
            TopicEffect::Rejected => anyhow::bail!("the committee rejected «{title}», which the demo plans to pass"),
            TopicEffect::Decided { approved: false } => return Ok(()),
            TopicEffect::Decided { approved: true } => decided_on = Some(on),
            _ => {}
        }
    }
    let Some(decided_on) = decided_on else { return Ok(()) };
    if !reached("execution") {
        return Ok(());
    }
    // Execution: the tasks with their days; closed ones closed before today
    // (well before, when the topic is supervised to the end).
    let closing = reached("supervision");
    let executed = decided_on + Duration::days(rng.gen_range(2..=7));
    let mut tasks = Vec::new();
    let mut closes = Vec::new();
    for (k, (title, owner, fate)) in p.tasks.iter().enumerate() {
        let due = match fate {
            Fate::Quick(_) => executed + Duration::days(rng.gen_range(2..=5)),
            Fate::Done(_) if closing => {
                (executed + Duration::days(rng.gen_range(20..=90))).min(r.today - Duration::days(15))
            }
            Fate::Done(_) => executed + Duration::days(rng.gen_range(20..=90)),
            Fate::Open => r.today + Duration::days(rng.gen_range(10..=90)),
            Fate::Overdue => (r.today - Duration::days(rng.gen_range(3..=30))).max(executed + Duration::days(5)),
        };
        if let Fate::Quick(result) = fate {
            closes.push((k, (due - Duration::days(rng.gen_range(0..=2))).min(r.today), fill(result)));
        }
        if let Fate::Done(result) = fate {
            let latest =
                if closing { r.today - Duration::days(12) } else { r.today - Duration::days(rng.gen_range(1..=5)) };
            let on = (due - Duration::days(rng.gen_range(0..=8))).min(latest).max(executed + Duration::days(1));
            closes.push((k, on, fill(result)));
        }
        if matches!(fate, Fate::Overdue) && due >= r.today {
            anyhow::bail!("the demo cannot make a task of «{title}» overdue: decided too recently");
        }
        tasks.push(TaskInput { title: fill(title), owner: owner.to_string(), due_on: Some(due) });
    }
    let content = StepContent { tasks, ..StepContent::default() };
    r.record(id, StepIn { step: "execution", on: executed, content, votes: Vec::new(), backfill: None }).await?;
    let ids: Vec<i64> = r.store.topic_tasks(id).await.map_err(store_err)?.into_iter().map(|k| k.id).collect();
    closes.sort_by_key(|c| c.1);
    for (k, on, result) in &closes {
        r.close_task(id, ids[*k], *on, result).await?;
    }
    if closing {
        let last_closed = closes.iter().map(|c| c.1).max().unwrap_or(executed);
        let on = (last_closed + Duration::days(rng.gen_range(2..=10))).min(r.today);
        let body = format!(
            "{}项执行任务全部办结。{}。经党委办公室和纪委跟踪督查核实，同意办结归档。",
            closes.len(),
            fill(p.supervision)
        );
        let content = StepContent { body, ..StepContent::default() };
        r.record(id, StepIn { step: "supervision", on, content, votes: Vec::new(), backfill: None }).await?;
    }
    Ok(())
}

/// The committee's named votes on a topic and the minutes that record them.
#[allow(clippy::too_many_arguments)]
async fn discussion(
    r: &Recorder<'_>,
    pack: &DecisionsRulePack,
    org: &Org,
    item: &Item,
    p: &Plan,
    title: &str,
    on: NaiveDate,
    rng: &mut StdRng,
) -> anyhow::Result<(Vec<(i64, Vote, String)>, String)> {
    let committee = r.store.committee_attendees(org.id, on).await.map_err(store_err)?;
    let n = committee.len();
    let mut away = None;
    let mut votes: Vec<(i64, Vote, String)> = match p.votes {
        Votes::Named(named) => {
            committee.iter().zip(named).map(|((id, _, _), (v, why))| (*id, *v, why.to_string())).collect()
        }
        Votes::Pass => {
            if n >= 5 && rng.gen_bool(0.3) {
                away = Some(rng.gen_range(0..n));
            }
            let abstains = rng.gen_bool(0.2).then(|| rng.gen_range(0..n.max(1)));
            committee
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != away)
                .map(|(i, (id, _, _))| {
                    if Some(i) == abstains {
                        (*id, Vote::Abstain, ABSTAIN[rng.gen_range(0..ABSTAIN.len())].to_string())
                    } else {
                        (*id, Vote::Agree, String::new())
                    }
                })
                .collect()
        }
    };
    if matches!(p.votes, Votes::Pass) && !tally(&votes.iter().map(|v| v.1).collect::<Vec<_>>(), n).passed {
        for v in &mut votes {
            *v = (v.0, Vote::Agree, String::new());
        }
    }
    let t = tally(&votes.iter().map(|v| v.1).collect::<Vec<_>>(), n);
    let away_note = match away {
        Some(i) => format!("（{}{}）", committee[i].1, AWAY[rng.gen_range(0..AWAY.len())]),
        None => String::new(),
    };
    let mut materials = vec!["调研报告"];
    if item.expert {
        materials.push("专家论证意见");
    }
    materials.extend(["风险评估清单", "三查三看记录"]);
    let body = pack.bodies.iter().find(|b| b.code == item.decides).map_or("决策机构", |b| b.name.as_str());
    let conclusion = if t.passed {
        format!("同意票超过应到会委员半数，会议形成前置研究意见，同意该议题提交{body}决策。")
    } else {
        "同意票未超过应到会委员半数，会议不同意该议题提交决策，议题终止。".to_string()
    };
    let against: Vec<String> = votes
        .iter()
        .filter(|v| v.1 != Vote::Agree)
        .filter_map(|v| {
            let name = &committee.iter().find(|c| c.0 == v.0)?.1;
            let how = if v.1 == Vote::Disagree { "不同意" } else { "弃权" };
            Some(format!("{name}{how}，理由：{}", v.2))
        })
        .collect();
    let against = if against.is_empty() { String::new() } else { format!("{}。", against.join("；")) };
    let minutes = format!(
        "{}会议（前置研究），{}召开。应到委员{n}人，实到{}人{away_note}，符合议事规则。会议听取了{}关于《{title}》的汇报，审阅了{}。{}\n实名表决：同意{}票，不同意{}票，弃权{}票。{against}{conclusion}",
        org.name,
        on.format("%Y年%-m月%-d日"),
        votes.len(),
        p.proposer,
        materials.join("、"),
        p.minutes,
        t.agree,
        t.disagree,
        t.abstain,
    );
    Ok((votes, minutes))
}

use Fate::{Done, Open, Overdue, Quick};
use Vote::{Abstain, Agree, Disagree};

/// The demo's topics.
fn plans() -> Vec<Plan> {
    vec![
        // ——— 丰源电厂党委 ———
        Plan {
            at: At::Plant,
            item: "S05",
            title: "丰源电厂{Y}年度投资计划",
            proposer: "计划经营部",
            summary: "{Y}年计划安排投资4.86亿元，其中安全技改1.32亿元、节能降碳改造1.95亿元、智慧电厂建设0.74亿元、环保设施0.85亿元，按轻重缓急排序，提请党委前置研究后报董事会决策。",
            ago: (318, 345),
            upto: "execution",
            research: "计划经营部会同生产技术部、财务部对全厂在建和拟建项目逐项调研，梳理需求项目37个、申报投资6.12亿元。按“安全必需、效益优先、量入为出”原则压减至26项、4.86亿元；资产负债率控制在集团下达的65%以内，经营性现金流可覆盖自有资金部分。附项目排序表和资金平衡表。",
            experts: &[
                ("周振华（教授级高工，集团技术中心）", "节能降碳改造项目选择合理，汽轮机通流改造预计降低供电煤耗约6克/千瓦时，建议优先实施。"),
                ("孙丽娟（高级会计师，集团财务共享中心）", "资金平衡表测算依据充分，建议对智慧电厂项目分期安排，首期不超过0.4亿元。"),
                ("马建军（注册咨询工程师，河南电力设计院）", "环保设施投资满足超低排放持续达标要求；建议补充项目之间停机窗口的统筹安排。"),
            ],
            risks: &[
                ("燃煤价格上涨挤占投资资金", 3, 4, "签订年度长协煤合同，建立投资计划季度调整机制", "财务部"),
                ("技改停机窗口与迎峰度夏、度冬保供冲突", 3, 3, "与电网调度提前协调检修计划，分批安排停机", "生产技术部"),
                ("个别项目招标延误导致年内投资完成率偏低", 2, 3, "实行项目经理负责制，按月通报投资完成情况", "计划经营部"),
            ],
            findings: [
                "投资方向聚焦安全、环保和节能，符合国家“双碳”目标和煤电节能降碳改造、灵活性改造、供热改造“三改联动”要求。",
                "符合《中央企业投资监督管理办法》和集团投资负面清单，无非主业投资，项目均在集团核定的年度投资额度内。",
                "安全技改项目改善一线作业环境，不涉及职工减员和薪酬调整，维护了企业和职工的合法权益。",
            ],
            minutes: "委员们认为投资计划突出安全和节能降碳，资金来源可靠；建议智慧电厂项目分期实施，节能改造项目尽早开工。",
            feedback: "党委前置研究意见已反馈计划经营部：原则同意{Y}年度投资计划；智慧电厂项目分两期实施，首期控制在0.4亿元以内；提交董事会时附专家论证意见和风险评估清单。",
            decision: "董事会审议通过丰源电厂{Y}年度投资计划，总投资4.81亿元（智慧电厂项目首期调减为0.40亿元）；授权经理层按季度组织实施，重大调整须重新履行决策程序。",
            tasks: &[
                ("汽轮机通流节能改造项目完成招标并开工", "生产技术部", Done("已完成公开招标，施工单位进场开工")),
                ("脱硝超低排放设施改造项目取得可研批复", "安全环保部", Done("可研报告已获集团批复，转入初步设计")),
                ("按季度报送投资完成情况并开展年度投资后评价", "计划经营部", Open),
            ],
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "R02",
            title: "丰源电厂内部机构设置调整方案（机构改革）",
            proposer: "人力资源部",
            summary: "拟将现有16个职能部门整合为11个，设立燃料管理中心和智慧运维中心，压减管理岗位23个，富余管理人员通过竞聘上岗和转岗安置。",
            ago: (170, 230),
            upto: "supervision",
            research: "人力资源部赴集团内外4家同类电厂调研机构设置和定员标准，逐项梳理现有部门职能交叉：燃料采购、验收、管理分属三个部门，设备管理存在多头管理。方案参照集团“三定”指导意见，管理人员占比由18.6%降至14.9%。",
            risks: &[
                ("机构调整期间职责交接不清影响安全生产", 2, 4, "制定职责交接清单，新旧机构并行一个月", "党委办公室"),
                ("富余管理人员思想波动", 3, 3, "一对一谈心谈话，公开竞聘、双向选择，落实转岗培训", "人力资源部"),
                ("燃料管理中心廉洁风险集中", 2, 4, "燃料采购、验收、结算岗位分离，纪委派驻监督", "纪委办公室"),
            ],
            findings: [
                "符合国企改革深化提升行动关于精简机构、压缩管理层级的要求，有利于加强党对改革工作的领导。",
                "符合集团机构设置和定员管理办法，调整后部门数量和管理人员占比在集团核定范围内。",
                "不减少职工岗位总量，富余管理人员全部内部安置，竞聘办法已征求职工意见，职工合法权益得到保障。",
            ],
            minutes: "委员们认为燃料管理集中后须同步加强廉洁风险防控；党委组织部要统筹做好调整后中层干部的选配。",
            feedback: "党委前置研究意见已反馈人力资源部：同意机构调整方案提交董事会；燃料管理中心实行采购、验收、结算岗位分离；竞聘上岗方案报党委审定后实施。",
            decision: "董事会审议通过丰源电厂内部机构设置调整方案，职能部门由16个调整为11个，自下月1日起运行；经理层负责组织实施并报告实施情况。",
            tasks: &[
                ("印发机构设置和部门职责文件", "党委办公室", Done("机构设置和部门职责文件已印发，新机构挂牌运行")),
                ("组织中层管理岗位竞聘上岗", "人力资源部", Done("完成23个岗位竞聘，富余人员全部转岗安置")),
                ("修订燃料管理制度，建立岗位分离和监督机制", "燃料管理中心", Done("燃料管理制度已修订，纪委派驻监督到位")),
            ],
            supervision: "新机构运行平稳，燃料入厂验收差错率同比下降",
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "I02",
            title: "丰源电厂二期2×66万千瓦燃煤机组扩建项目",
            proposer: "计划经营部",
            summary: "拟在厂区东侧扩建2台66万千瓦超超临界燃煤机组，静态投资52.6亿元，年耗标煤约310万吨，属高耗能扩建项目，提请党委前置研究。",
            ago: (60, 120),
            upto: "discussion",
            research: "计划经营部对区域电力供需、煤源和厂址条件开展调研：区域“十五五”期间存在一定电力缺口，但新能源装机增长较快，煤电利用小时数预计降至4100小时以下；项目年耗标煤约310万吨，所在地区能耗强度和总量指标已无余量，需通过减量替代取得。",
            experts: &[
                ("王立群（教授级高工，中国电力工程顾问集团）", "机组选型技术先进，但设计供电煤耗高于省内先进水平，且厂址周边无稳定热负荷，不具备热电联产条件。"),
                ("陈晓燕（研究员，省节能中心）", "项目能耗指标缺口约190万吨标煤，区域内无可落实的减量替代来源，不符合节能审查要求，不支持立项。"),
                ("赵长河（注册咨询工程师，集团投资评审中心）", "按利用小时4100小时、标煤单价900元/吨测算，项目资本金内部收益率仅3.1%，低于集团基准收益率6%。"),
            ],
            risks: &[
                ("能耗指标无法落实，节能审查不能通过", 5, 5, "暂缓立项，先行研究现役机组节能改造和新能源替代方案", "计划经营部"),
                ("煤电利用小时下降导致项目亏损", 4, 4, "测算多情景收益，达不到基准收益率的不予投资", "财务部"),
                ("碳排放配额收紧增加履约成本", 4, 3, "纳入碳资产管理，评估配额缺口和购买成本", "安全环保部"),
            ],
            findings: [
                "项目属新增高耗能煤电产能，与“双碳”目标和能耗双控逐步转向碳排放双控的要求存在冲突。",
                "不符合国家严控煤电项目和固定资产投资项目节能审查的规定，区域能耗指标无余量，项目亦不在集团“十五五”规划项目库内。",
                "项目投资大、收益低，将推高企业负债率，长远看不利于企业可持续发展和职工利益。",
            ],
            votes: Votes::Named(&[
                (Agree, "项目可缓解区域供电缺口"),
                (Disagree, "项目属高耗能扩建，不符合节能降碳要求"),
                (Disagree, "能耗指标无来源，节能审查难以通过"),
                (Abstain, "建议先论证现役机组节能改造和新能源替代方案后再议"),
                (Disagree, "资本金收益率低于集团基准，投资风险过大"),
            ]),
            minutes: "委员们逐一发表意见：多数委员认为项目属高耗能扩建，能耗指标无法落实，经济性达不到集团基准；一名委员认为项目可缓解区域供电缺口，建议保留。",
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "E02",
            title: "丰源电厂3号机组烟气脱硫增容技改项目",
            proposer: "生产技术部",
            summary: "拟对3号机组脱硫系统增容改造，利用原旁路烟道位置新增一座吸收塔，投资1.18亿元，工期120天，提请党委前置研究后报经理层决策。",
            ago: (35, 90),
            upto: "decision",
            research: "生产技术部调研发现，3号机组燃用高硫煤时脱硫系统出力不足，SO₂排放存在超标风险。施工单位提出的方案为节省投资，新增吸收塔与现有氨区防火间距不足，检修通道宽度不满足规范，部分电气设备未按防爆要求选型。",
            experts: &[
                ("刘卫东（教授级高工，西安热工研究院）", "增容改造必要，但新增吸收塔与氨区防火间距不满足《火力发电厂与变电站设计防火标准》要求，须调整布置。"),
                ("黄建平（注册安全工程师，集团安全监察部）", "施工期间需在运行机组旁动火作业，方案未制定有效隔离措施；现方案不具备安全实施条件。"),
                ("杨明（高级工程师，省环保设计院）", "改造后可满足超低排放要求，建议比选高效除雾器加提效改造的替代方案。"),
            ],
            risks: &[
                ("新增吸收塔与氨区间距不足，存在火灾爆炸风险", 3, 5, "重新布置吸收塔或迁移氨区，满足防火间距后方可实施", "生产技术部"),
                ("运行机组旁动火作业引发事故", 3, 4, "制定隔离和动火审批方案，必要时停机施工", "安全环保部"),
                ("方案调整导致工期延后，高硫煤期间排放超标", 3, 3, "调整燃煤掺配，控制入炉煤硫分", "燃料管理中心"),
            ],
            findings: [
                "项目方向符合超低排放和生态环境保护要求。",
                "现方案不符合《火力发电厂与变电站设计防火标准》和安全设施“三同时”要求，安全设施未与主体工程同时设计。",
                "现方案存在作业人员安全风险，必须保障职工生命安全，不能以降低安全标准换取投资节省。",
            ],
            votes: Votes::Named(&[
                (Agree, ""),
                (Agree, ""),
                (Disagree, "现方案防火间距不满足标准，存在重大安全隐患"),
                (Agree, ""),
                (Abstain, "建议待设计单位重新出具方案后再议"),
            ]),
            minutes: "委员们认为脱硫增容改造有必要，但现方案不符合安全标准；会议同意将议题连同党委意见提交经理层，由经理层依据安全标准作出取舍。",
            feedback: "党委前置研究意见已反馈生产技术部和经理层：现方案不符合防火间距和动火作业安全要求，不得以节省投资为由降低安全标准；经理层决策时应据此取舍，必要时重新设计。",
            decision: "经理层办公会审议认为，该技改方案不符合《火力发电厂与变电站设计防火标准》和安全设施“三同时”要求，决定不予实施；由生产技术部另行委托设计单位编制符合标准的方案，重新履行决策程序。",
            outcome: Outcome::Rejected,
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "F02",
            title: "丰源电厂电煤保供紧急采购大额资金使用",
            proposer: "燃料管理中心",
            summary: "受主要供煤矿井停产影响，电煤库存降至警戒线以下，需紧急采购市场煤30万吨，支付预付款1.26亿元，超出经理层常规审批限额。",
            ago: (60, 100),
            upto: "execution",
            backfill: Some(("电煤库存低于警戒线，经理层紧急决策保供，会后补录", &["research", "risk_assessment"])),
            research: "燃料管理中心调查：长协煤供应商因井下事故停产整顿，月度兑现率降至41%；全厂存煤11.2万吨，可用4.8天，低于7天警戒线。向三家供应商询价，到厂标煤单价较长协煤高约96元/吨。",
            risks: &[
                ("预付款支付后不能按期到煤", 2, 5, "选择集团合格供应商名录内企业，分批预付、货到结算", "燃料管理中心"),
                ("市场煤价格偏高增加燃料成本", 4, 3, "采购量以满足保供为限，长协恢复后停止市场采购", "财务部"),
            ],
            decision: "经理层紧急办公会决定：紧急采购市场煤30万吨，预付款1.26亿元分三批支付，由燃料管理中心组织实施，财务部监督资金支付；事后向党委会通报。",
            tasks: &[
                ("分三批支付预付款并跟踪到煤", "财务部", Done("三批预付款已支付，30万吨电煤全部到厂")),
                ("向党委会通报紧急采购情况并补齐决策材料", "燃料管理中心", Overdue),
            ],
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "E01",
            title: "丰源电厂2号锅炉水冷壁爆管抢修及重大隐患治理方案",
            proposer: "生产技术部",
            summary: "2号锅炉水冷壁发生爆管，机组非计划停运。需立即抢修，并对同批次管材全面检测，更换水冷壁管约420根，费用约2,300万元。",
            ago: (45, 80),
            upto: "execution",
            backfill: Some(("紧急抢险，会后补录", &[])),
            decision: "经理层紧急办公会决定：立即组织抢修，对同批次水冷壁管全面检测、更换超标管段；费用列入安全生产专项资金；抢修完成后组织原因分析，依规追究相关责任。",
            tasks: &[
                ("完成抢修并恢复机组运行", "生产技术部", Quick("抢修完成，机组并网运行，连续运行无异常")),
                ("完成同批次管材检测，形成隐患治理报告", "设备管理部", Overdue),
                ("开展爆管原因分析和责任追究", "安全环保部", Open),
            ],
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "P03",
            title: "丰源电厂{Y}年工资总额预算和薪酬分配方案",
            proposer: "人力资源部",
            summary: "{Y}年工资总额预算按集团核定的效益联动比例编制，总额较上年增长4.2%，向运行、检修一线和关键技术岗位倾斜，一线岗位增幅不低于6%。",
            ago: (150, 250),
            upto: "execution",
            research: "人力资源部分析近三年工资总额执行情况和人均利润、全员劳动生产率指标，对标集团内同类电厂；问卷调查职工1,126人，73%的职工希望进一步向一线倾斜。按工效联动测算，{Y}年工资总额可增长4.2%。",
            risks: &[
                ("效益指标未完成导致工资总额超提", 3, 3, "工资总额按季度预发、年终清算", "人力资源部"),
                ("岗位间收入差距拉大引发职工不满", 2, 3, "分配方案提交职代会审议，公开岗位系数", "工会"),
                ("绩效分配过程不公开透明", 2, 4, "绩效考核结果公示，纪委监督", "纪委办公室"),
            ],
            findings: [
                "坚持按劳分配、多劳多得，向一线和关键岗位倾斜，符合党中央关于深化收入分配制度改革的要求。",
                "符合国有企业工资决定机制改革有关规定和集团工资总额管理办法，增幅未超过核定上限。",
                "方案经职工问卷调查，将提交职代会审议，保障职工的知情权、参与权和监督权。",
            ],
            minutes: "委员们认为方案体现向一线倾斜的导向；建议将安全生产业绩与绩效工资挂钩，职代会审议前做好政策解读。",
            feedback: "党委前置研究意见已反馈人力资源部：同意方案提交职代会审议后报董事会；安全生产绩效挂钩比例不低于绩效工资的20%。",
            workers: "二届五次职工代表大会审议工资总额预算和薪酬分配方案。应到代表126人，实到119人，表决同意114票、不同意2票、弃权3票，审议通过。代表提出的夜班津贴标准调整建议已纳入方案。",
            decision: "董事会审议通过丰源电厂{Y}年工资总额预算和薪酬分配方案：工资总额增长4.2%，一线岗位增幅6.3%，夜班津贴提高至每班60元。",
            tasks: &[
                ("按新方案兑现一季度绩效工资", "人力资源部", Done("已按新方案兑现，一线岗位人均增资6.3%")),
                ("修订绩效考核办法，落实安全绩效挂钩", "人力资源部", Overdue),
                ("年终清算工资总额并报集团备案", "财务部", Open),
            ],
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "W02",
            title: "丰源电厂1号、2号机组关停后职工安置和分流方案",
            proposer: "人力资源部",
            summary: "1号、2号20万千瓦机组按计划关停，涉及运行、检修职工218人，拟通过内部转岗、集团内调剂和技能培训分流安置，不裁员。",
            ago: (2, 20),
            upto: "political_review",
            research: "人力资源部逐人摸底218名职工的年龄、技能和意愿：内部转岗需求96人，集团新能源项目可接收52人，符合内部退养条件31人，其余39人需培训后上岗。召开职工座谈会6场。",
            risks: &[
                ("职工对转岗岗位和收入不满引发信访", 3, 4, "一人一策，保留过渡期收入，党员干部包保谈心", "工会"),
                ("转岗职工技能不适应新岗位，带来安全风险", 3, 3, "转岗前培训，考核合格方可上岗", "安全环保部"),
            ],
            findings: [
                "落实国家淘汰落后煤电产能的要求，同时坚持以人民为中心，不搞“一刀切”裁员。",
                "符合《劳动合同法》和集团职工安置有关规定，安置方案将提交职代会审议。",
                "每名职工都有安置去向，过渡期收入不降低，职工合法权益得到保障。",
            ],
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "F05",
            title: "丰源电厂{Y}年定点帮扶村对外捐赠",
            proposer: "党委办公室",
            summary: "拟向定点帮扶村捐赠资金180万元，用于村级光伏电站建设和村内道路硬化。",
            ago: (6, 30),
            returned: Some(Return {
                reason: "一、捐赠金额测算依据不足，未附帮扶项目预算明细；二、未附受赠方资格材料和捐赠协议文本；三、超出年度对外捐赠预算的部分未说明资金来源。请补充后重新申报。",
                resubmitted: None,
            }),
            ..BLANK
        },
        Plan {
            at: At::Plant,
            item: "S02",
            title: "丰源电厂{Y}年度经营计划和预算方案",
            proposer: "财务部",
            summary: "{Y}年计划发电量58.6亿千瓦时、供热量420万吉焦，营业收入23.8亿元，利润总额1.35亿元，提请党委前置研究后报董事会决策。",
            ago: (295, 328),
            upto: "supervision",
            research: "财务部会同计划经营部分析电力市场交易、煤价走势和机组检修计划，测算三种情景下的发电量和利润；对标集团下达的经营业绩考核指标，基准情景利润总额1.35亿元，资产负债率降至63.8%。",
            risks: &[
                ("电力市场交易电价下行", 3, 4, "加强中长期交易和现货市场研判，增加辅助服务收益", "市场营销部"),
                ("煤价大幅波动", 3, 4, "长协煤比例保持在80%以上", "燃料管理中心"),
                ("机组非计划停运影响发电量", 2, 4, "落实设备隐患排查治理和检修质量管控", "生产技术部"),
            ],
            findings: [
                "经营计划服务能源保供和区域经济发展，符合集团战略定位。",
                "预算编制符合集团全面预算管理办法和国资监管考核要求。",
                "预算安排保障安全投入和职工收入合理增长。",
            ],
            minutes: "委员们认为经营目标积极稳妥；建议加大供热市场开拓力度，把安全生产作为完成全年目标的前提。",
            feedback: "党委前置研究意见已反馈财务部：同意经营计划和预算方案提交董事会；供热量目标纳入各党支部党建融合考核。",
            decision: "董事会审议通过丰源电厂{Y}年度经营计划和预算方案，利润总额目标1.35亿元；经理层按季度报告预算执行情况。",
            tasks: &[
                ("分解下达各部门经营指标并签订责任书", "计划经营部", Done("指标已分解下达，各部门签订责任书")),
                ("建立月度预算执行分析和偏差预警制度", "财务部", Done("已建立月度预算执行分析和偏差预警制度，首月分析已报送")),
            ],
            supervision: "经营指标已分解落实到部门，预算执行情况按季度报告",
            ..BLANK
        },
        // ——— 东岭煤矿党委 ———
        Plan {
            at: At::Mine,
            item: "E05",
            title: "东岭煤矿{Y}年度安全生产投入计划",
            proposer: "安全监察处",
            summary: "{Y}年安排安全生产投入2.36亿元，其中瓦斯防治0.82亿元、防治水0.41亿元、智能化监测监控0.38亿元、职工安全培训0.12亿元，按吨煤标准足额提取安全费用。",
            ago: (280, 330),
            upto: "execution",
            research: "安全监察处对全矿重大灾害风险辨识评估，梳理安全投入需求项目58项；按吨煤30元提取安全费用，全年可提取2.28亿元，缺口由自有资金补足。重点保障11采区瓦斯抽采和北翼防治水工程。",
            risks: &[
                ("安全费用提取不足或挪用", 2, 5, "专户管理，按季度审计安全费用使用情况", "财务科"),
                ("瓦斯抽采工程进度滞后", 3, 4, "列入矿长督办事项，每周调度", "通风科"),
                ("采购设备质量不达标", 2, 4, "执行矿用产品安全标志管理，入井前检验", "机电科"),
            ],
            findings: [
                "坚持人民至上、生命至上，把安全投入放在首位，符合党中央关于安全生产的决策部署。",
                "符合《企业安全生产费用提取和使用管理办法》和《煤矿安全规程》的要求。",
                "增加职工安全培训和劳动防护投入，切实保障矿工生命安全和职业健康。",
            ],
            minutes: "委员们认为投入计划突出瓦斯和水害防治重点；要求安全费用专款专用，党员责任区同步开展隐患排查。",
            feedback: "党委前置研究意见已反馈安全监察处：同意安全生产投入计划报经理层决策；瓦斯抽采工程列为党委督办事项。",
            decision: "矿长办公会审议通过{Y}年度安全生产投入计划2.36亿元；安全监察处牵头，按季度报告投入完成情况。",
            tasks: &[
                ("完成11采区瓦斯抽采钻场和管路工程", "通风科", Overdue),
                ("实施北翼防治水探放水工程", "地测防治水科", Done("探放水工程完成，水害隐患消除")),
                ("完成全员安全培训轮训", "安全培训中心", Open),
            ],
            ..BLANK
        },
        Plan {
            at: At::Mine,
            item: "E01",
            title: "东岭煤矿11采区瓦斯超限重大隐患治理方案",
            proposer: "通风科",
            summary: "11采区回风巷近期多次出现瓦斯浓度接近1.0%报警值，拟实施顺层钻孔预抽、高位钻场抽采和通风系统优化，投资3,600万元，治理期90天。",
            ago: (130, 200),
            upto: "supervision",
            research: "通风科会同地测科对11采区煤层瓦斯含量和涌出规律实测：煤层瓦斯含量7.8m³/t，工作面绝对瓦斯涌出量18.6m³/min，现有抽采系统抽采率仅38%。近三个月回风巷瓦斯浓度0.8%以上报警17次。",
            experts: &[
                ("张国栋（研究员，煤炭科学研究总院）", "治理方案技术路线可行，建议顺层钻孔间距由5米加密至3米，预抽时间不少于6个月。"),
                ("李红梅（教授，河南理工大学安全科学与工程学院）", "建议同步建立瓦斯涌出预测模型，将监测数据接入集团安全监控平台。"),
                ("吴新民（正高级工程师，集团通防专家组）", "通风系统优化后风量可满足要求，治理期间应限产并加密瓦斯检查频次。"),
            ],
            risks: &[
                ("治理期间瓦斯超限甚至引发事故", 3, 5, "治理期间限产30%，浓度达0.8%立即撤人断电", "通风科"),
                ("钻孔施工遇地质构造影响进度", 3, 3, "增加钻机台数，优化钻孔设计", "地测科"),
                ("限产影响全年产量目标", 3, 2, "调整其他采区生产接续计划", "生产技术科"),
            ],
            findings: [
                "坚持安全第一，符合党中央关于煤矿安全生产和重大灾害治理的部署。",
                "符合《煤矿安全规程》（2022年修订）关于瓦斯抽采达标和采掘工作面瓦斯浓度报警、断电的规定。",
                "治理方案直接保障井下职工生命安全，治理期间限产不影响职工基本收入。",
            ],
            minutes: "委员们认为瓦斯超限是当前最大的安全风险，必须彻底治理；要求党员领导干部带班盯守，党员责任区包保到人。",
            feedback: "党委前置研究意见已反馈通风科：同意治理方案报经理层决策；采纳专家意见加密钻孔间距，治理期间党员干部24小时带班。",
            decision: "矿长办公会决定：实施11采区瓦斯超限重大隐患治理方案，投资3,600万元；治理期间11采区限产30%，经抽采达标评判合格后方可恢复正常生产。",
            tasks: &[
                ("完成顺层钻孔预抽工程", "通风科", Done("完成钻孔1,260个，抽采率提高至61%")),
                ("建设高位钻场并接入抽采系统", "机电科", Done("高位钻场投入使用，回风巷瓦斯浓度稳定在0.4%以下")),
                ("组织抽采达标评判", "总工程师办公室", Done("抽采达标评判合格，恢复正常生产")),
            ],
            supervision: "治理后11采区回风巷瓦斯浓度稳定在0.4%以下，未再出现报警",
            ..BLANK
        },
        Plan {
            at: At::Mine,
            item: "I05",
            title: "东岭煤矿智能化综采工作面重大技术改造项目",
            proposer: "机电科",
            summary: "拟对1203综采工作面实施智能化改造，配套电液控制液压支架、智能采煤机和远程集控中心，投资1.65亿元，实现工作面少人化。",
            ago: (2, 15),
            upto: "expert_review",
            research: "机电科赴3家国家级智能化示范矿井调研，1203工作面煤层赋存稳定，具备智能化开采条件。改造后工作面作业人员由23人减至9人，年增产原煤约25万吨，投资回收期约4.5年。",
            experts: &[
                ("高志强（研究员，中国煤炭科工集团）", "技术方案成熟，建议采用国产化率高的成套装备，预留5G网络接口。"),
                ("钱文博（教授级高工，集团信息中心）", "远程集控中心应执行集团工业互联网平台统一标准，避免重复建设。"),
            ],
            ..BLANK
        },
        Plan {
            at: At::Mine,
            item: "P01",
            title: "东岭煤矿机电科等中层管理人员任免",
            proposer: "党委组织部",
            summary: "因工作需要，拟提任机电科科长1名、通风科副科长1名，免去2名到龄人员职务。",
            ago: (100, 180),
            upto: "supervision",
            research: "党委组织部按干部选拔任用程序开展民主推荐、考察和个人有关事项报告核查，征求纪委意见。拟任人选民主推荐得票率均超过80%，考察中未发现廉洁问题。",
            risks: &[
                ("拟任人选廉洁风险", 1, 4, "纪委出具党风廉政意见，核查个人有关事项", "纪委办公室"),
                ("岗位交接影响机电安全管理", 2, 3, "新老科长交接一周，总工程师督导", "党委组织部"),
            ],
            decision: "矿党委会议研究决定：任命两名同志分别为机电科科长、通风科副科长（任前公示5个工作日，试用期一年）；免去两名到龄同志的职务。",
            tasks: &[
                ("组织任前公示", "党委组织部", Done("公示期满无异议")),
                ("印发任免文件并组织任职谈话", "党委组织部", Done("文件已印发，完成任职谈话和工作交接")),
            ],
            supervision: "任免程序完整，岗位交接到位",
            ..BLANK
        },
        Plan {
            at: At::Mine,
            item: "W04",
            title: "东岭煤矿井下粉尘防治劳动保护和职业健康重大措施",
            proposer: "安全监察处",
            summary: "针对综采、综掘工作面粉尘浓度偏高问题，拟投入1,480万元实施喷雾降尘改造，为接尘职工配发新型防尘口罩，并开展全员职业健康体检。",
            ago: (60, 120),
            upto: "execution",
            research: "职业卫生检测显示，3个综掘工作面呼吸性粉尘浓度超过国家职业接触限值，接尘职工1,036人，近五年新发尘肺病2例。调研了同类矿井泡沫降尘和负压除尘技术的应用效果。",
            risks: &[
                ("降尘设备效果不达标", 2, 3, "先试点后推广，第三方检测验收", "通风科"),
                ("职工佩戴防尘口罩不规范", 3, 3, "班前会讲评，党员责任区监督检查", "安全监察处"),
            ],
            findings: [
                "坚持以人民为中心，把职工生命健康放在首位，符合健康中国战略和职业病防治工作部署。",
                "符合《职业病防治法》和《煤矿安全规程》关于粉尘防治和职业健康监护的规定。",
                "体检和防护费用全部由企业承担，直接维护接尘职工的切身利益。",
            ],
            minutes: "委员们认为职业健康事关职工切身利益，要将粉尘防治纳入党员责任区考核，工会全程参与监督。",
            feedback: "党委前置研究意见已反馈安全监察处：同意方案报经理层决策；体检结果向职工本人反馈，疑似病例及时复查。",
            decision: "矿长办公会审议通过井下粉尘防治重大措施，投资1,480万元，年内完成全部综掘工作面降尘改造。",
            tasks: &[
                ("完成接尘职工职业健康体检", "安全监察处", Done("完成体检1,036人，结果已反馈本人，疑似病例已安排复查")),
                ("完成综掘工作面喷雾降尘系统改造", "通风科", Open),
            ],
            ..BLANK
        },
        Plan {
            at: At::Mine,
            item: "R04",
            title: "东岭煤矿三项制度改革（劳动、人事、分配）实施方案",
            proposer: "人力资源部",
            summary: "推行管理人员竞争上岗、末等调整和不胜任退出，全员劳动合同管理，以岗位价值为基础的薪酬分配制度。",
            ago: (2, 15),
            upto: "feedback",
            returned: Some(Return {
                reason: "方案未经职工代表充分酝酿，岗位工资系数测算口径与集团不一致。请补充职工意见征集情况后重新申报。",
                resubmitted: Some((
                    "已在各区队、科室召开职工座谈会12场，收集意见86条，采纳31条；岗位工资系数已按集团口径重新测算，附测算表。",
                    "推行管理人员竞争上岗、末等调整和不胜任退出，全员劳动合同管理，以岗位价值为基础的薪酬分配制度；已吸收职工座谈意见31条，岗位工资系数按集团口径重新测算。",
                )),
            }),
            research: "人力资源部梳理现行用工、干部和分配制度，管理人员能上不能下、收入能增不能减的问题仍然存在；对标集团内2家改革先进单位，测算岗位价值系数。",
            risks: &[
                ("末等调整引发职工抵触", 3, 4, "考核标准公开，设置申诉渠道", "人力资源部"),
                ("薪酬调整导致部分职工收入下降", 3, 3, "设置两年过渡期，收入降幅不超过10%", "财务科"),
            ],
            findings: [
                "落实国企改革深化提升行动部署，坚持党管干部、党管人才原则。",
                "符合《劳动合同法》和集团三项制度改革指导意见。",
                "方案已征求职工意见并将提交职代会审议，设置过渡期保护职工收入。",
            ],
            minutes: "委员们认为改革方向正确，要坚持党管干部原则，末等调整办法先行试点；同意提交职代会审议。",
            feedback: "党委前置研究意见已反馈人力资源部：同意方案提交职代会审议后报董事会；末等调整先在机关科室试点一年。",
            ..BLANK
        },
        Plan {
            at: At::Mine,
            item: "F02",
            title: "东岭煤矿中央水泵房抢修大额资金使用",
            proposer: "机电科",
            summary: "中央水泵房2台主排水泵电机烧毁，矿井排水能力不足，需紧急采购排水泵和电机并抢修，资金860万元，超出限额。",
            ago: (50, 90),
            upto: "execution",
            backfill: Some(("紧急抢险，会后补录", &[])),
            decision: "矿长办公会紧急决定：立即采购2台主排水泵和配套电机，资金860万元，由机电科组织抢修，72小时内恢复排水能力；事后向党委会通报并补齐相关材料。",
            tasks: &[
                ("完成排水泵更换，恢复排水能力", "机电科", Quick("72小时内完成更换，排水能力恢复至设计值")),
                ("提交抢修费用结算和原因分析报告", "机电科", Overdue),
            ],
            ..BLANK
        },
        Plan {
            at: At::Mine,
            item: "A05",
            title: "东岭煤矿报废设备重大资产损失核销",
            proposer: "财务科",
            summary: "拟核销已报废的综采设备、运输设备等资产，原值4,120万元，净值680万元，附技术鉴定和残值评估报告。",
            ago: (1, 10),
            ..BLANK
        },
        Plan {
            at: At::Mine,
            item: "P04",
            title: "东岭煤矿后备人才队伍建设方案",
            proposer: "党委组织部",
            summary: "建立科级后备干部和专业技术后备人才库，三年内储备后备人才60名，其中35岁以下青年人才不少于40%。",
            ago: (20, 45),
            upto: "execution",
            research: "党委组织部对全矿35岁以下大学生和技术骨干摸底：现有科级干部平均年龄48.6岁，采掘专业技术骨干断层明显。",
            risks: &[
                ("后备人才流失", 3, 3, "建立导师帮带和岗位轮训机制", "党委组织部"),
                ("选拔不公开引发质疑", 2, 3, "民主推荐，结果公示", "纪委办公室"),
            ],
            decision: "矿党委会议研究决定：通过后备人才队伍建设方案，建立60人的后备人才库，实行动态管理。",
            tasks: &[
                ("组织民主推荐，建立后备人才库", "党委组织部", Open),
                ("制定导师帮带计划", "人力资源部", Open),
            ],
            ..BLANK
        },
        // ——— 集团党委 ———
        Plan {
            at: At::Group,
            item: "S05",
            title: "集团{Y}年度投资计划",
            proposer: "战略规划部",
            summary: "集团{Y}年计划投资68.5亿元，其中煤炭安全和智能化23.6亿元、新能源18.2亿元、煤电节能降碳改造12.4亿元、文旅及其他14.3亿元。",
            ago: (322, 345),
            upto: "execution",
            research: "战略规划部汇总所属单位申报项目214个、投资92.7亿元，按集团“十五五”规划和年度投资能力压减；资产负债率、投资能力和主业投资比例等指标均控制在国资监管要求之内。",
            experts: &[
                ("郑永刚（教授级高工，集团外部董事）", "投资结构优化，新能源投资比重提高到26.6%，符合转型方向；建议加强投资后评价。"),
                ("何静（正高级会计师，集团财务部）", "建议将文旅项目投资纳入负面清单管理，非主业投资比例控制在10%以内。"),
            ],
            risks: &[
                ("投资项目收益不达预期", 3, 4, "实行投资项目全过程管理和后评价", "战略规划部"),
                ("新能源项目指标和并网受限", 3, 3, "提前锁定并网容量，发展分布式项目", "新能源事业部"),
                ("资金筹措不到位", 2, 4, "发行绿色债券，用好政策性金融工具", "财务部"),
            ],
            findings: [
                "聚焦能源安全保障和绿色低碳转型，符合党中央关于能源革命和国有经济布局优化的部署。",
                "符合国资委投资监管要求和集团投资负面清单，主业投资比例达91%。",
                "安全和智能化投资改善井下作业条件，保障职工安全和收入稳定增长。",
            ],
            minutes: "委员们认为投资计划统筹安全与发展，要严格控制非主业投资，新能源项目要落实收益测算。",
            feedback: "党委前置研究意见已反馈战略规划部：同意提交董事会决策；文旅投资压减1.2亿元，非主业投资比例控制在10%以内。",
            decision: "董事会审议通过集团{Y}年度投资计划67.3亿元（文旅及其他投资调减为13.1亿元）；授权经理层组织实施，每半年向董事会报告。",
            tasks: &[
                ("向所属单位下达年度投资计划", "战略规划部", Done("已向14家所属单位下达投资计划")),
                ("建立重点项目月度调度机制", "战略规划部", Done("已建立月度调度机制，按月通报投资完成情况")),
                ("开展重点项目投资后评价", "审计部", Open),
            ],
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "I03",
            title: "集团并购重组豫西风电公司股权投资",
            proposer: "新能源事业部",
            summary: "拟以9.8亿元收购豫西风电公司51%股权，标的公司在运风电装机40万千瓦，年发电量约9亿千瓦时。",
            ago: (100, 160),
            upto: "execution",
            research: "新能源事业部完成尽职调查：标的公司近三年平均利用小时2,260小时，资产负债率72%，存在2宗未决诉讼；评估值19.6亿元，收购价格对应市净率1.08倍。",
            experts: &[
                ("罗建设（注册会计师，会计师事务所合伙人）", "评估方法适当，建议在交易对价中预留未决诉讼风险保证金。"),
                ("韩雪（律师，律师事务所合伙人）", "股权权属清晰，未决诉讼涉及金额较小，建议在协议中约定或有负债由原股东承担。"),
                ("沈海峰（教授级高工，电力设计研究院）", "风机设备运行状况良好，剩余寿命约15年，发电量预测合理。"),
            ],
            risks: &[
                ("标的公司存在或有负债", 2, 4, "设置交易保证金和原股东兜底条款", "法律事务部"),
                ("风电利用小时下降影响收益", 3, 3, "实施技改增效，参与绿电交易", "新能源事业部"),
                ("并购后整合不到位", 2, 3, "派驻董事、财务总监和党组织负责人", "党委组织部"),
            ],
            findings: [
                "符合集团绿色低碳转型战略，扩大新能源资产规模。",
                "符合国资委投资监管规定和集团并购管理办法，已完成资产评估备案。",
                "并购后保留标的公司现有职工，劳动关系和待遇不变。",
            ],
            minutes: "委员们认为并购有利于加快转型；要求同步建立标的公司党组织，做到党的建设与并购重组同步推进。",
            feedback: "党委前置研究意见已反馈新能源事业部：同意提交董事会；交易对价预留5%作为保证金；交割后三个月内成立标的公司党支部。",
            decision: "董事会审议通过以9.8亿元收购豫西风电公司51%股权，其中4,900万元作为或有负债保证金延期支付；授权经理层签署交易协议。",
            tasks: &[
                ("签署股权转让协议并完成工商变更", "新能源事业部", Done("协议已签署，工商变更登记完成")),
                ("成立标的公司党支部，派驻董事和财务总监", "党委组织部", Done("党支部已成立，派驻人员到位")),
                ("完成并购后评价", "战略规划部", Open),
            ],
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "F06",
            title: "集团{Y}年发行绿色公司债券融资方案",
            proposer: "财务部",
            summary: "拟发行绿色公司债券20亿元，期限5年，募集资金用于风电、光伏项目建设和煤电节能降碳改造。",
            ago: (200, 280),
            upto: "supervision",
            research: "财务部分析债券市场利率、集团信用评级（AA+）和存量债务结构：同期限绿色债券发行利率约2.45%，较银行贷款低约60个基点；发行后资产负债率上升0.8个百分点。",
            experts: &[
                ("冯涛（证券公司债务资本市场部执行董事）", "集团信用资质良好，绿色债券市场需求旺盛，建议择机在利率低位发行。"),
                ("许明（注册会计师）", "募投项目符合《绿色债券支持项目目录》，建议聘请第三方出具绿色认证报告。"),
            ],
            risks: &[
                ("发行利率上行增加融资成本", 3, 3, "设定利率上限，择机发行", "财务部"),
                ("募集资金挪用于非绿色项目", 2, 4, "专户管理，按季度披露资金使用情况", "审计部"),
            ],
            findings: [
                "募集资金投向绿色低碳项目，符合国家“双碳”战略和绿色金融政策导向。",
                "符合《公司债券发行与交易管理办法》和国资委关于中央企业债券发行管理的规定。",
                "降低融资成本，有利于企业稳健经营和职工队伍稳定。",
            ],
            minutes: "委员们认为发行绿色债券有利于降低融资成本、支持转型；要求募集资金专款专用。",
            feedback: "党委前置研究意见已反馈财务部：同意提交董事会；募集资金使用情况纳入审计监督。",
            decision: "董事会审议通过发行20亿元绿色公司债券方案，授权经理层在票面利率不高于2.60%时择机发行。",
            tasks: &[
                ("完成债券注册和发行", "财务部", Done("20亿元绿色债券成功发行，票面利率2.38%")),
                ("建立募集资金专户并披露使用情况", "财务部", Done("募集资金专户管理，已按季度披露使用情况")),
            ],
            supervision: "募集资金全部投向绿色项目，专项审计未发现问题",
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "R05",
            title: "集团公司章程修改（党建工作要求写入章程）",
            proposer: "法律事务部",
            summary: "按照党建工作要求进章程的规定修改公司章程，明确党委前置研究讨论重大经营管理事项的程序，完善董事会、经理层权责。",
            ago: (240, 300),
            upto: "supervision",
            research: "法律事务部对照《中国共产党国有企业基层组织工作条例（试行）》和国资委章程指引，梳理现行章程与有关规定不一致的条款14处。",
            risks: &[
                ("章程条款与《公司法》衔接不当", 2, 3, "聘请外部律师审核", "法律事务部"),
                ("所属企业章程未同步修改", 3, 2, "统一下发章程修改指引，限期完成", "法律事务部"),
            ],
            findings: [
                "把党的领导融入公司治理各环节，明确党委在决策、执行、监督各环节的权责和工作方式。",
                "符合《公司法》、《中国共产党国有企业基层组织工作条例（试行）》和国资委章程指引。",
                "章程明确职工代表大会和职工董事制度，保障职工民主管理权利。",
            ],
            minutes: "委员们认为章程修改是坚持党的领导和完善公司治理相统一的重要举措；要求所属企业同步完成章程修改。",
            feedback: "党委前置研究意见已反馈法律事务部：同意章程修正案提交董事会审议，并报股东批准。",
            decision: "董事会审议通过公司章程修正案，明确党委前置研究讨论重大经营管理事项清单，报股东批准后生效。",
            tasks: &[
                ("报股东批准并办理章程备案", "法律事务部", Done("股东已批准，章程完成备案")),
                ("指导所属企业完成章程修改", "法律事务部", Done("所属14家企业全部完成章程修改")),
            ],
            supervision: "集团及所属企业章程全部完成修改备案",
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "P02",
            title: "集团经理层成员任期制和契约化考核方案",
            proposer: "党委组织部",
            summary: "对集团经理层成员实行任期制和契约化管理，签订年度和任期经营业绩责任书，考核结果与薪酬兑现和岗位聘任刚性挂钩。",
            ago: (150, 220),
            upto: "execution",
            research: "党委组织部对照国企改革深化提升行动要求，总结上一任期考核经验；设计利润总额、净资产收益率、安全生产和党建工作等考核指标，党建指标权重不低于15%。",
            risks: &[
                ("考核指标设置不科学", 2, 3, "聘请第三方评估，指标报董事会审定", "党委组织部"),
                ("考核结果刚性运用不到位", 3, 3, "明确不胜任退出的情形", "人力资源部"),
            ],
            findings: [
                "坚持党管干部原则与发挥市场机制作用相结合，符合国企改革要求。",
                "符合国资委关于经理层成员任期制和契约化管理的指引。",
                "考核结果公开透明，激励约束并重，维护企业和职工利益。",
            ],
            minutes: "委员们认为方案体现党管干部与市场化选聘相结合；要求党建考核指标与经营指标同考核、同兑现。",
            feedback: "党委前置研究意见已反馈党委组织部：同意提交董事会；党建工作考核结果与经理层成员薪酬挂钩。",
            decision: "董事会审议通过集团经理层成员任期制和契约化考核方案，授权董事长与经理层成员签订任期和年度经营业绩责任书。",
            tasks: &[
                ("签订任期和年度经营业绩责任书", "党委组织部", Done("经理层7名成员全部签订责任书")),
                ("完成年中业绩考核并报董事会", "人力资源部", Overdue),
            ],
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "R01",
            title: "岭上实业文旅公司混合所有制改革方案",
            proposer: "改革办公室",
            summary: "拟引入战略投资者持股49%，集团保持控股；同步实施核心骨干员工持股，比例不超过5%。",
            ago: (2, 12),
            upto: "political_review",
            research: "改革办公室调研文旅公司经营现状：近三年营业收入年均增长12%，但市场化运营能力不足；接触意向投资者3家，均为国内知名文旅运营企业。",
            experts: &[
                ("唐晓峰（教授，大学旅游管理学院）", "引入专业运营方有利于提升景区市场化水平，建议在协议中约定运营业绩对赌条款。"),
                ("邓丽（资产评估师）", "评估基准日选择恰当，建议对景区经营权单独评估，防止国有资产流失。"),
            ],
            risks: &[
                ("国有资产流失", 2, 5, "进场交易，评估结果备案，纪委全程监督", "审计部"),
                ("职工对身份转换有顾虑", 3, 3, "职工劳动关系不变，方案提交职代会审议", "工会"),
            ],
            findings: [
                "符合国有企业混合所有制改革方向，集团保持控股，坚持党的领导。",
                "符合国资委混合所有制改革操作指引和企业国有资产交易监督管理办法。",
                "职工劳动合同继续履行，员工持股自愿参与，方案将提交职代会审议。",
            ],
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "W03",
            title: "集团企业年金和补充福利方案调整",
            proposer: "人力资源部",
            summary: "拟将企业年金企业缴费比例由6%调整为8%，新增补充医疗保险，覆盖在职职工3.2万人。",
            ago: (2, 12),
            returned: Some(Return {
                reason: "未测算方案调整对企业缴费和年度成本的影响，缺少职工代表意见，请补充后重新申报。",
                resubmitted: Some((
                    "已补充近三年缴费测算和成本影响分析，并经工会征求职工代表意见，修订后重新申报。",
                    "拟将企业年金企业缴费比例由6%调整为8%，新增补充医疗保险，覆盖在职职工3.2万人；年增加成本约2.1亿元，已附测算表和职工代表意见。",
                )),
            }),
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "F03",
            title: "集团为丰源发电公司借款提供担保",
            proposer: "财务部",
            summary: "丰源发电公司电煤保供资金需求紧急，申请银行流动资金借款3亿元，需集团提供连带责任担保。",
            ago: (30, 70),
            upto: "execution",
            backfill: Some(("电煤保供资金需求紧急，董事会通讯表决后补录", &["research"])),
            research: "财务部核查丰源发电公司资产负债率63.8%，经营现金流为正；担保后集团对外担保余额占净资产比例为12.6%，低于15%的内控上限。",
            decision: "董事会通讯表决同意为丰源发电公司3亿元银行流动资金借款提供连带责任担保，期限一年，由丰源发电公司提供反担保。",
            tasks: &[
                ("签订担保合同和反担保协议", "财务部", Quick("担保合同和反担保协议已签订")),
                ("按月监控借款使用和还款来源", "财务部", Open),
            ],
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "S01",
            title: "集团“十五五”发展战略和中长期发展规划",
            proposer: "战略规划部",
            summary: "编制集团“十五五”发展战略和中长期发展规划，明确煤炭安全高效开采、煤电清洁低碳转型、新能源规模化发展和文旅产业协同的发展路径。",
            ago: (3, 25),
            upto: "research",
            research: "战略规划部历时两个月，走访14家所属单位和3家同行业央企，形成“十四五”规划实施评估报告和“十五五”规划基本思路：到规划期末，新能源装机占比达到35%以上，煤矿智能化产能占比达到90%。",
            ..BLANK
        },
        Plan {
            at: At::Group,
            item: "E04",
            title: "集团重大突发事件处置预案修订",
            proposer: "应急管理部",
            summary: "根据新修订的《突发事件应对法》和近两年应急演练评估情况，修订集团重大突发事件处置预案，完善矿井水害、瓦斯事故和大面积停电等专项预案。",
            ago: (1, 6),
            ..BLANK
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_topic_is_what_the_classifier_suggests_for_its_title() {
        let pack = DecisionsRulePack::default_pack();
        for p in plans() {
            let title = p.title.replace("{Y}", "2026");
            let first = pack.suggest(&title, 5).first().map(|i| i.code.clone());
            assert_eq!(first.as_deref(), Some(p.item), "{title}");
        }
    }

    #[test]
    fn the_plans_give_what_their_steps_need() {
        let pack = DecisionsRulePack::default_pack();
        for p in plans() {
            let item = pack.item(p.item).unwrap();
            let steps: Vec<&str> = pack.steps_for(item).iter().map(|s| s.code.as_str()).collect();
            assert!(p.upto == "submit" || steps.contains(&p.upto), "{}: {}", p.title, p.upto);
            let at = |c: &str| steps.iter().position(|s| *s == c);
            let reached = |c: &str| p.backfill.is_none() && at(c).is_some() && at(c) <= at(p.upto);
            if reached("expert_review") {
                assert!(!p.experts.is_empty(), "{}", p.title);
            }
            if reached("risk_assessment") {
                assert!(p.risks.iter().all(|r| pack.risk(r.1, r.2).is_some()) && !p.risks.is_empty(), "{}", p.title);
            }
            if reached("political_review") {
                assert!(p.findings.iter().all(|f| !f.is_empty()), "{}", p.title);
            }
            if reached("execution") || p.backfill.is_some() && at("execution") <= at(p.upto) {
                assert!(!p.tasks.is_empty(), "{}", p.title);
            }
            if let Votes::Named(v) = p.votes {
                assert!(v.iter().all(|(v, why)| *v == Vote::Agree || !why.is_empty()), "{}", p.title);
            }
        }
    }
}
