//! Learning: class hours and the yearly requirement, and honest study time.
//! A lesson page sends a heartbeat every half minute while it is open; time
//! is credited only for beats from a visible page with an active learner,
//! by the server's clock, at most a capped amount per beat, once however
//! many tabs are open (each beat credits the time since the learner's last
//! beat from any tab), and never for a replayed or future-dated beat.
//! Pure: the store keeps the state, this decides.

pub mod media;

use serde::{Deserialize, Serialize};

crate::codes!(
    /// Whom a required course is required of.
    RequiredOf {
        /// Every member of the offering organisation's subtree.
        Members = "members",
        /// Its officers only: secretaries and committee members, the
        /// members the pack's officer requirement applies to.
        Officers = "officers",
    }
);

/// The pack shipped with Ronghe, in force unless a newer one is loaded.
pub const DEFAULT_LEARNING_PACK: &str = include_str!("../../rules/learning-2019.toml");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LearningRulePack {
    pub kind: String,
    pub version: String,
    pub effective_from: chrono::NaiveDate,
    pub sources: std::collections::BTreeMap<String, String>,
    pub hours: HourRules,
    pub heartbeat: HeartbeatRules,
    /// Days before a required course falls due that its members are reminded.
    #[serde(default = "default_remind_days")]
    pub remind_days_before: u32,
}

fn default_remind_days() -> u32 {
    10
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HourRules {
    pub class_hour_minutes: u32,
    pub member_required: u32,
    pub officer_required: u32,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HeartbeatRules {
    pub interval_seconds: u32,
    pub max_credit_seconds: u32,
    pub future_skew_seconds: u32,
    pub stale_after_seconds: u32,
    pub max_lesson_factor: u32,
    pub source: String,
}

impl LearningRulePack {
    pub fn parse(text: &str) -> Result<Self, String> {
        let pack: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        if pack.kind != "learning" {
            return Err(format!("kind is {:?}, not \"learning\"", pack.kind));
        }
        let h = &pack.heartbeat;
        if pack.hours.class_hour_minutes == 0 || h.interval_seconds == 0 || h.max_credit_seconds < h.interval_seconds {
            return Err("a beat must be able to credit its own interval, and a class hour must last".into());
        }
        Ok(pack)
    }

    crate::shipped_pack!(LearningRulePack, DEFAULT_LEARNING_PACK, "learning");

    pub fn source(&self, short: &str) -> String {
        self.sources.get(short).cloned().unwrap_or_else(|| short.to_string())
    }

    /// Seconds as class hours, to the tenth (rounded down: never more than studied).
    pub fn class_hours(&self, seconds: i64) -> f64 {
        let tenths = seconds.max(0) * 10 / (i64::from(self.hours.class_hour_minutes) * 60);
        tenths as f64 / 10.0
    }

    /// The hours a year required of a member (more of officers).
    pub fn required(&self, officer: bool) -> u32 {
        if officer {
            self.hours.officer_required
        } else {
            self.hours.member_required
        }
    }
}

/// A heartbeat as the page sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beat {
    /// The tab (a random id the page makes when it opens).
    pub tab: String,
    /// Increases with each beat of the tab.
    pub seq: i64,
    /// The page's clock, Unix ms.
    pub client_ms: i64,
    /// The page is visible (not a background tab).
    pub visible: bool,
    /// The learner moved, scrolled, typed or played media since the last beat.
    pub active: bool,
}

/// What the server remembers of a learner between beats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presence {
    /// When the learner's last accepted beat arrived (server ms), from any tab.
    pub last_beat_ms: Option<i64>,
}

/// Why a beat credits nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ignored {
    /// Its sequence number is not above the tab's last one: a replay.
    Replayed,
    /// Dated ahead of the server's clock.
    Future,
    /// Dated too far behind it.
    Stale,
}

/// A beat's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Accrual {
    /// Seconds credited to the lesson.
    pub credit_seconds: i64,
    /// Set when the beat was ignored altogether (the presence is unchanged).
    pub ignored: Option<Ignored>,
}

/// Credits a beat arriving at `now_ms` (server clock): the time since the
/// learner's last beat from any tab, capped, if the page is visible and the
/// learner active; and at most what the lesson has left of its cap.
pub fn accrue(
    pack: &LearningRulePack,
    presence: Presence,
    tab_last_seq: Option<i64>,
    beat: &Beat,
    now_ms: i64,
    lesson_credited_seconds: i64,
    lesson_minutes: u32,
) -> (Accrual, Presence) {
    let h = &pack.heartbeat;
    let ignore = |why| (Accrual { credit_seconds: 0, ignored: Some(why) }, presence);
    if tab_last_seq.is_some_and(|last| beat.seq <= last) {
        return ignore(Ignored::Replayed);
    }
    if beat.client_ms > now_ms + i64::from(h.future_skew_seconds) * 1000 {
        return ignore(Ignored::Future);
    }
    if beat.client_ms < now_ms - i64::from(h.stale_after_seconds) * 1000 {
        return ignore(Ignored::Stale);
    }
    let next = Presence { last_beat_ms: Some(now_ms) };
    let gap = presence.last_beat_ms.map_or(0, |last| ((now_ms - last) / 1000).max(0));
    let mut credit = if beat.visible && beat.active { gap.min(i64::from(h.max_credit_seconds)) } else { 0 };
    let cap = i64::from(lesson_minutes) * 60 * i64::from(h.max_lesson_factor);
    credit = credit.min((cap - lesson_credited_seconds).max(0));
    (Accrual { credit_seconds: credit, ignored: None }, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> LearningRulePack {
        LearningRulePack::default_pack()
    }

    fn beat(tab: &str, seq: i64, at: i64) -> Beat {
        Beat { tab: tab.into(), seq, client_ms: at, visible: true, active: true }
    }

    /// Runs beats (tab, seq, server second, visible, active) through one
    /// learner's presence; the total credited.
    fn run(beats: &[(&str, i64, i64, bool, bool)], lesson_minutes: u32) -> i64 {
        let mut presence = Presence::default();
        let mut seqs: std::collections::HashMap<String, i64> = Default::default();
        let mut total = 0;
        for (tab, seq, sec, visible, active) in beats {
            let b = Beat { tab: tab.to_string(), seq: *seq, client_ms: sec * 1000, visible: *visible, active: *active };
            let (a, p) = accrue(&pack(), presence, seqs.get(*tab).copied(), &b, sec * 1000, total, lesson_minutes);
            if a.ignored.is_none() {
                seqs.insert(tab.to_string(), *seq);
            }
            presence = p;
            total += a.credit_seconds;
        }
        total
    }

    #[test]
    fn the_shipped_pack_requires_32_and_56_class_hours() {
        let p = pack();
        assert_eq!((p.required(false), p.required(true), p.hours.class_hour_minutes), (32, 56, 45));
        assert!(p.source(&p.hours.source).contains("党员教育管理工作条例"));
        // 45 minutes is one class hour; 44 minutes 59 seconds is 0.9.
        assert_eq!(p.class_hours(45 * 60), 1.0);
        assert_eq!(p.class_hours(45 * 60 - 1), 0.9);
        assert_eq!(p.class_hours(0), 0.0);
    }

    #[test]
    fn steady_beats_credit_the_time_studied() {
        let beats: Vec<(&str, i64, i64, bool, bool)> = (0..=10).map(|i| ("a", i, i * 30, true, true)).collect();
        assert_eq!(run(&beats, 60), 300);
    }

    #[test]
    fn an_idle_learner_or_a_hidden_tab_earns_nothing() {
        let idle =
            [("a", 1, 0, true, true), ("a", 2, 30, true, false), ("a", 3, 60, true, false), ("a", 4, 90, true, true)];
        assert_eq!(run(&idle, 60), 30, "only the last active half minute");
        let hidden =
            [("a", 1, 0, true, true), ("a", 2, 30, false, true), ("a", 3, 60, false, true), ("a", 4, 90, true, true)];
        assert_eq!(run(&hidden, 60), 30);
    }

    #[test]
    fn a_long_pause_credits_at_most_the_cap() {
        // The laptop slept for an hour between beats.
        assert_eq!(run(&[("a", 1, 0, true, true), ("a", 2, 3600, true, true)], 120), 60);
    }

    #[test]
    fn two_tabs_do_not_count_twice() {
        let mut beats = Vec::new();
        for i in 0..10 {
            beats.push(("a", i, i * 30, true, true));
            beats.push(("b", i, i * 30 + 15, true, true));
        }
        // 285 seconds from the first beat to the last, not twice that.
        assert_eq!(run(&beats, 60), 285);
    }

    #[test]
    fn replayed_and_skewed_beats_are_ignored() {
        let p = pack();
        let now = 1_000_000_000;
        let start = Presence { last_beat_ms: Some(now - 30_000) };
        let replay = accrue(&p, start, Some(5), &beat("a", 5, now), now, 0, 60);
        assert_eq!((replay.0.ignored, replay.1), (Some(Ignored::Replayed), start));
        let ahead = accrue(&p, start, Some(5), &beat("a", 6, now + 121_000), now, 0, 60);
        assert_eq!(ahead.0.ignored, Some(Ignored::Future));
        let within = accrue(&p, start, Some(5), &beat("a", 6, now + 120_000), now, 0, 60);
        assert_eq!(within.0.credit_seconds, 30, "a clock two minutes fast is tolerated");
        let stale = accrue(&p, start, Some(5), &beat("a", 6, now - 301_000), now, 0, 60);
        assert_eq!(stale.0.ignored, Some(Ignored::Stale));
        // Credit runs on the server's clock, whatever the page's says.
        let lying = Beat { client_ms: now + 100_000, ..beat("a", 7, 0) };
        assert_eq!(accrue(&p, start, Some(6), &lying, now, 0, 60).0.credit_seconds, 30);
    }

    #[test]
    fn a_lesson_credits_at_most_twice_its_length() {
        let p = pack();
        let now = 10_000_000;
        let presence = Presence { last_beat_ms: Some(now - 30_000) };
        let full = accrue(&p, presence, None, &beat("a", 1, now), now, 10 * 60 * 2, 10);
        assert_eq!(full.0.credit_seconds, 0);
        let almost = accrue(&p, presence, None, &beat("a", 1, now), now, 10 * 60 * 2 - 10, 10);
        assert_eq!(almost.0.credit_seconds, 10);
    }
}
