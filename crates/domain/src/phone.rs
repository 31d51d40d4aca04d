//! Phone numbers: mainland mobiles (11 digits starting with 1) and landlines
//! with an area code.

use std::fmt;

use crate::text::fold_compact;

#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("phone.invalid")]
pub struct PhoneError;

impl Phone {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let s: String = fold_compact(input).chars().filter(|c| *c != '-').collect();
        let s = s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")).unwrap_or(&s).to_string();
        let digits = s.bytes().all(|b| b.is_ascii_digit());
        let mobile = s.len() == 11 && s.starts_with('1') && s.as_bytes()[1] >= b'3';
        let landline = s.len() >= 10 && s.len() <= 12 && s.starts_with('0');
        if digits && (mobile || landline) {
            Ok(Self(s))
        } else {
            Err(PhoneError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keeps the first three and last four digits: `138****5678`.
pub fn mask_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", mask_phone(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_landlines() {
        assert_eq!(Phone::parse("138 0013 8000").unwrap().as_str(), "13800138000");
        assert_eq!(Phone::parse("+86 138-0013-8000").unwrap().as_str(), "13800138000");
        assert_eq!(Phone::parse("０３７１－６５５５１２３４").unwrap().as_str(), "037165551234");
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("1280013800a").is_err());
        assert_eq!(mask_phone("13800138000"), "138****8000");
    }
}
