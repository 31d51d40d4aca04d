//! Exams: questions of four kinds, papers drawn by rules, and marking.
//! A paper is drawn deterministically from a seed (the attempt's), so the
//! same attempt always shows the same questions in the same order; an
//! answer is marked exactly (a multiple choice must name every right option
//! and no wrong one; a fill-in matches any accepted answer, ignoring case,
//! width and surrounding space). Pure: the store keeps the bank.

use serde::{Deserialize, Serialize};

use crate::text::fold_trim;

crate::codes!(
    /// The kinds of question.
    QuestionKind {
        /// One right option.
        Single = "single",
        /// One or more right options, all to be chosen.
        Multiple = "multiple",
        TrueFalse = "true_false",
        /// A word or phrase; any of the accepted answers.
        FillIn = "fill_in",
    }
);

/// A question of the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: i64,
    pub category: String,
    pub kind: QuestionKind,
    pub stem: String,
    /// The options of a choice question (A, B, C… in order).
    #[serde(default)]
    pub options: Vec<String>,
    /// The right answer: option letters (`A`, `AC`), `true`/`false`, or the
    /// accepted fill-ins separated by `|`.
    pub answer: String,
}

/// Why a question cannot go into the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionProblem {
    EmptyStem,
    /// A choice question needs two to eight options.
    Options,
    /// The answer does not fit the kind (a letter beyond the options, two
    /// letters for a single choice, not true or false, an empty fill-in).
    Answer,
}

impl QuestionProblem {
    pub fn key(self) -> &'static str {
        match self {
            QuestionProblem::EmptyStem => "exam.empty_stem",
            QuestionProblem::Options => "exam.options",
            QuestionProblem::Answer => "exam.answer",
        }
    }
}

fn letters(answer: &str) -> Vec<usize> {
    let mut out: Vec<usize> = answer
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| (c.to_ascii_uppercase() as u8 - b'A') as usize)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Question {
    /// Checks a question before it joins the bank.
    pub fn check(&self) -> Result<(), QuestionProblem> {
        if self.stem.trim().is_empty() {
            return Err(QuestionProblem::EmptyStem);
        }
        match self.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                if !(2..=8).contains(&self.options.len()) || self.options.iter().any(|o| o.trim().is_empty()) {
                    return Err(QuestionProblem::Options);
                }
                let chosen = letters(&self.answer);
                let fits = !chosen.is_empty()
                    && chosen.iter().all(|i| *i < self.options.len())
                    && (self.kind == QuestionKind::Multiple || chosen.len() == 1)
                    && self.answer.chars().all(|c| c.is_ascii_alphabetic() || c == ',' || c.is_whitespace());
                if !fits {
                    return Err(QuestionProblem::Answer);
                }
            }
            QuestionKind::TrueFalse => {
                if !matches!(self.answer.trim(), "true" | "false") {
                    return Err(QuestionProblem::Answer);
                }
            }
            QuestionKind::FillIn => {
                if self.answer.split('|').all(|a| a.trim().is_empty()) {
                    return Err(QuestionProblem::Answer);
                }
            }
        }
        Ok(())
    }

    /// Whether a response is right.
    pub fn is_right(&self, response: &str) -> bool {
        match self.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                let given = letters(response);
                !given.is_empty() && given == letters(&self.answer)
            }
            QuestionKind::TrueFalse => response.trim().eq_ignore_ascii_case(self.answer.trim()),
            QuestionKind::FillIn => {
                let given = fold_trim(response).to_lowercase();
                !given.is_empty() && self.answer.split('|').any(|a| fold_trim(a).to_lowercase() == given)
            }
        }
    }
}

/// How many questions of a kind (and category, if given) a paper draws,
/// and what each is worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRule {
    #[serde(default)]
    pub category: Option<String>,
    pub kind: QuestionKind,
    pub count: usize,
    pub points: u32,
}

/// Why a paper cannot be drawn: a rule asks for more than the bank holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortBank {
    pub rule: usize,
    pub wanted: usize,
    pub available: usize,
}

/// A small deterministic generator (splitmix64): the same seed draws the
/// same paper.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Draws a paper: for each rule, `count` distinct questions of its kind
/// (and category), none twice across rules; each with its points.
pub fn draw(bank: &[Question], rules: &[DrawRule], seed: u64) -> Result<Vec<(i64, u32)>, ShortBank> {
    let mut rng = Mix(seed);
    let mut taken: std::collections::HashSet<i64> = Default::default();
    let mut paper = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let mut pool: Vec<&Question> = bank
            .iter()
            .filter(|q| {
                q.kind == r.kind && r.category.as_ref().is_none_or(|c| &q.category == c) && !taken.contains(&q.id)
            })
            .collect();
        pool.sort_by_key(|q| q.id);
        if pool.len() < r.count {
            return Err(ShortBank { rule: i, wanted: r.count, available: pool.len() });
        }
        // A partial Fisher–Yates shuffle: the first `count` are the draw.
        for k in 0..r.count {
            let j = k + (rng.next() % (pool.len() - k) as u64) as usize;
            pool.swap(k, j);
            taken.insert(pool[k].id);
            paper.push((pool[k].id, r.points));
        }
    }
    Ok(paper)
}

/// A marked paper: the score out of the total, and each question's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marked {
    pub score: u32,
    pub total: u32,
    /// (question id, right?, points earned).
    pub items: Vec<(i64, bool, u32)>,
}

/// Marks responses against a drawn paper; a question not answered is wrong.
pub fn mark(paper: &[(i64, u32)], bank: &[Question], responses: &std::collections::HashMap<i64, String>) -> Marked {
    let by_id: std::collections::HashMap<i64, &Question> = bank.iter().map(|q| (q.id, q)).collect();
    let mut items = Vec::new();
    let (mut score, mut total) = (0, 0);
    for (id, points) in paper {
        total += points;
        let right = match (by_id.get(id), responses.get(id)) {
            (Some(q), Some(r)) => q.is_right(r),
            _ => false,
        };
        let earned = if right { *points } else { 0 };
        score += earned;
        items.push((*id, right, earned));
    }
    Marked { score, total, items }
}

/// Whether a submission at `submitted_ms` is within the time limit of an
/// attempt started at `started_ms` (with a grace for the network).
pub fn in_time(started_ms: i64, submitted_ms: i64, limit_minutes: u32, grace_seconds: u32) -> bool {
    submitted_ms - started_ms <= i64::from(limit_minutes) * 60_000 + i64::from(grace_seconds) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: i64, kind: QuestionKind, options: &[&str], answer: &str) -> Question {
        Question {
            id,
            category: if id % 2 == 0 { "党章".into() } else { "党史".into() },
            kind,
            stem: format!("第{id}题"),
            options: options.iter().map(|s| s.to_string()).collect(),
            answer: answer.into(),
        }
    }

    #[test]
    fn questions_are_checked_before_they_join_the_bank() {
        use QuestionKind::*;
        assert!(q(1, Single, &["甲", "乙", "丙"], "B").check().is_ok());
        assert_eq!(q(1, Single, &["甲", "乙"], "AB").check(), Err(QuestionProblem::Answer));
        assert_eq!(q(1, Single, &["甲", "乙"], "C").check(), Err(QuestionProblem::Answer));
        assert_eq!(q(1, Single, &["甲"], "A").check(), Err(QuestionProblem::Options));
        assert!(q(1, Multiple, &["甲", "乙", "丙", "丁"], "A,C,D").check().is_ok());
        assert!(q(1, TrueFalse, &[], "true").check().is_ok());
        assert_eq!(q(1, TrueFalse, &[], "对").check(), Err(QuestionProblem::Answer));
        assert!(q(1, FillIn, &[], "为人民服务|全心全意为人民服务").check().is_ok());
        assert_eq!(q(1, FillIn, &[], " | ").check(), Err(QuestionProblem::Answer));
        let mut empty = q(1, TrueFalse, &[], "true");
        empty.stem = " ".into();
        assert_eq!(empty.check(), Err(QuestionProblem::EmptyStem));
    }

    #[test]
    fn answers_are_marked_exactly() {
        use QuestionKind::*;
        let multi = q(1, Multiple, &["甲", "乙", "丙", "丁"], "ACD");
        assert!(multi.is_right("DCA") && multi.is_right("a, c, d"));
        assert!(!multi.is_right("AC"), "all the right options");
        assert!(!multi.is_right("ABCD"), "and no wrong one");
        assert!(!multi.is_right(""));
        let fill = q(2, FillIn, &[], "为人民服务|Serve the People");
        assert!(
            fill.is_right(" 为人民服务 ")
                && fill.is_right("serve the people")
                && fill.is_right("ＳＥＲＶＥ the people")
        );
        assert!(!fill.is_right("为人民"));
        assert!(q(3, TrueFalse, &[], "false").is_right("FALSE"));
    }

    #[test]
    fn a_paper_is_drawn_by_its_rules_the_same_way_for_the_same_seed() {
        use QuestionKind::*;
        let bank: Vec<Question> = (1..=20)
            .map(|i| if i <= 10 { q(i, Single, &["甲", "乙"], "A") } else { q(i, TrueFalse, &[], "true") })
            .collect();
        let rules = vec![
            DrawRule { category: Some("党章".into()), kind: Single, count: 3, points: 5 },
            DrawRule { category: None, kind: TrueFalse, count: 4, points: 2 },
        ];
        let a = draw(&bank, &rules, 42).unwrap();
        assert_eq!(a, draw(&bank, &rules, 42).unwrap());
        assert_ne!(a, draw(&bank, &rules, 43).unwrap(), "another attempt, another paper");
        assert_eq!(a.len(), 7);
        assert!(a[..3].iter().all(|(id, p)| *id <= 10 && id % 2 == 0 && *p == 5));
        let ids: std::collections::HashSet<i64> = a.iter().map(|x| x.0).collect();
        assert_eq!(ids.len(), 7, "no question twice");
        let short = draw(&bank, &[DrawRule { category: Some("党章".into()), kind: Single, count: 6, points: 1 }], 1);
        assert_eq!(short, Err(ShortBank { rule: 0, wanted: 6, available: 5 }));
    }

    #[test]
    fn marking_counts_points_and_time_limits_have_a_grace() {
        use QuestionKind::*;
        let bank = vec![q(1, Single, &["甲", "乙"], "A"), q(2, TrueFalse, &[], "true"), q(3, FillIn, &[], "支部")];
        let paper = vec![(1, 5), (2, 2), (3, 3)];
        let responses: std::collections::HashMap<i64, String> =
            [(1, "A".to_string()), (2, "false".to_string())].into_iter().collect();
        let m = mark(&paper, &bank, &responses);
        assert_eq!((m.score, m.total), (5, 10));
        assert_eq!(m.items, vec![(1, true, 5), (2, false, 0), (3, false, 0)]);
        assert!(in_time(0, 30 * 60_000 + 30_000, 30, 30));
        assert!(!in_time(0, 30 * 60_000 + 30_001, 30, 30));
    }
}
