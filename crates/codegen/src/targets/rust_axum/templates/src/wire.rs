//! How values look in JSON where serde's default is not the API's: instants are RFC 3339 in
//! UTC with exactly six fractional digits (`2024-05-01T10:00:00.000000Z`).

use serde::Serializer;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

const DATETIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Serializes an instant (`#[serde(serialize_with = "wire::datetime")]`).
pub fn datetime<S: Serializer>(value: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    let text = value
        .to_offset(time::UtcOffset::UTC)
        .format(DATETIME)
        .map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

/// Serializes an optional instant (`#[serde(serialize_with = "wire::optional_datetime")]`).
pub fn optional_datetime<S: Serializer>(
    value: &Option<OffsetDateTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => datetime(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// Serializes a date as `YYYY-MM-DD` (`#[serde(serialize_with = "wire::date")]`).
pub fn date<S: Serializer>(value: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    let text = value
        .format(format_description!("[year]-[month]-[day]"))
        .map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

/// Serializes an optional date (`#[serde(serialize_with = "wire::optional_date")]`).
pub fn optional_date<S: Serializer>(
    value: &Option<Date>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => date(value, serializer),
        None => serializer.serialize_none(),
    }
}
