//! Organisational life (三会一课, 主题党日, 组织生活会, 民主评议): the kinds of
//! meeting, the rule pack of how often each is required, the obligations a
//! branch or group has in a period and whether a meeting met them, the
//! quorum and majority of a vote, and the canonical form of a sealed
//! record that the hash chain covers.
//!
//! An obligation falls on whole periods: an organisation founded during a
//! month (quarter, year) owes nothing for that period, and one whose
//! period has not ended yet is pending, not missing. Pure: no clock, no IO.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::development::months_after;

/// The pack shipped with Ronghe, in force unless a newer one is loaded.
pub const DEFAULT_MEETINGS_PACK: &str = include_str!("../../rules/meetings-2019.toml");

crate::codes!(
    /// The kinds of meeting.
    Kind {
        /// 支部党员大会
        BranchGeneral = "branch_general",
        /// 支部委员会会议
        BranchCommittee = "branch_committee",
        /// 党小组会
        Group = "group",
        /// 党课
        Lecture = "lecture",
        /// 主题党日
        ThemeDay = "theme_day",
        /// 组织生活会
        LifeMeeting = "life_meeting",
        /// 民主评议党员
        Appraisal = "appraisal",
        /// Other meetings (not required).
        Other = "other",
    }
);

crate::codes!(
    Frequency {
        Monthly = "monthly",
        Quarterly = "quarterly",
        Yearly = "yearly",
    }
);

crate::codes!(
    /// Which organisations a requirement falls on.
    AppliesTo {
        Branch = "branch",
        /// Branches with a committee (seven or more full members).
        BranchWithCommittee = "branch_with_committee",
        Group = "group",
    }
);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Requirement {
    pub kind: Kind,
    pub frequency: Frequency,
    pub applies_to: AppliesTo,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VoteRules {
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MeetingsRulePack {
    pub kind: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub warn_days: u32,
    pub sources: std::collections::BTreeMap<String, String>,
    pub requirement: Vec<Requirement>,
    pub votes: VoteRules,
}

impl MeetingsRulePack {
    pub fn parse(text: &str) -> Result<Self, String> {
        let pack: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        if pack.kind != "meetings" {
            return Err(format!("kind is {:?}, not \"meetings\"", pack.kind));
        }
        let mut kinds: Vec<Kind> = pack.requirement.iter().map(|r| r.kind).collect();
        kinds.sort();
        if kinds.windows(2).any(|w| w[0] == w[1]) {
            return Err("a kind of meeting is required twice".into());
        }
        Ok(pack)
    }

    crate::shipped_pack!(MeetingsRulePack, DEFAULT_MEETINGS_PACK, "meetings");

    pub fn source(&self, short: &str) -> String {
        self.sources.get(short).cloned().unwrap_or_else(|| short.to_string())
    }
}

/// A month, quarter or year: its first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// A calendar year.
    pub fn year(year: i32) -> Period {
        Period { start: ymd(year, 1, 1), end: ymd(year, 12, 31) }
    }

    /// A quarter (1–4) of a year.
    pub fn quarter(year: i32, quarter: u32) -> Period {
        let start = ymd(year, (quarter - 1) * 3 + 1, 1);
        Period { start, end: months_after(start, 3).pred_opt().expect("a day before") }
    }

    pub fn label(&self, f: Frequency) -> String {
        match f {
            Frequency::Monthly => format!("{}-{:02}", self.start.year(), self.start.month()),
            Frequency::Quarterly => format!("{}-Q{}", self.start.year(), (self.start.month() - 1) / 3 + 1),
            Frequency::Yearly => format!("{}", self.start.year()),
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// The periods of a frequency that fall within a quarter: its three months,
/// the quarter, or (in the fourth quarter only, when the year's meeting is
/// due) the year.
pub fn periods_in_quarter(f: Frequency, year: i32, quarter: u32) -> Vec<Period> {
    let Period { start: first, end: last } = Period::quarter(year, quarter);
    match f {
        Frequency::Monthly => (0..3)
            .map(|i| {
                let s = months_after(first, i);
                Period { start: s, end: months_after(s, 1).pred_opt().expect("a day before") }
            })
            .collect(),
        Frequency::Quarterly => vec![Period { start: first, end: last }],
        Frequency::Yearly if quarter == 4 => vec![Period::year(year)],
        Frequency::Yearly => vec![],
    }
}

/// What the platform knows of an organisation, for its obligations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgFacts {
    pub is_branch: bool,
    pub is_group: bool,
    pub full_members: i64,
    /// The day it was founded, if recorded (else it is taken as always there).
    pub founded_on: Option<NaiveDate>,
    /// Full members from which a branch elects a committee (and so holds
    /// committee meetings): the organisation rule pack's
    /// `branch.committee_at_full_members`.
    pub committee_at: i64,
}

pub fn applies(r: &Requirement, o: &OrgFacts) -> bool {
    match r.applies_to {
        AppliesTo::Branch => o.is_branch,
        AppliesTo::BranchWithCommittee => o.is_branch && o.full_members >= o.committee_at,
        AppliesTo::Group => o.is_group,
    }
}

crate::codes!(
    /// Where an obligation stands on a day.
    Standing {
        /// Held within the period (green).
        Done = "done",
        /// Not held, and the period is over (red).
        Missing = "missing",
        /// Not held, the period ends within the pack's warning days (yellow).
        DueSoon = "due_soon",
        /// Not held, the period has time left.
        Pending = "pending",
        /// The organisation was founded during the period: nothing owed.
        NotRequired = "not_required",
    }
);

crate::codes!(
    /// The ratings of a democratic appraisal (民主评议党员).
    Rating {
        Excellent = "excellent",
        Qualified = "qualified",
        BasicallyQualified = "basically_qualified",
        Unqualified = "unqualified",
    }
);

/// Where an obligation for `period` stands on `today`, given the days the
/// organisation held that kind of meeting.
pub fn standing(
    pack: &MeetingsRulePack,
    period: Period,
    founded_on: Option<NaiveDate>,
    held: &[NaiveDate],
    today: NaiveDate,
) -> Standing {
    if founded_on.is_some_and(|f| f > period.start) {
        return Standing::NotRequired;
    }
    if held.iter().any(|d| *d >= period.start && *d <= period.end) {
        return Standing::Done;
    }
    if today > period.end {
        return Standing::Missing;
    }
    let warn_from = period.end - chrono::Duration::days(i64::from(pack.warn_days));
    if today > warn_from {
        Standing::DueSoon
    } else {
        Standing::Pending
    }
}

/// Whether a vote can be taken: more than half of those entitled present.
pub fn quorate(entitled: u32, present: u32) -> bool {
    entitled > 0 && present * 2 > entitled
}

/// Whether a motion passes: more than half of those entitled in favour.
pub fn passes(entitled: u32, agree: u32) -> bool {
    entitled > 0 && agree * 2 > entitled
}

/// Why a vote is refused, with its numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRefusal {
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

/// Checks a named vote's numbers: everyone who voted was present, and the
/// meeting was quorate. The result (passed or not) is [`passes`].
pub fn check_vote(entitled: u32, present: u32, voted: u32) -> Result<(), VoteRefusal> {
    if voted > present {
        return Err(VoteRefusal {
            key: "meeting.voters_not_present",
            params: vec![("voted", voted.to_string()), ("present", present.to_string())],
        });
    }
    if !quorate(entitled, present) {
        return Err(VoteRefusal {
            key: "meeting.not_quorate",
            params: vec![
                ("present", present.to_string()),
                ("entitled", entitled.to_string()),
                ("needed", (entitled / 2 + 1).to_string()),
            ],
        });
    }
    Ok(())
}

/// The hash of a sealed record: SM3 over the previous link and the record's
/// canonical text, hex-encoded. The first record of an organisation links
/// to the empty string.
pub fn chain_hash(previous: &str, canonical: &str) -> String {
    use sm3::{Digest, Sm3};
    let mut h = Sm3::new();
    h.update(previous.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A record's canonical text: JSON with its keys sorted (serde_json's maps
/// are ordered), so the same content always gives the same bytes.
pub fn canonical(record: &serde_json::Value) -> String {
    fn sort(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                serde_json::Value::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(record).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pack() -> MeetingsRulePack {
        MeetingsRulePack::default_pack()
    }

    #[test]
    fn a_year_and_its_quarters_cover_their_days() {
        assert_eq!(Period::year(2024), Period { start: d("2024-01-01"), end: d("2024-12-31") });
        assert_eq!(Period::quarter(2024, 1), Period { start: d("2024-01-01"), end: d("2024-03-31") });
        assert_eq!(Period::quarter(2024, 4), Period { start: d("2024-10-01"), end: d("2024-12-31") });
    }

    #[test]
    fn the_shipped_pack_requires_the_three_meetings_and_one_lesson() {
        let p = pack();
        let f = |k: Kind| p.requirement.iter().find(|r| r.kind == k).map(|r| r.frequency);
        assert_eq!(f(Kind::BranchGeneral), Some(Frequency::Quarterly));
        assert_eq!(f(Kind::BranchCommittee), Some(Frequency::Monthly));
        assert_eq!(f(Kind::Group), Some(Frequency::Monthly));
        assert_eq!(f(Kind::Lecture), Some(Frequency::Quarterly));
        assert_eq!(f(Kind::ThemeDay), Some(Frequency::Monthly));
        assert_eq!(f(Kind::LifeMeeting), Some(Frequency::Yearly));
        assert_eq!(f(Kind::Appraisal), Some(Frequency::Yearly));
        assert_eq!(f(Kind::Other), None);
        assert!(p.source("branch_work").contains("支部工作条例"));
        let twice = DEFAULT_MEETINGS_PACK.replace("kind = \"lecture\"", "kind = \"theme_day\"");
        assert!(MeetingsRulePack::parse(&twice).is_err());
    }

    #[test]
    fn periods_of_a_quarter_end_on_the_last_day_of_their_month() {
        let months = periods_in_quarter(Frequency::Monthly, 2024, 1);
        assert_eq!(
            months.iter().map(|p| p.end).collect::<Vec<_>>(),
            [d("2024-01-31"), d("2024-02-29"), d("2024-03-31")]
        );
        let feb = periods_in_quarter(Frequency::Monthly, 2025, 1)[1];
        assert_eq!((feb.start, feb.end), (d("2025-02-01"), d("2025-02-28")));
        assert_eq!(
            periods_in_quarter(Frequency::Quarterly, 2026, 4)[0],
            Period { start: d("2026-10-01"), end: d("2026-12-31") }
        );
        assert!(periods_in_quarter(Frequency::Yearly, 2026, 3).is_empty());
        assert_eq!(periods_in_quarter(Frequency::Yearly, 2026, 4)[0].start, d("2026-01-01"));
        assert_eq!(periods_in_quarter(Frequency::Quarterly, 2026, 2)[0].label(Frequency::Quarterly), "2026-Q2");
    }

    #[test]
    fn an_obligation_is_done_missing_due_soon_or_pending_at_its_edges() {
        let p = pack();
        let feb = periods_in_quarter(Frequency::Monthly, 2024, 1)[1];
        // Held on the last day of a leap February: done; on the 1st of March: not for February.
        assert_eq!(standing(&p, feb, None, &[d("2024-02-29")], d("2024-03-10")), Standing::Done);
        assert_eq!(standing(&p, feb, None, &[d("2024-03-01")], d("2024-03-10")), Standing::Missing);
        assert_eq!(standing(&p, feb, None, &[d("2024-01-31")], d("2024-03-01")), Standing::Missing);
        // The period's last day: still due; the day after: missing.
        assert_eq!(standing(&p, feb, None, &[], d("2024-02-29")), Standing::DueSoon);
        assert_eq!(standing(&p, feb, None, &[], d("2024-03-01")), Standing::Missing);
        // Ten days before the end is pending; nine, due soon.
        assert_eq!(standing(&p, feb, None, &[], d("2024-02-19")), Standing::Pending);
        assert_eq!(standing(&p, feb, None, &[], d("2024-02-20")), Standing::DueSoon);
        // Founded on the first day owes the period; founded the day after does not.
        assert_eq!(standing(&p, feb, Some(d("2024-02-01")), &[], d("2024-03-01")), Standing::Missing);
        assert_eq!(standing(&p, feb, Some(d("2024-02-02")), &[], d("2024-03-01")), Standing::NotRequired);
        // A quarter founded mid-way owes nothing for that quarter.
        // A year: held on the 31st of December counts; on the 1st of January, not.
        let y = periods_in_quarter(Frequency::Yearly, 2024, 4)[0];
        assert_eq!(standing(&p, y, None, &[d("2024-12-31")], d("2025-01-01")), Standing::Done);
        assert_eq!(standing(&p, y, None, &[d("2025-01-01")], d("2025-01-01")), Standing::Missing);
        assert_eq!(standing(&p, y, None, &[], d("2024-12-21")), Standing::Pending);
        assert_eq!(standing(&p, y, None, &[], d("2024-12-22")), Standing::DueSoon);
        assert_eq!(standing(&p, y, Some(d("2024-01-02")), &[], d("2025-01-01")), Standing::NotRequired);
        let q1 = periods_in_quarter(Frequency::Quarterly, 2024, 1)[0];
        assert_eq!(standing(&p, q1, Some(d("2024-02-15")), &[], d("2024-04-01")), Standing::NotRequired);
        assert_eq!(standing(&p, q1, None, &[d("2024-03-31")], d("2024-04-01")), Standing::Done);
    }

    #[test]
    fn requirements_fall_on_branches_groups_and_committees() {
        let p = pack();
        let req = |k: Kind| p.requirement.iter().find(|r| r.kind == k).unwrap().clone();
        let committee_at = crate::org::OrgRulePack::default_pack().branch.committee_at_full_members;
        let branch =
            |full| OrgFacts { is_branch: true, is_group: false, full_members: full, founded_on: None, committee_at };
        let group = OrgFacts { is_branch: false, is_group: true, full_members: 5, founded_on: None, committee_at };
        assert!(applies(&req(Kind::BranchGeneral), &branch(3)));
        assert!(!applies(&req(Kind::BranchCommittee), &branch(6)));
        assert!(applies(&req(Kind::BranchCommittee), &branch(7)));
        assert!(applies(&req(Kind::Group), &group) && !applies(&req(Kind::Group), &branch(20)));
        assert!(!applies(&req(Kind::ThemeDay), &group));
    }

    #[test]
    fn votes_need_a_quorum_and_more_than_half_of_those_entitled() {
        assert!(!quorate(10, 5) && quorate(10, 6) && quorate(7, 4) && !quorate(0, 0));
        assert!(!passes(10, 5) && passes(10, 6));
        assert_eq!(check_vote(10, 5, 5).unwrap_err().key, "meeting.not_quorate");
        assert_eq!(check_vote(10, 6, 7).unwrap_err().key, "meeting.voters_not_present");
        assert!(check_vote(10, 6, 6).is_ok());
    }

    #[test]
    fn the_chain_hash_is_sm3_and_covers_order_and_content() {
        // GB/T 32905 test vector: SM3("abc").
        use sm3::{Digest, Sm3};
        let abc: String = Sm3::digest(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(abc, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
        let a = canonical(&serde_json::json!({"b": 1, "a": [{"y": 2, "x": 1}]}));
        assert_eq!(a, r#"{"a":[{"x":1,"y":2}],"b":1}"#);
        let first = chain_hash("", &a);
        assert_eq!(first.len(), 64);
        assert_ne!(chain_hash(&first, &a), first, "the same record later in the chain hashes differently");
        assert_ne!(chain_hash("", &canonical(&serde_json::json!({"b": 2, "a": []}))), first);
    }
}
