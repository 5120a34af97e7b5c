//! The schema as DDL: [`statements`] and [`ddl`], which the `sql-postgres` and `sql-sqlite`
//! targets write and the full targets' migrations are made of.
//!
//! Both dialects get the same tables, columns, unique constraints, foreign keys and checks
//! (lengths, ranges, enum values). Patterns are not checked in SQL (each database has its own
//! regular-expression dialect); the generated applications check them. Storage in SQLite:
//! UUIDs, dates, times (RFC 3339, UTC), decimals and JSON as TEXT; booleans as 0/1.

use std::fmt::Write as _;

use serde_json::Value;
use specforge_spec::Model;
use specforge_spec::model::{Field, FieldType};

use crate::manifest::VERSION;
use crate::plan::{EntityPlan, FieldPlan, Plan, constraint_name};

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

/// Checks a column gets beyond its type.
fn checks(model: &Model, plan: &FieldPlan<'_>, dialect: Dialect) -> Vec<String> {
    let field = plan.field;
    let c = &field.constraints;
    let col = quote(&plan.column);
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
    let mut out = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut indexes = Vec::new();
    for entity in &plan.entities {
        let mut sql = format!("CREATE TABLE {} (\n", quote(&entity.table));
        let mut lines = Vec::new();
        // Declared fields and `id`, then references, then the timestamps.
        let mut columns = Vec::new();
        for f in entity.fields.iter().filter(|f| !is_timestamp(f)) {
            let mut line = format!(
                "    {} {}",
                quote(&f.column),
                column_type(model, f.field, dialect)
            );
            if f.field.primary_key {
                line.push_str(" PRIMARY KEY");
            } else if f.field.required {
                line.push_str(" NOT NULL");
            }
            if let Some(default) = default_literal(f.field, dialect) {
                let _ = write!(line, " DEFAULT {default}");
            }
            for check in checks(model, f, dialect) {
                let _ = write!(line, " CHECK ({check})");
            }
            columns.push(line);
        }
        for r in &entity.refs {
            let mut line = format!(
                "    {} {}",
                quote(&r.column),
                if pg { "UUID" } else { "TEXT" }
            );
            if r.required {
                line.push_str(" NOT NULL");
            }
            let target = quote(&r.target_table);
            if pg {
                foreign_keys.push(format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {target} (\"id\") ON DELETE {}",
                    quote(&entity.table),
                    quote(&constraint_name("fk", &entity.table, &r.column)),
                    quote(&r.column),
                    r.on_delete
                ));
            } else {
                let _ = write!(
                    line,
                    " REFERENCES {target} (\"id\") ON DELETE {}",
                    r.on_delete
                );
            }
            columns.push(line);
            if !r.unique {
                indexes.push(index(entity, &r.column));
            }
        }
        for f in entity.fields.iter().filter(|f| is_timestamp(f)) {
            let mut line = format!(
                "    {} {}",
                quote(&f.column),
                column_type(model, f.field, dialect)
            );
            if f.field.required {
                line.push_str(" NOT NULL");
            }
            columns.push(line);
        }
        lines.extend(columns);
        for f in &entity.fields {
            if let Some(name) = &f.unique_constraint {
                lines.push(format!(
                    "    CONSTRAINT {} UNIQUE ({})",
                    quote(name),
                    quote(&f.column)
                ));
            }
        }
        for r in &entity.refs {
            if let Some(name) = &r.unique_constraint {
                lines.push(format!(
                    "    CONSTRAINT {} UNIQUE ({})",
                    quote(name),
                    quote(&r.column)
                ));
            }
        }
        for filter in &entity.filters {
            if let crate::plan::FilterOn::Field(i) = filter.on {
                let f = &entity.fields[i];
                if f.unique_constraint.is_none() && !f.field.primary_key {
                    indexes.push(index(entity, &f.column));
                }
            }
        }
        sql.push_str(&lines.join(",\n"));
        sql.push_str("\n)");
        out.push(sql);
    }
    for join in &plan.joins {
        let id = if pg { "UUID" } else { "TEXT" };
        let mut sql = format!("CREATE TABLE {} (\n", quote(&join.table));
        let reference = |table: &str| {
            if pg {
                String::new()
            } else {
                format!(" REFERENCES {} (\"id\") ON DELETE CASCADE", quote(table))
            }
        };
        let _ = writeln!(
            sql,
            "    {} {id} NOT NULL{},",
            quote(&join.owner_column),
            reference(&join.owner_table)
        );
        let _ = writeln!(
            sql,
            "    {} {id} NOT NULL{},",
            quote(&join.target_column),
            reference(&join.target_table)
        );
        let _ = write!(
            sql,
            "    PRIMARY KEY ({}, {})\n)",
            quote(&join.owner_column),
            quote(&join.target_column)
        );
        out.push(sql);
        if pg {
            for (column, table) in [
                (&join.owner_column, &join.owner_table),
                (&join.target_column, &join.target_table),
            ] {
                foreign_keys.push(format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} (\"id\") ON DELETE CASCADE",
                    quote(&join.table),
                    quote(&constraint_name("fk", &join.table, column)),
                    quote(column),
                    quote(table)
                ));
            }
        }
        indexes.push(format!(
            "CREATE INDEX {} ON {} ({})",
            quote(&constraint_name("ix", &join.table, &join.target_column)),
            quote(&join.table),
            quote(&join.target_column)
        ));
    }
    out.extend(foreign_keys);
    out.extend(indexes);
    out
}

/// `created_at` and `updated_at`.
fn is_timestamp(f: &FieldPlan<'_>) -> bool {
    f.field.implicit && !f.field.primary_key
}

fn index(entity: &EntityPlan<'_>, column: &str) -> String {
    format!(
        "CREATE INDEX {} ON {} ({})",
        quote(&constraint_name("ix", &entity.table, column)),
        quote(&entity.table),
        quote(column)
    )
}
