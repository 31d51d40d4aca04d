//! Application services: the steps a page and an API call share (and the
//! command line, for imports). They check scope and rules, call the store,
//! and return `AppError`s that both surfaces render in their own way.

pub mod decisions;
pub mod development;
pub mod dues;
pub mod dues_import;
pub mod exams;
pub mod learning;
pub mod life;
pub mod orgs;
pub mod reminders;
pub mod roster;
pub mod roster_import;
pub mod transfers;

use crate::error::{AppError, AppResult};

/// A subtree's computed figure from this node's cache, if it was computed at
/// the tenant's current version of `subject`; otherwise computed once
/// (concurrent misses share the computation) and kept, weighed by the rows
/// `compute` reports with it. The version is read before anything `compute`
/// reads, so a kept value is never older than its version; `key` holds the
/// organisation's path as read before it, so a move is another key.
pub(crate) async fn cached_figure<K, V, F, Fut>(
    state: &crate::AppState,
    cache: &crate::cache::VersionedCache<K, V>,
    tenant_id: i64,
    subject: ronghe_store::Figures,
    key: K,
    compute: F,
) -> AppResult<std::sync::Arc<V>>
where
    K: std::hash::Hash + Eq + Clone,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<(V, usize)>>,
{
    let version = state.store.figure_version(tenant_id, subject).await?;
    cache.get_or_compute(key, version, compute).await
}

/// [`cached_figure`] for a figure whose computation can outlast a request
/// (a national root's dues or compliance): computed in a task of its own.
/// When the tenant's version has moved past a value that was slow to
/// compute (`WebConfig::figure_patience`), that value is answered, saying
/// when it was counted, while one recount runs beside; a first computation
/// is waited for a few seconds, and then the page says it is being counted.
/// `previous` is the key of the same figure the day before (the day is part
/// of a figure's key), shown while the day's first count runs.
pub(crate) async fn counted_figure<K, V, F, Fut>(
    state: &crate::AppState,
    cache: &std::sync::Arc<crate::cache::VersionedCache<K, V>>,
    tenant_id: i64,
    subject: ronghe_store::Figures,
    key: K,
    previous: Option<K>,
    compute: F,
) -> AppResult<crate::cache::Figure<V>>
where
    K: std::hash::Hash + Eq + Clone + Send + Sync + 'static,
    V: Send + Sync + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = AppResult<(V, usize)>> + Send + 'static,
{
    let version = state.store.figure_version(tenant_id, subject).await?;
    cache.get_or_count(key, previous, version, state.config.figure_patience, compute).await
}

/// The organisation an id names, if the caller may do `action` there:
/// outside their scope it is not found, inside it without the right it is
/// forbidden (`Auth::require`). Every area's pages and API load theirs so.
pub async fn org_for(
    state: &crate::AppState,
    auth: &crate::auth::Auth,
    action: ronghe_domain::auth::Action,
    id: i64,
) -> AppResult<ronghe_store::Org> {
    let org = state.store.org(id).await?;
    auth.require(action, &org.path)?;
    Ok(org)
}

/// The signed-in user's own member record, when they are a member within
/// the subtree at `path`: what an exam, a lesson or a file offered there
/// reaches. None for anyone else (not a member, or a member elsewhere).
pub async fn own_member_within(
    state: &crate::AppState,
    auth: &crate::auth::Auth,
    path: &str,
) -> AppResult<Option<ronghe_store::MemberRecord>> {
    let Some(me) = auth.principal().member_id else {
        return Ok(None);
    };
    let m = state.store.member(me).await?;
    Ok(ronghe_domain::auth::path_within(&m.org_path, path).then_some(m))
}

/// A file's name as sent, without any folder a browser put before it.
pub fn file_name_only(file_name: &str) -> &str {
    file_name.trim().rsplit(['/', '\\']).next().unwrap_or("").trim()
}

/// The largest file accepted with a record (a document, a meeting's photo).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// An uploaded file's name without any folder, and its content type by
/// extension (what browsers need to show it inline; anything else
/// downloads); refused when empty or too large.
pub fn checked_upload<'a>(file_name: &'a str, bytes: &[u8]) -> AppResult<(&'a str, &'static str)> {
    let name = file_name_only(file_name);
    if name.is_empty() || bytes.is_empty() {
        return Err(AppError::Refused { field: "file", key: "dev.document_empty", params: vec![] });
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::Refused {
            field: "file",
            key: "dev.document_too_large",
            params: vec![("max_mb", (MAX_FILE_BYTES / 1024 / 1024).to_string())],
        });
    }
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let content_type = match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc" => "application/msword",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    Ok((name, content_type))
}
