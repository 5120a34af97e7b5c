//! The database: PostgreSQL, migrated at start with `migrations/`.

use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::Row as _;
use sqlx::postgres::{PgPoolOptions, PgRow};
use time::{Date, OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// The database this project runs on.
pub type Db = sqlx::Postgres;
/// A pool of connections.
pub type Pool = sqlx::PgPool;
/// A transaction; every request runs in one.
pub type Tx = sqlx::Transaction<'static, Db>;
/// A row of a query.
pub type Row = PgRow;

/// Connects to `url` (`postgres://user:password@host/database`) and runs the migrations.
pub async fn connect(url: &str) -> Result<Pool, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    sqlx::migrate!().run(&pool).await?;
    Ok(pool)
}

/// Starts a transaction that writes.
pub async fn begin_write(pool: &Pool) -> Result<Tx, sqlx::Error> {
    pool.begin().await
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

/// A Rust type kept in a column.
pub trait Column: Sized {
    /// What is bound for a value.
    type Stored: for<'q> sqlx::Encode<'q, Db> + sqlx::Type<Db> + Send + 'static;

    /// Reads the column `name` of `row`.
    fn read(row: &Row, name: &str) -> sqlx::Result<Self>;

    /// The value as bound to a statement.
    fn stored(&self) -> Self::Stored;
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
    parse(&text).map_err(|e| sqlx::Error::ColumnDecode {
        index: name.to_owned(),
        source: e.into(),
    })
}

impl<T: Column> Column for Option<T> {
    type Stored = Option<T::Stored>;

    fn read(row: &Row, name: &str) -> sqlx::Result<Self> {
        use sqlx::ValueRef as _;
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

native_columns!(String, i32, i64, f64, bool, Date, Uuid, Decimal, Value);

impl Column for OffsetDateTime {
    type Stored = OffsetDateTime;

    fn read(row: &Row, name: &str) -> sqlx::Result<Self> {
        row.try_get::<OffsetDateTime, _>(name).map(truncate)
    }

    fn stored(&self) -> OffsetDateTime {
        truncate(*self)
    }
}
