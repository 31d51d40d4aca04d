//! Closed vocabularies of the roster. Each value has a stable code (stored
//! and used in the API), a Chinese label (as rosters print it) and the
//! spellings people use for it in spreadsheets.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, [$($alias:literal),*];)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used by the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label as Chinese rosters print it.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Recognises the code, the Chinese label, or a common variant.
            pub fn recognise(input: &str) -> Option<Self> {
                let s = crate::text::fold_compact(input).to_lowercase();
                $(
                    if s == $code || s == $zh $(|| s == $alias)* {
                        return Some($name::$variant);
                    }
                )+
                None
            }
        }
    };
}

vocabulary!(Gender {
    Male = "male", "男", ["m", "男性"];
    Female = "female", "女", ["f", "女性"];
});

vocabulary!(
    /// 党员类别.
    Category {
        Full = "full", "正式党员", ["正式"];
        Probationary = "probationary", "预备党员", ["预备"];
    }
);

vocabulary!(
    /// Highest education completed, in the bands party statistics use.
    Education {
        Doctorate = "doctorate", "博士研究生", ["博士", "研究生(博士)", "phd"];
        Master = "master", "硕士研究生", ["硕士", "研究生", "研究生(硕士)"];
        Bachelor = "bachelor", "大学本科", ["本科", "大学"];
        Associate = "associate", "大学专科", ["专科", "大专"];
        Vocational = "vocational", "中专", ["中技", "技校", "中等专业学校", "中职"];
        HighSchool = "high_school", "高中", ["普通高中"];
        JuniorOrBelow = "junior_or_below", "初中及以下", ["初中", "小学", "小学及以下"];
    }
);

vocabulary!(
    /// Where a member stands. Only `normal` and `lost_contact` members count
    /// toward an organisation's numbers; the others are history.
    Status {
        Normal = "normal", "正常", [];
        LostContact = "lost_contact", "失去联系", ["失联"];
        Suspended = "suspended", "停止党籍", ["停籍"];
        TransferredOut = "transferred_out", "已转出", ["转出"];
        Deceased = "deceased", "去世", ["死亡", "已故"];
        Expelled = "expelled", "开除党籍", ["开除"];
        Left = "left", "出党", ["退党", "除名", "劝退"];
    }
);

impl Status {
    /// Whether the member is counted on the organisation's roster.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Normal | Status::LostContact)
    }
}

/// The 56 ethnic groups of China, as rosters print them.
pub const ETHNICITIES: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

/// Recognises `汉族` and `汉` alike; returns the full name.
pub fn recognise_ethnicity(input: &str) -> Option<&'static str> {
    let s = crate::text::fold_compact(input);
    ETHNICITIES.iter().copied().find(|e| *e == s || e.strip_suffix('族') == Some(s.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_labels_codes_and_variants() {
        assert_eq!(Category::recognise("正式党员"), Some(Category::Full));
        assert_eq!(Category::recognise(" 预备 "), Some(Category::Probationary));
        assert_eq!(Education::recognise("大专"), Some(Education::Associate));
        assert_eq!(Education::recognise("bachelor"), Some(Education::Bachelor));
        assert_eq!(Gender::recognise("女"), Some(Gender::Female));
        assert_eq!(Status::recognise("失联"), Some(Status::LostContact));
        assert_eq!(Status::recognise("unknown"), None);
        for e in Education::ALL {
            assert_eq!(Education::from_code(e.code()), Some(*e));
        }
    }

    #[test]
    fn ethnicities() {
        assert_eq!(recognise_ethnicity("汉"), Some("汉族"));
        assert_eq!(recognise_ethnicity("维吾尔族"), Some("维吾尔族"));
        assert_eq!(recognise_ethnicity("火星族"), None);
    }
}

macro_rules! try_from_code {
    ($($t:ty),+) => {$(
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                <$t>::from_code(&s).ok_or_else(|| format!("unknown {} code {s:?}", stringify!($t)))
            }
        }
    )+};
}
pub(crate) use try_from_code;
try_from_code!(Gender, Category, Education, Status);
