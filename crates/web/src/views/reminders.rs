//! A user's reminders (in-app), newest first, and marking them read.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use ronghe_store::NotificationRow;

use super::{page, Chrome};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/reminders", get(list)).route("/reminders/read", post(read))
}

#[derive(Template)]
#[template(path = "reminders.html")]
struct RemindersPage {
    page: Chrome,
    rows: Vec<NotificationRow>,
}

impl RemindersPage {
    fn when(&self, ms: &i64) -> String {
        super::datetime(*ms)
    }

    fn unread(&self) -> usize {
        self.rows.iter().filter(|r| r.read_at.is_none()).count()
    }
}

async fn list(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    let rows = state.store.notifications(auth.principal().user_id).await?;
    let title = Tr(auth.lang()).t("remind.title");
    page(RemindersPage { page: Chrome::new(&auth, title, "/reminders"), rows })
}

async fn read(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    state.store.mark_notifications_read(auth.principal().user_id).await?;
    Ok(Redirect::to("/reminders").into_response())
}
