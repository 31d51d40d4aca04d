//! Templates reach the message catalogues through [`Tr`].

use ronghe_domain::i18n::{t, tf, Lang};

/// The translator a template holds: `{{ tr.t("roster.title") }}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, key: &str) -> &'static str {
        t(self.0, key)
    }

    /// A message with `{name}` parameters.
    pub fn tf(&self, key: &str, params: &[(&str, &str)]) -> String {
        tf(self.0, key, params)
    }

    /// The label of a vocabulary value: `tr.v("category", "full")`.
    /// The key is joined by hand: through `format!` it took most of the
    /// lookup, several a roster line (callgrind of a branch's roster).
    pub fn v(&self, group: &str, code: &str) -> &'static str {
        let mut key = String::with_capacity(group.len() + 1 + code.len());
        key.push_str(group);
        key.push('.');
        key.push_str(code);
        t(self.0, &key)
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(&self) -> &'static str {
        self.0.code()
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }
}

impl Tr {
    /// A message whose only parameter is `{count}`.
    pub fn tn(&self, key: &str, count: impl std::fmt::Display) -> String {
        tf(self.0, key, &[("count", count.to_string())])
    }
}
