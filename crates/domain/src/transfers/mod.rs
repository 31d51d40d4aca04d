//! Transfers of membership (组织关系转接): within the group, out to an
//! organisation outside it, and in from one. Request → approval →
//! introduction letter (numbered, valid for the days the issuer writes) →
//! acceptance by the receiving organisation → the member reporting there.
//! The member belongs to the old organisation until the new one accepts:
//! no one is ever without an organisation in between.
//!
//! Pure: the state machine, the checks on each action with their dates,
//! and the warnings (expired letters, receipts not returned, members who
//! have not reported). The store keeps the records; this decides.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::development::months_after;

/// The pack shipped with Ronghe, in force unless a newer one is loaded.
pub const DEFAULT_MEMBERSHIP_PACK: &str = include_str!("../../rules/membership-2019.toml");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MembershipRulePack {
    pub kind: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub sources: std::collections::BTreeMap<String, String>,
    pub letter: LetterRules,
    pub away: AwayRules,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LetterRules {
    pub default_valid_days: u32,
    pub max_valid_days: u32,
    pub source: String,
    pub receipt_within_months: u32,
    pub receipt_source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AwayRules {
    pub transfer_after_months: u32,
    pub suspend_after_lost_months: u32,
    pub source: String,
}

impl MembershipRulePack {
    pub fn parse(text: &str) -> Result<Self, String> {
        let pack: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        if pack.kind != "membership" {
            return Err(format!("kind is {:?}, not \"membership\"", pack.kind));
        }
        if pack.letter.default_valid_days == 0 || pack.letter.default_valid_days > pack.letter.max_valid_days {
            return Err("the default validity must be between 1 and the longest".into());
        }
        Ok(pack)
    }

    crate::shipped_pack!(MembershipRulePack, DEFAULT_MEMBERSHIP_PACK, "membership");

    pub fn source(&self, short: &str) -> String {
        self.sources.get(short).cloned().unwrap_or_else(|| short.to_string())
    }
}

crate::codes!(
    /// Where a transfer goes.
    Kind {
        /// Between two organisations of the group.
        Internal = "internal",
        /// To an organisation outside the group.
        Outbound = "outbound",
        /// From an organisation outside the group.
        Inbound = "inbound",
    }
);

crate::codes!(
    /// Where a transfer stands.
    State {
        Requested = "requested",
        Approved = "approved",
        /// The introduction letter is issued (or, coming in, presented).
        LetterIssued = "letter_issued",
        /// The receiving organisation accepted: the member is theirs.
        Received = "received",
        /// The member reported to the new organisation: done.
        Reported = "reported",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
);

crate::codes!(
    /// What can be done to a transfer.
    Action {
        Approve = "approve",
        IssueLetter = "issue_letter",
        Receive = "receive",
        Report = "report",
        Reject = "reject",
        Cancel = "cancel",
    }
);

impl State {
    /// Whether nothing more happens to the transfer.
    pub fn is_closed(self) -> bool {
        matches!(self, State::Reported | State::Rejected | State::Cancelled)
    }
}

/// A transfer as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub kind: Kind,
    pub state: State,
    pub requested_on: NaiveDate,
    pub approved_on: Option<NaiveDate>,
    pub letter_issued_on: Option<NaiveDate>,
    pub letter_valid_days: Option<u32>,
    pub received_on: Option<NaiveDate>,
}

impl Transfer {
    /// The last day the letter is valid (the issue day counts as the first).
    pub fn letter_expires(&self) -> Option<NaiveDate> {
        let (on, days) = (self.letter_issued_on?, self.letter_valid_days?);
        on.checked_add_days(Days::new(u64::from(days.max(1) - 1)))
    }
}

/// Why an action is refused: the message key, its parameters, the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub key: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub source: String,
}

/// What an action brings besides its date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionFacts {
    /// For a letter: the validity the issuer writes (none: the pack's default).
    pub valid_days: Option<u32>,
}

/// The state after `action`, if the rules allow it on `on`.
pub fn check_action(
    pack: &MembershipRulePack,
    t: &Transfer,
    action: Action,
    on: NaiveDate,
    facts: ActionFacts,
) -> Result<State, Refusal> {
    let refuse = |key, params: Vec<(&'static str, String)>, source: &str| {
        Err(Refusal { key, params, source: pack.source(source) })
    };
    let not_now = || {
        refuse(
            "transfer.not_now",
            vec![("action", action.code().to_string()), ("state", t.state.code().to_string())],
            "transfer",
        )
    };
    let last = [t.requested_on, t.approved_on.unwrap_or(t.requested_on), t.letter_issued_on.unwrap_or(t.requested_on)]
        .into_iter()
        .chain(t.received_on)
        .max()
        .unwrap_or(t.requested_on);
    if on < last {
        return refuse("transfer.before_last", vec![("on", on.to_string()), ("last", last.to_string())], "transfer");
    }
    match action {
        Action::Approve => match (t.kind, t.state) {
            (Kind::Internal | Kind::Outbound, State::Requested) => Ok(State::Approved),
            _ => not_now(),
        },
        Action::IssueLetter => {
            // A new letter replaces one that expired before it was accepted.
            let expired = t.state == State::LetterIssued && t.letter_expires().is_some_and(|e| on > e);
            if !(t.state == State::Approved || expired) || t.kind == Kind::Inbound {
                return not_now();
            }
            let days = facts.valid_days.unwrap_or(pack.letter.default_valid_days);
            if days == 0 || days > pack.letter.max_valid_days {
                return refuse(
                    "transfer.validity_out_of_range",
                    vec![("days", days.to_string()), ("max", pack.letter.max_valid_days.to_string())],
                    &pack.letter.source,
                );
            }
            Ok(State::LetterIssued)
        }
        Action::Receive => {
            if t.state != State::LetterIssued {
                return not_now();
            }
            if let Some(expires) = t.letter_expires() {
                if on > expires {
                    return refuse(
                        "transfer.letter_expired",
                        vec![("expires", expires.to_string()), ("on", on.to_string())],
                        &pack.letter.source,
                    );
                }
            }
            Ok(State::Received)
        }
        Action::Report => match (t.kind, t.state) {
            (Kind::Internal | Kind::Inbound, State::Received) => Ok(State::Reported),
            _ => not_now(),
        },
        Action::Reject | Action::Cancel => match t.state {
            State::Requested | State::Approved | State::LetterIssued => {
                Ok(if action == Action::Reject { State::Rejected } else { State::Cancelled })
            }
            _ => not_now(),
        },
    }
}

/// The actions that could come next in a state (whether allowed today is
/// [`check_action`]'s answer).
pub fn next_actions(t: &Transfer) -> Vec<Action> {
    use Action::*;
    match (t.kind, t.state) {
        (Kind::Inbound, State::LetterIssued) => vec![Receive, Reject],
        (_, State::Requested) => vec![Approve, Reject, Cancel],
        (_, State::Approved) => vec![IssueLetter, Cancel],
        (_, State::LetterIssued) => vec![Receive, IssueLetter, Cancel],
        (Kind::Internal | Kind::Inbound, State::Received) => vec![Report],
        _ => vec![],
    }
}

/// Something about a transfer that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub key: &'static str,
    pub since: NaiveDate,
}

/// What needs attention on `today`: a letter that expired before it was
/// accepted; an outgoing letter whose receipt has not come back within the
/// pack's limit; a member who has not reported since being received.
pub fn warnings(pack: &MembershipRulePack, t: &Transfer, today: NaiveDate) -> Vec<Warning> {
    let mut out = Vec::new();
    if t.state == State::LetterIssued {
        if let Some(expires) = t.letter_expires().filter(|e| today > *e) {
            out.push(Warning { key: "transfer.warn_expired", since: expires });
        }
        if t.kind == Kind::Outbound {
            if let Some(issued) = t.letter_issued_on {
                let due = months_after(issued, pack.letter.receipt_within_months);
                if today > due {
                    out.push(Warning { key: "transfer.warn_no_receipt", since: due });
                }
            }
        }
    }
    if t.state == State::Received && t.kind != Kind::Outbound {
        if let Some(received) = t.received_on {
            // The member reports within the letter's validity.
            let due = received + Days::new(u64::from(t.letter_valid_days.unwrap_or(pack.letter.default_valid_days)));
            if today > due {
                out.push(Warning { key: "transfer.warn_not_reported", since: due });
            }
        }
    }
    out
}

/// Whether a member out of contact since `since` is due for suspension on
/// `today` (the pack's months, six by default).
pub fn suspension_due(pack: &MembershipRulePack, since: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    let due = months_after(since, pack.away.suspend_after_lost_months);
    (today >= due).then_some(due)
}

/// Whether a member away since `left_on` (and not back) should have their
/// membership transferred by `today`: after the pack's months at a fixed
/// place; before that a certificate letter suffices.
pub fn away_transfer_due(pack: &MembershipRulePack, left_on: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    let due = months_after(left_on, pack.away.transfer_after_months);
    (today > due).then_some(due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pack() -> MembershipRulePack {
        MembershipRulePack::default_pack()
    }

    fn requested(kind: Kind) -> Transfer {
        Transfer {
            kind,
            state: State::Requested,
            requested_on: d("2026-01-31"),
            approved_on: None,
            letter_issued_on: None,
            letter_valid_days: None,
            received_on: None,
        }
    }

    #[test]
    fn the_shipped_pack_parses_and_names_its_sources() {
        let p = pack();
        assert_eq!(
            (p.letter.default_valid_days, p.letter.max_valid_days, p.away.suspend_after_lost_months),
            (30, 90, 6)
        );
        assert!(p.source(&p.away.source).contains("党员教育管理工作条例"));
        assert!(MembershipRulePack::parse(
            &DEFAULT_MEMBERSHIP_PACK.replace("default_valid_days = 30", "default_valid_days = 91")
        )
        .is_err());
    }

    #[test]
    fn an_internal_transfer_goes_request_approve_letter_receive_report() {
        let p = pack();
        let mut t = requested(Kind::Internal);
        assert_eq!(
            check_action(&p, &t, Action::Receive, d("2026-02-01"), ActionFacts::default()).unwrap_err().key,
            "transfer.not_now"
        );
        assert_eq!(
            check_action(&p, &t, Action::Approve, d("2026-01-30"), ActionFacts::default()).unwrap_err().key,
            "transfer.before_last"
        );
        assert_eq!(check_action(&p, &t, Action::Approve, d("2026-02-01"), ActionFacts::default()), Ok(State::Approved));
        t.state = State::Approved;
        t.approved_on = Some(d("2026-02-01"));
        let long = ActionFacts { valid_days: Some(91) };
        assert_eq!(
            check_action(&p, &t, Action::IssueLetter, d("2026-02-02"), long).unwrap_err().key,
            "transfer.validity_out_of_range"
        );
        let ninety = ActionFacts { valid_days: Some(90) };
        assert_eq!(check_action(&p, &t, Action::IssueLetter, d("2026-02-02"), ninety), Ok(State::LetterIssued));
        t.state = State::LetterIssued;
        t.letter_issued_on = Some(d("2026-02-02"));
        t.letter_valid_days = Some(30);
        // Valid for 30 days counting the day of issue: through 3 March.
        assert_eq!(t.letter_expires(), Some(d("2026-03-03")));
        assert_eq!(check_action(&p, &t, Action::Receive, d("2026-03-03"), ActionFacts::default()), Ok(State::Received));
        let e = check_action(&p, &t, Action::Receive, d("2026-03-04"), ActionFacts::default()).unwrap_err();
        assert_eq!(e.key, "transfer.letter_expired");
        assert!(e.params.contains(&("expires", "2026-03-03".into())));
        // An expired letter is replaced by a new one.
        assert_eq!(
            check_action(&p, &t, Action::IssueLetter, d("2026-03-04"), ActionFacts::default()),
            Ok(State::LetterIssued)
        );
        assert_eq!(
            check_action(&p, &t, Action::IssueLetter, d("2026-03-03"), ActionFacts::default()).unwrap_err().key,
            "transfer.not_now"
        );
        t.state = State::Received;
        t.received_on = Some(d("2026-03-01"));
        assert_eq!(check_action(&p, &t, Action::Report, d("2026-03-01"), ActionFacts::default()), Ok(State::Reported));
        assert_eq!(
            check_action(&p, &t, Action::Cancel, d("2026-03-02"), ActionFacts::default()).unwrap_err().key,
            "transfer.not_now"
        );
    }

    #[test]
    fn next_actions_follow_the_kind() {
        let mut t = requested(Kind::Inbound);
        t.state = State::LetterIssued;
        assert_eq!(next_actions(&t), vec![Action::Receive, Action::Reject]);
        assert_eq!(
            check_action(&pack(), &t, Action::IssueLetter, d("2026-02-01"), ActionFacts::default()).unwrap_err().key,
            "transfer.not_now"
        );
        let mut out = requested(Kind::Outbound);
        out.state = State::Received;
        assert!(next_actions(&out).is_empty(), "an outbound transfer ends with the receipt");
        assert!(check_action(&pack(), &out, Action::Report, d("2026-02-01"), ActionFacts::default()).is_err());
    }

    #[test]
    fn warnings_for_expired_letters_missing_receipts_and_members_not_reported() {
        let p = pack();
        let mut t = requested(Kind::Outbound);
        t.state = State::LetterIssued;
        t.letter_issued_on = Some(d("2026-01-31"));
        t.letter_valid_days = Some(30);
        assert!(warnings(&p, &t, d("2026-02-28")).is_empty(), "valid through 1 March, receipt due 28 February");
        let w = warnings(&p, &t, d("2026-03-01"));
        assert_eq!(w, vec![Warning { key: "transfer.warn_no_receipt", since: d("2026-02-28") }]);
        let w = warnings(&p, &t, d("2026-03-02"));
        assert_eq!(w.iter().map(|w| w.key).collect::<Vec<_>>(), ["transfer.warn_expired", "transfer.warn_no_receipt"]);
        let mut t = requested(Kind::Internal);
        t.state = State::Received;
        t.letter_valid_days = Some(10);
        t.received_on = Some(d("2026-02-20"));
        assert!(warnings(&p, &t, d("2026-03-02")).is_empty());
        assert_eq!(warnings(&p, &t, d("2026-03-03"))[0].key, "transfer.warn_not_reported");
    }

    #[test]
    fn more_than_six_months_away_calls_for_a_transfer() {
        // Six months from the 31st of August is the last day of February;
        // a stay longer than that calls for the transfer.
        assert_eq!(away_transfer_due(&pack(), d("2023-08-31"), d("2024-02-29")), None);
        assert_eq!(away_transfer_due(&pack(), d("2023-08-31"), d("2024-03-01")), Some(d("2024-02-29")));
    }

    #[test]
    fn six_months_out_of_contact_calls_for_suspension() {
        // From the 31st of August, six months on is the last day of February.
        assert_eq!(suspension_due(&pack(), d("2023-08-31"), d("2024-02-28")), None);
        assert_eq!(suspension_due(&pack(), d("2023-08-31"), d("2024-02-29")), Some(d("2024-02-29")));
    }
}
