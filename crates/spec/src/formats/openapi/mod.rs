//! OpenAPI import: translates an OpenAPI 3.0 or 3.1 document into the tree of the equivalent
//! specification.
//!
//! Only the data model is imported: `components.schemas` become entities and enums, the
//! `info` block gives the name, title and description. Paths, security schemes and the other
//! components have no counterpart (specforge generates the operations of each entity itself) and
//! are reported once each. Every generated node carries the span of the OpenAPI text it came
//! from, so that the validator's diagnostics point into the user's OpenAPI document; the
//! diagnostics of this module carry JSON Pointers into the OpenAPI document as well.
//!
//! The complete mapping, with every convention, is documented in `docs/spec-language.md`
//! ("OpenAPI import"). In short:
//!
//! - an object schema (`type: object`, or `properties` / `allOf` without a type) is an entity,
//!   except a *mixin*: an object schema that other schemas only include through `allOf` and that
//!   nothing else `$ref`s is merged into them and is not an entity of its own;
//! - a string enum schema is an enum; an inline string `enum` on a property becomes an enum named
//!   after the schema and the property (`Appointment.status` -> `AppointmentStatus`);
//! - a `$ref` to an entity is a `many_to_one` relation (`one_to_one` with `x-unique: true`), an
//!   array of such `$ref`s is `one_to_many` when the target refers back, `many_to_many` otherwise;
//! - any other top-level schema (an alias such as `Email: {type: string, format: email}`) is not
//!   imported by itself; a property that `$ref`s it is translated as if the alias were written in
//!   its place.
//!
//! Nothing with a meaning is dropped silently: every keyword without an equivalent is an
//! `unsupported_construct` warning that names it. Pure documentation keywords (`title`,
//! `example`, `examples`, `readOnly`, `writeOnly`, `deprecated`, `externalDocs`, `$comment`) and
//! the document's metadata (`info` other than `title` and `description`, `servers`, `tags`,
//! `externalDocs`, `jsonSchemaDialect`) are ignored without a warning.
//!
//! The importer is split by concern, in the order a document goes through it:
//!
//! - `document.rs`: the document level: the `openapi` version, `info` (name, title,
//!   description), the top-level keys and the sections of `components`;
//! - `schemas.rs`: what each schema of `components.schemas` is (entity, enum, alias, mixin) and
//!   what a `type` keyword says;
//! - `refs.rs`: resolving a property's `$ref`s through aliases to an enum, an entity or an inline
//!   schema;
//! - `merge.rs`: merging the `allOf` members, `properties` and `required` of an entity;
//! - `translate.rs`: translating the merged schemas into the specification tree, entity by
//!   entity; `relations.rs` translates the properties that refer to entities and `fields.rs`
//!   the others;
//! - `diagnostics.rs`: where the importer's diagnostics go, each kept once.
//!
//! Only [`to_document`] is used outside: the analysis calls it on the tree that the YAML or JSON
//! reader made of the document.

mod diagnostics;
mod document;
mod fields;
mod merge;
mod refs;
mod relations;
mod schemas;
mod translate;

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, Source};
use crate::names::SuggestionBudget;
use crate::node::{Entry, Node, Value};

use self::diagnostics::Reporter;
use self::document::{check_version, components, header, top_level_keys};
use self::schemas::SchemaCatalog;
use self::translate::translate_schemas;

/// The only form of `$ref` that is followed.
const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Keywords that only document a schema or its serialization: ignored without a warning.
const METADATA_KEYS: &[&str] = &[
    "title",
    "example",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "$comment",
];

/// Edit-distance cells computed for "did you mean" hints in one document, at most.
const SUGGESTION_BUDGET: usize = 4_000_000;

/// Sections of `components` other than `schemas` and `securitySchemes`.
const OTHER_COMPONENTS: &[&str] = &[
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
    "pathItems",
];

/// Translates a parsed OpenAPI 3.0/3.1 document into the equivalent specification tree.
///
/// Returns `None` when `root` is not an OpenAPI 3.0 or 3.1 document (not a mapping, no `openapi`
/// version, a Swagger 2.0 document or another version), after reporting why. Otherwise returns the
/// tree (`specforge`, `name`, `title`, `description`, `enums`, `entities`) and appends the
/// problems specific to OpenAPI to `diagnostics`; checking the tree itself is the validator's job.
pub fn to_document(
    root: &Node,
    source: &Source<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Node> {
    let mut report = Reporter {
        source,
        out: diagnostics,
        seen: HashSet::new(),
        muted: 0,
        suggestion_budget: SuggestionBudget::new(SUGGESTION_BUDGET),
    };
    let version = check_version(root, &mut report)?;
    let map = root.as_map()?;

    let mut out = vec![Entry::new(
        "specforge",
        version.key.span,
        Node::new(Value::Int(1), version.value.span),
    )];
    out.extend(header(root, map, &mut report));
    top_level_keys(map, &mut report);

    let schemas = components(map, &mut report);
    let (anchor_key, anchor_value) = match schemas {
        Some(e) => (e.key.span, e.value.span),
        None => (root.span, root.span),
    };
    let empty: &[Entry] = &[];
    let catalog = SchemaCatalog::new(
        schemas.and_then(|e| e.value.as_map()).unwrap_or(empty),
        &mut report,
    );
    let (enums, entities) = translate_schemas(catalog, &mut report);
    if !enums.is_empty() {
        out.push(Entry::new(
            "enums",
            anchor_key,
            Node::new(Value::Map(enums), anchor_value),
        ));
    }
    out.push(Entry::new(
        "entities",
        anchor_key,
        Node::new(Value::Map(entities), anchor_value),
    ));
    Some(Node::new(Value::Map(out), root.span))
}

#[cfg(test)]
mod tests;
