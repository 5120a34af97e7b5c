//! Limits that keep one specification from exhausting the memory or time of a shared service.
//!
//! Each is far above what a real specification needs; passing one is a `limit_exceeded` error
//! that names the limit.

/// Largest source text accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of mappings and lists (and of OpenAPI schemas).
pub const MAX_DEPTH: usize = 64;
/// Most nodes that YAML aliases may add by expansion, in the whole document.
pub const MAX_ALIAS_EXPANSION: usize = 100_000;
/// Most nodes in a document, after alias expansion.
pub const MAX_NODES: usize = 1_000_000;
/// Most entities in one specification.
pub const MAX_ENTITIES: usize = 2_000;
/// Most fields and relations in one entity.
pub const MAX_FIELDS_PER_ENTITY: usize = 500;
/// Most enums in one specification.
pub const MAX_ENUMS: usize = 1_000;
/// Most values in one enum.
pub const MAX_ENUM_VALUES: usize = 1_000;
/// Most roles.
pub const MAX_ROLES: usize = 200;
/// Longest name (entity, field, relation, enum, role), in bytes: PostgreSQL's identifier limit.
pub const MAX_NAME_BYTES: usize = 63;
/// Longest `pattern`, in bytes.
pub const MAX_PATTERN_BYTES: usize = 4_096;
/// Largest page size a list may declare.
pub const MAX_PAGE_SIZE: i64 = 1_000;
