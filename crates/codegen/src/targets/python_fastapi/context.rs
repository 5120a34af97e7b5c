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
    pub(super) decimal_scales: Vec<u32>,
    /// The OpenAPI document of the `openapi` target, which the service serves.
    pub(super) openapi: String,
    /// The import lines of main.py's routers and of models/__init__.py, sorted.
    pub(super) router_imports: Vec<String>,
    pub(super) model_imports: Vec<String>,
    pub(super) enums: Vec<PyEnum>,
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
    pub(super) columns: Vec<PyColumn>,
    pub(super) args: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct Migration {
    /// Tables in an order where each one's foreign keys point to tables made before it.
    pub(super) tables: Vec<MigrationTable>,
    /// Foreign keys of a cycle, added once every table exists: (table, the call's arguments).
    pub(super) deferred: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Default, Serialize)]
pub(super) struct MigrationTable {
    pub(super) table_py: String,
    /// `sa.Column(...)` and constraint items of `op.create_table`, each exploded.
    pub(super) items: Vec<String>,
    /// Arguments of each `op.create_index`.
    pub(super) indexes: Vec<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub(super) struct PyEntity {
    pub(super) name_md: String,
    /// The module of the entity in models/, schemas/, repositories/, routers/, services/.
    pub(super) module: String,
    pub(super) class: String,
    /// The text of the modules whose imports are computed ([`super::pyimports`]).
    pub(super) relationships: Vec<PyColumn>,
    pub(super) id_lists: Vec<PyIdList>,
    pub(super) join_tables: Vec<PyJoinTable>,
    pub(super) table_args: Vec<String>,
    pub(super) type_checking: Vec<String>,
    pub(super) assignments: Vec<(String, String)>,
    pub(super) hooks: bool,
    #[serde(skip)]
    pub(super) migration: MigrationTable,
    /// Foreign keys of the table: the index of the target entity, the constraint item, and the
    /// arguments of `create_foreign_key` when it must wait for a table made later.
    #[serde(skip)]
    pub(super) foreign_keys: Vec<(usize, String, Vec<String>)>,
    pub(super) input: String,
    pub(super) page: String,
    pub(super) table: String,
    pub(super) table_py: String,
    pub(super) collection: String,
    pub(super) path_py: String,
    pub(super) item_path_py: String,
    pub(super) tag_py: String,
    pub(super) description_py: Option<String>,
    pub(super) columns: Vec<PyColumn>,
    pub(super) input_fields: Vec<PyBodyField>,
    pub(super) read_fields: Vec<PyBodyField>,
    pub(super) refs: Vec<PyRef>,
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
    /// Arguments of `require(...)`: the roles as string literals.
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
    pub(super) attr: String,
    pub(super) attr_py: String,
    pub(super) wire_py: String,
    pub(super) target: String,
    pub(super) required: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct PyIdList {
    /// The property of the ids (`tag_ids`) and the relationship it reads (`tags`).
    pub(super) attr: String,
    pub(super) relationship: String,
    pub(super) wire_py: String,
    pub(super) target: String,
    /// A local name for the rows fetched while writing.
    pub(super) var: String,
}

#[derive(Debug, Serialize)]
pub(super) struct PyFilter {
    pub(super) param: String,
    pub(super) annotation: String,
    /// `Query(alias=...)` when the wire name is not the parameter.
    pub(super) query: Option<String>,
    pub(super) attr: String,
}
