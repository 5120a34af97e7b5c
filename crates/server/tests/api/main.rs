//! API and storage tests of the service, on SQLite and on PostgreSQL.
//!
//! PostgreSQL tests use `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`)
//! to create one database per test. When PostgreSQL is unreachable they are skipped with a
//! message, unless `SPECFORGE_REQUIRE_SERVICES=1` (as in CI), where they fail.

#[allow(dead_code)] // used by the modules below as they are written
mod databases;
mod helpers;

mod auth;
mod docs;
mod generations;
mod ops;
mod projects;
mod specs;
mod store_contract;
