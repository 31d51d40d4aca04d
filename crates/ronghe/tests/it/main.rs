//! Ronghe's one integration-test binary (one binary keeps CI fast: add a
//! module here, not a new file under `tests/`).
//!
//! Each test drives the real router in-process against a fresh database.
//! `both!` runs a test on SQLite and, when `RONGHE_TEST_PG` holds a URL,
//! on PostgreSQL (each test in a schema of its own); with
//! `RONGHE_REQUIRE_PG=1` a missing PostgreSQL fails instead of skipping.

mod support;

mod accounts;
mod api;
mod audit;
mod browser;
mod cli;
mod decisions;
mod development;
mod dues;
mod imports;
mod learning;
mod life;
mod orgs;
mod permissions;
mod rollups;
mod roster;
mod sessions;
mod transfers;
