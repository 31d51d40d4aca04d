//! Rule packs: the versioned TOML documents that hold every number a
//! regulation sets, one kind per module (`org`, `dues`, `development`, `membership`, `meetings`, `learning`). The pack of a
//! kind in force on a date is the newest one whose effective date has come;
//! a tenant with none of a kind uses the pack shipped with Ronghe.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::NaiveDate;
use ronghe_domain::decisions::DecisionsRulePack;
use ronghe_domain::development::DevelopmentRulePack;
use ronghe_domain::dues::DuesRulePack;
use ronghe_domain::learning::LearningRulePack;
use ronghe_domain::meetings::MeetingsRulePack;
use ronghe_domain::org::OrgRulePack;
use ronghe_domain::transfers::MembershipRulePack;
use serde::Deserialize;

use crate::audit::append_audit;
use crate::reader::read;
use crate::BeginWrite;
use crate::{now_ms, on, Actor, AuditEntry, Store, StoreError, StoreResult};

/// What every pack starts with, whatever its kind.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct PackHeader {
    pub kind: String,
    pub version: String,
    pub effective_from: NaiveDate,
}

impl Store {
    /// The stored text of the `kind` pack in force for a tenant on `day`.
    async fn rule_pack_text(&self, tenant_id: i64, kind: &str, day: NaiveDate) -> StoreResult<Option<String>> {
        let body = read!(
            self,
            (String,),
            "SELECT body FROM rule_packs WHERE tenant_id = $1 AND kind = $2 AND effective_from <= $3
             ORDER BY effective_from DESC, id DESC LIMIT 1",
            |q| q.bind(tenant_id).bind(kind).bind(day),
            fetch_optional
        )?;
        Ok(body.map(|(b,)| b))
    }

    /// The organisation rules in force for a tenant on `day`.
    pub async fn org_rules(&self, tenant_id: i64, day: NaiveDate) -> StoreResult<OrgRulePack> {
        match self.rule_pack_text(tenant_id, "org", day).await? {
            Some(b) => parse_stored("org", b, OrgRulePack::parse),
            None => Ok(OrgRulePack::default_pack()),
        }
    }

    /// The dues rules in force for a tenant on `day`.
    pub async fn dues_rules(&self, tenant_id: i64, day: NaiveDate) -> StoreResult<DuesRulePack> {
        match self.rule_pack_text(tenant_id, "dues", day).await? {
            Some(b) => parse_stored("dues", b, DuesRulePack::parse),
            None => Ok(DuesRulePack::default_pack()),
        }
    }

    /// The member-development rules in force for a tenant on `day`.
    pub async fn development_rules(&self, tenant_id: i64, day: NaiveDate) -> StoreResult<DevelopmentRulePack> {
        match self.rule_pack_text(tenant_id, "development", day).await? {
            Some(b) => parse_stored("development", b, DevelopmentRulePack::parse),
            None => Ok(DevelopmentRulePack::default_pack()),
        }
    }

    /// The membership-management rules (transfers, members away, lost
    /// contact) in force for a tenant on `day`.
    pub async fn membership_rules(&self, tenant_id: i64, day: NaiveDate) -> StoreResult<MembershipRulePack> {
        match self.rule_pack_text(tenant_id, "membership", day).await? {
            Some(b) => parse_stored("membership", b, MembershipRulePack::parse),
            None => Ok(MembershipRulePack::default_pack()),
        }
    }

    /// The organisational-life rules (which meetings, how often) in force
    /// for a tenant on `day`.
    pub async fn meetings_rules(&self, tenant_id: i64, day: NaiveDate) -> StoreResult<MeetingsRulePack> {
        match self.rule_pack_text(tenant_id, "meetings", day).await? {
            Some(b) => parse_stored("meetings", b, MeetingsRulePack::parse),
            None => Ok(MeetingsRulePack::default_pack()),
        }
    }

    /// The learning rules (class hours, the yearly requirement, heartbeats)
    /// in force for a tenant on `day`.
    pub async fn learning_rules(&self, tenant_id: i64, day: NaiveDate) -> StoreResult<LearningRulePack> {
        match self.rule_pack_text(tenant_id, "learning", day).await? {
            Some(b) => parse_stored("learning", b, LearningRulePack::parse),
            None => Ok(LearningRulePack::default_pack()),
        }
    }

    /// The decision-governance rules (the 三清单) in force for a tenant on `day`.
    pub async fn decisions_rules(&self, tenant_id: i64, day: NaiveDate) -> StoreResult<DecisionsRulePack> {
        match self.rule_pack_text(tenant_id, "decisions", day).await? {
            Some(b) => parse_stored("decisions", b, DecisionsRulePack::parse),
            None => Ok(DecisionsRulePack::default_pack()),
        }
    }

    /// A member-development pack by version: the one a person's stage runs
    /// under, even after a newer one has come into force. The shipped pack
    /// answers for its own version.
    pub async fn development_rules_version(&self, tenant_id: i64, version: &str) -> StoreResult<DevelopmentRulePack> {
        let shipped = DevelopmentRulePack::default_pack();
        match self.rule_pack_text_version(tenant_id, "development", version).await? {
            Some(b) => parse_stored("development", b, DevelopmentRulePack::parse),
            None if version == shipped.version => Ok(shipped),
            None => Err(StoreError::NotFound),
        }
    }

    /// A decisions pack by version: the one a topic was submitted under,
    /// even after a newer one has come into force (the shipped pack answers
    /// for its own version), so an open topic's rules, a decided topic's
    /// metrics and a sealed archive's reading never change under it.
    pub async fn decisions_rules_version(&self, tenant_id: i64, version: &str) -> StoreResult<DecisionsRulePack> {
        let shipped = DecisionsRulePack::default_pack();
        match self.rule_pack_text_version(tenant_id, "decisions", version).await? {
            Some(b) => parse_stored("decisions", b, DecisionsRulePack::parse),
            None if version == shipped.version => Ok(shipped),
            None => Err(StoreError::NotFound),
        }
    }

    /// The text of a tenant's pack of `kind` at `version`, the latest loaded.
    async fn rule_pack_text_version(&self, tenant_id: i64, kind: &str, version: &str) -> StoreResult<Option<String>> {
        let body = read!(
            self,
            (String,),
            "SELECT body FROM rule_packs WHERE tenant_id = $1 AND kind = $2 AND version = $3 ORDER BY id DESC LIMIT 1",
            |q| q.bind(tenant_id).bind(kind).bind(version),
            fetch_optional
        )?;
        Ok(body.map(|(b,)| b))
    }

    /// The versions of a kind of pack a tenant has loaded, newest first,
    /// with their effective dates.
    pub async fn rule_pack_versions(&self, tenant_id: i64, kind: &str) -> StoreResult<Vec<(String, NaiveDate)>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT version, MAX(effective_from) FROM rule_packs WHERE tenant_id = $1 AND kind = $2
             GROUP BY version ORDER BY MAX(effective_from) DESC"
        )
        .bind(tenant_id)
        .bind(kind)
        .fetch_all(p)
        .await)?)
    }

    /// Loads a revised rule pack of any kind, checked by its module's
    /// parser before it is stored.
    pub async fn load_rules(&self, actor: &Actor, text: &str) -> StoreResult<PackHeader> {
        let header: PackHeader = toml::from_str(text).map_err(|_| StoreError::Invalid("rules.unparsable"))?;
        let valid = match header.kind.as_str() {
            "org" => OrgRulePack::parse(text).is_ok(),
            "dues" => DuesRulePack::parse(text).is_ok(),
            "development" => DevelopmentRulePack::parse(text).is_ok(),
            "membership" => MembershipRulePack::parse(text).is_ok(),
            "meetings" => MeetingsRulePack::parse(text).is_ok(),
            "learning" => LearningRulePack::parse(text).is_ok(),
            "decisions" => DecisionsRulePack::parse(text).is_ok(),
            _ => return Err(StoreError::Invalid("rules.unknown_kind")),
        };
        if !valid {
            return Err(StoreError::Invalid("rules.unparsable"));
        }
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            sqlx::query(
                "INSERT INTO rule_packs (tenant_id, kind, version, effective_from, body, loaded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(actor.tenant_id)
            .bind(&header.kind)
            .bind(&header.version)
            .bind(header.effective_from)
            .bind(text)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("rules.load", "rule_pack", &header.version)
                    .detail(serde_json::json!({"kind": header.kind, "effective_from": header.effective_from}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(header)
    }

    /// Loads a revised organisation rule pack.
    pub async fn load_org_rules(&self, actor: &Actor, text: &str) -> StoreResult<OrgRulePack> {
        let pack = OrgRulePack::parse(text).map_err(|_| StoreError::Invalid("rules.unparsable"))?;
        if pack.kind != "org" {
            return Err(StoreError::Invalid("rules.unparsable"));
        }
        self.load_rules(actor, text).await?;
        Ok(pack)
    }
}

/// A stored pack, parsed once per process: by its text, so a pack loaded
/// on another node, or a tenant's copy of the shipped pack, is parsed once
/// where it is first read. Every tenant stores the organisation pack it was
/// created with, and parsing its TOML was a sixth of a unit's org page in
/// instructions (`valgrind --tool=callgrind` of `ronghe serve`). A pack's
/// text never changes under a reader: a revision is a row of its own.
fn parse_stored<T, E>(kind: &str, body: String, parse: fn(&str) -> Result<T, E>) -> StoreResult<T>
where
    T: Clone + Send + Sync + 'static,
    E: std::fmt::Display,
{
    type Parsed = HashMap<(TypeId, String), Arc<dyn Any + Send + Sync>>;
    static PARSED: LazyLock<Mutex<Parsed>> = LazyLock::new(Mutex::default);
    /// Distinct pack texts kept; a process meets a handful (the kinds'
    /// versions), so reaching this clears the map rather than choosing.
    const KEPT: usize = 256;
    let key = (TypeId::of::<T>(), body);
    if let Some(pack) = PARSED.lock().expect("not poisoned").get(&key) {
        return Ok(pack.downcast_ref::<T>().expect("keyed by its type").clone());
    }
    let pack = parse(&key.1).map_err(|e| StoreError::Other(anyhow::anyhow!("stored {kind} rule pack: {e}")))?;
    let mut parsed = PARSED.lock().expect("not poisoned");
    if parsed.len() >= KEPT {
        parsed.clear();
    }
    parsed.insert(key, Arc::new(pack.clone()));
    Ok(pack)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ronghe_domain::org::rules_default_text;

    #[test]
    fn a_stored_pack_is_parsed_by_its_text() {
        let shipped = parse_stored("org", rules_default_text().to_string(), OrgRulePack::parse).unwrap();
        assert_eq!(shipped.version, OrgRulePack::default_pack().version);
        let revised_text = rules_default_text().replacen(&format!("\"{}\"", shipped.version), "\"2099.1\"", 1);
        let revised = parse_stored("org", revised_text.clone(), OrgRulePack::parse).unwrap();
        assert_eq!(revised.version, "2099.1", "another text is another pack");
        let again = parse_stored("org", rules_default_text().to_string(), OrgRulePack::parse).unwrap();
        assert_eq!(again.version, shipped.version, "the first text's pack is kept");
        assert_eq!(parse_stored("org", revised_text, OrgRulePack::parse).unwrap().version, "2099.1");
        let bad = parse_stored("org", "kind = 1".to_string(), OrgRulePack::parse).unwrap_err();
        assert!(bad.to_string().contains("stored org rule pack"), "{bad}");
        assert!(parse_stored("org", "kind = 1".to_string(), OrgRulePack::parse).is_err(), "a failure is not kept");
    }
}
