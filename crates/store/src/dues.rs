//! Party dues: monthly standards and payments, in fen. Arrears and totals
//! are computed from these rows (the domain's `year_lines`), never stored.

use chrono::NaiveDate;
use serde::Serialize;

use crate::audit::{append_audit, append_audits, audited_change};
use crate::BeginWrite;
use crate::{now_ms, on, path_hi, Actor, AuditEntry, Store, StoreError, StoreResult};

/// A standard to set from a month of a year on.
#[derive(Debug, Clone)]
pub struct NewStandard {
    pub member_id: i64,
    pub org_id: i64,
    pub year: i32,
    pub from_month: u32,
    pub category: String,
    pub monthly_income_fen: Option<i64>,
    pub rate_permille: Option<i64>,
    pub monthly_dues_fen: i64,
    pub pack_version: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StandardRow {
    pub id: i64,
    pub member_id: i64,
    pub year: i64,
    pub from_month: i64,
    pub category: String,
    pub monthly_income_fen: Option<i64>,
    pub rate_permille: Option<i64>,
    pub monthly_dues_fen: i64,
    pub pack_version: String,
    pub reason: String,
    pub recorded_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewPayment {
    pub member_id: i64,
    pub org_id: i64,
    pub period: String,
    pub kind: &'static str,
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub payer: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: i64,
    pub member_id: i64,
    pub org_id: i64,
    pub period: String,
    pub kind: String,
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub payer: String,
    pub recorded_at: i64,
    /// When it was voided, if it was: a voided payment counts for nothing.
    pub voided_at: Option<i64>,
    pub void_reason: String,
}

/// A member of a subtree as the dues ledger needs them.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DuesMember {
    pub id: i64,
    pub name: String,
    /// What lists of people are ordered by (then the id).
    pub name_initials: String,
    pub org_id: i64,
    pub org_name: String,
    pub join_date: NaiveDate,
}

/// A member id and twelve monthly sums, as the query returns them.
type PaidRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// A member's regular dues paid in each month of a year (January first).
#[derive(Debug, Clone)]
pub struct MemberPaid {
    pub member_id: i64,
    pub by_month: [i64; 12],
}

/// Money received by a subtree in one month, by kind.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow)]
pub struct MonthTotal {
    pub period: String,
    pub regular_fen: i64,
    pub voluntary_fen: i64,
    pub payments: i64,
}

const STANDARD_COLUMNS: &str = "id, member_id, year, from_month, category, monthly_income_fen, rate_permille,
     monthly_dues_fen, pack_version, reason, recorded_at";
const PAYMENT_COLUMNS: &str =
    "id, member_id, org_id, period, kind, amount_fen, paid_on, payer, recorded_at, voided_at, void_reason";

impl Store {
    /// The latest month a member's regular dues are paid for (`YYYY-MM`),
    /// as an introduction letter states it.
    pub async fn dues_paid_through(&self, member_id: i64) -> StoreResult<Option<String>> {
        Ok(on!(self, |p| sqlx::query_scalar(
            "SELECT MAX(period) FROM dues_payments WHERE member_id = $1 AND kind = 'regular' AND voided_at IS NULL"
        )
        .bind(member_id)
        .fetch_one(p)
        .await)?)
    }

    /// Sets a member's standard from a month on, replacing one set from the
    /// same month; audited.
    pub async fn set_dues_standard(&self, actor: &Actor, s: &NewStandard) -> StoreResult<()> {
        self.insert_dues(actor, std::slice::from_ref(s), &[], true).await
    }

    /// Records money received; audited.
    pub async fn record_dues_payment(&self, actor: &Actor, n: &NewPayment) -> StoreResult<()> {
        self.insert_dues(actor, &[], std::slice::from_ref(n), false).await
    }

    /// Writes many standards and payments in one transaction, a few hundred
    /// rows a statement, with an audit row each: for imports and the demo.
    /// With `replace_standards`, a standard already set for the same member
    /// from the same month is replaced; without, it is an error.
    pub async fn insert_dues(
        &self,
        actor: &Actor,
        standards: &[NewStandard],
        payments: &[NewPayment],
        replace_standards: bool,
    ) -> StoreResult<()> {
        const ROWS: usize = 400;
        let now = now_ms();
        let backend = self.backend();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            for chunk in standards.chunks(ROWS) {
                if replace_standards {
                    let mut months: std::collections::BTreeMap<(i32, u32), Vec<i64>> = Default::default();
                    for s in chunk {
                        months.entry((s.year, s.from_month)).or_default().push(s.member_id);
                    }
                    for ((year, month), ids) in months {
                        let sql = format!(
                            "DELETE FROM dues_standards WHERE year = {} AND from_month = {} AND member_id IN ({})",
                            crate::param(backend, 1),
                            crate::param(backend, 2),
                            crate::list_placeholders(backend, 3, ids.len())
                        );
                        let mut q = sqlx::query(&sql).bind(i64::from(year)).bind(i64::from(month));
                        for id in ids {
                            q = q.bind(id);
                        }
                        q.execute(&mut *tx).await?;
                    }
                }
                let sql = format!(
                    "INSERT INTO dues_standards (tenant_id, member_id, year, from_month, category, monthly_income_fen,
                        rate_permille, monthly_dues_fen, pack_version, reason, recorded_by, recorded_at) VALUES {}",
                    crate::values_placeholders(backend, chunk.len(), 12)
                );
                let mut q = sqlx::query(&sql);
                for s in chunk {
                    q = q
                        .bind(actor.tenant_id)
                        .bind(s.member_id)
                        .bind(i64::from(s.year))
                        .bind(i64::from(s.from_month))
                        .bind(&s.category)
                        .bind(s.monthly_income_fen)
                        .bind(s.rate_permille)
                        .bind(s.monthly_dues_fen)
                        .bind(&s.pack_version)
                        .bind(&s.reason)
                        .bind(actor.user_id)
                        .bind(now);
                }
                q.execute(&mut *tx).await?;
                let entries: Vec<AuditEntry> = chunk
                    .iter()
                    .map(|s| {
                        AuditEntry::new("dues.standard", "member", s.member_id).org(s.org_id).detail(
                            serde_json::json!({
                                "year": s.year, "from_month": s.from_month, "monthly_dues_fen": s.monthly_dues_fen,
                            }),
                        )
                    })
                    .collect();
                append_audits!(backend, tx, actor, &entries)?;
            }
            for chunk in payments.chunks(ROWS) {
                let sql = format!(
                    "INSERT INTO dues_payments (tenant_id, member_id, org_id, period, kind, amount_fen, paid_on, payer,
                        recorded_by, recorded_at) VALUES {}",
                    crate::values_placeholders(backend, chunk.len(), 10)
                );
                let mut q = sqlx::query(&sql);
                for n in chunk {
                    q = q
                        .bind(actor.tenant_id)
                        .bind(n.member_id)
                        .bind(n.org_id)
                        .bind(&n.period)
                        .bind(n.kind)
                        .bind(n.amount_fen)
                        .bind(n.paid_on)
                        .bind(&n.payer)
                        .bind(actor.user_id)
                        .bind(now);
                }
                q.execute(&mut *tx).await?;
                let entries: Vec<AuditEntry> = chunk
                    .iter()
                    .map(|n| {
                        AuditEntry::new("dues.payment", "member", n.member_id).org(n.org_id).detail(serde_json::json!({
                            "period": n.period, "kind": n.kind, "amount_fen": n.amount_fen, "paid_on": n.paid_on,
                        }))
                    })
                    .collect();
                append_audits!(backend, tx, actor, &entries)?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Voids a payment recorded in error, with the reason; audited. Not
    /// found when it is not this member's or already void.
    pub async fn void_dues_payment(
        &self,
        actor: &Actor,
        member_id: i64,
        org_id: i64,
        payment_id: i64,
        reason: &str,
    ) -> StoreResult<()> {
        audited_change!(
            self,
            actor,
            AuditEntry::new("dues.payment.void", "member", member_id)
                .org(org_id)
                .detail(serde_json::json!({"payment": payment_id, "reason": reason})),
            sqlx::query(
                "UPDATE dues_payments SET voided_at = $1, voided_by = $2, void_reason = $3
                 WHERE id = $4 AND member_id = $5 AND tenant_id = $6 AND voided_at IS NULL"
            )
            .bind(now_ms())
            .bind(actor.user_id)
            .bind(reason)
            .bind(payment_id)
            .bind(member_id)
            .bind(actor.tenant_id)
        )
    }

    /// The year a member's payment falls in (by its period), if it exists.
    pub async fn dues_payment_year(&self, member_id: i64, payment_id: i64) -> StoreResult<Option<i32>> {
        let period: Option<String> =
            on!(self, |p| sqlx::query_scalar("SELECT period FROM dues_payments WHERE id = $1 AND member_id = $2")
                .bind(payment_id)
                .bind(member_id)
                .fetch_optional(p)
                .await)?;
        Ok(period.and_then(|p| p.get(..4)?.parse().ok()))
    }

    /// The standards of the members given for one year, oldest first.
    pub async fn dues_standards(&self, member_ids: &[i64], year: i32) -> StoreResult<Vec<StandardRow>> {
        let mut out = Vec::new();
        for chunk in member_ids.chunks(500) {
            let sql = format!(
                "SELECT {STANDARD_COLUMNS} FROM dues_standards WHERE year = {} AND member_id IN ({})
                 ORDER BY member_id, from_month",
                crate::param(self.backend(), 1),
                crate::list_placeholders(self.backend(), 2, chunk.len())
            );
            let rows: Vec<StandardRow> = on!(self, |p| {
                let mut q = sqlx::query_as::<_, StandardRow>(&sql).bind(i64::from(year));
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(p).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Payments of the members given whose period falls in `year`.
    pub async fn dues_payments(&self, member_ids: &[i64], year: i32) -> StoreResult<Vec<PaymentRow>> {
        let mut out = Vec::new();
        for chunk in member_ids.chunks(500) {
            let sql = format!(
                "SELECT {PAYMENT_COLUMNS} FROM dues_payments WHERE period >= {} AND period < {} AND member_id IN ({})
                 ORDER BY member_id, period, id",
                crate::param(self.backend(), 1),
                crate::param(self.backend(), 2),
                crate::list_placeholders(self.backend(), 3, chunk.len())
            );
            let rows: Vec<PaymentRow> = on!(self, |p| {
                let mut q = sqlx::query_as::<_, PaymentRow>(&sql)
                    .bind(format!("{year:04}-01"))
                    .bind(format!("{:04}-01", year + 1));
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(p).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// The standards for `year` of the members now in a subtree, by member.
    pub async fn subtree_dues_standards(&self, root_path: &str, year: i32) -> StoreResult<Vec<StandardRow>> {
        let sql = format!(
            // CROSS JOIN fixes the order on SQLite (subtree, its members,
            // their rows by index); PostgreSQL plans it as any join.
            "SELECT {} FROM orgs o CROSS JOIN members m CROSS JOIN dues_standards s
             WHERE m.org_id = o.id AND s.member_id = m.id
               AND o.path >= $1 AND o.path < $2 AND s.year = $3 ORDER BY s.member_id, s.from_month",
            STANDARD_COLUMNS.split(", ").map(|c| format!("s.{}", c.trim())).collect::<Vec<_>>().join(", ")
        );
        Ok(on!(self, |p| sqlx::query_as::<_, StandardRow>(&sql)
            .bind(root_path)
            .bind(path_hi(root_path))
            .bind(i64::from(year))
            .fetch_all(p)
            .await)?)
    }

    /// Regular dues paid for each month of `year` by each member now in a
    /// subtree: one row a member with a column a month, summed in the
    /// database (a row per member and month made ten times the rows).
    pub async fn subtree_dues_paid(&self, root_path: &str, year: i32) -> StoreResult<Vec<MemberPaid>> {
        let month = |m: u32| {
            format!("CAST(COALESCE(SUM(CASE WHEN d.period = '{year:04}-{m:02}' THEN d.amount_fen END), 0) AS BIGINT)")
        };
        let sql = format!(
            "SELECT d.member_id, {}
             FROM orgs o CROSS JOIN members m CROSS JOIN dues_payments d
             WHERE m.org_id = o.id AND d.member_id = m.id AND d.voided_at IS NULL
               AND o.path >= $1 AND o.path < $2 AND d.kind = 'regular' AND d.period >= $3 AND d.period < $4
             GROUP BY d.member_id",
            (1..=12).map(month).collect::<Vec<_>>().join(", ")
        );
        let rows: Vec<PaidRow> = on!(self, |p| {
            sqlx::query_as(&sql)
                .bind(root_path)
                .bind(path_hi(root_path))
                .bind(format!("{year:04}-01"))
                .bind(format!("{:04}-01", year + 1))
                .fetch_all(p)
                .await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| MemberPaid {
                member_id: r.0,
                by_month: [r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12],
            })
            .collect())
    }

    /// The active members of a subtree (those who owe dues), each given to
    /// `each` as it is read, in no order: a national root's ten million are
    /// never held at once (held, they took 3 GB), nor sorted by the database
    /// (SQLite sorts in memory here: 0.9 GB).
    pub async fn each_dues_member(&self, root_path: &str, mut each: impl FnMut(DuesMember) + Send) -> StoreResult<()> {
        use futures_util::TryStreamExt;
        on!(self, |p| {
            let mut rows = sqlx::query_as::<_, DuesMember>(
                "SELECT m.id, m.name, m.name_initials, m.org_id, o.name AS org_name, m.join_date
                 FROM members m JOIN orgs o ON o.id = m.org_id
                 WHERE o.path >= $1 AND o.path < $2 AND m.status IN ('normal', 'lost_contact')",
            )
            .bind(root_path)
            .bind(path_hi(root_path))
            .fetch(p);
            while let Some(m) = rows.try_next().await? {
                each(m);
            }
            Ok::<(), StoreError>(())
        })
    }

    /// Money received by a subtree in each month of `year`, by kind.
    pub async fn dues_totals(&self, root_path: &str, year: i32) -> StoreResult<Vec<MonthTotal>> {
        Ok(on!(self, |p| {
            sqlx::query_as::<_, MonthTotal>(
            "SELECT d.period,
                    CAST(COALESCE(SUM(CASE WHEN d.kind = 'regular' THEN d.amount_fen ELSE 0 END), 0) AS BIGINT) AS regular_fen,
                    CAST(COALESCE(SUM(CASE WHEN d.kind = 'voluntary' THEN d.amount_fen ELSE 0 END), 0) AS BIGINT) AS voluntary_fen,
                    COUNT(*) AS payments
             FROM orgs o CROSS JOIN dues_payments d
             WHERE d.org_id = o.id AND d.voided_at IS NULL
               AND o.path >= $1 AND o.path < $2 AND d.period >= $3 AND d.period < $4
             GROUP BY d.period ORDER BY d.period"
        )
        .bind(root_path)
        .bind(path_hi(root_path))
        .bind(format!("{year:04}-01"))
        .bind(format!("{:04}-01", year + 1))
        .fetch_all(p)
        .await
        })?)
    }
}
