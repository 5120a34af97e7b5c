//! The context of the templates: everything the generated files say, computed in Rust.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Serialize)]
pub(super) struct Project {
    pub(super) package: String,
    /// The distribution name in pyproject.toml.
    pub(super) dist: String,
    pub(super) name: String,
    pub(super) title_py: String,
    pub(super) description_py: String,
    pub(super) title_md: String,
    pub(super) description_md: String,
    pub(super) description_toml: String,
    pub(super) version: &'static str,
    pub(super) dependencies: Vec<String>,
    pub(super) dev_dependencies: Vec<String>,
    pub(super) models_imports: Vec<String>,
    pub(super) schemas_imports: Vec<String>,
    pub(super) routes_imports: Vec<String>,
    pub(super) routes_imports2: Vec<String>,
    pub(super) db_imports: Vec<String>,
    pub(super) fields_imports: Vec<String>,
    pub(super) decimal_scales: Vec<u32>,
    pub(super) enums: Vec<PyEnum>,
    pub(super) joins: Vec<PyJoinTable>,
    pub(super) entities: Vec<PyEntity>,
    pub(super) migration: Migration,
    /// The generated tests (`tests/factories.py`, `tests/test_<table>.py`).
    pub(super) tests: Vec<(String, String)>,
    /// Import lines of `tests/conftest.py` from the package and the test helpers, sorted.
    pub(super) conftest_imports: Vec<String>,
    /// `ROLES = [...]`: every role, laid out.
    pub(super) roles_line: String,
    /// A path under `/api` that no collection has.
    pub(super) unknown_path_py: String,
}

#[derive(Debug, Serialize)]
pub(super) struct PyEnum {
    pub(super) class: String,
    pub(super) description_py: Option<String>,
    pub(super) members: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
pub(super) struct PyJoinTable {
    pub(super) var: String,
    pub(super) table_py: String,
    pub(super) owner_column_py: String,
    pub(super) target_column_py: String,
}

#[derive(Debug, Serialize)]
pub(super) struct Migration {
    pub(super) postgres: Vec<String>,
    pub(super) sqlite: Vec<String>,
    pub(super) drop_postgres: Vec<String>,
    pub(super) drop_sqlite: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct PyEntity {
    pub(super) name_md: String,
    pub(super) class: String,
    pub(super) input: String,
    pub(super) page: String,
    pub(super) table: String,
    pub(super) table_py: String,
    pub(super) collection: String,
    pub(super) path_py: String,
    pub(super) item_path_py: String,
    pub(super) tag_py: String,
    pub(super) var: String,
    pub(super) description_py: Option<String>,
    pub(super) columns: Vec<PyColumn>,
    pub(super) input_fields: Vec<PyBodyField>,
    pub(super) read_fields: Vec<PyBodyField>,
    pub(super) writable: Vec<String>,
    pub(super) refs: Vec<PyRef>,
    pub(super) joins: Vec<PyJoinUse>,
    pub(super) unique: Vec<(String, String)>,
    pub(super) sorts: Vec<(String, String)>,
    pub(super) filters: Vec<PyFilter>,
    pub(super) page_size: u32,
    pub(super) max_page_size: u32,
    pub(super) timestamps: bool,
    pub(super) ops: BTreeMap<&'static str, PyOp>,
}

#[derive(Debug, Serialize)]
pub(super) struct PyOp {
    pub(super) function: String,
    pub(super) guard: String,
    /// Arguments of `sf_require(...)`: the roles as string literals.
    pub(super) roles: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct PyColumn {
    pub(super) attr: String,
    pub(super) annotation: String,
    pub(super) args: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct PyBodyField {
    pub(super) attr: String,
    pub(super) annotation: String,
    /// Keyword arguments of `Field(...)`; none means a required field without `Field`.
    pub(super) args: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct PyRef {
    pub(super) attr_py: String,
    pub(super) wire_py: String,
    pub(super) target: String,
}

#[derive(Debug, Serialize)]
pub(super) struct PyJoinUse {
    pub(super) attr_py: String,
    pub(super) wire_py: String,
    pub(super) var: String,
    pub(super) owner_column_py: String,
    pub(super) target_column_py: String,
    pub(super) target: String,
}

#[derive(Debug, Serialize)]
pub(super) struct PyFilter {
    pub(super) param: String,
    pub(super) annotation: String,
    pub(super) alias_py: String,
    pub(super) attr_py: String,
}
