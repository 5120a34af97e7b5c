//! How the entities of the API are described: `entities.rs` holds one [`SfEntity`] per entity,
//! and the handlers, validation and SQL are driven by these descriptions.

use std::sync::LazyLock;

use regex::Regex;

/// How a field's values are held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SfKind {
    /// Text (string, text, email, url and enum values).
    Text,
    /// A 32-bit signed integer.
    Integer,
    /// A 64-bit signed integer.
    Bigint,
    /// A 64-bit float.
    Float,
    /// An exact decimal with a precision and a scale.
    Decimal,
    /// `true` or `false`.
    Boolean,
    /// A calendar date.
    Date,
    /// An instant, kept in UTC.
    Datetime,
    /// A UUID.
    Uuid,
    /// Any JSON value.
    Json,
}

/// A format text must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SfFormat {
    /// Any text.
    Plain,
    /// `local@domain.tld`.
    Email,
    /// `http://` or `https://` and a host.
    Url,
}

/// What a field is to the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SfRole {
    /// The primary key, made by the server.
    Id,
    /// A declared field, sent by clients.
    Field,
    /// When the row was created, set by the server.
    CreatedAt,
    /// When the row was last written, set by the server.
    UpdatedAt,
}

/// A bound of `min` or `max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SfBound {
    /// No bound.
    None,
    /// A whole number.
    Int(i64),
    /// A float.
    Float(f64),
    /// A decimal, as a whole number of units of the field's scale.
    Decimal(i128),
}

/// A scalar field (a column).
#[derive(Debug)]
pub struct SfField {
    /// JSON property name.
    pub wire: &'static str,
    /// SQL column.
    pub column: &'static str,
    /// How values are held.
    pub kind: SfKind,
    /// What the field is to the API.
    pub role: SfRole,
    /// Whether a value is required.
    pub required: bool,
    /// The default value as JSON text.
    pub default: Option<&'static str>,
    /// Fewest characters.
    pub min_length: Option<usize>,
    /// Most characters.
    pub max_length: Option<usize>,
    /// Smallest value.
    pub min: SfBound,
    /// Largest value.
    pub max: SfBound,
    /// A pattern text must contain a match of.
    pub pattern: Option<&'static LazyLock<Regex>>,
    /// A format text must have.
    pub format: SfFormat,
    /// The allowed values of an enum (empty: any text).
    pub values: &'static [&'static str],
    /// Total digits of a decimal.
    pub precision: u32,
    /// Digits after the point of a decimal.
    pub scale: u32,
    /// Name of the unique constraint, when values are unique.
    pub unique: Option<&'static str>,
}

impl SfField {
    /// The values of the properties most fields leave alone.
    pub const BASE: SfField = SfField {
        wire: "",
        column: "",
        kind: SfKind::Text,
        role: SfRole::Field,
        required: false,
        default: None,
        min_length: None,
        max_length: None,
        min: SfBound::None,
        max: SfBound::None,
        pattern: None,
        format: SfFormat::Plain,
        values: &[],
        precision: 0,
        scale: 0,
        unique: None,
    };
}

/// A reference to another entity (a foreign key column).
#[derive(Debug)]
pub struct SfRef {
    /// JSON property name (`author_id`).
    pub wire: &'static str,
    /// SQL column.
    pub column: &'static str,
    /// The table referred to.
    pub target_table: &'static str,
    /// Whether a value is required.
    pub required: bool,
    /// Name of the unique constraint (one-to-one).
    pub unique: Option<&'static str>,
}

/// An owned many-to-many relation (a join table).
#[derive(Debug)]
pub struct SfJoin {
    /// JSON property name (`tag_ids`).
    pub wire: &'static str,
    /// The join table.
    pub table: &'static str,
    /// Its column referring to this entity.
    pub owner_column: &'static str,
    /// Its column referring to the other entity.
    pub target_column: &'static str,
    /// The other entity's table.
    pub target_table: &'static str,
}

/// What a list filter compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SfFilterOn {
    /// `fields[i]`.
    Field(usize),
    /// `refs[i]`.
    Ref(usize),
}

/// A list filter.
#[derive(Debug)]
pub struct SfFilter {
    /// The query parameter.
    pub wire: &'static str,
    /// What it compares.
    pub on: SfFilterOn,
}

/// An operation of an entity.
#[derive(Debug)]
pub struct SfOperation {
    /// Whether the API has it.
    pub allowed: bool,
    /// Roles of which a caller needs one (empty: any authenticated caller).
    pub roles: &'static [&'static str],
}

/// An entity.
#[derive(Debug)]
pub struct SfEntity {
    /// Its name in the specification.
    pub name: &'static str,
    /// SQL table.
    pub table: &'static str,
    /// URL segment of its collection.
    pub collection: &'static str,
    /// Scalar fields: `id`, declared fields, then the timestamps.
    pub fields: &'static [SfField],
    /// References to other entities.
    pub refs: &'static [SfRef],
    /// Owned many-to-many relations.
    pub joins: &'static [SfJoin],
    /// List filters.
    pub filters: &'static [SfFilter],
    /// Fields the list sorts by (indexes into `fields`).
    pub sorts: &'static [usize],
    /// Items per page when the client does not say.
    pub page_size: i64,
    /// Most items per page.
    pub max_page_size: i64,
    /// `GET /api/{collection}`.
    pub list: SfOperation,
    /// `GET /api/{collection}/{id}`.
    pub get: SfOperation,
    /// `POST /api/{collection}`.
    pub create: SfOperation,
    /// `PUT /api/{collection}/{id}`.
    pub update: SfOperation,
    /// `DELETE /api/{collection}/{id}`.
    pub delete: SfOperation,
}
