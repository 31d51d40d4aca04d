//! Rule packs: the versioned TOML documents that hold every number a
//! regulation sets. The pack in force on a date is the newest one whose
//! effective date has come.

use chrono::NaiveDate;
use ronghe_domain::org::OrgRulePack;

use crate::audit::append_audit;
use crate::{now_ms, on, Actor, AuditEntry, Store, StoreError, StoreResult};

impl Store {
    /// The organisation rules in force for a tenant on `day`; the shipped
    /// pack if the tenant has none yet.
    pub async fn org_rules(&self, tenant_id: i64, day: NaiveDate) -> StoreResult<OrgRulePack> {
        let body: Option<String> = on!(self, |p| sqlx::query_scalar(
            "SELECT body FROM rule_packs WHERE tenant_id = $1 AND kind = 'org' AND effective_from <= $2
             ORDER BY effective_from DESC, id DESC LIMIT 1"
        )
        .bind(tenant_id)
        .bind(day)
        .fetch_optional(p)
        .await)?;
        match body {
            Some(b) => {
                OrgRulePack::parse(&b).map_err(|e| StoreError::Other(anyhow::anyhow!("stored org rule pack: {e}")))
            }
            None => Ok(OrgRulePack::default_pack()),
        }
    }

    /// Loads a revised organisation rule pack (checked before it is stored).
    pub async fn load_org_rules(&self, actor: &Actor, text: &str) -> StoreResult<OrgRulePack> {
        let pack = OrgRulePack::parse(text).map_err(|_| StoreError::Invalid("rules.unparsable"))?;
        on!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO rule_packs (tenant_id, kind, version, effective_from, body, loaded_at) VALUES ($1, 'org', $2, $3, $4, $5)",
            )
            .bind(actor.tenant_id)
            .bind(&pack.version)
            .bind(pack.effective_from)
            .bind(text)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("rules.load", "rule_pack", &pack.version)
                    .detail(serde_json::json!({"kind": "org", "effective_from": pack.effective_from}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(pack)
    }
}
