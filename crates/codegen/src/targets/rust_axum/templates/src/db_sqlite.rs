//! The database: one SQLite file (or memory), migrated at start with `migrations/`.
//!
//! SQLite keeps UUIDs, decimals, instants and JSON as text (see `migrations/0001_initial.sql`);
//! [`Column`] turns those stored forms back into Rust types, so rows and binds stay typed.

use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row as _, ValueRef as _};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// The database this project runs on.
pub type Db = sqlx::Sqlite;
/// A pool of connections.
pub type Pool = sqlx::SqlitePool;
/// A transaction; every request runs in one.
pub type Tx = sqlx::Transaction<'static, Db>;
/// A row of a query.
pub type Row = SqliteRow;

/// Instants as stored: UTC with six fractional digits, so text order is time order.
const DATETIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Opens the database at `url` (`sqlite:data.db`, `sqlite::memory:`) and runs the migrations.
///
/// Files use WAL and wait up to five seconds for a lock; an in-memory database is one
/// connection (every connection would otherwise see its own empty database).
pub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    let options = if memory {
        options
    } else {
        options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(if memory { 1 } else { 8 })
        .min_connections(if memory { 1 } else { 0 })
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await?;
    sqlx::migrate!().run(&pool).await?;
    Ok(pool)
}

/// Starts a transaction that writes: `BEGIN IMMEDIATE` takes the write lock at once, so two
/// concurrent writers wait for each other (up to the busy timeout) instead of failing.
pub async fn begin_write(pool: &Pool) -> Result<Tx, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// Starts a transaction that only reads.
pub async fn begin_read(pool: &Pool) -> Result<Tx, sqlx::Error> {
    pool.begin().await
}

/// Checks that the database answers.
pub async fn ping(pool: &Pool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}

/// Whether `sql` (a `SELECT COUNT(*)` with one parameter) counts a row with `id`.
pub async fn exists(tx: &mut Tx, sql: &'static str, id: Uuid) -> Result<bool, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(sql)
        .bind(id.stored())
        .fetch_one(&mut **tx)
        .await?;
    Ok(count > 0)
}

/// The current instant, to the microsecond (what the database keeps).
pub fn now() -> OffsetDateTime {
    truncate(OffsetDateTime::now_utc())
}

/// `value` in UTC, to the microsecond.
pub fn truncate(value: OffsetDateTime) -> OffsetDateTime {
    let value = value.to_offset(UtcOffset::UTC);
    value
        .replace_nanosecond(value.nanosecond() / 1000 * 1000)
        .unwrap_or(value)
}

/// Reads the column `name` of `row` as a `T`.
pub fn get<T: Column>(row: &Row, name: &str) -> sqlx::Result<T> {
    T::read(row, name)
}

/// A Rust type kept in a column, in the form this database stores it.
pub trait Column: Sized {
    /// What is bound for a value.
    type Stored: for<'q> sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send + 'static;

    /// Reads the column `name` of `row`.
    fn read(row: &Row, name: &str) -> sqlx::Result<Self>;

    /// The value as bound to a statement.
    fn stored(&self) -> Self::Stored;
}

fn decode_error(name: &str, error: impl Into<sqlx::error::BoxDynError>) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: name.to_owned(),
        source: error.into(),
    }
}

/// Reads a text column and parses it.
pub fn read_text<T, E>(
    row: &Row,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> sqlx::Result<T>
where
    E: Into<sqlx::error::BoxDynError>,
{
    let text: String = row.try_get(name)?;
    parse(&text).map_err(|e| decode_error(name, e))
}

impl<T: Column> Column for Option<T> {
    type Stored = Option<T::Stored>;

    fn read(row: &Row, name: &str) -> sqlx::Result<Self> {
        if row.try_get_raw(name)?.is_null() {
            Ok(None)
        } else {
            T::read(row, name).map(Some)
        }
    }

    fn stored(&self) -> Self::Stored {
        self.as_ref().map(T::stored)
    }
}

macro_rules! native_columns {
    ($($ty:ty),*) => {
        $(
            impl Column for $ty {
                type Stored = $ty;

                fn read(row: &Row, name: &str) -> sqlx::Result<Self> {
                    row.try_get(name)
                }

                fn stored(&self) -> Self::Stored {
                    self.clone()
                }
            }
        )*
    };
}

native_columns!(String, i32, i64, f64, bool, Date);

impl Column for Uuid {
    type Stored = String;

    fn read(row: &Row, name: &str) -> sqlx::Result<Self> {
        read_text(row, name, Uuid::parse_str)
    }

    fn stored(&self) -> String {
        self.hyphenated().to_string()
    }
}

impl Column for Decimal {
    type Stored = String;

    fn read(row: &Row, name: &str) -> sqlx::Result<Self> {
        read_text(row, name, Decimal::from_str)
    }

    fn stored(&self) -> String {
        self.to_string()
    }
}

impl Column for OffsetDateTime {
    type Stored = String;

    fn read(row: &Row, name: &str) -> sqlx::Result<Self> {
        read_text(row, name, |text| OffsetDateTime::parse(text, &Rfc3339))
    }

    fn stored(&self) -> String {
        truncate(*self).format(DATETIME).unwrap_or_default()
    }
}

impl Column for Value {
    type Stored = String;

    fn read(row: &Row, name: &str) -> sqlx::Result<Self> {
        read_text(row, name, |text| serde_json::from_str::<Value>(text))
    }

    fn stored(&self) -> String {
        self.to_string()
    }
}
