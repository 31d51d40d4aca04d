//! A member's dues year: what was due each month, what was paid, what is
//! owed; and the rules a payment must keep. Pure: the store loads the rows,
//! this decides.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::DuesRulePack;

/// A calendar month, the period a regular payment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        (1..=12).contains(&month).then_some(Period { year, month })
    }

    pub fn of(day: NaiveDate) -> Period {
        Period { year: day.year(), month: day.month() }
    }

    /// `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Period> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        Period::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// Months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: Period) -> i64 {
        i64::from(later.year - self.year) * 12 + i64::from(later.month) - i64::from(self.month)
    }

    pub fn next(self) -> Period {
        if self.month == 12 {
            Period { year: self.year + 1, month: 1 }
        } else {
            Period { year: self.year, month: self.month + 1 }
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Regular dues for a month, or a voluntary extra payment kept apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    Regular,
    Voluntary,
}

impl PaymentKind {
    pub fn code(self) -> &'static str {
        match self {
            PaymentKind::Regular => "regular",
            PaymentKind::Voluntary => "voluntary",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "regular" => Some(PaymentKind::Regular),
            "voluntary" => Some(PaymentKind::Voluntary),
            _ => None,
        }
    }
}

/// Why a payment is refused: the message key, its parameters, and the
/// regulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRefusal {
    pub field: &'static str,
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
}

/// Checks a payment against the rules: an amount above zero; a regular
/// payment for a month the member was in the party (probationary members
/// pay from the branch's resolution, their join date), not more than the
/// pack's back-payment limit before the month it is paid in, and not for a
/// later year than the payment's (paying ahead within the year is allowed
/// with the branch's consent, which recording it implies).
pub fn check_payment(
    pack: &DuesRulePack,
    join_date: NaiveDate,
    kind: PaymentKind,
    period: Period,
    amount_fen: i64,
    paid_on: NaiveDate,
    recorded_on: NaiveDate,
) -> Result<(), PaymentRefusal> {
    let refuse = |field, key, params| Err(PaymentRefusal { field, key, params });
    if amount_fen <= 0 {
        return refuse("amount_fen", "dues.amount_not_positive", vec![]);
    }
    if paid_on > recorded_on {
        return refuse("paid_on", "dues.paid_in_future", vec![]);
    }
    let window = pack.payments.record_within_months;
    if paid_on.checked_add_months(chrono::Months::new(window)).is_some_and(|last| last < recorded_on) {
        return refuse(
            "paid_on",
            "dues.recorded_too_late",
            vec![("paid_on", paid_on.to_string()), ("months", window.to_string())],
        );
    }
    if kind == PaymentKind::Voluntary {
        return Ok(());
    }
    if period < Period::of(join_date) {
        return refuse(
            "period",
            "dues.before_joining",
            vec![("period", period.to_string()), ("joined", join_date.to_string())],
        );
    }
    let paid_in = Period::of(paid_on);
    let back = period.months_until(paid_in);
    let limit = i64::from(pack.payments.max_back_months);
    if back > limit {
        return refuse(
            "period",
            "dues.back_payment_too_old",
            vec![
                ("period", period.to_string()),
                ("paid_on", paid_on.to_string()),
                ("months", back.to_string()),
                ("limit", limit.to_string()),
                ("source", pack.source(&pack.payments.source)),
            ],
        );
    }
    if period.year > paid_in.year {
        return refuse("period", "dues.ahead_of_year", vec![("period", period.to_string())]);
    }
    Ok(())
}

/// A monthly standard as set: from `from` on, until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardFrom {
    pub from: Period,
    pub monthly_dues_fen: i64,
}

/// One month of a member's dues year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthLine {
    pub period: Period,
    /// None when no standard was set for the month.
    pub due_fen: Option<i64>,
    pub paid_fen: i64,
    /// What is still owed once the month is over (zero when paid in full,
    /// when nothing was due, or for the current month, which may still be
    /// paid in time).
    pub owed_fen: i64,
}

/// The months of `year` from the member's joining up to `through` (the
/// current month), each with its standard, regular payments and arrears;
/// a month is in arrears only once it is over.
pub fn year_lines(
    year: i32,
    join_date: NaiveDate,
    through: Period,
    standards: &[StandardFrom],
    regular_payments: &[(Period, i64)],
) -> Vec<MonthLine> {
    let mut lines = Vec::new();
    let mut p = Period { year, month: 1 }.max(Period::of(join_date));
    while p.year == year && p <= through {
        let due = standards.iter().filter(|s| s.from <= p).max_by_key(|s| s.from).map(|s| s.monthly_dues_fen);
        let paid: i64 = regular_payments.iter().filter(|(q, _)| *q == p).map(|(_, a)| a).sum();
        let owed = if p < through { (due.unwrap_or(0) - paid).max(0) } else { 0 };
        lines.push(MonthLine { period: p, due_fen: due, paid_fen: paid, owed_fen: owed });
        p = p.next();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn periods_parse_and_count_months() {
        assert_eq!(p("2026-02"), Period { year: 2026, month: 2 });
        for bad in ["2026-13", "2026-00", "2026-2", "26-02", "2026/02", ""] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(p("2025-12").months_until(p("2026-01")), 1);
        assert_eq!(p("2026-06").months_until(p("2025-12")), -6);
        assert_eq!(p("2025-12").next(), p("2026-01"));
    }

    #[test]
    fn back_payment_reaches_six_months_and_no_further() {
        let pack = DuesRulePack::default_pack();
        let ok = |period: &str, paid: &str| {
            check_payment(&pack, d("2000-01-01"), PaymentKind::Regular, p(period), 1500, d(paid), d(paid))
        };
        // Paid on the last day of August: February is six months back.
        assert!(ok("2026-02", "2026-08-31").is_ok());
        let e = ok("2026-01", "2026-08-31").unwrap_err();
        assert_eq!((e.field, e.key), ("period", "dues.back_payment_too_old"));
        assert!(e.params.contains(&("months", "7".into())));
        // Counted in months, not days: on the first of August, February still is.
        assert!(ok("2026-02", "2026-08-01").is_ok());
        // Across a year end.
        assert!(ok("2025-07", "2026-01-15").is_ok());
        assert!(ok("2025-06", "2026-01-15").is_err());
        // Ahead within the year, not into the next.
        assert!(ok("2026-12", "2026-03-01").is_ok());
        assert_eq!(ok("2027-01", "2026-12-31").unwrap_err().key, "dues.ahead_of_year");
    }

    #[test]
    fn a_payment_is_recorded_within_a_month_so_it_cannot_be_back_dated() {
        let pack = DuesRulePack::default_pack();
        let rec = |paid: &str, recorded: &str| {
            check_payment(&pack, d("2000-01-01"), PaymentKind::Regular, p("2026-01"), 1500, d(paid), d(recorded))
        };
        assert!(rec("2026-01-31", "2026-02-28").is_ok());
        let e = rec("2026-01-31", "2026-03-01").unwrap_err();
        assert_eq!((e.field, e.key), ("paid_on", "dues.recorded_too_late"));
        assert_eq!(rec("2026-02-02", "2026-02-01").unwrap_err().key, "dues.paid_in_future");
    }

    #[test]
    fn dues_start_from_joining() {
        let pack = DuesRulePack::default_pack();
        let pay = |period: &str| {
            check_payment(
                &pack,
                d("2026-03-31"),
                PaymentKind::Regular,
                p(period),
                500,
                d("2026-04-10"),
                d("2026-04-10"),
            )
        };
        assert!(pay("2026-03").is_ok(), "the month of the branch resolution counts");
        assert_eq!(pay("2026-02").unwrap_err().key, "dues.before_joining");
        let zero = check_payment(
            &pack,
            d("2026-03-31"),
            PaymentKind::Voluntary,
            p("2020-01"),
            0,
            d("2026-04-10"),
            d("2026-04-10"),
        );
        assert_eq!(zero.unwrap_err().key, "dues.amount_not_positive");
        // A voluntary payment is for no month.
        assert!(check_payment(
            &pack,
            d("2026-03-31"),
            PaymentKind::Voluntary,
            p("2020-01"),
            100000,
            d("2026-04-10"),
            d("2026-04-10")
        )
        .is_ok());
    }

    #[test]
    fn a_year_of_lines_follows_standards_and_payments() {
        let standards = [
            StandardFrom { from: p("2026-01"), monthly_dues_fen: 1500 },
            // Income changed in April.
            StandardFrom { from: p("2026-04"), monthly_dues_fen: 3000 },
        ];
        let payments = [(p("2026-01"), 1500), (p("2026-02"), 1000), (p("2026-04"), 3000), (p("2026-02"), 500)];
        let lines = year_lines(2026, d("1990-07-01"), p("2026-05"), &standards, &payments);
        let owed: Vec<(String, Option<i64>, i64, i64)> =
            lines.iter().map(|l| (l.period.to_string(), l.due_fen, l.paid_fen, l.owed_fen)).collect();
        assert_eq!(
            owed,
            vec![
                ("2026-01".into(), Some(1500), 1500, 0),
                ("2026-02".into(), Some(1500), 1500, 0),
                ("2026-03".into(), Some(1500), 0, 1500),
                ("2026-04".into(), Some(3000), 3000, 0),
                // The current month is not yet late.
                ("2026-05".into(), Some(3000), 0, 0),
            ]
        );
        // A member who joined in March owes nothing for earlier months; a
        // month with no standard set owes nothing but says so.
        let lines = year_lines(2026, d("2026-03-15"), p("2026-05"), &standards[1..], &[]);
        assert_eq!(
            lines.iter().map(|l| (l.due_fen, l.owed_fen)).collect::<Vec<_>>(),
            vec![(None, 0), (Some(3000), 3000), (Some(3000), 0)]
        );
        // A past year is over: its December is owed too.
        let lines = year_lines(
            2025,
            d("2000-01-01"),
            p("2026-01"),
            &[StandardFrom { from: p("2025-01"), monthly_dues_fen: 100 }],
            &[],
        );
        assert_eq!((lines.len(), lines.iter().map(|l| l.owed_fen).sum::<i64>()), (12, 1200));
    }
}
