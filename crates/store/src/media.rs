//! Lesson files kept in the database in chunks (see migration 0018): a
//! range request reads only the chunks that hold it, and every app node
//! serves the same bytes. Also the per-organisation switch for study
//! rankings, off unless turned on.

use serde::Serialize;

use crate::audit::append_audit;
use crate::reader::read;
use crate::BeginWrite;
use crate::{now_ms, on, Actor, AuditEntry, Store, StoreError, StoreResult};

/// Bytes per stored chunk: a seek reads at most two more than it needs.
pub const MEDIA_CHUNK: usize = 256 * 1024;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MediaRow {
    pub id: i64,
    pub tenant_id: i64,
    pub org_id: i64,
    pub file_name: String,
    pub kind: String,
    pub content_type: String,
    pub size: i64,
    pub chunk_size: i64,
    pub digest: String,
    pub uploaded_at: i64,
}

/// A file with its organisation's path, for scope checks.
#[derive(Debug, Clone, Serialize)]
pub struct MediaRecord {
    pub row: MediaRow,
    pub org_path: String,
}

impl Store {
    /// Keeps an uploaded lesson file (already checked) in chunks; audited.
    pub async fn add_media(
        &self,
        actor: &Actor,
        org_id: i64,
        file_name: &str,
        kind: &str,
        content_type: &str,
        content: &[u8],
    ) -> StoreResult<i64> {
        use sm3::Digest;
        let digest: String = sm3::Sm3::digest(content).iter().map(|b| format!("{b:02x}")).collect();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO media (tenant_id, org_id, file_name, kind, content_type, size, chunk_size, digest, uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(org_id)
            .bind(file_name)
            .bind(kind)
            .bind(content_type)
            .bind(content.len() as i64)
            .bind(MEDIA_CHUNK as i64)
            .bind(&digest)
            .bind(actor.user_id)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            for (n, data) in content.chunks(MEDIA_CHUNK).enumerate() {
                sqlx::query("INSERT INTO media_chunks (media_id, n, data) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(n as i64)
                    .bind(data)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("media.upload", "media", id)
                    .org(org_id)
                    .detail(serde_json::json!({"name": file_name, "size": content.len(), "digest": digest}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn media(&self, id: i64) -> StoreResult<MediaRecord> {
        on!(self, |p| {
            use sqlx::{FromRow, Row};
            let r = sqlx::query(
                "SELECT m.id, m.tenant_id, m.org_id, m.file_name, m.kind, m.content_type, m.size, m.chunk_size, m.digest,
                        m.uploaded_at, o.path
                 FROM media m JOIN orgs o ON o.id = m.org_id WHERE m.id = $1",
            )
            .bind(id)
            .fetch_one(p)
            .await?;
            Ok(MediaRecord { row: MediaRow::from_row(&r)?, org_path: r.try_get("path")? })
        })
    }

    /// Chunks `first..=last` of a file, in order.
    pub async fn media_chunks(&self, id: i64, first: i64, last: i64) -> StoreResult<Vec<Vec<u8>>> {
        Ok(on!(self, |p| sqlx::query_scalar(
            "SELECT data FROM media_chunks WHERE media_id = $1 AND n BETWEEN $2 AND $3 ORDER BY n"
        )
        .bind(id)
        .bind(first)
        .bind(last)
        .fetch_all(p)
        .await)?)
    }

    /// Which of these organisations (an org path's ids, say) have switched
    /// study rankings on; a ranking shows only for those subtrees.
    pub async fn rankings_on(&self, org_ids: &[i64]) -> StoreResult<Vec<i64>> {
        if org_ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT org_id FROM study_ranking WHERE org_id IN ({}) ORDER BY org_id",
            crate::list_placeholders(self.backend(), 1, org_ids.len())
        );
        let ranked = read!(
            self,
            (i64,),
            &sql,
            |q| {
                let mut q = q;
                for id in org_ids {
                    q = q.bind(*id);
                }
                q
            },
            fetch_all
        )?;
        Ok(ranked.into_iter().map(|(id,)| id).collect())
    }

    /// Switches an organisation's study ranking on or off; audited.
    pub async fn set_ranking(&self, actor: &Actor, org_id: i64, on_: bool) -> StoreResult<()> {
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            sqlx::query("DELETE FROM study_ranking WHERE org_id = $1").bind(org_id).execute(&mut *tx).await?;
            if on_ {
                sqlx::query(
                    "INSERT INTO study_ranking (org_id, tenant_id, changed_by, changed_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(org_id)
                .bind(actor.tenant_id)
                .bind(actor.user_id)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("study.ranking", "org", org_id).org(org_id).detail(serde_json::json!({"on": on_}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }
}
