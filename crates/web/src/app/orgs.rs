//! An organisation's health: the rules of the pack in force that it fails,
//! computed from its records (members, officers, term).

use ronghe_domain::org::{check_org, Finding, OfficerRole, OrgFacts};
use ronghe_store::{OfficerRow, Org, OrgCounts};

use crate::error::AppResult;
use crate::AppState;

/// The facts the rules need, from the records.
pub fn org_facts(today: chrono::NaiveDate, org: &Org, counts: &OrgCounts, officers: &[OfficerRow]) -> OrgFacts {
    let in_office: Vec<&OfficerRow> = officers
        .iter()
        .filter(|o| o.role != OfficerRole::GroupLeader && o.term_end.is_none_or(|e| e >= today))
        .collect();
    OrgFacts {
        kind: org.kind,
        full_members: counts.full_members,
        members: counts.members(),
        has_secretary: in_office.iter().any(|o| o.role == OfficerRole::Secretary),
        committee_size: in_office.len() as i64,
        term_end: org.term_end,
    }
}

/// The rules the organisation fails today, errors first.
pub async fn findings(
    state: &AppState,
    org: &Org,
    counts: &OrgCounts,
    officers: &[OfficerRow],
) -> AppResult<Vec<Finding>> {
    let today = state.today();
    let pack = state.store.org_rules(org.tenant_id, today).await?;
    Ok(check_org(&org_facts(today, org, counts, officers), &pack, today))
}
