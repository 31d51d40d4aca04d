//! The demo's learning: a small library of courses offered by the group
//! (short generated texts, nothing copyrighted), a year of study with a
//! realistic spread (most members short of the requirement early in the
//! year, a few well past it), and a concentrated training per unit.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;
use ronghe_store::{Actor, NewLesson, Org, Store};

const COURSES: [(&str, &str, [&str; 3]); 4] = [
    ("学习贯彻党章", "党章党规", ["总纲：党的性质和宗旨", "党员的义务和权利", "党的组织制度"]),
    ("安全生产与党员责任区", "融合实践", ["党员责任区怎样划", "隐患排查的党员示范", "事故案例警示"]),
    ("支部工作条例解读", "基层党建", ["支部的设置和职责", "组织生活制度", "支部委员会建设"]),
    ("党史学习", "党史", ["开天辟地", "改革开放", "新时代"]),
];

fn text(course: &str, lesson: &str) -> String {
    format!(
        "{course} · {lesson}\n\n本节为演示课程内容。学习要点：一、把握基本要求；二、联系本岗位实际；三、在党员责任区中落实。\n\n思考题：结合本班组安全生产，谈谈党员如何发挥先锋模范作用。"
    )
}

pub(crate) async fn seed(
    store: &Store,
    actor: &Actor,
    today: NaiveDate,
    root: &Org,
    units: &[(Org, Vec<i64>)],
    rng: &mut StdRng,
) -> anyhow::Result<usize> {
    let e = |e: ronghe_store::StoreError| anyhow::anyhow!("demo learning: {e}");
    let mut lessons = Vec::new();
    for (title, category, parts) in COURSES {
        let new: Vec<NewLesson> = parts
            .iter()
            .map(|p| NewLesson {
                title: p.to_string(),
                kind: "text",
                body: text(title, p),
                url: String::new(),
                minutes: rng.gen_range(20..=45),
            })
            .collect();
        // The first course is required of everyone by the year's end.
        let required_by = (title == COURSES[0].0).then(|| NaiveDate::from_ymd_opt(today.year(), 12, 31)).flatten();
        let id =
            store.create_required_course(actor, root.id, title, category, "", required_by, &new).await.map_err(e)?;
        for l in store.course_lessons(id).await.map_err(e)? {
            lessons.push((l.id, l.minutes));
        }
    }
    let start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let days = (today - start).num_days().max(1);
    let mut rows = Vec::new();
    for (unit, members) in units {
        for m in members {
            // Hours online this year so far: most a few, some many.
            let sessions = rng.gen_range(0..=30);
            for _ in 0..sessions {
                let (lesson, minutes) = lessons[rng.gen_range(0..lessons.len())];
                let day = start + Duration::days(rng.gen_range(0..days));
                let seconds = rng.gen_range(5..=minutes) * 60;
                rows.push((*m, lesson, day, seconds));
            }
        }
        // A concentrated training for about half the unit's members.
        let attendees: Vec<i64> = members.iter().copied().filter(|_| rng.gen_bool(0.5)).collect();
        if !attendees.is_empty() {
            let held = start + Duration::days(days.min(120));
            store
                .record_training(
                    actor,
                    unit.id,
                    &format!("{}年党员集中轮训", today.year()),
                    held.min(today),
                    240,
                    &attendees,
                )
                .await
                .map_err(e)?;
        }
    }
    store.insert_study_time(actor.tenant_id, &rows).await.map_err(e)?;
    Ok(COURSES.len())
}
