//! Application services: the steps a page and an API call share (and the
//! command line, for imports). They check scope and rules, call the store,
//! and return `AppError`s that both surfaces render in their own way.

pub mod development;
pub mod dues;
pub mod dues_import;
pub mod life;
pub mod orgs;
pub mod reminders;
pub mod roster;
pub mod roster_import;
pub mod transfers;
