//! Ronghe's domain core: the types, rules and permission logic of party
//! building work, with no IO. Every other crate depends on this one; this
//! one depends on none of them.
//!
//! Architecture Invariant: nothing here touches a database, the network,
//! the file system or the clock. Functions that need "today" take it.

/// A closed set of codes as an enum: each variant's snake_case code (as
/// stored and sent), `ALL`, `code()` and `from_code()`. For the rule
/// modules' states, kinds and actions; member vocabularies, which also
/// carry Chinese labels and aliases, use `members::vocabulary!`.
macro_rules! codes {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $code:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn code(self) -> &'static str {
                match self { $($name::$v => $code),* }
            }
            pub fn from_code(s: &str) -> Option<Self> {
                match s { $($code => Some($name::$v),)* _ => None }
            }
        }
    };
}
pub(crate) use codes;

/// A rule pack kind's `default_pack()`: the shipped pack, parsed once per
/// process and cloned for each use, so that pages falling back to it (a
/// tenant with no pack of its own) do not parse its TOML on every request.
macro_rules! shipped_pack {
    ($ty:ty, $text:expr, $what:literal) => {
        /// The shipped pack, parsed once per process.
        pub fn default_pack() -> $ty {
            static SHIPPED: std::sync::LazyLock<$ty> =
                std::sync::LazyLock::new(|| <$ty>::parse($text).expect(concat!("the shipped ", $what, " pack parses")));
            SHIPPED.clone()
        }
    };
}
pub(crate) use shipped_pack;

pub mod auth;
pub mod decisions;
pub mod development;
pub mod dues;
pub mod exams;
pub mod i18n;
pub mod id_number;
pub mod learning;
pub mod meetings;
pub mod members;
pub mod org;
pub mod par;
pub mod phone;
pub mod text;
pub mod transfers;

pub use i18n::Lang;
