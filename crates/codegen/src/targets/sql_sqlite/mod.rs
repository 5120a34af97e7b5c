//! The `sql-sqlite` target: the schema as SQLite DDL in `schema.sql`, made by the shared
//! [`ddl`] pass (see `README.md` beside this file).

use specforge_spec::Model;

use super::Target;
use crate::error::Error;
use crate::options::Options;
use crate::passes::ddl::{Dialect, ddl};
use crate::plan::Plan;
use crate::tree::FileTree;

/// The `sql-sqlite` target.
#[derive(Debug)]
pub struct SqlSqlite;

impl Target for SqlSqlite {
    fn name(&self) -> &'static str {
        "sql-sqlite"
    }

    fn description(&self) -> &'static str {
        "The schema as SQLite DDL (schema.sql): tables, keys, constraints and indexes"
    }

    fn language(&self) -> &'static str {
        "SQL"
    }

    fn framework(&self) -> Option<&'static str> {
        Some("SQLite")
    }

    fn generate(&self, model: &Model, _options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let plan = Plan::new(model)?;
        out.insert("schema.sql", ddl(&plan, Dialect::Sqlite))
    }
}
