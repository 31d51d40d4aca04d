//! Spreadsheets waiting between their preview and their confirmation. The
//! file is kept in the database (not on one node's disk) and checked again
//! when confirmed, since the roster may have changed in between.

use serde::Serialize;

use crate::{now_ms, on, Store, StoreResult};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ImportDraft {
    pub id: i64,
    pub tenant_id: i64,
    pub user_id: i64,
    pub org_id: i64,
    pub file_name: String,
    #[serde(skip)]
    pub content: Vec<u8>,
    pub created_at: i64,
}

impl Store {
    /// Keeps an upload between its preview and its confirmation; `kind`
    /// says which import it is for (`roster`, `payroll`).
    pub async fn stash_import(
        &self,
        kind: &str,
        tenant_id: i64,
        user_id: i64,
        org_id: i64,
        file_name: &str,
        content: &[u8],
    ) -> StoreResult<i64> {
        Ok(on!(self, |p| {
            sqlx::query_scalar(
            "INSERT INTO import_drafts (tenant_id, user_id, org_id, file_name, content, created_at, kind) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(org_id)
        .bind(file_name)
        .bind(content)
        .bind(now_ms())
        .bind(kind)
        .fetch_one(p)
        .await
        })?)
    }

    /// A stashed file, only for the user who uploaded it and the import it
    /// was stashed for.
    pub async fn import_draft(&self, kind: &str, id: i64, user_id: i64) -> StoreResult<ImportDraft> {
        Ok(on!(self, |p| {
            sqlx::query_as::<_, ImportDraft>(
            "SELECT id, tenant_id, user_id, org_id, file_name, content, created_at FROM import_drafts WHERE id = $1 AND user_id = $2 AND kind = $3"
        )
        .bind(id)
        .bind(user_id)
        .bind(kind)
        .fetch_one(p)
        .await
        })?)
    }

    pub async fn drop_import(&self, id: i64) -> StoreResult<()> {
        on!(self, |p| sqlx::query("DELETE FROM import_drafts WHERE id = $1")
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
