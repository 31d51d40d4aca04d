//! Learning pages for a member: their year (class hours by source against
//! the requirement) and the courses offered to them, a course's lessons,
//! and a lesson page that measures study time by heartbeats while it is
//! open, visible and in use. No check-ins, no rankings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use ronghe_store::{CourseRow, LessonRecord, LessonRow, Org};
use serde::Deserialize;

use super::{page, Chrome};
use crate::app::learning::{self, StudyReport, StudyYear};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/learn", get(home))
        .route("/courses/{id}", get(course))
        .route("/lessons/{id}", get(lesson))
        .route("/orgs/{id}/study", get(report))
        .route("/orgs/{id}/courses", axum::routing::post(add_course))
        .route("/orgs/{id}/study/export.xlsx", get(export))
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
    let s = learning::study_year(&state, &m, learning::year_or_current(&state, q.year)).await?;
    let courses = state.store.courses_for(&m.org_path).await?;
    page(HomePage { page: Chrome::new(&auth, Tr(auth.lang()).t("learn.title"), "/learn"), s, courses })
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
    r: StudyReport,
    can_add: bool,
    error: Option<String>,
}

async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let org = crate::app::org_for(&state, &auth, ronghe_domain::auth::Action::ReadLearning, id).await?;
    report_view(&state, &auth, org, q.year, None).await
}

async fn report_view(
    state: &AppState,
    auth: &Auth,
    org: Org,
    year: Option<i32>,
    error: Option<String>,
) -> AppResult<Response> {
    let r = learning::report(state, &org, learning::year_or_current(state, year)).await?;
    let tr = Tr(auth.lang());
    let id = org.id;
    let status =
        if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    super::page_with(
        status,
        ReportPage {
            page: Chrome::new(auth, format!("{} · {}", org.name, tr.t("learn.report")), format!("/orgs/{id}/study")),
            can_add: auth.principal().can(ronghe_domain::auth::Action::WriteLearning, &org.path),
            org,
            r,
            error,
        },
    )
}

/// The course form: a title, a category, a due day if required, and up to
/// three text lessons (`title_N`, `minutes_N`, `body_N`).
async fn add_course(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    use axum::response::{IntoResponse, Redirect};
    let org = state.store.org(id).await?;
    auth.require(ronghe_domain::auth::Action::WriteLearning, &org.path)?;
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let lessons = (1..=3)
        .filter(|n| !get(&format!("title_{n}")).is_empty())
        .map(|n| learning::LessonInput {
            title: get(&format!("title_{n}")),
            kind: "text".into(),
            body: get(&format!("body_{n}")),
            url: String::new(),
            minutes: get(&format!("minutes_{n}")).parse().unwrap_or(0),
        })
        .collect();
    let input = learning::CourseInput {
        title: get("title"),
        category: get("category"),
        description: String::new(),
        required_by: ronghe_domain::text::parse_date(&get("required_by")),
        lessons,
    };
    match learning::create_course(&state, &auth, &org, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/study")).into_response()),
        Err(e) => {
            let message = super::form_error(Tr(auth.lang()), e, Some("learn.field"))?;
            report_view(&state, &auth, org, None, Some(message)).await
        }
    }
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
    let r = learning::report(&state, &org, learning::year_or_current(&state, q.year)).await?;
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
