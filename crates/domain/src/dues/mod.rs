//! Party dues (党费): the rule pack that turns a member's category and
//! monthly income into a monthly amount. Money is integer fen throughout;
//! rates are integer permille; rounding is what the pack says.

mod ledger;

pub use ledger::{check_payment, year_lines, MonthLine, PaymentKind, PaymentRefusal, Period, StandardFrom};

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::members::FieldError;

/// The largest monthly income accepted: a hundred million yuan. Anything
/// above is a typing error, not a wage.
pub const MAX_INCOME_FEN: i64 = 10_000_000_000;

/// The pack shipped with Ronghe, in force unless a newer one is loaded.
pub const DEFAULT_DUES_PACK: &str = include_str!("../../rules/dues-2008.toml");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DuesRulePack {
    pub kind: String,
    pub version: String,
    pub effective_from: NaiveDate,
    /// Short name → the regulation's title.
    pub sources: BTreeMap<String, String>,
    pub rounding: Rounding,
    #[serde(rename = "category")]
    pub categories: Vec<CategoryRule>,
    pub payments: PaymentRules,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    HalfUp,
    Down,
    Up,
}

/// How one category of member pays: a rate by income bracket, or a fixed
/// monthly amount (with an upper limit where the branch may set more).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CategoryRule {
    pub code: String,
    /// What the monthly income is, for income-based categories.
    #[serde(default)]
    pub base: Option<String>,
    pub source: String,
    #[serde(default)]
    pub brackets: Vec<Bracket>,
    #[serde(default)]
    pub fixed_fen: Option<i64>,
    #[serde(default)]
    pub max_fen: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bracket {
    /// Inclusive upper bound of the monthly income, in fen; none for the last.
    #[serde(default)]
    pub up_to_fen: Option<i64>,
    pub rate_permille: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PaymentRules {
    pub max_back_months: u32,
    /// How long after a payment it may still be recorded (packs written
    /// before this rule existed get one month).
    #[serde(default = "one_month")]
    pub record_within_months: u32,
    pub voluntary_one_off_min_fen: i64,
    pub source: String,
}

/// A monthly amount and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub category: String,
    /// The income the rate applied to; none for fixed amounts.
    pub monthly_income_fen: Option<i64>,
    /// None for fixed amounts.
    pub rate_permille: Option<i64>,
    pub monthly_dues_fen: i64,
    /// The most a branch may set for a fixed-amount category, if more than
    /// the standard.
    pub max_fen: Option<i64>,
    pub pack_version: String,
    /// The regulation the amount comes from.
    pub source: String,
}

impl DuesRulePack {
    /// Parses and checks a pack: brackets ascending with only the last one
    /// open, each category either bracketed or fixed, amounts not negative.
    pub fn parse(text: &str) -> Result<Self, String> {
        let pack: DuesRulePack = toml::from_str(text).map_err(|e| e.to_string())?;
        if pack.kind != "dues" {
            return Err(format!("kind is {:?}, not \"dues\"", pack.kind));
        }
        for c in &pack.categories {
            if !pack.sources.contains_key(&c.source) {
                return Err(format!("{}: unknown source {:?}", c.code, c.source));
            }
            match (c.brackets.is_empty(), c.fixed_fen) {
                (false, None) => {
                    let (last, rest) = c.brackets.split_last().expect("not empty");
                    if last.up_to_fen.is_some() {
                        return Err(format!("{}: the last bracket must have no upper bound", c.code));
                    }
                    let mut below = 0;
                    for b in rest {
                        match b.up_to_fen {
                            Some(up) if up > below => below = up,
                            _ => return Err(format!("{}: bracket bounds must rise", c.code)),
                        }
                    }
                    if c.brackets.iter().any(|b| !(0..=1000).contains(&b.rate_permille)) {
                        return Err(format!("{}: a rate is outside 0–1000‰", c.code));
                    }
                }
                (true, Some(fixed)) => {
                    if fixed < 0 || c.max_fen.is_some_and(|m| m < fixed) {
                        return Err(format!("{}: fixed amount out of range", c.code));
                    }
                }
                _ => return Err(format!("{}: give either brackets or fixed_fen", c.code)),
            }
        }
        Ok(pack)
    }

    crate::shipped_pack!(DuesRulePack, DEFAULT_DUES_PACK, "dues");

    pub fn category(&self, code: &str) -> Option<&CategoryRule> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn source(&self, short: &str) -> String {
        self.sources.get(short).cloned().unwrap_or_else(|| short.to_string())
    }

    /// The monthly dues of a member of `category` with `monthly_income_fen`
    /// (required for income-based categories, ignored for fixed ones).
    pub fn quote(&self, category: &str, monthly_income_fen: Option<i64>) -> Result<Quote, FieldError> {
        let rule = self.category(category).ok_or(FieldError { field: "category", key: "dues.unknown_category" })?;
        let mut quote = Quote {
            category: rule.code.clone(),
            monthly_income_fen: None,
            rate_permille: None,
            monthly_dues_fen: 0,
            max_fen: None,
            pack_version: self.version.clone(),
            source: self.source(&rule.source),
        };
        if let Some(fixed) = rule.fixed_fen {
            quote.monthly_dues_fen = fixed;
            quote.max_fen = rule.max_fen.filter(|m| *m > fixed);
            return Ok(quote);
        }
        let income =
            monthly_income_fen.ok_or(FieldError { field: "monthly_income_fen", key: "dues.income_required" })?;
        if income < 0 {
            return Err(FieldError { field: "monthly_income_fen", key: "dues.income_negative" });
        }
        if income > MAX_INCOME_FEN {
            return Err(FieldError { field: "monthly_income_fen", key: "dues.income_too_large" });
        }
        let bracket = rule
            .brackets
            .iter()
            .find(|b| b.up_to_fen.is_none_or(|up| income <= up))
            .expect("the last bracket is open (checked at parse)");
        quote.monthly_income_fen = Some(income);
        quote.rate_permille = Some(bracket.rate_permille);
        quote.monthly_dues_fen = self.rounding.apply(income, bracket.rate_permille);
        Ok(quote)
    }
}

/// Yuan as people type them ("15", "15.5", "1,500.05", full-width digits)
/// into fen, exactly: no float ever holds money. More than two decimals,
/// a sign or anything else is refused.
pub fn parse_yuan(input: &str) -> Option<i64> {
    let s = crate::text::fold_compact(input).replace([',', '，'], "");
    let s = s.strip_suffix('元').unwrap_or(&s);
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
        return None;
    }
    if !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yuan: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let fen: i64 = format!("{frac:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(fen)
}

/// Fen as yuan with two decimals: 150005 → "1500.05".
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

fn one_month() -> u32 {
    1
}

impl Rounding {
    /// `income × permille / 1000`, rounded to the fen, exactly (in i128, so
    /// no income can overflow it; callers cap incomes at [`MAX_INCOME_FEN`]).
    pub fn apply(self, income_fen: i64, permille: i64) -> i64 {
        let product = i128::from(income_fen) * i128::from(permille);
        let fen = match self {
            Rounding::HalfUp => (product + 500) / 1000,
            Rounding::Down => product / 1000,
            Rounding::Up => (product + 999) / 1000,
        };
        i64::try_from(fen).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(category: &str, income: i64) -> (Option<i64>, i64) {
        let quote = DuesRulePack::default_pack().quote(category, Some(income)).unwrap();
        (quote.rate_permille, quote.monthly_dues_fen)
    }

    #[test]
    fn employed_brackets_include_their_upper_bounds() {
        // Hand-computed: rate × income, rounded half up to the fen.
        let cases = [
            (0, 5, 0),
            (1, 5, 0),            // 0.005 fen
            (100, 5, 1),          // 0.5 fen rounds up
            (99, 5, 0),           // 0.495 fen
            (300000, 5, 1500),    // 3,000.00 yuan: 0.5% (含3000元)
            (300001, 10, 3000),   // 3,000.01 yuan: 1% = 30.0001 yuan
            (450050, 10, 4501),   // 4,500.50 yuan: 45.005 yuan rounds up
            (500000, 10, 5000),   // 5,000.00: 1% (含5000元)
            (500001, 15, 7500),   // 5,000.01: 1.5% = 75.00015 yuan
            (666666, 15, 10000),  // 6,666.66: 99.9999 yuan
            (1000000, 15, 15000), // 10,000.00: 1.5% (含10000元)
            (1000001, 20, 20000), // 10,000.01: 2% = 200.0002 yuan
            (2500075, 20, 50002), // 25,000.75: 500.015 yuan rounds up
        ];
        for (income, rate, fen) in cases {
            assert_eq!(q("employed", income), (Some(rate), fen), "income {income} fen");
        }
    }

    #[test]
    fn retired_members_pay_on_their_pension() {
        assert_eq!(q("retired", 500000), (Some(5), 2500));
        assert_eq!(q("retired", 500001), (Some(10), 5000));
        assert_eq!(q("retired", 312345), (Some(5), 1562)); // 15.61725 yuan
    }

    #[test]
    fn fixed_categories_ignore_income() {
        let pack = DuesRulePack::default_pack();
        for c in ["student", "unemployed", "relief"] {
            let quote = pack.quote(c, None).unwrap();
            assert_eq!((quote.rate_permille, quote.monthly_dues_fen, quote.max_fen), (None, 20, None), "{c}");
        }
        let farmer = pack.quote("farmer", Some(123456)).unwrap();
        assert_eq!((farmer.monthly_dues_fen, farmer.max_fen, farmer.monthly_income_fen), (20, Some(100), None));
    }

    #[test]
    fn bad_requests_name_the_field() {
        let pack = DuesRulePack::default_pack();
        assert_eq!(pack.quote("pensioner", Some(1)).unwrap_err().field, "category");
        assert_eq!(pack.quote("employed", None).unwrap_err().key, "dues.income_required");
        assert_eq!(pack.quote("employed", Some(-1)).unwrap_err().key, "dues.income_negative");
        assert_eq!(pack.quote("employed", Some(MAX_INCOME_FEN + 1)).unwrap_err().key, "dues.income_too_large");
        assert_eq!(pack.quote("employed", Some(MAX_INCOME_FEN)).unwrap().monthly_dues_fen, 200_000_000);
        assert_eq!(Rounding::HalfUp.apply(i64::MAX, 20), 184_467_440_737_095_516, "exact, never wraps");
    }

    #[test]
    fn yuan_parse_exactly_to_fen() {
        for (text, fen) in [
            ("15", 1500),
            ("15.5", 1550),
            ("15.05", 1505),
            ("1,500.05", 150005),
            ("０.２", 20),
            (" 30 元", 3000),
            (".5", 50),
            ("0.01", 1),
        ] {
            assert_eq!(parse_yuan(text), Some(fen), "{text}");
        }
        for bad in ["", ".", "1.234", "-5", "1e3", "十五", "1.2.3"] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
        assert_eq!(format_yuan(150005), "1500.05");
        assert_eq!(format_yuan(20), "0.20");
        assert_eq!(format_yuan(-1500), "-15.00");
    }

    #[test]
    fn rounding_modes() {
        assert_eq!(Rounding::HalfUp.apply(450050, 10), 4501);
        assert_eq!(Rounding::Down.apply(450050, 10), 4500);
        assert_eq!(Rounding::Up.apply(450001, 10), 4501);
        assert_eq!(Rounding::Up.apply(450000, 10), 4500);
    }

    #[test]
    fn a_pack_with_broken_brackets_is_refused() {
        let broken = DEFAULT_DUES_PACK
            .replace("{ up_to_fen = 500000, rate_permille = 10 }", "{ up_to_fen = 200000, rate_permille = 10 }");
        assert!(DuesRulePack::parse(&broken).unwrap_err().contains("rise"));
        let open = DEFAULT_DUES_PACK.replace("  { rate_permille = 20 },\n", "");
        assert!(DuesRulePack::parse(&open).unwrap_err().contains("upper bound"));
        assert!(DuesRulePack::parse(&DEFAULT_DUES_PACK.replace("kind = \"dues\"", "kind = \"org\"")).is_err());
    }

    #[test]
    fn every_category_cites_a_source() {
        let pack = DuesRulePack::default_pack();
        for c in &pack.categories {
            assert!(pack.source(&c.source).contains("中组发〔2008〕3号"), "{}", c.code);
        }
    }
}
