//! Roster import: upload, a preview that names every problem by row and
//! column, and a confirmation that writes all rows or none.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use ronghe_domain::auth::Action;
use ronghe_store::Org;

use super::{page, page_with, Chrome};
use crate::app::roster_import::{self, ImportReport};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/{id}/import", get(upload_form).post(upload))
        .route("/orgs/{id}/import/{draft}/commit", post(commit))
        .route("/orgs/{id}/import/template", get(template))
}

#[derive(Template)]
#[template(path = "imports/upload.html")]
struct UploadPage {
    page: Chrome,
    org: Org,
}

/// A row of the preview: what will be added, where.
pub struct PreviewRow {
    pub name: String,
    pub id_number: String,
    pub category: &'static str,
    pub org: String,
}

#[derive(Template)]
#[template(path = "imports/preview.html")]
struct PreviewPage {
    page: Chrome,
    org: Org,
    report: ImportReport,
    draft_id: Option<i64>,
    preview: Vec<PreviewRow>,
    imported: Option<usize>,
}

async fn load_scope(state: &AppState, auth: &Auth, id: i64) -> AppResult<Org> {
    let org = state.store.org(id).await?;
    auth.require(Action::ImportRoster, &org.path)?;
    Ok(org)
}

async fn upload_form(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    let org = load_scope(&state, &auth, id).await?;
    let tr = Tr(auth.lang());
    page(UploadPage { page: Chrome::new(&auth, tr.t("import.title"), format!("/orgs/{id}/import")), org })
}

async fn analyse(state: &AppState, auth: &Auth, org: &Org, file_name: &str, bytes: &[u8]) -> AppResult<ImportReport> {
    let p = auth.principal().clone();
    let may_write = move |o: &Org| p.can(Action::WriteRoster, &o.path);
    roster_import::analyse(&state.store, org, file_name, bytes, state.today(), auth.lang(), &may_write).await
}

fn preview_rows(tr: Tr, report: &ImportReport) -> Vec<PreviewRow> {
    report
        .ready
        .iter()
        .take(200)
        .map(|(org_id, d)| PreviewRow {
            name: d.name.clone(),
            id_number: d.id_number.masked(),
            category: tr.v("category", d.category.code()),
            org: report.org_names.get(org_id).cloned().unwrap_or_default(),
        })
        .collect()
}

async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let org = load_scope(&state, &auth, id).await?;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::BadRequest("import.unreadable"))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest("import.unreadable"))?;
            file = Some((name, bytes));
        }
    }
    let (file_name, bytes) = file.filter(|(_, b)| !b.is_empty()).ok_or(AppError::BadRequest("import.no_file"))?;
    let report = analyse(&state, &auth, &org, &file_name, &bytes).await?;
    let draft_id = if report.ok() {
        Some(
            state
                .store
                .stash_import("roster", org.tenant_id, auth.principal().user_id, org.id, &file_name, &bytes)
                .await?,
        )
    } else {
        None
    };
    let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    preview(&auth, status, org, report, draft_id, None)
}

/// The preview page: the problems, or the rows to add, or what was added.
fn preview(
    auth: &Auth,
    status: StatusCode,
    org: Org,
    report: ImportReport,
    draft_id: Option<i64>,
    imported: Option<usize>,
) -> AppResult<Response> {
    let tr = Tr(auth.lang());
    page_with(
        status,
        PreviewPage {
            page: Chrome::new(auth, tr.t("import.preview_title"), format!("/orgs/{}/import", org.id)),
            preview: preview_rows(tr, &report),
            org,
            report,
            draft_id,
            imported,
        },
    )
}

/// An empty roster with the recognised headers, to fill in.
async fn template(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> AppResult<Response> {
    load_scope(&state, &auth, id).await?;
    let bytes = ronghe_exchange::write_xlsx(&[], auth.lang())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"roster-template.xlsx\""),
        ],
        bytes,
    )
        .into_response())
}

/// Checks the stashed file again (the roster may have changed since the
/// preview) and writes it whole.
async fn commit(State(state): State<AppState>, auth: Auth, Path((id, draft)): Path<(i64, i64)>) -> AppResult<Response> {
    let org = load_scope(&state, &auth, id).await?;
    let stashed = state.store.import_draft("roster", draft, auth.principal().user_id).await?;
    if stashed.org_id != org.id {
        return Err(AppError::NotFound);
    }
    let report = analyse(&state, &auth, &org, &stashed.file_name, &stashed.content).await?;
    let imported = if report.ok() {
        let n = roster_import::commit(&state.store, &auth.actor(), &report).await?;
        state.store.drop_import(draft).await?;
        Some(n)
    } else {
        None
    };
    let status = if imported.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    preview(&auth, status, org, report, None, imported)
}
