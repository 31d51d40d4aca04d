//! The demo's organisational life: two years of meetings in the branches and
//! party groups of two units, kept as diligently as branches keep them —
//! most obligations met, some months missed (more in branch B), members
//! absent now and then with their reasons, resolutions voted by name — and
//! sealed once a fortnight old, so that supervision and verification have
//! something to show. This month's theme day is planned, not yet held.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;
use ronghe_domain::meetings::{periods_in_quarter, Frequency, Kind, MeetingsRulePack};
use ronghe_domain::org::OrgRulePack;
use ronghe_store::{Actor, NewMeeting, NewResolution, Org, Store};

/// A branch with its party groups and its full members.
pub(crate) struct LifeBranch {
    pub org: Org,
    pub groups: Vec<Org>,
    pub full_members: usize,
    /// How likely an obligation is met (branch B keeps fewer).
    pub diligence: f64,
}

const ABSENCES: [&str; 5] = ["井下当班", "出差", "病假", "外出学习", "休假"];

fn topic(kind: Kind, on: NaiveDate) -> String {
    let m = on.month();
    match kind {
        Kind::BranchGeneral => format!("{}年第{}季度支部党员大会", on.year(), (m - 1) / 3 + 1),
        Kind::BranchCommittee => format!("{}月支委会：研究安全生产和党建重点工作", m),
        Kind::Group => format!("{}月党小组会：学习交流", m),
        Kind::Lecture => "党课：以高质量党建引领安全生产".to_string(),
        Kind::ThemeDay => format!("{}月主题党日：重温入党誓词、安全隐患排查", m),
        Kind::LifeMeeting => format!("{}年度组织生活会", on.year()),
        Kind::Appraisal => format!("{}年度民主评议党员", on.year()),
        Kind::Other => "其他会议".to_string(),
    }
}

fn minutes(kind: Kind) -> &'static str {
    match kind {
        Kind::BranchGeneral => "一、传达学习上级会议精神；二、通报本季度支部工作和党费收缴情况；三、讨论通过有关事项。",
        Kind::BranchCommittee => "一、研究本月安全生产重点；二、分析党员责任区隐患排查情况；三、安排下月主题党日。",
        Kind::Group => "一、学习规定篇目；二、党员交流工作中的安全体会；三、对照检查。",
        Kind::Lecture => "支部书记讲授党课，围绕安全生产讲责任、讲担当，党员交流心得。",
        Kind::ThemeDay => "一、重温入党誓词；二、集中学习；三、到责任区开展隐患排查志愿服务。",
        Kind::LifeMeeting => "通报上年度整改情况，班子成员和党员开展批评与自我批评，明确整改措施。",
        Kind::Appraisal => "党员个人述评，党员互评，支部综合评定等次。",
        Kind::Other => "会议记录。",
    }
}

/// Writes two years of meetings up to `today` and returns how many.
pub(crate) async fn seed(
    store: &Store,
    actor: &Actor,
    today: NaiveDate,
    branches: &[LifeBranch],
    rng: &mut StdRng,
) -> anyhow::Result<usize> {
    let pack = MeetingsRulePack::default_pack();
    let committee_at = OrgRulePack::default_pack().branch.committee_at_full_members;
    let e = |e: ronghe_store::StoreError| anyhow::anyhow!("demo meetings: {e}");
    let mut n = 0;
    let first_year = today.year() - 1;
    for b in branches {
        // Every obligation of the branch and its groups in the two years.
        let mut due: Vec<(&Org, Kind, NaiveDate, NaiveDate)> = Vec::new();
        for year in first_year..=today.year() {
            for quarter in 1..=4 {
                for r in &pack.requirement {
                    let orgs: Vec<&Org> = match r.kind {
                        Kind::Group => b.groups.iter().collect(),
                        Kind::BranchCommittee if (b.full_members as i64) < committee_at => vec![],
                        _ => vec![&b.org],
                    };
                    for p in periods_in_quarter(r.frequency, year, quarter) {
                        if p.start > today {
                            continue;
                        }
                        for o in &orgs {
                            due.push((o, r.kind, p.start, p.end.min(today)));
                        }
                    }
                }
            }
        }
        for (org, kind, start, end) in due {
            let this_month = end == today && kind == Kind::ThemeDay;
            // The yearly meetings of the year under way are held in the fourth quarter.
            let yearly = pack.requirement.iter().any(|r| r.kind == kind && r.frequency == Frequency::Yearly);
            if yearly && start.year() == today.year() && today.month() < 12 {
                continue;
            }
            if !this_month && !rng.gen_bool(b.diligence) {
                continue;
            }
            let span = (end - start).num_days().max(0);
            let on = if this_month {
                // The fixed theme day: the 15th, or planned ahead.
                NaiveDate::from_ymd_opt(today.year(), today.month(), 15).unwrap_or(today)
            } else {
                start + Duration::days(rng.gen_range(0..=span))
            };
            let expected = if kind == Kind::BranchCommittee {
                store.committee_attendees(org.id, on).await.map_err(e)?
            } else {
                store.expected_attendees(&org.path).await.map_err(e)?
            };
            let new = NewMeeting {
                org_id: org.id,
                kind: kind.code(),
                topic: topic(kind, on),
                planned_on: on,
                starts_at: "15:00".into(),
                place: "党员活动室".into(),
                agenda: String::new(),
                host: String::new(),
                recorder: String::new(),
                corrects: None,
            };
            let id = store.create_meeting(actor, &new, &expected).await.map_err(e)?;
            n += 1;
            if on > today {
                continue;
            }
            let m = store.meeting(id).await.map_err(e)?;
            let marks: Vec<(i64, bool, String)> = expected
                .iter()
                .map(|(member, _, _)| {
                    let present = rng.gen_bool(0.9);
                    (
                        *member,
                        present,
                        if present { String::new() } else { ABSENCES[rng.gen_range(0..ABSENCES.len())].into() },
                    )
                })
                .collect();
            store.mark_attendance(actor, &m, &marks).await.map_err(e)?;
            store.record_held(actor, &m, m.row.version, on, minutes(kind)).await.map_err(e)?;
            if kind == Kind::BranchGeneral {
                let voters: Vec<(i64, &String)> = expected
                    .iter()
                    .zip(&marks)
                    .filter(|((_, _, entitled), (_, present, _))| *entitled && *present)
                    .map(|((id, name, _), _)| (*id, name))
                    .collect();
                let entitled = expected.iter().filter(|x| x.2).count() as i64;
                if voters.len() as i64 * 2 > entitled {
                    let votes: Vec<serde_json::Value> = voters
                        .iter()
                        .map(|(id, name)| serde_json::json!({"member_id": id, "name": name, "choice": "agree"}))
                        .collect();
                    let agree = votes.len() as i64;
                    store
                        .add_resolution(
                            actor,
                            &m,
                            &NewResolution {
                                text: "通过本季度党费收缴情况和下季度工作安排".into(),
                                votes: votes.into(),
                                entitled,
                                present: agree,
                                agree,
                                disagree: 0,
                                abstain: 0,
                                passed: agree * 2 > entitled,
                            },
                        )
                        .await
                        .map_err(e)?;
                }
            }
            if kind == Kind::Appraisal {
                let ratings: Vec<(i64, &str)> = expected
                    .iter()
                    .map(|(id, _, _)| {
                        let r = match rng.gen_range(0..100) {
                            0..=11 => "excellent",
                            12..=96 => "qualified",
                            _ => "basically_qualified",
                        };
                        (*id, r)
                    })
                    .collect();
                store.rate_members(actor, &m, &ratings).await.map_err(e)?;
            }
            if today - on > Duration::days(14) {
                let m = store.meeting(id).await.map_err(e)?;
                store.seal_meeting(actor, &m).await.map_err(e)?;
            }
        }
    }
    Ok(n)
}
