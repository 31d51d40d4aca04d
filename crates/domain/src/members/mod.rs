//! The member roster: who a member is, and the one validator that every way
//! in (form, API, spreadsheet import) goes through.

mod draft;
pub(crate) mod vocab;

pub use draft::{FieldError, MemberDraft, MemberInput};
pub(crate) use vocab::try_from_code;
pub use vocab::{recognise_ethnicity, Category, Education, Gender, Status, ETHNICITIES};

/// Pinyin initials of a Chinese name (`张三` → `zs`), stored beside the
/// name so that a secretary can type `zs` to find 张三. Characters without a
/// reading (Latin letters) are kept, lower-cased.
pub fn name_initials(name: &str) -> String {
    use pinyin::ToPinyin;
    name.chars()
        .filter_map(|c| match c.to_pinyin() {
            Some(p) => p.first_letter().chars().next(),
            None if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            None => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn initials() {
        assert_eq!(super::name_initials("张三丰"), "zsf");
        assert_eq!(super::name_initials("李 明"), "lm");
        assert_eq!(super::name_initials("Ann王"), "annw");
    }
}
