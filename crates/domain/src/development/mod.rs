//! Member development (发展党员): the 25 steps of the 2014 rules in five
//! stages, the rule pack of ages and intervals, the check that refuses a
//! step whose preconditions or intervals are not met (saying which rule,
//! which dates), and the deadlines that become to-dos.
//!
//! Intervals are calendar months: one month on from the 31st is the last
//! day of the next month, and a year on from the 29th of February is the
//! 28th. Pure: the store keeps the records, this decides.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The pack shipped with Ronghe, in force unless a newer one is loaded.
pub const DEFAULT_DEVELOPMENT_PACK: &str = include_str!("../../rules/development-2014.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 申请入党
    Applicant,
    /// 入党积极分子的确定和培养教育
    Activist,
    /// 发展对象的确定和考察
    Target,
    /// 预备党员的接收
    Admission,
    /// 预备党员的教育、考察和转正
    Probation,
}

/// One of the 25 steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    pub number: u8,
    pub code: &'static str,
    pub stage: Stage,
    /// The step's name in the 2014 rules.
    pub title_zh: &'static str,
}

const fn step(number: u8, code: &'static str, stage: Stage, title_zh: &'static str) -> Step {
    Step { number, code, stage, title_zh }
}

pub const STEPS: [Step; 25] = [
    step(1, "application", Stage::Applicant, "递交入党申请书"),
    step(2, "talk", Stage::Applicant, "党组织派人谈话"),
    step(3, "activist", Stage::Activist, "推荐和确定入党积极分子"),
    step(4, "activist_filed", Stage::Activist, "上级党委备案"),
    step(5, "contacts", Stage::Activist, "指定培养联系人"),
    step(6, "activist_review", Stage::Activist, "培养教育考察"),
    step(7, "target", Stage::Target, "确定发展对象"),
    step(8, "target_filed", Stage::Target, "报上级党委备案"),
    step(9, "introducers", Stage::Target, "确定入党介绍人"),
    step(10, "political_review", Stage::Target, "进行政治审查"),
    step(11, "training", Stage::Target, "开展集中培训"),
    step(12, "committee_review", Stage::Admission, "支部委员会审查"),
    step(13, "pre_review", Stage::Admission, "上级党委预审"),
    step(14, "application_form", Stage::Admission, "填写入党志愿书"),
    step(15, "branch_vote", Stage::Admission, "支部大会讨论"),
    step(16, "higher_talk", Stage::Admission, "上级党委派人谈话"),
    step(17, "approval", Stage::Admission, "上级党委审批"),
    step(18, "approval_filed", Stage::Admission, "再上一级党委组织部门备案"),
    step(19, "placement", Stage::Probation, "编入党支部和党小组"),
    step(20, "oath", Stage::Probation, "入党宣誓"),
    step(21, "probation_review", Stage::Probation, "继续教育考察"),
    step(22, "conversion_request", Stage::Probation, "提出转正申请"),
    step(23, "conversion_vote", Stage::Probation, "支部大会讨论"),
    step(24, "conversion_approval", Stage::Probation, "上级党委审批"),
    step(25, "archive", Stage::Probation, "材料归档"),
];

pub fn step_by_code(code: &str) -> Option<&'static Step> {
    STEPS.iter().find(|s| s.code == code)
}

/// Steps the higher party committee takes (filing, pre-review, its talk,
/// approval): the branch that proposes a person does not approve them, so
/// these need authority over the branch's parent organisation.
pub fn by_higher_committee(code: &str) -> bool {
    matches!(
        code,
        "activist_filed"
            | "target_filed"
            | "pre_review"
            | "higher_talk"
            | "approval"
            | "approval_filed"
            | "conversion_approval"
    )
}

/// Whether a step opens its stage: the pack in force on its date becomes
/// the person's pack for the stage.
pub fn opens_stage(code: &str) -> bool {
    step_by_code(code).is_some_and(|s| STEPS.iter().find(|t| t.stage == s.stage).is_some_and(|t| t.code == s.code))
}

/// What a step needs recorded with it besides its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// Cultivation contacts: full members, named.
    Contacts,
    /// Introducers: full members, named.
    Introducers,
    /// Training days or class hours.
    Training,
    /// Named votes of the branch's full members.
    Votes,
}

pub fn requirement(code: &str) -> Option<Requirement> {
    match code {
        "contacts" => Some(Requirement::Contacts),
        "introducers" => Some(Requirement::Introducers),
        "training" => Some(Requirement::Training),
        "branch_vote" | "conversion_vote" => Some(Requirement::Votes),
        _ => None,
    }
}

/// The stage a person is in after the steps `done` (none before applying).
pub fn current_stage(done: &[Done]) -> Option<Stage> {
    done.iter().filter_map(|d| step_by_code(d.step)).max_by_key(|s| s.number).map(|s| s.stage)
}

/// The steps that could come next: the first step not yet taken, and the
/// half-yearly review of the stage the person is in (which may repeat).
pub fn possible_next(done: &[Done]) -> Vec<&'static Step> {
    let has = |c: &str| done.iter().any(|d| d.step == c);
    let mut out: Vec<&'static Step> = Vec::new();
    if let Some(next) = STEPS.iter().find(|s| !repeatable(s.code) && !has(s.code)) {
        out.push(next);
    }
    if has("activist") && !has("target") {
        out.extend(step_by_code("activist_review"));
    }
    if has("placement") && !has("conversion_vote") {
        out.extend(step_by_code("probation_review"));
    }
    out.sort_by_key(|s| s.number);
    out
}

/// Facts that satisfy every count a step asks for, so that a check with
/// them tests only order, dates and ages: what "allowed now" means before
/// the secretary has named anyone.
pub fn sufficient_facts(pack: &DevelopmentRulePack, birth_date: Option<NaiveDate>) -> StepFacts {
    StepFacts {
        birth_date,
        contacts: pack.activist.min_contacts,
        introducers: pack.target.introducers,
        training_days: pack.target.min_training_days,
        training_hours: pack.target.min_training_hours,
        vote: Some(Vote { eligible: 1, agree: 1 }),
        special: false,
        extended_months: None,
    }
}

/// The day probation ends: a year (and any extension) from the branch
/// general meeting's resolution. Party standing counts from this day.
pub fn probation_ends(pack: &DevelopmentRulePack, done: &[Done], extended_months: u32) -> Option<NaiveDate> {
    last(done, "branch_vote").map(|d| months_after(d.on, pack.probation.months + extended_months))
}

/// Steps that may be recorded more than once, and that the next step does
/// not wait for (reviews happen every half year while the stage lasts).
fn repeatable(code: &str) -> bool {
    matches!(code, "activist_review" | "probation_review")
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DevelopmentRulePack {
    pub kind: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub sources: BTreeMap<String, String>,
    pub applicant: ApplicantRules,
    pub activist: ActivistRules,
    pub target: TargetRules,
    pub admission: AdmissionRules,
    pub probation: ProbationRules,
    /// Days before a deadline that the reminder job reminds the branch.
    #[serde(default = "default_remind_days")]
    pub remind_days_before: u32,
}

fn default_remind_days() -> u32 {
    10
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApplicantRules {
    pub min_age_years: u32,
    pub talk_within_months: u32,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ActivistRules {
    pub min_contacts: u32,
    pub max_contacts: u32,
    pub review_every_months: u32,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetRules {
    pub min_months_as_activist: u32,
    pub introducers: u32,
    pub min_training_days: u32,
    pub min_training_hours: u32,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AdmissionRules {
    pub approve_within_months: u32,
    pub approve_within_months_special: u32,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProbationRules {
    pub months: u32,
    pub extend_min_months: u32,
    pub extend_max_months: u32,
    pub source: String,
}

impl DevelopmentRulePack {
    pub fn parse(text: &str) -> Result<Self, String> {
        let pack: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        if pack.kind != "development" {
            return Err(format!("kind is {:?}, not \"development\"", pack.kind));
        }
        if pack.activist.min_contacts > pack.activist.max_contacts
            || pack.probation.extend_min_months > pack.probation.extend_max_months
            || pack.admission.approve_within_months > pack.admission.approve_within_months_special
        {
            return Err("a range has its minimum above its maximum".into());
        }
        Ok(pack)
    }

    crate::shipped_pack!(DevelopmentRulePack, DEFAULT_DEVELOPMENT_PACK, "development");

    pub fn source(&self, short: &str) -> String {
        self.sources.get(short).cloned().unwrap_or_else(|| short.to_string())
    }
}

/// `months` calendar months after `day`, clamped to the month's end.
pub fn months_after(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// A step as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub step: &'static str,
    pub on: NaiveDate,
}

/// A named vote at a branch general meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    /// Full members with voting rights who should attend.
    pub eligible: u32,
    pub agree: u32,
}

/// What a step needs besides its date: what the secretary records with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepFacts {
    pub birth_date: Option<NaiveDate>,
    /// Cultivation contacts named (full members).
    pub contacts: u32,
    /// Introducers named (full members).
    pub introducers: u32,
    pub training_days: u32,
    pub training_hours: u32,
    pub vote: Option<Vote>,
    /// Approval later than usual in a special case (the longer limit).
    pub special: bool,
    /// Months the probation was extended by, if it was.
    pub extended_months: Option<u32>,
}

/// Why a step is refused: the message key, its parameters (dates, counts),
/// and the regulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub source: String,
}

fn last<'a>(done: &'a [Done], code: &str) -> Option<&'a Done> {
    done.iter().filter(|d| d.step == code).max_by_key(|d| d.on)
}

/// Whether `step` may be recorded on `on` after the steps `done`.
pub fn check_step(
    pack: &DevelopmentRulePack,
    done: &[Done],
    code: &str,
    on: NaiveDate,
    facts: &StepFacts,
) -> Result<(), Refusal> {
    let refuse = |key, params: Vec<(&'static str, String)>, source: &str| {
        Err(Refusal { key, params, source: pack.source(source) })
    };
    let Some(step) = step_by_code(code) else {
        return refuse("dev.unknown_step", vec![("step", code.to_string())], "rules");
    };
    if done.iter().any(|d| d.step == code) && !repeatable(code) {
        return refuse("dev.already_done", vec![("step", step.title_zh.to_string())], "rules");
    }
    // The step before (skipping reviews, which do not hold the next step up).
    if let Some(prev) = STEPS[..usize::from(step.number) - 1].iter().rev().find(|s| !repeatable(s.code)) {
        match last(done, prev.code) {
            None => {
                return refuse(
                    "dev.missing_previous",
                    vec![("step", step.title_zh.into()), ("previous", prev.title_zh.into())],
                    "rules",
                )
            }
            Some(p) if p.on > on => {
                return refuse(
                    "dev.before_previous",
                    vec![("previous", prev.title_zh.into()), ("previous_on", p.on.to_string()), ("on", on.to_string())],
                    "rules",
                )
            }
            Some(_) => {}
        }
    }
    match code {
        "application" => {
            let a = &pack.applicant;
            if let Some(birth) = facts.birth_date {
                let adult = months_after(birth, a.min_age_years * 12);
                if on < adult {
                    return refuse(
                        "dev.too_young",
                        vec![
                            ("birth_date", birth.to_string()),
                            ("from", adult.to_string()),
                            ("age", a.min_age_years.to_string()),
                        ],
                        &a.source,
                    );
                }
            }
        }
        "contacts" => {
            let a = &pack.activist;
            if !(a.min_contacts..=a.max_contacts).contains(&facts.contacts) {
                return refuse(
                    "dev.contacts_count",
                    vec![
                        ("count", facts.contacts.to_string()),
                        ("min", a.min_contacts.to_string()),
                        ("max", a.max_contacts.to_string()),
                    ],
                    &a.source,
                );
            }
        }
        "target" => {
            let t = &pack.target;
            let Some(since) = last(done, "activist").map(|d| d.on) else {
                return refuse(
                    "dev.missing_previous",
                    vec![("step", step.title_zh.into()), ("previous", "确定入党积极分子".into())],
                    "rules",
                );
            };
            let earliest = months_after(since, t.min_months_as_activist);
            if on < earliest {
                return refuse(
                    "dev.activist_too_short",
                    vec![
                        ("since", since.to_string()),
                        ("earliest", earliest.to_string()),
                        ("months", t.min_months_as_activist.to_string()),
                    ],
                    &t.source,
                );
            }
        }
        "introducers" => {
            let t = &pack.target;
            if facts.introducers != t.introducers {
                return refuse(
                    "dev.introducers_count",
                    vec![("count", facts.introducers.to_string()), ("needed", t.introducers.to_string())],
                    &t.source,
                );
            }
        }
        "training" => {
            let t = &pack.target;
            if facts.training_days < t.min_training_days && facts.training_hours < t.min_training_hours {
                return refuse(
                    "dev.training_too_short",
                    vec![
                        ("days", facts.training_days.to_string()),
                        ("hours", facts.training_hours.to_string()),
                        ("min_days", t.min_training_days.to_string()),
                        ("min_hours", t.min_training_hours.to_string()),
                    ],
                    &t.source,
                );
            }
        }
        "branch_vote" | "conversion_vote" => {
            let Some(v) = facts.vote else {
                return refuse("dev.vote_missing", vec![], "rules");
            };
            if v.eligible == 0 || v.agree > v.eligible {
                return refuse(
                    "dev.vote_inconsistent",
                    vec![("agree", v.agree.to_string()), ("eligible", v.eligible.to_string())],
                    "rules",
                );
            }
            // More than half of the full members with voting rights who should attend.
            if v.agree * 2 <= v.eligible {
                return refuse(
                    "dev.vote_failed",
                    vec![
                        ("agree", v.agree.to_string()),
                        ("eligible", v.eligible.to_string()),
                        ("needed", (v.eligible / 2 + 1).to_string()),
                    ],
                    "rules",
                );
            }
            if code == "conversion_vote" {
                let p = &pack.probation;
                let Some(resolved) = last(done, "branch_vote").map(|d| d.on) else {
                    return refuse(
                        "dev.missing_previous",
                        vec![("step", step.title_zh.into()), ("previous", "支部大会讨论".into())],
                        "rules",
                    );
                };
                let months = p.months + facts.extended_months.unwrap_or(0);
                if let Some(ext) = facts.extended_months {
                    if !(p.extend_min_months..=p.extend_max_months).contains(&ext) {
                        return refuse(
                            "dev.extension_out_of_range",
                            vec![
                                ("months", ext.to_string()),
                                ("min", p.extend_min_months.to_string()),
                                ("max", p.extend_max_months.to_string()),
                            ],
                            &p.source,
                        );
                    }
                }
                let ends = months_after(resolved, months);
                if on < ends {
                    return refuse(
                        "dev.probation_not_over",
                        vec![("resolved", resolved.to_string()), ("ends", ends.to_string())],
                        &p.source,
                    );
                }
            }
        }
        "approval" => {
            let a = &pack.admission;
            let Some(voted) = last(done, "branch_vote").map(|d| d.on) else {
                return refuse(
                    "dev.missing_previous",
                    vec![("step", step.title_zh.into()), ("previous", "支部大会讨论".into())],
                    "rules",
                );
            };
            let within = if facts.special { a.approve_within_months_special } else { a.approve_within_months };
            let latest = months_after(voted, within);
            if on > latest {
                return refuse(
                    "dev.approval_too_late",
                    vec![("voted", voted.to_string()), ("latest", latest.to_string()), ("months", within.to_string())],
                    &a.source,
                );
            }
        }
        _ => {}
    }
    Ok(())
}

/// A date by which something is due, for to-dos and overdue warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The step due.
    pub step: &'static str,
    pub due: NaiveDate,
    pub overdue: bool,
}

/// What is due next for a person, as of `today`: the talk after an
/// application, half-yearly reviews of an activist and of a probationary
/// member, approval after the branch vote, and the end of probation.
pub fn deadlines(pack: &DevelopmentRulePack, done: &[Done], today: NaiveDate, extended_months: u32) -> Vec<Deadline> {
    let has = |c: &str| last(done, c).is_some();
    let at = |c: &str| last(done, c).map(|d| d.on);
    let mut out = Vec::new();
    let mut push = |step: &'static str, due: NaiveDate| out.push(Deadline { step, due, overdue: due < today });
    if let (Some(applied), false) = (at("application"), has("talk")) {
        push("talk", months_after(applied, pack.applicant.talk_within_months));
    }
    if let (Some(since), false) = (at("activist"), has("target")) {
        let from = at("activist_review").unwrap_or(since).max(since);
        push("activist_review", months_after(from, pack.activist.review_every_months));
    }
    if let (Some(voted), false) = (at("branch_vote"), has("approval")) {
        push("approval", months_after(voted, pack.admission.approve_within_months));
    }
    if let (Some(voted), false) = (at("branch_vote"), has("conversion_vote")) {
        // A probationary member is reviewed every half year too, from the
        // resolution or the last review.
        let from = at("probation_review").unwrap_or(voted).max(voted);
        push("probation_review", months_after(from, pack.activist.review_every_months));
        push("conversion_vote", months_after(voted, pack.probation.months + extended_months));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pack() -> DevelopmentRulePack {
        DevelopmentRulePack::default_pack()
    }

    /// Every step up to (not including) `code`, a day apart from `start`.
    fn through(code: &str, start: &str) -> Vec<Done> {
        let n = step_by_code(code).unwrap().number;
        STEPS
            .iter()
            .take_while(|s| s.number < n)
            .enumerate()
            .map(|(i, s)| Done { step: s.code, on: d(start) + chrono::Duration::days(i as i64) })
            .collect()
    }

    #[test]
    fn twenty_five_steps_in_five_stages() {
        assert_eq!(STEPS.len(), 25);
        for (i, s) in STEPS.iter().enumerate() {
            assert_eq!(usize::from(s.number), i + 1);
        }
        let per_stage = |st| STEPS.iter().filter(|s| s.stage == st).count();
        assert_eq!(
            [Stage::Applicant, Stage::Activist, Stage::Target, Stage::Admission, Stage::Probation].map(per_stage),
            [2, 4, 5, 7, 7]
        );
    }

    #[test]
    fn applicants_must_be_eighteen() {
        let facts = StepFacts { birth_date: Some(d("2008-02-29")), ..Default::default() };
        // From the 29th of February, eighteen years on is the 28th.
        assert!(check_step(&pack(), &[], "application", d("2026-02-28"), &facts).is_ok());
        let e = check_step(&pack(), &[], "application", d("2026-02-27"), &facts).unwrap_err();
        assert_eq!(e.key, "dev.too_young");
        assert!(e.params.contains(&("from", "2026-02-28".into())));
        assert!(e.source.contains("2014"));
    }

    #[test]
    fn steps_go_in_order_and_not_back_in_time() {
        let e = check_step(&pack(), &[], "talk", d("2026-01-05"), &StepFacts::default()).unwrap_err();
        assert_eq!(e.key, "dev.missing_previous");
        let done = [Done { step: "application", on: d("2026-01-10") }];
        let e = check_step(&pack(), &done, "talk", d("2026-01-09"), &StepFacts::default()).unwrap_err();
        assert_eq!(e.key, "dev.before_previous");
        assert!(check_step(&pack(), &done, "talk", d("2026-01-10"), &StepFacts::default()).is_ok());
        let e = check_step(&pack(), &done, "application", d("2026-01-11"), &StepFacts::default()).unwrap_err();
        assert_eq!(e.key, "dev.already_done");
    }

    #[test]
    fn a_target_needs_a_full_year_as_activist() {
        let mut done = through("target", "2024-02-01");
        done.retain(|x| x.step != "activist");
        done.push(Done { step: "activist", on: d("2024-02-29") });
        assert_eq!(
            check_step(&pack(), &done, "target", d("2025-02-27"), &StepFacts::default()).unwrap_err().key,
            "dev.activist_too_short"
        );
        assert!(check_step(&pack(), &done, "target", d("2025-02-28"), &StepFacts::default()).is_ok());
        // A history with a gap is refused, not a panic.
        let gap: Vec<Done> = done.iter().filter(|x| x.step != "activist").cloned().collect();
        assert_eq!(
            check_step(&pack(), &gap, "target", d("2025-03-01"), &StepFacts::default()).unwrap_err().key,
            "dev.missing_previous"
        );
        // Reviews do not hold the target up: the step before is contacts.
        let without_review: Vec<Done> = done.iter().filter(|x| x.step != "activist_review").cloned().collect();
        assert!(check_step(&pack(), &without_review, "target", d("2025-03-01"), &StepFacts::default()).is_ok());
    }

    #[test]
    fn counts_of_people_and_training() {
        let done = through("contacts", "2025-01-01");
        let with = |contacts| StepFacts { contacts, ..Default::default() };
        assert!(check_step(&pack(), &done, "contacts", d("2025-06-01"), &with(0)).is_err());
        assert!(check_step(&pack(), &done, "contacts", d("2025-06-01"), &with(1)).is_ok());
        assert!(check_step(&pack(), &done, "contacts", d("2025-06-01"), &with(2)).is_ok());
        assert_eq!(
            check_step(&pack(), &done, "contacts", d("2025-06-01"), &with(3)).unwrap_err().key,
            "dev.contacts_count"
        );
        let done = through("introducers", "2025-01-01");
        let intro = |introducers| StepFacts { introducers, ..Default::default() };
        assert!(check_step(&pack(), &done, "introducers", d("2025-06-01"), &intro(1)).is_err());
        assert!(check_step(&pack(), &done, "introducers", d("2025-06-01"), &intro(2)).is_ok());
        let done = through("training", "2025-01-01");
        let training =
            |training_days, training_hours| StepFacts { training_days, training_hours, ..Default::default() };
        assert!(check_step(&pack(), &done, "training", d("2025-06-01"), &training(3, 0)).is_ok());
        assert!(check_step(&pack(), &done, "training", d("2025-06-01"), &training(2, 24)).is_ok());
        assert_eq!(
            check_step(&pack(), &done, "training", d("2025-06-01"), &training(2, 23)).unwrap_err().key,
            "dev.training_too_short"
        );
    }

    #[test]
    fn a_vote_passes_with_more_than_half_of_those_entitled() {
        let done = through("branch_vote", "2025-01-01");
        let vote = |eligible, agree| StepFacts { vote: Some(Vote { eligible, agree }), ..Default::default() };
        let on = d("2025-06-01");
        assert!(check_step(&pack(), &done, "branch_vote", on, &vote(7, 4)).is_ok());
        assert_eq!(check_step(&pack(), &done, "branch_vote", on, &vote(7, 3)).unwrap_err().key, "dev.vote_failed");
        assert!(check_step(&pack(), &done, "branch_vote", on, &vote(8, 4)).is_err(), "half is not more than half");
        assert!(check_step(&pack(), &done, "branch_vote", on, &vote(8, 5)).is_ok());
        assert_eq!(
            check_step(&pack(), &done, "branch_vote", on, &StepFacts::default()).unwrap_err().key,
            "dev.vote_missing"
        );
    }

    #[test]
    fn approval_within_three_months_or_six_in_special_cases() {
        let mut done = through("approval", "2026-01-01");
        done.retain(|x| x.step != "branch_vote" && x.step != "higher_talk");
        done.push(Done { step: "branch_vote", on: d("2026-08-31") });
        done.push(Done { step: "higher_talk", on: d("2026-09-01") });
        let plain = StepFacts::default();
        assert!(check_step(&pack(), &done, "approval", d("2026-11-30"), &plain).is_ok());
        let e = check_step(&pack(), &done, "approval", d("2026-12-01"), &plain).unwrap_err();
        assert_eq!(e.key, "dev.approval_too_late");
        assert!(e.params.contains(&("latest", "2026-11-30".into())));
        let special = StepFacts { special: true, ..Default::default() };
        assert!(check_step(&pack(), &done, "approval", d("2027-02-28"), &special).is_ok());
        assert!(check_step(&pack(), &done, "approval", d("2027-03-01"), &special).is_err());
    }

    #[test]
    fn conversion_after_a_year_of_probation_or_its_extension() {
        let mut done = through("conversion_vote", "2025-01-01");
        done.retain(|x| x.step != "branch_vote");
        done.push(Done { step: "branch_vote", on: d("2025-02-28") });
        let vote =
            |ext| StepFacts { vote: Some(Vote { eligible: 5, agree: 5 }), extended_months: ext, ..Default::default() };
        assert_eq!(
            check_step(&pack(), &done, "conversion_vote", d("2026-02-27"), &vote(None)).unwrap_err().key,
            "dev.probation_not_over"
        );
        assert!(check_step(&pack(), &done, "conversion_vote", d("2026-02-28"), &vote(None)).is_ok());
        assert!(check_step(&pack(), &done, "conversion_vote", d("2026-08-27"), &vote(Some(6))).is_err());
        assert!(check_step(&pack(), &done, "conversion_vote", d("2026-08-28"), &vote(Some(6))).is_ok());
        assert_eq!(
            check_step(&pack(), &done, "conversion_vote", d("2027-06-01"), &vote(Some(5))).unwrap_err().key,
            "dev.extension_out_of_range"
        );
        // Extended by a year at most: twelve months is allowed, thirteen is not.
        assert!(check_step(&pack(), &done, "conversion_vote", d("2027-02-28"), &vote(Some(12))).is_ok());
        assert!(check_step(&pack(), &done, "conversion_vote", d("2027-02-27"), &vote(Some(12))).is_err());
        assert_eq!(
            check_step(&pack(), &done, "conversion_vote", d("2027-06-01"), &vote(Some(13))).unwrap_err().key,
            "dev.extension_out_of_range"
        );
    }

    #[test]
    fn deadlines_fall_at_month_ends_and_go_overdue() {
        let done = [Done { step: "application", on: d("2024-01-31") }];
        // Leap year: a month after the 31st of January is the 29th of February.
        assert_eq!(
            deadlines(&pack(), &done, d("2024-02-29"), 0),
            vec![Deadline { step: "talk", due: d("2024-02-29"), overdue: false }]
        );
        assert!(deadlines(&pack(), &done, d("2024-03-01"), 0)[0].overdue);
        let done = [Done { step: "application", on: d("2026-01-31") }];
        assert_eq!(deadlines(&pack(), &done, d("2026-02-01"), 0)[0].due, d("2026-02-28"));
        // An activist is reviewed every half year from the last review.
        let mut done = through("target", "2025-01-01");
        done.push(Done { step: "activist_review", on: d("2025-08-31") });
        let due: Vec<_> = deadlines(&pack(), &done, d("2025-09-01"), 0).into_iter().map(|x| (x.step, x.due)).collect();
        assert_eq!(due, vec![("activist_review", d("2026-02-28"))]);
        // After the branch vote: approval within three months, conversion after a year.
        let mut done = through("approval", "2025-01-01");
        done.retain(|x| x.step != "branch_vote");
        done.push(Done { step: "branch_vote", on: d("2025-11-30") });
        let due: Vec<_> = deadlines(&pack(), &done, d("2025-12-01"), 0).into_iter().map(|x| (x.step, x.due)).collect();
        assert!(
            due.contains(&("approval", d("2026-02-28"))) && due.contains(&("conversion_vote", d("2026-11-30"))),
            "{due:?}"
        );
        assert!(due.contains(&("probation_review", d("2026-05-30"))), "{due:?}");
        // After a review, the next one is half a year on from it; it goes overdue.
        done.push(Done { step: "probation_review", on: d("2026-05-31") });
        let next = deadlines(&pack(), &done, d("2026-12-01"), 0);
        let review = next.iter().find(|x| x.step == "probation_review").unwrap();
        assert_eq!((review.due, review.overdue), (d("2026-11-30"), true));
    }
    #[test]
    fn stages_open_where_the_rules_say_and_the_higher_committee_acts_where_it_should() {
        let openers: Vec<&str> = STEPS.iter().filter(|s| opens_stage(s.code)).map(|s| s.code).collect();
        assert_eq!(openers, ["application", "activist", "target", "committee_review", "placement"]);
        let higher: Vec<u8> = STEPS.iter().filter(|s| by_higher_committee(s.code)).map(|s| s.number).collect();
        assert_eq!(higher, [4, 8, 13, 16, 17, 18, 24]);
        assert_eq!(requirement("branch_vote"), Some(Requirement::Votes));
        assert_eq!(requirement("talk"), None);
    }

    #[test]
    fn what_may_come_next() {
        let codes = |done: &[Done]| possible_next(done).iter().map(|s| s.code).collect::<Vec<_>>();
        assert_eq!(codes(&[]), ["application"]);
        // An activist: the next step and the half-yearly review.
        assert_eq!(codes(&through("activist_filed", "2025-01-01")), ["activist_filed", "activist_review"]);
        // Reviews never block: after contacts, the target comes next.
        assert_eq!(codes(&through("target", "2025-01-01")), ["activist_review", "target"]);
        // A probationary member after placement is reviewed too.
        assert_eq!(codes(&through("oath", "2025-01-01")), ["oath", "probation_review"]);
        assert!(codes(&through("archive", "2025-01-01")).contains(&"archive"));
        let mut all = through("archive", "2025-01-01");
        all.push(Done { step: "archive", on: d("2026-12-01") });
        assert!(codes(&all).is_empty());
        assert_eq!(current_stage(&all), Some(Stage::Probation));
        assert_eq!(current_stage(&[]), None);
    }

    #[test]
    fn sufficient_facts_leave_only_dates_and_order_to_check() {
        let p = pack();
        let facts = sufficient_facts(&p, Some(d("1990-01-01")));
        for step in ["contacts", "introducers", "training", "branch_vote"] {
            let done = through(step, "2025-01-01");
            assert!(check_step(&p, &done, step, d("2025-06-01"), &facts).is_ok(), "{step}");
        }
    }

    #[test]
    fn probation_ends_a_year_and_any_extension_after_the_resolution() {
        let done = [Done { step: "branch_vote", on: d("2024-02-29") }];
        assert_eq!(probation_ends(&pack(), &done, 0), Some(d("2025-02-28")));
        assert_eq!(probation_ends(&pack(), &done, 6), Some(d("2025-08-29")));
        assert_eq!(probation_ends(&pack(), &[], 0), None);
    }
}
