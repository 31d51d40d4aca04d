//! The demo's member development: people at every stage in the branches of
//! two units, with histories that keep every interval of the 2014 rules
//! (each step is checked against the pack as it is written), and some
//! left waiting too long so that the pipeline has overdue steps to show.

use chrono::{Duration, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;
use ronghe_domain::development::{
    check_step, requirement, step_by_code, DevelopmentRulePack, Done, Requirement, StepFacts, Vote, STEPS,
};
use ronghe_domain::members::MemberDraft;
use ronghe_store::{Actor, NewStep, Store};
use ronghe_web::app::development::{effect_of, stage_code};
use serde_json::json;

/// One person to develop in a branch: how far they have got, and how many
/// days ago their last step was taken.
pub(crate) struct Plan {
    pub org_id: i64,
    /// The branch's full members: (id, name), for contacts, introducers and votes.
    pub voters: Vec<(i64, String)>,
    pub person: MemberDraft,
    /// The number of the last step taken (1–25).
    pub reached: u8,
    pub idle_days: i64,
}

/// A plausible gap in days before a step, from the one before it.
fn gap(code: &str, rng: &mut StdRng) -> i64 {
    match code {
        "talk" => rng.gen_range(7..25),
        "activist" => rng.gen_range(30..120),
        "activist_filed" | "target_filed" | "approval_filed" => rng.gen_range(3..12),
        "contacts" => rng.gen_range(1..10),
        "introducers" | "committee_review" | "pre_review" | "application_form" => rng.gen_range(5..15),
        "political_review" | "training" => rng.gen_range(10..30),
        "branch_vote" | "higher_talk" => rng.gen_range(5..20),
        "approval" => rng.gen_range(10..50),
        "placement" => rng.gen_range(1..5),
        "oath" => rng.gen_range(1..30),
        "conversion_approval" => rng.gen_range(7..30),
        "archive" => rng.gen_range(5..20),
        _ => rng.gen_range(5..20),
    }
}

/// A history through step `reached`, starting on day 0 (shifted later).
fn history(reached: u8, rng: &mut StdRng) -> Vec<(&'static str, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
    let mut out: Vec<(&'static str, NaiveDate)> = Vec::new();
    let mut on = start;
    let at = |out: &[(&str, NaiveDate)], code: &str| out.iter().find(|(c, _)| *c == code).map(|(_, d)| *d);
    for s in STEPS.iter().take(usize::from(reached)) {
        on = match s.code {
            "application" => start,
            // A year of cultivation, with a review every half year.
            "activist_review" => {
                at(&out, "activist").unwrap_or(on) + Months::new(5) + Duration::days(rng.gen_range(0..20))
            }
            "target" => at(&out, "activist").unwrap_or(on) + Months::new(12) + Duration::days(rng.gen_range(1..60)),
            "probation_review" => {
                at(&out, "branch_vote").unwrap_or(on) + Months::new(5) + Duration::days(rng.gen_range(0..20))
            }
            "conversion_request" => at(&out, "branch_vote").unwrap_or(on) + Months::new(11),
            "conversion_vote" => {
                at(&out, "branch_vote").unwrap_or(on) + Months::new(12) + Duration::days(rng.gen_range(0..20))
            }
            code => on + Duration::days(gap(code, rng)),
        }
        .max(on);
        out.push((s.code, on));
    }
    out
}

/// Writes the plans: each person's application and steps, checked against
/// the shipped pack; approval and conversion change the roster as they
/// would through the application.
pub(crate) async fn seed(
    store: &Store,
    actor: &Actor,
    plans: Vec<Plan>,
    today: NaiveDate,
    rng: &mut StdRng,
) -> anyhow::Result<usize> {
    let pack = DevelopmentRulePack::default_pack();
    let mut n = 0;
    for plan in plans {
        let steps = history(plan.reached, rng);
        let last = steps.last().map_or(today, |(_, d)| *d);
        let shift = (today - Duration::days(plan.idle_days)) - last;
        let steps: Vec<(&'static str, NaiveDate)> = steps.into_iter().map(|(c, d)| (c, d + shift)).collect();
        let mut done: Vec<Done> = Vec::new();
        let mut id = None;
        let mut version = 1;
        for (code, on) in steps {
            let step = step_by_code(code).expect("a step of the 25");
            let mut facts = StepFacts { birth_date: Some(plan.person.birth_date), ..Default::default() };
            let full: Vec<&(i64, String)> = plan.voters.iter().collect();
            let mut record = serde_json::Map::new();
            let named = |k: usize| -> Vec<serde_json::Value> {
                full.iter().take(k).map(|(id, name)| json!({"member_id": id, "name": name})).collect()
            };
            match requirement(code) {
                Some(Requirement::Contacts) => {
                    facts.contacts = full.len().min(2) as u32;
                    record.insert("contacts".into(), named(2).into());
                }
                Some(Requirement::Introducers) => {
                    facts.introducers = full.len().min(2) as u32;
                    record.insert("introducers".into(), named(2).into());
                }
                Some(Requirement::Training) => {
                    facts.training_days = 3;
                    facts.training_hours = 24;
                    record.insert("training_days".into(), 3.into());
                    record.insert("training_hours".into(), 24.into());
                }
                Some(Requirement::Votes) => {
                    // Most of the branch attends; all for but the odd abstention.
                    let present: Vec<&&(i64, String)> = full.iter().filter(|_| rng.gen_bool(0.85)).collect();
                    let votes: Vec<serde_json::Value> = present
                        .iter()
                        .map(|(id, name)| {
                            let choice = if rng.gen_bool(0.05) { "abstain" } else { "agree" };
                            json!({"member_id": id, "name": name, "choice": choice})
                        })
                        .collect();
                    let agree = votes.iter().filter(|v| v["choice"] == "agree").count() as u32;
                    facts.vote = Some(Vote { eligible: full.len() as u32, agree });
                    record.insert("eligible".into(), full.len().into());
                    record.insert("present".into(), present.len().into());
                    record.insert("agree".into(), agree.into());
                    record.insert("disagree".into(), 0.into());
                    record.insert("abstain".into(), (present.len() as u32 - agree).into());
                    record.insert("votes".into(), votes.into());
                }
                None => {}
            }
            if let Err(r) = check_step(&pack, &done, code, on, &facts) {
                // A branch too small to vote someone in stops here.
                if matches!(
                    r.key,
                    "dev.vote_failed" | "dev.vote_inconsistent" | "dev.contacts_count" | "dev.introducers_count"
                ) {
                    break;
                }
                anyhow::bail!("the demo's development history breaks a rule at {code} on {on}: {}", r.key);
            }
            let new = NewStep {
                step: step.code,
                step_no: step.number,
                on,
                stage: stage_code(step.stage),
                pack_version: pack.version.clone(),
                acted_by: if ronghe_domain::development::by_higher_committee(code) {
                    "上级党委组织部".into()
                } else {
                    String::new()
                },
                note: String::new(),
                facts: record.into(),
            };
            match id {
                None => {
                    id = Some(
                        store
                            .create_candidate(actor, plan.org_id, &plan.person, &new)
                            .await
                            .map_err(|e| anyhow::anyhow!("demo development: {e}"))?,
                    );
                }
                Some(id) => {
                    let effect = effect_of(&pack, &done, 0, code, on);
                    store
                        .record_development_step(actor, id, version, &new, effect)
                        .await
                        .map_err(|e| anyhow::anyhow!("demo development: {e}"))?;
                    version += 1;
                }
            }
            done.push(Done { step: step.code, on });
        }
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn histories_keep_the_rules() {
        let pack = DevelopmentRulePack::default_pack();
        let mut rng = StdRng::seed_from_u64(7);
        for reached in 1..=25 {
            for _ in 0..20 {
                let steps = history(reached, &mut rng);
                assert_eq!(steps.len(), usize::from(reached));
                let mut done = Vec::new();
                for (code, on) in steps {
                    let facts = ronghe_domain::development::sufficient_facts(&pack, None);
                    check_step(&pack, &done, code, on, &facts).unwrap_or_else(|r| panic!("{code} on {on}: {r:?}"));
                    done.push(Done { step: code, on });
                }
            }
        }
    }
}
