//! Learning pages for a member: their year (class hours by source against
//! the requirement) and the courses offered to them, a course's lessons,
//! and a lesson page that measures study time by heartbeats while it is
//! open, visible and in use. No check-ins, no rankings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use ronghe_store::{CourseRow, ExamListing, LessonRecord, LessonRow, Org};
use serde::Deserialize;

use super::{page, Chrome};
use crate::app::learning::{self, Ranking, StudyReport, StudyYear};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/learn", get(home))
        .route("/members/{id}/study", get(member_study))
        .route("/courses/{id}", get(course))
        .route("/lessons/{id}", get(lesson))
        .route("/orgs/{id}/study", get(report))
        .route("/orgs/{id}/study/export.xlsx", get(export))
        .route("/media/{id}", get(media_file))
        .route("/orgs/{id}/study/ranking", get(ranking).post(set_ranking))
}

/// The course form, whose lessons may carry files.
pub fn upload_routes() -> Router<AppState> {
    Router::new().route("/orgs/{id}/courses", axum::routing::post(add_course))
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

#[derive(Template)]
#[template(path = "learning/home.html")]
struct HomePage {
    page: Chrome,
    s: StudyYear,
    courses: Vec<CourseRow>,
    exams: Vec<ExamListing>,
    /// Organisations on the member's path that show a study ranking.
    rankings: Vec<Org>,
}

impl HomePage {
    fn percent(&self) -> u32 {
        if self.s.required_hours == 0 {
            return 100;
        }
        ((self.s.hours.total / f64::from(self.s.required_hours)) * 100.0).clamp(0.0, 100.0) as u32
    }
}

async fn home(State(state): State<AppState>, auth: Auth, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let Some(me) = auth.principal().member_id else {
        return Err(AppError::Forbidden);
    };
    let m = state.store.member(me).await?;
    let s = learning::study_year(&state, &m, state.year_or_current(q.year)).await?;
    let courses = state.store.courses_for(&m.org_path).await?;
    let exams = state.store.exams_for(&m.org_path).await?;
    let rankings = learning::rankings_for(&state, &m).await?;
    page(HomePage { page: Chrome::new(&auth, Tr(auth.lang()).t("learn.title"), "/learn"), s, courses, exams, rankings })
}

#[derive(Template)]
#[template(path = "learning/member.html")]
struct MemberStudyPage {
    page: Chrome,
    name: String,
    s: StudyYear,
}

impl MemberStudyPage {
    /// Class hours kept in tenths, as read.
    fn hours(&self, x10: &i64) -> String {
        format!("{}.{}", x10 / 10, x10 % 10)
    }
}

/// A member's study year with the records behind each figure: time on
/// each lesson, training attended. For the member and readers of their branch.
async fn member_study(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let m = state.store.member(id).await?;
    learning::may_read(&auth, &m)?;
    let s = learning::study_year(&state, &m, state.year_or_current(q.year)).await?;
    let tr = Tr(auth.lang());
    page(MemberStudyPage {
        page: Chrome::new(&auth, format!("{} · {}", m.row.name, tr.t("learn.detail")), format!("/members/{id}/study")),
        name: m.row.name.clone(),
        s,
    })
}

#[derive(Template)]
#[template(path = "learning/course.html")]
struct CoursePage {
    page: Chrome,
    title: String,
    lessons: Vec<(LessonRow, i64)>,
}

impl CoursePage {
    fn minutes(&self, seconds: &i64) -> i64 {
        seconds / 60
    }
}

async fn course(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let lessons = state.store.course_lessons(id).await?;
    let first = lessons.first().ok_or(AppError::NotFound)?;
    let (record, member) = learning::studiable_lesson(&state, &auth, first.id).await?;
    let mut rows = Vec::new();
    for l in lessons {
        let seconds = state.store.lesson_seconds(member.row.id, l.id).await?;
        rows.push((l, seconds));
    }
    page(CoursePage {
        page: Chrome::new(&auth, record.course_title.clone(), format!("/courses/{id}")),
        title: record.course_title,
        lessons: rows,
    })
}

#[derive(Template)]
#[template(path = "learning/lesson.html")]
struct LessonPage {
    page: Chrome,
    l: LessonRecord,
    seconds: i64,
    interval: u32,
}

async fn lesson(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let (l, member) = learning::studiable_lesson(&state, &auth, id).await?;
    let seconds = state.store.lesson_seconds(member.row.id, id).await?;
    let pack = learning::rules_today(&state, member.tenant_id).await?;
    page(LessonPage {
        page: Chrome::new(&auth, l.lesson.title.clone(), format!("/lessons/{id}")),
        l,
        seconds,
        interval: pack.heartbeat.interval_seconds,
    })
}

#[derive(Template)]
#[template(path = "learning/report.html")]
struct ReportPage {
    page: Chrome,
    org: Org,
    r: std::sync::Arc<StudyReport>,
    /// The minute the online hours stand at, in local time.
    online_as_of: String,
    /// The members listed: `r.rows[from..to]`, with the pages around it.
    from: usize,
    to: usize,
    prev: Option<usize>,
    next: Option<usize>,
    /// "Members 1–100 of 763".
    shown: String,
    can_add: bool,
    error: Option<String>,
    /// What the course form sent (its text fields; files are sent again).
    sent: super::Sent,
}

/// Members listed on one page of the report (the export has them all).
const REPORT_PAGE: usize = 100;

#[derive(Debug, Default, serde::Deserialize)]
struct ReportQuery {
    year: Option<i32>,
    /// The first member listed (0-based), a multiple of [`REPORT_PAGE`];
    /// anything else (an empty field) is the first page.
    from: Option<String>,
}

async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLearning, id).await?;
    report_view(&state, &auth, org, q, None, super::Sent::default()).await
}

async fn report_view(
    state: &AppState,
    auth: &Auth,
    org: Org,
    q: ReportQuery,
    error: Option<String>,
    sent: super::Sent,
) -> AppResult<Response> {
    let r = learning::report(state, &org, state.year_or_current(q.year)).await?;
    let tr = Tr(auth.lang());
    let id = org.id;
    let last_page = r.rows.len().saturating_sub(1) / REPORT_PAGE * REPORT_PAGE;
    let asked: usize = q.from.as_deref().and_then(|f| f.trim().parse().ok()).unwrap_or(0);
    let from = (asked / REPORT_PAGE * REPORT_PAGE).min(last_page);
    let to = (from + REPORT_PAGE).min(r.rows.len());
    let shown = tr.tf(
        "learn.rows_shown",
        &[("first", &(from + 1).min(to).to_string()), ("last", &to.to_string()), ("all", &r.rows.len().to_string())],
    );
    super::form_page(
        error.is_some(),
        ReportPage {
            page: Chrome::new(auth, format!("{} · {}", org.name, tr.t("learn.report")), format!("/orgs/{id}/study")),
            can_add: auth.principal().can(ronghe_domain::auth::Action::WriteLearning, &org.path),
            online_as_of: tr.tf("learn.online_as_of", &[("at", &super::datetime(r.online_as_of.timestamp_millis()))]),
            from,
            to,
            prev: from.checked_sub(REPORT_PAGE),
            next: (to < r.rows.len()).then_some(to),
            shown,
            org,
            r,
            error,
            sent,
        },
    )
}

/// The course form (multipart): a title, a category, a due day if
/// required, and up to three lessons (`title_N`, `minutes_N`, and either
/// `body_N` text or a `file_N` PDF, video or audio). Files are kept first;
/// if the course is then refused, they stay unattached and unseen.
async fn add_course(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    mut multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    use axum::response::{IntoResponse, Redirect};
    let org = state.store.org(id).await?;
    auth.require(ronghe_domain::auth::Action::WriteLearning, &org.path)?;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut files: Vec<(String, String, axum::body::Bytes)> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::BadRequest("import.unreadable"))? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(|_| AppError::BadRequest("import.unreadable"))?;
                if !bytes.is_empty() {
                    files.push((name, file_name, bytes));
                }
            }
            None => fields.push((name, field.text().await.map_err(|_| AppError::BadRequest("import.unreadable"))?)),
        }
    }
    let get = |k: &str| fields.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let mut input = learning::CourseInput {
        title: get("title"),
        category: get("category"),
        description: String::new(),
        required_by: ronghe_domain::text::parse_date(&get("required_by")),
        required_of: Some(get("required_of")),
        lessons: vec![],
    };
    // Each lesson with its file, if one was sent.
    let mut lesson_files = Vec::new();
    for n in 1..=3 {
        let title = get(&format!("title_{n}"));
        if title.is_empty() {
            continue;
        }
        input.lessons.push(learning::LessonInput {
            title,
            kind: "text".into(),
            body: get(&format!("body_{n}")),
            url: String::new(),
            minutes: get(&format!("minutes_{n}")).parse().unwrap_or(0),
            media_id: None,
        });
        lesson_files.push(files.iter().find(|(k, _, _)| *k == format!("file_{n}")));
    }
    // Everything is checked (the course, then each file's kind) before a
    // file is kept, so a refused form keeps nothing.
    let outcome = async {
        learning::check_course(&state, &org, &input).await?;
        for (_, file_name, bytes) in lesson_files.iter().flatten() {
            learning::check_media(file_name, bytes)?;
        }
        for (lesson, file) in input.lessons.iter_mut().zip(&lesson_files) {
            if let Some((_, file_name, bytes)) = file {
                lesson.media_id = Some(learning::upload_media(&state, &auth, &org, file_name, bytes).await?);
            }
        }
        learning::create_course(&state, &auth, &org, &input).await
    }
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/study")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("learn.field"))?;
            report_view(&state, &auth, org, ReportQuery::default(), Some(message), super::Sent(fields)).await
        }
    }
}

/// A lesson file, with range requests so that a video or audio lesson
/// seeks (and a PDF opens a page at a time). The bytes are streamed chunk
/// by chunk from the database, never held whole.
async fn media_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    use ronghe_domain::learning::media::{span, Span};
    let m = learning::readable_media(&state, &auth, id).await?;
    let size = m.row.size as u64;
    let etag = format!("\"{}\"", m.row.digest);
    let common = [
        (header::ETAG, etag.clone()),
        (header::ACCEPT_RANGES, "bytes".to_string()),
        (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
    ];
    let header_is = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if header_is(header::IF_NONE_MATCH).is_some_and(|v| v == etag || v == "*") {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    // A range made against another version of the file is not honoured.
    let range = match header_is(header::IF_RANGE) {
        Some(v) if v != etag => None,
        _ => header_is(header::RANGE),
    };
    let (status, start, end) = match span(range, size) {
        Span::Whole => (StatusCode::OK, 0, size - 1),
        Span::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end),
        Span::Unsatisfiable => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                common,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response())
        }
    };
    let chunk = m.row.chunk_size.max(1) as u64;
    let store = state.store.clone();
    let stream = futures_util::stream::unfold(start, move |pos| {
        let store = store.clone();
        async move {
            if pos > end {
                return None;
            }
            let n = pos / chunk;
            let piece = match store.media_chunks(id, n as i64, n as i64).await {
                Ok(mut v) if v.len() == 1 => {
                    let data = axum::body::Bytes::from(v.remove(0));
                    let from = ((pos - n * chunk) as usize).min(data.len());
                    let to = ((end - n * chunk) as usize + 1).min(data.len());
                    Ok(data.slice(from..to.max(from)))
                }
                Ok(_) => Err(std::io::Error::other(format!("media {id}: chunk {n} missing"))),
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            // After an error, or a chunk shorter than promised, the stream ends.
            let next = match &piece {
                Ok(b) if !b.is_empty() => pos + b.len() as u64,
                _ => end + 1,
            };
            Some((piece, next))
        }
    });
    let disposition = format!("inline; filename*=UTF-8''{}", crate::error::urlencode(&m.row.file_name));
    let mut response = (
        status,
        common,
        [
            (header::CONTENT_TYPE, m.row.content_type.clone()),
            (header::CONTENT_LENGTH, (end - start + 1).to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response();
    if status == StatusCode::PARTIAL_CONTENT {
        let range = format!("bytes {start}-{end}/{size}");
        response.headers_mut().insert(header::CONTENT_RANGE, range.parse().map_err(|_| AppError::NotFound)?);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "learning/ranking.html")]
struct RankingPage {
    page: Chrome,
    r: Ranking,
}

/// A subtree's study ranking, where its organisation switched one on.
async fn ranking(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let r = learning::ranking(&state, &auth, id, state.year_or_current(q.year)).await?;
    let tr = Tr(auth.lang());
    page(RankingPage {
        page: Chrome::new(&auth, format!("{} · {}", r.org_name, tr.t("learn.ranking")), format!("/orgs/{id}/study")),
        r,
    })
}

#[derive(Debug, Deserialize)]
struct RankingForm {
    on: String,
}

/// Switches the study ranking on (`on=1`) or off.
async fn set_ranking(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<RankingForm>,
) -> AppResult<Response> {
    use axum::response::{IntoResponse, Redirect};
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLearning, id).await?;
    learning::set_ranking(&state, &auth, &org, f.on == "1").await?;
    Ok(Redirect::to(&format!("/orgs/{id}/study")).into_response())
}

/// The subtree's study report as .xlsx; audited (it names people).
async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    use ronghe_exchange::{write_report, Cell, Sheet};
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLearning, id).await?;
    let r = learning::report(&state, &org, state.year_or_current(q.year)).await?;
    let tr = Tr(auth.lang());
    let tenths = |h: f64| Cell::Text(format!("{h:.1}"));
    let sheet = Sheet {
        name: tr.t("learn.report").chars().take(28).collect(),
        columns: vec![
            (tr.t("member.name").into(), 12.0),
            (tr.t("member.org").into(), 26.0),
            (tr.t("learn.online").into(), 10.0),
            (tr.t("learn.offline").into(), 10.0),
            (tr.t("learn.total").into(), 12.0),
            (tr.t("learn.required").into(), 10.0),
            (tr.t("learn.remaining").into(), 10.0),
            (tr.t("learn.required_courses").into(), 14.0),
        ],
        rows: r
            .rows
            .iter()
            .map(|m| {
                vec![
                    Cell::Text(m.name.clone()),
                    Cell::Text(m.org_name.clone()),
                    tenths(m.online),
                    tenths(m.offline),
                    tenths(m.total),
                    Cell::Int(i64::from(m.required)),
                    tenths(m.remaining),
                    Cell::Text(format!("{}/{}", m.required_done, m.required_total)),
                ]
            })
            .collect(),
    };
    let bytes = write_report(&[sheet]).map_err(|e| AppError::Internal(e.into()))?;
    state
        .store
        .audit(
            &auth.actor(),
            ronghe_store::AuditEntry::new("study.export", "org", id)
                .org(id)
                .detail(serde_json::json!({"year": r.year})),
        )
        .await?;
    Ok(super::attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("study-{}-{}.xlsx", org.code, r.year),
        bytes,
    ))
}
