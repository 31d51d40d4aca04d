//! Judging one step a person records for a topic: every rule of the
//! procedure list and of the committee's vote, in one place, so the pages,
//! the API and the demo run the same checks. Pure: the caller reads the
//! topic, its steps and tasks and the committee, and writes what this
//! returns.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::{
    artefacts_of, check_step, risk_blank, row_problem, tally, task_blank, DecisionsRulePack, DoneStep, Item, NamedVote,
    Outcome, StepContent, StepRefusal, Vote,
};

/// A topic as the rules need it to judge a new step.
#[derive(Debug, Clone)]
pub struct TopicState<'a> {
    /// `open`, `returned`, `executing`, `closed` or `rejected`.
    pub status: &'a str,
    pub submitted_on: NaiveDate,
    pub steps: &'a [DoneStep],
    /// (due day, day closed) of each execution task.
    pub tasks: &'a [(NaiveDate, Option<NaiveDate>)],
}

/// A step as a person sends it.
#[derive(Debug, Clone, Default)]
pub struct StepDraft {
    pub step: String,
    pub done_on: NaiveDate,
    /// The record as sent; its votes are taken from `votes`.
    pub content: StepContent,
    /// (committee member, vote, reason).
    pub votes: Vec<(i64, Vote, String)>,
    /// Recording a decision taken outside the procedure (补录): the reason.
    pub backfill_reason: Option<String>,
}

/// What recording the step does to its topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    /// The deciding body decided; a rejected topic ends there.
    Decided {
        approved: bool,
    },
    /// The party committee's pre-study did not pass: the topic ends.
    Rejected,
    /// Supervision closed it.
    Closed,
}

/// A step judged fit to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub step: String,
    pub done_on: NaiveDate,
    /// The record, keeping only the parts this step uses, blank lines dropped.
    pub content: StepContent,
    pub artefacts: BTreeSet<String>,
    pub backfill_reason: Option<String>,
    pub effect: Effect,
    /// Execution tasks to add: (title, owner, due day).
    pub tasks: Vec<(String, String, NaiveDate)>,
}

/// Why a step cannot be recorded: the field to point at, the catalogue key
/// and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub key: &'static str,
    /// The parameters, steps and artefacts named as the pack names them.
    pub params: Vec<(&'static str, String)>,
    /// The codes of the steps or artefacts named in the first parameter, in
    /// order, for a caller that names them in another language.
    pub codes: Vec<String>,
}

impl Refusal {
    fn new(field: &'static str, key: &'static str, params: Vec<(&'static str, String)>) -> Refusal {
        Refusal { field, key, params, codes: Vec::new() }
    }

    fn step(pack: &DecisionsRulePack, r: StepRefusal) -> Refusal {
        let steps = |codes: &[String]| {
            codes
                .iter()
                .map(|c| pack.step(c).map_or_else(|| c.clone(), |s| s.name.clone()))
                .collect::<Vec<_>>()
                .join("、")
        };
        let (params, codes) = match &r {
            StepRefusal::PriorMissing(codes) | StepRefusal::TooLate(codes) => {
                (vec![("steps", steps(codes))], codes.clone())
            }
            StepRefusal::ArtefactMissing(a) => {
                (vec![("artefacts", a.iter().map(|c| pack.artefact_name(c)).collect::<Vec<_>>().join("、"))], a.clone())
            }
            _ => (vec![], Vec::new()),
        };
        Refusal { codes, ..Refusal::new("step", r.key(), params) }
    }
}

/// Judges a step: the topic open (or executing, for the steps after the
/// decision); the step applying to the item, not yet recorded, not skipped
/// by a later step already recorded, its prior steps done; dated not after
/// `today`, not before the submission, the steps it waits on or (for
/// supervision) the tasks closed; each line of its record whole; named votes
/// only by the committee (`committee`: its members on the step's day) with a
/// quorum; every artefact it requires proved by its record. A decision taken
/// outside the procedure may be recorded after the fact with its reason:
/// only the decision, with its own artefacts; what it skipped stays missing.
pub fn prepare_step(
    pack: &DecisionsRulePack,
    item: &Item,
    topic: &TopicState,
    committee: &[(i64, String)],
    draft: &StepDraft,
    today: NaiveDate,
) -> Result<Prepared, Refusal> {
    match topic.status {
        "returned" => return Err(Refusal::new("step", "decision.returned", vec![])),
        "closed" | "rejected" => return Err(Refusal::step(pack, StepRefusal::Closed)),
        _ => {}
    }
    let step = draft.step.trim();
    let on = draft.done_on;
    if on > today {
        return Err(Refusal::new("done_on", "date.in_future", vec![]));
    }
    // Whether the step is due at all comes before what its record lacks.
    let done: BTreeSet<String> = topic.steps.iter().map(|s| s.code.clone()).collect();
    let backfill = draft.backfill_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if backfill.is_none() {
        let owed: BTreeSet<String> = pack.step(step).map(|s| s.requires.iter().cloned().collect()).unwrap_or_default();
        check_step(pack, item, &done, step, &owed).map_err(|r| Refusal::step(pack, r))?;
    }
    // Only the parts this step uses are kept.
    let sent = &draft.content;
    let mut content = StepContent { body: sent.body.trim().to_string(), ..StepContent::default() };
    match step {
        "expert_review" => content.opinions = sent.opinions.clone(),
        "risk_assessment" => content.risks = sent.risks.clone(),
        "political_review" => content.findings = sent.findings.clone(),
        "execution" => content.tasks = sent.tasks.clone(),
        "decision" => content.outcome = sent.outcome,
        _ => {}
    }
    if let Some(r) = row_problem(pack, &content) {
        let check = match r.key {
            "decision.unknown_check" => content.findings.get(r.row - 1).map(|f| f.check.clone()),
            _ => pack.checks.get(r.row - 1).map(|c| c.name.clone()),
        };
        return Err(Refusal::new(
            r.part,
            r.key,
            vec![("row", r.row.to_string()), ("check", check.unwrap_or_default())],
        ));
    }
    content.opinions.retain(|o| !(o.expert.trim().is_empty() && o.opinion.trim().is_empty()));
    content.risks.retain(|r| !risk_blank(r));
    content.tasks.retain(|t| !task_blank(t));
    if let Some(i) = content.tasks.iter().position(|t| t.due_on.is_some_and(|d| d < on)) {
        return Err(Refusal::new("tasks", "decision.task_due_before", vec![("row", (i + 1).to_string())]));
    }
    let mut effect = Effect::None;
    if step == "discussion" && !draft.votes.is_empty() {
        let mut seen = BTreeSet::new();
        for (member, vote, reason) in &draft.votes {
            let Some((_, name)) = committee.iter().find(|(id, _)| id == member) else {
                return Err(Refusal::new(
                    "votes",
                    "decision.not_on_committee",
                    vec![("id", member.to_string()), ("date", on.to_string())],
                ));
            };
            if !seen.insert(*member) {
                return Err(Refusal::new("votes", "dev.named_twice", vec![]));
            }
            content.votes.push(NamedVote {
                member_id: *member,
                name: name.clone(),
                vote: *vote,
                reason: reason.trim().to_string(),
            });
        }
        let result = tally(&content.votes.iter().map(|v| v.vote).collect::<Vec<_>>(), committee.len());
        if !result.quorate {
            return Err(Refusal::new(
                "votes",
                "decision.not_quorate",
                vec![("present", content.votes.len().to_string()), ("entitled", committee.len().to_string())],
            ));
        }
        if !result.passed {
            effect = Effect::Rejected;
        }
        content.tally = Some(result);
    }
    let tasks_closed = !topic.tasks.is_empty() && topic.tasks.iter().all(|t| t.1.is_some());
    let artefacts = artefacts_of(pack, step, &content, tasks_closed);
    match backfill {
        Some(_) if step == "decision" => {
            if done.contains(step) {
                return Err(Refusal::step(pack, StepRefusal::AlreadyDone));
            }
            let def = pack.step(step).ok_or_else(|| Refusal::step(pack, StepRefusal::UnknownStep))?;
            let lacking: Vec<String> = def.requires.iter().filter(|a| !artefacts.contains(*a)).cloned().collect();
            if !lacking.is_empty() {
                return Err(Refusal::step(pack, StepRefusal::ArtefactMissing(lacking)));
            }
        }
        Some(_) => return Err(Refusal::new("backfill_reason", "decision.backfill_decision_only", vec![])),
        None => check_step(pack, item, &done, step, &artefacts).map_err(|r| Refusal::step(pack, r))?,
    }
    // Dated no earlier than the submission, anything it waits on, or (for
    // supervision) the last task closed, so the record reads in order.
    let waits_on: BTreeSet<&str> = pack.path_to(item, step).iter().map(|s| s.code.as_str()).collect();
    let last_prior =
        topic.steps.iter().filter(|s| s.code != step && waits_on.contains(s.code.as_str())).map(|s| s.done_on);
    let last_task = topic.tasks.iter().filter_map(|t| t.1).filter(|_| step == "supervision");
    if let Some(last) = last_prior.chain(last_task).chain([topic.submitted_on]).max().filter(|d| on < *d) {
        return Err(Refusal::new("done_on", "decision.before_prior", vec![("date", last.to_string())]));
    }
    match step {
        "decision" => {
            let Some(outcome) = content.outcome else {
                return Err(Refusal::step(pack, StepRefusal::ArtefactMissing(vec!["decision_record".into()])));
            };
            effect = Effect::Decided { approved: outcome == Outcome::Approved };
        }
        "supervision" => effect = Effect::Closed,
        _ => {}
    }
    let tasks = content
        .tasks
        .iter()
        .filter_map(|k| Some((k.title.trim().to_string(), k.owner.trim().to_string(), k.due_on?)))
        .collect();
    Ok(Prepared {
        step: step.to_string(),
        done_on: on,
        content,
        artefacts,
        backfill_reason: backfill.map(str::to_string),
        effect,
        tasks,
    })
}

/// Whether an execution task may be closed on `day`: not before the tasks
/// were assigned (`assigned_on`, the execution step's day) nor after today.
pub fn check_task_close(assigned_on: Option<NaiveDate>, day: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    if day > today {
        return Err(Refusal::new("done_on", "date.in_future", vec![]));
    }
    match assigned_on.filter(|a| day < *a) {
        Some(a) => Err(Refusal::new("done_on", "decision.before_prior", vec![("date", a.to_string())])),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Finding, Risk, TaskInput};
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn done(code: &str, on: NaiveDate, arts: &[&str], backfilled: bool) -> DoneStep {
        DoneStep { code: code.into(), done_on: on, artefacts: arts.iter().map(|a| a.to_string()).collect(), backfilled }
    }

    fn draft(step: &str, on: NaiveDate, content: StepContent) -> StepDraft {
        StepDraft { step: step.into(), done_on: on, content, ..StepDraft::default() }
    }

    fn body(s: &str) -> StepContent {
        StepContent { body: s.into(), ..StepContent::default() }
    }

    #[test]
    fn a_step_skipped_by_a_backfilled_decision_stays_skipped() {
        let p = DecisionsRulePack::default_pack();
        let item = p.item("I02").unwrap();
        let steps = [done("submit", d(3, 1), &[], false), done("decision", d(3, 5), &["decision_record"], true)];
        let topic = TopicState { status: "executing", submitted_on: d(3, 1), steps: &steps, tasks: &[] };
        let r =
            prepare_step(&p, item, &topic, &[], &draft("research", d(3, 2), body("调研报告")), d(4, 1)).unwrap_err();
        assert_eq!((r.key, r.params[0].1.as_str()), ("decision.too_late", "决策机构决定"));
        // After the decision, execution goes on.
        let t = TaskInput { title: "签约".into(), owner: "计划部".into(), due_on: Some(d(4, 30)) };
        let ok = prepare_step(
            &p,
            item,
            &topic,
            &[],
            &draft("execution", d(3, 6), StepContent { tasks: vec![t], ..StepContent::default() }),
            d(4, 1),
        )
        .unwrap();
        assert_eq!(ok.tasks.len(), 1);
        assert_eq!(ok.effect, Effect::None);
    }

    #[test]
    fn a_step_keeps_only_its_own_parts_and_names_its_rows() {
        let p = DecisionsRulePack::default_pack();
        let item = p.item("I02").unwrap();
        let steps = [done("submit", d(3, 1), &[], false)];
        let topic = TopicState { status: "open", submitted_on: d(3, 1), steps: &steps, tasks: &[] };
        // A research step sent with an outcome and tasks keeps neither.
        let t = TaskInput { title: "x".into(), owner: "y".into(), due_on: Some(d(3, 9)) };
        let c = StepContent {
            body: "报告".into(),
            outcome: Some(Outcome::Approved),
            tasks: vec![t],
            ..StepContent::default()
        };
        let ok = prepare_step(&p, item, &topic, &[], &draft("research", d(3, 2), c), d(4, 1)).unwrap();
        assert_eq!((ok.content.outcome, ok.content.tasks.len()), (None, 0));
        // A blank spare row is dropped; a half-filled second row is named as row 2.
        let steps = [done("submit", d(3, 1), &[], false), done("research", d(3, 2), &["research_report"], false)];
        let topic = TopicState { steps: &steps, ..topic };
        let risk = |r: &str, owner: &str| Risk {
            risk: r.into(),
            likelihood: 2,
            impact: 2,
            mitigation: "措施".into(),
            owner: owner.into(),
        };
        let c = StepContent { risks: vec![risk("电价", "财务部"), risk("煤价", "")], ..StepContent::default() };
        let r = prepare_step(&p, item, &topic, &[], &draft("risk_assessment", d(3, 3), c), d(4, 1)).unwrap_err();
        assert_eq!((r.key, r.params[0].1.as_str()), ("decision.risk_incomplete", "2"));
        let c = StepContent { risks: vec![risk("电价", "财务部"), Risk::default()], ..StepContent::default() };
        let ok = prepare_step(&p, item, &topic, &[], &draft("risk_assessment", d(3, 3), c), d(4, 1)).unwrap();
        assert_eq!(ok.content.risks.len(), 1);
        // A finding for a check the pack does not have.
        let steps = [
            done("submit", d(3, 1), &[], false),
            done("research", d(3, 2), &["research_report"], false),
            done("risk_assessment", d(3, 3), &["risk_register"], false),
        ];
        let topic = TopicState { steps: &steps, ..topic };
        let f = |c: &str| Finding { check: c.into(), finding: "符合".into() };
        let c = StepContent { findings: vec![f("direction"), f("mood")], ..StepContent::default() };
        let r = prepare_step(&p, item, &topic, &[], &draft("political_review", d(3, 4), c), d(4, 1)).unwrap_err();
        assert_eq!(r.key, "decision.unknown_check");
    }

    #[test]
    fn dates_follow_the_steps_waited_on_and_the_tasks_closed() {
        let p = DecisionsRulePack::default_pack();
        let item = p.item("P01").unwrap();
        let steps = [
            done("submit", d(3, 1), &[], false),
            done("research", d(3, 10), &["research_report"], false),
            done("risk_assessment", d(3, 3), &["risk_register"], false),
        ];
        let topic = TopicState { status: "open", submitted_on: d(3, 1), steps: &steps, tasks: &[] };
        let decided = StepContent { body: "决定".into(), outcome: Some(Outcome::Approved), ..StepContent::default() };
        // The decision waits on research (through the risk assessment): not before 3-10.
        let r = prepare_step(&p, item, &topic, &[], &draft("decision", d(3, 5), decided.clone()), d(4, 1)).unwrap_err();
        assert_eq!((r.key, r.params[0].1.as_str()), ("decision.before_prior", "2026-03-10"));
        let ok = prepare_step(&p, item, &topic, &[], &draft("decision", d(3, 11), decided), d(4, 1)).unwrap();
        assert_eq!(ok.effect, Effect::Decided { approved: true });
        // Supervision not before the last task was closed.
        let steps = [
            done("submit", d(3, 1), &[], false),
            done("decision", d(3, 2), &["decision_record"], true),
            done("execution", d(3, 3), &["tasks"], false),
        ];
        let tasks = [(d(3, 20), Some(d(3, 25)))];
        let topic = TopicState { status: "executing", submitted_on: d(3, 1), steps: &steps, tasks: &tasks };
        let r = prepare_step(&p, item, &topic, &[], &draft("supervision", d(3, 24), body("")), d(4, 1)).unwrap_err();
        assert_eq!(r.key, "decision.before_prior");
        assert_eq!(
            prepare_step(&p, item, &topic, &[], &draft("supervision", d(3, 25), body("")), d(4, 1)).unwrap().effect,
            Effect::Closed
        );
        // A task due before its assignment, and a close before it.
        let steps = [steps[0].clone(), steps[1].clone()];
        let topic = TopicState { steps: &steps, tasks: &[], ..topic };
        let t = TaskInput { title: "签约".into(), owner: "计划部".into(), due_on: Some(d(3, 1)) };
        let c = StepContent { tasks: vec![t], ..StepContent::default() };
        let r = prepare_step(&p, item, &topic, &[], &draft("execution", d(3, 3), c), d(4, 1)).unwrap_err();
        assert_eq!(r.key, "decision.task_due_before");
        assert_eq!(check_task_close(Some(d(3, 3)), d(3, 2), d(4, 1)).unwrap_err().key, "decision.before_prior");
        assert!(check_task_close(Some(d(3, 3)), d(3, 3), d(4, 1)).is_ok());
        assert_eq!(check_task_close(None, d(4, 2), d(4, 1)).unwrap_err().key, "date.in_future");
    }

    #[test]
    fn the_committee_votes_by_name_with_a_quorum() {
        let p = DecisionsRulePack::default_pack();
        let item = p.item("I02").unwrap();
        let steps: Vec<DoneStep> = [
            ("submit", vec![]),
            ("research", vec!["research_report"]),
            ("expert_review", vec!["expert_opinion"]),
            ("risk_assessment", vec!["risk_register"]),
            ("political_review", vec!["three_checks"]),
        ]
        .into_iter()
        .map(|(c, a)| done(c, d(3, 1), &a, false))
        .collect();
        let topic = TopicState { status: "open", submitted_on: d(3, 1), steps: &steps, tasks: &[] };
        let committee = [(1, "甲".to_string()), (2, "乙".to_string()), (3, "丙".to_string())];
        let mut dr = draft("discussion", d(3, 2), body("纪要"));
        dr.votes = vec![(9, Vote::Agree, String::new())];
        let r = prepare_step(&p, item, &topic, &committee, &dr, d(4, 1)).unwrap_err();
        assert_eq!((r.key, r.params[1].1.as_str()), ("decision.not_on_committee", "2026-03-02"));
        dr.votes = vec![(1, Vote::Agree, String::new())];
        assert_eq!(prepare_step(&p, item, &topic, &committee, &dr, d(4, 1)).unwrap_err().key, "decision.not_quorate");
        dr.votes = vec![(1, Vote::Agree, String::new()), (2, Vote::Disagree, "能耗高".into())];
        let ok = prepare_step(&p, item, &topic, &committee, &dr, d(4, 1)).unwrap();
        assert_eq!(ok.effect, Effect::Rejected, "one of three agreeing is not more than half");
        assert_eq!(ok.content.votes[1].name, "乙");
        assert_eq!(ok.content.tally.as_ref().map(|t| t.entitled), Some(3));
    }
}
