//! The schema as DDL: [`statements`] and [`ddl`], which the `sql-postgres` and `sql-sqlite`
//! targets write and the full targets' migrations are made of.
//!
//! Both dialects get the same tables, columns, unique constraints, foreign keys and checks
//! (lengths, ranges, enum values), with the same names, which the plan holds
//! ([`crate::sql_names`]). Every check of a column is one constraint, `ck_<table>_<column>`,
//! its conditions joined by `AND`, so that a name says which column broke. Patterns are not
//! checked in SQL (each database has its own regular-expression dialect); the generated
//! applications check them. Storage in SQLite: UUIDs (lowercase, hyphenated), dates, times
//! (RFC 3339, UTC, six fractional digits), decimals and JSON as TEXT; booleans as 0/1.
//!
//! The database fills in what it can generate when an insert leaves it out: `id` a random
//! (version 4) UUID, `created_at` and `updated_at` the current time, in the format the
//! generated services store. The services set all three themselves; the defaults serve rows
//! written by hand or by other tools.

use std::fmt::Write as _;

use serde_json::Value;
use specforge_spec::Model;
use specforge_spec::model::{Field, FieldType};

use crate::manifest::VERSION;
use crate::plan::{Plan, RefPlan};
use crate::sql_names;

/// A random version 4 UUID as SQLite text, lowercase and hyphenated as the services store it:
/// random hexadecimal digits, `4` as the version and one of `8`, `9`, `a`, `b` as the variant.
/// (`random() & 3` rather than `abs(random()) % 4`: `abs` fails on the smallest integer.)
const SQLITE_UUID_V4: &str = "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || \
     substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (random() & 3), 1) || \
     substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

/// The current time as SQLite text in the services' format, `2024-05-01T10:00:00.123000Z`:
/// SQLite gives milliseconds, the services store six fractional digits.
const SQLITE_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')";

/// An SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL 14+.
    Postgres,
    /// SQLite 3.35+.
    Sqlite,
}

/// A quoted SQL identifier.
pub fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// A quoted SQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The column type of a field.
pub fn column_type(model: &Model, field: &Field, dialect: Dialect) -> String {
    let c = &field.constraints;
    let pg = dialect == Dialect::Postgres;
    match &field.ty {
        FieldType::String | FieldType::Email | FieldType::Url if pg => {
            format!("VARCHAR({})", c.max_length.unwrap_or(255))
        }
        FieldType::String | FieldType::Email | FieldType::Url | FieldType::Text => "TEXT".into(),
        FieldType::Integer => "INTEGER".into(),
        FieldType::Bigint if pg => "BIGINT".into(),
        FieldType::Bigint => "INTEGER".into(),
        FieldType::Float if pg => "DOUBLE PRECISION".into(),
        FieldType::Float => "REAL".into(),
        FieldType::Decimal if pg => format!(
            "NUMERIC({}, {})",
            c.precision.unwrap_or(18),
            c.scale.unwrap_or(2)
        ),
        FieldType::Boolean if pg => "BOOLEAN".into(),
        FieldType::Boolean => "INTEGER".into(),
        FieldType::Date if pg => "DATE".into(),
        FieldType::Datetime if pg => "TIMESTAMPTZ".into(),
        FieldType::Uuid if pg => "UUID".into(),
        FieldType::Json if pg => "JSONB".into(),
        FieldType::Enum(name) if pg => {
            let longest = model
                .enum_(name)
                .and_then(|e| e.values.iter().map(|v| v.chars().count()).max())
                .unwrap_or(1);
            format!("VARCHAR({longest})")
        }
        FieldType::Decimal
        | FieldType::Date
        | FieldType::Datetime
        | FieldType::Uuid
        | FieldType::Json
        | FieldType::Enum(_) => "TEXT".into(),
    }
}

/// The SQL literal of a default value, when the field has one.
fn default_literal(field: &Field, dialect: Dialect) -> Option<String> {
    let value = field.default.as_ref()?;
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) if dialect == Dialect::Sqlite => u8::from(*b).to_string(),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Value::Number(n) if field.ty == FieldType::Decimal && dialect == Dialect::Sqlite => {
            literal(&n.to_string())
        }
        Value::Number(n) => n.to_string(),
        Value::String(s) => literal(s),
        other => {
            let text = literal(&other.to_string());
            if dialect == Dialect::Postgres {
                format!("{text}::jsonb")
            } else {
                text
            }
        }
    })
}

/// The default of a column the database generates (`id`, `created_at`, `updated_at`).
fn generated_default(field: &Field, dialect: Dialect) -> Option<String> {
    if !field.implicit {
        return None;
    }
    Some(match (field.primary_key, dialect) {
        (true, Dialect::Postgres) => "gen_random_uuid()".to_owned(),
        (true, Dialect::Sqlite) => format!("({SQLITE_UUID_V4})"),
        (false, Dialect::Postgres) => "CURRENT_TIMESTAMP".to_owned(),
        (false, Dialect::Sqlite) => format!("({SQLITE_NOW})"),
    })
}

/// Whether the column of `field` gets a check in either dialect.
pub(crate) fn has_checks(model: &Model, field: &Field) -> bool {
    [Dialect::Postgres, Dialect::Sqlite]
        .into_iter()
        .any(|dialect| !checks(model, field, "c", dialect).is_empty())
}

/// Checks a column gets beyond its type.
pub(crate) fn checks(model: &Model, field: &Field, column: &str, dialect: Dialect) -> Vec<String> {
    let c = &field.constraints;
    let col = quote(column);
    let length = match dialect {
        Dialect::Postgres => format!("char_length({col})"),
        Dialect::Sqlite => format!("length({col})"),
    };
    let mut out = Vec::new();
    if field.ty.is_textual() {
        if let Some(min) = c.min_length.filter(|&m| m > 0) {
            out.push(format!("{length} >= {min}"));
        }
        // PostgreSQL's VARCHAR(n) holds the maximum already.
        if let Some(max) = c.max_length
            && (dialect == Dialect::Sqlite || field.ty == FieldType::Text)
        {
            out.push(format!("{length} <= {max}"));
        }
    }
    if field.ty.is_numeric() {
        let value = if field.ty == FieldType::Decimal && dialect == Dialect::Sqlite {
            format!("CAST({col} AS REAL)")
        } else {
            col.clone()
        };
        if let Some(min) = &c.min {
            out.push(format!("{value} >= {min}"));
        }
        if let Some(max) = &c.max {
            out.push(format!("{value} <= {max}"));
        }
    }
    if let FieldType::Enum(name) = &field.ty
        && let Some(def) = model.enum_(name)
    {
        let values: Vec<String> = def.values.iter().map(|v| literal(v)).collect();
        out.push(format!("{col} IN ({})", values.join(", ")));
    }
    if field.ty == FieldType::Boolean && dialect == Dialect::Sqlite {
        out.push(format!("{col} IN (0, 1)"));
    }
    out
}

/// The schema of `plan` in `dialect` as a script: a comment, then [`statements`], each ended
/// by `;`, tables apart by blank lines. Ends with a newline.
pub fn ddl(plan: &Plan<'_>, dialect: Dialect) -> String {
    let pg = dialect == Dialect::Postgres;
    let mut sql = String::new();
    let _ = writeln!(
        sql,
        "-- Schema of `{}`, generated by specforge {VERSION} for {}.",
        plan.model.name.replace(['\n', '\r'], " "),
        if pg {
            "PostgreSQL 14+"
        } else {
            "SQLite 3.35+ (run with PRAGMA foreign_keys = ON)"
        }
    );
    let mut previous = None;
    for statement in statements(plan, dialect) {
        // Blank lines around each table and between the groups of one-line statements.
        let kind = statement.split(' ').next().unwrap_or_default().to_owned();
        let table = statement.starts_with("CREATE TABLE");
        if table || previous.as_deref() != Some(kind.as_str()) {
            sql.push('\n');
        }
        previous = Some(if table { String::new() } else { kind });
        sql.push_str(&statement);
        sql.push_str(";\n");
    }
    sql
}

/// The statements that create the schema of `plan` in `dialect`, without their final `;`:
/// tables in declaration order, then join tables, then (in PostgreSQL) foreign keys, then
/// indexes.
pub fn statements(plan: &Plan<'_>, dialect: Dialect) -> Vec<String> {
    let model = plan.model;
    let pg = dialect == Dialect::Postgres;
    let id_type = if pg { "UUID" } else { "TEXT" };
    let mut out = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut indexes = Vec::new();
    for entity in &plan.entities {
        let table = quote(&entity.table);
        // Declared fields and `id`, then references, then the timestamps, then the unique
        // constraints.
        let mut lines = Vec::new();
        let mut timestamps = Vec::new();
        for f in &entity.fields {
            let mut line = format!(
                "    {} {}",
                quote(&f.column),
                column_type(model, f.field, dialect)
            );
            if f.field.primary_key {
                let _ = write!(
                    line,
                    " CONSTRAINT {} PRIMARY KEY",
                    quote(&entity.primary_key)
                );
            } else if f.field.required {
                line.push_str(" NOT NULL");
            }
            if let Some(default) =
                generated_default(f.field, dialect).or_else(|| default_literal(f.field, dialect))
            {
                let _ = write!(line, " DEFAULT {default}");
            }
            let conditions = checks(model, f.field, &f.column, dialect);
            if !conditions.is_empty() {
                let name = f
                    .check_constraint
                    .clone()
                    .unwrap_or_else(|| sql_names::check_name(&entity.table, &f.column));
                let _ = write!(
                    line,
                    " CONSTRAINT {} CHECK ({})",
                    quote(&name),
                    conditions.join(" AND ")
                );
            }
            if f.field.implicit && !f.field.primary_key {
                timestamps.push(line);
            } else {
                lines.push(line);
            }
        }
        for r in &entity.refs {
            let mut line = format!("    {} {id_type}", quote(&r.column));
            if r.required {
                line.push_str(" NOT NULL");
            }
            let reference = references(&r.target_table, r.on_delete);
            if pg {
                foreign_keys.push(add_foreign_key(
                    &entity.table,
                    &r.foreign_key,
                    &r.column,
                    &reference,
                ));
            } else {
                let _ = write!(line, " CONSTRAINT {} {reference}", quote(&r.foreign_key));
            }
            lines.push(line);
            if let Some(name) = &r.index {
                indexes.push(create_index(name, &entity.table, &r.column));
            }
        }
        lines.extend(timestamps);
        let unique_fields = entity
            .fields
            .iter()
            .filter_map(|f| Some((f.unique_constraint.as_ref()?, &f.column)));
        let unique_refs = entity
            .refs
            .iter()
            .filter_map(|r: &RefPlan<'_>| Some((r.unique_constraint.as_ref()?, &r.column)));
        for (name, column) in unique_fields.chain(unique_refs) {
            lines.push(format!(
                "    CONSTRAINT {} UNIQUE ({})",
                quote(name),
                quote(column)
            ));
        }
        for filter in &entity.filters {
            if let crate::plan::FilterOn::Field(i) = filter.on
                && let Some(name) = &entity.fields[i].index
            {
                indexes.push(create_index(name, &entity.table, &entity.fields[i].column));
            }
        }
        out.push(format!("CREATE TABLE {table} (\n{}\n)", lines.join(",\n")));
    }
    for join in &plan.joins {
        let mut lines = Vec::new();
        for (column, table, name) in [
            (
                &join.owner_column,
                &join.owner_table,
                &join.owner_foreign_key,
            ),
            (
                &join.target_column,
                &join.target_table,
                &join.target_foreign_key,
            ),
        ] {
            let reference = references(table, "CASCADE");
            let mut line = format!("    {} {id_type} NOT NULL", quote(column));
            if pg {
                foreign_keys.push(add_foreign_key(&join.table, name, column, &reference));
            } else {
                let _ = write!(line, " CONSTRAINT {} {reference}", quote(name));
            }
            lines.push(line);
        }
        lines.push(format!(
            "    CONSTRAINT {} PRIMARY KEY ({}, {})",
            quote(&join.primary_key),
            quote(&join.owner_column),
            quote(&join.target_column)
        ));
        out.push(format!(
            "CREATE TABLE {} (\n{}\n)",
            quote(&join.table),
            lines.join(",\n")
        ));
        indexes.push(create_index(&join.index, &join.table, &join.target_column));
    }
    out.extend(foreign_keys);
    out.extend(indexes);
    out
}

/// `REFERENCES "table" ("id") ON DELETE action`.
fn references(table: &str, on_delete: &str) -> String {
    format!("REFERENCES {} (\"id\") ON DELETE {on_delete}", quote(table))
}

/// PostgreSQL's foreign key after the tables, so that tables may refer to each other in any
/// order.
fn add_foreign_key(table: &str, name: &str, column: &str, references: &str) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) {references}",
        quote(table),
        quote(name),
        quote(column)
    )
}

fn create_index(name: &str, table: &str, column: &str) -> String {
    format!(
        "CREATE INDEX {} ON {} ({})",
        quote(name),
        quote(table),
        quote(column)
    )
}
