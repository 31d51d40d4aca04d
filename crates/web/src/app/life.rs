//! Organisational life: planning a meeting with the roster's expected
//! attendees, sign-in (with the room's one-time code, or marked by the
//! recorder), minutes, resolutions with named votes checked for quorum and
//! majority, sealing; and supervision: each branch's and group's
//! obligations in a period, and compliance for any subtree. Shared by the
//! pages and the API.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use ronghe_domain::auth::Action;
use ronghe_domain::meetings::{
    applies, check_vote, passes, periods_in_quarter, standing, Frequency, Kind, MeetingsRulePack, OrgFacts, Period,
    Rating, Standing,
};
use ronghe_domain::members::FieldError;
use ronghe_store::{
    AttendeeRow, Figures, MeetingRecord, MeetingRow, NewMeeting, NewResolution, Org, ResolutionRow, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::cache::Figure;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// A meeting the caller may read: readers of its organisation, and the
/// people expected at it.
pub async fn readable_meeting(state: &AppState, auth: &Auth, id: i64) -> AppResult<MeetingRecord> {
    let m = state.store.meeting(id).await?;
    if auth.principal().can(Action::ReadLife, &m.org_path) {
        return Ok(m);
    }
    if let Some(me) = auth.principal().member_id {
        if state.store.meeting_attendees(id).await?.iter().any(|a| a.member_id == me) {
            return Ok(m);
        }
    }
    auth.require(Action::ReadLife, &m.org_path)?;
    Ok(m)
}

fn writable(auth: &Auth, m: &MeetingRecord) -> AppResult<()> {
    auth.require(Action::WriteLife, &m.org_path)
}

/// A meeting as planned.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PlanInput {
    /// `branch_general`, `branch_committee`, `group`, `lecture`, `theme_day`,
    /// `life_meeting`, `appraisal` or `other`.
    pub kind: String,
    pub topic: String,
    pub planned_on: Option<NaiveDate>,
    /// `HH:MM`.
    pub starts_at: String,
    pub place: String,
    pub agenda: String,
    pub host: String,
    pub recorder: String,
}

/// Plans a meeting at an organisation: branch meetings at a branch, group
/// meetings at a party group; everyone expected comes from the roster (the
/// committee's officers for a committee meeting).
pub async fn plan(state: &AppState, auth: &Auth, org: &Org, p: &PlanInput, corrects: Option<i64>) -> AppResult<i64> {
    auth.require(Action::WriteLife, &org.path)?;
    let mut errors = Vec::new();
    let kind = Kind::from_code(p.kind.trim());
    if kind.is_none() {
        errors.push(FieldError { field: "kind", key: "field.unknown_value" });
    }
    if p.topic.trim().is_empty() {
        errors.push(FieldError { field: "topic", key: "field.required" });
    } else if p.topic.chars().count() > 200 {
        errors.push(FieldError { field: "topic", key: "field.too_long" });
    }
    if p.planned_on.is_none() {
        errors.push(FieldError { field: "planned_on", key: "field.required" });
    }
    let starts = p.starts_at.trim();
    if !starts.is_empty() && chrono::NaiveTime::parse_from_str(starts, "%H:%M").is_err() {
        errors.push(FieldError { field: "starts_at", key: "meeting.bad_time" });
    }
    let (Some(kind), Some(planned_on), true) = (kind, p.planned_on, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    use ronghe_domain::org::OrgKind;
    let fits = match kind {
        Kind::Group => org.kind == OrgKind::Group,
        Kind::Other => true,
        _ => org.kind == OrgKind::Branch,
    };
    if !fits {
        return Err(AppError::Invalid(vec![FieldError { field: "kind", key: "meeting.kind_not_here" }]));
    }
    let expected = if kind == Kind::BranchCommittee {
        state.store.committee_attendees(org.id, planned_on).await?
    } else {
        state.store.expected_attendees(&org.path).await?
    };
    let new = NewMeeting {
        org_id: org.id,
        kind: kind.code(),
        topic: p.topic.trim().to_string(),
        planned_on,
        starts_at: starts.to_string(),
        place: p.place.trim().to_string(),
        agenda: p.agenda.trim().to_string(),
        host: p.host.trim().to_string(),
        recorder: p.recorder.trim().to_string(),
        corrects,
    };
    let id = state.store.create_meeting(&auth.actor(), &new, &expected).await?;
    notify_attendees(state, id, &new, &expected).await?;
    Ok(id)
}

/// A notice to everyone expected who has an account (in-app, once).
async fn notify_attendees(
    state: &AppState,
    id: i64,
    m: &NewMeeting,
    expected: &[ronghe_store::Expected],
) -> AppResult<()> {
    let tr = crate::i18n::Tr(ronghe_domain::Lang::Zh);
    let ids: Vec<i64> = expected.iter().map(|e| e.0).collect();
    let kind = tr.v("meeting_kind", m.kind);
    let title = tr.tf("meeting.notice_title", &[("kind", kind), ("topic", &m.topic)]);
    let body =
        tr.tf("meeting.notice_body", &[("on", &m.planned_on.to_string()), ("at", &m.starts_at), ("place", &m.place)]);
    for (user, tenant) in state.store.users_of_members(&ids).await? {
        state.store.notify(tenant, user, &format!("meeting:{id}"), &title, &body, &format!("/meetings/{id}")).await?;
    }
    Ok(())
}

/// Files a photo or document with a meeting (until it is sealed).
pub async fn add_file(
    state: &AppState,
    auth: &Auth,
    m: &MeetingRecord,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<i64> {
    writable(auth, m)?;
    open_for_changes(m)?;
    let (name, content_type) = crate::app::checked_upload(file_name, bytes)?;
    Ok(state.store.add_meeting_file(&auth.actor(), m, name, content_type, bytes).await?)
}

/// A correction of a sealed meeting: a new record that points at it, with
/// the same details and expected attendees, to be completed and sealed.
pub async fn correct(state: &AppState, auth: &Auth, m: &MeetingRecord) -> AppResult<i64> {
    writable(auth, m)?;
    if m.row.status != "sealed" {
        return Err(AppError::refused("meeting", "meeting.correct_sealed_only", vec![]));
    }
    let org = state.store.org(m.row.org_id).await?;
    let p = PlanInput {
        kind: m.row.kind.clone(),
        topic: m.row.topic.clone(),
        planned_on: Some(m.row.held_on.unwrap_or(m.row.planned_on)),
        starts_at: m.row.starts_at.clone(),
        place: m.row.place.clone(),
        agenda: m.row.agenda.clone(),
        host: m.row.host.clone(),
        recorder: m.row.recorder.clone(),
    };
    plan(state, auth, &org, &p, Some(m.row.id)).await
}

fn open_for_changes(m: &MeetingRecord) -> AppResult<()> {
    match m.row.status.as_str() {
        "sealed" => Err(AppError::refused("meeting", "meeting.sealed", vec![])),
        "cancelled" => Err(AppError::refused("meeting", "meeting.cancelled", vec![])),
        _ => Ok(()),
    }
}

/// One attendee as the recorder marks them.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Mark {
    pub member_id: i64,
    pub present: bool,
    /// Why they were absent (required when absent: leave, duty, illness…).
    #[serde(default)]
    pub absence_reason: String,
}

pub async fn mark_attendance(state: &AppState, auth: &Auth, m: &MeetingRecord, marks: &[Mark]) -> AppResult<()> {
    writable(auth, m)?;
    open_for_changes(m)?;
    let expected: HashSet<i64> = state.store.meeting_attendees(m.row.id).await?.iter().map(|a| a.member_id).collect();
    for mark in marks {
        if !expected.contains(&mark.member_id) {
            return Err(AppError::refused(
                "attendance",
                "meeting.not_expected",
                vec![("id", mark.member_id.to_string())],
            ));
        }
    }
    let rows: Vec<(i64, bool, String)> =
        marks.iter().map(|k| (k.member_id, k.present, k.absence_reason.trim().to_string())).collect();
    Ok(state.store.mark_attendance(&auth.actor(), m, &rows).await?)
}

/// A member's rating at a democratic appraisal.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    pub member_id: i64,
    /// `excellent`, `qualified`, `basically_qualified` or `unqualified`.
    pub rating: String,
}

/// Records the branch's ratings of its members, at an appraisal meeting only.
pub async fn rate(state: &AppState, auth: &Auth, m: &MeetingRecord, ratings: &[RatingInput]) -> AppResult<()> {
    writable(auth, m)?;
    open_for_changes(m)?;
    if m.row.kind != Kind::Appraisal.code() {
        return Err(AppError::refused("ratings", "meeting.ratings_appraisal_only", vec![]));
    }
    let expected: HashSet<i64> = state.store.meeting_attendees(m.row.id).await?.iter().map(|a| a.member_id).collect();
    let mut rows = Vec::new();
    for r in ratings {
        if !expected.contains(&r.member_id) {
            return Err(AppError::refused("ratings", "meeting.not_expected", vec![("id", r.member_id.to_string())]));
        }
        let rating = match r.rating.trim() {
            "" => "",
            code => Rating::from_code(code).ok_or(AppError::refused("ratings", "meeting.bad_rating", vec![]))?.code(),
        };
        rows.push((r.member_id, rating));
    }
    Ok(state.store.rate_members(&auth.actor(), m, &rows).await?)
}

/// A recurring schedule: the same meeting on a fixed day each month (the
/// theme day), planned for the months ahead. A day past a month's end is
/// that month's last day.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScheduleInput {
    #[serde(flatten)]
    pub meeting: PlanInput,
    /// The day of the month (1–31).
    pub day_of_month: u32,
    /// The first month (`YYYY-MM`).
    pub from_month: String,
    /// How many months (1–12).
    pub months: u32,
}

pub async fn schedule(state: &AppState, auth: &Auth, org: &Org, s: &ScheduleInput) -> AppResult<Vec<i64>> {
    auth.require(Action::WriteLife, &org.path)?;
    let mut errors = Vec::new();
    if !(1..=31).contains(&s.day_of_month) {
        errors.push(FieldError { field: "day_of_month", key: "meeting.bad_day" });
    }
    if !(1..=12).contains(&s.months) {
        errors.push(FieldError { field: "months", key: "meeting.bad_months" });
    }
    let first = NaiveDate::parse_from_str(&format!("{}-01", s.from_month.trim()), "%Y-%m-%d").ok();
    if first.is_none() {
        errors.push(FieldError { field: "from_month", key: "field.bad_date" });
    }
    let (Some(first), true) = (first, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut ids = Vec::new();
    for i in 0..s.months {
        let month = ronghe_domain::development::months_after(first, i);
        let last = ronghe_domain::development::months_after(month, 1).pred_opt().unwrap_or(month);
        let day = NaiveDate::from_ymd_opt(month.year(), month.month(), s.day_of_month).unwrap_or(last);
        let p = PlanInput { planned_on: Some(day), ..s.meeting.clone() };
        ids.push(plan(state, auth, org, &p, None).await?);
    }
    Ok(ids)
}

/// Shows a six-digit code in the room for two hours; members sign in with it.
pub async fn open_signin(state: &AppState, auth: &Auth, m: &MeetingRecord) -> AppResult<String> {
    writable(auth, m)?;
    open_for_changes(m)?;
    let code = format!("{:06}", rand_code());
    let until = chrono::Utc::now().timestamp_millis() + 2 * 3_600_000;
    state.store.open_signin(&auth.actor(), m, &code, until).await?;
    Ok(code)
}

/// A sign-in code is a credential: drawn from the operating system's
/// random source, uniformly.
fn rand_code() -> u32 {
    use rand::Rng;
    rand::rngs::OsRng.gen_range(0..1_000_000)
}

/// A member signs themselves in with the room's code.
pub async fn sign_in(state: &AppState, auth: &Auth, meeting_id: i64, code: &str) -> AppResult<()> {
    let Some(me) = auth.principal().member_id else {
        return Err(AppError::refused("code", "meeting.sign_in_members_only", vec![]));
    };
    if state.store.sign_in(&auth.actor(), meeting_id, me, code.trim()).await? {
        Ok(())
    } else {
        Err(AppError::refused("code", "meeting.bad_code", vec![]))
    }
}

/// Records the meeting as held, with its minutes.
pub async fn record_minutes(
    state: &AppState,
    auth: &Auth,
    m: &MeetingRecord,
    held_on: Option<NaiveDate>,
    minutes: &str,
    version: Option<i64>,
) -> AppResult<()> {
    writable(auth, m)?;
    open_for_changes(m)?;
    let Some(held_on) = held_on else {
        return Err(AppError::Invalid(vec![FieldError { field: "held_on", key: "field.required" }]));
    };
    if held_on > state.today() {
        return Err(AppError::Invalid(vec![FieldError { field: "held_on", key: "date.in_future" }]));
    }
    Ok(state.store.record_held(&auth.actor(), m, version.unwrap_or(m.row.version), held_on, minutes.trim()).await?)
}

/// A resolution as put to the vote.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ResolutionInput {
    pub text: String,
    /// Named votes: `agree`, `disagree` or `abstain` for each voter present.
    pub votes: Vec<VoteInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VoteInput {
    pub member_id: i64,
    pub choice: String,
}

/// Adds a resolution: the voters must be members entitled to vote and
/// marked present; the meeting must be quorate (more than half of those
/// entitled present); it passes with more than half of those entitled.
pub async fn add_resolution(state: &AppState, auth: &Auth, m: &MeetingRecord, r: &ResolutionInput) -> AppResult<bool> {
    writable(auth, m)?;
    open_for_changes(m)?;
    if r.text.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError { field: "text", key: "field.required" }]));
    }
    let attendees = state.store.meeting_attendees(m.row.id).await?;
    let by_id: HashMap<i64, &AttendeeRow> = attendees.iter().map(|a| (a.member_id, a)).collect();
    let entitled = attendees.iter().filter(|a| a.entitled == 1).count() as u32;
    let present = attendees.iter().filter(|a| a.entitled == 1 && a.present == 1).count() as u32;
    let mut seen = HashSet::new();
    let mut votes = Vec::new();
    let (mut agree, mut disagree, mut abstain) = (0, 0, 0);
    for v in &r.votes {
        let Some(a) = by_id.get(&v.member_id).filter(|a| a.entitled == 1) else {
            return Err(AppError::refused("votes", "meeting.not_entitled", vec![("id", v.member_id.to_string())]));
        };
        if a.present != 1 {
            return Err(AppError::refused("votes", "meeting.voter_absent", vec![("name", a.name.clone())]));
        }
        if !seen.insert(v.member_id) {
            return Err(AppError::refused("votes", "dev.named_twice", vec![]));
        }
        match v.choice.trim() {
            "agree" => agree += 1,
            "disagree" => disagree += 1,
            "abstain" => abstain += 1,
            _ => return Err(AppError::refused("votes", "dev.bad_choice", vec![])),
        }
        votes.push(serde_json::json!({"member_id": a.member_id, "name": a.name, "choice": v.choice.trim()}));
    }
    let pack = state.store.meetings_rules(m.row.tenant_id, m.row.held_on.unwrap_or(m.row.planned_on)).await?;
    check_vote(entitled, present, votes.len() as u32).map_err(|e| {
        let mut params = e.params;
        params.push(("source", pack.source(&pack.votes.source)));
        AppError::refused("votes", e.key, params)
    })?;
    let passed = passes(entitled, agree);
    state
        .store
        .add_resolution(
            &auth.actor(),
            m,
            &NewResolution {
                text: r.text.trim().to_string(),
                votes: votes.into(),
                entitled: i64::from(entitled),
                present: i64::from(present),
                agree: i64::from(agree),
                disagree,
                abstain,
                passed,
            },
        )
        .await?;
    Ok(passed)
}

/// Seals a held meeting. Minutes are required, and everyone expected is
/// accounted for: present, or absent with a reason.
pub async fn seal(state: &AppState, auth: &Auth, m: &MeetingRecord) -> AppResult<String> {
    writable(auth, m)?;
    if m.row.status != "held" {
        return Err(AppError::refused(
            "meeting",
            if m.row.status == "sealed" { "meeting.sealed" } else { "meeting.not_held" },
            vec![],
        ));
    }
    if m.row.minutes.trim().is_empty() {
        return Err(AppError::refused("minutes", "meeting.minutes_required", vec![]));
    }
    let unaccounted: Vec<String> = state
        .store
        .meeting_attendees(m.row.id)
        .await?
        .into_iter()
        .filter(|a| a.present == 0 && a.absence_reason.trim().is_empty())
        .map(|a| a.name)
        .collect();
    if !unaccounted.is_empty() {
        let names = unaccounted.iter().take(10).cloned().collect::<Vec<_>>().join("、");
        return Err(AppError::refused("attendance", "meeting.absence_reason_missing", vec![("names", names)]));
    }
    Ok(state.store.seal_meeting(&auth.actor(), m).await?)
}

/// Cancels a meeting not yet held, with the reason; it then counts for
/// nothing in compliance.
pub async fn cancel(state: &AppState, auth: &Auth, m: &MeetingRecord, reason: &str) -> AppResult<()> {
    writable(auth, m)?;
    if reason.trim().is_empty() {
        return Err(AppError::refused("reason", "meeting.cancel_reason_required", vec![]));
    }
    match state.store.cancel_meeting(&auth.actor(), m, reason.trim()).await {
        Err(StoreError::NotFound) => Err(AppError::refused("meeting", "meeting.cancel_planned_only", vec![])),
        other => Ok(other?),
    }
}

/// A meeting with everything on its page.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    pub meeting: MeetingRow,
    pub attendees: Vec<AttendeeRow>,
    pub files: Vec<ronghe_store::MeetingFile>,
    pub resolutions: Vec<ResolutionRow>,
    /// (sequence in the organisation's chain, SM3 hash) once sealed.
    pub seal: Option<(i64, String)>,
    pub entitled: usize,
    pub present: usize,
    pub quorate: bool,
}

pub async fn view(state: &AppState, m: MeetingRecord) -> AppResult<MeetingView> {
    let attendees = state.store.meeting_attendees(m.row.id).await?;
    let resolutions = state.store.meeting_resolutions(m.row.id).await?;
    let seal = state.store.meeting_seal(m.row.id).await?;
    let entitled = attendees.iter().filter(|a| a.entitled == 1).count();
    let present = attendees.iter().filter(|a| a.entitled == 1 && a.present == 1).count();
    let mut meeting = m.row;
    // The room's code is for the recorder's page only.
    meeting.signin_code = None;
    let files = state.store.meeting_files(meeting.id).await?;
    Ok(MeetingView {
        files,
        quorate: ronghe_domain::meetings::quorate(entitled as u32, present as u32),
        meeting,
        attendees,
        resolutions,
        seal,
        entitled,
        present,
    })
}

/// One organisation's obligation of one kind in one period.
#[derive(Debug, Clone, Serialize)]
pub struct Obligation {
    pub org_id: i64,
    pub org_name: String,
    pub kind: Kind,
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub standing: Standing,
}

/// Compliance with one kind of meeting in a subtree.
#[derive(Debug, Clone, Serialize)]
pub struct KindCompliance {
    pub kind: Kind,
    pub frequency: Frequency,
    /// The regulation the requirement comes from.
    pub source: String,
    /// Obligations in the quarter (those founded mid-period owe nothing).
    pub required: usize,
    pub held: usize,
    pub missing: usize,
    /// Not held yet, with time left.
    pub pending: usize,
    /// held ÷ (required − pending); none when nothing has fallen due.
    pub rate: Option<f64>,
    /// The organisations that missed, with the periods, in tree order: the
    /// first [`MISSED_LISTED`] of `missed_count`.
    pub missed: Vec<Missed>,
    pub missed_count: usize,
}

/// Organisations a subtree's compliance lists for each kind of meeting; the
/// counts cover every one.
pub const MISSED_LISTED: usize = 5_000;

#[derive(Debug, Clone, Serialize)]
pub struct Missed {
    pub org_id: i64,
    pub org_name: String,
    pub periods: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    pub org_id: i64,
    pub year: i32,
    pub quarter: u32,
    pub rule_pack: String,
    pub branches: usize,
    pub groups: usize,
    pub kinds: Vec<KindCompliance>,
    /// Every obligation, for a branch's own view and the drill-down.
    #[serde(skip)]
    pub obligations: Vec<Obligation>,
}

/// The year and quarter asked for, or the current ones.
pub fn quarter_or_current(state: &AppState, year: Option<i32>, quarter: Option<u32>) -> (i32, u32) {
    let today = state.today();
    let year = state.year_or_current(year);
    let quarter = quarter.filter(|q| (1..=4).contains(q)).unwrap_or((today.month() - 1) / 3 + 1);
    (year, quarter)
}

/// What a subtree's compliance is cached by: tenant, organisation, its path
/// as read before the version (an organisation moved since is another
/// key), year, quarter and the day it stands on.
pub type ComplianceKey = (i64, i64, String, i32, u32, NaiveDate);

/// Compliance of a subtree in a quarter as it stands today, from the
/// meetings held: per kind required, the counts and who missed, without the
/// list of every obligation. Computed once per node while the tenant's
/// `life` figure version (kept by triggers on meetings, organisations, full
/// members and rule packs) stays the same, and then read from the node's
/// cache: a group committee's page does not read every branch on each view.
///
/// A national root's compliance takes seconds: it is counted beside the
/// request and shown as last counted while it is recounted
/// ([`super::counted_figure`]).
pub async fn compliance(state: &AppState, org: &Org, year: i32, quarter: u32) -> AppResult<Figure<Compliance>> {
    let today = state.today();
    let key = (org.tenant_id, org.id, org.path.clone(), year, quarter, today);
    let yesterday = today.pred_opt().map(|d| (org.tenant_id, org.id, org.path.clone(), year, quarter, d));
    let (st, org) = (state.clone(), org.clone());
    super::counted_figure(state, &state.compliance, org.tenant_id, Figures::Life, key, yesterday, move || async move {
        let c = compute_compliance(&st, &org, year, quarter, today, false).await?;
        let rows = c.kinds.iter().map(|k| k.missed.len()).sum::<usize>();
        Ok((c, 1 + rows))
    })
    .await
}

/// Compliance of a subtree in a quarter as it stands on a given day (the
/// reminder job's "today"), with every branch's and group's obligations and
/// their standing; never cached.
pub async fn compliance_on(
    state: &AppState,
    org: &Org,
    year: i32,
    quarter: u32,
    today: NaiveDate,
) -> AppResult<Compliance> {
    compute_compliance(state, org, year, quarter, today, true).await
}

/// What [`compliance`] computes on a miss (and [`compliance_on`] with the
/// obligations): never cached.
pub async fn compute_compliance(
    state: &AppState,
    org: &Org,
    year: i32,
    quarter: u32,
    today: NaiveDate,
    with_obligations: bool,
) -> AppResult<Compliance> {
    let Period { start: first, end: last } = Period::year(year);
    let pack: MeetingsRulePack = state.store.meetings_rules(org.tenant_id, first.max(today.min(last))).await?;
    let orgs = state.store.life_orgs(&org.path).await?;
    // Which branches hold committee meetings is the organisation pack's rule.
    let committee_at =
        state.store.org_rules(org.tenant_id, first.max(today.min(last))).await?.branch.committee_at_full_members;
    let held = state.store.held_meetings(&org.path, first, last).await?;
    let mut held_by: HashMap<(i64, &str), Vec<NaiveDate>> = HashMap::new();
    for (o, k, d) in &held {
        held_by.entry((*o, k.as_str())).or_default().push(*d);
    }
    let mut kinds = Vec::new();
    let mut obligations = Vec::new();
    for r in &pack.requirement {
        let periods = periods_in_quarter(r.frequency, year, quarter);
        if periods.is_empty() {
            continue;
        }
        let mut k = KindCompliance {
            kind: r.kind,
            frequency: r.frequency,
            source: pack.source(&r.source),
            required: 0,
            held: 0,
            missing: 0,
            pending: 0,
            rate: None,
            missed: Vec::new(),
            missed_count: 0,
        };
        let mut missed: BTreeMap<(String, i64), Vec<String>> = BTreeMap::new();
        for o in &orgs {
            let facts = OrgFacts {
                is_branch: o.kind == "branch",
                is_group: o.kind == "group",
                full_members: o.full_members,
                founded_on: o.established_on,
                committee_at,
            };
            if !applies(r, &facts) {
                continue;
            }
            let days = held_by.get(&(o.id, r.kind.code())).map_or(&[][..], |v| &v[..]);
            for p in &periods {
                let s = standing(&pack, *p, o.established_on, days, today);
                match s {
                    Standing::NotRequired => {}
                    Standing::Done => {
                        k.required += 1;
                        k.held += 1;
                    }
                    Standing::Missing => {
                        k.required += 1;
                        k.missing += 1;
                        missed.entry((o.path.clone(), o.id)).or_default().push(p.label(r.frequency));
                    }
                    Standing::Pending | Standing::DueSoon => {
                        k.required += 1;
                        k.pending += 1;
                    }
                }
                if !with_obligations {
                    continue;
                }
                obligations.push(Obligation {
                    org_id: o.id,
                    org_name: o.name.clone(),
                    kind: r.kind,
                    period: p.label(r.frequency),
                    start: p.start,
                    end: p.end,
                    standing: s,
                });
            }
        }
        let due = k.required - k.pending;
        k.rate = (due > 0).then(|| k.held as f64 / due as f64);
        let names: HashMap<i64, &str> = orgs.iter().map(|o| (o.id, o.name.as_str())).collect();
        k.missed_count = missed.len();
        k.missed = missed
            .into_iter()
            .take(MISSED_LISTED)
            .map(|((_, id), periods)| Missed { org_id: id, org_name: names[&id].to_string(), periods })
            .collect();
        kinds.push(k);
    }
    Ok(Compliance {
        org_id: org.id,
        year,
        quarter,
        rule_pack: pack.version,
        branches: orgs.iter().filter(|o| o.kind == "branch").count(),
        groups: orgs.iter().filter(|o| o.kind == "group").count(),
        kinds,
        obligations,
    })
}
