//! The database: SQLite or PostgreSQL, chosen by the scheme of `DATABASE_URL`, with the schema
//! applied as the first migration. Queries are built at run time from the entity descriptions
//! (whitelisted names only; every value is bound).

use std::borrow::Cow;
use std::str::FromStr;

use serde_json::Value;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{AssertSqlSafe, Postgres, Row, SqlSafeStr, Sqlite, Transaction};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};
use uuid::Uuid;

use crate::meta::SfKind;

/// Errors of [`sf_connect`].
pub type SfError = Box<dyn std::error::Error + Send + Sync>;

/// The schema for SQLite (the `sql-sqlite` target's DDL).
pub const SQLITE_SCHEMA: &str = include_str!("../migrations/sqlite/0001_initial.sql");
/// The schema for PostgreSQL (the `sql-postgres` target's DDL).
pub const POSTGRES_SCHEMA: &str = include_str!("../migrations/postgres/0001_initial.sql");

/// Dates as stored in SQLite.
pub const SF_DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");
/// Instants as stored in SQLite and sent in responses: UTC, six fractional digits.
pub const SF_DATETIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// A connection pool.
#[derive(Clone, Debug)]
pub enum SfDb {
    /// SQLite.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// An SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SfDialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A value of a column.
#[derive(Clone, Debug, PartialEq)]
pub enum SfValue {
    /// SQL `NULL`.
    Null,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A decimal, as text with exactly its scale's digits.
    Decimal(String),
    /// A date.
    Date(Date),
    /// An instant (UTC).
    Datetime(OffsetDateTime),
    /// A UUID.
    Uuid(Uuid),
    /// A JSON value.
    Json(Value),
}

/// The migrations of a dialect.
pub fn sf_migrator(dialect: SfDialect) -> Migrator {
    let sql = match dialect {
        SfDialect::Sqlite => SQLITE_SCHEMA,
        SfDialect::Postgres => POSTGRES_SCHEMA,
    };
    Migrator::with_migrations(vec![Migration::new(
        1,
        Cow::Borrowed("initial"),
        MigrationType::Simple,
        sql.into_sql_str(),
        false,
    )])
}

/// Connects to `url` (`sqlite:…` or `postgres://…`) and applies the migrations.
pub async fn sf_connect(url: &str) -> Result<SfDb, SfError> {
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .foreign_keys(true);
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(if memory { 1 } else { 8 })
            .min_connections(if memory { 1 } else { 0 })
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        sf_migrator(SfDialect::Sqlite).run(&pool).await?;
        Ok(SfDb::Sqlite(pool))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(url)
            .await?;
        sf_migrator(SfDialect::Postgres).run(&pool).await?;
        Ok(SfDb::Postgres(pool))
    } else {
        Err("DATABASE_URL must start with `sqlite:` or `postgres://`".into())
    }
}

impl SfDb {
    /// Its dialect.
    pub fn dialect(&self) -> SfDialect {
        match self {
            SfDb::Sqlite(_) => SfDialect::Sqlite,
            SfDb::Postgres(_) => SfDialect::Postgres,
        }
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<SfTx, sqlx::Error> {
        Ok(match self {
            SfDb::Sqlite(pool) => SfTx::Sqlite(pool.begin().await?),
            SfDb::Postgres(pool) => SfTx::Postgres(pool.begin().await?),
        })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match self {
            SfDb::Sqlite(pool) => pool.close().await,
            SfDb::Postgres(pool) => pool.close().await,
        }
    }
}

/// A statement being built: text with placeholders and the values bound to them.
#[derive(Debug)]
pub struct SfSql {
    /// The dialect.
    pub dialect: SfDialect,
    /// The text.
    pub text: String,
    /// The values, with the kind of column each is for.
    pub binds: Vec<(SfKind, SfValue)>,
}

impl SfSql {
    /// An empty statement.
    pub fn new(dialect: SfDialect) -> Self {
        SfSql {
            dialect,
            text: String::new(),
            binds: Vec::new(),
        }
    }

    /// Appends text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a quoted identifier.
    pub fn ident(&mut self, name: &str) -> &mut Self {
        self.text.push_str(&sf_quote(name));
        self
    }

    /// Appends a column as selected (decimals as text in PostgreSQL).
    pub fn column(&mut self, name: &str, kind: SfKind) -> &mut Self {
        if kind == SfKind::Decimal && self.dialect == SfDialect::Postgres {
            self.text
                .push_str(&format!("CAST({} AS TEXT)", sf_quote(name)));
        } else {
            self.ident(name);
        }
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, kind: SfKind, value: SfValue) -> &mut Self {
        self.binds.push((kind, value));
        match self.dialect {
            SfDialect::Sqlite => self.text.push('?'),
            SfDialect::Postgres if kind == SfKind::Decimal => {
                self.text
                    .push_str(&format!("CAST(${} AS NUMERIC)", self.binds.len()));
            }
            SfDialect::Postgres => self.text.push_str(&format!("${}", self.binds.len())),
        }
        self
    }
}

/// A quoted SQL identifier.
pub fn sf_quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The current instant, to the microsecond, in UTC.
pub fn sf_now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}

/// An instant as stored and sent.
pub fn sf_format_datetime(value: OffsetDateTime) -> String {
    value
        .to_offset(UtcOffset::UTC)
        .format(SF_DATETIME)
        .unwrap_or_default()
}

/// A date as stored and sent.
pub fn sf_format_date(value: Date) -> String {
    value.format(SF_DATE).unwrap_or_default()
}

/// A transaction.
#[derive(Debug)]
pub enum SfTx {
    /// SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

macro_rules! sf_bind_all {
    ($query:ident, $binds:expr, $bind:ident) => {{
        let mut query = $query;
        for (kind, value) in $binds {
            query = $bind(query, *kind, value);
        }
        query
    }};
}

type SfSqliteQuery = sqlx::query::Query<'static, Sqlite, sqlx::sqlite::SqliteArguments>;
type SfPgQuery = sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments>;

fn sf_bind_sqlite(query: SfSqliteQuery, _kind: SfKind, value: &SfValue) -> SfSqliteQuery {
    match value {
        SfValue::Null => query.bind(None::<String>),
        SfValue::Text(v) | SfValue::Decimal(v) => query.bind(v.clone()),
        SfValue::Int(v) => query.bind(*v),
        SfValue::Float(v) => query.bind(*v),
        SfValue::Bool(v) => query.bind(i64::from(*v)),
        SfValue::Date(v) => query.bind(sf_format_date(*v)),
        SfValue::Datetime(v) => query.bind(sf_format_datetime(*v)),
        SfValue::Uuid(v) => query.bind(v.hyphenated().to_string()),
        SfValue::Json(v) => query.bind(v.to_string()),
    }
}

fn sf_bind_pg(query: SfPgQuery, kind: SfKind, value: &SfValue) -> SfPgQuery {
    match (kind, value) {
        (SfKind::Integer, SfValue::Int(v)) => {
            query.bind(i32::try_from(*v).unwrap_or(if *v < 0 { i32::MIN } else { i32::MAX }))
        }
        (SfKind::Integer, _) => query.bind(None::<i32>),
        (SfKind::Bigint, SfValue::Int(v)) => query.bind(*v),
        (SfKind::Bigint, _) => query.bind(None::<i64>),
        (SfKind::Float, SfValue::Float(v)) => query.bind(*v),
        (SfKind::Float, _) => query.bind(None::<f64>),
        (SfKind::Boolean, SfValue::Bool(v)) => query.bind(*v),
        (SfKind::Boolean, _) => query.bind(None::<bool>),
        (SfKind::Date, SfValue::Date(v)) => query.bind(*v),
        (SfKind::Date, _) => query.bind(None::<Date>),
        (SfKind::Datetime, SfValue::Datetime(v)) => query.bind(*v),
        (SfKind::Datetime, _) => query.bind(None::<OffsetDateTime>),
        (SfKind::Uuid, SfValue::Uuid(v)) => query.bind(*v),
        (SfKind::Uuid, _) => query.bind(None::<Uuid>),
        (SfKind::Json, SfValue::Json(v)) => query.bind(sqlx::types::Json(v.clone())),
        (SfKind::Json, _) => query.bind(None::<sqlx::types::Json<Value>>),
        (SfKind::Text | SfKind::Decimal, SfValue::Text(v) | SfValue::Decimal(v)) => {
            query.bind(v.clone())
        }
        (SfKind::Text | SfKind::Decimal, _) => query.bind(None::<String>),
    }
}

fn sf_decode_error(kind: SfKind, text: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored value `{text}` is not a {kind:?}").into())
}

/// Parses a value as SQLite stores it.
fn sf_parse_stored(kind: SfKind, text: String) -> Result<SfValue, sqlx::Error> {
    Ok(match kind {
        SfKind::Date => {
            SfValue::Date(Date::parse(&text, SF_DATE).map_err(|_| sf_decode_error(kind, &text))?)
        }
        SfKind::Datetime => SfValue::Datetime(
            PrimitiveDateTime::parse(&text, SF_DATETIME)
                .map_err(|_| sf_decode_error(kind, &text))?
                .assume_utc(),
        ),
        SfKind::Uuid => {
            SfValue::Uuid(Uuid::parse_str(&text).map_err(|_| sf_decode_error(kind, &text))?)
        }
        SfKind::Json => {
            SfValue::Json(serde_json::from_str(&text).map_err(|_| sf_decode_error(kind, &text))?)
        }
        SfKind::Decimal => SfValue::Decimal(text),
        _ => SfValue::Text(text),
    })
}

fn sf_decode_sqlite(row: &SqliteRow, i: usize, kind: SfKind) -> Result<SfValue, sqlx::Error> {
    Ok(match kind {
        SfKind::Integer | SfKind::Bigint => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(SfValue::Null, SfValue::Int),
        SfKind::Float => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(SfValue::Null, SfValue::Float),
        SfKind::Boolean => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(SfValue::Null, |v| SfValue::Bool(v != 0)),
        _ => match row.try_get::<Option<String>, _>(i)? {
            None => SfValue::Null,
            Some(text) => sf_parse_stored(kind, text)?,
        },
    })
}

fn sf_decode_pg(row: &PgRow, i: usize, kind: SfKind) -> Result<SfValue, sqlx::Error> {
    Ok(match kind {
        SfKind::Integer => row
            .try_get::<Option<i32>, _>(i)?
            .map_or(SfValue::Null, |v| SfValue::Int(i64::from(v))),
        SfKind::Bigint => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(SfValue::Null, SfValue::Int),
        SfKind::Float => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(SfValue::Null, SfValue::Float),
        SfKind::Boolean => row
            .try_get::<Option<bool>, _>(i)?
            .map_or(SfValue::Null, SfValue::Bool),
        SfKind::Date => row
            .try_get::<Option<Date>, _>(i)?
            .map_or(SfValue::Null, SfValue::Date),
        SfKind::Datetime => row
            .try_get::<Option<OffsetDateTime>, _>(i)?
            .map_or(SfValue::Null, SfValue::Datetime),
        SfKind::Uuid => row
            .try_get::<Option<Uuid>, _>(i)?
            .map_or(SfValue::Null, SfValue::Uuid),
        SfKind::Json => row
            .try_get::<Option<sqlx::types::Json<Value>>, _>(i)?
            .map_or(SfValue::Null, |v| SfValue::Json(v.0)),
        SfKind::Decimal => row
            .try_get::<Option<String>, _>(i)?
            .map_or(SfValue::Null, SfValue::Decimal),
        SfKind::Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(SfValue::Null, SfValue::Text),
    })
}

impl SfTx {
    /// Its dialect.
    pub fn dialect(&self) -> SfDialect {
        match self {
            SfTx::Sqlite(_) => SfDialect::Sqlite,
            SfTx::Postgres(_) => SfDialect::Postgres,
        }
    }

    /// Runs a statement; the number of rows it touched.
    pub async fn execute(&mut self, sql: SfSql) -> Result<u64, sqlx::Error> {
        Ok(match self {
            SfTx::Sqlite(tx) => {
                let query = sqlx::query::<Sqlite>(AssertSqlSafe(sql.text));
                sf_bind_all!(query, &sql.binds, sf_bind_sqlite)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
            SfTx::Postgres(tx) => {
                let query = sqlx::query::<Postgres>(AssertSqlSafe(sql.text));
                sf_bind_all!(query, &sql.binds, sf_bind_pg)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
        })
    }

    /// Runs a query whose columns have `kinds`.
    pub async fn fetch(
        &mut self,
        sql: SfSql,
        kinds: &[SfKind],
    ) -> Result<Vec<Vec<SfValue>>, sqlx::Error> {
        match self {
            SfTx::Sqlite(tx) => {
                let query = sqlx::query::<Sqlite>(AssertSqlSafe(sql.text));
                let rows = sf_bind_all!(query, &sql.binds, sf_bind_sqlite)
                    .fetch_all(&mut **tx)
                    .await?;
                rows.iter()
                    .map(|row| {
                        kinds
                            .iter()
                            .enumerate()
                            .map(|(i, kind)| sf_decode_sqlite(row, i, *kind))
                            .collect()
                    })
                    .collect()
            }
            SfTx::Postgres(tx) => {
                let query = sqlx::query::<Postgres>(AssertSqlSafe(sql.text));
                let rows = sf_bind_all!(query, &sql.binds, sf_bind_pg)
                    .fetch_all(&mut **tx)
                    .await?;
                rows.iter()
                    .map(|row| {
                        kinds
                            .iter()
                            .enumerate()
                            .map(|(i, kind)| sf_decode_pg(row, i, *kind))
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// Commits.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            SfTx::Sqlite(tx) => tx.commit().await,
            SfTx::Postgres(tx) => tx.commit().await,
        }
    }
}
