//! Learning pages for a member: their year (class hours by source against
//! the requirement) and the courses offered to them, a course's lessons,
//! and a lesson page that measures study time by heartbeats while it is
//! open, visible and in use. No check-ins, no rankings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use ronghe_store::{CourseRow, LessonRecord, LessonRow};
use serde::Deserialize;

use super::{page, Chrome};
use crate::app::learning::{self, StudyYear};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/learn", get(home)).route("/courses/{id}", get(course)).route("/lessons/{id}", get(lesson))
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
