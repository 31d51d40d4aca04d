//! Member development (发展党员): taking an application, recording each of
//! the 25 steps against the rule pack the person's stage runs under, what
//! may come next and why not, deadlines, and a subtree's pipeline. Shared
//! by the pages and the API.
//!
//! Figures are never typed: the votes at a branch general meeting are
//! named, and the number entitled to vote is the branch's full members in
//! good standing on the roster when the vote is recorded.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::development::{
    by_higher_committee, check_step, current_stage, deadlines, opens_stage, possible_next, probation_ends, requirement,
    step_by_code, sufficient_facts, Deadline, DevelopmentRulePack, Done, Refusal, Requirement, Stage, StepFacts, Vote,
    STEPS,
};
use ronghe_domain::members::MemberInput;
use ronghe_domain::org::OrgKind;
use ronghe_store::{
    CandidateRecord, CandidateRow, DocumentRow, NewDocument, NewStep, Org, StepEffect, StepRow, StoreError, Voter,
};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

/// The stages in order, with their codes (for counts and columns).
pub const STAGES: [Stage; 5] = [Stage::Applicant, Stage::Activist, Stage::Target, Stage::Admission, Stage::Probation];

pub fn stage_code(s: Stage) -> &'static str {
    match s {
        Stage::Applicant => "applicant",
        Stage::Activist => "activist",
        Stage::Target => "target",
        Stage::Admission => "admission",
        Stage::Probation => "probation",
    }
}

/// The path of an organisation's parent (`/1/5/23/` → `/1/5/`).
pub fn parent_path(path: &str) -> Option<String> {
    let trimmed = path.strip_suffix('/')?;
    let cut = trimmed.rfind('/')?;
    (cut > 0).then(|| trimmed[..=cut].to_string())
}

/// The steps as the domain checks them.
fn done_of(steps: &[StepRow]) -> Vec<Done> {
    steps.iter().filter_map(|s| Some(Done { step: step_by_code(&s.step)?.code, on: s.on_date })).collect()
}

/// A refusal in the caller's language, with the rule it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Why {
    pub key: &'static str,
    pub message: String,
    /// The regulation the rule comes from.
    pub rule: String,
    pub params: BTreeMap<&'static str, String>,
}

impl Why {
    fn of(tr: Tr, r: &Refusal) -> Why {
        let mut params: Vec<(&str, &str)> = r.params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        params.push(("source", &r.source));
        Why {
            key: r.key,
            message: tr.tf(r.key, &params),
            rule: r.source.clone(),
            params: r.params.iter().cloned().collect(),
        }
    }
}

fn refused(r: Refusal) -> AppError {
    let mut params = r.params;
    params.push(("source", r.source));
    AppError::Refused { field: "step", key: r.key, params }
}

/// A step that could come next, whether it is allowed today, and why not.
#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    pub step: &'static str,
    pub number: u8,
    pub stage: &'static str,
    pub title: &'static str,
    pub allowed: bool,
    pub why_not: Option<Why>,
    /// What must be recorded with it besides the date.
    pub requires: Option<Requirement>,
    /// Taken by the higher committee (needs authority over the branch's parent).
    pub by_higher_committee: bool,
}

/// A recorded step, for the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub id: i64,
    pub step: String,
    pub number: i64,
    pub stage: &'static str,
    pub title: &'static str,
    pub on: NaiveDate,
    pub pack_version: String,
    pub acted_by: String,
    pub note: String,
    pub facts: serde_json::Value,
    pub recorded_by: Option<String>,
    pub documents: Vec<DocumentRow>,
}

/// A person's development record.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub person: PersonView,
    pub steps: Vec<StepView>,
    pub next: Vec<NextStep>,
    pub deadlines: Vec<Deadline>,
    /// Documents filed with no particular step.
    pub documents: Vec<DocumentRow>,
    pub probation_ends: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    /// The stage reached, none for a member who joined before records.
    pub stage: Option<&'static str>,
    /// `open`, `admitted`, `full`, `archived`, `stopped`; `member` for a
    /// member with no development record.
    pub outcome: String,
    pub pack_version: Option<String>,
    /// Whether the person is on the roster (a probationary or full member).
    pub member: bool,
    pub version: i64,
    #[serde(skip)]
    pub org_path: String,
    #[serde(skip)]
    pub candidate: Option<CandidateRow>,
}

/// Whom an id names: a person in development (whatever their outcome) or a
/// member who joined before the platform kept development records.
pub enum Person {
    Candidate(CandidateRecord),
    Member(ronghe_store::MemberRecord),
}

impl Person {
    pub fn org_path(&self) -> &str {
        match self {
            Person::Candidate(c) => &c.org_path,
            Person::Member(m) => &m.org_path,
        }
    }

    pub fn id(&self) -> i64 {
        match self {
            Person::Candidate(c) => c.row.id,
            Person::Member(m) => m.row.id,
        }
    }
}

/// The person an id names, if the caller may read their development:
/// readers of the subtree, and the person themselves.
pub async fn readable_person(state: &AppState, auth: &Auth, id: i64) -> AppResult<Person> {
    let person = match state.store.candidate(id).await {
        Ok(c) => Person::Candidate(c),
        Err(StoreError::NotFound) => Person::Member(state.store.member(id).await?),
        Err(e) => return Err(e.into()),
    };
    if auth.principal().member_id != Some(person.id()) {
        auth.require(Action::ReadDevelopment, person.org_path())?;
    }
    Ok(person)
}

/// The pack a step runs under: the one in force on its date when it opens a
/// stage, else the one the person's stage started under.
async fn pack_for(state: &AppState, c: &CandidateRecord, code: &str, on: NaiveDate) -> AppResult<DevelopmentRulePack> {
    if opens_stage(code) {
        return Ok(state.store.development_rules(c.tenant_id, on).await?);
    }
    match state.store.development_rules_version(c.tenant_id, &c.row.pack_version).await {
        Ok(p) => Ok(p),
        // A pack since removed: fall back to the one in force.
        Err(StoreError::NotFound) => Ok(state.store.development_rules(c.tenant_id, on).await?),
        Err(e) => Err(e.into()),
    }
}

pub async fn timeline(state: &AppState, tr: Tr, person: &Person) -> AppResult<Timeline> {
    let c = match person {
        Person::Member(m) => {
            let org = state.store.org(m.row.org_id).await?;
            return Ok(Timeline {
                person: PersonView {
                    id: m.row.id,
                    name: m.row.name.clone(),
                    org_id: m.row.org_id,
                    org_name: org.name,
                    stage: None,
                    outcome: "member".into(),
                    pack_version: None,
                    member: true,
                    version: 0,
                    org_path: m.org_path.clone(),
                    candidate: None,
                },
                steps: vec![],
                next: vec![],
                deadlines: vec![],
                documents: vec![],
                probation_ends: None,
            });
        }
        Person::Candidate(c) => c,
    };
    let rows = state.store.development_steps(c.row.id).await?;
    let docs = state.store.development_documents(c.row.id).await?;
    let done = done_of(&rows);
    let today = state.today();
    let pack = pack_for(state, c, "talk", today).await?;
    let extended = extension_of(&rows);
    let open = matches!(c.row.outcome.as_str(), "open" | "admitted" | "full");
    let mut next = Vec::new();
    if open {
        for s in possible_next(&done) {
            let pack = pack_for(state, c, s.code, today).await?;
            let facts = sufficient_facts(&pack, Some(c.row.birth_date));
            let verdict = check_step(&pack, &done, s.code, today, &facts);
            next.push(NextStep {
                step: s.code,
                number: s.number,
                stage: stage_code(s.stage),
                title: step_title(tr, s.code),
                allowed: verdict.is_ok(),
                why_not: verdict.err().map(|r| Why::of(tr, &r)),
                requires: requirement(s.code),
                by_higher_committee: by_higher_committee(s.code),
            });
        }
    }
    let steps = rows
        .iter()
        .map(|r| {
            let s = step_by_code(&r.step);
            StepView {
                id: r.id,
                step: r.step.clone(),
                number: r.step_no,
                stage: s.map_or("", |s| stage_code(s.stage)),
                title: step_title(tr, &r.step),
                on: r.on_date,
                pack_version: r.pack_version.clone(),
                acted_by: r.acted_by.clone(),
                note: r.note.clone(),
                facts: serde_json::from_str(&r.facts).unwrap_or(serde_json::Value::Null),
                recorded_by: r.recorded_by_name.clone(),
                documents: docs.iter().filter(|d| d.step_id == Some(r.id)).cloned().collect(),
            }
        })
        .collect();
    Ok(Timeline {
        person: PersonView {
            id: c.row.id,
            name: c.row.name.clone(),
            org_id: c.row.org_id,
            org_name: c.row.org_name.clone(),
            stage: current_stage(&done).map(stage_code),
            outcome: c.row.outcome.clone(),
            pack_version: Some(c.row.pack_version.clone()),
            member: matches!(c.row.outcome.as_str(), "admitted" | "full" | "archived"),
            version: c.row.version,
            org_path: c.org_path.clone(),
            candidate: Some(c.row.clone()),
        },
        steps,
        next,
        deadlines: if open { deadlines(&pack, &done, today, extended) } else { vec![] },
        documents: docs.into_iter().filter(|d| d.step_id.is_none()).collect(),
        probation_ends: probation_ends(&pack, &done, extended),
    })
}

/// The months a probation was extended by, from the conversion vote.
fn extension_of(rows: &[StepRow]) -> u32 {
    rows.iter()
        .filter(|r| r.step == "conversion_vote")
        .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.facts).ok())
        .filter_map(|f| f["extended_months"].as_u64())
        .map(|m| m as u32)
        .next_back()
        .unwrap_or(0)
}

/// A step's name in the user's language.
pub fn step_title(tr: Tr, code: &str) -> &'static str {
    tr.v("dev_step", code)
}

/// A vote as cast by one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Agree,
    Disagree,
    Abstain,
}

impl Choice {
    pub fn from_code(s: &str) -> Option<Choice> {
        match s {
            "agree" => Some(Choice::Agree),
            "disagree" => Some(Choice::Disagree),
            "abstain" => Some(Choice::Abstain),
            _ => None,
        }
    }
}

/// A step as asked for.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub step: String,
    pub on: Option<NaiveDate>,
    pub acted_by: String,
    pub note: String,
    pub contacts: Vec<i64>,
    pub introducers: Vec<i64>,
    pub training_days: u32,
    pub training_hours: u32,
    /// Named votes of the members present; the entitled not named were absent.
    pub votes: Vec<(i64, Choice)>,
    pub special: bool,
    pub extended_months: Option<u32>,
    /// The candidate's version the form was read at (none: the current one).
    pub version: Option<i64>,
}

/// Full members in good standing among `ids`, or the refusal naming the
/// first who is not.
async fn named_full_members(
    state: &AppState,
    tenant_id: i64,
    ids: &[i64],
    field: &'static str,
) -> AppResult<Vec<serde_json::Value>> {
    let mut unique: Vec<i64> = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(AppError::refused(field, "dev.named_twice", vec![]));
    }
    let found = state.store.named_members(&unique).await?;
    let by_id: HashMap<i64, _> = found.iter().map(|m| (m.id, m)).collect();
    let mut out = Vec::new();
    for id in ids {
        match by_id.get(id) {
            Some(m) if m.tenant_id == tenant_id && m.category == "full" && m.status == "normal" => {
                out.push(serde_json::json!({"member_id": m.id, "name": m.name}))
            }
            Some(m) if m.tenant_id == tenant_id => {
                return Err(AppError::refused(field, "dev.not_full_member", vec![("name", m.name.clone())]))
            }
            _ => return Err(AppError::refused(field, "dev.unknown_member", vec![("id", id.to_string())])),
        }
    }
    Ok(out)
}

/// Records a step for a candidate after checking it against the rule pack;
/// approval admits them to the roster and the conversion approval makes
/// them a full member, in the same transaction.
pub async fn record_step(state: &AppState, auth: &Auth, c: &CandidateRecord, input: &StepInput) -> AppResult<()> {
    auth.require(Action::WriteDevelopment, &c.org_path)?;
    let Some(step) = step_by_code(input.step.trim()) else {
        return Err(AppError::refused("step", "dev.unknown_step", vec![("step", input.step.clone())]));
    };
    if by_higher_committee(step.code) {
        let parent = parent_path(&c.org_path).unwrap_or_default();
        if !auth.principal().can(Action::WriteDevelopment, &parent) {
            return Err(AppError::refused(
                "step",
                "dev.higher_committee_only",
                vec![("step", step.title_zh.to_string())],
            ));
        }
    }
    if !matches!(c.row.outcome.as_str(), "open" | "admitted" | "full") {
        return Err(AppError::refused("step", "dev.closed", vec![]));
    }
    let Some(on) = input.on else {
        return Err(AppError::refused("on", "dev.date_required", vec![]));
    };
    let today = state.today();
    if on > today {
        return Err(AppError::refused(
            "on",
            "dev.future_date",
            vec![("on", on.to_string()), ("today", today.to_string())],
        ));
    }
    let rows = state.store.development_steps(c.row.id).await?;
    let done = done_of(&rows);
    let pack = pack_for(state, c, step.code, on).await?;
    let mut facts = StepFacts { birth_date: Some(c.row.birth_date), ..Default::default() };
    let mut record = serde_json::Map::new();
    match requirement(step.code) {
        Some(Requirement::Contacts) => {
            let named = named_full_members(state, c.tenant_id, &input.contacts, "contacts").await?;
            facts.contacts = named.len() as u32;
            record.insert("contacts".into(), named.into());
        }
        Some(Requirement::Introducers) => {
            let named = named_full_members(state, c.tenant_id, &input.introducers, "introducers").await?;
            facts.introducers = named.len() as u32;
            record.insert("introducers".into(), named.into());
        }
        Some(Requirement::Training) => {
            facts.training_days = input.training_days;
            facts.training_hours = input.training_hours;
            record.insert("training_days".into(), input.training_days.into());
            record.insert("training_hours".into(), input.training_hours.into());
        }
        Some(Requirement::Votes) => {
            let voters: Vec<Voter> = state.store.branch_voters(&c.org_path).await?;
            let entitled: HashMap<i64, &Voter> = voters.iter().map(|v| (v.id, v)).collect();
            let mut seen = HashSet::new();
            let mut votes = Vec::new();
            for (id, choice) in &input.votes {
                let Some(v) = entitled.get(id) else {
                    return Err(AppError::refused("votes", "dev.not_entitled", vec![("id", id.to_string())]));
                };
                if !seen.insert(*id) {
                    return Err(AppError::refused("votes", "dev.named_twice", vec![]));
                }
                votes.push(serde_json::json!({"member_id": v.id, "name": v.name, "choice": choice}));
            }
            let count = |c: Choice| input.votes.iter().filter(|(_, x)| *x == c).count() as u32;
            let vote = Vote { eligible: voters.len() as u32, agree: count(Choice::Agree) };
            facts.vote = Some(vote);
            record.insert("eligible".into(), vote.eligible.into());
            record.insert("present".into(), (input.votes.len() as u32).into());
            record.insert("agree".into(), vote.agree.into());
            record.insert("disagree".into(), count(Choice::Disagree).into());
            record.insert("abstain".into(), count(Choice::Abstain).into());
            record.insert("votes".into(), votes.into());
            if step.code == "conversion_vote" {
                facts.extended_months = input.extended_months.filter(|m| *m > 0);
                if let Some(m) = facts.extended_months {
                    record.insert("extended_months".into(), m.into());
                }
            }
        }
        None => {}
    }
    if step.code == "approval" && input.special {
        facts.special = true;
        record.insert("special".into(), true.into());
    }
    check_step(&pack, &done, step.code, on, &facts).map_err(refused)?;
    let effect = effect_of(&pack, &done, extension_of(&rows), step.code, on);
    let new = NewStep {
        step: step.code,
        step_no: step.number,
        on,
        stage: stage_code(step.stage),
        pack_version: pack.version.clone(),
        acted_by: input.acted_by.trim().to_string(),
        note: input.note.trim().to_string(),
        facts: record.into(),
    };
    let version = input.version.unwrap_or(c.row.version);
    Ok(state.store.record_development_step(&auth.actor(), c.row.id, version, &new, effect).await?)
}

/// What a step does to the roster: approval admits the person as a
/// probationary member from the branch resolution's day (probation runs
/// from it); the conversion approval makes them a full member from the day
/// probation ended; archiving closes the record.
pub fn effect_of(
    pack: &DevelopmentRulePack,
    done: &[Done],
    extended_months: u32,
    code: &str,
    on: NaiveDate,
) -> StepEffect {
    match code {
        "approval" => {
            StepEffect::Admit { join_date: done.iter().rev().find(|d| d.step == "branch_vote").map_or(on, |d| d.on) }
        }
        "conversion_approval" => {
            StepEffect::Convert { conversion_date: probation_ends(pack, done, extended_months).unwrap_or(on) }
        }
        "archive" => StepEffect::Archive,
        _ => StepEffect::None,
    }
}

/// Moves a person to another loaded development pack: a group
/// administrator's decision (a person otherwise stays on the pack their
/// stage began under), recorded with its reason.
pub async fn move_pack(
    state: &AppState,
    auth: &Auth,
    c: &CandidateRecord,
    version: &str,
    reason: &str,
) -> AppResult<()> {
    auth.require(Action::WriteOrg, &c.org_path)?;
    let (version, reason) = (version.trim(), reason.trim());
    if reason.is_empty() {
        return Err(AppError::refused("reason", "dev.reason_required", vec![]));
    }
    match state.store.development_rules_version(c.tenant_id, version).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::refused("version", "dev.unknown_pack", vec![("version", version.to_string())]))
        }
        Err(e) => return Err(e.into()),
    }
    if version == c.row.pack_version {
        return Ok(());
    }
    Ok(state
        .store
        .set_candidate_pack(&auth.actor(), c.row.id, c.row.org_id, &c.row.pack_version, version, reason)
        .await?)
}

/// The development packs a person could be moved to: the shipped one and
/// those the group has loaded.
pub async fn pack_versions(state: &AppState, tenant_id: i64) -> AppResult<Vec<String>> {
    let mut out = vec![DevelopmentRulePack::default_pack().version];
    for (v, _) in state.store.rule_pack_versions(tenant_id, "development").await? {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// An application as taken by the branch: the person's details (checked
/// like a roster record) and the day the letter was handed in.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Application {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_number: String,
    pub education: String,
    pub post: String,
    pub unit: String,
    pub phone: String,
    /// The day the application letter was handed in (YYYY-MM-DD).
    pub applied_on: String,
    pub note: String,
}

/// Takes an application at a branch: the person enters development with
/// their first step, checked against the pack in force that day.
pub async fn apply(state: &AppState, auth: &Auth, org: &Org, a: &Application) -> AppResult<i64> {
    auth.require(Action::WriteDevelopment, &org.path)?;
    if org.kind != OrgKind::Branch {
        return Err(AppError::refused("org_id", "dev.branch_only", vec![]));
    }
    let today = state.today();
    let applied_on = ronghe_domain::text::parse_date(&a.applied_on);
    // The roster's checks of the person; the age limit is the development
    // pack's, checked below against the day of application.
    let input = MemberInput {
        name: a.name.clone(),
        gender: a.gender.clone(),
        ethnicity: a.ethnicity.clone(),
        birth_date: a.birth_date.clone(),
        id_number: a.id_number.clone(),
        education: a.education.clone(),
        post: a.post.clone(),
        unit: a.unit.clone(),
        phone: a.phone.clone(),
        ..Default::default()
    };
    let checked = input.validate_person(today);
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    match applied_on {
        None if a.applied_on.trim().is_empty() => {
            errors.push(ronghe_domain::members::FieldError { field: "applied_on", key: "field.required" })
        }
        None => errors.push(ronghe_domain::members::FieldError { field: "applied_on", key: "field.bad_date" }),
        Some(d) if d > today => {
            errors.push(ronghe_domain::members::FieldError { field: "applied_on", key: "date.in_future" })
        }
        Some(_) => {}
    }
    let (Ok(draft), Some(on), true) = (checked, applied_on, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let pack = state.store.development_rules(org.tenant_id, on).await?;
    check_step(&pack, &[], "application", on, &StepFacts { birth_date: Some(draft.birth_date), ..Default::default() })
        .map_err(refused)?;
    let first = NewStep {
        step: "application",
        step_no: 1,
        on,
        stage: stage_code(Stage::Applicant),
        pack_version: pack.version.clone(),
        acted_by: String::new(),
        note: a.note.trim().to_string(),
        facts: serde_json::json!({}),
    };
    Ok(state.store.create_candidate(&auth.actor(), org.id, &draft, &first).await?)
}

/// One person on a subtree's pipeline.
#[derive(Debug, Clone, Serialize)]
pub struct PipelinePerson {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub stage: &'static str,
    pub last_step: String,
    pub last_step_title: &'static str,
    pub last_step_on: NaiveDate,
    pub outcome: String,
    /// The earliest deadline ahead or passed.
    pub next_due: Option<Deadline>,
    pub overdue: Vec<Deadline>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageCount {
    pub stage: &'static str,
    pub people: usize,
    pub overdue: usize,
}

/// A subtree's development: how many people at each stage, who is overdue.
#[derive(Debug, Clone, Serialize)]
pub struct Pipeline {
    pub stages: Vec<StageCount>,
    pub people: Vec<PipelinePerson>,
    pub overdue: usize,
}

pub async fn pipeline(state: &AppState, tr: Tr, org: &Org) -> AppResult<Pipeline> {
    pipeline_on(state, tr, org, state.today()).await
}

/// [`pipeline`] as it stands on a given day (the reminder job's "today").
pub async fn pipeline_on(state: &AppState, tr: Tr, org: &Org, today: NaiveDate) -> AppResult<Pipeline> {
    let rows = state.store.subtree_candidates(&org.path).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let steps = state.store.development_steps_of(&ids).await?;
    let mut done_of: HashMap<i64, Vec<Done>> = HashMap::new();
    for (id, step, on) in &steps {
        if let Some(s) = step_by_code(step) {
            done_of.entry(*id).or_default().push(Done { step: s.code, on: *on });
        }
    }
    // Deadlines by each person's pack; packs are few, so cache them.
    let mut packs: HashMap<String, DevelopmentRulePack> = HashMap::new();
    let mut people = Vec::with_capacity(rows.len());
    for r in rows {
        if !packs.contains_key(&r.pack_version) {
            let pack = match state.store.development_rules_version(org.tenant_id, &r.pack_version).await {
                Ok(p) => p,
                Err(StoreError::NotFound) => state.store.development_rules(org.tenant_id, today).await?,
                Err(e) => return Err(e.into()),
            };
            packs.insert(r.pack_version.clone(), pack);
        }
        let done = done_of.remove(&r.id).unwrap_or_default();
        let due = deadlines(&packs[&r.pack_version], &done, today, 0);
        let overdue: Vec<Deadline> = due.iter().filter(|d| d.overdue).cloned().collect();
        let stage = step_by_code(&r.last_step).map_or("applicant", |s| stage_code(s.stage));
        people.push(PipelinePerson {
            id: r.id,
            name: r.name,
            org_id: r.org_id,
            org_name: r.org_name,
            stage,
            last_step_title: step_title(tr, &r.last_step),
            last_step: r.last_step,
            last_step_on: r.last_step_on,
            outcome: r.outcome,
            next_due: due.into_iter().min_by_key(|d| d.due),
            overdue,
        });
    }
    let stages = STAGES
        .iter()
        .map(|s| {
            let code = stage_code(*s);
            let at: Vec<&PipelinePerson> = people.iter().filter(|p| p.stage == code).collect();
            StageCount { stage: code, people: at.len(), overdue: at.iter().filter(|p| !p.overdue.is_empty()).count() }
        })
        .collect();
    let overdue = people.iter().filter(|p| !p.overdue.is_empty()).count();
    Ok(Pipeline { stages, people, overdue })
}

/// Files a document with a person's record.
pub async fn add_document(
    state: &AppState,
    auth: &Auth,
    c: &CandidateRecord,
    step_id: Option<i64>,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<i64> {
    auth.require(Action::WriteDevelopment, &c.org_path)?;
    let (name, content_type) = crate::app::checked_upload(file_name, bytes)?;
    let doc = NewDocument {
        candidate_id: c.row.id,
        org_id: c.row.org_id,
        step_id,
        file_name: name,
        content_type,
        content: bytes,
    };
    Ok(state.store.add_development_document(&auth.actor(), &doc).await?)
}

/// Every step, for the print form and step pickers.
pub fn all_steps() -> &'static [ronghe_domain::development::Step] {
    &STEPS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_of_paths() {
        assert_eq!(parent_path("/1/5/23/").as_deref(), Some("/1/5/"));
        assert_eq!(parent_path("/1/5/").as_deref(), Some("/1/"));
        assert_eq!(parent_path("/1/"), None);
    }
}
