//! Party dues: a member's year, a subtree's totals and arrears, and the two
//! writes (a standard, a payment), shared by the pages and the API.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use chrono::NaiveDate;
use ronghe_domain::auth::Action;
use ronghe_domain::dues::{check_payment, year_lines, MonthLine, PaymentKind, Period, StandardFrom};
use ronghe_store::{DuesMember, MemberRecord, MonthTotal, NewPayment, NewStandard, Org, PaymentRow, StandardRow};
use serde::Serialize;

use crate::auth::Auth;
use crate::cache::Figure;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// A member's dues for one year.
#[derive(Debug, Serialize)]
pub struct MemberYear {
    pub year: i32,
    pub standards: Vec<StandardRow>,
    pub months: Vec<MonthLine>,
    pub payments: Vec<PaymentRow>,
    pub owed_fen: i64,
    pub voluntary_fen: i64,
}

/// A member in arrears, for the drill-down from a subtree's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Arrears {
    pub member_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub months_owed: usize,
    pub owed_fen: i64,
}

/// A subtree's dues for one year.
#[derive(Debug, Serialize)]
pub struct SubtreeYear {
    pub year: i32,
    pub months: Vec<MonthTotal>,
    pub regular_fen: i64,
    pub voluntary_fen: i64,
    pub members: usize,
    /// Active members with no standard set for the year, by name: the first
    /// [`LISTED`] of `without_standard_count`.
    pub without_standard: Vec<Arrears>,
    pub without_standard_count: usize,
    /// Members in arrears, most owed first: the first [`LISTED`] of
    /// `arrears_count`.
    pub arrears: Vec<Arrears>,
    pub arrears_count: usize,
    pub owed_fen: i64,
}

/// Members a subtree's dues year lists by name in each list (the export
/// too); the counts and sums cover everyone. A national root's lists would
/// otherwise hold millions.
pub const LISTED: usize = 20_000;

/// Members see their own dues; dues readers see their subtree's.
pub fn may_read(auth: &Auth, member: &MemberRecord) -> AppResult<()> {
    if auth.principal().member_id == Some(member.row.id) {
        return Ok(());
    }
    auth.require(Action::ReadDues, &member.org_path)
}

fn lines_for(
    year: i32,
    through: Period,
    join_date: NaiveDate,
    standards: &[&StandardRow],
    payments: &[&PaymentRow],
) -> Vec<MonthLine> {
    let from: Vec<StandardFrom> = standards
        .iter()
        .filter_map(|s| {
            Some(StandardFrom {
                from: Period::new(year, u32::try_from(s.from_month).ok()?)?,
                monthly_dues_fen: s.monthly_dues_fen,
            })
        })
        .collect();
    let paid: Vec<(Period, i64)> = payments
        .iter()
        .filter(|p| p.kind == PaymentKind::Regular.code() && p.voided_at.is_none())
        .filter_map(|p| Some((Period::parse(&p.period)?, p.amount_fen)))
        .collect();
    year_lines(year, join_date, through, &from, &paid)
}

/// The months of `year` that have come by `today` (all of a past year:
/// the month after December closes it).
fn through(year: i32, today: NaiveDate) -> Period {
    let now = Period::of(today);
    if year < now.year {
        Period { year: year + 1, month: 1 }
    } else {
        now
    }
}

pub async fn member_year(state: &AppState, member: &MemberRecord, year: i32) -> AppResult<MemberYear> {
    let ids = [member.row.id];
    let standards = state.store.dues_standards(&ids, year).await?;
    let payments = state.store.dues_payments(&ids, year).await?;
    let months = lines_for(
        year,
        through(year, state.today()),
        member.row.join_date,
        &standards.iter().collect::<Vec<_>>(),
        &payments.iter().collect::<Vec<_>>(),
    );
    Ok(MemberYear {
        year,
        owed_fen: months.iter().map(|m| m.owed_fen).sum(),
        voluntary_fen: payments
            .iter()
            .filter(|p| p.kind == PaymentKind::Voluntary.code() && p.voided_at.is_none())
            .map(|p| p.amount_fen)
            .sum(),
        standards,
        months,
        payments,
    })
}

/// What a subtree's dues year is cached by: tenant, organisation, its path
/// as read before the version (an organisation moved since is another
/// key), year and the day it stands on (which months have come).
pub type SubtreeKey = (i64, i64, String, i32, NaiveDate);

/// A subtree's dues for a year as they stand today. Computed once per node
/// while the tenant's `dues` figure version (kept by triggers on members,
/// organisations, standards and payments) stays the same, and then read from
/// the node's cache: a unit's page does not read every member's year on
/// each view.
///
/// A national root's year takes longer than a request waits: it is counted
/// beside the request and shown as last counted while it is recounted
/// ([`super::counted_figure`]).
pub async fn subtree_year(state: &AppState, org: &Org, year: i32) -> AppResult<Figure<SubtreeYear>> {
    let today = state.today();
    let key = (org.tenant_id, org.id, org.path.clone(), year, today);
    let yesterday = today.pred_opt().map(|d| (org.tenant_id, org.id, org.path.clone(), year, d));
    let (st, org) = (state.clone(), org.clone());
    let figure = ronghe_store::Figures::Dues;
    super::counted_figure(state, &state.dues, org.tenant_id, figure, key, yesterday, move || async move {
        let d = compute_subtree_year(&st, &org, year, today).await?;
        let rows = d.arrears.len() + d.without_standard.len();
        Ok((d, 1 + rows))
    })
    .await
}

/// What [`subtree_year`] computes on a miss: never cached.
pub async fn compute_subtree_year(state: &AppState, org: &Org, year: i32, today: NaiveDate) -> AppResult<SubtreeYear> {
    let months = state.store.dues_totals(&org.path, year).await?;
    let standards = state.store.subtree_dues_standards(&org.path, year).await?;
    let paid = state.store.subtree_dues_paid(&org.path, year).await?;
    let mut standards_of: HashMap<i64, Vec<StandardFrom>> = HashMap::new();
    for s in &standards {
        if let Some(from) = u32::try_from(s.from_month).ok().and_then(|m| Period::new(year, m)) {
            standards_of
                .entry(s.member_id)
                .or_default()
                .push(StandardFrom { from, monthly_dues_fen: s.monthly_dues_fen });
        }
    }
    let paid_of: HashMap<i64, Vec<(Period, i64)>> = paid
        .iter()
        .map(|p| {
            let months = (1..=12u32)
                .zip(p.by_month)
                .filter(|(_, fen)| *fen > 0)
                .filter_map(|(m, fen)| Some((Period::new(year, m)?, fen)))
                .collect();
            (p.member_id, months)
        })
        .collect();
    let until = through(year, today);
    // Members are read one by one, in no order: only the listed ones are
    // kept, ranked as they come.
    let mut arrears = Greatest::new(LISTED);
    let mut without_standard = Greatest::new(LISTED);
    let (mut members, mut arrears_count, mut without_standard_count, mut owed_fen) = (0, 0, 0, 0);
    state
        .store
        .each_dues_member(&org.path, |m: DuesMember| {
            members += 1;
            let entry = |months_owed, owed_fen| Arrears {
                member_id: m.id,
                name: m.name,
                org_id: m.org_id,
                org_name: m.org_name,
                months_owed,
                owed_fen,
            };
            let Some(st) = standards_of.get(&m.id) else {
                if Period::of(m.join_date) <= until && Period::of(m.join_date).year <= year {
                    without_standard_count += 1;
                    without_standard.offer(by_name(m.name_initials, m.id), entry(0, 0));
                }
                return;
            };
            let lines = year_lines(year, m.join_date, until, st, paid_of.get(&m.id).map_or(&[][..], |v| &v[..]));
            let owed: i64 = lines.iter().map(|l| l.owed_fen).sum();
            if owed > 0 {
                arrears_count += 1;
                owed_fen += owed;
                arrears.offer(by_owed(owed, m.id), entry(lines.iter().filter(|l| l.owed_fen > 0).count(), owed));
            }
        })
        .await?;
    let (arrears, without_standard) = (arrears.into_sorted(), without_standard.into_sorted());
    Ok(SubtreeYear {
        year,
        regular_fen: months.iter().map(|m| m.regular_fen).sum(),
        voluntary_fen: months.iter().map(|m| m.voluntary_fen).sum(),
        months,
        members,
        owed_fen,
        without_standard,
        without_standard_count,
        arrears,
        arrears_count,
    })
}

/// A standard as asked for: the category and income (and, for categories
/// with a range, the amount the branch chose).
#[derive(Debug, Clone, Default)]
pub struct StandardInput {
    pub year: i32,
    pub from_month: u32,
    pub category: String,
    pub monthly_income_fen: Option<i64>,
    pub monthly_dues_fen: Option<i64>,
    pub reason: String,
}

/// Sets a standard computed by the pack in force on the first day it
/// applies; the branch may choose an amount only within a category's range.
pub async fn set_standard(state: &AppState, auth: &Auth, member: &MemberRecord, s: &StandardInput) -> AppResult<()> {
    auth.require(Action::WriteDues, &member.org_path)?;
    let Some(first) = NaiveDate::from_ymd_opt(s.year, s.from_month, 1) else {
        return Err(AppError::Refused { field: "from_month", key: "dues.bad_month", params: vec![] });
    };
    let pack = state.store.dues_rules(member.tenant_id, first).await?;
    let q = pack.quote(s.category.trim(), s.monthly_income_fen).map_err(|e| AppError::Invalid(vec![e]))?;
    let amount = match (s.monthly_dues_fen, q.max_fen) {
        (None, _) => q.monthly_dues_fen,
        (Some(chosen), Some(max)) if (q.monthly_dues_fen..=max).contains(&chosen) => chosen,
        (Some(chosen), _) if chosen == q.monthly_dues_fen => chosen,
        (Some(_), max) => {
            return Err(AppError::Refused {
                field: "monthly_dues_fen",
                key: "dues.amount_not_standard",
                params: vec![
                    ("standard", q.monthly_dues_fen.to_string()),
                    ("max", max.unwrap_or(q.monthly_dues_fen).to_string()),
                    ("source", q.source.clone()),
                ],
            })
        }
    };
    Ok(state
        .store
        .set_dues_standard(
            &auth.actor(),
            &NewStandard {
                member_id: member.row.id,
                org_id: member.row.org_id,
                year: s.year,
                from_month: s.from_month,
                category: q.category,
                monthly_income_fen: q.monthly_income_fen,
                rate_permille: q.rate_permille,
                monthly_dues_fen: amount,
                pack_version: q.pack_version,
                reason: s.reason.trim().to_string(),
            },
        )
        .await?)
}

/// A payment as asked for.
#[derive(Debug, Clone)]
pub struct PaymentInput {
    pub kind: PaymentKind,
    /// For regular payments; a voluntary one is filed under the month paid.
    pub period: Option<Period>,
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub payer: String,
}

pub async fn record_payment(state: &AppState, auth: &Auth, member: &MemberRecord, p: &PaymentInput) -> AppResult<()> {
    auth.require(Action::WriteDues, &member.org_path)?;
    let period = match (p.kind, p.period) {
        (PaymentKind::Regular, Some(period)) => period,
        (PaymentKind::Regular, None) => {
            return Err(AppError::Refused { field: "period", key: "dues.period_required", params: vec![] })
        }
        (PaymentKind::Voluntary, _) => Period::of(p.paid_on),
    };
    let pack = state.store.dues_rules(member.tenant_id, p.paid_on).await?;
    check_payment(&pack, member.row.join_date, p.kind, period, p.amount_fen, p.paid_on, state.today())
        .map_err(|r| AppError::Refused { field: r.field, key: r.key, params: r.params })?;
    Ok(state
        .store
        .record_dues_payment(
            &auth.actor(),
            &NewPayment {
                member_id: member.row.id,
                org_id: member.row.org_id,
                period: period.to_string(),
                kind: p.kind.code(),
                amount_fen: p.amount_fen,
                paid_on: p.paid_on,
                payer: p.payer.trim().to_string(),
            },
        )
        .await?)
}

/// Voids a payment recorded in error: it stays on the record, counts for
/// nothing, and says who voided it and why.
pub async fn void_payment(
    state: &AppState,
    auth: &Auth,
    member: &MemberRecord,
    payment_id: i64,
    reason: &str,
) -> AppResult<()> {
    auth.require(Action::WriteDues, &member.org_path)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Refused { field: "reason", key: "dues.void_reason_required", params: vec![] });
    }
    Ok(state.store.void_dues_payment(&auth.actor(), member.row.id, member.row.org_id, payment_id, reason).await?)
}

/// How the page ranks members in arrears: most owed first, then by id.
fn by_owed(owed_fen: i64, member_id: i64) -> (i64, Reverse<i64>) {
    (owed_fen, Reverse(member_id))
}

/// How the page ranks members without a standard: by name (its initials,
/// as rosters are), then by id.
fn by_name(name_initials: String, member_id: i64) -> Reverse<(String, i64)> {
    Reverse((name_initials, member_id))
}

/// The `n` items of greatest key offered, in a heap of `n`: a national
/// root's members are ranked without holding every one of them.
struct Greatest<K, T> {
    n: usize,
    heap: BinaryHeap<Reverse<Ranked<K, T>>>,
}

/// An item in a [`Greatest`], ordered by its key alone.
struct Ranked<K, T>(K, T);

impl<K: Ord, T> PartialEq for Ranked<K, T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K: Ord, T> Eq for Ranked<K, T> {}

impl<K: Ord, T> PartialOrd for Ranked<K, T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord, T> Ord for Ranked<K, T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl<K: Ord, T> Greatest<K, T> {
    fn new(n: usize) -> Greatest<K, T> {
        Greatest { n, heap: BinaryHeap::new() }
    }

    fn offer(&mut self, key: K, item: T) {
        if self.heap.len() < self.n {
            self.heap.push(Reverse(Ranked(key, item)));
        } else if self.heap.peek().is_some_and(|Reverse(least)| key > least.0) {
            self.heap.pop();
            self.heap.push(Reverse(Ranked(key, item)));
        }
    }

    /// The items kept, greatest key first.
    fn into_sorted(self) -> Vec<T> {
        self.heap.into_sorted_vec().into_iter().map(|Reverse(Ranked(_, x))| x).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_greatest_are_kept_in_order_whatever_the_order_offered() {
        let mut state = 0x9e37_79b9_u64;
        let mut random = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % 50
        };
        for n in [0, 1, 3, 10, 200] {
            let items: Vec<u64> = (0..100).map(|_| random()).collect();
            let mut g = Greatest::new(n);
            for x in &items {
                g.offer(*x, *x);
            }
            let mut all = items.clone();
            all.sort_by(|a, b| b.cmp(a));
            all.truncate(n);
            assert_eq!(g.into_sorted(), all, "n = {n}");
        }
    }

    #[test]
    fn arrears_rank_by_amount_then_by_id() {
        let mut g = Greatest::new(3);
        for (member_id, owed_fen) in [(5, 100), (2, 300), (9, 300), (1, 50), (7, 200)] {
            g.offer(by_owed(owed_fen, member_id), member_id);
        }
        let ids: Vec<i64> = g.into_sorted();
        assert_eq!(ids, [2, 9, 7]);
    }

    #[test]
    fn members_without_a_standard_rank_by_initials_then_by_id() {
        let mut g = Greatest::new(3);
        for (initials, member_id) in [("zs", 1), ("ls", 8), ("ww", 3), ("ls", 2), ("zl", 4)] {
            g.offer(by_name(initials.to_string(), member_id), member_id);
        }
        let ids: Vec<i64> = g.into_sorted();
        assert_eq!(ids, [2, 8, 3]);
    }
}
