//! Names the generated Python code cannot give to user-derived identifiers: they are escaped
//! with a trailing `_` (classes, attributes) or refused (the package option).

/// Names the generated modules import or define next to user-derived classes (escaped
/// with a trailing `_` when a class name would be one of them).
pub(super) const CLASS_RESERVED: &[&str] = &[
    "Annotated",
    "Any",
    "BaseModel",
    "ConfigDict",
    "Decimal",
    "Field",
    "Mapped",
    "Optional",
    "StrEnum",
];

/// Attribute names that would shadow something the class bodies use (SQLAlchemy's
/// `mapped_column`, the `sa` module) or an attribute of Pydantic's `BaseModel`.
pub(super) const ATTR_RESERVED: &[&str] = &[
    "construct",
    "copy",
    "dict",
    "fields",
    "from_orm",
    "json",
    "mapped_column",
    "parse_file",
    "parse_obj",
    "parse_raw",
    "sa",
    "schema",
    "schema_json",
    "update_forward_refs",
    "validate",
];

/// Package names that would hide a module the project imports.
pub(super) const PACKAGE_RESERVED: &[&str] = &[
    "abc",
    "alembic",
    "annotated_types",
    "anyio",
    "ast",
    "collections",
    "conftest",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "email",
    "enum",
    "factories",
    "fastapi",
    "functools",
    "http",
    "httpx",
    "io",
    "json",
    "jwt",
    "logging",
    "migrations",
    "os",
    "pathlib",
    "psycopg",
    "pydantic",
    "pydantic_core",
    "pytest",
    "re",
    "sqlalchemy",
    "starlette",
    "string",
    "support",
    "sys",
    "tests",
    "time",
    "types",
    "typing",
    "typing_extensions",
    "uuid",
    "uvicorn",
];
