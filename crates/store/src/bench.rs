//! Baselines for the benchmarks (`ronghe bench`): what the database does
//! with no application in the way. Nothing else calls these.

use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::{on, Store, StoreResult};

/// A roster row as a DBA would load it: plain columns, nothing derived.
pub struct RawRow {
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub category: String,
    pub join_date: NaiveDate,
}

impl Store {
    /// Loads rows into a bare table (no encryption, no checks, no audit,
    /// one index) in multi-row statements inside one transaction, and
    /// returns how long the inserts took. The table is dropped afterwards.
    pub async fn bench_raw_insert(&self, rows: &[RawRow]) -> StoreResult<Duration> {
        const ROWS: usize = 250;
        let backend = self.backend();
        let took = on!(self, |p| {
            sqlx::query("DROP TABLE IF EXISTS bench_raw_members").execute(p).await?;
            sqlx::query(
                "CREATE TABLE bench_raw_members (id_number TEXT PRIMARY KEY, name TEXT NOT NULL, gender TEXT NOT NULL,
                 birth_date DATE NOT NULL, category TEXT NOT NULL, join_date DATE NOT NULL)",
            )
            .execute(p)
            .await?;
            let start = Instant::now();
            let mut tx = p.begin().await?;
            for chunk in rows.chunks(ROWS) {
                let sql = format!(
                    "INSERT INTO bench_raw_members (id_number, name, gender, birth_date, category, join_date) VALUES {}",
                    crate::values_placeholders(backend, chunk.len(), 6)
                );
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    q = q
                        .bind(&r.id_number)
                        .bind(&r.name)
                        .bind(&r.gender)
                        .bind(r.birth_date)
                        .bind(&r.category)
                        .bind(r.join_date);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            let took = start.elapsed();
            sqlx::query("DROP TABLE bench_raw_members").execute(p).await?;
            Ok::<Duration, sqlx::Error>(took)
        })?;
        Ok(took)
    }

    /// The database's size on disk, in bytes (PostgreSQL; SQLite's is its file).
    pub async fn postgres_size(&self) -> StoreResult<Option<i64>> {
        match &self.db {
            crate::Db::Postgres(p) => {
                Ok(Some(sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(p).await?))
            }
            crate::Db::Sqlite(_) => Ok(None),
        }
    }
}
