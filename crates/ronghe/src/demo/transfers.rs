//! The demo's transfers of membership: some under way (one waiting for
//! approval, one whose letter expired before it was accepted, one whose
//! receipt has not come back, a letter brought in from outside), and one
//! completed. Each action is checked against the membership pack as it is
//! written, and moves the member only on receipt, as through the pages.

use chrono::{Duration, NaiveDate};
use ronghe_domain::transfers::{check_action, Action, ActionFacts, Kind, MembershipRulePack, State, Transfer};
use ronghe_store::{Actor, NewAway, NewTransfer, Org, Store, TransferEffect, TransferStep};

/// A member to transfer: (member id, their organisation, their name).
pub(crate) type Who = (i64, i64, String);

/// How far a transfer has gone: each action with its day, counted back from today.
struct Plan {
    kind: Kind,
    who: Option<Who>,
    to: Option<Org>,
    to_name: String,
    requested: i64,
    steps: Vec<(Action, i64, Option<u32>)>,
}

pub(crate) async fn seed(
    store: &Store,
    actor: &Actor,
    today: NaiveDate,
    a: &[Who],
    b: &[Who],
    org_a: &Org,
    org_a2: &Org,
) -> anyhow::Result<usize> {
    let pack = MembershipRulePack::default_pack();
    let pick = |v: &[Who], k: usize| v.get(v.len().saturating_sub(2 + k)).cloned();
    let plans = vec![
        Plan {
            kind: Kind::Internal,
            who: pick(a, 0),
            to: Some(org_a2.clone()),
            to_name: String::new(),
            requested: 3,
            steps: vec![],
        },
        Plan {
            kind: Kind::Internal,
            who: pick(b, 0),
            to: Some(org_a.clone()),
            to_name: String::new(),
            requested: 50,
            steps: vec![(Action::Approve, 45, None), (Action::IssueLetter, 40, Some(30))],
        },
        Plan {
            kind: Kind::Outbound,
            who: pick(a, 1),
            to: None,
            to_name: "郑州市金水区机关工委某局机关党支部".into(),
            requested: 60,
            steps: vec![(Action::Approve, 55, None), (Action::IssueLetter, 50, Some(60))],
        },
        Plan {
            kind: Kind::Internal,
            who: pick(a, 2),
            to: Some(org_a2.clone()),
            to_name: String::new(),
            requested: 40,
            steps: vec![
                (Action::Approve, 38, None),
                (Action::IssueLetter, 37, Some(30)),
                (Action::Receive, 30, None),
                (Action::Report, 29, None),
            ],
        },
    ];
    let mut n = 0;
    for p in plans {
        let Some((member, from_org, name)) = p.who.clone() else { continue };
        let requested_on = today - Duration::days(p.requested);
        let id = store
            .create_transfer(
                actor,
                &NewTransfer {
                    kind: p.kind.code(),
                    member_id: Some(member),
                    person_name: name,
                    from_org_id: Some(from_org),
                    from_name: String::new(),
                    to_org_id: p.to.as_ref().map(|o| o.id),
                    to_name: p.to_name.clone(),
                    reason: "工作调动".into(),
                    state: State::Requested.code(),
                    requested_on,
                    letter: None,
                    pack_version: pack.version.clone(),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo transfer: {e}"))?;
        let mut t = Transfer {
            kind: p.kind,
            state: State::Requested,
            requested_on,
            approved_on: None,
            letter_issued_on: None,
            letter_valid_days: None,
            received_on: None,
        };
        for (version, (action, ago, days)) in (1..).zip(p.steps) {
            let on = today - Duration::days(ago);
            let next = check_action(&pack, &t, action, on, ActionFacts { valid_days: days })
                .map_err(|r| anyhow::anyhow!("the demo's transfer breaks a rule: {}", r.key))?;
            let effect = match (p.kind, action, &p.to) {
                (Kind::Internal, Action::Receive, Some(to)) => {
                    TransferEffect::Move { member_id: member, to_org_id: to.id }
                }
                (Kind::Outbound, Action::Receive, _) => TransferEffect::Out { member_id: member },
                _ => TransferEffect::None,
            };
            let step = TransferStep {
                action: action.code(),
                state: next.code(),
                on,
                note: String::new(),
                letter_valid_days: (action == Action::IssueLetter)
                    .then(|| i64::from(days.unwrap_or(pack.letter.default_valid_days))),
            };
            store
                .record_transfer_step(actor, id, version, &step, &effect)
                .await
                .map_err(|e| anyhow::anyhow!("demo transfer: {e}"))?;
            t.state = next;
            match action {
                Action::Approve => t.approved_on = Some(on),
                Action::IssueLetter => {
                    t.letter_issued_on = Some(on);
                    t.letter_valid_days = step.letter_valid_days.map(|d| d as u32);
                }
                Action::Receive => t.received_on = Some(on),
                _ => {}
            }
        }
        n += 1;
    }
    // Members working away: one long enough that the membership should
    // move, one for a season.
    for (who, ago, place, work) in [
        (pick(a, 4), 230, "江苏省苏州市工业园区", "设备安装"),
        (pick(b, 3), 60, "河南省郑州市航空港区", "电厂检修外委"),
    ] {
        let Some((member, org, _)) = who else { continue };
        store
            .add_away(
                actor,
                &NewAway {
                    member_id: member,
                    org_id: org,
                    left_on: today - Duration::days(ago),
                    expected_back: None,
                    place: place.into(),
                    work: work.into(),
                    contact: String::new(),
                    certificate: format!("流动党员活动证 {member:06}"),
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo away: {e}"))?;
    }
    // A letter brought in from outside, waiting to be received.
    store
        .create_transfer(
            actor,
            &NewTransfer {
                kind: Kind::Inbound.code(),
                member_id: None,
                person_name: "孔令杰".into(),
                from_org_id: None,
                from_name: "许昌市建安区委组织部".into(),
                to_org_id: Some(org_a.id),
                to_name: String::new(),
                reason: String::new(),
                state: State::LetterIssued.code(),
                requested_on: today - Duration::days(2),
                letter: Some(("建组转〔2026〕第087号".into(), today - Duration::days(6), 30)),
                pack_version: pack.version.clone(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo transfer: {e}"))?;
    Ok(n + 1)
}
