//! The typed code of each entity, `src/<module>/`: `model.rs` (row, resource, input and list
//! types with their checks), `repo.rs` (the SQL), `handlers.rs`, `mod.rs` (the routes) and the
//! user-owned `hooks.rs`; and `src/enums.rs`.
//!
//! The code is written here as text: names, types and SQL are computed from the plan, and each
//! line is laid out the way `rustfmt` lays it out for the names of ordinary specifications.

use std::fmt::Write as _;

use specforge_spec::model::{FieldType, Operation};

use super::layout;
use super::names::{self, EntityNames, Names};
use super::rust_str;
use crate::plan::{EntityPlan, FieldPlan, FilterOn, Plan};

/// A decimal number's value in units of `scale`, rounded up (`up`) or down.
pub(super) fn decimal_units(number: &serde_json::Number, scale: u32, up: bool) -> Option<i128> {
    let text = number.to_string();
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m.to_owned(), e.parse::<i32>().ok()?),
        None => (text.clone(), 0),
    };
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches(['-', '+']);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    // value = digits * 10^(exponent - fraction.len()); units = value * 10^scale.
    let shift = exponent - fraction.len() as i32 + scale as i32;
    let mut units: i128 = digits.parse().ok()?;
    let mut inexact = false;
    if shift >= 0 {
        units = units.checked_mul(10i128.checked_pow(shift as u32)?)?;
    } else {
        let divisor = 10i128
            .checked_pow(shift.unsigned_abs())
            .unwrap_or(i128::MAX);
        inexact = units % divisor != 0;
        units /= divisor;
    }
    if negative {
        units = -units;
    }
    if inexact && up != negative {
        units += if up { 1 } else { -1 };
    }
    Some(units)
}

/// The database the code is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Database {
    Sqlite,
    Postgres,
}

impl Database {
    fn placeholder(self, n: usize) -> String {
        match self {
            Database::Sqlite => "?".to_owned(),
            Database::Postgres => format!("${n}"),
        }
    }
}

/// A file of the project.
pub(super) struct File {
    pub path: String,
    pub text: String,
    pub user_owned: bool,
}

/// What a field of a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Id,
    Declared,
    Reference,
    Stamp,
}

/// One column of a row (or the id list of a many-to-many relation).
#[derive(Debug)]
struct Column<'p> {
    ident: String,
    wire: String,
    column: String,
    /// The Rust type without `Option`.
    base: String,
    nullable: bool,
    role: Role,
    field: Option<&'p FieldPlan<'p>>,
    unique: Option<String>,
}

impl Column<'_> {
    fn rust_type(&self) -> String {
        if self.nullable {
            format!("Option<{}>", self.base)
        } else {
            self.base.clone()
        }
    }
}

/// A many-to-many relation this entity owns.
#[derive(Debug)]
struct Join {
    ident: String,
    wire: String,
    table: String,
    owner_column: String,
    target_column: String,
    target_table: String,
}

fn base_type(ty: &FieldType, plan: &Plan<'_>, names: &Names) -> String {
    match ty {
        FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url => {
            "String".to_owned()
        }
        FieldType::Enum(name) => plan
            .enums
            .iter()
            .position(|e| e.name == name)
            .map_or_else(|| "String".to_owned(), |i| names.enums[i].clone()),
        FieldType::Integer => "i32".to_owned(),
        FieldType::Bigint => "i64".to_owned(),
        FieldType::Float => "f64".to_owned(),
        FieldType::Decimal => "Decimal".to_owned(),
        FieldType::Boolean => "bool".to_owned(),
        FieldType::Date => "Date".to_owned(),
        FieldType::Datetime => "OffsetDateTime".to_owned(),
        FieldType::Uuid => "Uuid".to_owned(),
        FieldType::Json => "Value".to_owned(),
    }
}

/// A line-comment-safe, one-line version of a description.
fn doc_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end().replace('\r', ""))
        .collect()
}

struct Ctx<'a, 'p> {
    plan: &'a Plan<'p>,
    names: &'a Names,
    database: Database,
}

/// Every file of every entity, and `src/enums.rs`.
pub(super) fn files(plan: &Plan<'_>, names: &Names, database: Database) -> Vec<File> {
    let ctx = Ctx {
        plan,
        names,
        database,
    };
    let mut files = vec![File {
        path: "src/enums.rs".to_owned(),
        text: enums(&ctx),
        user_owned: false,
    }];
    for (i, entity) in plan.entities.iter().enumerate() {
        let n = &names.entities[i];
        let columns = columns(&ctx, entity);
        let joins = joins(&ctx, entity);
        let dir = format!("src/{}", n.module);
        let e = EntityCode {
            ctx: &ctx,
            entity,
            n,
            columns,
            joins,
        };
        files.push(File {
            path: format!("{dir}/mod.rs"),
            text: layout::break_signatures(&e.module()),
            user_owned: false,
        });
        files.push(File {
            path: format!("{dir}/model.rs"),
            text: layout::break_signatures(&e.model()),
            user_owned: false,
        });
        files.push(File {
            path: format!("{dir}/repo.rs"),
            text: layout::break_signatures(&e.repo()),
            user_owned: false,
        });
        files.push(File {
            path: format!("{dir}/handlers.rs"),
            text: layout::break_signatures(&e.handlers()),
            user_owned: false,
        });
        files.push(File {
            path: format!("{dir}/hooks.rs"),
            text: layout::break_signatures(&e.hooks()),
            user_owned: true,
        });
    }
    files
}

fn columns<'p>(ctx: &Ctx<'_, 'p>, entity: &'p EntityPlan<'p>) -> Vec<Column<'p>> {
    let mut out = Vec::new();
    let mut stamps = Vec::new();
    for f in &entity.fields {
        let field = f.field;
        let role = if field.primary_key {
            Role::Id
        } else if field.implicit {
            Role::Stamp
        } else {
            Role::Declared
        };
        let column = Column {
            ident: names::field(&f.wire),
            wire: f.wire.clone(),
            column: f.column.clone(),
            base: base_type(&field.ty, ctx.plan, ctx.names),
            nullable: role == Role::Declared && !field.required,
            role,
            field: Some(f),
            unique: f.unique_constraint.clone(),
        };
        if role == Role::Stamp {
            stamps.push(column);
        } else {
            out.push(column);
        }
    }
    for r in &entity.refs {
        out.push(Column {
            ident: names::field(&r.wire),
            wire: r.wire.clone(),
            column: r.column.clone(),
            base: "Uuid".to_owned(),
            nullable: !r.required,
            role: Role::Reference,
            field: None,
            unique: r.unique_constraint.clone(),
        });
    }
    out.extend(stamps);
    out
}

fn joins(ctx: &Ctx<'_, '_>, entity: &EntityPlan<'_>) -> Vec<Join> {
    entity
        .joins
        .iter()
        .map(|&j| {
            let j = &ctx.plan.joins[j];
            Join {
                ident: names::field(&j.wire),
                wire: j.wire.clone(),
                table: j.table.clone(),
                owner_column: j.owner_column.clone(),
                target_column: j.target_column.clone(),
                target_table: j.target_table.clone(),
            }
        })
        .collect()
}

fn enums(ctx: &Ctx<'_, '_>) -> String {
    let mut out = String::new();
    out.push_str(
        "//! The enums of the specification: serialized as their values, stored as text.\n",
    );
    if ctx.plan.enums.is_empty() {
        return out;
    }
    out.push_str("\nuse serde::Serialize;\n\nuse crate::db::{self, Column, Row};\n");
    for (i, e) in ctx.plan.enums.iter().enumerate() {
        let ty = &ctx.names.enums[i];
        let variants: Vec<String> = e.values.iter().map(|v| names::variant(v)).collect();
        let _ = write!(
            out,
            "\n/// The values of `{}`.\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]\npub enum {ty} {{\n",
            doc_text(e.name)
        );
        for (v, value) in variants.iter().zip(e.values) {
            let _ = writeln!(out, "    #[serde(rename = {})]\n    {v},", rust_str(value));
        }
        out.push_str("}\n");
        let _ = write!(
            out,
            "\nimpl {ty} {{\n    /// Every value, as the API writes it.\n"
        );
        let list: Vec<String> = e.values.iter().map(|v| rust_str(v)).collect();
        out.push_str(&layout::array(
            "    ",
            "pub const VALUES: &[&str] = &",
            &list,
            ";",
        ));
        out.push_str("\n    /// The value as the API writes it.\n    pub fn as_str(self) -> &'static str {\n        match self {\n");
        for (v, value) in variants.iter().zip(e.values) {
            let _ = writeln!(out, "            {ty}::{v} => {},", rust_str(value));
        }
        out.push_str("        }\n    }\n\n    /// The value written `text`.\n    pub fn parse(text: &str) -> Option<Self> {\n        match text {\n");
        for (v, value) in variants.iter().zip(e.values) {
            let _ = writeln!(out, "            {} => Some({ty}::{v}),", rust_str(value));
        }
        out.push_str("            _ => None,\n        }\n    }\n}\n");
        let _ = write!(
            out,
            "\nimpl Column for {ty} {{\n    type Stored = String;\n\n    fn read(row: &Row, name: &str) -> sqlx::Result<Self> {{\n        db::read_text(row, name, |text| {{\n            Self::parse(text).ok_or(\"not a value of the enum\")\n        }})\n    }}\n\n    fn stored(&self) -> String {{\n        self.as_str().to_owned()\n    }}\n}}\n"
        );
    }
    out
}

/// Text for a doc comment on one line.
fn doc_text(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('`', "'")
}

struct EntityCode<'a, 'p> {
    ctx: &'a Ctx<'a, 'p>,
    entity: &'p EntityPlan<'p>,
    n: &'a EntityNames,
    columns: Vec<Column<'p>>,
    joins: Vec<Join>,
}

fn quote(ident: &str) -> String {
    format!("\"{ident}\"")
}

/// A raw string literal holding SQL (identifiers are ASCII without `"#`).
fn raw(sql: &str) -> String {
    format!("r#\"{sql}\"#")
}

impl EntityCode<'_, '_> {
    fn allowed(&self, op: Operation) -> bool {
        self.entity.entity.operations.contains(&op)
    }

    fn roles(&self, op: Operation) -> Vec<String> {
        self.entity
            .entity
            .permissions
            .roles(op)
            .unwrap_or_default()
            .iter()
            .map(|r| rust_str(r))
            .collect()
    }

    fn inputs(&self) -> impl Iterator<Item = &Column<'_>> {
        self.columns
            .iter()
            .filter(|c| matches!(c.role, Role::Declared | Role::Reference))
    }

    fn has_stamps(&self) -> bool {
        self.columns.iter().any(|c| c.role == Role::Stamp)
    }

    fn select(&self) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| quote(&c.column)).collect();
        format!(
            "SELECT {} FROM {}",
            cols.join(", "),
            quote(&self.entity.table)
        )
    }

    fn module(&self) -> String {
        let n = self.n;
        let collection = &self.entity.collection;
        let mut out = format!(
            "//! {}: `/api/{collection}`. The types are in [`model`], the SQL in [`repo`], the\n//! handlers in `handlers.rs`; [`hooks`] is yours.\n\nmod handlers;\npub mod hooks;\npub mod model;\npub mod repo;\n\n",
            capitalize(&n.plural)
        );
        let list = self.allowed(Operation::List);
        let create = self.allowed(Operation::Create);
        let get = self.allowed(Operation::Get);
        let update = self.allowed(Operation::Update);
        let delete = self.allowed(Operation::Delete);
        // The first method of each route is a function of `axum::routing`.
        let mut methods = Vec::new();
        if list {
            methods.push("get");
        } else if create {
            methods.push("post");
        }
        if get {
            methods.push("get");
        } else if update {
            methods.push("put");
        } else if delete {
            methods.push("delete");
        }
        methods.sort_unstable();
        methods.dedup();
        out.push_str("use axum::Router;\n");
        match methods.len() {
            0 => {}
            1 => {
                let _ = writeln!(out, "use axum::routing::{};", methods[0]);
            }
            _ => {
                let _ = writeln!(out, "use axum::routing::{{{}}};", methods.join(", "));
            }
        }
        let _ = write!(
            out,
            "\nuse crate::state::AppState;\n\npub use model::{{{}, {}}};\n\n/// The routes of {}.\npub fn routes() -> Router<AppState> {{\n    Router::new()\n",
            n.ty, n.input, n.plural
        );
        let mut chain = |path: String, routes: Vec<(&str, &str)>| {
            if routes.is_empty() {
                return;
            }
            let mut methods = String::new();
            for (i, (method, handler)) in routes.iter().enumerate() {
                if i > 0 {
                    methods.push('.');
                }
                let _ = write!(methods, "{method}(handlers::{handler})");
            }
            if methods.len() <= 60 {
                out.push_str(&layout::call(
                    "        ",
                    "",
                    ".route",
                    &[format!("\"{path}\""), methods],
                    "",
                ));
            } else {
                let _ = writeln!(out, "        .route(\n            \"{path}\",");
                let mut first = true;
                for (method, handler) in routes {
                    if first {
                        let _ = writeln!(out, "            {method}(handlers::{handler})");
                        first = false;
                    } else {
                        let _ = writeln!(out, "                .{method}(handlers::{handler})");
                    }
                }
                out.truncate(out.len() - 1);
                out.push_str(",\n        )\n");
            }
        };
        let mut collection_routes = Vec::new();
        if list {
            collection_routes.push(("get", "list"));
        }
        if create {
            collection_routes.push(("post", "create"));
        }
        chain(format!("/api/{collection}"), collection_routes);
        let mut item_routes = Vec::new();
        if get {
            item_routes.push(("get", "get"));
        }
        if update {
            item_routes.push(("put", "update"));
        }
        if delete {
            item_routes.push(("delete", "delete"));
        }
        chain(format!("/api/{collection}/{{id}}"), item_routes);
        out.push_str("}\n");
        out
    }

    fn uses_type(&self, base: &str) -> bool {
        self.columns.iter().any(|c| c.base == base)
    }

    fn model(&self) -> String {
        let n = self.n;
        let mut out = format!(
            "//! {}: the row and resource [`{}`], the request body [`{}`] and the list's\n//! parameters [`{}`].\n",
            capitalize(&n.plural),
            n.ty,
            n.input,
            n.query
        );
        if let Some(description) = &self.entity.entity.description {
            out.push_str("//!\n");
            for line in doc_lines(description) {
                if line.is_empty() {
                    out.push_str("//!\n");
                } else {
                    let _ = writeln!(out, "//! {line}");
                }
            }
        }
        let patterns: Vec<(&Column<'_>, String, String)> = self
            .inputs()
            .filter_map(|c| {
                let p = c.field?.field.constraints.pattern.as_ref()?;
                if !c.field?.field.ty.is_textual() {
                    return None;
                }
                Some((
                    c,
                    format!("{}_PATTERN", names::constant(&c.wire)),
                    p.clone(),
                ))
            })
            .collect();
        let has_defaults = self.inputs().any(|c| {
            c.field
                .is_some_and(|f| f.field.default.as_ref().is_some_and(|d| !d.is_null()))
        });
        // Imports, in rustfmt's order.
        out.push('\n');
        if !patterns.is_empty() {
            out.push_str("use std::sync::LazyLock;\n\n");
        }
        if !patterns.is_empty() {
            out.push_str("use regex::Regex;\n");
        }
        if self.uses_type("Decimal") {
            out.push_str("use rust_decimal::Decimal;\n");
        }
        out.push_str("use serde::Serialize;\n");
        if has_defaults {
            out.push_str("use serde_json::{Map, Value, json};\n");
        } else {
            out.push_str("use serde_json::{Map, Value};\n");
        }
        out.push_str("use sqlx::FromRow;\n");
        match (self.uses_type("Date"), self.uses_type("OffsetDateTime")) {
            (true, true) => out.push_str("use time::{Date, OffsetDateTime};\n"),
            (true, false) => out.push_str("use time::Date;\n"),
            (false, true) => out.push_str("use time::OffsetDateTime;\n"),
            (false, false) => {}
        }
        out.push_str("use uuid::Uuid;\n\n");
        out.push_str("use crate::db::{self, Row};\n");
        let mut enums: Vec<&str> = self
            .columns
            .iter()
            .filter(|c| {
                c.field
                    .is_some_and(|f| matches!(f.field.ty, FieldType::Enum(_)))
            })
            .map(|c| c.base.as_str())
            .collect();
        layout::sort_names(&mut enums);
        enums.dedup();
        if !enums.is_empty() {
            let enums: Vec<String> = enums.iter().map(|e| (*e).to_owned()).collect();
            out.push_str(&layout::use_list("use", "crate::enums", &enums));
        }
        out.push_str("use crate::error::AppError;\n");
        let list = self.allowed(Operation::List);
        if list {
            if self.entity.sorts.is_empty() {
                out.push_str("use crate::pagination::{ListParams, PageRequest};\n");
            } else {
                out.push_str("use crate::pagination::{ListParams, PageRequest, Sort};\n");
            }
        }
        out.push_str("use crate::validate::{self, Check};\n");
        if self.uses_type("Date") || self.uses_type("OffsetDateTime") {
            out.push_str("use crate::wire;\n");
        }

        // The row and resource.
        let description = self
            .entity
            .entity
            .description
            .as_deref()
            .map(doc_text)
            .unwrap_or_default();
        let _ = write!(
            out,
            "\n/// A {} as stored and as the API sends it{}\n#[derive(Clone, Debug, PartialEq, Serialize)]\npub struct {} {{\n",
            n.singular,
            if description.is_empty() {
                ".".to_owned()
            } else {
                format!(": {description}")
            },
            n.ty
        );
        let stamps_at = self
            .columns
            .iter()
            .position(|c| c.role == Role::Stamp)
            .unwrap_or(self.columns.len());
        for (i, c) in self.columns.iter().enumerate() {
            if i == stamps_at {
                for j in &self.joins {
                    struct_field(&mut out, &j.ident, &j.wire, "Vec<Uuid>", None);
                }
            }
            let with = match c.base.as_str() {
                "OffsetDateTime" if c.nullable => Some("wire::optional_datetime"),
                "OffsetDateTime" => Some("wire::datetime"),
                "Date" if c.nullable => Some("wire::optional_date"),
                "Date" => Some("wire::date"),
                _ => None,
            };
            struct_field(&mut out, &c.ident, &c.wire, &c.rust_type(), with);
        }
        if stamps_at == self.columns.len() {
            for j in &self.joins {
                struct_field(&mut out, &j.ident, &j.wire, "Vec<Uuid>", None);
            }
        }
        out.push_str("}\n");

        // FromRow.
        let _ = write!(
            out,
            "\nimpl FromRow<'_, Row> for {} {{\n    fn from_row(row: &Row) -> sqlx::Result<Self> {{\n        Ok({} {{\n",
            n.ty, n.ty
        );
        for (i, c) in self.columns.iter().enumerate() {
            if i == stamps_at {
                for j in &self.joins {
                    let _ = writeln!(out, "            {}: Vec::new(),", j.ident);
                }
            }
            out.push_str(&layout::call(
                "            ",
                &format!("{}: ", c.ident),
                "db::get",
                &["row".to_owned(), rust_str(&c.column)],
                "?,",
            ));
        }
        if stamps_at == self.columns.len() {
            for j in &self.joins {
                let _ = writeln!(out, "            {}: Vec::new(),", j.ident);
            }
        }
        out.push_str("        })\n    }\n}\n");

        // The input.
        let _ = write!(
            out,
            "\n/// The body of a create or a replace (`POST /api/{c}`, `PUT /api/{c}/{{id}}`).\n#[derive(Clone, Debug, PartialEq)]\npub struct {} {{\n",
            n.input,
            c = self.entity.collection
        );
        for c in self.inputs() {
            let _ = writeln!(out, "    pub {}: {},", c.ident, c.rust_type());
        }
        for j in &self.joins {
            let _ = writeln!(out, "    pub {}: Vec<Uuid>,", j.ident);
        }
        out.push_str("}\n");
        for (c, ident, pattern) in &patterns {
            let line = format!(
                "static {ident}: LazyLock<Regex> = LazyLock::new(|| Regex::new({}).expect(\"a valid pattern\"));",
                rust_str(pattern)
            );
            let _ = write!(out, "\n/// The pattern of `{}`.\n", doc_text(&c.wire));
            if line.len() <= 100 {
                let _ = writeln!(out, "{line}");
            } else {
                let inner = format!(
                    "    LazyLock::new(|| Regex::new({}).expect(\"a valid pattern\"));",
                    rust_str(pattern)
                );
                if inner.len() <= 100 {
                    let _ = writeln!(out, "static {ident}: LazyLock<Regex> =\n{inner}");
                } else {
                    let _ = writeln!(
                        out,
                        "static {ident}: LazyLock<Regex> =\n    LazyLock::new(|| Regex::new({}).expect(\"a valid pattern\"));",
                        rust_str(pattern)
                    );
                }
            }
        }
        let properties: Vec<String> = self
            .inputs()
            .map(|c| rust_str(&c.wire))
            .chain(self.joins.iter().map(|j| rust_str(&j.wire)))
            .collect();
        let _ = write!(
            out,
            "\nimpl {} {{\n    /// The properties a body may have.\n",
            n.input
        );
        out.push_str(&layout::array(
            "    ",
            "pub const PROPERTIES: &[&str] = &",
            &properties,
            ";",
        ));
        out.push_str("\n    /// Reads a request body, checking every property; 422 lists each problem.\n    pub fn from_json(body: &Map<String, Value>) -> Result<Self, AppError> {\n        let mut check = Check::new(body, Self::PROPERTIES);\n");
        for c in self.inputs() {
            self.check_line(&mut out, c, &patterns);
        }
        for j in &self.joins {
            let _ = writeln!(
                out,
                "        let {} = check.ids({});",
                j.ident,
                rust_str(&j.wire)
            );
        }
        let fields: Vec<String> = self
            .inputs()
            .map(|c| {
                if c.nullable {
                    c.ident.clone()
                } else {
                    format!("{}: validate::present({})?", c.ident, c.ident)
                }
            })
            .chain(self.joins.iter().map(|j| j.ident.clone()))
            .collect();
        out.push_str("        if !check.is_valid() {\n            return Err(check.into_error());\n        }\n");
        let joined = fields.join(", ");
        if fields.is_empty() {
            let _ = writeln!(out, "        Ok({} {{}})", n.input);
        } else if joined.len() <= 18 {
            let _ = writeln!(out, "        Ok({} {{ {joined} }})", n.input);
        } else {
            let _ = writeln!(out, "        Ok({} {{", n.input);
            for f in &fields {
                let _ = writeln!(out, "            {f},");
            }
            out.push_str("        })\n");
        }
        out.push_str("    }\n}\n");
        if list {
            self.list_types(&mut out);
        }
        out
    }

    /// `let title = check.required("title", |v| { … });`
    fn check_line(
        &self,
        out: &mut String,
        c: &Column<'_>,
        patterns: &[(&Column<'_>, String, String)],
    ) {
        let (method, default) = match c.field {
            Some(f) => {
                let default = f.field.default.as_ref().filter(|d| !d.is_null());
                let method = match (c.nullable, default.is_some()) {
                    (false, false) => "required",
                    (false, true) => "required_or",
                    (true, false) => "optional",
                    (true, true) => "optional_or",
                };
                (method, default.map(json_macro))
            }
            None => (if c.nullable { "optional" } else { "required" }, None),
        };
        let steps = match c.field {
            Some(f) => self.parse_steps(c, f, patterns),
            None => Steps::Function("validate::uuid".to_owned()),
        };
        let mut args = vec![rust_str(&c.wire)];
        if let Some(d) = default {
            args.push(d);
        }
        match steps {
            Steps::Function(f) => {
                args.push(f);
                out.push_str(&layout::call(
                    "        ",
                    &format!("let {} = ", c.ident),
                    &format!("check.{method}"),
                    &args,
                    ";",
                ));
            }
            Steps::Expr(expr) => {
                args.push(format!("|v| {expr}"));
                let line = format!(
                    "        let {} = check.{method}({});",
                    c.ident,
                    args.join(", ")
                );
                let mut head_args = args.clone();
                head_args.pop();
                let head = format!(
                    "        let {} = check.{method}({}, |v| {{",
                    c.ident,
                    head_args.join(", ")
                );
                if line.len() <= 100 && args.join(", ").len() <= 60 {
                    let _ = writeln!(out, "{line}");
                } else if head.len() <= 100 {
                    let _ = writeln!(out, "{head}\n            {expr}\n        }});");
                } else {
                    let _ = writeln!(out, "        let {} = check.{method}(", c.ident);
                    for a in &args {
                        let _ = writeln!(out, "            {a},");
                    }
                    out.push_str("        );\n");
                }
            }
            Steps::Block(first, checks) => {
                let head = format!(
                    "        let {} = check.{method}({}, |v| {{",
                    c.ident,
                    args.join(", ")
                );
                let _ = writeln!(out, "{head}");
                let _ = writeln!(out, "            let value = {first}?;");
                for check in checks {
                    let _ = writeln!(out, "            {check}?;");
                }
                out.push_str("            Ok(value)\n        });\n");
            }
        }
    }

    fn parse_steps(
        &self,
        c: &Column<'_>,
        f: &FieldPlan<'_>,
        patterns: &[(&Column<'_>, String, String)],
    ) -> Steps {
        let field = f.field;
        let cons = &field.constraints;
        let mut checks = Vec::new();
        let first = match &field.ty {
            FieldType::Enum(_) => {
                return Steps::Expr(format!(
                    "validate::one_of(v, {}::VALUES, {}::parse)",
                    c.base, c.base
                ));
            }
            FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url => {
                if cons.min_length.is_some() || cons.max_length.is_some() {
                    let opt =
                        |v: Option<u64>| v.map_or("None".to_owned(), |v| format!("Some({v})"));
                    checks.push(format!(
                        "validate::length(&value, {}, {})",
                        opt(cons.min_length.map(|v| v as u64)),
                        opt(cons.max_length.map(|v| v as u64))
                    ));
                }
                if let Some((_, ident, _)) = patterns.iter().find(|(p, _, _)| p.wire == c.wire) {
                    checks.push(format!("validate::pattern(&value, &{ident})"));
                }
                match field.ty {
                    FieldType::Email => checks.push("validate::email(&value)".to_owned()),
                    FieldType::Url => checks.push("validate::url(&value)".to_owned()),
                    _ => {}
                }
                "validate::text(v)".to_owned()
            }
            FieldType::Integer | FieldType::Bigint => {
                let int = |n: &serde_json::Number, up: bool| {
                    n.as_i64().unwrap_or_else(|| {
                        let f = n.as_f64().unwrap_or(0.0);
                        (if up { f.ceil() } else { f.floor() }) as i64
                    })
                };
                if let Some(min) = &cons.min {
                    checks.push(format!("validate::at_least(value, {})", int(min, true)));
                }
                if let Some(max) = &cons.max {
                    checks.push(format!("validate::at_most(value, {})", int(max, false)));
                }
                if field.ty == FieldType::Integer {
                    "validate::integer(v)".to_owned()
                } else {
                    "validate::bigint(v)".to_owned()
                }
            }
            FieldType::Float => {
                if let Some(min) = &cons.min {
                    checks.push(format!(
                        "validate::at_least(value, {})",
                        float_literal(min.as_f64().unwrap_or(0.0))
                    ));
                }
                if let Some(max) = &cons.max {
                    checks.push(format!(
                        "validate::at_most(value, {})",
                        float_literal(max.as_f64().unwrap_or(0.0))
                    ));
                }
                "validate::float(v)".to_owned()
            }
            FieldType::Decimal => {
                let scale = cons.scale.unwrap_or(2);
                let precision = cons.precision.unwrap_or(18);
                let bound = |n: &serde_json::Number, up: bool| {
                    decimal_units(n, scale, up).map(|u| units_text(u, scale))
                };
                if let Some(min) = cons.min.as_ref().and_then(|m| bound(m, true)) {
                    checks.push(format!(
                        "validate::at_least(value, validate::decimal_bound(\"{min}\", {scale}))"
                    ));
                }
                if let Some(max) = cons.max.as_ref().and_then(|m| bound(m, false)) {
                    checks.push(format!(
                        "validate::at_most(value, validate::decimal_bound(\"{max}\", {scale}))"
                    ));
                }
                format!("validate::decimal(v, {precision}, {scale})")
            }
            FieldType::Boolean => return Steps::Function("validate::boolean".to_owned()),
            FieldType::Date => return Steps::Function("validate::date".to_owned()),
            FieldType::Datetime => return Steps::Function("validate::datetime".to_owned()),
            FieldType::Uuid => return Steps::Function("validate::uuid".to_owned()),
            FieldType::Json => return Steps::Function("validate::json".to_owned()),
        };
        if checks.is_empty() {
            let function = first.trim_end_matches("(v)");
            if first.ends_with("(v)") {
                return Steps::Function(function.to_owned());
            }
            return Steps::Expr(first);
        }
        Steps::Block(first, checks)
    }

    fn list_types(&self, out: &mut String) {
        let n = self.n;
        let entity = self.entity;
        let sorts: Vec<&Column<'_>> = entity
            .sorts
            .iter()
            .filter_map(|w| self.columns.iter().find(|c| &c.wire == w))
            .collect();
        if !sorts.is_empty() {
            let _ = write!(
                out,
                "\n/// What a list of {} may be sorted by.\n#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum {} {{\n",
                n.plural, n.sort
            );
            for c in &sorts {
                let _ = writeln!(out, "    {},", names::variant(&c.wire));
            }
            out.push_str("}\n");
        }
        let _ = write!(
            out,
            "\n/// The filters of a list of {}: each, when given, must equal the value.\n#[derive(Clone, Debug, Default, PartialEq)]\npub struct {} {{\n",
            n.plural, n.filters
        );
        let filters = self.filters();
        if filters.is_empty() {
            out.truncate(out.len() - 1);
        }
        for (ident, _, c, _) in &filters {
            let _ = writeln!(out, "    pub {ident}: Option<{}>,", c.base);
        }
        out.push_str("}\n");
        let _ = write!(
            out,
            "\n/// The query of `GET /api/{}`.\n#[derive(Clone, Debug, PartialEq)]\npub struct {} {{\n    pub page: PageRequest,\n",
            entity.collection, n.query
        );
        if !sorts.is_empty() {
            let _ = writeln!(out, "    pub sort: Option<Sort<{}>>,", n.sort);
        }
        let _ = write!(
            out,
            "    pub filters: {},\n}}\n\nimpl {} {{\n    /// Reads `page`, `page_size`, `sort` and the filters; 422 lists each problem.\n    pub fn from_query(query: Option<&str>) -> Result<Self, AppError> {{\n",
            n.filters, n.query
        );
        let page_size = entity.entity.list.page_size;
        let max = page_size.max(100);
        let _ = writeln!(
            out,
            "        let mut params = ListParams::parse(query, {page_size}, {max})?;"
        );
        if !sorts.is_empty() {
            out.push_str("        let sort = params.sort(|name| match name {\n");
            for c in &sorts {
                let _ = writeln!(
                    out,
                    "            {} => Some({}::{}),",
                    rust_str(&c.wire),
                    n.sort,
                    names::variant(&c.wire)
                );
            }
            out.push_str("            _ => None,\n        });\n");
        } else {
            out.push_str("        params.no_sort();\n");
        }
        if filters.is_empty() {
            let _ = writeln!(out, "        let filters = {} {{}};", n.filters);
        } else {
            let _ = writeln!(out, "        let filters = {} {{", n.filters);
        }
        for (ident, wire, _, (kind, parser)) in &filters {
            let line = format!(
                "            {ident}: params.{kind}({}, {parser}),",
                rust_str(wire)
            );
            let head = format!(
                "            {ident}: params.{kind}({}, |v| {{",
                rust_str(wire)
            );
            let narrow = format!("{}, {parser}", rust_str(wire)).len() <= 60;
            if line.len() <= 100 && narrow {
                let _ = writeln!(out, "{line}");
            } else if let Some(body) = parser.strip_prefix("|v| ")
                && head.len() <= 100
            {
                let _ = writeln!(out, "{head}\n                {body}\n            }}),");
            } else {
                out.push_str(&layout::call(
                    "            ",
                    &format!("{ident}: "),
                    &format!("params.{kind}"),
                    &[rust_str(wire), parser.clone()],
                    ",",
                ));
            }
        }
        if !filters.is_empty() {
            out.push_str("        };\n");
        }
        let _ = write!(
            out,
            "        Ok({} {{\n            page: params.finish()?,\n{}            filters,\n        }})\n    }}\n}}\n",
            n.query,
            if sorts.is_empty() {
                ""
            } else {
                "            sort,\n"
            }
        );
    }

    /// The filters: (ident, wire, column, (ListParams method, parser)).
    fn filters(&self) -> Vec<(String, String, &Column<'_>, (&'static str, String))> {
        self.entity
            .filters
            .iter()
            .filter_map(|f| {
                let c = match f.on {
                    FilterOn::Field(i) => {
                        let column = &self.entity.fields[i].column;
                        self.columns.iter().find(|c| &c.column == column)?
                    }
                    FilterOn::Ref(i) => {
                        let column = &self.entity.refs[i].column;
                        self.columns.iter().find(|c| &c.column == column)?
                    }
                };
                let parser = match c.field.map(|f| &f.field.ty) {
                    None | Some(FieldType::Uuid) => ("text", "validate::uuid".to_owned()),
                    Some(FieldType::Enum(_)) => (
                        "text",
                        format!(
                            "|v| validate::one_of(v, {}::VALUES, {}::parse)",
                            c.base, c.base
                        ),
                    ),
                    Some(FieldType::Integer) => ("number", "validate::integer".to_owned()),
                    Some(FieldType::Bigint) => ("number", "validate::bigint".to_owned()),
                    Some(FieldType::Float) => ("number", "validate::float".to_owned()),
                    Some(FieldType::Decimal) => {
                        let cons = &c.field.map(|f| &f.field.constraints);
                        let scale = cons.and_then(|c| c.scale).unwrap_or(2);
                        let precision = cons.and_then(|c| c.precision).unwrap_or(18);
                        (
                            "text",
                            format!("|v| validate::decimal(v, {precision}, {scale})"),
                        )
                    }
                    Some(FieldType::Boolean) => ("boolean", "validate::boolean".to_owned()),
                    Some(FieldType::Date) => ("text", "validate::date".to_owned()),
                    Some(FieldType::Datetime) => ("text", "validate::datetime".to_owned()),
                    Some(FieldType::Json) => ("text", "validate::json".to_owned()),
                    Some(_) => ("text", "validate::text".to_owned()),
                };
                let _ = FilterOn::Field(0);
                Some((names::field(&f.wire), f.wire.clone(), c, parser))
            })
            .collect()
    }

    fn repo(&self) -> String {
        let n = self.n;
        let db = self.ctx.database;
        let table = &self.entity.table;
        let list = self.allowed(Operation::List);
        let writes = self.allowed(Operation::Create) || self.allowed(Operation::Update);
        let delete = self.allowed(Operation::Delete);
        let checks_refs =
            writes && (self.inputs().any(|c| c.role == Role::Reference) || !self.joins.is_empty());
        let mut out = format!(
            "//! The SQL of {} (table `{table}`): plain functions on a transaction, every value bound.\n\n",
            n.plural
        );
        if list || !self.joins.is_empty() {
            out.push_str("use sqlx::QueryBuilder;\n");
        }
        out.push_str("use uuid::Uuid;\n\n");
        let mut model = vec![n.ty.clone()];
        if writes {
            model.push(n.input.clone());
        }
        if list {
            if !self.filters().is_empty() {
                model.push(n.filters.clone());
            }
            model.push(n.query.clone());
            if !self.entity.sorts.is_empty() {
                model.push(n.sort.clone());
            }
        }
        layout::sort_names(&mut model);
        out.push_str(&layout::use_list("use", "super::model", &model));
        let mut db_items = vec!["Column"];
        if list || !self.joins.is_empty() {
            db_items.push("Db");
        }
        db_items.push("Tx");
        if writes || checks_refs {
            let _ = writeln!(out, "use crate::db::{{self, {}}};", db_items.join(", "));
        } else {
            let _ = writeln!(out, "use crate::db::{{{}}};", db_items.join(", "));
        }
        if checks_refs {
            out.push_str("use crate::error::{AppError, FieldError};\n");
        } else {
            out.push_str("use crate::error::AppError;\n");
        }
        if list {
            out.push_str("use crate::pagination::Page;\n");
        }
        let unique: Vec<Vec<String>> = self
            .columns
            .iter()
            .filter_map(|c| {
                let name = c.unique.as_ref()?;
                Some(vec![rust_str(name), rust_str(&c.column), rust_str(&c.wire)])
            })
            .collect();
        if writes {
            let _ = write!(
                out,
                "\n/// The unique constraints of `{table}`: name, column, and the property a taken value is\n/// reported on.\n"
            );
            let tuples: Vec<String> = unique
                .iter()
                .map(|u| format!("({})", u.join(", ")))
                .collect();
            let one = format!(
                "const UNIQUE: &[(&str, &str, &str)] = &[{}];",
                tuples.join(", ")
            );
            if one.len() <= 100 && tuples.join(", ").len() <= 60 {
                let _ = writeln!(out, "{one}");
            } else {
                out.push_str("const UNIQUE: &[(&str, &str, &str)] = &[\n");
                for u in &unique {
                    out.push_str(&layout::tuple_item("    ", u));
                }
                out.push_str("];\n");
            }
        }
        let select = self.select();
        // get
        let _ = write!(
            out,
            "\n/// The {} with `id`.\npub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<{}>, AppError> {{\n",
            n.singular, n.ty
        );
        let sql = format!("{select} WHERE \"id\" = {}", db.placeholder(1));
        out.push_str(&call_chain(
            "    ",
            &format!("let row: Option<{}> = ", n.ty),
            "sqlx::query_as",
            &raw(&sql),
            &[
                "bind(id.stored())".to_owned(),
                "fetch_optional(&mut **tx)".to_owned(),
                "await?".to_owned(),
            ],
            ";",
        ));
        if self.joins.is_empty() {
            out.push_str("    Ok(row)\n}\n");
        } else {
            out.push_str("    let Some(row) = row else {\n        return Ok(None);\n    };\n    let mut rows = vec![row];\n");
            for j in &self.joins {
                let _ = writeln!(out, "    attach_{}(tx, &mut rows).await?;", j.ident);
            }
            out.push_str("    Ok(rows.pop())\n}\n");
        }
        if list {
            self.repo_list(&mut out, &select);
        }
        for j in &self.joins {
            let _ = write!(
                out,
                "\n/// Fills in `{}` of `rows` with one query.\nasync fn attach_{}(tx: &mut Tx, rows: &mut [{}]) -> Result<(), AppError> {{\n    if rows.is_empty() {{\n        return Ok(());\n    }}\n",
                j.ident, j.ident, n.ty
            );
            let sql = format!(
                "SELECT {}, {} FROM {} WHERE {} IN (",
                quote(&j.owner_column),
                quote(&j.target_column),
                quote(&j.table),
                quote(&j.owner_column)
            );
            let _ = write!(
                out,
                "{}    let mut ids = query.separated(\", \");\n    for row in rows.iter() {{\n        ids.push_bind(row.id.stored());\n    }}\n    query.push({});\n",
                call_chain(
                    "    ",
                    "let mut query = ",
                    "QueryBuilder::<Db>::new",
                    &raw(&sql),
                    &[],
                    ";"
                ),
                raw(&format!(") ORDER BY {}", quote(&j.target_column)))
            );
            let _ = write!(
                out,
                "    for pair in query.build().fetch_all(&mut **tx).await? {{\n        let owner: Uuid = db::get(&pair, {})?;\n        let target: Uuid = db::get(&pair, {})?;\n        if let Some(row) = rows.iter_mut().find(|r| r.id == owner) {{\n            row.{}.push(target);\n        }}\n    }}\n    Ok(())\n}}\n",
                rust_str(&j.owner_column),
                rust_str(&j.target_column),
                j.ident
            );
        }
        if checks_refs {
            self.repo_check_refs(&mut out);
        }
        if self.allowed(Operation::Create) {
            self.repo_insert(&mut out);
        }
        if self.allowed(Operation::Update) {
            self.repo_update(&mut out);
        }
        if writes {
            for j in &self.joins {
                let sql = format!(
                    "INSERT INTO {} ({}, {}) VALUES ({}, {})",
                    quote(&j.table),
                    quote(&j.owner_column),
                    quote(&j.target_column),
                    db.placeholder(1),
                    db.placeholder(2)
                );
                let _ = write!(
                    out,
                    "\n/// Writes the `{}` of the {} `id`.\nasync fn insert_{}(tx: &mut Tx, id: Uuid, ids: &[Uuid]) -> Result<(), AppError> {{\n    for target in ids {{\n{}    }}\n    Ok(())\n}}\n",
                    j.wire.replace('`', "'"),
                    n.singular,
                    j.ident,
                    call_chain(
                        "        ",
                        "",
                        "sqlx::query",
                        &raw(&sql),
                        &[
                            "bind(id.stored())".to_owned(),
                            "bind(target.stored())".to_owned(),
                            "execute(&mut **tx)".to_owned(),
                            "await".to_owned(),
                            "map_err(write_error)?".to_owned(),
                        ],
                        ";",
                    )
                );
            }
            let _ = write!(
                out,
                "\nfn write_error(error: sqlx::Error) -> AppError {{\n    AppError::from_write(error, {}, UNIQUE)\n}}\n",
                rust_str(table)
            );
        }
        if delete {
            let sql = format!(
                "DELETE FROM {} WHERE \"id\" = {}",
                quote(table),
                db.placeholder(1)
            );
            let _ = write!(
                out,
                "\n/// Deletes the {} `id`; whether it existed. Rows that refer to it follow their\n/// `on_delete` (a refused delete is 409).\npub async fn delete(tx: &mut Tx, id: Uuid) -> Result<bool, AppError> {{\n{}    Ok(result.rows_affected() > 0)\n}}\n",
                n.singular,
                call_chain(
                    "    ",
                    "let result = ",
                    "sqlx::query",
                    &raw(&sql),
                    &[
                        "bind(id.stored())".to_owned(),
                        "execute(&mut **tx)".to_owned(),
                        "await".to_owned(),
                        "map_err(AppError::from_delete)?".to_owned(),
                    ],
                    ";",
                )
            );
        }
        out
    }

    fn repo_list(&self, out: &mut String, select: &str) {
        let n = self.n;
        let db = self.ctx.database;
        let filters = self.filters();
        let _ = write!(
            out,
            "\n/// A page of {}: the filters, the sort (then `id`), `LIMIT` and `OFFSET`.\npub async fn list(tx: &mut Tx, query: &{}) -> Result<Page<{}>, AppError> {{\n",
            n.plural, n.query, n.ty
        );
        out.push_str(&call_chain(
            "    ",
            "let mut count = ",
            "QueryBuilder::<Db>::new",
            &raw(&format!(
                "SELECT COUNT(*) FROM {}",
                quote(&self.entity.table)
            )),
            &[],
            ";",
        ));
        if !filters.is_empty() {
            out.push_str("    push_filters(&mut count, &query.filters);\n");
        }
        out.push_str(
            "    let total: i64 = count.build_query_scalar().fetch_one(&mut **tx).await?;\n",
        );
        out.push_str(&call_chain(
            "    ",
            "let mut select = ",
            "QueryBuilder::<Db>::new",
            &raw(select),
            &[],
            ";",
        ));
        if !filters.is_empty() {
            out.push_str("    push_filters(&mut select, &query.filters);\n");
        }
        out.push_str("    select.push(\" ORDER BY \");\n");
        let sorts: Vec<&Column<'_>> = self
            .entity
            .sorts
            .iter()
            .filter_map(|w| self.columns.iter().find(|c| &c.wire == w))
            .collect();
        if !sorts.is_empty() {
            out.push_str(
                "    if let Some(sort) = query.sort {\n        select.push(match sort.by {\n",
            );
            for c in &sorts {
                let col = quote(&c.column);
                let textual = c.field.is_some_and(|f| {
                    f.field.ty.is_textual() || matches!(f.field.ty, FieldType::Enum(_))
                });
                let expr = match (db, c.base.as_str()) {
                    (Database::Sqlite, "Decimal") => format!("CAST({col} AS REAL)"),
                    (Database::Postgres, _) if textual => format!("{col} COLLATE \"C\""),
                    _ => col.clone(),
                };
                let _ = writeln!(
                    out,
                    "            {}::{} => {},",
                    n.sort,
                    names::variant(&c.wire),
                    raw(&format!("({col} IS NULL), {expr}"))
                );
            }
            out.push_str("        });\n        select.push(format_args!(\" {}, \", sort.direction()));\n    }\n");
        }
        out.push_str("    select.push(r#\"\"id\" ASC LIMIT \"#);\n    select.push_bind(query.page.page_size);\n    select.push(\" OFFSET \");\n    select.push_bind(query.page.offset());\n");
        let _ = writeln!(
            out,
            "    let {}items: Vec<{}> = select.build_query_as().fetch_all(&mut **tx).await?;",
            if self.joins.is_empty() { "" } else { "mut " },
            n.ty
        );
        for j in &self.joins {
            let _ = writeln!(out, "    attach_{}(tx, &mut items).await?;", j.ident);
        }
        out.push_str("    Ok(Page {\n        items,\n        page: query.page.page,\n        page_size: query.page.page_size,\n        total,\n    })\n}\n");
        if !filters.is_empty() {
            let _ = write!(
                out,
                "\n/// `WHERE` with the filters that are given.\nfn push_filters(query: &mut QueryBuilder<Db>, filters: &{}) {{\n",
                n.filters
            );
            let last = filters.len() - 1;
            if filters.len() > 1 {
                out.push_str("    let mut glue = \" WHERE \";\n");
            }
            for (i, (ident, _, c, _)) in filters.iter().enumerate() {
                let glue = if filters.len() > 1 {
                    "glue"
                } else {
                    "\" WHERE \""
                };
                let _ = write!(
                    out,
                    "    if let Some(value) = &filters.{ident} {{\n        query\n            .push({glue})\n            .push({})\n            .push_bind(value.stored());\n",
                    raw(&format!("{} = ", quote(&c.column)))
                );
                if filters.len() > 1 && i < last {
                    out.push_str("        glue = \" AND \";\n");
                }
                out.push_str("    }\n");
            }
            out.push_str("}\n");
        }
    }

    fn repo_check_refs(&self, out: &mut String) {
        let n = self.n;
        let db = self.ctx.database;
        let _ = write!(
            out,
            "\n/// 422 when `input` refers to rows that do not exist.\npub async fn check_references(tx: &mut Tx, input: &{}) -> Result<(), AppError> {{\n    let mut errors = Vec::new();\n",
            n.input
        );
        for r in &self.entity.refs {
            let c = self
                .columns
                .iter()
                .find(|c| c.role == Role::Reference && c.column == r.column);
            let Some(c) = c else { continue };
            let sql = format!(
                "SELECT COUNT(*) FROM {} WHERE \"id\" = {}",
                quote(&r.target_table),
                db.placeholder(1)
            );
            if c.nullable {
                let _ = write!(
                    out,
                    "    if let Some(id) = input.{}\n{}{}    }}\n",
                    c.ident,
                    exists_condition("    ", "&& ", &raw(&sql)),
                    push_error("        ", &rust_str(&c.wire))
                );
            } else {
                let _ = write!(
                    out,
                    "    let id = input.{};\n{}{}    }}\n",
                    c.ident,
                    exists_condition("    ", "if ", &raw(&sql)),
                    push_error("        ", &rust_str(&c.wire))
                );
            }
        }
        for j in &self.joins {
            let sql = format!(
                "SELECT COUNT(*) FROM {} WHERE \"id\" = {}",
                quote(&j.target_table),
                db.placeholder(1)
            );
            let _ = write!(
                out,
                "    for &id in &input.{} {{\n{}{}        }}\n    }}\n",
                j.ident,
                exists_condition("        ", "if ", &raw(&sql)),
                push_error("            ", &rust_str(&j.wire))
            );
        }
        out.push_str("    if errors.is_empty() {\n        Ok(())\n    } else {\n        Err(AppError::Invalid(errors))\n    }\n}\n");
    }

    fn repo_insert(&self, out: &mut String) {
        let n = self.n;
        let db = self.ctx.database;
        let mut cols = Vec::new();
        let mut binds = Vec::new();
        for c in &self.columns {
            cols.push(quote(&c.column));
            binds.push(match c.role {
                Role::Id => "id.stored()".to_owned(),
                Role::Stamp => "now.stored()".to_owned(),
                _ => format!("input.{}.stored()", c.ident),
            });
        }
        let marks: Vec<String> = (1..=cols.len()).map(|i| db.placeholder(i)).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote(&self.entity.table),
            cols.join(", "),
            marks.join(", ")
        );
        let _ = write!(
            out,
            "\n/// Inserts the {} `id`{}.\npub async fn insert(tx: &mut Tx, id: Uuid, input: &{}) -> Result<(), AppError> {{\n",
            n.singular,
            if self.joins.is_empty() {
                ""
            } else {
                " with its relations"
            },
            n.input
        );
        if self.has_stamps() {
            out.push_str("    let now = db::now();\n");
        }
        let mut chain: Vec<String> = binds.iter().map(|b| format!("bind({b})")).collect();
        chain.extend([
            "execute(&mut **tx)".to_owned(),
            "await".to_owned(),
            "map_err(write_error)?".to_owned(),
        ]);
        out.push_str(&call_chain(
            "    ",
            "",
            "sqlx::query",
            &raw(&sql),
            &chain,
            ";",
        ));
        for j in &self.joins {
            let _ = writeln!(
                out,
                "    insert_{}(tx, id, &input.{}).await?;",
                j.ident, j.ident
            );
        }
        out.push_str("    Ok(())\n}\n");
    }

    fn repo_update(&self, out: &mut String) {
        let n = self.n;
        let db = self.ctx.database;
        let mut sets = Vec::new();
        let mut binds = Vec::new();
        for c in &self.columns {
            match c.role {
                Role::Id => {}
                Role::Stamp if c.wire == "created_at" => {}
                Role::Stamp => {
                    sets.push(quote(&c.column));
                    binds.push("now.stored()".to_owned());
                }
                _ => {
                    sets.push(quote(&c.column));
                    binds.push(format!("input.{}.stored()", c.ident));
                }
            }
        }
        let mut assignments: Vec<String> = sets
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{s} = {}", db.placeholder(i + 1)))
            .collect();
        if assignments.is_empty() {
            assignments.push("\"id\" = \"id\"".to_owned());
        }
        let sql = format!(
            "UPDATE {} SET {} WHERE \"id\" = {}",
            quote(&self.entity.table),
            assignments.join(", "),
            db.placeholder(sets.len() + 1)
        );
        binds.push("id.stored()".to_owned());
        let _ = write!(
            out,
            "\n/// Replaces the {} `id` by `input`{}.\npub async fn update(tx: &mut Tx, id: Uuid, input: &{}) -> Result<(), AppError> {{\n",
            n.singular,
            if self.joins.is_empty() {
                ""
            } else {
                ", relations included"
            },
            n.input
        );
        if self
            .columns
            .iter()
            .any(|c| c.role == Role::Stamp && c.wire != "created_at")
        {
            out.push_str("    let now = db::now();\n");
        }
        let mut chain: Vec<String> = binds.iter().map(|b| format!("bind({b})")).collect();
        chain.extend([
            "execute(&mut **tx)".to_owned(),
            "await".to_owned(),
            "map_err(write_error)?".to_owned(),
        ]);
        out.push_str(&call_chain(
            "    ",
            "",
            "sqlx::query",
            &raw(&sql),
            &chain,
            ";",
        ));
        for j in &self.joins {
            let sql = format!(
                "DELETE FROM {} WHERE {} = {}",
                quote(&j.table),
                quote(&j.owner_column),
                db.placeholder(1)
            );
            let _ = writeln!(
                out,
                "{}    insert_{}(tx, id, &input.{}).await?;",
                call_chain(
                    "    ",
                    "",
                    "sqlx::query",
                    &raw(&sql),
                    &[
                        "bind(id.stored())".to_owned(),
                        "execute(&mut **tx)".to_owned(),
                        "await?".to_owned()
                    ],
                    ";",
                ),
                j.ident,
                j.ident
            );
        }
        out.push_str("    Ok(())\n}\n");
    }

    fn handlers(&self) -> String {
        let n = self.n;
        let collection = &self.entity.collection;
        let list = self.allowed(Operation::List);
        let get = self.allowed(Operation::Get);
        let create = self.allowed(Operation::Create);
        let update = self.allowed(Operation::Update);
        let delete = self.allowed(Operation::Delete);
        let mut out = format!(
            "//! The HTTP handlers of {}: check the caller, read the request, call the hooks and the\n//! repository in one transaction, answer.\n\n",
            n.plural
        );
        out.push_str("use axum::Json;\n");
        if create || update {
            out.push_str("use axum::body::Bytes;\n");
        }
        let mut extract = Vec::new();
        if get || update || delete {
            extract.push("Path");
        }
        if list {
            extract.push("RawQuery");
        }
        extract.push("State");
        if extract.len() == 1 {
            let _ = writeln!(out, "use axum::extract::{};", extract[0]);
        } else {
            let _ = writeln!(out, "use axum::extract::{{{}}};", extract.join(", "));
        }
        if create {
            out.push_str("use axum::http::{StatusCode, header};\n");
        } else if delete {
            out.push_str("use axum::http::StatusCode;\n");
        }
        if create {
            out.push_str("use axum::response::IntoResponse;\n");
        }
        if create {
            out.push_str("use uuid::Uuid;\n");
        }
        out.push('\n');
        if create || update || delete {
            out.push_str("use super::hooks;\n");
        }
        let mut model = vec![n.ty.clone()];
        if create || update {
            model.push(n.input.clone());
        }
        if list {
            model.push(n.query.clone());
        }
        layout::sort_names(&mut model);
        out.push_str(&layout::use_list("use", "super::model", &model));
        out.push_str("use super::repo;\nuse crate::auth::Caller;\nuse crate::db;\nuse crate::error::AppError;\n");
        if list {
            out.push_str("use crate::pagination::Page;\n");
        }
        out.push_str("use crate::state::AppState;\n");
        if create || update || get || delete {
            out.push_str("use crate::validate;\n");
        }
        let caller = |out: &mut String, op: Operation| {
            let roles = self.roles(op);
            if roles.is_empty() {
                "_caller: Caller".to_owned()
            } else {
                let _ = out;
                "caller: Caller".to_owned()
            }
        };
        let require = |op: Operation| -> String {
            let roles = self.roles(op);
            if roles.is_empty() {
                String::new()
            } else {
                let line = format!("    caller.require_any(&[{}])?;\n", roles.join(", "));
                if line.len() <= 101 {
                    line
                } else {
                    let mut s = "    caller.require_any(&[\n".to_owned();
                    for r in &roles {
                        let _ = writeln!(s, "        {r},");
                    }
                    s.push_str("    ])?;\n");
                    s
                }
            }
        };
        if list {
            let c = caller(&mut out, Operation::List);
            let _ = write!(
                out,
                "\n/// `GET /api/{collection}`: a page of {}.\npub async fn list(\n    State(state): State<AppState>,\n    {c},\n    RawQuery(query): RawQuery,\n) -> Result<Json<Page<{}>>, AppError> {{\n{}    let query = {}::from_query(query.as_deref())?;\n    let mut tx = db::begin_read(&state.db).await?;\n    let page = repo::list(&mut tx, &query).await?;\n    tx.commit().await?;\n    Ok(Json(page))\n}}\n",
                n.plural,
                n.ty,
                require(Operation::List),
                n.query
            );
        }
        if get {
            let c = caller(&mut out, Operation::Get);
            let _ = write!(
                out,
                "\n/// `GET /api/{collection}/{{id}}`: one {}.\npub async fn get(\n    State(state): State<AppState>,\n    {c},\n    Path(id): Path<String>,\n) -> Result<Json<{}>, AppError> {{\n{}    let id = validate::path_id(&id)?;\n    let mut tx = db::begin_read(&state.db).await?;\n    let row = repo::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;\n    tx.commit().await?;\n    Ok(Json(row))\n}}\n",
                n.singular,
                n.ty,
                require(Operation::Get)
            );
        }
        let checks_refs =
            self.inputs().any(|c| c.role == Role::Reference) || !self.joins.is_empty();
        let check_refs = if checks_refs {
            "    repo::check_references(&mut tx, &input).await?;\n"
        } else {
            ""
        };
        if create {
            let c = caller(&mut out, Operation::Create);
            let _ = write!(
                out,
                "\n/// `POST /api/{collection}`: creates a {}; 201 with its `Location`.\npub async fn create(\n    State(state): State<AppState>,\n    {c},\n    body: Bytes,\n) -> Result<impl IntoResponse, AppError> {{\n{}    let mut input = {}::from_json(&validate::object(&body)?)?;\n    let mut tx = db::begin_write(&state.db).await?;\n    hooks::before_create(&mut tx, &mut input).await?;\n{check_refs}    let id = Uuid::new_v4();\n    repo::insert(&mut tx, id, &input).await?;\n    let row = repo::get(&mut tx, id)\n        .await?\n        .ok_or_else(|| AppError::internal(\"the new row is gone\"))?;\n    hooks::after_create(&mut tx, &row).await?;\n    tx.commit().await?;\n    let location = format!(\"/api/{collection}/{{id}}\");\n    Ok((\n        StatusCode::CREATED,\n        [(header::LOCATION, location)],\n        Json(row),\n    ))\n}}\n",
                n.singular,
                require(Operation::Create),
                n.input
            );
        }
        if update {
            let c = caller(&mut out, Operation::Update);
            let _ = write!(
                out,
                "\n/// `PUT /api/{collection}/{{id}}`: replaces a {}.\npub async fn update(\n    State(state): State<AppState>,\n    {c},\n    Path(id): Path<String>,\n    body: Bytes,\n) -> Result<Json<{}>, AppError> {{\n{}    let id = validate::path_id(&id)?;\n    let mut input = {}::from_json(&validate::object(&body)?)?;\n    let mut tx = db::begin_write(&state.db).await?;\n    let existing = repo::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;\n    hooks::before_update(&mut tx, id, &existing, &mut input).await?;\n{check_refs}    repo::update(&mut tx, id, &input).await?;\n    let row = repo::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;\n    hooks::after_update(&mut tx, &row).await?;\n    tx.commit().await?;\n    Ok(Json(row))\n}}\n",
                n.singular,
                n.ty,
                require(Operation::Update),
                n.input
            );
        }
        if delete {
            let c = caller(&mut out, Operation::Delete);
            let _ = write!(
                out,
                "\n/// `DELETE /api/{collection}/{{id}}`: deletes a {}; 204.\npub async fn delete(\n    State(state): State<AppState>,\n    {c},\n    Path(id): Path<String>,\n) -> Result<StatusCode, AppError> {{\n{}    let id = validate::path_id(&id)?;\n    let mut tx = db::begin_write(&state.db).await?;\n    let existing = repo::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;\n    hooks::before_delete(&mut tx, &existing).await?;\n    if !repo::delete(&mut tx, id).await? {{\n        return Err(AppError::NotFound);\n    }}\n    hooks::after_delete(&mut tx, &existing).await?;\n    tx.commit().await?;\n    Ok(StatusCode::NO_CONTENT)\n}}\n",
                n.singular,
                require(Operation::Delete)
            );
        }
        let _ = n.ty.as_str();
        out
    }

    fn hooks(&self) -> String {
        let n = self.n;
        let ty = &n.ty;
        let input = &n.input;
        let create = self.allowed(Operation::Create);
        let update = self.allowed(Operation::Update);
        let delete = self.allowed(Operation::Delete);
        let mut out = format!(
            "//! Your rules for {}: the handlers call these functions inside the transaction of each\n//! write, so an `Err` undoes the write and is the response (`AppError::invalid(field,\n//! message)` answers 422). specforge writes this file once and never touches it again.\n//!\n//! Each hook gets the transaction: `sqlx::query(\"…\").execute(&mut **tx)` runs in it.\n",
            n.plural
        );
        if !(create || update || delete) {
            return out;
        }
        out.push('\n');
        if update {
            out.push_str("use uuid::Uuid;\n\n");
        }
        if create || update {
            let _ = writeln!(out, "use super::model::{{{ty}, {input}}};");
        } else {
            let _ = writeln!(out, "use super::model::{ty};");
        }
        out.push_str("use crate::db::Tx;\nuse crate::error::AppError;\n");
        if create {
            let _ = write!(
                out,
                "\n/// Before a `{ty}` is created from `input` (which you may change).\npub async fn before_create(_tx: &mut Tx, _input: &mut {input}) -> Result<(), AppError> {{\n    Ok(())\n}}\n\n/// After `row` is created, before the response.\npub async fn after_create(_tx: &mut Tx, _row: &{ty}) -> Result<(), AppError> {{\n    Ok(())\n}}\n"
            );
        }
        if update {
            let _ = write!(
                out,
                "\n/// Before the `{ty}` with `id` is replaced: `existing` is what is stored, `input` what\n/// replaces it (which you may change).\npub async fn before_update(\n    _tx: &mut Tx,\n    _id: Uuid,\n    _existing: &{ty},\n    _input: &mut {input},\n) -> Result<(), AppError> {{\n    Ok(())\n}}\n\n/// After `row` is replaced, before the response.\npub async fn after_update(_tx: &mut Tx, _row: &{ty}) -> Result<(), AppError> {{\n    Ok(())\n}}\n"
            );
        }
        if delete {
            let _ = write!(
                out,
                "\n/// Before `existing` is deleted.\npub async fn before_delete(_tx: &mut Tx, _existing: &{ty}) -> Result<(), AppError> {{\n    Ok(())\n}}\n\n/// After `existing` is deleted, before the response.\npub async fn after_delete(_tx: &mut Tx, _existing: &{ty}) -> Result<(), AppError> {{\n    Ok(())\n}}\n"
            );
        }
        out
    }
}

/// `{prefix}{call}({arg})` then `.{chain}` lines, laid out as rustfmt lays them out: the
/// argument on the call's line when it fits, else on a line of its own.
fn call_chain(
    indent: &str,
    prefix: &str,
    call: &str,
    arg: &str,
    chain: &[String],
    end: &str,
) -> String {
    let mut out = String::new();
    let one = format!("{indent}{prefix}{call}({arg})");
    if chain.is_empty() {
        let line = format!("{one}{end}");
        let next = format!("{indent}    {call}({arg}){end}");
        if line.len() <= 100 {
            let _ = writeln!(out, "{line}");
        } else if !prefix.is_empty() && next.len() <= 100 {
            let _ = writeln!(out, "{indent}{}\n{next}", prefix.trim_end());
        } else {
            let _ = writeln!(
                out,
                "{indent}{prefix}{call}(\n{indent}    {arg},\n{indent}){end}"
            );
        }
        return out;
    }
    let last = chain.len() - 1;
    if one.len() < 100 {
        let _ = writeln!(out, "{one}");
        for (i, c) in chain.iter().enumerate() {
            let _ = writeln!(out, "{indent}    .{c}{}", if i == last { end } else { "" });
        }
    } else {
        let _ = writeln!(
            out,
            "{indent}{prefix}{call}(\n{indent}    {arg},\n{indent})"
        );
        for (i, c) in chain.iter().enumerate() {
            let _ = writeln!(out, "{indent}.{c}{}", if i == last { end } else { "" });
        }
    }
    out
}

/// `if !db::exists(tx, SQL, id).await? {` (`keyword` `if `) or the `&& …` line of a let
/// chain and its `{` (`keyword` `&& `), as rustfmt lays them out.
fn exists_condition(indent: &str, keyword: &str, sql: &str) -> String {
    let args = format!("tx, {sql}, id");
    let chained = keyword == "&& ";
    let inner = if chained {
        format!("{indent}    ")
    } else {
        indent.to_owned()
    };
    let one = format!("{inner}{keyword}!db::exists({args}).await?");
    if args.len() <= 60 && one.len() + if chained { 0 } else { 2 } <= 100 {
        if chained {
            return format!("{one}\n{indent}{{\n");
        }
        return format!("{one} {{\n");
    }
    format!(
        "{inner}{keyword}!db::exists(\n{inner}    tx,\n{inner}    {sql},\n{inner}    id,\n{inner})\n{inner}.await?\n{indent}{{\n"
    )
}

/// `errors.push(FieldError::new(wire, format!(…)));` as rustfmt lays it out.
fn push_error(indent: &str, wire: &str) -> String {
    let line = format!(
        "{indent}errors.push(FieldError::new({wire}, format!(\"no row has the id {{id}}\")));"
    );
    let argument = format!("FieldError::new({wire}, format!(\"no row has the id {{id}}\"))");
    if line.len() <= 100 && argument.len() <= 60 {
        format!("{line}\n")
    } else {
        format!(
            "{indent}errors.push(FieldError::new(\n{indent}    {wire},\n{indent}    format!(\"no row has the id {{id}}\"),\n{indent}));\n"
        )
    }
}

enum Steps {
    /// A function taking the value (`validate::date`).
    Function(String),
    /// One expression of `v`.
    Expr(String),
    /// A first step giving `value`, then checks on it.
    Block(String, Vec<String>),
}

fn struct_field(out: &mut String, ident: &str, wire: &str, ty: &str, with: Option<&str>) {
    let mut attrs = Vec::new();
    if ident != wire {
        attrs.push(format!("rename = {}", rust_str(wire)));
    }
    if let Some(with) = with {
        attrs.push(format!("serialize_with = \"{with}\""));
    }
    if !attrs.is_empty() {
        let _ = writeln!(out, "    #[serde({})]", attrs.join(", "));
    }
    let _ = writeln!(out, "    pub {ident}: {ty},");
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn float_literal(value: f64) -> String {
    let text = format!("{value:?}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

fn units_text(units: i128, scale: u32) -> String {
    let digits = units.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let sign = if units < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// A `json!(…)` expression for a default value.
fn json_macro(value: &serde_json::Value) -> String {
    format!("json!({})", json_tokens(value))
}

fn json_tokens(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => rust_str(s),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(json_tokens).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", rust_str(k), json_tokens(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Number;

    fn units(text: &str, scale: u32, up: bool) -> Option<i128> {
        let number: Number = serde_json::from_str(text).expect("number");
        decimal_units(&number, scale, up)
    }

    #[test]
    fn decimal_bounds_round_inward() {
        assert_eq!(units("0", 2, true), Some(0));
        assert_eq!(units("0.01", 2, true), Some(1));
        assert_eq!(units("100", 2, false), Some(10000));
        assert_eq!(units("0.005", 2, true), Some(1));
        assert_eq!(units("0.005", 2, false), Some(0));
        assert_eq!(units("-0.005", 2, true), Some(0));
        assert_eq!(units("-0.005", 2, false), Some(-1));
    }
}
