//! The organisation rules that a page can show as failing. Pure: the caller
//! gathers the facts (counts, officers, term) and the rule pack in force.

use chrono::NaiveDate;
use serde::Serialize;

use super::{OrgKind, OrgRulePack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Breaks a rule now.
    Error,
    /// Will break one soon, or goes against advice.
    Warning,
}

/// One failing rule: `rule` is the message key, `params` fill it in, and
/// `source` is the regulation the rule comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub source: String,
    pub params: Vec<(&'static str, String)>,
}

/// What the checks need to know about one organisation.
#[derive(Debug, Clone)]
pub struct OrgFacts {
    pub kind: OrgKind,
    /// Active full members in the organisation's subtree.
    pub full_members: i64,
    /// Active members (full and probationary) in the subtree.
    pub members: i64,
    pub has_secretary: bool,
    /// Committee members in office, the secretary included.
    pub committee_size: i64,
    /// When the current term ends, if a term is recorded.
    pub term_end: Option<NaiveDate>,
}

pub fn check_org(facts: &OrgFacts, pack: &OrgRulePack, today: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |rule, severity, source: &str, params: Vec<(&'static str, String)>| {
        out.push(Finding { rule, severity, source: pack.source(source), params })
    };
    let b = &pack.branch;

    if facts.kind == OrgKind::Branch {
        if facts.full_members < b.min_full_members {
            push(
                "rule.branch_too_few_full",
                Severity::Error,
                &b.min_full_members_source,
                vec![("count", facts.full_members.to_string()), ("min", b.min_full_members.to_string())],
            );
        }
        if facts.full_members >= b.committee_at_full_members && facts.committee_size < b.committee_min {
            push(
                "rule.branch_needs_committee",
                Severity::Error,
                &b.committee_source,
                vec![
                    ("count", facts.full_members.to_string()),
                    ("threshold", b.committee_at_full_members.to_string()),
                    ("size", facts.committee_size.to_string()),
                ],
            );
        }
        if facts.committee_size > b.committee_max {
            push(
                "rule.committee_too_large",
                Severity::Warning,
                &b.committee_source,
                vec![("size", facts.committee_size.to_string()), ("max", b.committee_max.to_string())],
            );
        }
        if facts.members > b.max_members {
            let advice = if facts.members >= pack.advice.committee_at_members { "committee" } else { "general_branch" };
            push(
                "rule.branch_too_large",
                Severity::Warning,
                &b.max_members_source,
                vec![
                    ("count", facts.members.to_string()),
                    ("max", b.max_members.to_string()),
                    ("advice", advice.to_string()),
                ],
            );
        }
    }

    if facts.kind != OrgKind::Group && !facts.has_secretary {
        push("rule.no_secretary", Severity::Error, &b.committee_source, vec![]);
    }

    if facts.kind != OrgKind::Group {
        match facts.term_end {
            None => push("rule.no_term", Severity::Warning, &pack.terms.source, vec![]),
            Some(end) => {
                let days = (end - today).num_days();
                if days < 0 {
                    push(
                        "rule.term_expired",
                        Severity::Error,
                        &pack.terms.source,
                        vec![("end", end.to_string()), ("days", (-days).to_string())],
                    );
                } else if days <= pack.terms.warn_days {
                    push(
                        "rule.term_ending",
                        Severity::Warning,
                        &pack.terms.source,
                        vec![("end", end.to_string()), ("days", days.to_string())],
                    );
                }
            }
        }
    }
    out.sort_by_key(|f| f.severity);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn branch(full: i64, members: i64, committee: i64, term_end: Option<NaiveDate>) -> OrgFacts {
        OrgFacts {
            kind: OrgKind::Branch,
            full_members: full,
            members,
            has_secretary: true,
            committee_size: committee,
            term_end,
        }
    }

    fn rules(f: &OrgFacts) -> Vec<&'static str> {
        check_org(f, &OrgRulePack::default_pack(), today()).into_iter().map(|f| f.rule).collect()
    }

    fn ends_in(days: i64) -> Option<NaiveDate> {
        Some(today() + chrono::Duration::days(days))
    }

    #[test]
    fn a_healthy_branch_passes() {
        assert!(rules(&branch(10, 12, 3, ends_in(400))).is_empty());
        assert!(rules(&branch(6, 6, 1, ends_in(91))).is_empty());
    }

    #[test]
    fn full_member_minimum_on_both_sides() {
        assert_eq!(rules(&branch(2, 9, 1, ends_in(400))), vec!["rule.branch_too_few_full"]);
        assert!(rules(&branch(3, 3, 1, ends_in(400))).is_empty());
    }

    #[test]
    fn seven_full_members_need_a_committee() {
        assert_eq!(rules(&branch(7, 7, 1, ends_in(400))), vec!["rule.branch_needs_committee"]);
        assert!(rules(&branch(6, 9, 1, ends_in(400))).is_empty());
        assert!(rules(&branch(7, 7, 3, ends_in(400))).is_empty());
        assert_eq!(rules(&branch(9, 9, 8, ends_in(400))), vec!["rule.committee_too_large"]);
    }

    #[test]
    fn size_advice() {
        assert!(rules(&branch(40, 50, 5, ends_in(400))).is_empty());
        let f = check_org(&branch(40, 51, 5, ends_in(400)), &OrgRulePack::default_pack(), today());
        assert_eq!(f[0].rule, "rule.branch_too_large");
        assert!(f[0].params.contains(&("advice", "general_branch".into())));
    }

    #[test]
    fn terms_warn_ninety_days_ahead_and_fail_after() {
        assert_eq!(rules(&branch(5, 5, 1, ends_in(90))), vec!["rule.term_ending"]);
        assert!(rules(&branch(5, 5, 1, ends_in(91))).is_empty());
        assert_eq!(rules(&branch(5, 5, 1, ends_in(0))), vec!["rule.term_ending"]);
        assert_eq!(rules(&branch(5, 5, 1, ends_in(-1))), vec!["rule.term_expired"]);
        assert_eq!(rules(&branch(5, 5, 1, None)), vec!["rule.no_term"]);
    }

    #[test]
    fn errors_come_before_warnings_and_carry_sources() {
        let f = check_org(
            &OrgFacts { has_secretary: false, ..branch(2, 2, 0, ends_in(10)) },
            &OrgRulePack::default_pack(),
            today(),
        );
        assert_eq!(
            f.iter().map(|f| f.rule).collect::<Vec<_>>(),
            vec!["rule.branch_too_few_full", "rule.no_secretary", "rule.term_ending"]
        );
        assert!(f[0].source.contains("支部工作条例"));
    }
}
