//! Learning: the courses offered to a member (their organisation's and
//! those of every organisation above it), honest study time from a lesson
//! page's heartbeats, offline training recorded by the organiser, and a
//! member's year: class hours by source against the requirement.

use std::sync::Arc;

use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::learning::media::{self, MediaKind};
use ronghe_domain::learning::{Accrual, Beat, LearningRulePack, RequiredOf};
use ronghe_domain::meetings::Period;
use ronghe_domain::members::FieldError;
use ronghe_store::{LessonRecord, LessonStudy, MediaRecord, MemberRecord, NewLesson, Org, TrainingRow};
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// A member's study year.
#[derive(Debug, Clone, Serialize)]
pub struct StudyYear {
    pub member_id: i64,
    pub year: i32,
    /// Class hours by source: online (heartbeats) and offline (training).
    pub hours: Hours,
    /// Class hours required this year (more for secretaries and committee members).
    pub required_hours: u32,
    /// What is left to reach the requirement (0 once reached).
    pub remaining_hours: f64,
    /// Whether the officers' requirement applies.
    pub officer: bool,
    pub class_hour_minutes: u32,
    /// The regulation the requirement comes from.
    pub rule: String,
    pub rule_pack: String,
    /// The records behind the offline hours: training attended.
    pub trainings: Vec<TrainingRow>,
    /// The records behind the online hours: time on each lesson.
    pub lessons: Vec<LessonStudy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hours {
    pub online: f64,
    pub offline: f64,
    pub total: f64,
}

/// Members see their own study; readers of the subtree see its members'.
pub fn may_read(auth: &Auth, m: &MemberRecord) -> AppResult<()> {
    if auth.principal().member_id == Some(m.row.id) {
        return Ok(());
    }
    auth.require(Action::ReadLearning, &m.org_path)
}

pub async fn study_year(state: &AppState, m: &MemberRecord, year: i32) -> AppResult<StudyYear> {
    let Period { start: from, end: to } = Period::year(year);
    let pack = state.store.learning_rules(m.tenant_id, to.min(state.today()).max(from)).await?;
    // Online hours are the sum of the lesson rows shown beside them.
    let lessons = state.store.member_lesson_study(m.row.id, from, to).await?;
    let online = pack.class_hours(lessons.iter().map(|l| l.seconds).sum());
    let trainings = state.store.member_trainings(m.row.id, from, to).await?;
    // Offline hours are recorded in tenths: summed as integers.
    let offline = trainings.iter().map(|t| t.hours_x10).sum::<i64>() as f64 / 10.0;
    let officer = state.store.was_officer(m.row.id, from, to).await?;
    let required = pack.required(officer);
    let total = ((online + offline) * 10.0).round() / 10.0;
    Ok(StudyYear {
        member_id: m.row.id,
        year,
        hours: Hours { online, offline, total },
        required_hours: required,
        remaining_hours: ((f64::from(required) - total).max(0.0) * 10.0).round() / 10.0,
        officer,
        class_hour_minutes: pack.hours.class_hour_minutes,
        rule: pack.source(&pack.hours.source),
        rule_pack: pack.version,
        trainings,
        lessons,
    })
}

/// A lesson the signed-in member may study: one offered to their organisation.
pub async fn studiable_lesson(state: &AppState, auth: &Auth, id: i64) -> AppResult<(LessonRecord, MemberRecord)> {
    let lesson = state.store.lesson(id).await?;
    let member = crate::app::own_member_within(state, auth, &lesson.org_path).await?.ok_or(AppError::NotFound)?;
    Ok((lesson, member))
}

/// Takes a heartbeat from a lesson page.
pub async fn heartbeat(state: &AppState, auth: &Auth, lesson_id: i64, beat: &Beat) -> AppResult<(Accrual, i64)> {
    let (lesson, member) = studiable_lesson(state, auth, lesson_id).await?;
    if beat.tab.is_empty() || beat.tab.len() > 64 {
        return Err(AppError::refused("tab", "learn.bad_beat", vec![]));
    }
    let today = state.today();
    let pack = state.store.learning_rules(member.tenant_id, today).await?;
    let now = chrono::Utc::now().timestamp_millis();
    Ok(state.store.study_beat(&pack, member.tenant_id, member.row.id, &lesson.lesson, beat, now, today).await?)
}

/// A course as offered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CourseInput {
    pub title: String,
    pub category: String,
    pub description: String,
    /// Required of every member of the organisation's subtree by this day
    /// (none: optional). Members are reminded as it falls due.
    pub required_by: Option<NaiveDate>,
    /// Whom it is required of: `members` (the default) or `officers`
    /// (secretaries and committee members).
    pub required_of: Option<String>,
    pub lessons: Vec<LessonInput>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LessonInput {
    pub title: String,
    /// `text` or `link`.
    pub kind: String,
    pub body: String,
    pub url: String,
    /// How long the lesson takes, in minutes (its class hours follow).
    pub minutes: i64,
    /// A file uploaded with `POST /api/v1/orgs/{id}/media` (a PDF, video or
    /// audio lesson; the kind is the file's).
    pub media_id: Option<i64>,
}

pub async fn create_course(state: &AppState, auth: &Auth, org: &Org, c: &CourseInput) -> AppResult<i64> {
    auth.require(Action::WriteLearning, &org.path)?;
    let lessons = check_course(state, org, c).await?;
    Ok(state
        .store
        .create_required_course(
            &auth.actor(),
            org.id,
            c.title.trim(),
            c.category.trim(),
            c.description.trim(),
            c.required_by,
            required_of(c)?,
            &lessons,
        )
        .await?)
}

fn required_of(c: &CourseInput) -> AppResult<RequiredOf> {
    match c.required_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(RequiredOf::Members),
        Some(code) => RequiredOf::from_code(code)
            .ok_or(AppError::Invalid(vec![FieldError { field: "required_of", key: "learn.bad_required_of" }])),
    }
}

/// Checks a course as offered by `org`, every field at once.
pub async fn check_course(state: &AppState, org: &Org, c: &CourseInput) -> AppResult<Vec<NewLesson>> {
    let mut errors = Vec::new();
    if c.title.trim().is_empty() {
        errors.push(FieldError { field: "title", key: "field.required" });
    }
    if required_of(c).is_err() {
        errors.push(FieldError { field: "required_of", key: "learn.bad_required_of" });
    }
    if c.lessons.is_empty() {
        errors.push(FieldError { field: "lessons", key: "field.required" });
    }
    let mut lessons = Vec::new();
    for l in &c.lessons {
        let kind = match (l.kind.trim(), l.media_id) {
            (_, Some(media)) => match state.store.media(media).await {
                // The file must be visible wherever the course is: uploaded
                // by the course's organisation or one above it.
                Ok(m) if ronghe_domain::auth::path_within(&org.path, &m.org_path) => {
                    MediaKind::from_code(&m.row.kind).map(MediaKind::code)
                }
                Ok(_) | Err(ronghe_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            ("text", None) => Some("text"),
            ("link", None) if l.url.starts_with("https://") || l.url.starts_with("http://") => Some("link"),
            _ => None,
        };
        let Some(kind) = kind else {
            errors.push(FieldError { field: "lessons", key: "learn.bad_lesson" });
            continue;
        };
        if l.title.trim().is_empty() || !(1..=600).contains(&l.minutes) {
            errors.push(FieldError { field: "lessons", key: "learn.bad_lesson" });
            continue;
        }
        lessons.push(NewLesson {
            title: l.title.trim().to_string(),
            kind,
            body: l.body.clone(),
            url: if kind == "link" { l.url.trim().to_string() } else { String::new() },
            minutes: l.minutes,
            media_id: l.media_id,
        });
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(AppError::Invalid(errors));
    }
    Ok(lessons)
}

/// Keeps a lesson file (PDF, video, audio) uploaded by an organisation,
/// refused unless its name and first bytes agree on an accepted kind.
pub async fn upload_media(state: &AppState, auth: &Auth, org: &Org, file_name: &str, bytes: &[u8]) -> AppResult<i64> {
    auth.require(Action::WriteLearning, &org.path)?;
    let (name, kind, content_type) = check_media(file_name, bytes)?;
    Ok(state.store.add_media(&auth.actor(), org.id, name, kind.code(), content_type, bytes).await?)
}

/// Checks a lesson file before anything is kept: its name (without any
/// folder a browser sends), and that name and bytes agree on a kind.
pub fn check_media<'a>(file_name: &'a str, bytes: &[u8]) -> AppResult<(&'a str, MediaKind, &'static str)> {
    let name = crate::app::file_name_only(file_name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::refused("file_name", "field.required", vec![]));
    }
    if bytes.is_empty() {
        return Err(AppError::refused("file", "learn.empty_file", vec![]));
    }
    let Some((kind, content_type)) = media::sniff(name, bytes) else {
        return Err(AppError::refused("file", "learn.bad_media", vec![]));
    };
    Ok((name, kind, content_type))
}

/// A lesson file the signed-in user may fetch: one uploaded by their
/// organisation or one above it (a member), or within the subtree they read.
pub async fn readable_media(state: &AppState, auth: &Auth, id: i64) -> AppResult<MediaRecord> {
    let m = state.store.media(id).await?;
    if auth.principal().can(Action::ReadLearning, &m.org_path)
        || crate::app::own_member_within(state, auth, &m.org_path).await?.is_some()
    {
        return Ok(m);
    }
    Err(AppError::NotFound)
}

/// Offline training as the organiser records it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TrainingInput {
    pub title: String,
    pub held_on: Option<NaiveDate>,
    /// Class hours, to the tenth (e.g. `3.5`).
    pub hours: String,
    /// The members who attended.
    pub attendees: Vec<i64>,
}

/// Parses class hours to tenths (`3.5` → 35), refusing more precision.
pub fn parse_hours(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, tenth) = s.split_once('.').unwrap_or((s, "0"));
    if tenth.len() != 1 || whole.is_empty() {
        return None;
    }
    let n = whole.parse::<i64>().ok()? * 10 + tenth.parse::<i64>().ok()?;
    (1..=2400).contains(&n).then_some(n)
}

pub async fn record_training(state: &AppState, auth: &Auth, org: &Org, t: &TrainingInput) -> AppResult<i64> {
    auth.require(Action::WriteLearning, &org.path)?;
    let mut errors = Vec::new();
    if t.title.trim().is_empty() {
        errors.push(FieldError { field: "title", key: "field.required" });
    }
    let hours = parse_hours(&t.hours);
    if hours.is_none() {
        errors.push(FieldError { field: "hours", key: "learn.bad_hours" });
    }
    match t.held_on {
        None => errors.push(FieldError { field: "held_on", key: "field.required" }),
        Some(d) if d > state.today() => errors.push(FieldError { field: "held_on", key: "date.in_future" }),
        Some(_) => {}
    }
    let mut ids = t.attendees.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        errors.push(FieldError { field: "attendees", key: "field.required" });
    } else if state.store.members_in(&org.path, &ids).await?.len() != ids.len() {
        errors.push(FieldError { field: "attendees", key: "learn.attendee_outside" });
    }
    let (Some(hours), Some(held_on), true) = (hours, t.held_on, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    Ok(state.store.record_training(&auth.actor(), org.id, t.title.trim(), held_on, hours, &ids).await?)
}

/// The learning rules in force today, for a lesson page's heartbeat interval.
pub async fn rules_today(state: &AppState, tenant_id: i64) -> AppResult<LearningRulePack> {
    Ok(state.store.learning_rules(tenant_id, state.today()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_hours_are_read_to_the_tenth() {
        assert_eq!(parse_hours("3"), Some(30));
        assert_eq!(parse_hours("3.5"), Some(35));
        assert_eq!(parse_hours("0.1"), Some(1));
        assert_eq!(parse_hours("3.25"), None);
        assert_eq!(parse_hours("0"), None);
        assert_eq!(parse_hours(".5"), None);
        assert_eq!(parse_hours("abc"), None);
    }
}

/// One member's line in a subtree's study report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub member_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub online: f64,
    pub offline: f64,
    pub total: f64,
    pub required: u32,
    pub remaining: f64,
    pub officer: bool,
    /// Required courses completed, of those required of the member.
    pub required_done: usize,
    pub required_total: usize,
}

/// A required course's completion in the subtree.
#[derive(Debug, Clone, Serialize)]
pub struct RequiredCourse {
    pub course_id: i64,
    pub title: String,
    pub required_by: Option<NaiveDate>,
    /// `members` or `officers`: whom it is required of (`members` counts them).
    pub required_of: String,
    pub completed: usize,
    pub members: usize,
}

/// A subtree's study in a year: each member's class hours against the
/// requirement, how many have met it, and the required courses' completion.
#[derive(Debug, Clone, Serialize)]
pub struct StudyReport {
    pub org_id: i64,
    pub year: i32,
    /// The minute the online hours stand at (the report is kept for up to a
    /// minute while people study; see [`report`]).
    pub online_as_of: chrono::DateTime<chrono::Utc>,
    pub members: usize,
    /// Members who have met their requirement.
    pub met: usize,
    pub rule: String,
    pub required_courses: Vec<RequiredCourse>,
    /// The exams offered to the subtree, with how many took and passed each.
    pub exams: Vec<crate::app::exams::ExamSummary>,
    /// Whether the organisation shows a study ranking (off unless switched on).
    pub ranking_on: bool,
    pub rows: Vec<ReportRow>,
}

/// A member's class hours online, offline and in all, to the tenth.
fn hours_of(pack: &LearningRulePack, m: &ronghe_store::MemberStudy) -> (f64, f64, f64) {
    let online = pack.class_hours(m.online_seconds);
    let offline = m.offline_x10 as f64 / 10.0;
    (online, offline, ((online + offline) * 10.0).round() / 10.0)
}

/// What a subtree's study report is cached by: tenant, organisation, its
/// path as read before the version, year, the day (which rule pack is in
/// force) and the minute its online study time stands at.
pub type ReportKey = (i64, i64, String, i32, NaiveDate, i64);

/// A subtree's study report. Computed once per node while the tenant's
/// `study` figure version (kept by triggers on everything the report reads
/// but online study time: migration 0024) stays the same and the minute has
/// not turned, and then read from the node's cache.
///
/// Online study time is the one figure kept on a clock: every learner's
/// heartbeat writes it (every 30 s), so a version counting those writes
/// would change several times a second while people study and leave the
/// report computed on every view. The report says which minute its online
/// hours and required-course completions (both read from study time) stand
/// at; everything a person records (trainings, offices, courses, exam
/// results, members) shows on the next view.
pub async fn report(state: &AppState, org: &Org, year: i32) -> AppResult<Arc<StudyReport>> {
    report_at(state, org, year, chrono::Utc::now().timestamp_millis()).await
}

/// [`report`] as of `now_ms` (milliseconds since the epoch).
pub async fn report_at(state: &AppState, org: &Org, year: i32, now_ms: i64) -> AppResult<Arc<StudyReport>> {
    let today = state.today();
    let minute = now_ms.div_euclid(60_000);
    let key = (org.tenant_id, org.id, org.path.clone(), year, today, minute);
    super::cached_figure(state, &state.study, org.tenant_id, ronghe_store::Figures::Study, key, || async {
        let r = compute_report(state, org, year, today, minute * 60_000).await?;
        let rows = r.rows.len();
        Ok((r, 1 + rows))
    })
    .await
}

/// What [`report`] computes on a miss: never cached. `as_of_ms` is the
/// minute the online hours are said to stand at.
pub async fn compute_report(
    state: &AppState,
    org: &Org,
    year: i32,
    today: NaiveDate,
    as_of_ms: i64,
) -> AppResult<StudyReport> {
    let Period { start: from, end: to } = Period::year(year);
    let pack = state.store.learning_rules(org.tenant_id, to.min(today).max(from)).await?;
    let study = state.store.subtree_study(&org.path, from, to).await?;
    let required = state.store.required_completions(&org.path, from, to).await?;
    let for_officers_only = |c: &ronghe_store::CourseRow| c.required_of == RequiredOf::Officers.code();
    let officers_only = required.iter().filter(|(c, _)| for_officers_only(c)).count();
    let mut done_by: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for (_, members) in &required {
        for m in members {
            *done_by.entry(*m).or_default() += 1;
        }
    }
    let rows: Vec<ReportRow> = study
        .into_iter()
        .map(|m| {
            let (online, offline, total) = hours_of(&pack, &m);
            let req = pack.required(m.officer > 0);
            ReportRow {
                required_done: done_by.get(&m.id).copied().unwrap_or(0),
                // Courses required of officers count only for officers.
                required_total: required.len() - if m.officer > 0 { 0 } else { officers_only },
                member_id: m.id,
                name: m.name,
                org_id: m.org_id,
                org_name: m.org_name,
                online,
                offline,
                total,
                required: req,
                remaining: ((f64::from(req) - total).max(0.0) * 10.0).round() / 10.0,
                officer: m.officer > 0,
            }
        })
        .collect();
    Ok(StudyReport {
        org_id: org.id,
        year,
        online_as_of: chrono::DateTime::from_timestamp_millis(as_of_ms).unwrap_or_default(),
        members: rows.len(),
        met: rows.iter().filter(|r| r.remaining == 0.0).count(),
        rule: pack.source(&pack.hours.source),
        required_courses: required
            .iter()
            .map(|(c, done)| RequiredCourse {
                course_id: c.id,
                title: c.title.clone(),
                required_by: c.required_by,
                completed: done.len(),
                members: rows.iter().filter(|r| r.officer || !for_officers_only(c)).count(),
                required_of: c.required_of.clone(),
            })
            .collect(),
        exams: crate::app::exams::summaries(state, org).await?,
        ranking_on: !state.store.rankings_on(&[org.id]).await?.is_empty(),
        rows,
    })
}

/// A subtree's study ranking, shown only where its organisation switched
/// rankings on (off by default: no formalism).
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    /// Top members by class hours this year: (rank, member, hours); equal
    /// hours share a rank.
    pub rows: Vec<RankRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub rank: usize,
    pub member_id: i64,
    pub name: String,
    pub org_name: String,
    pub hours: f64,
}

/// How many a ranking lists.
const RANKING_TOP: usize = 50;

/// The ranking of an organisation's subtree, for its members and for
/// readers of it; refused where the organisation has not switched it on.
pub async fn ranking(state: &AppState, auth: &Auth, org_id: i64, year: i32) -> AppResult<Ranking> {
    let org = state.store.org(org_id).await?;
    if !auth.principal().can(Action::ReadLearning, &org.path)
        && crate::app::own_member_within(state, auth, &org.path).await?.is_none()
    {
        return Err(AppError::NotFound);
    }
    if state.store.rankings_on(&[org.id]).await?.is_empty() {
        return Err(AppError::refused("ranking", "learn.ranking_off", vec![]));
    }
    // Only the hours: not the report's required courses and exams.
    let Period { start: from, end: to } = Period::year(year);
    let pack = state.store.learning_rules(org.tenant_id, to.min(state.today()).max(from)).await?;
    let mut rows: Vec<(f64, ronghe_store::MemberStudy)> =
        state.store.subtree_study(&org.path, from, to).await?.into_iter().map(|m| (hours_of(&pack, &m).2, m)).collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    let mut ranked: Vec<RankRow> = Vec::new();
    for (i, (hours, m)) in rows.into_iter().take(RANKING_TOP).enumerate() {
        let rank = match ranked.last() {
            Some(prev) if prev.hours == hours => prev.rank,
            _ => i + 1,
        };
        ranked.push(RankRow { rank, member_id: m.id, name: m.name, org_name: m.org_name, hours });
    }
    Ok(Ranking { org_id: org.id, org_name: org.name, year, rows: ranked })
}

/// Switches an organisation's study ranking on or off.
pub async fn set_ranking(state: &AppState, auth: &Auth, org: &Org, on: bool) -> AppResult<()> {
    auth.require(Action::WriteLearning, &org.path)?;
    Ok(state.store.set_ranking(&auth.actor(), org.id, on).await?)
}

/// The organisations on a member's path that show a ranking.
pub async fn rankings_for(state: &AppState, m: &MemberRecord) -> AppResult<Vec<Org>> {
    let mut out = Vec::new();
    for id in state.store.rankings_on(&ronghe_store::path_ids(&m.org_path)).await? {
        out.push(state.store.org(id).await?);
    }
    Ok(out)
}
