//! Message catalogues: every text a person reads comes from
//! `locales/zh-CN.toml` (first) or `locales/en.toml`, by key. Parameters are
//! written `{name}` in the text.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// `zh`, `zh-CN`, `en`, `en-US`…; anything else is Chinese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The first supported language in an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header.split(',').find_map(|part| {
            let tag = part.split(';').next()?.trim().to_ascii_lowercase();
            if tag.starts_with("zh") {
                Some(Lang::Zh)
            } else if tag.starts_with("en") {
                Some(Lang::En)
            } else {
                None
            }
        })
    }
}

/// Keyed by FxHash: a page looks up every label it shows (a roster page
/// hundreds), and SipHash's keyed rounds were most of that lookup's cost
/// (`perf`, session 15). The keys are the catalogue's own, never a
/// caller's, so there is nothing for flooding to exploit.
type Catalogue = rustc_hash::FxHashMap<String, String>;

fn load(text: &str) -> Catalogue {
    let table: toml::Table = toml::from_str(text).expect("message catalogue parses");
    let mut out = Catalogue::default();
    flatten("", &table, &mut out);
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalogue) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => panic!("catalogue value for {key} is not text: {other}"),
        }
    }
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static ZH: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::Zh => ZH.get_or_init(|| load(include_str!("../locales/zh-CN.toml"))),
        Lang::En => EN.get_or_init(|| load(include_str!("../locales/en.toml"))),
    }
}

/// The text for `key`; Chinese if the English is missing, the key itself if
/// both are (a test keeps that from shipping).
pub fn t(lang: Lang, key: &str) -> &'static str {
    catalogue(lang)
        .get(key)
        .or_else(|| catalogue(Lang::Zh).get(key))
        .map(String::as_str)
        .unwrap_or_else(|| Box::leak(key.to_string().into_boxed_str()))
}

/// The text for `key` with `{name}` parameters filled in.
pub fn tf<K: AsRef<str>, V: AsRef<str>>(lang: Lang, key: &str, params: &[(K, V)]) -> String {
    let mut s = t(lang, key).to_string();
    for (k, v) in params {
        s = s.replace(&format!("{{{}}}", k.as_ref()), v.as_ref());
    }
    s
}

/// Whether a key exists (in Chinese, the reference catalogue).
pub fn has(key: &str) -> bool {
    catalogue(Lang::Zh).contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let zh: std::collections::BTreeSet<_> = catalogue(Lang::Zh).keys().collect();
        let en: std::collections::BTreeSet<_> = catalogue(Lang::En).keys().collect();
        let missing_en: Vec<_> = zh.difference(&en).collect();
        let missing_zh: Vec<_> = en.difference(&zh).collect();
        assert!(missing_en.is_empty(), "missing in en.toml: {missing_en:?}");
        assert!(missing_zh.is_empty(), "missing in zh-CN.toml: {missing_zh:?}");
    }

    #[test]
    fn every_domain_message_key_is_in_the_catalogue() {
        use crate::id_number::IdNumberError::*;
        let mut keys: Vec<&str> =
            [Length, OldFormat, Characters, Region, BirthDate, Checksum].into_iter().map(|e| e.key()).collect();
        keys.extend([
            "field.required",
            "field.too_long",
            "field.unknown_value",
            "field.bad_date",
            "date.in_future",
            "gender.mismatch_id",
            "birth_date.mismatch_id",
            "join_date.under_age",
            "conversion_date.before_join",
            "conversion_date.probationary",
            "phone.invalid",
            "rule.branch_too_few_full",
            "rule.branch_needs_committee",
            "rule.committee_too_large",
            "rule.branch_too_large",
            "rule.no_secretary",
            "rule.no_term",
            "rule.term_expired",
            "rule.term_ending",
            "password.too_short",
            "password.too_simple",
            "password.contains_username",
        ]);
        for k in keys {
            assert!(has(k), "{k} is not in zh-CN.toml");
        }
    }

    #[test]
    fn parameters_and_languages() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr, zh-CN;q=0.8"), Some(Lang::Zh));
        assert_eq!(
            tf(Lang::En, "rule.branch_too_few_full", &[("count", "2"), ("min", "3")]),
            "2 full members, fewer than the 3 a branch needs"
        );
    }
}
