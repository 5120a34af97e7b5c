//! The `python-fastapi` target: a FastAPI application serving the generated API
//! (`docs/generated-api.md`) with SQLAlchemy 2 models, Pydantic 2 bodies, an Alembic
//! migration made of [`sql::statements`] for PostgreSQL and SQLite, and pytest tests computed
//! from [`samples`].
//!
//! Every identifier of the generated code is computed here: classes, attributes, enum
//! members, route functions and parameters. User names become ASCII identifiers through
//! [`Lang::Python`]; names the generated modules import are escaped the same way (a trailing
//! `_`); helpers start with `sf_` / `Sf`. Each scope is a [`Namespace`], so two spec names that
//! meet are reported instead of emitted. User text lands in Python string literals
//! ([`py_str`], written as `ruff format` writes them), JSON files, TOML strings and Markdown
//! lines, each escaped for its place. Generated code is laid out the way `ruff format` keeps
//! it: calls and collections that hold user text are exploded, one item per line, with a
//! trailing comma.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Value, json};
use specforge_spec::Model;
use specforge_spec::model::{Field, FieldType, Operation};

use crate::naming::{Case, Clash, Lang, Namespace, ascii_words, join};
use crate::plan::{EntityPlan, FilterOn, Plan, clash_error};
use crate::samples::{self, Invalid};
use crate::targets::sql::{self, Dialect};
use crate::{Error, FileTree, OptionKind, OptionSpec, Options, Target, VERSION};

/// The `python-fastapi` target.
#[derive(Debug)]
pub struct PythonFastapi;

static OPTIONS: &[OptionSpec] = &[OptionSpec {
    name: "package",
    description: "The Python package name (default: the specification's name in snake_case)",
    default: None,
    kind: OptionKind::Identifier,
}];

/// Pinned versions of the generated project's dependencies (PyPI, checked when written).
const DEPENDENCIES: &[(&str, &str)] = &[
    ("alembic", "1.20.1"),
    ("fastapi", "0.165.0"),
    ("psycopg[binary]", "3.3.9"),
    ("pydantic", "2.14.4"),
    ("pyjwt", "2.15.1"),
    ("sqlalchemy", "2.1.9"),
    ("uvicorn", "0.54.0"),
];
const DEV_DEPENDENCIES: &[(&str, &str)] =
    &[("httpx", "0.28.1"), ("pytest", "9.2.0"), ("ruff", "0.17.6")];

/// How many sample bodies each entity's tests can draw from.
const SAMPLES: usize = 8;

/// Names the generated modules import or define next to user-derived classes (escaped
/// with a trailing `_` when a class name would be one of them).
const CLASS_RESERVED: &[&str] = &[
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
const ATTR_RESERVED: &[&str] = &[
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
const PACKAGE_RESERVED: &[&str] = &[
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

impl Target for PythonFastapi {
    fn name(&self) -> &'static str {
        "python-fastapi"
    }

    fn description(&self) -> &'static str {
        "A FastAPI application: SQLAlchemy 2, Pydantic 2, Alembic, JWT roles, pytest"
    }

    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }

    fn generate(&self, model: &Model, options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let plan = Plan::new(model)?;
        let package = package_name(model, options)?;
        let project = build(&plan, package)?;
        write(&project, out)
    }
}

/// The package name: the option, or the spec's name in snake_case.
fn package_name(model: &Model, options: &Options) -> Result<String, Error> {
    if let Some(given) = options.get("package") {
        if PACKAGE_RESERVED.contains(&given) || Lang::Python.is_reserved(given) {
            return Err(Error::BadOption {
                key: "package".to_owned(),
                reason: format!("`{given}` would hide a module of Python or of the project"),
            });
        }
        return Ok(given.to_owned());
    }
    let mut name = Lang::Python.ident(&model.name, Case::Snake);
    if name.is_empty() {
        name = "app".to_owned();
    }
    if PACKAGE_RESERVED.contains(&name.as_str()) {
        name.push('_');
    }
    Ok(name)
}

/// A Python string literal of `text`, quoted and escaped the way `ruff format` writes it:
/// double quotes unless the text holds more `"` than `'`, lowercase hex escapes for control
/// characters.
pub fn py_str(text: &str) -> String {
    let doubles = text.matches('"').count();
    let singles = text.matches('\'').count();
    let quote = if doubles > singles { '\'' } else { '"' };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A Python literal of a JSON value, on one line.
pub fn py_value(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => py_str(s),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(py_value).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", py_str(k), py_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// One line of Markdown text (no line breaks, no HTML, no heading or emphasis syntax).
fn md_line(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '{' | '}' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// A TOML basic string (JSON escapes are valid TOML).
fn toml_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// A user name as a Python identifier in `case`, escaped for the names in `extra` as well.
fn ident(name: &str, case: Case, extra: &[&str]) -> String {
    let id = Lang::Python.ident(name, case);
    if extra.contains(&id.as_str()) {
        id + "_"
    } else {
        id
    }
}

// ---------------------------------------------------------------------------------------
// The context of the templates.

#[derive(Debug, Serialize)]
struct Project {
    package: String,
    /// The distribution name in pyproject.toml.
    dist: String,
    name: String,
    title_py: String,
    description_py: String,
    title_md: String,
    description_md: String,
    description_toml: String,
    version: &'static str,
    dependencies: Vec<String>,
    dev_dependencies: Vec<String>,
    models_imports: Vec<String>,
    schemas_imports: Vec<String>,
    routes_imports: Vec<String>,
    routes_imports2: Vec<String>,
    db_imports: Vec<String>,
    fields_imports: Vec<String>,
    decimal_scales: Vec<u32>,
    enums: Vec<PyEnum>,
    joins: Vec<PyJoinTable>,
    entities: Vec<PyEntity>,
    migration: Migration,
    cases: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
struct PyEnum {
    class: String,
    description_py: Option<String>,
    members: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
struct PyJoinTable {
    var: String,
    table_py: String,
    owner_column_py: String,
    target_column_py: String,
}

#[derive(Debug, Serialize)]
struct Migration {
    postgres: Vec<String>,
    sqlite: Vec<String>,
    drop_postgres: Vec<String>,
    drop_sqlite: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PyEntity {
    name_md: String,
    class: String,
    input: String,
    page: String,
    table: String,
    table_py: String,
    collection: String,
    path_py: String,
    item_path_py: String,
    tag_py: String,
    var: String,
    description_py: Option<String>,
    columns: Vec<PyColumn>,
    input_fields: Vec<PyBodyField>,
    read_fields: Vec<PyBodyField>,
    writable: Vec<String>,
    refs: Vec<PyRef>,
    joins: Vec<PyJoinUse>,
    unique: Vec<(String, String)>,
    sorts: Vec<(String, String)>,
    filters: Vec<PyFilter>,
    page_size: u32,
    max_page_size: u32,
    timestamps: bool,
    ops: BTreeMap<&'static str, PyOp>,
    tests: EntityTests,
}

#[derive(Debug, Serialize)]
struct PyOp {
    function: String,
    guard: String,
    /// Arguments of `sf_require(...)`: the roles as string literals.
    roles: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PyColumn {
    attr: String,
    annotation: String,
    args: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PyBodyField {
    attr: String,
    annotation: String,
    /// Keyword arguments of `Field(...)`; none means a required field without `Field`.
    args: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PyRef {
    attr_py: String,
    wire_py: String,
    target: String,
}

#[derive(Debug, Serialize)]
struct PyJoinUse {
    attr_py: String,
    wire_py: String,
    var: String,
    owner_column_py: String,
    target_column_py: String,
    target: String,
}

#[derive(Debug, Serialize)]
struct PyFilter {
    param: String,
    annotation: String,
    alias_py: String,
    attr_py: String,
}

/// Which generated tests an entity gets (each backed by a non-empty case list).
#[derive(Debug, Default, Serialize)]
struct EntityTests {
    key_py: String,
    creatable: bool,
    validation: bool,
    invalid: bool,
    missing: bool,
    unique: bool,
    unique_refs: bool,
    missing_refs: bool,
    id_lists: bool,
    sorts: bool,
    filters: bool,
    bad_filters: bool,
    on_delete: bool,
    forbidden: bool,
    absent: bool,
}

// ---------------------------------------------------------------------------------------
// The passes.

fn ops_of(entity: &EntityPlan<'_>) -> Vec<Operation> {
    entity.entity.operations.clone()
}

/// Entities whose rows the tests can create through the API: they have `create`, and every
/// required reference points to another such entity.
fn creatable(plan: &Plan<'_>) -> Vec<bool> {
    let n = plan.entities.len();
    let mut ok = vec![false; n];
    loop {
        let mut changed = false;
        for (i, e) in plan.entities.iter().enumerate() {
            if ok[i] || !e.entity.operations.contains(&Operation::Create) {
                continue;
            }
            if e.refs
                .iter()
                .all(|r| !r.required || (r.target != i && ok[r.target]))
            {
                ok[i] = true;
                changed = true;
            }
        }
        if !changed {
            return ok;
        }
    }
}

/// What the generated modules need beyond what their text shows.
struct Imports {
    /// Scales of decimal fields (each gets a serializer alias in schemas.py).
    scales: Vec<u32>,
}

impl Imports {
    fn new() -> Self {
        Imports { scales: Vec::new() }
    }
}

/// The Python types of a field: ORM annotation (without `| None`), ORM column type, input
/// type, read type, filter type.
struct Types {
    orm: String,
    column: String,
    input: String,
    read: String,
    filter: Option<String>,
}

fn types(field: &Field, enum_class: &BTreeMap<String, String>, imports: &mut Imports) -> Types {
    let c = &field.constraints;
    let simple = |orm: &str, column: &str, input: &str, read: &str, filter: &str| Types {
        orm: orm.to_owned(),
        column: column.to_owned(),
        input: input.to_owned(),
        read: read.to_owned(),
        filter: Some(filter.to_owned()),
    };
    match &field.ty {
        FieldType::String => simple("str", "sa.String()", "SfText", "str", "str"),
        FieldType::Text => simple("str", "sa.Text()", "SfText", "str", "str"),
        FieldType::Email => simple("str", "sa.String()", "SfEmail", "str", "str"),
        FieldType::Url => simple("str", "sa.String()", "SfUrl", "str", "str"),
        FieldType::Integer => simple("int", "sa.Integer()", "SfInt", "int", "int"),
        FieldType::Bigint => simple("int", "sa.BigInteger()", "SfInt", "int", "int"),
        FieldType::Float => simple("float", "sa.Double()", "SfFloat", "float", "float"),
        FieldType::Decimal => {
            let scale = c.scale.unwrap_or(2);
            if !imports.scales.contains(&scale) {
                imports.scales.push(scale);
            }
            Types {
                orm: "Decimal".to_owned(),
                column: format!("SfDecimal({scale})"),
                input: "SfDecimalIn".to_owned(),
                read: format!("SfDecimal{scale}"),
                filter: Some("sf_decimal.Decimal".to_owned()),
            }
        }
        FieldType::Boolean => simple("bool", "sa.Boolean()", "SfBool", "bool", "bool"),
        FieldType::Date => simple("date", "SfDate()", "SfDate", "date", "sf_datetime.date"),
        FieldType::Datetime => simple(
            "datetime",
            "SfDateTime()",
            "SfDateTime",
            "SfDateTimeOut",
            "SfAwareDatetime",
        ),
        FieldType::Uuid => simple(
            "uuid.UUID",
            "SfUuid()",
            "SfUuid",
            "uuid.UUID",
            "sf_uuid.UUID",
        ),
        FieldType::Json => {
            let input = if field.required {
                "SfJson"
            } else {
                "SfAnyJson"
            };
            Types {
                orm: "Any".to_owned(),
                column: "SfJson()".to_owned(),
                input: input.to_owned(),
                read: "Any".to_owned(),
                filter: None,
            }
        }
        FieldType::Enum(name) => {
            let class = enum_class
                .get(name)
                .cloned()
                .unwrap_or_else(|| "str".into());
            Types {
                orm: "str".to_owned(),
                column: "sa.String()".to_owned(),
                input: class.clone(),
                read: class.clone(),
                filter: Some(format!("sf_schemas.{class}")),
            }
        }
    }
}

/// The `Field(...)` constraints of an input field.
fn constraints(field: &Field) -> Vec<String> {
    let c = &field.constraints;
    let mut out = Vec::new();
    let number = |n: &serde_json::Number| n.to_string();
    match &field.ty {
        FieldType::String | FieldType::Email | FieldType::Url | FieldType::Text => {
            if let Some(min) = c.min_length.filter(|&m| m > 0) {
                out.push(format!("min_length={min}"));
            }
            let max = match field.ty {
                FieldType::Text => c.max_length,
                _ => Some(c.max_length.unwrap_or(255)),
            };
            if let Some(max) = max {
                out.push(format!("max_length={max}"));
            }
            if let Some(pattern) = &c.pattern {
                out.push(format!("pattern={}", py_str(pattern)));
            }
        }
        FieldType::Integer | FieldType::Bigint => {
            let (lo, hi) = if field.ty == FieldType::Integer {
                (i64::from(i32::MIN), i64::from(i32::MAX))
            } else {
                (i64::MIN, i64::MAX)
            };
            let min = c
                .min
                .as_ref()
                .and_then(serde_json::Number::as_f64)
                .map_or(lo, |m| (m.ceil() as i64).max(lo));
            let max = c
                .max
                .as_ref()
                .and_then(serde_json::Number::as_f64)
                .map_or(hi, |m| (m.floor() as i64).min(hi));
            out.push(format!("ge={min}"));
            out.push(format!("le={max}"));
        }
        FieldType::Float => {
            if let Some(min) = &c.min {
                out.push(format!("ge={}", number(min)));
            }
            if let Some(max) = &c.max {
                out.push(format!("le={}", number(max)));
            }
        }
        FieldType::Decimal => {
            out.push(format!("max_digits={}", c.precision.unwrap_or(18)));
            out.push(format!("decimal_places={}", c.scale.unwrap_or(2)));
            if let Some(min) = &c.min {
                out.push(format!("ge={}", number(min)));
            }
            if let Some(max) = &c.max {
                out.push(format!("le={}", number(max)));
            }
        }
        _ => {}
    }
    out
}

fn build(plan: &Plan<'_>, package: String) -> Result<Project, Error> {
    let model = plan.model;
    let mut clashes: Vec<Clash> = Vec::new();
    let mut schema_classes = Namespace::new("Python class in schemas.py");
    let mut model_classes = Namespace::new("Python class in models.py");
    let mut imports = Imports::new();

    // Enums.
    let mut enum_class = BTreeMap::new();
    let mut enums = Vec::new();
    for e in &plan.enums {
        let class = ident(e.name, Case::Pascal, CLASS_RESERVED);
        schema_classes.claim(&class, &e.pointer, &mut clashes);
        let mut members_ns = Namespace::new(format!("member of the Python enum `{class}`"));
        let mut members = Vec::new();
        for (i, value) in e.values.iter().enumerate() {
            let mut words = ascii_words(value);
            if words.is_empty() || words[0].starts_with(|c: char| c.is_ascii_digit()) {
                words.insert(0, "v".to_owned());
            }
            let mut member = join(&words, Case::ScreamingSnake);
            if member.starts_with("SF_") || member == "SF" {
                member.push('_');
            }
            members_ns.claim(&member, &format!("{}/values/{i}", e.pointer), &mut clashes);
            members.push((member, py_str(value)));
        }
        enums.push(PyEnum {
            class: class.clone(),
            description_py: e.def.description.as_deref().map(py_str),
            members,
        });
        enum_class.insert(e.name.to_owned(), class);
    }

    let ok = creatable(plan);
    let keys: Vec<String> = plan.entities.iter().map(|e| e.table.clone()).collect();
    let classes: Vec<String> = plan
        .entities
        .iter()
        .map(|e| ident(e.name, Case::Pascal, CLASS_RESERVED))
        .collect();

    // Join tables.
    let joins: Vec<PyJoinTable> = plan
        .joins
        .iter()
        .enumerate()
        .map(|(i, j)| PyJoinTable {
            var: format!("sf_join_{i}"),
            table_py: py_str(&j.table),
            owner_column_py: py_str(&j.owner_column),
            target_column_py: py_str(&j.target_column),
        })
        .collect();

    let all_roles: Vec<String> = {
        let mut roles: Vec<String> = model.roles.clone();
        for e in &model.entities {
            for op in Operation::ALL {
                for r in e.permissions.roles(op).unwrap_or_default() {
                    if !roles.contains(r) {
                        roles.push(r.clone());
                    }
                }
            }
        }
        roles
    };

    let mut entities = Vec::new();
    let mut cases = Vec::new();
    for (index, e) in plan.entities.iter().enumerate() {
        let class = classes[index].clone();
        let input = format!("{class}Input");
        let page = format!("{class}Page");
        schema_classes.claim(&class, &e.pointer, &mut clashes);
        schema_classes.claim(&input, &e.pointer, &mut clashes);
        schema_classes.claim(&page, &e.pointer, &mut clashes);
        model_classes.claim(&class, &e.pointer, &mut clashes);
        let mut attrs = Namespace::new(format!("Python attribute of `{class}`"));
        let mut params = Namespace::new(format!("query parameter of `/api/{}`", e.collection));
        for fixed in ["page", "page_size", "sort"] {
            params.claim(fixed, "the list operation's parameters", &mut clashes);
        }

        let mut columns = Vec::new();
        let mut input_fields = Vec::new();
        let mut read_fields = Vec::new();
        let mut writable = Vec::new();
        let mut field_attrs = Vec::new();
        let mut unique = Vec::new();
        let mut kinds = serde_json::Map::new();
        for f in &e.fields {
            let attr = ident(&f.field.name, Case::Snake, ATTR_RESERVED);
            attrs.claim(&attr, &f.pointer, &mut clashes);
            field_attrs.push(attr.clone());
            let t = types(f.field, &enum_class, &mut imports);
            let nullable = !f.field.required && !f.field.primary_key;
            let orm_annotation = if nullable && t.orm != "Any" {
                format!("Mapped[{} | None]", t.orm)
            } else {
                format!("Mapped[{}]", t.orm)
            };
            let mut args = vec![py_str(&f.column), t.column.clone()];
            if f.field.primary_key {
                args.push("primary_key=True".to_owned());
            } else {
                args.push(format!(
                    "nullable={}",
                    if nullable { "True" } else { "False" }
                ));
            }
            columns.push(PyColumn {
                attr: attr.clone(),
                annotation: orm_annotation,
                args,
            });
            // The resource.
            let mut read_args = Vec::new();
            if attr != f.wire {
                read_args.push(format!("alias={}", py_str(&f.wire)));
            }
            if let Some(d) = &f.field.description {
                read_args.push(format!("description={}", py_str(d)));
            }
            let read_annotation = if nullable && t.read != "Any" {
                format!("{} | None", t.read)
            } else {
                t.read.clone()
            };
            read_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: read_annotation,
                args: read_args,
            });
            if let Some(name) = &f.unique_constraint {
                unique.push((py_str(name), py_str(&f.wire)));
                unique.push((
                    py_str(&format!("{}.{}", e.table, f.column)),
                    py_str(&f.wire),
                ));
            }
            if !f.writable {
                continue;
            }
            kinds.insert(f.wire.clone(), json!(kind(&f.field.ty)));
            writable.push(py_str(&attr));
            // The request body.
            let mut args = Vec::new();
            match &f.field.default {
                Some(default) if !default.is_null() => {
                    args.push(format!("default={}", py_value(default)));
                    args.push("validate_default=True".to_owned());
                }
                _ if !f.field.required => args.push("default=None".to_owned()),
                _ => {}
            }
            if attr != f.wire {
                args.push(format!("alias={}", py_str(&f.wire)));
            }
            args.extend(constraints(f.field));
            if let Some(d) = &f.field.description {
                args.push(format!("description={}", py_str(d)));
            }
            let annotation = if f.field.required || t.input == "SfAnyJson" {
                t.input.clone()
            } else {
                format!("{} | None", t.input)
            };
            input_fields.push(PyBodyField {
                attr,
                annotation,
                args,
            });
        }

        let mut refs = Vec::new();
        for r in &e.refs {
            let mut words = ascii_words(&r.relation.name);
            words.push("id".to_owned());
            let attr = {
                let id = Lang::Python.escape(join(&words, Case::Snake));
                if ATTR_RESERVED.contains(&id.as_str()) {
                    id + "_"
                } else {
                    id
                }
            };
            attrs.claim(&attr, &r.pointer, &mut clashes);
            columns.push(PyColumn {
                attr: attr.clone(),
                annotation: if r.required {
                    "Mapped[uuid.UUID]".to_owned()
                } else {
                    "Mapped[uuid.UUID | None]".to_owned()
                },
                args: vec![
                    py_str(&r.column),
                    "SfUuid()".to_owned(),
                    format!("nullable={}", if r.required { "False" } else { "True" }),
                ],
            });
            let mut read_args = Vec::new();
            if attr != r.wire {
                read_args.push(format!("alias={}", py_str(&r.wire)));
            }
            read_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: if r.required {
                    "uuid.UUID".to_owned()
                } else {
                    "uuid.UUID | None".to_owned()
                },
                args: read_args.clone(),
            });
            let mut args = Vec::new();
            if !r.required {
                args.push("default=None".to_owned());
            }
            args.extend(read_args);
            if let Some(d) = &r.relation.description {
                args.push(format!("description={}", py_str(d)));
            }
            input_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: if r.required {
                    "SfUuid".to_owned()
                } else {
                    "SfUuid | None".to_owned()
                },
                args,
            });
            writable.push(py_str(&attr));
            if let Some(name) = &r.unique_constraint {
                unique.push((py_str(name), py_str(&r.wire)));
                unique.push((
                    py_str(&format!("{}.{}", e.table, r.column)),
                    py_str(&r.wire),
                ));
            }
            refs.push(PyRef {
                attr_py: py_str(&attr),
                wire_py: py_str(&r.wire),
                target: classes[r.target].clone(),
            });
        }

        let mut join_uses = Vec::new();
        for &j in &e.joins {
            let jp = &plan.joins[j];
            let mut words = ascii_words(&jp.relation.name);
            words.push("ids".to_owned());
            let attr = Lang::Python.escape(join(&words, Case::Snake));
            attrs.claim(&attr, &jp.pointer, &mut clashes);
            let mut args = vec!["default_factory=list".to_owned()];
            let mut read_args = Vec::new();
            if attr != jp.wire {
                args.push(format!("alias={}", py_str(&jp.wire)));
                read_args.push(format!("alias={}", py_str(&jp.wire)));
            }
            input_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: "list[SfUuid]".to_owned(),
                args,
            });
            read_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: "list[uuid.UUID]".to_owned(),
                args: read_args,
            });
            join_uses.push(PyJoinUse {
                attr_py: py_str(&attr),
                wire_py: py_str(&jp.wire),
                var: joins[j].var.clone(),
                owner_column_py: py_str(&jp.owner_column),
                target_column_py: py_str(&jp.target_column),
                target: classes[jp.target].clone(),
            });
        }
        // Timestamps go last in the resource, after references and id lists.
        let stamps: Vec<usize> = (0..read_fields.len())
            .filter(|&i| i < e.fields.len() && e.fields[i].field.implicit && i > 0)
            .collect();
        for (moved, i) in stamps.into_iter().enumerate() {
            let field = read_fields.remove(i - moved);
            read_fields.push(field);
        }

        let sorts = e
            .sorts
            .iter()
            .filter_map(|wire| {
                e.fields
                    .iter()
                    .position(|f| &f.wire == wire)
                    .map(|i| (py_str(wire), py_str(&field_attrs[i])))
            })
            .collect();

        let mut filters = Vec::new();
        for filter in &e.filters {
            let (attr, annotation) = match filter.on {
                FilterOn::Field(i) => {
                    let t = types(e.fields[i].field, &enum_class, &mut imports);
                    let Some(ty) = t.filter else { continue };
                    (field_attrs[i].clone(), ty)
                }
                FilterOn::Ref(r) => {
                    let column = refs[r].attr_py.clone();
                    let attr = column.trim_matches(['"', '\'']).to_owned();
                    (attr, "sf_uuid.UUID".to_owned())
                }
            };
            params.claim(&filter.wire, &e.pointer, &mut clashes);
            filters.push(PyFilter {
                param: attr.clone(),
                annotation: format!("{annotation} | None"),
                alias_py: py_str(&filter.wire),
                attr_py: py_str(&attr),
            });
        }

        let mut ops = BTreeMap::new();
        for op in ops_of(e) {
            let roles = e
                .entity
                .permissions
                .roles(op)
                .unwrap_or_default()
                .iter()
                .map(|r| py_str(r))
                .collect();
            ops.insert(
                op.as_str(),
                PyOp {
                    function: format!("sf_{}_{}", op.as_str(), e.table),
                    guard: format!("sf_guard_{}_{}", op.as_str(), e.table),
                    roles,
                },
            );
        }

        let page_size = e.entity.list.page_size;
        let max_page_size = page_size.max(100);
        let (case, tests) = test_cases(
            plan,
            index,
            &ok,
            &keys,
            &all_roles,
            Value::Object(kinds),
            max_page_size,
        );
        cases.push((
            format!("tests/cases/{}.json", e.table),
            serde_json::to_string_pretty(&case).unwrap_or_default() + "\n",
        ));

        entities.push(PyEntity {
            name_md: md_line(e.name),
            class,
            input,
            page,
            table: e.table.clone(),
            table_py: py_str(&e.table),
            collection: e.collection.clone(),
            path_py: py_str(&format!("/api/{}", e.collection)),
            item_path_py: py_str(&format!("/api/{}/{{id}}", e.collection)),
            tag_py: py_str(&e.collection),
            var: format!("sf_entity_{}", e.table),
            description_py: e.entity.description.as_deref().map(py_str),
            columns,
            input_fields,
            read_fields,
            writable,
            refs,
            joins: join_uses,
            unique,
            sorts,
            filters,
            page_size,
            max_page_size,
            timestamps: e.entity.timestamps,
            ops,
            tests,
        });
    }
    if !clashes.is_empty() {
        return Err(clash_error(clashes));
    }

    // Migration.
    let quote = |t: &str| sql::quote(t);
    let mut drops: Vec<String> = plan.joins.iter().rev().map(|j| quote(&j.table)).collect();
    drops.extend(plan.entities.iter().rev().map(|e| quote(&e.table)));
    let migration = Migration {
        postgres: sql::statements(plan, Dialect::Postgres)
            .iter()
            .map(|s| py_str(s))
            .collect(),
        sqlite: sql::statements(plan, Dialect::Sqlite)
            .iter()
            .map(|s| py_str(s))
            .collect(),
        drop_postgres: drops
            .iter()
            .map(|t| py_str(&format!("DROP TABLE IF EXISTS {t} CASCADE")))
            .collect(),
        drop_sqlite: drops
            .iter()
            .map(|t| py_str(&format!("DROP TABLE IF EXISTS {t}")))
            .collect(),
    };

    // Imports: exactly the names the generated text uses (ruff refuses unused ones).
    let model_text: String = entities
        .iter()
        .flat_map(|e| &e.columns)
        .map(|c| format!("{} {}", c.annotation, c.args.join(" ")))
        .collect::<Vec<_>>()
        .join(" ");
    let schema_text: String = entities
        .iter()
        .flat_map(|e| e.input_fields.iter().chain(&e.read_fields))
        .map(|f| f.annotation.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let model_tokens = tokens(&model_text);
    let schema_tokens = tokens(&schema_text);
    let mut models_imports = Vec::new();
    let dt: Vec<&str> = ["date", "datetime"]
        .into_iter()
        .filter(|n| model_tokens.contains(*n))
        .collect();
    if !dt.is_empty() {
        models_imports.push(format!("from datetime import {}", dt.join(", ")));
    }
    if model_tokens.contains("Decimal") {
        models_imports.push("from decimal import Decimal".to_owned());
    }
    models_imports.push("import uuid".to_owned());
    if model_tokens.contains("Any") {
        models_imports.push("from typing import Any".to_owned());
    }
    let mut schemas_imports = Vec::new();
    if schema_tokens.contains("date") {
        schemas_imports.push("from datetime import date".to_owned());
    }
    if !imports.scales.is_empty() {
        schemas_imports.push("from decimal import Decimal".to_owned());
    }
    if !enums.is_empty() {
        schemas_imports.push("from enum import StrEnum".to_owned());
    }
    let mut typing = Vec::new();
    if !imports.scales.is_empty() {
        typing.push("Annotated");
    }
    if schema_tokens.contains("Any") {
        typing.push("Any");
    }
    if !typing.is_empty() {
        schemas_imports.push(format!("from typing import {}", typing.join(", ")));
    }
    let db: Vec<String> = [
        "SfBase",
        "SfDate",
        "SfDateTime",
        "SfDecimal",
        "SfJson",
        "SfUuid",
    ]
    .into_iter()
    .filter(|n| *n == "SfBase" || model_tokens.contains(*n))
    .map(str::to_owned)
    .collect();
    let mut fields: Vec<String> = [
        "SfAnyJson",
        "SfBool",
        "SfDate",
        "SfDateTime",
        "SfDateTimeOut",
        "SfDecimalIn",
        "SfEmail",
        "SfFloat",
        "SfInt",
        "SfJson",
        "SfText",
        "SfUrl",
        "SfUuid",
    ]
    .into_iter()
    .filter(|n| schema_tokens.contains(*n))
    .map(str::to_owned)
    .collect();
    if !imports.scales.is_empty() {
        fields.push("scale as sf_scale".to_owned());
    }
    imports.scales.sort_unstable();
    let annotations: Vec<&str> = entities
        .iter()
        .flat_map(|e| e.filters.iter().map(|f| f.annotation.as_str()))
        .collect();
    let uses = |prefix: &str| annotations.iter().any(|a| a.contains(prefix));
    let any_op = entities.iter().any(|e| !e.ops.is_empty());
    let any_list = entities.iter().any(|e| e.ops.contains_key("list"));
    let any_item = entities.iter().any(|e| {
        ["get", "update", "delete"]
            .iter()
            .any(|op| e.ops.contains_key(op))
    });
    let mut routes_imports = Vec::new();
    if uses("sf_datetime.") {
        routes_imports.push("import datetime as sf_datetime".to_owned());
    }
    if uses("sf_decimal.") {
        routes_imports.push("import decimal as sf_decimal".to_owned());
    }
    if any_item || uses("sf_uuid.") {
        routes_imports.push("import uuid as sf_uuid".to_owned());
    }
    let mut fastapi = vec!["APIRouter"];
    if any_op {
        fastapi.push("Depends");
    }
    if any_list {
        fastapi.push("Query");
    }
    if any_op {
        fastapi.push("Response");
    }
    let mut routes_imports2 = vec![format!("from fastapi import {}", fastapi.join(", "))];
    if uses("SfAwareDatetime") {
        routes_imports2.push("from pydantic import AwareDatetime as SfAwareDatetime".to_owned());
    }
    if any_op {
        routes_imports2.push("from sqlalchemy.orm import Session".to_owned());
    }
    routes_imports2.push(String::new());
    routes_imports2.push("from . import crud as sf_crud".to_owned());
    routes_imports2.push("from . import models as sf_models".to_owned());
    routes_imports2.push("from . import schemas as sf_schemas".to_owned());
    if any_op {
        routes_imports2.push("from .auth import Principal as SfPrincipal".to_owned());
        routes_imports2.push("from .auth import require as sf_require".to_owned());
        routes_imports2.push("from .db import get_session as sf_db_session".to_owned());
    }
    let title = model.title.clone().unwrap_or_else(|| model.name.clone());
    let description = model.description.clone().unwrap_or_default();
    Ok(Project {
        dist: package.replace('_', "-").trim_end_matches('-').to_owned(),
        package,
        name: model.name.clone(),
        title_py: py_str(&title),
        description_py: py_str(&description),
        title_md: md_line(&title),
        description_md: md_line(&description),
        description_toml: toml_str(&title.replace(['\n', '\r'], " ")),
        version: VERSION,
        dependencies: DEPENDENCIES
            .iter()
            .map(|(n, v)| format!("{n}=={v}"))
            .collect(),
        dev_dependencies: DEV_DEPENDENCIES
            .iter()
            .map(|(n, v)| format!("{n}=={v}"))
            .collect(),
        models_imports,
        schemas_imports,
        routes_imports,
        routes_imports2,
        db_imports: db,
        fields_imports: fields,
        decimal_scales: imports.scales.clone(),
        enums,
        joins,
        entities,
        migration,
        cases,
    })
}

/// The identifiers in a text of generated code.
fn tokens(text: &str) -> std::collections::BTreeSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The kind of a field, as the generated tests compare values.
fn kind(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url => "string",
        FieldType::Integer | FieldType::Bigint => "integer",
        FieldType::Float => "float",
        FieldType::Decimal => "decimal",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Datetime => "datetime",
        FieldType::Uuid => "uuid",
        FieldType::Json => "json",
        FieldType::Enum(_) => "enum",
    }
}

/// A query value of `ty` that does not parse.
fn bad_query_value(model: &Model, ty: &FieldType) -> Option<String> {
    Some(match ty {
        FieldType::Integer | FieldType::Bigint | FieldType::Float | FieldType::Decimal => {
            "twelve".to_owned()
        }
        FieldType::Boolean => "maybe".to_owned(),
        FieldType::Date => "2024-13-45".to_owned(),
        FieldType::Datetime => "yesterday".to_owned(),
        FieldType::Uuid => "not-a-uuid".to_owned(),
        FieldType::Enum(name) => {
            let values = model
                .enum_(name)
                .map(|e| e.values.as_slice())
                .unwrap_or_default();
            let mut bad = String::from("not-a-value");
            while values.contains(&bad) {
                bad.push('x');
            }
            bad
        }
        _ => return None,
    })
}

/// The case data of one entity's tests (written as JSON) and which tests it backs.
fn test_cases(
    plan: &Plan<'_>,
    index: usize,
    creatable: &[bool],
    keys: &[String],
    all_roles: &[String],
    kinds: Value,
    max_page_size: u32,
) -> (Value, EntityTests) {
    let model = plan.model;
    let e = &plan.entities[index];
    let ops = &e.entity.operations;
    let has = |op: Operation| ops.contains(&op);
    let can_create = creatable[index];
    let mut tests = EntityTests {
        key_py: py_str(&keys[index]),
        creatable: can_create,
        ..EntityTests::default()
    };

    let samples: Vec<Value> = (0..SAMPLES)
        .map(|n| {
            let mut body = serde_json::Map::new();
            for f in e.fields.iter().filter(|f| f.writable) {
                body.insert(f.wire.clone(), samples::valid(model, f.field, n));
            }
            Value::Object(body)
        })
        .collect();
    let mut unknown = "sf_unknown".to_owned();
    while e.fields.iter().any(|f| f.wire == unknown) {
        unknown.push('x');
    }

    let mut invalid = Vec::new();
    let mut missing = Vec::new();
    for f in e.fields.iter().filter(|f| f.writable) {
        for (k, value) in samples::invalid(model, f.field) {
            if k == Invalid::Null && f.field.default.is_some() && !f.field.required {
                continue;
            }
            invalid.push(json!({"field": f.wire, "kind": k.as_str(), "value": value}));
        }
        if f.field.required && f.field.default.is_none() {
            missing.push(json!(f.wire));
        }
    }
    let refs: Vec<Value> = e
        .refs
        .iter()
        .map(|r| {
            if r.required {
                missing.push(json!(r.wire));
            }
            let target = &plan.entities[r.target];
            json!({
                "wire": r.wire,
                "target": keys[r.target],
                "required": r.required,
                "unique": r.unique,
                "on_delete": r.on_delete,
                "target_creatable": creatable[r.target],
                "target_delete": target.entity.operations.contains(&Operation::Delete),
            })
        })
        .collect();
    let id_lists: Vec<Value> = e
        .joins
        .iter()
        .map(|&j| {
            let jp = &plan.joins[j];
            json!({"wire": jp.wire, "target": keys[jp.target], "target_creatable": creatable[jp.target]})
        })
        .collect();

    let unique: Vec<Value> = e
        .fields
        .iter()
        .filter(|f| f.writable && f.unique_constraint.is_some())
        .map(|f| json!(f.wire))
        .collect();
    let unique_refs: Vec<Value> = e
        .refs
        .iter()
        .filter(|r| r.unique && creatable[r.target])
        .map(|r| json!({"wire": r.wire, "target": keys[r.target]}))
        .collect();
    let missing_refs: Vec<Value> = e
        .refs
        .iter()
        .map(|r| json!({"wire": r.wire, "list": false}))
        .chain(
            e.joins
                .iter()
                .map(|&j| json!({"wire": plan.joins[j].wire, "list": true})),
        )
        .collect();
    let id_list_cases: Vec<Value> = id_lists
        .iter()
        .filter(|j| j["target_creatable"] == json!(true))
        .cloned()
        .collect();
    let on_delete: Vec<Value> = refs
        .iter()
        .filter(|r| r["target_creatable"] == json!(true) && r["target_delete"] == json!(true))
        .cloned()
        .collect();

    let mut filters = Vec::new();
    let mut bad_filters = Vec::new();
    for filter in &e.filters {
        match filter.on {
            FilterOn::Field(i) => {
                let ty = &e.fields[i].field.ty;
                if *ty == FieldType::Json {
                    continue;
                }
                if e.fields[i].writable {
                    filters.push(json!({"wire": filter.wire, "target": null, "kind": kind(ty)}));
                }
                if let Some(bad) = bad_query_value(model, ty) {
                    bad_filters.push(json!({"wire": filter.wire, "value": bad}));
                }
            }
            FilterOn::Ref(r) => {
                let target = e.refs[r].target;
                if creatable[target] {
                    filters
                        .push(json!({"wire": filter.wire, "target": keys[target], "kind": "uuid"}));
                }
                bad_filters.push(json!({"wire": filter.wire, "value": "not-a-uuid"}));
            }
        }
    }
    let sorts: Vec<Value> = e
        .sorts
        .iter()
        .filter_map(|wire| {
            let f = e.fields.iter().find(|f| &f.wire == wire)?;
            Some(json!({"wire": wire, "kind": kind(&f.field.ty), "writable": f.writable}))
        })
        .collect();

    let mut roles = serde_json::Map::new();
    let mut forbidden = Vec::new();
    for op in ops {
        if let Some(r) = e.entity.permissions.roles(*op)
            && !r.is_empty()
        {
            roles.insert(op.as_str().to_owned(), json!(r));
            forbidden.push(json!(op.as_str()));
        }
    }
    let absent: Vec<Value> = Operation::ALL
        .iter()
        .filter(|op| !ops.contains(op))
        .map(|op| {
            let collection = matches!(op, Operation::List | Operation::Create);
            let exists = if collection {
                has(Operation::List) || has(Operation::Create)
            } else {
                has(Operation::Get) || has(Operation::Update) || has(Operation::Delete)
            };
            json!({"operation": op.as_str(), "status": if exists { 405 } else { 404 }})
        })
        .collect();

    let validation = has(Operation::Create) || has(Operation::Update);
    tests.validation = validation;
    tests.invalid = validation && !invalid.is_empty();
    tests.missing = validation && !missing.is_empty();
    tests.unique = can_create && !unique.is_empty();
    tests.unique_refs = can_create && !unique_refs.is_empty();
    tests.missing_refs = can_create && !missing_refs.is_empty();
    tests.id_lists = can_create && !id_list_cases.is_empty();
    tests.sorts = can_create && has(Operation::List) && !sorts.is_empty();
    tests.filters = can_create && has(Operation::List) && !filters.is_empty();
    tests.bad_filters = has(Operation::List) && !bad_filters.is_empty();
    tests.on_delete = can_create && !on_delete.is_empty();
    tests.forbidden = !forbidden.is_empty();
    tests.absent = !absent.is_empty();

    let case = json!({
        "name": e.name,
        "path": format!("/api/{}", e.collection),
        "operations": ops.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
        "creatable": can_create,
        "page_size": e.entity.list.page_size,
        "max_page_size": max_page_size,
        "timestamps": e.entity.timestamps,
        "fields": e.fields.iter().filter(|f| f.writable).map(|f| f.wire.clone()).collect::<Vec<_>>(),
        "kinds": kinds,
        "samples": samples,
        "refs": refs,
        "id_lists": id_lists,
        "invalid": invalid,
        "missing": missing,
        "unknown": unknown,
        "unique": unique,
        "unique_refs": unique_refs,
        "missing_refs": missing_refs,
        "id_list_cases": id_list_cases,
        "on_delete": on_delete,
        "sorts": sorts,
        "filters": filters,
        "bad_filters": bad_filters,
        "roles": roles,
        "all_roles": all_roles,
        "forbidden": forbidden,
        "absent": absent,
    });
    (case, tests)
}

// ---------------------------------------------------------------------------------------
// Files.

macro_rules! template {
    ($path:literal) => {
        (
            $path,
            include_str!(concat!("../../templates/python-fastapi/", $path)),
        )
    };
}

static TEMPLATES: &[(&str, &str)] = &[
    template!("pyproject.toml.j2"),
    template!("requirements.txt.j2"),
    template!("requirements-dev.txt.j2"),
    template!("README.md.j2"),
    template!("Dockerfile.j2"),
    template!("alembic.ini.j2"),
    template!("migrations/env.py.j2"),
    template!("migrations/0001_initial.py.j2"),
    template!("src/__init__.py.j2"),
    template!("src/main.py.j2"),
    template!("src/models.py.j2"),
    template!("src/schemas.py.j2"),
    template!("src/routes.py.j2"),
    template!("tests/conftest.py.j2"),
    template!("tests/test_app.py.j2"),
    template!("tests/test_entity.py.j2"),
];

/// Files copied as they are (they hold no name of the specification).
static STATIC: &[(&str, &str)] = &[
    template!("src/auth.py"),
    template!("src/config.py"),
    template!("src/crud.py"),
    template!("src/db.py"),
    template!("src/errors.py"),
    template!("src/fields.py"),
    template!("tests/support.py"),
    template!("github/ci.yml"),
    template!("gitignore"),
    template!("dockerignore"),
    template!("migrations/script.py.mako"),
];

fn write(project: &Project, out: &mut FileTree) -> Result<(), Error> {
    let env = crate::render::environment(TEMPLATES)?;
    let pkg = format!("src/{}", project.package);
    let shared = crate::render::context(project);
    let ctx = minijinja::context! { p => shared.clone() };
    let simple: &[(&str, String)] = &[
        ("pyproject.toml.j2", "pyproject.toml".to_owned()),
        ("requirements.txt.j2", "requirements.txt".to_owned()),
        ("requirements-dev.txt.j2", "requirements-dev.txt".to_owned()),
        ("README.md.j2", "README.md".to_owned()),
        ("Dockerfile.j2", "Dockerfile".to_owned()),
        ("alembic.ini.j2", "alembic.ini".to_owned()),
        ("migrations/env.py.j2", "migrations/env.py".to_owned()),
        (
            "migrations/0001_initial.py.j2",
            "migrations/versions/0001_initial.py".to_owned(),
        ),
        ("src/__init__.py.j2", format!("{pkg}/__init__.py")),
        ("src/main.py.j2", format!("{pkg}/main.py")),
        ("src/models.py.j2", format!("{pkg}/models.py")),
        ("src/schemas.py.j2", format!("{pkg}/schemas.py")),
        ("src/routes.py.j2", format!("{pkg}/routes.py")),
        ("tests/conftest.py.j2", "tests/conftest.py".to_owned()),
        ("tests/test_app.py.j2", "tests/test_app.py".to_owned()),
    ];
    for (name, path) in simple {
        crate::render::render_into(&env, name, &ctx, out, path.clone())?;
    }
    for entity in &project.entities {
        let ctx = minijinja::context! { p => shared.clone(), e => crate::render::context(entity) };
        crate::render::render_into(
            &env,
            "tests/test_entity.py.j2",
            &ctx,
            out,
            format!("tests/test_{}.py", entity.table),
        )?;
    }
    for (path, text) in &project.cases {
        out.insert(path.clone(), text.clone())?;
    }
    for (name, text) in STATIC {
        let path = match *name {
            "github/ci.yml" => ".github/workflows/ci.yml".to_owned(),
            "gitignore" => ".gitignore".to_owned(),
            "dockerignore" => ".dockerignore".to_owned(),
            n if n.starts_with("src/") => format!("{pkg}/{}", &n[4..]),
            n => n.to_owned(),
        };
        out.insert(path, *text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_as_ruff_writes_them() {
        assert_eq!(py_str("plain"), "\"plain\"");
        assert_eq!(py_str("a \"b\" c"), "'a \"b\" c'");
        assert_eq!(py_str("it's \"x\""), "'it\\'s \"x\"'");
        assert_eq!(py_str("back\\slash\n"), "\"back\\\\slash\\n\"");
        assert_eq!(py_str("\u{1}"), "\"\\x01\"");
        assert_eq!(py_str("Ünïcode"), "\"Ünïcode\"");
    }

    #[test]
    fn json_values_become_python_literals() {
        assert_eq!(
            py_value(&json!({"a": [1, true, null], "b": "x"})),
            "{\"a\": [1, True, None], \"b\": \"x\"}"
        );
    }

    fn model(yaml: &str) -> Model {
        specforge_spec::analyze_bytes(yaml.as_bytes(), Some("spec.yaml"), None)
            .model
            .expect("a valid specification")
    }

    fn example(name: &str) -> Model {
        let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).expect("the example");
        specforge_spec::analyze_bytes(&bytes, Some(&path), None)
            .model
            .expect("a valid example")
    }

    fn text(out: &crate::Output, path: &str) -> String {
        String::from_utf8(out.tree.get(path).expect(path).to_vec()).expect("UTF-8")
    }

    #[test]
    fn hostile_names_become_escaped_identifiers() {
        let out =
            crate::generate(&example("hostile.yaml"), "python-fastapi", &[]).expect("generated");
        let schemas = text(&out, "src/class_/schemas.py");
        assert!(schemas.contains("    type_: Type = Field(\n        default=\"select\","));
        assert!(schemas.contains("    V_1ST = \"1st\"\n"));
        assert!(schemas.contains("    NONE = \"None\"\n"));
        assert!(schemas.contains("    json_: SfAnyJson = Field("));
        assert!(schemas.contains("        alias=\"名前\",\n"));
        assert!(schemas.contains("class CafU00e9Table(BaseModel):"));
        let main = text(&out, "src/class_/main.py");
        assert!(
            main.contains("title=\"Hostile \\\"names\\\" {{ test }} 'quotes' \\\\ backslash\",")
        );
        assert!(out.tree.get("tests/test_classes.py").is_some());
        assert!(out.tree.get("tests/cases/caf_u00e9_tables.json").is_some());
    }

    #[test]
    fn output_is_deterministic() {
        let m = example("erp.yaml");
        let a = crate::generate(&m, "python-fastapi", &[]).expect("generated");
        let b = crate::generate(&m, "python-fastapi", &[]).expect("generated");
        assert_eq!(a.digest(), b.digest());
    }

    #[test]
    fn the_package_option_names_the_package() {
        let m = example("bookstore.yaml");
        let options = [("package".to_owned(), "shop".to_owned())];
        let out = crate::generate(&m, "python-fastapi", &options).expect("generated");
        assert!(out.tree.get("src/shop/main.py").is_some());
        let bad = [("package".to_owned(), "fastapi".to_owned())];
        assert!(matches!(
            crate::generate(&m, "python-fastapi", &bad),
            Err(Error::BadOption { .. })
        ));
    }

    #[test]
    fn derived_class_names_that_meet_are_reported() {
        let m = model(
            "specforge: 1\nname: shop\nentities:\n  Book:\n    fields:\n      title: string\n  Book Input:\n    fields:\n      x: string\n",
        );
        let Err(Error::Spec(problems)) = crate::generate(&m, "python-fastapi", &[]) else {
            panic!("a clash is expected");
        };
        assert!(
            problems.iter().any(|p| p.message.contains("BookInput")),
            "{problems:?}"
        );
    }

    #[test]
    fn enum_members_that_meet_are_reported() {
        let m = model(
            "specforge: 1\nname: shop\nenums:\n  Kind: [1st, v 1st]\nentities:\n  Book:\n    fields:\n      kind: Kind\n",
        );
        assert!(matches!(
            crate::generate(&m, "python-fastapi", &[]),
            Err(Error::Spec(_))
        ));
    }

    #[test]
    fn filters_that_meet_list_parameters_are_reported() {
        let m = model(
            "specforge: 1\nname: shop\nentities:\n  Book:\n    fields:\n      page: integer\n    list: { filters: [page] }\n",
        );
        assert!(matches!(
            crate::generate(&m, "python-fastapi", &[]),
            Err(Error::Spec(_))
        ));
    }

    #[test]
    fn markdown_lines_lose_markup() {
        assert_eq!(md_line("a *b*\n{{ c }}"), "a \\*b\\* \\{\\{ c \\}\\}");
    }
}
