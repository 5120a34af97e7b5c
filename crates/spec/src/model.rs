//! The normalized model (IR) that every code generator reads.
//!
//! Everything a target needs is explicit here: implicit fields are present, defaults are filled
//! in, both sides of every relation exist, and names are exactly as the user wrote them (targets
//! apply their own naming rules). Entities, fields, relations and enums keep declaration order.

use serde::{Deserialize, Serialize};

/// Format version this release reads.
pub const FORMAT_VERSION: u32 = 1;

/// A whole specification, validated and normalized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Format version of the specification (always [`FORMAT_VERSION`]).
    pub specforge: u32,
    /// The generated application's name.
    pub name: String,
    /// Human title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Declared roles, in order.
    pub roles: Vec<String>,
    /// Enums, in declaration order.
    pub enums: Vec<Enum>,
    /// Entities, in declaration order.
    pub entities: Vec<Entity>,
}

/// A named set of string values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    /// Name as written.
    pub name: String,
    /// Human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Values, in declaration order.
    pub values: Vec<String>,
}

/// An entity: one table, one resource of the generated API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Name as written.
    pub name: String,
    /// Human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the implicit `created_at`/`updated_at` fields exist.
    pub timestamps: bool,
    /// Fields: the implicit `id` first, then the declared fields in order, then the timestamps.
    pub fields: Vec<Field>,
    /// Relations: declared ones in order, then the inverse sides specforge inferred.
    pub relations: Vec<Relation>,
    /// The API operations generated for this entity, in canonical order.
    pub operations: Vec<Operation>,
    /// How the list operation filters, sorts and pages.
    pub list: ListOptions,
    /// Which roles may perform each operation.
    pub permissions: Permissions,
}

/// A scalar column of an entity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Name as written.
    pub name: String,
    /// Resolved type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Whether a value must be given (and the column is NOT NULL).
    pub required: bool,
    /// Whether values must be unique across rows.
    pub unique: bool,
    /// Whether specforge added this field (`id`, `created_at`, `updated_at`).
    pub implicit: bool,
    /// Whether this is the primary key (`id`).
    pub primary_key: bool,
    /// Default value, converted to the field's type (dates, decimals and UUIDs as strings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// Constraints on values.
    pub constraints: Constraints,
    /// Human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The type of a field.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum FieldType {
    /// Short text (with a maximum length, 255 unless given).
    String,
    /// Long text without a length limit.
    Text,
    /// 32-bit signed integer.
    Integer,
    /// 64-bit signed integer.
    Bigint,
    /// 64-bit floating point.
    Float,
    /// Exact decimal with precision and scale.
    Decimal,
    /// true or false.
    Boolean,
    /// Calendar date.
    Date,
    /// Instant in time, UTC.
    Datetime,
    /// UUID.
    Uuid,
    /// E-mail address.
    Email,
    /// Absolute URL.
    Url,
    /// Any JSON value.
    Json,
    /// One of a declared enum's values; the payload is the enum's name.
    Enum(String),
}

impl FieldType {
    /// The built-in type names, in documentation order.
    pub const BUILTIN: &'static [&'static str] = &[
        "string", "text", "integer", "bigint", "float", "decimal", "boolean", "date", "datetime",
        "uuid", "email", "url", "json",
    ];

    /// The built-in type with this name.
    pub fn builtin(name: &str) -> Option<FieldType> {
        Some(match name {
            "string" => FieldType::String,
            "text" => FieldType::Text,
            "integer" => FieldType::Integer,
            "bigint" => FieldType::Bigint,
            "float" => FieldType::Float,
            "decimal" => FieldType::Decimal,
            "boolean" => FieldType::Boolean,
            "date" => FieldType::Date,
            "datetime" => FieldType::Datetime,
            "uuid" => FieldType::Uuid,
            "email" => FieldType::Email,
            "url" => FieldType::Url,
            "json" => FieldType::Json,
            _ => return None,
        })
    }

    /// The type's name as written in a specification (an enum's own name for enums).
    pub fn name(&self) -> &str {
        match self {
            FieldType::String => "string",
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Bigint => "bigint",
            FieldType::Float => "float",
            FieldType::Decimal => "decimal",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Uuid => "uuid",
            FieldType::Email => "email",
            FieldType::Url => "url",
            FieldType::Json => "json",
            FieldType::Enum(name) => name,
        }
    }

    /// Text types, which take `min_length`, `max_length` and `pattern`.
    pub fn is_textual(&self) -> bool {
        matches!(
            self,
            FieldType::String | FieldType::Text | FieldType::Email | FieldType::Url
        )
    }

    /// Number types, which take `min` and `max`.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            FieldType::Integer | FieldType::Bigint | FieldType::Float | FieldType::Decimal
        )
    }

    /// Types whose values can be ordered in a list's sort.
    pub fn is_sortable(&self) -> bool {
        !matches!(self, FieldType::Json)
    }
}

/// Constraints on a field's values; `None` means unconstrained.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    /// Smallest allowed number (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<serde_json::Number>,
    /// Largest allowed number (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<serde_json::Number>,
    /// Fewest characters of text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Most characters of text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Regular expression text must match (the whole value when anchored with `^...$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Total digits of a decimal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    /// Digits after the point of a decimal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
}

/// The kind of a relation, seen from the entity that has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Many of these point to one target (a foreign key here).
    ManyToOne,
    /// One of these points to one target (a unique foreign key on the owning side).
    OneToOne,
    /// One of these has many targets (the inverse of the target's many-to-one).
    OneToMany,
    /// Many to many (a join table, owned by one side).
    ManyToMany,
}

impl RelationKind {
    /// The kinds, as written in a specification.
    pub const NAMES: &'static [&'static str] =
        &["many_to_one", "one_to_one", "one_to_many", "many_to_many"];

    /// The kind written this way.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "many_to_one" => RelationKind::ManyToOne,
            "one_to_one" => RelationKind::OneToOne,
            "one_to_many" => RelationKind::OneToMany,
            "many_to_many" => RelationKind::ManyToMany,
            _ => return None,
        })
    }

    /// As written in a specification.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::ManyToOne => "many_to_one",
            RelationKind::OneToOne => "one_to_one",
            RelationKind::OneToMany => "one_to_many",
            RelationKind::ManyToMany => "many_to_many",
        }
    }

    /// The kind of the other side of the relation.
    pub fn inverse(self) -> Self {
        match self {
            RelationKind::ManyToOne => RelationKind::OneToMany,
            RelationKind::OneToMany => RelationKind::ManyToOne,
            other => other,
        }
    }

    /// Whether this side refers to at most one target.
    pub fn is_to_one(self) -> bool {
        matches!(self, RelationKind::ManyToOne | RelationKind::OneToOne)
    }
}

/// What happens to rows that refer to a deleted row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDelete {
    /// Delete them too.
    Cascade,
    /// Refuse the delete while they exist.
    Restrict,
    /// Clear their reference (only for optional relations).
    SetNull,
    /// Leave it to the database's deferred check.
    NoAction,
}

impl OnDelete {
    /// The actions, as written in a specification.
    pub const NAMES: &'static [&'static str] = &["cascade", "restrict", "set_null", "no_action"];

    /// The action written this way.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "cascade" => OnDelete::Cascade,
            "restrict" => OnDelete::Restrict,
            "set_null" => OnDelete::SetNull,
            "no_action" => OnDelete::NoAction,
            _ => return None,
        })
    }
}

/// One side of an association between two entities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// Name as written (or inferred).
    pub name: String,
    /// Kind, from this side.
    pub kind: RelationKind,
    /// The entity at the other end.
    pub target: String,
    /// Whether a value must be given (to-one sides only; always false for to-many sides).
    pub required: bool,
    /// What deleting the target does to rows of this side (to-one owning sides; else `no_action`).
    pub on_delete: OnDelete,
    /// Whether this side holds the foreign key (to-one) or owns the join table (many-to-many).
    pub owner: bool,
    /// The relation's name on the other side, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverse: Option<String>,
    /// Whether specforge added this side as the inverse of a declared relation.
    pub inferred: bool,
    /// Human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An API operation on an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// List with filters, sort and pages.
    List,
    /// Read one by id.
    Get,
    /// Create one.
    Create,
    /// Update one.
    Update,
    /// Delete one.
    Delete,
}

impl Operation {
    /// All operations in canonical order.
    pub const ALL: [Operation; 5] = [
        Operation::List,
        Operation::Get,
        Operation::Create,
        Operation::Update,
        Operation::Delete,
    ];
    /// Their names.
    pub const NAMES: &'static [&'static str] = &["list", "get", "create", "update", "delete"];

    /// The operation written this way.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "list" => Operation::List,
            "get" => Operation::Get,
            "create" => Operation::Create,
            "update" => Operation::Update,
            "delete" => Operation::Delete,
            _ => return None,
        })
    }

    /// As written in a specification.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::List => "list",
            Operation::Get => "get",
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// Default number of items in a page of a list.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// How the list operation filters, sorts and pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOptions {
    /// Fields and to-one relations that can be filtered on by equality.
    pub filters: Vec<String>,
    /// Fields the list can be sorted by.
    pub sort: Vec<String>,
    /// Items per page when the client does not say.
    pub page_size: u32,
}

impl Default for ListOptions {
    fn default() -> Self {
        ListOptions {
            filters: Vec::new(),
            sort: Vec::new(),
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

/// Roles allowed per operation. `None`: any authenticated caller may perform it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Roles that may list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<Vec<String>>,
    /// Roles that may read one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get: Option<Vec<String>>,
    /// Roles that may create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<Vec<String>>,
    /// Roles that may update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<Vec<String>>,
    /// Roles that may delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<Vec<String>>,
}

impl Permissions {
    /// The roles for `op`.
    pub fn roles(&self, op: Operation) -> Option<&[String]> {
        match op {
            Operation::List => self.list.as_deref(),
            Operation::Get => self.get.as_deref(),
            Operation::Create => self.create.as_deref(),
            Operation::Update => self.update.as_deref(),
            Operation::Delete => self.delete.as_deref(),
        }
    }

    /// Sets the roles for `op`.
    pub fn set(&mut self, op: Operation, roles: Vec<String>) {
        let slot = match op {
            Operation::List => &mut self.list,
            Operation::Get => &mut self.get,
            Operation::Create => &mut self.create,
            Operation::Update => &mut self.update,
            Operation::Delete => &mut self.delete,
        };
        *slot = Some(roles);
    }
}

/// Counts shown beside diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Entities.
    pub entities: usize,
    /// Declared fields (implicit ones not counted).
    pub fields: usize,
    /// Associations between entities (each counted once, whichever sides were declared).
    pub relations: usize,
}

impl Model {
    /// The entity with this name.
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// The enum with this name.
    pub fn enum_(&self, name: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.name == name)
    }

    /// Counts of entities, declared fields and associations.
    pub fn summary(&self) -> Summary {
        Summary {
            entities: self.entities.len(),
            fields: self
                .entities
                .iter()
                .flat_map(|e| &e.fields)
                .filter(|f| !f.implicit)
                .count(),
            relations: self
                .entities
                .iter()
                .flat_map(|e| &e.relations)
                .filter(|r| r.owner)
                .count(),
        }
    }
}

impl Entity {
    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The relation with this name.
    pub fn relation(&self, name: &str) -> Option<&Relation> {
        self.relations.iter().find(|r| r.name == name)
    }
}
