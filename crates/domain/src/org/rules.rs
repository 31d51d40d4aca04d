//! The organisation rule pack: numbers from the regulations, kept as data.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::OrgKind;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OrgRulePack {
    pub kind: String,
    pub version: String,
    pub effective_from: NaiveDate,
    /// Short name → the regulation's title.
    pub sources: BTreeMap<String, String>,
    pub branch: BranchRules,
    pub advice: AdviceRules,
    pub terms: TermRules,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BranchRules {
    pub min_full_members: i64,
    pub min_full_members_source: String,
    pub max_members: i64,
    pub max_members_source: String,
    pub committee_at_full_members: i64,
    pub committee_min: i64,
    pub committee_max: i64,
    pub committee_source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AdviceRules {
    pub general_branch_at_members: i64,
    pub committee_at_members: i64,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TermRules {
    pub committee_years: u32,
    pub general_branch_years: u32,
    pub branch_years: u32,
    pub source: String,
    pub warn_days: i64,
}

/// The pack shipped with Ronghe, in force unless a newer one is loaded.
pub const DEFAULT_ORG_PACK: &str = include_str!("../../rules/org-2018.toml");

impl OrgRulePack {
    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    crate::shipped_pack!(OrgRulePack, DEFAULT_ORG_PACK, "organisation");

    /// The title of a source by its short name (falls back to the name).
    pub fn source(&self, short: &str) -> String {
        self.sources.get(short).cloned().unwrap_or_else(|| short.to_string())
    }

    pub fn term_years(&self, kind: OrgKind) -> u32 {
        match kind {
            OrgKind::Committee => self.terms.committee_years,
            OrgKind::GeneralBranch => self.terms.general_branch_years,
            OrgKind::Branch | OrgKind::Group => self.terms.branch_years,
        }
    }
}

/// The text of the shipped pack, as stored when a tenant is created.
pub fn rules_default_text() -> &'static str {
    DEFAULT_ORG_PACK
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_pack_parses_and_names_its_sources() {
        let p = super::OrgRulePack::default_pack();
        assert_eq!(p.branch.min_full_members, 3);
        assert!(p.source(&p.branch.committee_source).contains("支部工作条例"));
        assert!(p.source(&p.terms.source).contains("任期"));
    }
}
