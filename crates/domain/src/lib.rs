//! Ronghe's domain core: the types, rules and permission logic of party
//! building work, with no IO. Every other crate depends on this one; this
//! one depends on none of them.
//!
//! Architecture Invariant: nothing here touches a database, the network,
//! the file system or the clock. Functions that need "today" take it.

pub mod auth;
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
