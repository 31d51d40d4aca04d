//! The reminder job: for every secretary, the meetings of their branch and
//! its groups that fall due within the meetings pack's warning days and
//! have not been held; member-development deadlines coming up (the
//! development pack's lead time) or passed; transfers needing attention;
//! decision tasks past their day under supervision;
//! and, for members, required courses falling due that they have not finished. Each becomes an in-app reminder (once, by its key)
//! and, when new, goes out through the other senders. Only obligations
//! that fall due are reminded of: no daily nagging, no check-ins.

use chrono::{Datelike, NaiveDate};
use ronghe_domain::meetings::Standing;
use serde::Serialize;

use crate::error::AppResult;
use crate::i18n::Tr;
use crate::notify::{Notice, Sender};
use crate::AppState;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Reminders recorded in-app for the first time.
    pub created: usize,
    /// Per sender: (name, sent, failed).
    pub sent: Vec<(&'static str, usize, usize)>,
}

/// The reminders due on `today`, before the senders.
pub async fn due(state: &AppState, today: NaiveDate) -> AppResult<Vec<Notice>> {
    let tr = Tr(ronghe_domain::Lang::Zh);
    let quarter = (today.month() - 1) / 3 + 1;
    let mut out = Vec::new();
    for k in state.store.life_keepers().await? {
        let org = state.store.org(k.org_id).await?;
        let notice = |key: String, title: String, body: String, link: String| Notice {
            user_id: k.user_id,
            username: k.username.clone(),
            email: k.email.clone(),
            key,
            title,
            body,
            link,
        };
        // Member development: deadlines coming up within the pack's lead
        // time, and those passed.
        let dev_pack = state.store.development_rules(org.tenant_id, today).await?;
        let lead = chrono::Duration::days(i64::from(dev_pack.remind_days_before));
        for p in crate::app::development::pipeline_on(state, tr, &org, today).await?.people {
            let due =
                p.overdue.iter().cloned().chain(p.next_due.clone()).filter(|d| d.overdue || d.due <= today + lead);
            for d in due {
                let step = tr.v("dev_step", d.step);
                let key = if d.overdue { "remind.dev_overdue" } else { "remind.dev_due" };
                out.push(notice(
                    format!("dev:{}:{}:{}", p.id, d.step, d.due),
                    tr.tf(key, &[("name", &p.name), ("step", step), ("due", &d.due.to_string())]),
                    p.org_name.clone(),
                    format!("/members/{}/development", p.id),
                ));
            }
        }
        // Transfers: expired letters, receipts not back, members not reported.
        for t in crate::app::transfers::overview_on(state, &org, today).await?.transfers {
            for w in &t.warnings {
                out.push(notice(
                    format!("transfer:{}:{}", t.transfer.id, w.key),
                    format!("{}：{} {}", t.transfer.person_name, tr.t(w.key), w.since),
                    format!("{} → {}", t.transfer.from_name, t.transfer.to_name),
                    format!("/transfers/{}", t.transfer.id),
                ));
            }
        }
        // Decisions under supervision: execution tasks past their day.
        for t in state.store.overdue_topic_tasks(&org.path, today).await? {
            out.push(notice(
                format!("topic_task:{}:overdue", t.id),
                tr.tf(
                    "decision.task_overdue",
                    &[("task", &t.title), ("owner", &t.owner), ("due", &t.due_on.to_string())],
                ),
                t.topic_title.clone(),
                format!("/topics/{}", t.topic_id),
            ));
        }
        let c = crate::app::life::compliance_on(state, &org, today.year(), quarter, today).await?;
        for o in c.obligations.iter().filter(|o| o.standing == Standing::DueSoon) {
            let kind = tr.v("meeting_kind", o.kind.code());
            out.push(Notice {
                user_id: k.user_id,
                username: k.username.clone(),
                email: k.email.clone(),
                key: format!("life:{}:{}:{}", o.org_id, o.kind.code(), o.period),
                title: tr.tf("remind.life_title", &[("org", &o.org_name), ("kind", kind), ("period", &o.period)]),
                body: tr.tf("remind.life_body", &[("org", &o.org_name), ("kind", kind), ("end", &o.end.to_string())]),
                link: format!("/orgs/{}/life", o.org_id),
            });
        }
    }
    // Required courses falling due that a member has not finished.
    // Members of one organisation share its courses, and a group its pack:
    // each is read once, not once a member.
    let mut leads: std::collections::HashMap<i64, chrono::Duration> = Default::default();
    let mut offered: std::collections::HashMap<String, Vec<ronghe_store::CourseRow>> = Default::default();
    for (user_id, tenant_id, username, email, member_id, path) in state.store.member_accounts().await? {
        if let std::collections::hash_map::Entry::Vacant(slot) = leads.entry(tenant_id) {
            let pack = state.store.learning_rules(tenant_id, today).await?;
            slot.insert(chrono::Duration::days(i64::from(pack.remind_days_before)));
        }
        let lead = leads[&tenant_id];
        if let std::collections::hash_map::Entry::Vacant(slot) = offered.entry(path.clone()) {
            slot.insert(
                state.store.courses_for(&path).await?.into_iter().filter(|c| c.required_by.is_some()).collect(),
            );
        }
        let mut officer = None;
        for c in &offered[&path] {
            let Some(due) = c.required_by.filter(|d| *d >= today && *d <= today + lead) else { continue };
            // A course required of officers reminds only officers (asked once a member).
            if c.required_of == ronghe_domain::learning::RequiredOf::Officers.code() {
                if officer.is_none() {
                    officer = Some(state.store.was_officer(member_id, today, today).await?);
                }
                if officer == Some(false) {
                    continue;
                }
            }
            if state.store.course_completed(member_id, c.id).await? {
                continue;
            }
            out.push(Notice {
                user_id,
                username: username.clone(),
                email: email.clone(),
                key: format!("course:{}:{member_id}", c.id),
                title: tr.tf("learn.required_course_due", &[("title", &c.title), ("due", &due.to_string())]),
                body: c.org_name.clone(),
                link: format!("/courses/{}", c.id),
            });
        }
    }
    Ok(out)
}

/// Records the reminders due on `today` and sends the new ones.
pub async fn run(state: &AppState, senders: &[Box<dyn Sender>], today: NaiveDate) -> AppResult<Report> {
    let mut report = Report { created: 0, sent: senders.iter().map(|s| (s.name(), 0, 0)).collect() };
    for n in due(state, today).await? {
        let tenant = state.store.org_tenant_of_user(n.user_id).await?;
        if !state.store.notify(tenant, n.user_id, &n.key, &n.title, &n.body, &n.link).await? {
            continue;
        }
        report.created += 1;
        for (s, tally) in senders.iter().zip(report.sent.iter_mut()) {
            if !s.reaches(&n) {
                continue;
            }
            match s.send(&n).await {
                Ok(()) => tally.1 += 1,
                Err(e) => {
                    tracing::warn!(sender = s.name(), user = n.user_id, error = %e, "a reminder was not sent");
                    tally.2 += 1;
                }
            }
        }
    }
    Ok(report)
}
