//! The demo group: a fictional coal-and-energy group modelled on the seed
//! paper's case (a group committee; mines, a power plant, an industrial and
//! cultural-tourism company; branches and party groups; members with
//! plausible names, ages, posts and join dates). Deterministic: the same
//! `--members N` builds the same group. Some organisations are left failing
//! the rules on purpose, so that the checks have something to show.

mod decisions;
mod development;
mod learning;
mod life;
pub(crate) mod names;
mod transfers;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

use chrono::{Datelike, Months, NaiveDate};
use names::Work;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ronghe_domain::auth::Role;
use ronghe_domain::id_number::synthesize;
use ronghe_domain::members::{Category, Education, Gender, MemberDraft, Status};
use ronghe_domain::org::{OfficerRole, OrgKind};
use ronghe_domain::phone::Phone;
use ronghe_store::{Actor, NewOrg, NewUser, Org, Store};

/// The demo accounts' shared password. Only the demo has one.
pub const DEMO_PASSWORD: &str = "ronghe-demo";

pub struct DemoAccount {
    pub username: &'static str,
    pub role: &'static str,
    pub org: String,
}

pub struct DemoSummary {
    pub orgs: usize,
    pub members: usize,
    /// People in member development (from applicants to archived files).
    pub in_development: usize,
    /// Transfers of membership made (most still under way).
    pub transfers: usize,
    /// Meetings planned or held (two years' worth in two units).
    pub meetings: usize,
    /// Decision topics (三重一大) at the group, the mine and the plant.
    pub topics: usize,
    pub accounts: Vec<DemoAccount>,
}

impl DemoSummary {
    pub fn describe(&self, listen: SocketAddr, took: Duration) -> String {
        let mut s = format!(
            "Ronghe demo: {} organisations, {} members, {} meetings, {} people in member development, {} transfers, {} decision topics, built in {:.1} s.\n\nOpen http://{listen}/ and sign in (password for every account: {DEMO_PASSWORD}):\n",
            self.orgs,
            self.members,
            self.meetings,
            self.in_development,
            self.transfers,
            self.topics,
            took.as_secs_f64()
        );
        for a in &self.accounts {
            s.push_str(&format!("  {:<12} {:<26} {}\n", a.username, a.role, a.org));
        }
        s
    }
}

struct BranchPlan {
    name: String,
    code: String,
    work: Work,
    size: usize,
    /// How many of its members are probationary, when set on purpose.
    probationary: Option<usize>,
    /// Appoint only a secretary even if the size calls for a committee.
    secretary_only: bool,
    /// Days from today to the end of the term.
    term_end_in: Option<i64>,
}

struct UnitPlan {
    name: String,
    code: String,
    unit: String,
    branches: Vec<BranchPlan>,
    /// A general branch: (name, code, its branches).
    general: Option<(String, String, Vec<BranchPlan>)>,
}

fn branch(name: &str, prefix: &str, code: &str, work: Work) -> BranchPlan {
    BranchPlan {
        name: format!("{name}党支部"),
        code: format!("{prefix}-{code}"),
        work,
        size: 0,
        probationary: None,
        secretary_only: false,
        term_end_in: None,
    }
}

fn unit(name: &str, code: &str, unit_name: &str, branches: &[(&str, &str, Work)]) -> UnitPlan {
    UnitPlan {
        name: format!("{name}党委"),
        code: code.into(),
        unit: unit_name.into(),
        branches: branches.iter().map(|(n, c, w)| branch(n, code, c, *w)).collect(),
        general: None,
    }
}

fn mine(place: &str, code: &str) -> UnitPlan {
    let mut u = unit(&format!("{place}煤矿"), code, &format!("{place}煤矿"), names::MINE_BRANCHES);
    let (gname, gcode, gb) = names::MINE_GENERAL_BRANCH;
    u.general = Some((
        format!("{gname}党总支"),
        format!("{code}-{gcode}"),
        gb.iter().map(|(n, c, w)| branch(n, code, c, *w)).collect(),
    ));
    u
}

/// The units of a group of `members` people: the fixed ones of the default
/// demo, and more mines as the group grows (about 45 members a branch).
fn plan(members: usize) -> Vec<UnitPlan> {
    let mut units = vec![
        unit("集团机关", "HQ", "中原焦煤能源集团有限公司机关", names::HQ_BRANCHES),
        mine("东岭", "DL"),
        mine("西坪", "XP"),
        mine("北岗", "BG"),
        mine("南塬", "NY"),
        unit("丰源电厂", "FY", "丰源发电有限公司", names::PLANT_BRANCHES),
        unit("岭上实业文旅公司", "LS", "岭上实业文化旅游有限公司", names::TOURISM_BRANCHES),
    ];
    let branches_per_mine = names::MINE_BRANCHES.len() + 2;
    let base: usize = units.iter().map(|u| u.branches.len() + u.general.as_ref().map_or(0, |g| g.2.len())).sum();
    let needed = members.div_ceil(45);
    if needed > base {
        let places: Vec<char> = names::PLACES.chars().collect();
        for i in 0..(needed - base).div_ceil(branches_per_mine) {
            let a = places[i % places.len()];
            let b = places[(i / places.len() + i * 7 + 3) % places.len()];
            units.push(mine(&format!("{a}{b}{}", i + 1), &format!("M{:04}", i + 1)));
        }
    }
    // Some organisations fail the rules, on purpose.
    let find = |units: &mut Vec<UnitPlan>, unit: &str, code: &str, f: &dyn Fn(&mut BranchPlan)| {
        if let Some(b) = units
            .iter_mut()
            .filter(|u| u.code == unit)
            .flat_map(|u| u.branches.iter_mut())
            .find(|b| b.code == format!("{unit}-{code}"))
        {
            f(b);
        }
    };
    find(&mut units, "DL", "DC", &|b| b.probationary = Some(3));
    find(&mut units, "XP", "ZC2", &|b| b.secretary_only = true);
    find(&mut units, "FY", "HX", &|b| b.term_end_in = Some(45));
    find(&mut units, "LS", "WY", &|b| b.term_end_in = Some(-20));
    units
}

/// Shares `total` members among the branches by weight; a few sizes are set.
fn size_branches(units: &mut [UnitPlan], total: usize, rng: &mut StdRng) {
    let mut all: Vec<&mut BranchPlan> = units
        .iter_mut()
        .flat_map(|u| u.branches.iter_mut().chain(u.general.iter_mut().flat_map(|g| g.2.iter_mut())))
        .collect();
    let fixed = |b: &BranchPlan| match b.code.as_str() {
        "DL-DC" => Some(5),
        "DL-ZC2" => Some(56),
        _ => None,
    };
    let fixed_total: usize = all.iter().filter_map(|b| fixed(b)).sum();
    let weights: Vec<f64> = all
        .iter()
        .map(|b| {
            if fixed(b).is_some() {
                0.0
            } else {
                rng.gen_range(0.55..1.35) * if b.work.retired() { 1.2 } else { 1.0 }
            }
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let rest = total.saturating_sub(fixed_total) as f64;
    for (b, w) in all.iter_mut().zip(&weights) {
        b.size = fixed(b).unwrap_or_else(|| ((rest * w / sum).round() as usize).max(3));
    }
}

/// Makes plausible, valid, unique members.
pub(crate) struct People {
    rng: StdRng,
    ids: HashSet<u64>,
    today: NaiveDate,
    next: u64,
    regions: Vec<u32>,
}

impl People {
    pub(crate) fn new(seed: u64, today: NaiveDate, regions: Vec<u32>) -> People {
        People { rng: StdRng::seed_from_u64(seed), ids: HashSet::new(), today, next: 0, regions }
    }

    fn name(&mut self, gender: Gender) -> String {
        let total: u32 = names::SURNAMES.iter().map(|(_, w)| w).sum();
        let mut pick = self.rng.gen_range(0..total);
        let mut surname = names::SURNAMES[0].0;
        for (s, w) in names::SURNAMES {
            if pick < *w {
                surname = s;
                break;
            }
            pick -= w;
        }
        let pool: Vec<char> = match gender {
            Gender::Male => names::GIVEN_MALE.chars().collect(),
            Gender::Female => names::GIVEN_FEMALE.chars().collect(),
        };
        let mut name = surname.to_string();
        for _ in 0..if self.rng.gen_bool(0.7) { 2 } else { 1 } {
            name.push(pool[self.rng.gen_range(0..pool.len())]);
        }
        name
    }

    pub(crate) fn person(&mut self, work: Work, probationary: bool) -> MemberDraft {
        let male_share = match work {
            Work::Face | Work::Heading | Work::Ventilation | Work::Transport | Work::Electrical => 0.93,
            Work::Office | Work::Service | Work::Tourism => 0.5,
            _ => 0.75,
        };
        let gender = if self.rng.gen_bool(male_share) { Gender::Male } else { Gender::Female };
        let age = if work.retired() {
            self.rng.gen_range(60..88)
        } else if probationary {
            self.rng.gen_range(22..36)
        } else {
            self.rng.gen_range(24..60)
        };
        let birth = self.today - chrono::Duration::days(age * 365 + self.rng.gen_range(0..365));
        let id_number = loop {
            let region = self.regions[(self.next % self.regions.len() as u64) as usize];
            let seq = (self.rng.gen_range(0..500u32) * 2) + u32::from(gender == Gender::Male);
            let id = synthesize(region, birth, seq);
            let key: u64 = id.as_str()[..17].parse().expect("17 digits");
            if self.ids.insert(key) {
                break id;
            }
        };
        self.next += 1;
        let (join_date, conversion_date) = if probationary {
            let j = self.today - chrono::Duration::days(self.rng.gen_range(20..330));
            (j, None)
        } else {
            let oldest_join_age = (age - 2).clamp(21, 45);
            let join_age = self.rng.gen_range(20..=oldest_join_age) as u32;
            let j = birth.checked_add_months(Months::new(12 * join_age)).unwrap_or(birth)
                + chrono::Duration::days(self.rng.gen_range(0..300));
            let j = j.min(self.today - chrono::Duration::days(400));
            (j, j.checked_add_months(Months::new(12)))
        };
        let education = Some(match (work, self.rng.gen_range(0..100)) {
            (Work::Office | Work::Technical, r) if r < 12 => Education::Master,
            (Work::Office | Work::Technical, r) if r < 75 => Education::Bachelor,
            (Work::Office | Work::Technical, _) => Education::Associate,
            (Work::Retired, r) if r < 30 => Education::JuniorOrBelow,
            (Work::Retired, r) if r < 70 => Education::HighSchool,
            (Work::Retired, _) => Education::Vocational,
            (_, r) if r < 15 => Education::Bachelor,
            (_, r) if r < 50 => Education::Associate,
            (_, r) if r < 80 => Education::Vocational,
            _ => Education::HighSchool,
        });
        let ethnicity = match self.rng.gen_range(0..100) {
            0..=95 => "汉族",
            96..=97 => "回族",
            98 => "满族",
            _ => "蒙古族",
        };
        let posts = work.posts();
        let phone = self.rng.gen_bool(0.92).then(|| {
            let prefix =
                ["138", "139", "137", "150", "151", "158", "186", "187", "135", "176"][self.rng.gen_range(0..10)];
            Phone::parse(&format!("{prefix}{:08}", self.rng.gen_range(0..100_000_000u32))).expect("valid mobile")
        });
        MemberDraft {
            name: self.name(gender),
            gender,
            ethnicity: ethnicity.into(),
            birth_date: birth,
            id_number,
            education,
            post: posts[self.rng.gen_range(0..posts.len())].into(),
            unit: String::new(),
            phone,
            category: if probationary { Category::Probationary } else { Category::Full },
            join_date,
            conversion_date: conversion_date.filter(|d| *d <= self.today),
        }
    }
}

/// What the demo made for one branch, for officers and accounts.
/// Units whose members get this year's dues (standards, payments, some
/// arrears): enough to show every part of the dues pages without making
/// the large benchmark datasets slow to build.
const DUES_UNITS: [&str; 2] = ["DL", "FY"];

/// The most branches given two years of meetings in the demo.
const LIFE_BRANCHES: usize = 40;

struct DuesPerson {
    id: i64,
    org_id: i64,
    join_date: NaiveDate,
    retired: bool,
    /// Branch B, where several members have fallen behind.
    in_arrears_branch: bool,
}

/// This year's dues for the members given: a standard from January from a
/// plausible income, monthly payments through last month (some this month
/// too), members in arrears (more in branch B), a few paid on their behalf
/// and a few voluntary extra payments.
async fn seed_dues(
    store: &Store,
    actor: &Actor,
    people: &[DuesPerson],
    today: NaiveDate,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    use ronghe_domain::dues::{DuesRulePack, Period};
    use ronghe_store::{NewPayment, NewStandard};
    let pack = DuesRulePack::default_pack();
    let year = today.year();
    let now = Period::of(today);
    let (mut standards, mut payments) = (Vec::new(), Vec::new());
    for p in people {
        let (category, income) = if p.retired {
            ("retired", rng.gen_range(2_600..7_500) * 100 + rng.gen_range(0..100))
        } else {
            ("employed", rng.gen_range(2_800..16_000) * 100 + rng.gen_range(0..100))
        };
        let q = pack.quote(category, Some(income)).map_err(|e| anyhow::anyhow!("demo dues: {}", e.key))?;
        standards.push(NewStandard {
            member_id: p.id,
            org_id: p.org_id,
            year,
            from_month: 1,
            category: q.category,
            monthly_income_fen: q.monthly_income_fen,
            rate_permille: q.rate_permille,
            monthly_dues_fen: q.monthly_dues_fen,
            pack_version: q.pack_version,
            reason: String::new(),
        });
        let behind = if p.in_arrears_branch && rng.gen_bool(0.4) {
            rng.gen_range(2..=4)
        } else if rng.gen_bool(0.07) {
            rng.gen_range(1..=2)
        } else {
            0
        };
        let first = Period { year, month: 1 }.max(Period::of(p.join_date));
        let on_behalf = p.retired && rng.gen_bool(0.2);
        let mut m = first;
        while m.year == year && m <= now {
            let months_left = m.months_until(now);
            // Paid this month by some; behind by `behind` months for others.
            let paid = if months_left == 0 { rng.gen_bool(0.3) && behind == 0 } else { months_left >= behind };
            if paid {
                let day = if months_left == 0 { rng.gen_range(1..=today.day()) } else { rng.gen_range(5..=25) };
                payments.push(NewPayment {
                    member_id: p.id,
                    org_id: p.org_id,
                    period: m.to_string(),
                    kind: "regular",
                    amount_fen: q.monthly_dues_fen,
                    paid_on: NaiveDate::from_ymd_opt(m.year, m.month, day).unwrap_or(today),
                    payer: if on_behalf { "家属代交".into() } else { String::new() },
                });
            }
            m = m.next();
        }
        if rng.gen_bool(0.01) {
            payments.push(NewPayment {
                member_id: p.id,
                org_id: p.org_id,
                period: Period { year, month: 7 }.min(now).to_string(),
                kind: "voluntary",
                amount_fen: rng.gen_range(10..=30) * 10_000,
                paid_on: NaiveDate::from_ymd_opt(year, 7, 1).unwrap_or(today).min(today),
                payer: String::new(),
            });
        }
    }
    store.insert_dues(actor, &standards, &payments, false).await.map_err(|e| anyhow::anyhow!("demo dues: {e}"))
}

/// Who is in member development, and how far they have got: in branch A
/// and B one person at each stage (some waiting too long for their next
/// step), elsewhere in the two units now and then someone at a random step.
fn development_plans(
    branches: &[(&BranchPlan, String, &UnitPlan)],
    built: &HashMap<String, BuiltBranch>,
    people: &mut People,
    rng: &mut StdRng,
) -> Vec<development::Plan> {
    let mut plans = Vec::new();
    for (b, _, u) in branches {
        if b.work.retired() || !DUES_UNITS.contains(&u.code.as_str()) {
            continue;
        }
        let Some(bb) = built.get(&b.code) else { continue };
        // (last step reached, days since it was taken)
        let reached: Vec<(u8, i64)> = match b.code.as_str() {
            "DL-ZC1" => vec![(1, 45), (2, 20), (5, 60), (10, 15), (15, 100), (20, 40), (25, 30)],
            "FY-YX1" => vec![(1, 5), (3, 200), (11, 25), (17, 50), (23, 10)],
            _ if rng.gen_bool(0.5) => vec![(rng.gen_range(1..=25), rng.gen_range(0..90))],
            _ => vec![],
        };
        let voters: Vec<(i64, String)> =
            bb.members.iter().zip(&bb.names).filter(|(m, _)| m.2).map(|(m, name)| (m.0, name.clone())).collect();
        for (reached, idle_days) in reached {
            let mut person = people.person(b.work, true);
            person.unit = u.unit.clone();
            plans.push(development::Plan { org_id: bb.org.id, voters: voters.clone(), person, reached, idle_days });
        }
    }
    plans
}

struct BuiltBranch {
    org: Org,
    /// (member id, enrolled org id, full member?)
    members: Vec<(i64, i64, bool)>,
    names: Vec<String>,
}

/// An organisation to create, with its parent's code.
struct Pending {
    parent: String,
    new: NewOrg,
}

/// Builds the tree level by level, a level in a few statements.
struct Levels<'a> {
    store: &'a Store,
    actor: Actor,
    rng: StdRng,
    today: NaiveDate,
    by_code: HashMap<String, Org>,
}

impl Levels<'_> {
    /// A term that started up to a term's length ago (or ends on a set day).
    fn term(&mut self, years: u32, end_in: Option<i64>) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let end = match end_in {
            Some(days) => self.today + chrono::Duration::days(days),
            None => self.today + chrono::Duration::days(self.rng.gen_range(120..(i64::from(years) * 365 - 30))),
        };
        (Some(end.checked_sub_months(Months::new(12 * years)).unwrap_or(end)), Some(end))
    }

    fn pending(
        &mut self,
        parent: &str,
        kind: OrgKind,
        code: &str,
        name: &str,
        unit: &str,
        term: (Option<NaiveDate>, Option<NaiveDate>),
    ) -> Pending {
        let years_ago = self.rng.gen_range(8..40);
        let established = NaiveDate::from_ymd_opt(self.today.year() - years_ago, self.rng.gen_range(1..=12), 1);
        Pending {
            parent: parent.to_string(),
            new: NewOrg {
                parent_id: None,
                kind,
                code: code.into(),
                name: name.into(),
                unit_name: unit.into(),
                established_on: established,
                term_start: term.0,
                term_end: term.1,
            },
        }
    }

    async fn create(&mut self, level: Vec<Pending>) -> anyhow::Result<()> {
        let new: Vec<NewOrg> =
            level.into_iter().map(|p| NewOrg { parent_id: Some(self.by_code[&p.parent].id), ..p.new }).collect();
        for org in self
            .store
            .insert_orgs(&self.actor, &new)
            .await
            .map_err(|e| anyhow::anyhow!("creating organisations: {e}"))?
        {
            self.by_code.insert(org.code.clone(), org);
        }
        Ok(())
    }
}

fn term_of(o: &Org) -> (Option<NaiveDate>, Option<NaiveDate>) {
    (o.term_start, o.term_end)
}

/// (username, role label, display name, member record, role, organisation)
type AccountSpec = (&'static str, &'static str, String, Option<i64>, Role, Org);

/// How many party groups a branch of this size is split into.
fn groups_for(b: &BranchPlan) -> usize {
    match b.size {
        n if n >= 52 && !b.work.retired() => 3,
        n if n >= 47 && !b.work.retired() => 2,
        _ => 0,
    }
}

/// Builds the demo group in an empty database.
pub async fn build(store: &Store, members: usize) -> anyhow::Result<DemoSummary> {
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let mut rng = StdRng::seed_from_u64(0x5eed_2026);
    let mut units = plan(members);
    size_branches(&mut units, members, &mut rng);
    let mut lv = Levels { store, actor: Actor::system(0, "demo"), rng, today, by_code: HashMap::new() };

    let term = lv.term(5, None);
    let root = store
        .create_org(
            &lv.actor,
            &NewOrg {
                parent_id: None,
                kind: OrgKind::Committee,
                code: "ZYJM".into(),
                name: "中原焦煤能源集团有限公司党委".into(),
                unit_name: "中原焦煤能源集团有限公司".into(),
                established_on: NaiveDate::from_ymd_opt(1998, 7, 1),
                term_start: term.0,
                term_end: term.1,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating the group: {e}"))?;
    lv.actor.tenant_id = root.tenant_id;
    lv.by_code.insert(root.code.clone(), root.clone());

    // Groups of more than twenty units get regional committees between.
    let regions = if units.len() > 20 { units.len().div_ceil(20) } else { 0 };
    let level: Vec<Pending> = (0..regions)
        .map(|r| {
            let term = lv.term(5, None);
            lv.pending(
                "ZYJM",
                OrgKind::Committee,
                &format!("R{:03}", r + 1),
                &format!("第{}区域公司党委", r + 1),
                &format!("第{}区域公司", r + 1),
                term,
            )
        })
        .collect();
    lv.create(level).await?;
    let level: Vec<Pending> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let parent =
                if regions == 0 || i < 7 { "ZYJM".to_string() } else { format!("R{:03}", (i - 7) % regions + 1) };
            let term = lv.term(5, None);
            lv.pending(&parent, OrgKind::Committee, &u.code, &u.name, &u.unit, term)
        })
        .collect();
    lv.create(level).await?;
    let level: Vec<Pending> = units
        .iter()
        .filter_map(|u| u.general.as_ref().map(|g| (u, g)))
        .map(|(u, (gname, gcode, _))| {
            let term = lv.term(3, None);
            lv.pending(&u.code, OrgKind::GeneralBranch, gcode, gname, &u.unit, term)
        })
        .collect();
    lv.create(level).await?;
    // Branches, each with where it sits and its unit.
    let branches: Vec<(&BranchPlan, String, &UnitPlan)> = units
        .iter()
        .flat_map(|u| {
            u.branches
                .iter()
                .map(move |b| (b, u.code.clone(), u))
                .chain(u.general.iter().flat_map(move |(_, gcode, gb)| gb.iter().map(move |b| (b, gcode.clone(), u))))
        })
        .collect();
    let level: Vec<Pending> = branches
        .iter()
        .map(|(b, parent, u)| {
            let term = lv.term(3, b.term_end_in);
            lv.pending(parent, OrgKind::Branch, &b.code, &b.name, &u.unit, term)
        })
        .collect();
    lv.create(level).await?;
    let level: Vec<Pending> = branches
        .iter()
        .flat_map(|(b, _, u)| (0..groups_for(b)).map(move |g| (b, u, g)))
        .map(|(b, u, g)| {
            let term = term_of(&lv.by_code[&b.code]);
            let label = ["第一", "第二", "第三"][g];
            let name = format!("{}{label}党小组", b.name.trim_end_matches("党支部"));
            lv.pending(&b.code, OrgKind::Group, &format!("{}-G{}", b.code, g + 1), &name, &u.unit, term)
        })
        .collect();
    lv.create(level).await?;

    // Members, a few thousand a transaction, branch by branch.
    let mut people = People {
        rng: lv.rng.clone(),
        ids: HashSet::with_capacity(members),
        today,
        next: 0,
        regions: names::REGIONS.to_vec(),
    };
    let mut built: HashMap<String, BuiltBranch> = HashMap::new();
    let mut officers = Vec::new();
    let mut pending: Vec<(i64, MemberDraft)> = Vec::new();
    let mut pending_branches: Vec<(String, usize)> = Vec::new();
    let mut member_count = 0;
    let retired_branch: HashMap<&str, bool> =
        branches.iter().map(|(b, _, _)| (b.code.as_str(), b.work.retired())).collect();
    let mut dues_people: Vec<DuesPerson> = Vec::new();
    for (i, (b, _, u)) in branches.iter().enumerate() {
        let org = lv.by_code[&b.code].clone();
        let groups: Vec<i64> = (0..groups_for(b)).map(|g| lv.by_code[&format!("{}-G{}", b.code, g + 1)].id).collect();
        let probationary = b.probationary.unwrap_or_else(|| {
            if b.work.retired() {
                0
            } else {
                (0..b.size).filter(|_| people.rng.gen_bool(0.04)).count()
            }
        });
        for k in 0..b.size {
            let mut d = people.person(b.work, k >= b.size - probationary.min(b.size));
            d.unit = u.unit.clone();
            let enrolled = if groups.is_empty() { org.id } else { groups[k % groups.len()] };
            pending.push((enrolled, d));
        }
        pending_branches.push((b.code.clone(), b.size));
        if pending.len() >= 5_000 || i + 1 == branches.len() {
            let ids =
                store.insert_members(&lv.actor, &pending, "member.create").await.map_err(|e| anyhow::anyhow!("{e}"))?;
            member_count += ids.len();
            let mut at = 0;
            for (code, size) in pending_branches.drain(..) {
                let slice = &pending[at..at + size];
                if DUES_UNITS.iter().any(|u| code.starts_with(&format!("{u}-"))) {
                    for ((o, d), id) in slice.iter().zip(&ids[at..at + size]) {
                        dues_people.push(DuesPerson {
                            id: *id,
                            org_id: *o,
                            join_date: d.join_date,
                            retired: retired_branch.get(code.as_str()).copied().unwrap_or(false),
                            in_arrears_branch: code == "FY-YX1",
                        });
                    }
                }
                let members: Vec<(i64, i64, bool)> = slice
                    .iter()
                    .zip(&ids[at..at + size])
                    .map(|((o, d), id)| (*id, *o, d.category == Category::Full))
                    .collect();
                let names = slice.iter().map(|(_, d)| d.name.clone()).collect();
                built.insert(code.clone(), BuiltBranch { org: lv.by_code[&code].clone(), members, names });
                at += size;
            }
            pending.clear();
        }
    }

    // Officers: a secretary for each branch; a committee where seven or
    // more full members call for one; a leader for each party group; the
    // unit committees from their members, office branches first.
    for (b, _, _) in &branches {
        let bb = &built[&b.code];
        let full: Vec<&(i64, i64, bool)> = bb.members.iter().filter(|m| m.2).collect();
        let mut roles = vec![OfficerRole::Secretary];
        if full.len() >= 7 && !b.secretary_only {
            roles.extend([OfficerRole::Organisation, OfficerRole::Publicity]);
        }
        for (role, m) in roles.into_iter().zip(&full) {
            officers.push((bb.org.id, m.0, role, term_of(&bb.org)));
        }
        for g in 0..groups_for(b) {
            let group = &lv.by_code[&format!("{}-G{}", b.code, g + 1)];
            if let Some(m) = bb.members.iter().find(|m| m.1 == group.id && m.2) {
                officers.push((group.id, m.0, OfficerRole::GroupLeader, term_of(group)));
            }
        }
    }
    let committee = [
        OfficerRole::Secretary,
        OfficerRole::DeputySecretary,
        OfficerRole::Discipline,
        OfficerRole::Organisation,
        OfficerRole::Publicity,
    ];
    let mut committee_a = None;
    for u in &units {
        let unit_org = &lv.by_code[&u.code];
        let of_unit: Vec<&BuiltBranch> =
            branches.iter().filter(|(_, _, pu)| pu.code == u.code).map(|(b, _, _)| &built[&b.code]).collect();
        let is_office = |bb: &&&BuiltBranch| bb.org.code.contains("-JG") || u.code == "HQ";
        let office: Vec<i64> = of_unit
            .iter()
            .filter(is_office)
            .chain(of_unit.iter().filter(|bb| !is_office(bb)))
            .flat_map(|bb| bb.members.iter().filter(|m| m.2).map(|m| m.0))
            .take(5)
            .collect();
        for (role, id) in committee.iter().zip(&office) {
            officers.push((unit_org.id, *id, *role, term_of(unit_org)));
        }
        if u.code == "HQ" {
            for (role, id) in committee.iter().zip(office.iter().rev()) {
                officers.push((root.id, *id, *role, term_of(&root)));
            }
        }
        if let Some((_, gcode, gb)) = &u.general {
            let general = &lv.by_code[gcode];
            if let Some(m) = gb.iter().flat_map(|b| built[&b.code].members.iter()).find(|m| m.2) {
                officers.push((general.id, m.0, OfficerRole::Secretary, term_of(general)));
            }
        }
        if u.code == "DL" {
            committee_a = office.get(1).map(|m| (unit_org.clone(), *m));
        }
    }
    store.insert_officers(&lv.actor, &officers).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    // Without statistics of the members just written, PostgreSQL (whose
    // autovacuum may be off or not yet round) scans every member for each
    // meeting's attendees below. Only the tables written so far: statistics
    // of an empty table would make it scan the attendance it is filling.
    store
        .analyze_tables(&["orgs", "members", "org_rollups", "org_officers"])
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    seed_dues(store, &lv.actor, &dues_people, today, &mut lv.rng).await?;
    // Two years of meetings in the two units' branches and groups.
    let life_branches: Vec<life::LifeBranch> = branches
        .iter()
        .filter(|(b, _, u)| DUES_UNITS.contains(&u.code.as_str()) && built.contains_key(&b.code))
        .map(|(b, _, _)| life::LifeBranch {
            org: built[&b.code].org.clone(),
            groups: (0..groups_for(b)).map(|g| lv.by_code[&format!("{}-G{}", b.code, g + 1)].clone()).collect(),
            full_members: built[&b.code].members.iter().filter(|m| m.2).count(),
            diligence: if b.code == "FY-YX1" { 0.6 } else { 0.9 },
        })
        // Enough for every page and check to have something to show (branches
        // A and B always); the benchmark datasets' larger units add no more.
        .enumerate()
        .filter(|(i, b)| *i < LIFE_BRANCHES || ["DL-ZC1", "FY-YX1"].contains(&b.org.code.as_str()))
        .map(|(_, b)| b)
        .collect();
    let meetings = life::seed(store, &lv.actor, today, &life_branches, &mut lv.rng).await?;
    // A course library and a year of study in the same branches.
    let study_units: Vec<(Org, Vec<i64>)> = units
        .iter()
        .filter(|u| DUES_UNITS.contains(&u.code.as_str()))
        .map(|u| {
            let members = life_branches
                .iter()
                .filter(|b| b.org.path.starts_with(&lv.by_code[&u.code].path))
                .flat_map(|b| built[&b.org.code].members.iter().map(|m| m.0))
                .collect();
            (lv.by_code[&u.code].clone(), members)
        })
        .collect();
    learning::seed(store, &lv.actor, today, &root, &study_units, &mut lv.rng).await?;
    let plans = development_plans(&branches, &built, &mut people, &mut lv.rng);
    let in_development = development::seed(store, &lv.actor, plans, today, &mut lv.rng).await?;

    let branch_a = built.remove("DL-ZC1").ok_or_else(|| anyhow::anyhow!("the demo plan lost branch A"))?;
    let branch_b = built.remove("FY-YX1").ok_or_else(|| anyhow::anyhow!("the demo plan lost branch B"))?;
    // Transfers under way between branch A, its neighbour and branch B.
    let who = |bb: &BuiltBranch| -> Vec<transfers::Who> {
        bb.members.iter().zip(&bb.names).filter(|(m, _)| m.2).map(|(m, n)| (m.0, m.1, n.clone())).collect()
    };
    let transfers_made = match built.get("DL-ZC2") {
        Some(a2) => {
            transfers::seed(store, &lv.actor, today, &who(&branch_a), &who(&branch_b), &branch_a.org, &a2.org).await?
        }
        None => 0,
    };
    // A member whose status changed, with dated history.
    if let Some(m) = branch_b.members.last() {
        store
            .change_member_status(
                &lv.actor,
                m.0,
                Status::LostContact,
                today - chrono::Duration::days(200),
                "外出务工，联系不上",
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    // A year of decision topics at the group committee, the mine's (unit A)
    // and the plant's (unit B), voted on by their committees as they stand now.
    let topic_orgs = [root.clone(), lv.by_code["DL"].clone(), lv.by_code["FY"].clone()];
    let topics = decisions::seed(store, &lv.actor, today, &topic_orgs, &mut lv.rng).await?;
    let sec = |bb: &BuiltBranch| bb.members.iter().position(|m| m.2).unwrap_or(0);
    let a_sec = sec(&branch_a);
    let b_sec = sec(&branch_b);
    let a_member = branch_a.members.iter().enumerate().rposition(|(i, m)| i != a_sec && m.2).unwrap_or(0);
    let (committee_org, committee_member) = committee_a.ok_or_else(|| anyhow::anyhow!("the demo plan lost unit A"))?;

    let mut accounts = Vec::new();
    let specs: Vec<AccountSpec> = vec![
        ("admin", "集团管理员 group admin", "集团管理员".into(), None, Role::GroupAdmin, root.clone()),
        (
            "sec-a",
            "支部书记 branch secretary",
            branch_a.names[a_sec].clone(),
            Some(branch_a.members[a_sec].0),
            Role::Secretary,
            branch_a.org.clone(),
        ),
        (
            "sec-b",
            "支部书记 branch secretary",
            branch_b.names[b_sec].clone(),
            Some(branch_b.members[b_sec].0),
            Role::Secretary,
            branch_b.org.clone(),
        ),
        (
            "member-a",
            "党员 member",
            branch_a.names[a_member].clone(),
            Some(branch_a.members[a_member].0),
            Role::Member,
            store.org(branch_a.members[a_member].1).await?,
        ),
        (
            "committee-a",
            "党委委员 committee member",
            "东岭煤矿党委委员".into(),
            Some(committee_member),
            Role::CommitteeMember,
            committee_org,
        ),
        ("sysadmin", "系统管理员 system admin", "系统管理员".into(), None, Role::SystemAdmin, root.clone()),
        ("secadmin", "安全管理员 security admin", "安全管理员".into(), None, Role::SecurityAdmin, root.clone()),
        ("auditor", "审计管理员 audit admin", "审计管理员".into(), None, Role::AuditAdmin, root.clone()),
    ];
    for (username, role_label, display, member_id, role, org) in specs {
        store
            .create_user(
                &lv.actor,
                &NewUser {
                    tenant_id: root.tenant_id,
                    username: username.into(),
                    display_name: display,
                    password: DEMO_PASSWORD.into(),
                    member_id,
                    roles: vec![(role, org.id)],
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        accounts.push(DemoAccount { username, role: role_label, org: org.name.clone() });
    }
    // The build wrote thousands of figure changes: a fresh demo starts with
    // one row per subject, as a day's `ronghe remind` would leave it.
    store.fold_all_figure_changes().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    store.vacuum_analyze().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(DemoSummary {
        orgs: lv.by_code.len(),
        members: member_count,
        in_development,
        transfers: transfers_made,
        meetings,
        topics,
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_has_the_seed_shape() {
        let mut units = plan(4000);
        let mut rng = StdRng::seed_from_u64(1);
        size_branches(&mut units, 4000, &mut rng);
        assert_eq!(units.len(), 7);
        let branches: Vec<&BranchPlan> =
            units.iter().flat_map(|u| u.branches.iter().chain(u.general.iter().flat_map(|g| g.2.iter()))).collect();
        let total: usize = branches.iter().map(|b| b.size).sum();
        assert!((3900..4100).contains(&total), "{total}");
        assert!(branches.iter().all(|b| b.size >= 3));
    }

    #[test]
    fn larger_groups_add_mines() {
        let units = plan(100_000);
        let branches: usize =
            units.iter().map(|u| u.branches.len() + u.general.as_ref().map_or(0, |g| g.2.len())).sum();
        assert!((2100..2400).contains(&branches), "{branches}");
    }

    #[test]
    fn people_are_valid_members() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut p = People::new(7, today, names::REGIONS.to_vec());
        for i in 0..2000 {
            let work = [Work::Face, Work::Office, Work::Retired][i % 3];
            let d = p.person(work, i % 17 == 0);
            // Every generated member passes the same validation as a form.
            let back = d.to_input().validate(today).unwrap_or_else(|e| panic!("{d:?}: {e:?}"));
            assert_eq!(back.id_number, d.id_number);
        }
    }
}
