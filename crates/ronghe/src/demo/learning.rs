//! The demo's learning: a small library of courses offered by the group
//! (short generated texts, nothing copyrighted), a year of study with a
//! realistic spread (most members short of the requirement early in the
//! year, a few well past it), and a concentrated training per unit.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;
use ronghe_domain::learning::RequiredOf;
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
                media_id: None,
            })
            .collect();
        // The first course is required of everyone by the year's end.
        let required_by = (title == COURSES[0].0).then(|| NaiveDate::from_ymd_opt(today.year(), 12, 31)).flatten();
        let id = store
            .create_required_course(actor, root.id, title, category, "", required_by, RequiredOf::Members, &new)
            .await
            .map_err(e)?;
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
    seed_media(store, actor, root, today).await?;
    seed_exam(store, actor, root, units, rng).await?;
    Ok(COURSES.len())
}

/// A course of files, required of officers: a generated handout (PDF) and
/// a generated tone as its audio lesson (nothing copyrighted), so the demo
/// shows file lessons and a course required of a role.
async fn seed_media(store: &Store, actor: &Actor, root: &Org, today: NaiveDate) -> anyhow::Result<()> {
    let e = |e: ronghe_store::StoreError| anyhow::anyhow!("demo media: {e}");
    let pdf =
        store.add_media(actor, root.id, "handout.pdf", "pdf", "application/pdf", &handout_pdf()).await.map_err(e)?;
    let wav = store.add_media(actor, root.id, "tone.wav", "audio", "audio/wav", &tone_wav(20)).await.map_err(e)?;
    let lesson = |title: &str, kind: &'static str, media: i64, minutes: i64| NewLesson {
        title: title.into(),
        kind,
        body: String::new(),
        url: String::new(),
        minutes,
        media_id: Some(media),
    };
    store
        .create_required_course(
            actor,
            root.id,
            "党员责任区工作讲义（演示文件课）",
            "融合实践",
            "",
            // Required of the secretaries and committee members by the year's end.
            NaiveDate::from_ymd_opt(today.year(), 12, 31),
            RequiredOf::Officers,
            &[lesson("讲义（PDF）", "pdf", pdf, 15), lesson("录音（音频）", "audio", wav, 10)],
        )
        .await
        .map_err(e)?;
    Ok(())
}

/// A one-page PDF with a line of text, its cross-reference offsets counted.
fn handout_pdf() -> Vec<u8> {
    let text = "BT /F1 18 Tf 72 720 Td (Ronghe demo handout: member responsibility zones) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// `seconds` of a quiet 440 Hz tone: 8 kHz, 8-bit mono PCM in a WAV file.
fn tone_wav(seconds: u32) -> Vec<u8> {
    let rate = 8000u32;
    let samples: Vec<u8> = (0..rate * seconds)
        .map(|i| (128.0 + 20.0 * (i as f64 * 440.0 * std::f64::consts::TAU / f64::from(rate)).sin()) as u8)
        .collect();
    let mut out = Vec::with_capacity(44 + samples.len());
    out.extend(b"RIFF");
    out.extend((36 + samples.len() as u32).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes()); // PCM
    out.extend(1u16.to_le_bytes()); // mono
    out.extend(rate.to_le_bytes());
    out.extend(rate.to_le_bytes()); // bytes per second
    out.extend(1u16.to_le_bytes()); // block align
    out.extend(8u16.to_le_bytes()); // bits per sample
    out.extend(b"data");
    out.extend((samples.len() as u32).to_le_bytes());
    out.extend(samples);
    out
}

/// The group's question bank (a few of each kind), an exam drawn from it,
/// and results: about a third of the units' members took it, most passed,
/// some took a second attempt.
async fn seed_exam(
    store: &Store,
    actor: &Actor,
    root: &Org,
    units: &[(Org, Vec<i64>)],
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    use ronghe_domain::exams::{draw, mark, DrawRule, Question, QuestionKind};
    let e = |e: ronghe_store::StoreError| anyhow::anyhow!("demo exam: {e}");
    let q = |kind, stem: &str, options: &[&str], answer: &str| Question {
        id: 0,
        category: "党章党规".into(),
        kind,
        stem: stem.into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        answer: answer.into(),
    };
    use QuestionKind::*;
    let mut bank = Vec::new();
    for i in 1..=8 {
        bank.push(q(
            Single,
            &format!("演示单选题 {i}：党支部委员会每届任期为几年？"),
            &["一年", "二年或三年", "五年", "十年"],
            "B",
        ));
        bank.push(q(
            Multiple,
            &format!("演示多选题 {i}：“三会一课”包括哪些？"),
            &["支部党员大会", "支部委员会", "党小组会", "茶话会"],
            "ABC",
        ));
        bank.push(q(TrueFalse, &format!("演示判断题 {i}：预备党员的预备期为一年。"), &[], "true"));
        bank.push(q(FillIn, &format!("演示填空题 {i}：党的根本宗旨是全心全意____。"), &[], "为人民服务"));
    }
    store.add_questions(actor, root.id, &bank).await.map_err(e)?;
    let bank = store.question_bank(root.id).await.map_err(e)?;
    let rules = vec![
        DrawRule { category: None, kind: Single, count: 5, points: 4 },
        DrawRule { category: None, kind: Multiple, count: 5, points: 6 },
        DrawRule { category: None, kind: TrueFalse, count: 5, points: 4 },
        DrawRule { category: None, kind: FillIn, count: 5, points: 6 },
    ];
    let rules_json = serde_json::to_value(&rules)?;
    let exam_id =
        store.create_exam(actor, root.id, "党章党规知识测试（演示）", &rules_json, 30, 2, 60).await.map_err(e)?;
    let (exam, _) = store.exam(exam_id).await.map_err(e)?;
    for (_, members) in units {
        for m in members {
            if !rng.gen_bool(0.3) {
                continue;
            }
            // A member who knows more gets more right; a low first score
            // sometimes leads to a second attempt.
            let skill: f64 = rng.gen_range(0.4..0.98);
            for attempt in 0..2u64 {
                let paper =
                    draw(&bank, &rules, (*m as u64) << 8 | attempt).map_err(|s| anyhow::anyhow!("demo exam: {s:?}"))?;
                let by_id: std::collections::HashMap<i64, &Question> = bank.iter().map(|q| (q.id, q)).collect();
                let responses: std::collections::HashMap<i64, String> = paper
                    .iter()
                    .map(|(id, _)| {
                        let right = by_id[id].answer.split('|').next().unwrap_or_default().to_string();
                        (*id, if rng.gen_bool(skill) { right } else { "A".into() })
                    })
                    .collect();
                let score = mark(&paper, &bank, &responses).score;
                let id = store.start_attempt(actor, &exam, *m, &paper).await.map_err(e)?;
                let attempt = store.attempt(id).await.map_err(e)?;
                store
                    .submit_attempt(actor, &attempt, &serde_json::to_value(&responses)?, i64::from(score))
                    .await
                    .map_err(e)?;
                if score >= 60 || rng.gen_bool(0.5) {
                    break;
                }
            }
        }
    }
    Ok(())
}
