//! The `sql-postgres` target: the schema as PostgreSQL DDL in `schema.sql`, made by the shared
//! [`ddl`] pass (see `README.md` beside this file).

use specforge_spec::Model;

use super::Target;
use crate::error::Error;
use crate::options::Options;
use crate::passes::ddl::{Dialect, ddl};
use crate::plan::Plan;
use crate::tree::FileTree;

/// The `sql-postgres` target.
#[derive(Debug)]
pub struct SqlPostgres;

impl Target for SqlPostgres {
    fn name(&self) -> &'static str {
        "sql-postgres"
    }

    fn description(&self) -> &'static str {
        "The schema as PostgreSQL DDL (schema.sql): tables, keys, constraints and indexes"
    }

    fn language(&self) -> &'static str {
        "SQL"
    }

    fn framework(&self) -> Option<&'static str> {
        Some("PostgreSQL")
    }

    fn generate(&self, model: &Model, _options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let plan = Plan::new(model)?;
        out.insert("schema.sql", ddl(&plan, Dialect::Postgres))
    }
}
