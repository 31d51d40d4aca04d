//! The password policy MLPS level 3 expects: length and character classes.

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("password.too_short")]
    TooShort,
    #[error("password.too_simple")]
    TooSimple,
    #[error("password.contains_username")]
    ContainsUsername,
}

impl PasswordPolicyError {
    pub fn key(self) -> &'static str {
        match self {
            Self::TooShort => "password.too_short",
            Self::TooSimple => "password.too_simple",
            Self::ContainsUsername => "password.contains_username",
        }
    }
}

/// At least 10 characters from at least three of: lower case, upper case,
/// digits, symbols; and not containing the username.
pub fn check_password_policy(username: &str, password: &str) -> Result<(), PasswordPolicyError> {
    if password.chars().count() < 10 {
        return Err(PasswordPolicyError::TooShort);
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err(PasswordPolicyError::TooSimple);
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(PasswordPolicyError::ContainsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check_password_policy("li", "Short1!"), Err(PasswordPolicyError::TooShort));
        assert_eq!(check_password_policy("li", "alllowercase1"), Err(PasswordPolicyError::TooSimple));
        assert_eq!(check_password_policy("liming", "xLiming-2026"), Err(PasswordPolicyError::ContainsUsername));
        assert!(check_password_policy("liming", "Coal-Mine-2026").is_ok());
    }
}
