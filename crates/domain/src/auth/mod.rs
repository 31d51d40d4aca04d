//! Who may do what, where. A user holds roles, each bound to an
//! organisation subtree; every route asks [`Principal::can`] before it reads
//! or writes. Pure: the web layer loads the principal, this decides.

mod password;
pub use password::{check_password_policy, PasswordPolicyError};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 党员: sees their own record and their organisation.
    Member,
    /// 支部书记 / 党务工作者: keeps the roster of their subtree.
    Secretary,
    /// 党委委员: reads their subtree.
    CommitteeMember,
    /// 集团管理员: runs the organisation tree and rosters of their subtree.
    GroupAdmin,
    /// 系统管理员 (三员): accounts and system settings; no business data.
    SystemAdmin,
    /// 安全管理员 (三员): roles, unlocks, security settings; no business data.
    SecurityAdmin,
    /// 审计管理员 (三员): reads the audit log; nothing else.
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Self::Member,
        Self::Secretary,
        Self::CommitteeMember,
        Self::GroupAdmin,
        Self::SystemAdmin,
        Self::SecurityAdmin,
        Self::AuditAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Secretary => "secretary",
            Self::CommitteeMember => "committee_member",
            Self::GroupAdmin => "group_admin",
            Self::SystemAdmin => "system_admin",
            Self::SecurityAdmin => "security_admin",
            Self::AuditAdmin => "audit_admin",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }

    /// The three MLPS administrators, who must be different people.
    pub fn is_mlps_admin(self) -> bool {
        matches!(self, Self::SystemAdmin | Self::SecurityAdmin | Self::AuditAdmin)
    }

    /// What this role may do within its subtree. The three administrators
    /// see no party data: separation of duties is the point of the 三员 split.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Self::Member => matches!(action, ReadOrg),
            Self::CommitteeMember => {
                matches!(
                    action,
                    ReadOrg | ReadRoster | ReadDues | ReadDevelopment | ReadLife | ReadLearning | ReadDecisions
                )
            }
            Self::Secretary => matches!(
                action,
                ReadOrg
                    | ReadRoster
                    | WriteRoster
                    | ViewPersonalData
                    | ImportRoster
                    | ReadDues
                    | WriteDues
                    | ReadDevelopment
                    | WriteDevelopment
                    | ReadLife
                    | WriteLife
                    | ReadLearning
                    | WriteLearning
                    | ReadDecisions
                    | WriteDecisions
            ),
            Self::GroupAdmin => matches!(
                action,
                ReadOrg
                    | WriteOrg
                    | ReadRoster
                    | WriteRoster
                    | ViewPersonalData
                    | ImportRoster
                    | ReadDues
                    | WriteDues
                    | ReadDevelopment
                    | WriteDevelopment
                    | ReadLife
                    | WriteLife
                    | ReadLearning
                    | WriteLearning
                    | ReadDecisions
                    | WriteDecisions
            ),
            Self::SystemAdmin => matches!(action, ManageAccounts),
            Self::SecurityAdmin => matches!(action, ManageRoles),
            Self::AuditAdmin => matches!(action, ReadAudit),
        }
    }
}

crate::members::try_from_code!(Role);

/// Whether an account holding `held` may also be given `new`. The three
/// MLPS administrators (三员) are separate accounts holding nothing else,
/// so that no one person both runs the system and audits it.
pub fn may_add_role(held: &[Role], new: Role) -> Result<(), &'static str> {
    if held.contains(&new) {
        return Ok(());
    }
    if new.is_mlps_admin() && !held.is_empty() || held.iter().any(|r| r.is_mlps_admin()) {
        return Err("accounts.separation");
    }
    Ok(())
}

/// Everything a route can ask permission for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ReadOrg,
    WriteOrg,
    ReadRoster,
    WriteRoster,
    /// See an ID number or phone in full (audited).
    ViewPersonalData,
    ImportRoster,
    /// See dues standards, payments and arrears (a member always sees their own).
    ReadDues,
    /// Set standards and record payments.
    WriteDues,
    /// See the people in development and their records (a probationary
    /// member always sees their own).
    ReadDevelopment,
    /// Take applications and record development steps; the higher
    /// committee's steps need it over the branch's parent.
    WriteDevelopment,
    /// See meetings, attendance and compliance (members see the meetings
    /// they were expected at).
    ReadLife,
    /// Plan meetings, mark attendance, write minutes and resolutions, seal.
    WriteLife,
    /// See the study hours of a subtree's members (a member sees their own).
    ReadLearning,
    /// Add courses and record offline training.
    WriteLearning,
    /// See decision topics (三重一大), their archives and the metrics.
    ReadDecisions,
    /// Submit topics and record their steps, votes and tasks.
    WriteDecisions,
    ReadAudit,
    ManageAccounts,
    ManageRoles,
}

/// A role held over an organisation subtree, identified by its
/// materialised path (see the store's `orgs.path`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    pub role: Role,
    pub org_id: i64,
    pub org_path: String,
}

/// The signed-in user as the permission checks see them.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub tenant_id: i64,
    pub username: String,
    pub display_name: String,
    /// The roster record of the user, if they are a member.
    pub member_id: Option<i64>,
    pub bindings: Vec<Binding>,
}

/// Whether `path` lies in the subtree rooted at `root` (paths are
/// `/1/5/23/`, so a prefix test is exact).
pub fn path_within(path: &str, root: &str) -> bool {
    path.starts_with(root)
}

impl Principal {
    /// Whether the user may take `action` on something that belongs to the
    /// organisation at `org_path`.
    pub fn can(&self, action: Action, org_path: &str) -> bool {
        self.bindings.iter().any(|b| {
            b.role.allows(action) && {
                if b.role == Role::Member {
                    // A member sees their own organisation and those above it
                    // (to know where they belong), not their siblings.
                    path_within(&b.org_path, org_path)
                } else {
                    path_within(org_path, &b.org_path)
                }
            }
        })
    }

    /// Whether the user may take `action` somewhere (for menus).
    pub fn can_somewhere(&self, action: Action) -> bool {
        self.bindings.iter().any(|b| b.role.allows(action))
    }

    /// The subtree roots in which the user may take `action`, with nested
    /// roots folded into their ancestors.
    pub fn scopes(&self, action: Action) -> Vec<&Binding> {
        let mut roots: Vec<&Binding> =
            self.bindings.iter().filter(|b| b.role.allows(action) && b.role != Role::Member).collect();
        roots.sort_by_key(|b| b.org_path.len());
        let mut out: Vec<&Binding> = Vec::new();
        for b in roots {
            if !out.iter().any(|o| path_within(&b.org_path, &o.org_path)) {
                out.push(b);
            }
        }
        out
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.bindings.iter().any(|b| b.role == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(bindings: &[(Role, &str)]) -> Principal {
        Principal {
            user_id: 1,
            tenant_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            member_id: None,
            bindings: bindings
                .iter()
                .enumerate()
                .map(|(i, (role, path))| Binding { role: *role, org_id: i as i64, org_path: path.to_string() })
                .collect(),
        }
    }

    #[test]
    fn scope_is_the_subtree() {
        let p = principal(&[(Role::Secretary, "/1/2/")]);
        assert!(p.can(Action::WriteRoster, "/1/2/"));
        assert!(p.can(Action::WriteRoster, "/1/2/7/"));
        assert!(!p.can(Action::WriteRoster, "/1/"));
        assert!(!p.can(Action::WriteRoster, "/1/3/"));
        // A sibling whose id shares a prefix is not inside.
        assert!(!p.can(Action::ReadRoster, "/1/22/"));
        assert!(!p.can(Action::WriteOrg, "/1/2/"));
    }

    #[test]
    fn members_see_their_line_not_their_siblings() {
        let p = principal(&[(Role::Member, "/1/2/5/")]);
        assert!(p.can(Action::ReadOrg, "/1/2/5/"));
        assert!(p.can(Action::ReadOrg, "/1/"));
        assert!(!p.can(Action::ReadOrg, "/1/2/6/"));
        assert!(!p.can(Action::ReadRoster, "/1/2/5/"));
    }

    #[test]
    fn the_three_administrators_see_no_party_data() {
        for role in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
            let p = principal(&[(role, "/1/")]);
            for a in [Action::ReadOrg, Action::ReadRoster, Action::ViewPersonalData, Action::WriteRoster] {
                assert!(!p.can(a, "/1/"), "{role:?} {a:?}");
            }
        }
        assert!(principal(&[(Role::AuditAdmin, "/1/")]).can(Action::ReadAudit, "/1/"));
        assert!(!principal(&[(Role::GroupAdmin, "/1/")]).can(Action::ReadAudit, "/1/"));
    }

    #[test]
    fn the_three_administrators_hold_nothing_else() {
        use Role::*;
        assert!(may_add_role(&[], AuditAdmin).is_ok());
        assert!(may_add_role(&[Secretary], Member).is_ok());
        assert!(may_add_role(&[Secretary], AuditAdmin).is_err());
        assert!(may_add_role(&[SystemAdmin], SecurityAdmin).is_err());
        assert!(may_add_role(&[AuditAdmin], Member).is_err());
        assert!(may_add_role(&[AuditAdmin], AuditAdmin).is_ok(), "the same role again changes nothing");
    }

    #[test]
    fn nested_scopes_fold() {
        let p = principal(&[(Role::Secretary, "/1/2/5/"), (Role::GroupAdmin, "/1/2/"), (Role::Secretary, "/1/3/")]);
        let roots: Vec<_> = p.scopes(Action::ReadRoster).iter().map(|b| b.org_path.as_str()).collect();
        assert_eq!(roots, vec!["/1/2/", "/1/3/"]);
    }
}
