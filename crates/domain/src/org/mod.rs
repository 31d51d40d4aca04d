//! Party organisations: the four kinds, how they nest, their officers and
//! terms, and the rules of DOMAIN.md §3 that an organisation can fail.

mod checks;
mod rules;

pub use checks::{check_org, Finding, OrgFacts, Severity};
pub use rules::{rules_default_text, OrgRulePack};

use serde::{Deserialize, Serialize};

/// The kinds of party organisation, from the top down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 党委: a grassroots committee (or the group's committee).
    Committee,
    /// 党总支.
    GeneralBranch,
    /// 党支部.
    Branch,
    /// 党小组: part of a branch, not an organisation of its own members.
    Group,
}

impl OrgKind {
    pub const ALL: [OrgKind; 4] = [Self::Committee, Self::GeneralBranch, Self::Branch, Self::Group];

    pub fn code(self) -> &'static str {
        match self {
            Self::Committee => "committee",
            Self::GeneralBranch => "general_branch",
            Self::Branch => "branch",
            Self::Group => "group",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Committee => "党委",
            Self::GeneralBranch => "党总支",
            Self::Branch => "党支部",
            Self::Group => "党小组",
        }
    }

    /// Whether an organisation of this kind may sit under `parent` (`None`:
    /// at the root). Only a committee is a root; groups live in branches.
    pub fn may_sit_under(self, parent: Option<OrgKind>) -> bool {
        matches!(
            (self, parent),
            (Self::Committee, None | Some(Self::Committee))
                | (Self::GeneralBranch, Some(Self::Committee))
                | (Self::Branch, Some(Self::Committee | Self::GeneralBranch))
                | (Self::Group, Some(Self::Branch))
        )
    }

    /// Whether members are enrolled here directly. Committees and general
    /// branches have members through their branches; a member of a group is
    /// enrolled in the group and counted in its branch.
    pub fn holds_members(self) -> bool {
        matches!(self, Self::Branch | Self::Group)
    }
}

/// Officer roles on an organisation's committee (支委会 / 党委会).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficerRole {
    Secretary,
    DeputySecretary,
    Organisation,
    Publicity,
    Discipline,
    Youth,
    UnitedFront,
    Member,
    /// 党小组组长.
    GroupLeader,
}

impl OfficerRole {
    pub const ALL: [OfficerRole; 9] = [
        Self::Secretary,
        Self::DeputySecretary,
        Self::Organisation,
        Self::Publicity,
        Self::Discipline,
        Self::Youth,
        Self::UnitedFront,
        Self::Member,
        Self::GroupLeader,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Secretary => "secretary",
            Self::DeputySecretary => "deputy_secretary",
            Self::Organisation => "organisation",
            Self::Publicity => "publicity",
            Self::Discipline => "discipline",
            Self::Youth => "youth",
            Self::UnitedFront => "united_front",
            Self::Member => "member",
            Self::GroupLeader => "group_leader",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// An organisation code: what HR systems and spreadsheets use to name it.
/// Letters, digits, `-` and `_`, at most 32 characters.
pub fn valid_org_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 32 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting() {
        use OrgKind::*;
        assert!(Committee.may_sit_under(None));
        assert!(Committee.may_sit_under(Some(Committee)));
        assert!(Branch.may_sit_under(Some(GeneralBranch)));
        assert!(Group.may_sit_under(Some(Branch)));
        assert!(!Group.may_sit_under(Some(Committee)));
        assert!(!Branch.may_sit_under(None));
        assert!(!GeneralBranch.may_sit_under(Some(Branch)));
    }

    #[test]
    fn codes() {
        assert!(valid_org_code("HN-01_a"));
        assert!(!valid_org_code("一矿"));
        assert!(!valid_org_code(""));
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::from_code(k.code()), Some(k));
        }
    }
}

crate::members::try_from_code!(OrgKind, OfficerRole);
