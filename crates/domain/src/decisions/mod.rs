//! Decision governance (三重一大): the 三清单 as a rule pack (the matters
//! list, the procedure list with the artefacts each step requires, the power
//! and responsibility list of each body), which steps a topic must pass for
//! its matter, whether a step may be recorded now, the party committee's
//! named vote, a risk register's scores, and the metrics of DOMAIN.md §5.
//! Pure: the store keeps topics, this decides.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod step;
pub use step::{check_task_close, prepare_step, Effect, Prepared, Refusal, StepDraft, TopicState};

/// The pack shipped with Ronghe, in force unless a newer one is loaded.
pub const DEFAULT_DECISIONS_PACK: &str = include_str!("../../rules/decisions-2024.toml");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionsRulePack {
    pub kind: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub sources: BTreeMap<String, String>,
    /// What each artefact is called on pages and in refusals.
    #[serde(default)]
    pub artefacts: BTreeMap<String, String>,
    #[serde(rename = "body")]
    pub bodies: Vec<Body>,
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
    #[serde(rename = "category")]
    pub categories: Vec<Category>,
    #[serde(rename = "item")]
    pub items: Vec<Item>,
    /// 三查三看: the political review's checks.
    #[serde(rename = "check")]
    pub checks: Vec<Check>,
    /// The risk register's levels, by the highest score each covers.
    #[serde(rename = "risk_level")]
    pub risk_levels: Vec<RiskLevel>,
}

/// A check of the political review (三查三看).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Check {
    pub code: String,
    pub name: String,
}

/// A level of the risk register: scores up to `max` (likelihood × impact).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RiskLevel {
    pub code: String,
    pub name: String,
    pub max: u8,
}

/// What a step may require: each is proved by what the step's record holds
/// (see [`proves`]), never by a box someone ticks.
pub const ARTEFACTS: [&str; 10] = [
    "research_report",
    "expert_opinion",
    "risk_register",
    "three_checks",
    "named_votes",
    "minutes",
    "feedback",
    "decision_record",
    "tasks",
    "tasks_closed",
];

/// A body of the power and responsibility list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Body {
    pub code: String,
    pub name: String,
    pub duty: String,
    pub source: String,
}

/// A step of the procedure list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Step {
    pub code: String,
    pub name: String,
    /// 调研, 论证, 决策, 执行 or 监督.
    pub phase: String,
    /// Artefacts the step must carry.
    pub requires: Vec<String>,
    /// Steps that must be done first (those that apply to the item).
    pub after: Vec<String>,
    /// Only for items that need it: `expert`, `prestudy` or `workers`.
    #[serde(default)]
    pub when: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Category {
    pub code: String,
    pub name: String,
}

/// An item of the matters list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    pub code: String,
    pub category: String,
    pub name: String,
    /// `major_decision`, `appointment`, `project` or `large_sum`.
    pub kind: String,
    /// The party committee studies it before the deciding body acts.
    #[serde(default)]
    pub prestudy: bool,
    /// Experts give opinions before it is decided.
    #[serde(default)]
    pub expert: bool,
    /// The workers' congress deliberates it.
    #[serde(default)]
    pub workers: bool,
    /// The body that decides.
    pub decides: String,
}

/// Why a pack cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackProblem {
    UnknownBody(String),
    UnknownCategory(String),
    UnknownStep(String),
    DuplicateItem(String),
    DuplicateStep(String),
    /// A step's `when` is none of `expert`, `prestudy`, `workers`.
    UnknownCondition(String),
    /// A step comes after itself, directly or through others.
    Cycle(String),
    /// A step requires an artefact Ronghe cannot recognise in a record.
    UnknownArtefact(String),
    /// The political review has no checks, or the risk levels do not rise
    /// to cover every score up to 25.
    BadScale(&'static str),
    /// The pack has no `decision` step, which the metrics measure against.
    NoDecisionStep,
}

impl DecisionsRulePack {
    pub fn parse(text: &str) -> Result<DecisionsRulePack, String> {
        let pack: DecisionsRulePack = toml::from_str(text).map_err(|e| e.to_string())?;
        pack.check().map_err(|p| format!("{p:?}"))?;
        Ok(pack)
    }

    crate::shipped_pack!(DecisionsRulePack, DEFAULT_DECISIONS_PACK, "decisions");

    /// Checks the pack's references: every body, category and step named exists,
    /// item codes are unique, and no step waits on itself.
    pub fn check(&self) -> Result<(), PackProblem> {
        let bodies: BTreeSet<&str> = self.bodies.iter().map(|b| b.code.as_str()).collect();
        let categories: BTreeSet<&str> = self.categories.iter().map(|c| c.code.as_str()).collect();
        let steps: BTreeSet<&str> = self.steps.iter().map(|s| s.code.as_str()).collect();
        let mut codes = BTreeSet::new();
        for i in &self.items {
            if !bodies.contains(i.decides.as_str()) {
                return Err(PackProblem::UnknownBody(i.decides.clone()));
            }
            if !categories.contains(i.category.as_str()) {
                return Err(PackProblem::UnknownCategory(i.category.clone()));
            }
            if !codes.insert(i.code.as_str()) {
                return Err(PackProblem::DuplicateItem(i.code.clone()));
            }
        }
        if steps.len() != self.steps.len() {
            let mut seen = BTreeSet::new();
            let dup = self.steps.iter().find(|s| !seen.insert(s.code.as_str())).map(|s| s.code.clone());
            return Err(PackProblem::DuplicateStep(dup.unwrap_or_default()));
        }
        for s in &self.steps {
            if let Some(a) = s.after.iter().find(|a| !steps.contains(a.as_str())) {
                return Err(PackProblem::UnknownStep(a.clone()));
            }
            if let Some(a) = s.requires.iter().find(|a| !ARTEFACTS.contains(&a.as_str())) {
                return Err(PackProblem::UnknownArtefact(a.clone()));
            }
            // A misspelt condition would silently drop the step for every item.
            if let Some(w) = s.when.as_deref().filter(|w| !matches!(*w, "expert" | "prestudy" | "workers")) {
                return Err(PackProblem::UnknownCondition(w.to_string()));
            }
        }
        if !steps.contains("decision") || !steps.contains("submit") {
            return Err(PackProblem::NoDecisionStep);
        }
        if self.checks.is_empty() {
            return Err(PackProblem::BadScale("check"));
        }
        let rising = self.risk_levels.windows(2).all(|w| w[0].max < w[1].max);
        if !rising || self.risk_levels.last().is_none_or(|l| l.max < 25) {
            return Err(PackProblem::BadScale("risk_level"));
        }
        // A step's prerequisites, followed transitively, never reach it.
        for s in &self.steps {
            let mut seen = BTreeSet::new();
            let mut todo: Vec<&str> = s.after.iter().map(String::as_str).collect();
            while let Some(a) = todo.pop() {
                if a == s.code {
                    return Err(PackProblem::Cycle(s.code.clone()));
                }
                if seen.insert(a) {
                    if let Some(step) = self.steps.iter().find(|x| x.code == a) {
                        todo.extend(step.after.iter().map(String::as_str));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    pub fn step(&self, code: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.code == code)
    }

    /// A category's name (empty when the pack has no such category).
    pub fn category_name(&self, code: &str) -> String {
        self.categories.iter().find(|c| c.code == code).map(|c| c.name.clone()).unwrap_or_default()
    }

    /// A body's name (empty when the pack has no such body).
    pub fn body_name(&self, code: &str) -> String {
        self.bodies.iter().find(|b| b.code == code).map(|b| b.name.clone()).unwrap_or_default()
    }

    pub fn artefact_name(&self, code: &str) -> String {
        self.artefacts.get(code).cloned().unwrap_or_else(|| code.to_string())
    }

    pub fn source(&self, key: &str) -> String {
        self.sources.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    /// The steps a topic of this item must pass, in the pack's order.
    pub fn steps_for(&self, item: &Item) -> Vec<&Step> {
        self.steps.iter().filter(|s| applies(s, item)).collect()
    }

    /// The artefacts a complete archive of this item holds.
    pub fn artefacts_for(&self, item: &Item) -> BTreeSet<&str> {
        self.steps_for(item).iter().flat_map(|s| s.requires.iter().map(String::as_str)).collect()
    }

    /// Items ranked by how well their names match a topic's title (shared
    /// characters and pairs of characters), best first; the classifier's
    /// suggestion. Only items sharing at least one pair are offered.
    pub fn suggest(&self, title: &str, n: usize) -> Vec<&Item> {
        let t = grams(title);
        let mut scored: Vec<(usize, &Item)> = self
            .items
            .iter()
            .map(|i| (grams(&i.name).intersection(&t).filter(|g| g.chars().count() == 2).count(), i))
            .filter(|(s, _)| *s > 0)
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
        scored.into_iter().take(n).map(|(_, i)| i).collect()
    }
}

fn applies(step: &Step, item: &Item) -> bool {
    match step.when.as_deref() {
        None => true,
        Some("expert") => item.expert,
        Some("prestudy") => item.prestudy,
        Some("workers") => item.workers,
        Some(_) => false,
    }
}

/// The Han characters and adjacent pairs of a text (punctuation dropped).
fn grams(s: &str) -> BTreeSet<String> {
    let chars: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut out: BTreeSet<String> = chars.iter().map(|c| c.to_string()).collect();
    out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    out
}

/// Why a step cannot be recorded now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRefusal {
    UnknownStep,
    /// The procedure list does not ask this step of this item.
    NotRequired,
    AlreadyDone,
    /// These earlier steps are not done yet.
    PriorMissing(Vec<String>),
    /// The step lacks these artefacts.
    ArtefactMissing(Vec<String>),
    /// The topic is closed (decided against, withdrawn or supervised to the end).
    Closed,
    /// A later step that waits on this one is already recorded: a step
    /// skipped (by a decision recorded after the fact) stays skipped.
    TooLate(Vec<String>),
}

impl StepRefusal {
    pub fn key(&self) -> &'static str {
        match self {
            StepRefusal::UnknownStep => "decision.unknown_step",
            StepRefusal::NotRequired => "decision.step_not_required",
            StepRefusal::AlreadyDone => "decision.step_done",
            StepRefusal::PriorMissing(_) => "decision.prior_missing",
            StepRefusal::ArtefactMissing(_) => "decision.artefact_missing",
            StepRefusal::Closed => "decision.closed",
            StepRefusal::TooLate(_) => "decision.too_late",
        }
    }
}

/// Whether `step` may be recorded for a topic of `item` that has done
/// `done` and brings `artefacts` with this step.
pub fn check_step(
    pack: &DecisionsRulePack,
    item: &Item,
    done: &BTreeSet<String>,
    step: &str,
    artefacts: &BTreeSet<String>,
) -> Result<(), StepRefusal> {
    let Some(s) = pack.step(step) else {
        return Err(StepRefusal::UnknownStep);
    };
    if !applies(s, item) {
        return Err(StepRefusal::NotRequired);
    }
    if done.contains(step) {
        return Err(StepRefusal::AlreadyDone);
    }
    let later: Vec<String> = pack
        .steps
        .iter()
        .filter(|d| done.contains(&d.code) && d.code != step && applies(d, item))
        .filter(|d| pack.path_to(item, &d.code).iter().any(|x| x.code == step))
        .map(|d| d.code.clone())
        .collect();
    if !later.is_empty() {
        return Err(StepRefusal::TooLate(later));
    }
    let missing: Vec<String> = s
        .after
        .iter()
        .filter(|a| pack.step(a).is_some_and(|x| applies(x, item)) && !done.contains(*a))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(StepRefusal::PriorMissing(missing));
    }
    let lacking: Vec<String> = s.requires.iter().filter(|r| !artefacts.contains(*r)).cloned().collect();
    if !lacking.is_empty() {
        return Err(StepRefusal::ArtefactMissing(lacking));
    }
    Ok(())
}

/// A named vote at the party committee's collective discussion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    Agree,
    Disagree,
    Abstain,
}

/// The outcome of a collective discussion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub agree: usize,
    pub disagree: usize,
    pub abstain: usize,
    /// Committee members entitled to vote.
    pub entitled: usize,
    /// More than half of the members entitled were present.
    pub quorate: bool,
    /// Agreed by more than half of the members entitled (not of those present).
    pub passed: bool,
}

/// Counts named votes: the discussion needs more than half of the committee
/// present, and a topic passes with more than half of the whole committee
/// agreeing (民主集中制: 少数服从多数, counted on those who should attend).
pub fn tally(votes: &[Vote], entitled: usize) -> Tally {
    let count = |v: Vote| votes.iter().filter(|x| **x == v).count();
    let (agree, disagree, abstain) = (count(Vote::Agree), count(Vote::Disagree), count(Vote::Abstain));
    let quorate = votes.len() * 2 > entitled;
    Tally { agree, disagree, abstain, entitled, quorate, passed: quorate && agree * 2 > entitled }
}

impl DecisionsRulePack {
    /// A risk's score (likelihood × impact, each 1 to 5) and its level.
    pub fn risk(&self, likelihood: u8, impact: u8) -> Option<(u8, &RiskLevel)> {
        if !(1..=5).contains(&likelihood) || !(1..=5).contains(&impact) {
            return None;
        }
        let s = likelihood * impact;
        self.risk_levels.iter().find(|l| s <= l.max).map(|l| (s, l))
    }

    /// The steps a decision waits on for this item, directly or through
    /// others, and the decision itself: what the archive of a decided topic
    /// must hold, and what must have happened in order.
    pub fn decision_path(&self, item: &Item) -> Vec<&Step> {
        self.path_to(item, "decision")
    }

    /// The steps `step` waits on for this item, directly or through others,
    /// and the step itself, in the pack's order: what a topic that ended at
    /// that step must hold.
    pub fn path_to<'a>(&'a self, item: &Item, step: &'a str) -> Vec<&'a Step> {
        let mut wanted = BTreeSet::from([step]);
        let mut todo = vec![step];
        while let Some(code) = todo.pop() {
            if let Some(s) = self.step(code) {
                for a in &s.after {
                    if self.step(a).is_some_and(|x| applies(x, item)) && wanted.insert(a.as_str()) {
                        todo.push(a.as_str());
                    }
                }
            }
        }
        self.steps.iter().filter(|s| wanted.contains(s.code.as_str()) && applies(s, item)).collect()
    }

    /// How a decided (or rejected) topic stands against the procedure list:
    /// the facts the metrics count. `steps` are the topic's recorded steps.
    pub fn assess(&self, id: i64, item: &Item, steps: &[DoneStep], submitted_on: NaiveDate) -> Option<DecidedTopic> {
        let decision = steps.iter().find(|s| s.code == "decision")?;
        let path = self.decision_path(item);
        let by_code: BTreeMap<&str, &DoneStep> = steps.iter().map(|s| (s.code.as_str(), s)).collect();
        // Each step's own artefacts: one step's minutes do not stand in for another's.
        let archive_complete = path.iter().all(|s| {
            by_code
                .get(s.code.as_str())
                .is_some_and(|d| d.done_on <= decision.done_on && s.requires.iter().all(|a| d.artefacts.contains(a)))
        });
        let steps_in_order = path.iter().all(|s| {
            by_code.get(s.code.as_str()).is_some_and(|d| {
                !d.backfilled
                    && s.after
                        .iter()
                        .filter(|a| self.step(a).is_some_and(|x| applies(x, item)))
                        .all(|a| by_code.get(a.as_str()).is_some_and(|p| !p.backfilled && p.done_on <= d.done_on))
            })
        });
        let prestudied_before_decision =
            item.prestudy && by_code.get("discussion").is_some_and(|d| !d.backfilled && d.done_on <= decision.done_on);
        Some(DecidedTopic {
            id,
            prestudy_required: item.prestudy,
            prestudied_before_decision,
            archive_complete,
            steps_in_order,
            submitted_on,
            decided_on: decision.done_on,
        })
    }
}

/// A step recorded for a topic, as the metrics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneStep {
    pub code: String,
    pub done_on: NaiveDate,
    /// What its record proved (see [`proves`]).
    pub artefacts: BTreeSet<String>,
    /// Recorded after the fact, outside the procedure (补录).
    pub backfilled: bool,
}

/// An expert's opinion (专家论证).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    pub expert: String,
    pub opinion: String,
}

/// A line of the risk register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    pub risk: String,
    pub likelihood: u8,
    pub impact: u8,
    pub mitigation: String,
    pub owner: String,
}

/// A finding of the political review, for one of the pack's checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub check: String,
    pub finding: String,
}

/// A committee member's named vote with their reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedVote {
    pub member_id: i64,
    pub name: String,
    pub vote: Vote,
    #[serde(default)]
    pub reason: String,
}

/// An execution task as the execution step assigns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    pub title: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
}

/// What the deciding body decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Rejected,
}

/// The content of a step's record. Which parts a step fills depends on the
/// step; what they prove is decided by [`proves`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepContent {
    /// The report, minutes, feedback or decision as written.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub opinions: Vec<Opinion>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub votes: Vec<NamedVote>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The named votes counted against the whole committee as it stood
    /// (set by the app, never sent): the archive keeps the majority the
    /// vote was measured against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tally: Option<Tally>,
}

/// A line of a step's record that is begun but not complete: which part,
/// which line (from 1) or check, and what it lacks. Reported before the
/// artefact check, so the person is told which row to mend rather than
/// only that the register or review is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// `opinions`, `risks`, `findings` or `tasks`.
    pub part: &'static str,
    pub row: usize,
    /// The catalogue key of what is wrong.
    pub key: &'static str,
}

/// The first incomplete line of a step's record, if any. Wholly blank lines
/// are not problems (forms send spare rows; [`prepare_step`] drops them); a
/// line with anything in it must be whole, and is named by its place.
pub fn row_problem(pack: &DecisionsRulePack, c: &StepContent) -> Option<RowProblem> {
    let blank = |s: &str| s.trim().is_empty();
    let problem = |part, row, key| Some(RowProblem { part, row: row + 1, key });
    for (i, o) in c.opinions.iter().enumerate() {
        if (blank(&o.expert) || blank(&o.opinion)) && !(blank(&o.expert) && blank(&o.opinion)) {
            return problem("opinions", i, "decision.opinion_incomplete");
        }
    }
    for (i, r) in c.risks.iter().enumerate() {
        if risk_blank(r) {
            continue;
        }
        if pack.risk(r.likelihood, r.impact).is_none() {
            return problem("risks", i, "decision.risk_score");
        }
        if blank(&r.risk) || blank(&r.mitigation) || blank(&r.owner) {
            return problem("risks", i, "decision.risk_incomplete");
        }
    }
    if let Some(i) = c.findings.iter().position(|f| pack.checks.iter().all(|k| k.code != f.check)) {
        return problem("findings", i, "decision.unknown_check");
    }
    for (i, k) in pack.checks.iter().enumerate() {
        let found = c.findings.iter().find(|f| f.check == k.code);
        if !c.findings.is_empty() && found.is_none_or(|f| blank(&f.finding)) {
            return problem("findings", i, "decision.finding_missing");
        }
    }
    for (i, t) in c.tasks.iter().enumerate() {
        if task_blank(t) {
            continue;
        }
        if blank(&t.title) || blank(&t.owner) || t.due_on.is_none() {
            return problem("tasks", i, "decision.task_incomplete");
        }
    }
    None
}

/// A risk line the form sent empty (a spare row).
pub fn risk_blank(r: &Risk) -> bool {
    [&r.risk, &r.mitigation, &r.owner].iter().all(|s| s.trim().is_empty()) && r.likelihood == 0 && r.impact == 0
}

/// A task line the form sent empty (a spare row).
pub fn task_blank(t: &TaskInput) -> bool {
    t.title.trim().is_empty() && t.owner.trim().is_empty() && t.due_on.is_none()
}

/// Whether a step's record proves an artefact. `tasks_closed` is whether
/// every execution task of the topic is closed, which only the store knows.
pub fn proves(pack: &DecisionsRulePack, artefact: &str, c: &StepContent, tasks_closed: bool) -> bool {
    let filled = |s: &str| !s.trim().is_empty();
    match artefact {
        "research_report" | "minutes" | "feedback" => filled(&c.body),
        "decision_record" => filled(&c.body) && c.outcome.is_some(),
        "expert_opinion" => {
            !c.opinions.is_empty() && c.opinions.iter().all(|o| filled(&o.expert) && filled(&o.opinion))
        }
        "risk_register" => {
            !c.risks.is_empty()
                && c.risks.iter().all(|r| {
                    filled(&r.risk)
                        && filled(&r.mitigation)
                        && filled(&r.owner)
                        && pack.risk(r.likelihood, r.impact).is_some()
                })
        }
        "three_checks" => {
            pack.checks.iter().all(|k| c.findings.iter().any(|f| f.check == k.code && filled(&f.finding)))
        }
        "named_votes" => !c.votes.is_empty(),
        "tasks" => {
            !c.tasks.is_empty() && c.tasks.iter().all(|t| filled(&t.title) && filled(&t.owner) && t.due_on.is_some())
        }
        "tasks_closed" => tasks_closed,
        _ => false,
    }
}

/// The artefacts a step's record proves of those the step requires: a
/// decision's text is not also a research report, so a step is credited
/// only with what the procedure list asks of it.
pub fn artefacts_of(pack: &DecisionsRulePack, step: &str, c: &StepContent, tasks_closed: bool) -> BTreeSet<String> {
    pack.step(step)
        .map(|s| s.requires.iter().filter(|a| proves(pack, a, c, tasks_closed)).cloned().collect())
        .unwrap_or_default()
}

/// What the metrics need of a decided topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedTopic {
    pub id: i64,
    /// The item requires the party committee's pre-study.
    pub prestudy_required: bool,
    /// The committee's discussion was recorded before the decision.
    pub prestudied_before_decision: bool,
    /// Every artefact the procedure list requires is in the archive.
    pub archive_complete: bool,
    /// A major matter (any item of the list) that passed every required step
    /// in the procedure's order.
    pub steps_in_order: bool,
    pub submitted_on: NaiveDate,
    pub decided_on: NaiveDate,
}

/// A ratio with the topics on each side, for the drill-down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ratio {
    pub numerator: Vec<i64>,
    pub denominator: Vec<i64>,
    /// None when there is nothing to divide by.
    pub rate: Option<f64>,
}

fn ratio(topics: &[&DecidedTopic], counts: impl Fn(&DecidedTopic) -> bool) -> Ratio {
    let denominator: Vec<i64> = topics.iter().map(|t| t.id).collect();
    let numerator: Vec<i64> = topics.iter().filter(|t| counts(t)).map(|t| t.id).collect();
    let rate = (!denominator.is_empty()).then(|| numerator.len() as f64 / denominator.len() as f64);
    Ratio { numerator, denominator, rate }
}

/// The four metrics of DOMAIN.md §5 over a period's decided topics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// 前置研究执行率: of topics whose matter requires pre-study, those
    /// pre-studied before the decision.
    pub prestudy_rate: Ratio,
    /// 决策记实档案完整率: decided topics whose archive is complete.
    pub archive_completeness: Ratio,
    /// 重大决策合规率: decided topics that passed every step in order.
    pub compliance: Ratio,
    /// Median days from submission to decision (None without topics).
    pub cycle_days_median: Option<f64>,
}

pub fn metrics(topics: &[DecidedTopic]) -> Metrics {
    let all: Vec<&DecidedTopic> = topics.iter().collect();
    let prestudy: Vec<&DecidedTopic> = topics.iter().filter(|t| t.prestudy_required).collect();
    let mut days: Vec<i64> = topics.iter().map(|t| (t.decided_on - t.submitted_on).num_days()).collect();
    days.sort_unstable();
    let cycle_days_median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2] as f64),
        n => Some((days[n / 2 - 1] + days[n / 2]) as f64 / 2.0),
    };
    Metrics {
        prestudy_rate: ratio(&prestudy, |t| t.prestudied_before_decision),
        archive_completeness: ratio(&all, |t| t.archive_complete),
        compliance: ratio(&all, |t| t.steps_in_order),
        cycle_days_median,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(xs: &[&str]) -> BTreeSet<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_shipped_pack_has_the_seeds_shape_and_holds_together() {
        let p = DecisionsRulePack::default_pack();
        assert_eq!((p.categories.len(), p.items.len()), (8, 42), "8 categories, 42 items (seed §1.1)");
        assert!(p.items.iter().all(|i| p.categories.iter().any(|c| c.code == i.category)));
        let phases: BTreeSet<&str> = p.steps.iter().map(|s| s.phase.as_str()).collect();
        assert_eq!(phases, ["调研", "论证", "决策", "执行", "监督"].into_iter().collect());
        // Appointments are the committee's own decision; no pre-study step.
        let p01 = p.item("P01").unwrap();
        assert!(!p.steps_for(p01).iter().any(|s| s.code == "discussion"));
        // An investment with experts: every artefact the seed names.
        let i02 = p.item("I02").unwrap();
        let a = p.artefacts_for(i02);
        for x in
            ["research_report", "expert_opinion", "risk_register", "three_checks", "named_votes", "minutes", "feedback"]
        {
            assert!(a.contains(x), "{x}");
        }
    }

    #[test]
    fn a_pack_that_names_what_is_not_there_or_loops_is_refused() {
        let mut p = DecisionsRulePack::default_pack();
        p.items[0].decides = "shareholders".into();
        assert_eq!(p.check(), Err(PackProblem::UnknownBody("shareholders".into())));
        let mut p = DecisionsRulePack::default_pack();
        p.items[1].code = p.items[0].code.clone();
        assert!(matches!(p.check(), Err(PackProblem::DuplicateItem(_))));
        let mut p = DecisionsRulePack::default_pack();
        p.steps[0].after = vec!["supervision".into()];
        assert!(matches!(p.check(), Err(PackProblem::Cycle(_))));
        let mut p = DecisionsRulePack::default_pack();
        p.steps[1].after = vec!["nowhere".into()];
        assert_eq!(p.check(), Err(PackProblem::UnknownStep("nowhere".into())));
        let mut p = DecisionsRulePack::default_pack();
        p.steps[2].when = Some("experts".into());
        assert_eq!(p.check(), Err(PackProblem::UnknownCondition("experts".into())));
        let mut p = DecisionsRulePack::default_pack();
        p.steps[2].code = p.steps[1].code.clone();
        assert_eq!(p.check(), Err(PackProblem::DuplicateStep(p.steps[1].code.clone())));
    }

    #[test]
    fn each_step_waits_for_the_steps_before_it_and_brings_its_artefacts() {
        let p = DecisionsRulePack::default_pack();
        let item = p.item("I02").unwrap();
        let none = set(&[]);
        assert_eq!(check_step(&p, item, &none, "submit", &none), Ok(()));
        assert_eq!(check_step(&p, item, &set(&["submit"]), "submit", &none), Err(StepRefusal::AlreadyDone));
        assert_eq!(
            check_step(&p, item, &set(&["submit"]), "decision", &set(&["decision_record"])),
            Err(StepRefusal::PriorMissing(vec!["feedback".into(), "expert_review".into(), "risk_assessment".into()]))
        );
        assert_eq!(
            check_step(&p, item, &set(&["submit"]), "research", &none),
            Err(StepRefusal::ArtefactMissing(vec!["research_report".into()]))
        );
        let researched = set(&["submit", "research"]);
        assert_eq!(
            check_step(&p, item, &researched, "political_review", &set(&["three_checks"])),
            Err(StepRefusal::PriorMissing(vec!["risk_assessment".into()]))
        );
        let argued = set(&["submit", "research", "expert_review", "risk_assessment", "political_review"]);
        assert_eq!(
            check_step(&p, item, &argued, "discussion", &set(&["named_votes"])),
            Err(StepRefusal::ArtefactMissing(vec!["minutes".into()]))
        );
        assert_eq!(check_step(&p, item, &argued, "discussion", &set(&["named_votes", "minutes"])), Ok(()));
        assert_eq!(check_step(&p, item, &argued, "unheard_of", &none), Err(StepRefusal::UnknownStep));
        // The workers' congress is not asked of an investment.
        assert_eq!(check_step(&p, item, &argued, "workers_review", &set(&["minutes"])), Err(StepRefusal::NotRequired));
        // An appointment goes from research and risk straight to the decision.
        let p01 = p.item("P01").unwrap();
        assert_eq!(
            check_step(
                &p,
                p01,
                &set(&["submit", "research", "risk_assessment"]),
                "decision",
                &set(&["decision_record"])
            ),
            Ok(())
        );
        // A reform the workers' congress deliberates waits for it.
        let r01 = p.item("R01").unwrap();
        let all_but = set(&[
            "submit",
            "research",
            "expert_review",
            "risk_assessment",
            "political_review",
            "discussion",
            "feedback",
        ]);
        assert_eq!(
            check_step(&p, r01, &all_but, "decision", &set(&["decision_record"])),
            Err(StepRefusal::PriorMissing(vec!["workers_review".into()]))
        );
    }

    #[test]
    fn the_classifier_suggests_the_matching_items_first() {
        let p = DecisionsRulePack::default_pack();
        let s = p.suggest("冯营电厂二期扩建项目", 3);
        assert_eq!(s.first().map(|i| i.code.as_str()), Some("I02"), "{s:?}");
        let s = p.suggest("2025年度投资计划", 3);
        assert_eq!(s.first().map(|i| i.code.as_str()), Some("S05"), "{s:?}");
        assert!(p.suggest("！？", 3).is_empty());
    }

    #[test]
    fn named_votes_pass_with_more_than_half_of_the_whole_committee() {
        use Vote::*;
        // Seven members: four agree → passed; three agree of five present → not.
        assert!(tally(&[Agree, Agree, Agree, Agree, Disagree], 7).passed);
        let t = tally(&[Agree, Agree, Agree, Abstain, Disagree], 7);
        assert!(t.quorate && !t.passed);
        // Four of seven present is a quorum; three of seven is not, even if all agree.
        assert!(tally(&[Agree, Agree, Agree, Agree], 7).passed);
        assert!(!tally(&[Agree, Agree, Agree], 7).quorate);
        assert_eq!(tally(&[Agree, Disagree, Abstain], 5).abstain, 1);
    }

    #[test]
    fn risks_score_likelihood_times_impact_on_the_packs_levels() {
        let p = DecisionsRulePack::default_pack();
        let level = |l, i| p.risk(l, i).map(|(s, lv)| (s, lv.code.clone()));
        assert_eq!(level(2, 2), Some((4, "low".into())));
        assert_eq!(level(3, 3), Some((9, "medium".into())));
        assert_eq!(level(4, 4), Some((16, "high".into())));
        assert_eq!(level(5, 4), Some((20, "critical".into())));
        assert_eq!(level(0, 3), None);
        assert_eq!(level(3, 6), None);
        let mut short = p.clone();
        short.risk_levels.pop();
        assert_eq!(short.check(), Err(PackProblem::BadScale("risk_level")));
    }

    fn content(body: &str) -> StepContent {
        StepContent { body: body.into(), ..StepContent::default() }
    }

    #[test]
    fn an_artefact_is_proved_by_what_the_record_holds() {
        let p = DecisionsRulePack::default_pack();
        assert!(proves(&p, "research_report", &content("调研报告"), false));
        assert!(!proves(&p, "research_report", &content("  "), false));
        // A decision needs its outcome as well as its text.
        assert!(!proves(&p, "decision_record", &content("同意"), false));
        let decided = StepContent { outcome: Some(Outcome::Approved), ..content("同意") };
        assert!(proves(&p, "decision_record", &decided, false));
        // The register's every line needs a valid score, a mitigation and an owner.
        let risk = |l| Risk {
            risk: "电价".into(),
            likelihood: l,
            impact: 3,
            mitigation: "锁定长协".into(),
            owner: "财务部".into(),
        };
        assert!(proves(&p, "risk_register", &StepContent { risks: vec![risk(2)], ..Default::default() }, false));
        assert!(!proves(
            &p,
            "risk_register",
            &StepContent { risks: vec![risk(2), risk(9)], ..Default::default() },
            false
        ));
        assert!(!proves(&p, "risk_register", &StepContent::default(), false));
        // All three checks, each with a finding.
        let f = |c: &str, t: &str| Finding { check: c.into(), finding: t.into() };
        let two = StepContent { findings: vec![f("direction", "符合"), f("policy", "符合")], ..Default::default() };
        assert!(!proves(&p, "three_checks", &two, false));
        let three = StepContent {
            findings: vec![f("direction", "符合"), f("policy", "符合"), f("interests", "无损害")],
            ..Default::default()
        };
        assert!(proves(&p, "three_checks", &three, false));
        let blank = StepContent {
            findings: vec![f("direction", "符合"), f("policy", "符合"), f("interests", " ")],
            ..Default::default()
        };
        assert!(!proves(&p, "three_checks", &blank, false));
        let task = TaskInput { title: "签订合同".into(), owner: "计划部".into(), due_on: None };
        assert!(!proves(&p, "tasks", &StepContent { tasks: vec![task.clone()], ..Default::default() }, false));
        let dated = TaskInput { due_on: NaiveDate::from_ymd_opt(2026, 3, 1), ..task };
        assert!(proves(&p, "tasks", &StepContent { tasks: vec![dated], ..Default::default() }, false));
        assert!(proves(&p, "tasks_closed", &StepContent::default(), true));
        // Credited only with what the step requires: a decision's text is no research report.
        assert_eq!(artefacts_of(&p, "research", &content("报告"), false), set(&["research_report"]));
        assert_eq!(artefacts_of(&p, "decision", &decided, false), set(&["decision_record"]));
        assert_eq!(artefacts_of(&p, "feedback", &content("  "), false), set(&[]));
        assert_eq!(artefacts_of(&p, "nowhere", &content("x"), false), set(&[]));
        let mut bad = p.clone();
        bad.steps[1].requires = vec!["photo".into()];
        assert_eq!(bad.check(), Err(PackProblem::UnknownArtefact("photo".into())));
    }

    #[test]
    fn an_incomplete_line_is_named_by_its_row() {
        let p = DecisionsRulePack::default_pack();
        let risk = |l, owner: &str| Risk {
            risk: "电价".into(),
            likelihood: l,
            impact: 3,
            mitigation: "长协".into(),
            owner: owner.into(),
        };
        let c = StepContent { risks: vec![risk(2, "财务部"), risk(7, "财务部")], ..Default::default() };
        assert_eq!(row_problem(&p, &c), Some(RowProblem { part: "risks", row: 2, key: "decision.risk_score" }));
        let c = StepContent { risks: vec![risk(2, " ")], ..Default::default() };
        assert_eq!(row_problem(&p, &c).map(|r| r.key), Some("decision.risk_incomplete"));
        let f = |c: &str| Finding { check: c.into(), finding: "符合".into() };
        let c = StepContent { findings: vec![f("direction"), f("interests")], ..Default::default() };
        assert_eq!(row_problem(&p, &c), Some(RowProblem { part: "findings", row: 2, key: "decision.finding_missing" }));
        let c = StepContent {
            opinions: vec![Opinion { expert: "王工".into(), opinion: "".into() }],
            ..Default::default()
        };
        assert_eq!(row_problem(&p, &c).map(|r| (r.part, r.row)), Some(("opinions", 1)));
        let c = StepContent {
            tasks: vec![TaskInput { title: "签约".into(), owner: "计划部".into(), due_on: None }],
            ..Default::default()
        };
        assert_eq!(row_problem(&p, &c).map(|r| r.key), Some("decision.task_incomplete"));
        assert_eq!(row_problem(&p, &content("报告")), None);
    }

    #[test]
    fn a_decided_topic_is_assessed_against_its_decision_path() {
        let p = DecisionsRulePack::default_pack();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let step = |code: &str, on, arts: &[&str]| DoneStep {
            code: code.into(),
            done_on: on,
            artefacts: set(arts),
            backfilled: false,
        };
        let i02 = p.item("I02").unwrap();
        let path: Vec<&str> = p.decision_path(i02).iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            path,
            [
                "submit",
                "research",
                "expert_review",
                "risk_assessment",
                "political_review",
                "discussion",
                "feedback",
                "decision"
            ]
        );
        let full = vec![
            step("submit", d(1, 5), &[]),
            step("research", d(1, 20), &["research_report"]),
            step("expert_review", d(2, 1), &["expert_opinion"]),
            step("risk_assessment", d(2, 3), &["risk_register"]),
            step("political_review", d(2, 5), &["three_checks"]),
            step("discussion", d(2, 10), &["named_votes", "minutes"]),
            step("feedback", d(2, 11), &["feedback"]),
            step("decision", d(2, 20), &["decision_record"]),
        ];
        let a = p.assess(7, i02, &full, d(1, 5)).unwrap();
        assert!(a.prestudy_required && a.prestudied_before_decision && a.archive_complete && a.steps_in_order);
        assert_eq!((a.decided_on - a.submitted_on).num_days(), 46);
        // Not decided yet: nothing to assess.
        assert_eq!(p.assess(7, i02, &full[..7], d(1, 5)), None);
        // A decision recorded after the fact without the pre-study: the
        // archive lacks its artefacts and the procedure was not followed.
        let backfilled = vec![
            step("submit", d(3, 1), &[]),
            DoneStep { backfilled: true, ..step("decision", d(3, 2), &["decision_record"]) },
        ];
        let b = p.assess(8, i02, &backfilled, d(3, 1)).unwrap();
        assert!(b.prestudy_required && !b.prestudied_before_decision && !b.archive_complete && !b.steps_in_order);
        // Steps dated out of order break compliance but not completeness.
        let mut swapped = full.clone();
        swapped[3].done_on = d(2, 12);
        let c = p.assess(9, i02, &swapped, d(1, 5)).unwrap();
        assert!(c.archive_complete && !c.steps_in_order);
        // One step's minutes do not stand in for another's: a reform the
        // workers' congress deliberates, decided without it.
        let r01 = p.item("R01").unwrap();
        let mut without_workers = full.clone();
        without_workers[7] = DoneStep { backfilled: true, ..without_workers[7].clone() };
        let w = p.assess(11, r01, &without_workers, d(1, 5)).unwrap();
        assert!(w.prestudied_before_decision && !w.archive_complete && !w.steps_in_order);
        // An appointment owes no pre-study.
        let p01 = p.item("P01").unwrap();
        let appointment = vec![
            step("submit", d(4, 1), &[]),
            step("research", d(4, 2), &["research_report"]),
            step("risk_assessment", d(4, 3), &["risk_register"]),
            step("decision", d(4, 4), &["decision_record"]),
        ];
        let e = p.assess(10, p01, &appointment, d(4, 1)).unwrap();
        assert!(!e.prestudy_required && e.archive_complete && e.steps_in_order);
    }

    #[test]
    fn the_metrics_count_topics_and_name_them() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let t = |id, req, pre, complete, order, days| DecidedTopic {
            id,
            prestudy_required: req,
            prestudied_before_decision: pre,
            archive_complete: complete,
            steps_in_order: order,
            submitted_on: d(2026, 1, 1),
            decided_on: d(2026, 1, 1) + chrono::Duration::days(days),
        };
        let m = metrics(&[
            t(1, true, true, true, true, 10),
            t(2, true, false, false, false, 30),
            t(3, false, false, true, true, 20),
        ]);
        assert_eq!((m.prestudy_rate.numerator.clone(), m.prestudy_rate.denominator.clone()), (vec![1], vec![1, 2]));
        assert_eq!(m.prestudy_rate.rate, Some(0.5));
        assert_eq!(m.archive_completeness.numerator, vec![1, 3]);
        assert_eq!(m.compliance.denominator.len(), 3);
        assert_eq!(m.cycle_days_median, Some(20.0));
        let empty = metrics(&[]);
        assert_eq!((empty.prestudy_rate.rate, empty.cycle_days_median), (None, None));
    }
}
