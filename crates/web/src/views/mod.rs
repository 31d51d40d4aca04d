//! Server-rendered pages, one module per area of the domain. Each page is
//! an askama template struct holding a [`Chrome`] (the frame: title, menu,
//! language switch, CSRF token) and its own data.
//!
//! htmx fragments (the roster's rows, a tree node's children) are served
//! from the same handlers as the full pages: a request with `HX-Request`
//! gets the fragment, a direct load gets the whole page.

mod accounts;
mod audit;
mod decisions;
mod development;
mod dues;
mod exams;
mod imports;
mod learning;
mod life;
mod members;
mod org_pick;
mod orgs;
mod reminders;
mod session;
mod transfers;

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use ronghe_domain::auth::{Action, Principal, Role};
use ronghe_domain::Lang;

use crate::auth::{Auth, RequestCtx};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(session::routes())
        .merge(accounts::routes())
        .merge(orgs::routes())
        .merge(members::routes())
        .merge(imports::routes())
        .merge(audit::routes())
        .merge(dues::routes())
        .merge(development::routes())
        .merge(transfers::routes())
        .merge(life::routes())
        .merge(decisions::routes())
        .merge(reminders::routes())
        .merge(learning::routes())
        .merge(exams::routes())
}

/// Page routes that take lesson files, under the larger media body limit.
pub fn media_upload_routes() -> Router<AppState> {
    learning::upload_routes()
}

pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// The frame around every page.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub user_name: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// The current URL, for the language switch to come back to.
    pub here: String,
    /// When the page's figures were counted, if not at the records' current
    /// version (local time, `figure.counted_at`).
    pub counted_at: Option<String>,
    /// Seconds after which the page reloads itself (a figure being counted).
    pub refresh: Option<u32>,
}

impl Chrome {
    pub fn new(auth: &Auth, title: impl Into<String>, here: impl Into<String>) -> Chrome {
        let tr = Tr(auth.lang());
        let here = here.into();
        Chrome {
            tr,
            title: title.into(),
            user_name: auth.principal().display_name.clone(),
            csrf: auth.user.csrf.clone(),
            nav: nav(tr, auth.principal(), &here),
            here,
            counted_at: None,
            refresh: None,
        }
    }

    /// Says on the page when its figure was counted, if it is an earlier
    /// count shown while a recount runs (`cache::Figure::Earlier`).
    pub fn counted<V>(mut self, state: &AppState, figure: &crate::cache::Figure<V>) -> Chrome {
        self.counted_at = figure.counted_at().map(|at| state.local_minute(at));
        self
    }

    /// For pages seen before signing in.
    pub fn anonymous(lang: Lang, title: impl Into<String>, here: impl Into<String>) -> Chrome {
        Chrome {
            tr: Tr(lang),
            title: title.into(),
            user_name: String::new(),
            csrf: String::new(),
            nav: vec![],
            here: here.into(),
            counted_at: None,
            refresh: None,
        }
    }

    pub fn signed_in(&self) -> bool {
        !self.user_name.is_empty()
    }

    /// The language switch's target.
    pub fn lang_switch(&self) -> String {
        let to = if self.tr.is_en() { "zh-CN" } else { "en" };
        format!("/lang/{to}?next={}", crate::error::urlencode(&self.here))
    }
}

fn nav(tr: Tr, p: &Principal, here: &str) -> Vec<NavItem> {
    let mut items = Vec::new();
    let mut add = |href: String, key: &'static str| items.push(NavItem { href, label: tr.t(key), active: false });
    if p.can_somewhere(Action::ReadOrg) {
        add("/orgs".into(), "nav.orgs");
    }
    if let Some(root) = p.scopes(Action::ReadRoster).first() {
        add(format!("/orgs/{}/members", root.org_id), "nav.roster");
    }
    if let Some(root) = p.scopes(Action::ReadDevelopment).first() {
        add(format!("/orgs/{}/development", root.org_id), "nav.development");
    }
    if let Some(root) = p.scopes(Action::ReadLife).first() {
        add(format!("/orgs/{}/life", root.org_id), "nav.life");
    } else if let Some(m) = p.member_id {
        add(format!("/members/{m}/meetings"), "nav.life");
    }
    if let Some(root) = p.scopes(Action::ReadDecisions).first() {
        add(format!("/orgs/{}/decisions", root.org_id), "decisions.nav");
    }
    if let Some(m) = p.member_id {
        add(format!("/members/{m}"), "nav.me");
    }
    if p.member_id.is_some() {
        add("/learn".into(), "nav.learn");
    }
    if p.member_id.is_some() || p.can_somewhere(Action::WriteLife) {
        add("/reminders".into(), "nav.reminders");
    }
    if p.can_somewhere(Action::ReadAudit) {
        add("/audit".into(), "nav.audit");
    }
    if p.can_somewhere(Action::ManageAccounts) || p.can_somewhere(Action::ManageRoles) {
        add("/account".into(), "nav.accounts");
    }
    // The item whose address is the longest prefix of this page is current
    // (the query, such as a page's year, aside).
    let here = here.split('?').next().unwrap_or(here);
    if let Some(best) = items
        .iter_mut()
        .filter(|i| here == i.href || here.starts_with(&format!("{}/", i.href)))
        .max_by_key(|i| i.href.len())
    {
        best.active = true;
    }
    items
}

/// Where a user lands after signing in: their roster, their organisation,
/// their own record, or the audit log, by what their roles allow.
pub fn landing(p: &Principal) -> String {
    if let Some(b) = p.scopes(Action::ReadRoster).first() {
        return format!("/orgs/{}", b.org_id);
    }
    if p.has_role(Role::AuditAdmin) {
        return "/audit".into();
    }
    if let Some(m) = p.member_id {
        return format!("/members/{m}");
    }
    if let Some(b) = p.bindings.iter().find(|b| b.role.allows(Action::ReadOrg)) {
        return format!("/orgs/{}", b.org_id);
    }
    "/account".into()
}

async fn home(ctx: RequestCtx) -> Response {
    match &ctx.user {
        Some(u) => Redirect::to(&landing(&u.principal)).into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

/// A refusal, invalid input or conflict as the message shown beside the
/// form that caused it (the form comes back with what was typed); other
/// errors go on as errors. `labels` is the catalogue section naming the
/// form's fields (`dev.field`), so each problem says which field it is.
pub fn form_error(tr: Tr, e: crate::error::AppError, labels: Option<&str>) -> AppResult<String> {
    use crate::error::AppError;
    match e {
        AppError::Refused { key, params, .. } => {
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Ok(tr.tf(key, &params))
        }
        AppError::Invalid(fields) => Ok(fields
            .iter()
            .map(|f| match labels {
                Some(section) => format!("{}：{}", tr.t(&format!("{section}.{}", f.field)), tr.t(f.key)),
                None => tr.t(f.key).to_string(),
            })
            .collect::<Vec<_>>()
            .join("；")),
        AppError::Conflict(key) => Ok(tr.t(key).to_string()),
        other => Err(other),
    }
}

/// A file to download under its own name (UTF-8, as RFC 6266 says), never
/// sniffed into something the browser would run.
pub fn attachment(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    use axum::http::header;
    let disposition =
        format!("attachment; filename=\"download\"; filename*=UTF-8''{}", crate::error::urlencode(file_name));
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Renders a template as an HTML response.
pub fn page<T: Template>(t: T) -> AppResult<Response> {
    page_with(StatusCode::OK, t)
}

/// What a form sent, to fill it in again when it comes back with an error
/// (nothing typed is lost). Empty when the page is drawn afresh.
#[derive(Debug, Clone, Default)]
pub struct Sent(pub Vec<(String, String)>);

impl Sent {
    /// The value sent for a field, if the form was sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value sent for a field, or empty.
    pub fn or_empty(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }
}

/// Renders a page that holds forms: 422 when one was sent back with an
/// error, 200 otherwise.
pub fn form_page<T: Template>(failed: bool, t: T) -> AppResult<Response> {
    page_with(if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK }, t)
}

/// Renders a template with a status other than 200 (a form sent back with
/// errors is a 422, so that scripts and tests can tell).
pub fn page_with<T: Template>(status: StatusCode, t: T) -> AppResult<Response> {
    Ok((status, Html(t.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "counting.html")]
struct CountingPage {
    page: Chrome,
    org_id: i64,
    org_name: String,
}

/// What a page of an organisation's figures answers while they are counted
/// for the first time (`cache::Figure::Counting`): 202, and it reloads
/// itself.
pub fn counting(
    auth: &Auth,
    org: &ronghe_store::Org,
    title: impl Into<String>,
    here: impl Into<String>,
) -> AppResult<Response> {
    let mut page = Chrome::new(auth, title, here);
    page.refresh = Some(COUNTING_RETRY_SECS);
    page_with(StatusCode::ACCEPTED, CountingPage { page, org_id: org.id, org_name: org.name.clone() })
}

/// Seconds a page or API client is asked to wait before asking again for
/// a figure being counted.
pub const COUNTING_RETRY_SECS: u32 = 5;

/// Whether htmx asked for a fragment.
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Chrome,
    status: u16,
    message: String,
    request_id: String,
}

/// The page shown for an error response (see `error::render_errors`).
pub fn error_page(lang: Lang, status: StatusCode, message: &str, request_id: &str) -> String {
    let tr = Tr(lang);
    let t = ErrorPage {
        page: Chrome::anonymous(lang, tr.t("error.title"), "/"),
        status: status.as_u16(),
        message: message.to_string(),
        request_id: request_id.to_string(),
    };
    t.render().unwrap_or_else(|_| format!("{} {}", status.as_u16(), message))
}

/// The templates' own filters (`{{ m.birth_date|day }}`); a view module
/// whose templates use them imports this module as `filters`.
pub mod filters {
    use chrono::{Datelike, NaiveDate};

    /// A date as `YYYY-MM-DD`, written straight into the page. chrono's
    /// `Display` goes through its general formatter, and askama escaped its
    /// output a character at a time: together a twentieth of a branch's
    /// roster page in instructions (two dates a line; `valgrind
    /// --tool=callgrind` of `ronghe serve`).
    pub fn day(d: &NaiveDate, _: &dyn askama::Values) -> askama::Result<Day> {
        Ok(Day(*d))
    }

    pub struct Day(NaiveDate);

    impl std::fmt::Display for Day {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let (y, m, d) = (self.0.year(), self.0.month(), self.0.day());
            if !(0..=9999).contains(&y) {
                return write!(f, "{}", self.0);
            }
            let y = y as u32;
            let digit = |n: u32| b'0' + (n % 10) as u8;
            let text = [
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                b'-',
                digit(m / 10),
                digit(m),
                b'-',
                digit(d / 10),
                digit(d),
            ];
            f.write_str(std::str::from_utf8(&text).expect("ASCII digits"))
        }
    }

    /// Digits and dashes only (or chrono's text, which is the same with a
    /// sign), so there is nothing to escape.
    impl askama::filters::HtmlSafe for Day {}

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_day_is_written_as_chrono_writes_it() {
            let mut d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
            while d.year() < 10_001 {
                assert_eq!(Day(d).to_string(), d.to_string());
                d = d
                    .checked_add_days(chrono::Days::new(if d.year() < 1890 || d.year() > 2110 { 97 } else { 1 }))
                    .unwrap();
            }
            let far = NaiveDate::from_ymd_opt(-44, 3, 15).unwrap();
            assert_eq!(Day(far).to_string(), far.to_string());
        }
    }
}

/// Formats Unix milliseconds as local (UTC+8) date and time.
pub fn datetime(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 8 * 3_600_000)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
