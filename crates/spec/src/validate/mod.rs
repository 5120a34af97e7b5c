//! The validator: reads a specification tree, reports every problem at once, and builds the
//! normalized [`Model`].
//!
//! It works in passes: declarations (names of enums, entities and roles, so order in the file
//! never matters), then each entity's fields and relations, then relation resolution (both sides,
//! inferred inverses), then checks that need the whole picture (list options, permissions,
//! required cycles).
//!
//! Each concern has its file, all of them methods of the validator (`Validator`):
//!
//! - `document.rs`: the top-level keys, roles and enums, and the passes that build the model;
//! - `entities.rs`: one entity's declaration, member names and options, and its final fields;
//! - `fields.rs`: a field's type and constraints; `defaults.rs`: its default value;
//! - `relations.rs`: a relation's declaration, then the resolution of both sides of every
//!   relation and the inferred inverse sides;
//! - `options.rs`: the `list` options and `permissions` of an entity;
//! - `reading.rs`: reading typed values from the tree and checking user-written names.
//!
//! Only [`validate`] is used outside: the analysis calls it on the tree of every format.

mod defaults;
mod document;
mod entities;
mod fields;
mod options;
mod reading;
mod relations;

use crate::diagnostic::{Diagnostic, Source};
use crate::hash::FastMap as HashMap;
use crate::model::Model;
use crate::node::Node;
use crate::span::Span;

pub(crate) use relations::RelationDecl;

const TOP_KEYS: &[&str] = &[
    "specforge",
    "name",
    "title",
    "description",
    "auth",
    "enums",
    "entities",
];
const AUTH_KEYS: &[&str] = &["roles"];
const ENUM_KEYS: &[&str] = &["values", "description"];
const ENTITY_KEYS: &[&str] = &[
    "description",
    "fields",
    "relations",
    "operations",
    "list",
    "permissions",
    "timestamps",
];
const LIST_KEYS: &[&str] = &["filters", "sort", "page_size"];

/// Validates the specification tree `root` read from `source`, appending diagnostics. Returns
/// the model when it could be built (the caller must still discard it if any error was reported).
pub fn validate(
    root: &Node,
    source: &Source<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Model> {
    let mut validator = Validator {
        source,
        diagnostics,
    };
    validator.root(root)
}

/// The validator: the source (for positions) and the diagnostics found so far. Every check is
/// one of its methods, in the file of its concern.
pub(crate) struct Validator<'s, 'a> {
    pub(crate) source: &'s Source<'a>,
    pub(crate) diagnostics: &'s mut Vec<Diagnostic>,
}

/// An entity as declared, with the spans needed for later checks.
pub(crate) struct EntityDecl<'n> {
    pub(crate) name: String,
    pub(crate) key_span: Span,
    pub(crate) path: String,
    pub(crate) node: &'n Node,
    pub(crate) description: Option<String>,
    pub(crate) timestamps: bool,
    pub(crate) fields: Vec<fields::FieldDecl>,
    pub(crate) relations: Vec<RelationDecl>,
}

/// Names visible everywhere: enums, entities and roles.
pub(crate) struct Scope {
    pub(crate) enums: HashMap<String, Vec<String>>,
    pub(crate) enum_order: Vec<String>,
    pub(crate) entities: Vec<String>,
    pub(crate) roles: Vec<String>,
    pub(crate) roles_declared: bool,
}

impl Scope {
    pub(crate) fn is_entity(&self, name: &str) -> bool {
        self.entities.iter().any(|e| e == name)
    }
}
