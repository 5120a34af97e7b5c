//! Names the generated Rust code cannot take. Rust's keywords are in [`crate::naming`]; user
//! names reach the code as string literals, except the statics and test modules, which are
//! claimed in namespaces of their own.

/// Names a crate of the generated project cannot take: its dependencies and Rust's own.
pub(super) const TAKEN_CRATE_NAMES: &[&str] = &[
    "alloc",
    "http_body_util",
    "jsonwebtoken",
    "proc_macro",
    "regex",
    "serde_json",
    "serde_urlencoded",
    "test",
    "time",
    "tower",
];
