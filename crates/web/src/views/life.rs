//! Organisational-life pages: an organisation's quarter (compliance by kind
//! for any subtree; for a branch or group its own obligations at a glance,
//! its meetings and the planning form), a meeting's page (attendance, the
//! room's sign-in code, minutes, resolutions with named votes, sealing),
//! and a member's meetings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use ronghe_domain::auth::Action;
use ronghe_domain::meetings::Kind;
use ronghe_domain::meetings::Period;
use ronghe_domain::text::parse_date;
use ronghe_store::{MeetingRow, Org};
use serde::Deserialize;

use super::{counting, form_page, page_with, Chrome};
use crate::app::life::{
    self, Compliance, Mark, MeetingView, Obligation, PlanInput, RatingInput, ResolutionInput, ScheduleInput, VoteInput,
};
use crate::auth::Auth;
use crate::cache::Figure;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/life", get(org_page).post(plan))
        .route("/meetings/{id}", get(meeting_page))
        .route("/orgs/{id}/life/schedule", post(schedule))
        .route("/meetings/{id}/attendance", post(attendance))
        .route("/meetings/{id}/ratings", post(ratings))
        .route("/meetings/{id}/files", post(upload))
        .route("/meetings/{id}/files/{file}", get(download))
        .route("/meetings/{id}/signin-code", post(signin_code))
        .route("/meetings/{id}/sign-in", post(sign_in))
        .route("/meetings/{id}/minutes", post(minutes))
        .route("/meetings/{id}/resolutions", post(resolution))
        .route("/meetings/{id}/seal", post(seal))
        .route("/meetings/{id}/cancel", post(cancel))
        .route("/meetings/{id}/correction", post(correction))
        .route("/meetings/{id}/minutes.docx", get(minutes_docx))
        .route("/orgs/{id}/life/book.xlsx", get(record_book))
        .route("/members/{id}/meetings", get(member_page))
}

#[derive(Debug, Deserialize)]
struct QuarterQuery {
    year: Option<i32>,
    quarter: Option<u32>,
}

#[derive(Template)]
#[template(path = "life/org.html")]
struct OrgPage {
    page: Chrome,
    org: Org,
    c: std::sync::Arc<Compliance>,
    /// This organisation's own obligations (a branch's or group's).
    own: Vec<Obligation>,
    meetings: Vec<MeetingRow>,
    can_plan: bool,
    kinds: Vec<&'static str>,
    form: PlanForm,
    error: Option<String>,
    prev: (i32, u32),
    next: (i32, u32),
}

impl OrgPage {
    fn scope(&self) -> String {
        let (b, g) = (self.c.branches.to_string(), self.c.groups.to_string());
        self.page.tr.tf("meeting.scope", &[("branches", &b), ("groups", &g)])
    }

    fn percent(&self, r: &Option<f64>) -> String {
        r.map_or_else(|| "—".into(), |r| format!("{:.0}%", r * 100.0))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct PlanForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    recorder: String,
}

async fn org_view(
    state: &AppState,
    auth: &Auth,
    org: Org,
    (year, quarter): (i32, u32),
    form: PlanForm,
    error: Option<String>,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    // A branch or group also shows its own obligations: its subtree is
    // itself and its groups, so computing it with every obligation is cheap
    // and serves both. Larger subtrees read the cached counts.
    let title = format!("{} · {}", org.name, tr.t("meeting.title"));
    let here = format!("/orgs/{}/life?year={year}&quarter={quarter}", org.id);
    let (figure, own): (Figure<Compliance>, Vec<Obligation>) = if org.kind.holds_members() {
        let mut all = life::compliance_on(state, &org, year, quarter, state.today()).await?;
        let own = std::mem::take(&mut all.obligations).into_iter().filter(|o| o.org_id == org.id).collect();
        (Figure::Current(std::sync::Arc::new(all)), own)
    } else {
        (life::compliance(state, &org, year, quarter).await?, vec![])
    };
    let Some(c) = figure.value().cloned() else { return counting(auth, &org, title, here) };
    let Period { start: from, end: to } = Period::year(year);
    let meetings = if org.kind.holds_members() { state.store.org_meetings(org.id, from, to).await? } else { vec![] };
    use ronghe_domain::org::OrgKind;
    let kinds: Vec<&'static str> = Kind::ALL
        .iter()
        .filter(|k| match org.kind {
            OrgKind::Group => matches!(k, Kind::Group | Kind::Other),
            OrgKind::Branch => **k != Kind::Group,
            _ => false,
        })
        .map(|k| k.code())
        .collect();
    let can_plan = !kinds.is_empty() && auth.principal().can(Action::WriteLife, &org.path);
    let prev = if quarter == 1 { (year - 1, 4) } else { (year, quarter - 1) };
    let next = if quarter == 4 { (year + 1, 1) } else { (year, quarter + 1) };
    form_page(
        error.is_some(),
        OrgPage {
            page: Chrome::new(auth, title, here).counted(state, &figure),
            org,
            c,
            own,
            meetings,
            can_plan,
            kinds,
            form,
            error,
            prev,
            next,
        },
    )
}

async fn org_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<QuarterQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLife, id).await?;
    let yq = life::quarter_or_current(&state, q.year, q.quarter);
    let form = PlanForm { planned_on: state.today().to_string(), starts_at: "15:00".into(), ..Default::default() };
    org_view(&state, &auth, org, yq, form, None).await
}

async fn plan(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<PlanForm>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteLife, &org.path)?;
    let input = PlanInput {
        kind: f.kind.clone(),
        topic: f.topic.clone(),
        planned_on: parse_date(&f.planned_on),
        starts_at: f.starts_at.clone(),
        place: f.place.clone(),
        agenda: f.agenda.clone(),
        host: f.host.clone(),
        recorder: f.recorder.clone(),
    };
    match life::plan(&state, &auth, &org, &input, None).await {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{m}")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("meeting.field"))?;
            let yq = life::quarter_or_current(&state, None, None);
            org_view(&state, &auth, org, yq, f, Some(message)).await
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct ScheduleForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    day_of_month: String,
    #[serde(default)]
    from_month: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    place: String,
}

async fn schedule(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<ScheduleForm>,
) -> AppResult<Response> {
    let org = state.store.org(id).await?;
    auth.require(Action::WriteLife, &org.path)?;
    let input = ScheduleInput {
        meeting: PlanInput {
            kind: f.kind.clone(),
            topic: f.topic.clone(),
            place: f.place.clone(),
            starts_at: "15:00".into(),
            ..Default::default()
        },
        day_of_month: f.day_of_month.trim().parse().unwrap_or(0),
        from_month: f.from_month.clone(),
        months: f.months.trim().parse().unwrap_or(0),
    };
    match life::schedule(&state, &auth, &org, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/life")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("meeting.field"))?;
            let yq = life::quarter_or_current(&state, None, None);
            let form = PlanForm { kind: f.kind, topic: f.topic, ..Default::default() };
            org_view(&state, &auth, org, yq, form, Some(message)).await
        }
    }
}

/// The appraisal's ratings: `rating_<member>` for each member.
async fn ratings(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let ratings: Vec<RatingInput> = f
        .iter()
        .filter_map(|(k, v)| {
            Some(RatingInput { member_id: k.strip_prefix("rating_")?.parse().ok()?, rating: v.clone() })
        })
        .collect();
    let r = life::rate(&state, &auth, &m, &ratings).await;
    done(&state, &auth, id, "ratings", r).await
}

async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    mut multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::BadRequest("import.unreadable"))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest("import.unreadable"))?;
            file = Some((name, bytes));
        }
    }
    let (name, bytes) = file.unwrap_or_default();
    let r = life::add_file(&state, &auth, &m, &name, &bytes).await.map(|_| ());
    done(&state, &auth, id, "files", r).await
}

async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, file)): Path<(i64, i64)>,
) -> AppResult<Response> {
    life::readable_meeting(&state, &auth, id).await?;
    let (row, bytes) = state.store.meeting_file(id, file).await?;
    Ok(super::attachment(&row.content_type, &row.file_name, bytes))
}

#[derive(Template)]
#[template(path = "life/meeting.html")]
struct MeetingPage {
    page: Chrome,
    v: MeetingView,
    org: Org,
    can_write: bool,
    /// Whether the signed-in user is expected (and may sign in).
    expected: bool,
    /// The room's code, shown to the recorder while valid.
    code: Option<String>,
    today: String,
    error: Option<(String, String)>,
    /// What the form with the error sent.
    sent: super::Sent,
}

impl MeetingPage {
    fn error_for(&self, form: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == form).map(|(_, m)| m.as_str())
    }

    fn ratings(&self) -> &'static [ronghe_domain::meetings::Rating] {
        ronghe_domain::meetings::Rating::ALL
    }

    fn voters(&self) -> Vec<&ronghe_store::AttendeeRow> {
        self.v.attendees.iter().filter(|a| a.entitled == 1 && a.present == 1).collect()
    }

    fn votes_text(&self, r: &ronghe_store::ResolutionRow) -> String {
        let tr = self.page.tr;
        let votes: serde_json::Value = serde_json::from_str(&r.votes).unwrap_or_default();
        votes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| Some(format!("{}（{}）", v["name"].as_str()?, tr.v("dev_choice", v["choice"].as_str()?))))
            .collect::<Vec<_>>()
            .join("、")
    }

    fn summary(&self, r: &ronghe_store::ResolutionRow) -> String {
        let n = |x: i64| x.to_string();
        self.page.tr.tf(
            "meeting.vote_summary",
            &[
                ("entitled", &n(r.entitled)),
                ("present", &n(r.present)),
                ("agree", &n(r.agree)),
                ("disagree", &n(r.disagree)),
                ("abstain", &n(r.abstain)),
            ],
        )
    }
}

async fn meeting_view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    error: Option<(String, String)>,
    sent: super::Sent,
) -> AppResult<Response> {
    let m = life::readable_meeting(state, auth, id).await?;
    let tr = Tr(auth.lang());
    let can_write = auth.principal().can(Action::WriteLife, &m.org_path);
    let now = chrono::Utc::now().timestamp_millis();
    let code = if can_write && m.row.signin_until.is_some_and(|u| u >= now) { m.row.signin_code.clone() } else { None };
    let org = state.store.org(m.row.org_id).await?;
    let title = format!("{} · {}", m.row.topic, tr.v("meeting_kind", &m.row.kind));
    let v = life::view(state, m).await?;
    let expected = auth.principal().member_id.is_some_and(|me| v.attendees.iter().any(|a| a.member_id == me));
    form_page(
        error.is_some(),
        MeetingPage {
            page: Chrome::new(auth, title, format!("/meetings/{id}")),
            v,
            org,
            can_write,
            expected,
            code,
            today: state.today().to_string(),
            error,
            sent,
        },
    )
}

async fn meeting_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    meeting_view(&state, &auth, id, None, super::Sent::default()).await
}

/// After a form: back to the meeting, or the meeting with the message.
async fn done(state: &AppState, auth: &Auth, id: i64, form: &str, r: AppResult<()>) -> AppResult<Response> {
    done_keeping(state, auth, id, form, r, super::Sent::default()).await
}

/// As `done`, filling the form again with what it sent when it failed.
async fn done_keeping(
    state: &AppState,
    auth: &Auth,
    id: i64,
    form: &str,
    r: AppResult<()>,
    sent: super::Sent,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("meeting.field"))?;
            meeting_view(state, auth, id, Some((form.to_string(), message)), sent).await
        }
    }
}

/// The attendance form: `present_<member>` checked for those present,
/// `reason_<member>` for the others.
async fn attendance(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let attendees = state.store.meeting_attendees(id).await?;
    let get = |k: String| f.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone());
    let marks: Vec<Mark> = attendees
        .iter()
        .map(|a| Mark {
            member_id: a.member_id,
            present: get(format!("present_{}", a.member_id)).is_some(),
            absence_reason: get(format!("reason_{}", a.member_id)).unwrap_or_default(),
        })
        .collect();
    let r = life::mark_attendance(&state, &auth, &m, &marks).await;
    done(&state, &auth, id, "attendance", r).await
}

async fn signin_code(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let r = life::open_signin(&state, &auth, &m).await.map(|_| ());
    done(&state, &auth, id, "signin", r).await
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn sign_in(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    life::readable_meeting(&state, &auth, id).await?;
    let r = life::sign_in(&state, &auth, id, &f.code).await;
    done(&state, &auth, id, "sign_in", r).await
}

#[derive(Debug, Deserialize)]
struct MinutesForm {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    version: String,
}

async fn minutes(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<MinutesForm>,
) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let r = life::record_minutes(&state, &auth, &m, parse_date(&f.held_on), &f.minutes, f.version.parse().ok()).await;
    let sent = super::Sent(vec![("held_on".into(), f.held_on.clone()), ("minutes".into(), f.minutes.clone())]);
    done_keeping(&state, &auth, id, "minutes", r, sent).await
}

/// The resolution form: the text and `vote_<member>` for each voter present.
async fn resolution(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let text = f.iter().find(|(k, _)| k == "text").map(|(_, v)| v.clone()).unwrap_or_default();
    let votes = f
        .iter()
        .filter_map(|(k, v)| {
            let id: i64 = k.strip_prefix("vote_")?.parse().ok()?;
            (!v.is_empty() && v != "absent").then(|| VoteInput { member_id: id, choice: v.clone() })
        })
        .collect();
    let r = life::add_resolution(&state, &auth, &m, &ResolutionInput { text, votes }).await.map(|_| ());
    done_keeping(&state, &auth, id, "resolution", r, super::Sent(f)).await
}

async fn seal(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let r = life::seal(&state, &auth, &m).await.map(|_| ());
    done(&state, &auth, id, "seal", r).await
}

#[derive(Debug, Deserialize)]
struct CancelForm {
    #[serde(default)]
    reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    let r = life::cancel(&state, &auth, &m, &f.reason).await;
    done(&state, &auth, id, "cancel", r).await
}

async fn correction(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let m = life::readable_meeting(&state, &auth, id).await?;
    match life::correct(&state, &auth, &m).await {
        Ok(new) => Ok(Redirect::to(&format!("/meetings/{new}")).into_response()),
        Err(e) => done(&state, &auth, id, "seal", Err(e)).await,
    }
}

#[derive(Template)]
#[template(path = "life/member.html")]
struct MemberPage {
    page: Chrome,
    name: String,
    member_id: i64,
    year: i32,
    meetings: Vec<(MeetingRow, i64, String)>,
    attended: usize,
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

/// A member's meetings in a year: where they were expected, whether they
/// came, and what they missed.
async fn member_page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    if auth.principal().member_id != Some(id) {
        auth.require(Action::ReadLife, &m.org_path)?;
    }
    let year = state.year_or_current(q.year);
    let Period { start: from, end: to } = Period::year(year);
    let meetings = state.store.member_meetings(id, from, to).await?;
    let tr = Tr(auth.lang());
    page_with(
        StatusCode::OK,
        MemberPage {
            page: Chrome::new(
                &auth,
                format!("{} · {}", m.row.name, tr.t("meeting.my_meetings")),
                format!("/members/{id}/meetings"),
            ),
            attended: meetings.iter().filter(|(_, a, _)| *a == 1).count(),
            name: m.row.name,
            member_id: id,
            year,
            meetings,
        },
    )
}

/// A meeting's minutes as the form secretaries print and file (.docx):
/// the particulars, who came and who did not (with reasons), the minutes,
/// the resolutions with their named votes, and the seal.
async fn minutes_docx(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    use ronghe_exchange::{write_docx, Block};
    let m = life::readable_meeting(&state, &auth, id).await?;
    let tr = Tr(auth.lang());
    let org = state.store.org(m.row.org_id).await?;
    let v = life::view(&state, m).await?;
    let row = &v.meeting;
    let present: Vec<&str> = v.attendees.iter().filter(|a| a.present == 1).map(|a| a.name.as_str()).collect();
    let absent: Vec<String> =
        v.attendees
            .iter()
            .filter(|a| a.present == 0)
            .map(|a| {
                if a.absence_reason.is_empty() {
                    a.name.clone()
                } else {
                    format!("{}（{}）", a.name, a.absence_reason)
                }
            })
            .collect();
    let mut table = vec![
        (tr.t("meeting.kind").to_string(), tr.v("meeting_kind", &row.kind).to_string()),
        (tr.t("meeting.topic").to_string(), row.topic.clone()),
        (tr.t("meeting.held_on").to_string(), format!("{} {}", row.held_on.unwrap_or(row.planned_on), row.starts_at)),
        (tr.t("meeting.place").to_string(), row.place.clone()),
        (tr.t("meeting.host").to_string(), row.host.clone()),
        (tr.t("meeting.recorder").to_string(), row.recorder.clone()),
        (tr.t("meeting.attendees").to_string(), v.attendees.len().to_string()),
        (tr.t("meeting.present").to_string(), format!("{}：{}", present.len(), present.join("、"))),
        (tr.t("meeting.absent").to_string(), format!("{}：{}", absent.len(), absent.join("、"))),
    ];
    if !row.agenda.is_empty() {
        table.push((tr.t("meeting.agenda").to_string(), row.agenda.clone()));
    }
    table.push((tr.t("meeting.minutes").to_string(), row.minutes.clone()));
    for r in &v.resolutions {
        let votes: serde_json::Value = serde_json::from_str(&r.votes).unwrap_or_default();
        let named: Vec<String> = votes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| Some(format!("{}（{}）", x["name"].as_str()?, tr.v("dev_choice", x["choice"].as_str()?))))
            .collect();
        let n = |x: i64| x.to_string();
        let summary = tr.tf(
            "meeting.vote_summary",
            &[
                ("entitled", &n(r.entitled)),
                ("present", &n(r.present)),
                ("agree", &n(r.agree)),
                ("disagree", &n(r.disagree)),
                ("abstain", &n(r.abstain)),
            ],
        );
        let result = if r.passed == 1 { tr.t("meeting.passed") } else { tr.t("meeting.not_passed") };
        table.push((
            format!("{} {}", tr.t("meeting.resolutions"), r.seq),
            format!("{}（{result}）\n{summary}\n{}", r.text, named.join("、")),
        ));
    }
    if let Some((seq, hash)) = &v.seal {
        table.push((tr.t("meeting.sealed_hash").to_string(), format!("#{seq} {hash}")));
    }
    let blocks = vec![Block::Title(format!("{}{}", org.name, tr.t("meeting.minutes"))), Block::Table(table)];
    let bytes = write_docx(&blocks).map_err(|e| AppError::Internal(e.into()))?;
    state
        .store
        .audit(&auth.actor(), ronghe_store::AuditEntry::new("meeting.export", "meeting", id).org(org.id))
        .await?;
    Ok(super::attachment(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("{}-{}.docx", row.held_on.unwrap_or(row.planned_on), row.topic),
        bytes,
    ))
}

/// A branch's (or group's) yearly record book (.xlsx): every meeting of the
/// year with attendance, absences and resolutions, and each obligation of
/// the year with where it stands.
async fn record_book(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    use ronghe_exchange::{write_report, Cell, Sheet};
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLife, id).await?;
    let tr = Tr(auth.lang());
    let year = state.year_or_current(q.year);
    let Period { start: from, end: to } = Period::year(year);
    let meetings = state.store.org_meetings(org.id, from, to).await?;
    let mut rows = Vec::new();
    for m in meetings.iter().rev() {
        let attendees = state.store.meeting_attendees(m.id).await?;
        let resolutions = state.store.meeting_resolutions(m.id).await?;
        let absences: Vec<String> = attendees
            .iter()
            .filter(|a| a.present == 0)
            .map(|a| {
                if a.absence_reason.is_empty() {
                    a.name.clone()
                } else {
                    format!("{}（{}）", a.name, a.absence_reason)
                }
            })
            .collect();
        let seal = state.store.meeting_seal(m.id).await?.map(|(_, h)| h).unwrap_or_default();
        rows.push(vec![
            Cell::Text(m.held_on.unwrap_or(m.planned_on).to_string()),
            Cell::Text(tr.v("meeting_kind", &m.kind).to_string()),
            Cell::Text(m.topic.clone()),
            Cell::Int(attendees.len() as i64),
            Cell::Int(attendees.iter().filter(|a| a.present == 1).count() as i64),
            Cell::Text(absences.join("、")),
            Cell::Text(resolutions.iter().map(|r| r.text.clone()).collect::<Vec<_>>().join("；")),
            Cell::Text(tr.v("meeting_status", &m.status).to_string()),
            Cell::Text(seal),
        ]);
    }
    let mut obligations = Vec::new();
    for quarter in 1..=4 {
        let c = life::compliance_on(&state, &org, year, quarter, state.today()).await?;
        for o in c.obligations.iter().filter(|o| o.org_id == org.id) {
            obligations.push(vec![
                Cell::Text(o.period.clone()),
                Cell::Text(tr.v("meeting_kind", o.kind.code()).to_string()),
                Cell::Text(tr.v("standing", o.standing.code()).to_string()),
            ]);
        }
    }
    let sheets = vec![
        Sheet {
            name: tr.t("meeting.meetings").into(),
            columns: vec![
                (tr.t("meeting.held_on").into(), 12.0),
                (tr.t("meeting.kind").into(), 14.0),
                (tr.t("meeting.topic").into(), 36.0),
                (tr.t("meeting.attendees").into(), 8.0),
                (tr.t("meeting.present").into(), 8.0),
                (tr.t("meeting.absent").into(), 30.0),
                (tr.t("meeting.resolutions").into(), 30.0),
                (tr.t("meeting.status").into(), 10.0),
                (tr.t("meeting.sealed_hash").into(), 30.0),
            ],
            rows,
        },
        Sheet {
            name: tr.t("meeting.obligations").chars().take(28).collect(),
            columns: vec![
                (tr.t("meeting.quarter").into(), 12.0),
                (tr.t("meeting.kind").into(), 16.0),
                (tr.t("meeting.status").into(), 12.0),
            ],
            rows: obligations,
        },
    ];
    let bytes = write_report(&sheets).map_err(|e| AppError::Internal(e.into()))?;
    state
        .store
        .audit(
            &auth.actor(),
            ronghe_store::AuditEntry::new("meeting.book_export", "org", id)
                .org(id)
                .detail(serde_json::json!({"year": year})),
        )
        .await?;
    Ok(super::attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}-{year}.xlsx", org.code),
        bytes,
    ))
}
