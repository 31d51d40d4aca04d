//! The resident identity number of GB 11643-1999: 17 digits and a check
//! character. Parsed once at the edge; an [`IdNumber`] is always valid.

use chrono::NaiveDate;
use std::fmt;

use crate::members::Gender;
use crate::text::fold_compact;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// Why an identity number was refused. Each variant has a message key in
/// the catalogues (`id_number.<variant>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("id_number.length")]
    Length,
    #[error("id_number.old_format")]
    OldFormat,
    #[error("id_number.characters")]
    Characters,
    #[error("id_number.region")]
    Region,
    #[error("id_number.birth_date")]
    BirthDate,
    #[error("id_number.checksum")]
    Checksum,
}

impl IdNumberError {
    pub fn key(self) -> &'static str {
        match self {
            Self::Length => "id_number.length",
            Self::OldFormat => "id_number.old_format",
            Self::Characters => "id_number.characters",
            Self::Region => "id_number.region",
            Self::BirthDate => "id_number.birth_date",
            Self::Checksum => "id_number.checksum",
        }
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";
/// The first two digits: provinces, autonomous regions, municipalities,
/// Taiwan, Hong Kong and Macao (GB/T 2260).
const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82,
];

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize] as char
}

impl IdNumber {
    /// Accepts what a person would type: spaces, full-width digits and a
    /// lower-case x are normalised before checking.
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        let s = fold_compact(input).to_ascii_uppercase();
        if s.len() == 15 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdNumberError::OldFormat);
        }
        if s.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        let province: u32 = s[..2].parse().map_err(|_| IdNumberError::Region)?;
        if !PROVINCES.contains(&province) {
            return Err(IdNumberError::Region);
        }
        let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| IdNumberError::BirthDate)?;
        if birth < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() {
            return Err(IdNumberError::BirthDate);
        }
        if check_char(&b[..17]) != b[17] as char {
            return Err(IdNumberError::Checksum);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked in parse")
    }

    /// The 17th digit is odd for men and even for women.
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The first six and last four characters; the rest (the birth date and
    /// sequence) hidden, as lists show it.
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

/// Masks a stored identity number for display, whether or not it parses.
pub fn mask_id_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

impl fmt::Debug for IdNumber {
    // Personal data never reaches a log in full.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// Builds a valid number from a region, birth date and sequence; used by the
/// demo generator and tests.
pub fn synthesize(region: u32, birth: NaiveDate, sequence: u32) -> IdNumber {
    let first17 = format!("{region:06}{}{:03}", birth.format("%Y%m%d"), sequence % 1000);
    let check = check_char(first17.as_bytes());
    IdNumber(format!("{first17}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // A published specimen number with a valid check character.
    const SPECIMEN: &str = "11010519491231002X";

    #[test]
    fn accepts_valid_numbers_as_typed() {
        for s in [SPECIMEN, "11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ"]
        {
            let id = IdNumber::parse(s).unwrap();
            assert_eq!(id.as_str(), SPECIMEN);
        }
        let id = IdNumber::parse(SPECIMEN).unwrap();
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn refuses_with_the_reason() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::Checksum));
        assert_eq!(IdNumber::parse("110105491231002"), Err(IdNumberError::OldFormat));
        assert_eq!(IdNumber::parse("1101051949123100"), Err(IdNumberError::Length));
        assert_eq!(IdNumber::parse("11010519491231A02X"), Err(IdNumberError::Characters));
        assert_eq!(IdNumber::parse("990105194912310026"), Err(IdNumberError::Region));
        assert_eq!(IdNumber::parse("110105194902300020"), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn every_check_character_round_trips() {
        let birth = NaiveDate::from_ymd_opt(1988, 2, 29).unwrap();
        for seq in 0..200 {
            let id = synthesize(410102, birth, seq);
            assert_eq!(IdNumber::parse(id.as_str()).unwrap(), id);
        }
    }

    #[test]
    fn debug_is_masked() {
        let id = IdNumber::parse(SPECIMEN).unwrap();
        assert!(!format!("{id:?}").contains("19491231"));
    }
}
