//! Turning what someone typed into a member record. The form, the JSON API
//! and the spreadsheet import all call [`MemberInput::validate`], so a rule
//! is written once and every way in reports it the same way.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::vocab::recognise_ethnicity;
use super::{Category, Education, Gender};
use crate::id_number::IdNumber;
use crate::phone::Phone;
use crate::text::{fold_trim, parse_date, years_between};

/// A member as typed: every field a string, exactly as received.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct MemberInput {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_number: String,
    pub education: String,
    pub post: String,
    pub unit: String,
    pub phone: String,
    pub category: String,
    pub join_date: String,
    pub conversion_date: String,
}

/// A validated member. It cannot hold a bad value.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberDraft {
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_number: IdNumber,
    pub education: Option<Education>,
    pub post: String,
    pub unit: String,
    pub phone: Option<Phone>,
    pub category: Category,
    pub join_date: NaiveDate,
    pub conversion_date: Option<NaiveDate>,
}

/// One problem with one field: `field` is the input's field name and `key`
/// the message in the catalogues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

impl FieldError {
    fn new(field: &'static str, key: &'static str) -> Self {
        Self { field, key }
    }
}

/// The age at which a person may join (发展党员工作细则 第五条).
pub const MIN_JOIN_AGE: i32 = 18;

impl MemberInput {
    /// Checks every field and the rules between them, and returns every
    /// problem at once so the person can fix them in one pass.
    pub fn validate(&self, today: NaiveDate) -> Result<MemberDraft, Vec<FieldError>> {
        self.check(today, true)
    }

    /// Checks the person's own fields only, for someone not yet a member
    /// (an applicant): the draft's category and join date are placeholders
    /// (probationary, today) that the caller does not store.
    pub fn validate_person(&self, today: NaiveDate) -> Result<MemberDraft, Vec<FieldError>> {
        let input = MemberInput {
            category: "probationary".into(),
            join_date: today.to_string(),
            conversion_date: String::new(),
            ..self.clone()
        };
        input.check(today, false)
    }

    fn check(&self, today: NaiveDate, join_age: bool) -> Result<MemberDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field, key| errors.push(FieldError::new(field, key));

        let name = fold_trim(&self.name);
        if name.is_empty() {
            err("name", "field.required");
        } else if name.chars().count() > 50 {
            err("name", "field.too_long");
        }

        let id_number = match self.id_number.trim() {
            "" => {
                err("id_number", "field.required");
                None
            }
            s => IdNumber::parse(s).map_err(|e| err("id_number", e.key())).ok(),
        };

        let gender = match self.gender.trim() {
            "" => id_number.as_ref().map(IdNumber::gender),
            s => match Gender::recognise(s) {
                Some(g) => {
                    if id_number.as_ref().is_some_and(|id| id.gender() != g) {
                        err("gender", "gender.mismatch_id");
                    }
                    Some(g)
                }
                None => {
                    err("gender", "field.unknown_value");
                    None
                }
            },
        };

        let birth_date = match self.birth_date.trim() {
            "" => id_number.as_ref().map(IdNumber::birth_date),
            s => match parse_date(s) {
                Some(d) => {
                    if id_number.as_ref().is_some_and(|id| id.birth_date() != d) {
                        err("birth_date", "birth_date.mismatch_id");
                    }
                    Some(d)
                }
                None => {
                    err("birth_date", "field.bad_date");
                    None
                }
            },
        };

        let ethnicity = match self.ethnicity.trim() {
            "" => None,
            s => match recognise_ethnicity(s) {
                Some(e) => Some(e.to_string()),
                None => {
                    err("ethnicity", "field.unknown_value");
                    None
                }
            },
        };
        if self.ethnicity.trim().is_empty() {
            err("ethnicity", "field.required");
        }

        let education = match self.education.trim() {
            "" => None,
            s => match Education::recognise(s) {
                Some(e) => Some(e),
                None => {
                    err("education", "field.unknown_value");
                    None
                }
            },
        };

        let phone = match self.phone.trim() {
            "" => None,
            s => Phone::parse(s).map_err(|_| err("phone", "phone.invalid")).ok(),
        };

        let category = match self.category.trim() {
            "" => {
                err("category", "field.required");
                None
            }
            s => {
                let c = Category::recognise(s);
                if c.is_none() {
                    err("category", "field.unknown_value");
                }
                c
            }
        };

        let join_date = match self.join_date.trim() {
            "" => {
                err("join_date", "field.required");
                None
            }
            s => match parse_date(s) {
                None => {
                    err("join_date", "field.bad_date");
                    None
                }
                Some(d) if d > today => {
                    err("join_date", "date.in_future");
                    None
                }
                Some(d) => {
                    if join_age && birth_date.is_some_and(|b| years_between(b, d) < MIN_JOIN_AGE) {
                        err("join_date", "join_date.under_age");
                    }
                    Some(d)
                }
            },
        };

        let conversion_date = match self.conversion_date.trim() {
            "" => None,
            s => match parse_date(s) {
                None => {
                    err("conversion_date", "field.bad_date");
                    None
                }
                Some(d) if d > today => {
                    err("conversion_date", "date.in_future");
                    None
                }
                Some(d) => {
                    if join_date.is_some_and(|j| d <= j) {
                        err("conversion_date", "conversion_date.before_join");
                    }
                    if category == Some(Category::Probationary) {
                        err("conversion_date", "conversion_date.probationary");
                    }
                    Some(d)
                }
            },
        };

        let post = fold_trim(&self.post);
        let unit = fold_trim(&self.unit);
        if post.chars().count() > 100 {
            err("post", "field.too_long");
        }
        if unit.chars().count() > 100 {
            err("unit", "field.too_long");
        }

        match (id_number, gender, birth_date, ethnicity, category, join_date) {
            (Some(id_number), Some(gender), Some(birth_date), Some(ethnicity), Some(category), Some(join_date))
                if errors.is_empty() =>
            {
                Ok(MemberDraft {
                    name,
                    gender,
                    ethnicity,
                    birth_date,
                    id_number,
                    education,
                    post,
                    unit,
                    phone,
                    category,
                    join_date,
                    conversion_date,
                })
            }
            _ => Err(errors),
        }
    }
}

impl MemberDraft {
    /// The input that would produce this draft: fills an edit form.
    pub fn to_input(&self) -> MemberInput {
        MemberInput {
            name: self.name.clone(),
            gender: self.gender.code().into(),
            ethnicity: self.ethnicity.clone(),
            birth_date: self.birth_date.to_string(),
            id_number: self.id_number.as_str().into(),
            education: self.education.map(|e| e.code().into()).unwrap_or_default(),
            post: self.post.clone(),
            unit: self.unit.clone(),
            phone: self.phone.as_ref().map(|p| p.as_str().into()).unwrap_or_default(),
            category: self.category.code().into(),
            join_date: self.join_date.to_string(),
            conversion_date: self.conversion_date.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn valid() -> MemberInput {
        MemberInput {
            name: "王 芳".into(),
            gender: "女".into(),
            ethnicity: "汉".into(),
            birth_date: "1949/12/31".into(),
            id_number: "11010519491231002x".into(),
            education: "本科".into(),
            post: "采煤队长".into(),
            unit: "一矿".into(),
            phone: "138 0013 8000".into(),
            category: "正式党员".into(),
            join_date: "1975年7月1日".into(),
            conversion_date: "1976-07-01".into(),
        }
    }

    fn fields(input: &MemberInput) -> Vec<(&'static str, &'static str)> {
        input.validate(today()).unwrap_err().into_iter().map(|e| (e.field, e.key)).collect()
    }

    #[test]
    fn a_complete_member_validates() {
        let d = valid().validate(today()).unwrap();
        assert_eq!(d.name, "王 芳");
        assert_eq!(d.ethnicity, "汉族");
        assert_eq!(d.education, Some(Education::Bachelor));
        assert_eq!(d.id_number.as_str(), "11010519491231002X");
        assert_eq!(d.to_input().validate(today()).unwrap(), d);
    }

    #[test]
    fn gender_and_birth_date_default_from_the_id_number() {
        let input = MemberInput { gender: "".into(), birth_date: "".into(), ..valid() };
        let d = input.validate(today()).unwrap();
        assert_eq!(d.gender, Gender::Female);
        assert_eq!(d.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let input = MemberInput {
            name: " ".into(),
            gender: "男".into(),
            birth_date: "1950-01-01".into(),
            category: "党员".into(),
            join_date: "2030-01-01".into(),
            phone: "123".into(),
            ..valid()
        };
        assert_eq!(
            fields(&input),
            vec![
                ("name", "field.required"),
                ("gender", "gender.mismatch_id"),
                ("birth_date", "birth_date.mismatch_id"),
                ("phone", "phone.invalid"),
                ("category", "field.unknown_value"),
                ("join_date", "date.in_future"),
            ]
        );
    }

    #[test]
    fn join_age_is_checked_on_the_birthday() {
        // Born 1949-12-31: 18 on 1967-12-31, not a day before.
        let input = MemberInput { join_date: "1967-12-30".into(), conversion_date: "".into(), ..valid() };
        assert_eq!(fields(&input), vec![("join_date", "join_date.under_age")]);
        let input = MemberInput { join_date: "1967-12-31".into(), conversion_date: "".into(), ..valid() };
        assert!(input.validate(today()).is_ok());
    }

    #[test]
    fn conversion_rules() {
        let input = MemberInput { conversion_date: "1975-07-01".into(), ..valid() };
        assert_eq!(fields(&input), vec![("conversion_date", "conversion_date.before_join")]);
        let input = MemberInput { category: "预备党员".into(), ..valid() };
        assert_eq!(fields(&input), vec![("conversion_date", "conversion_date.probationary")]);
    }
}
