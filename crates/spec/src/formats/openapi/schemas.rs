//! What each schema of `components.schemas` is (entity, enum, alias, mixin), and what a `type`
//! keyword says.

use std::collections::HashMap;

use crate::diagnostic::pointer;
use crate::limits::MAX_DEPTH;
use crate::node::{Entry, Key, Node, Value};

use super::diagnostics::Reporter;
use super::document::find_entry;
use super::refs::{RefTarget, lookup_ref};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SchemaKind {
    /// A string enum.
    Enum,
    /// An object schema.
    Entity,
    /// Anything else that is a mapping: not imported itself, inlined where it is `$ref`ed.
    Alias,
    /// Not a schema mapping at all.
    Broken,
}

pub(super) struct Schema<'a> {
    pub(super) key: &'a Key,
    pub(super) node: &'a Node,
    pub(super) path: String,
    pub(super) kind: SchemaKind,
    /// An object schema only ever included through `allOf`: merged, never an entity itself.
    pub(super) mixin: bool,
}

pub(super) struct SchemaCatalog<'a> {
    pub(super) schemas: Vec<Schema<'a>>,
    pub(super) index: HashMap<&'a str, usize>,
}

impl<'a> SchemaCatalog<'a> {
    pub(super) fn new(entries: &'a [Entry], report: &mut Reporter) -> Self {
        let mut schemas = Vec::with_capacity(entries.len());
        let mut index = HashMap::with_capacity(entries.len());
        for e in entries {
            let path = pointer("/components/schemas", &e.key.name);
            let kind = classify(e, &path, report);
            index.entry(e.key.name.as_str()).or_insert(schemas.len());
            schemas.push(Schema {
                key: &e.key,
                node: &e.value,
                path,
                kind,
                mixin: false,
            });
        }
        let mut catalog = SchemaCatalog { schemas, index };
        catalog.find_mixins();
        catalog
    }

    pub(super) fn name(&self, idx: usize) -> &'a str {
        self.schemas.get(idx).map_or("", |s| s.key.name.as_str())
    }

    pub(super) fn kind(&self, idx: usize) -> SchemaKind {
        self.schemas.get(idx).map_or(SchemaKind::Broken, |s| s.kind)
    }

    /// Marks the object schemas that are `$ref`ed only as `allOf` members of object schemas.
    fn find_mixins(&mut self) {
        let n = self.schemas.len();
        let mut in_all_of = vec![false; n];
        let mut elsewhere = vec![false; n];
        for s in &self.schemas {
            let level = if s.kind == SchemaKind::Entity {
                Nesting::Object
            } else {
                Nesting::Other
            };
            mark_refs(self, s.node, level, 0, &mut in_all_of, &mut elsewhere);
        }
        for (i, s) in self.schemas.iter_mut().enumerate() {
            s.mixin = s.kind == SchemaKind::Entity && in_all_of[i] && !elsewhere[i];
        }
    }
}

/// Where a mapping sits, for telling `allOf` inclusions from other references.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nesting {
    /// A top-level object schema or an inline `allOf` member of one.
    Object,
    /// A direct member of such a schema's `allOf`.
    Member,
    /// Anywhere else.
    Other,
}

fn mark_refs(
    catalog: &SchemaCatalog,
    node: &Node,
    level: Nesting,
    depth: usize,
    in_all_of: &mut [bool],
    elsewhere: &mut [bool],
) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            if let Some(r) = node.get("$ref")
                && let RefTarget::Schema(t) = lookup_ref(catalog, r)
            {
                let flags = if level == Nesting::Member {
                    &mut *in_all_of
                } else {
                    &mut *elsewhere
                };
                if let Some(f) = flags.get_mut(t) {
                    *f = true;
                }
            }
            let object = matches!(level, Nesting::Object | Nesting::Member);
            for e in entries {
                if object && e.key.name == "allOf" {
                    for member in e.value.as_seq().unwrap_or(&[]) {
                        mark_refs(
                            catalog,
                            member,
                            Nesting::Member,
                            depth + 1,
                            in_all_of,
                            elsewhere,
                        );
                    }
                } else {
                    mark_refs(
                        catalog,
                        &e.value,
                        Nesting::Other,
                        depth + 1,
                        in_all_of,
                        elsewhere,
                    );
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                mark_refs(
                    catalog,
                    item,
                    Nesting::Other,
                    depth + 1,
                    in_all_of,
                    elsewhere,
                );
            }
        }
        _ => {}
    }
}

fn classify(e: &Entry, path: &str, report: &mut Reporter) -> SchemaKind {
    let node = &e.value;
    let name = &e.key.name;
    if node.as_map().is_none() {
        let message = format!(
            "schema `{name}` is {}, not a schema mapping, so it is not imported",
            node.kind_name()
        );
        report.warn(node.span, path, message);
        return SchemaKind::Broken;
    }
    let ty = TypeInfo::of(node.get("type"));
    if ty.is("object") {
        return SchemaKind::Entity;
    }
    if let Some(enum_entry) = node.as_map().and_then(|m| find_entry(m, "enum")) {
        let values = &enum_entry.value;
        let string_typed = ty.is("string") || ty.is_absent();
        let strings = values
            .as_seq()
            .is_some_and(|items| items.iter().all(|v| v.as_str().is_some() || v.is_null()));
        if string_typed && strings {
            return SchemaKind::Enum;
        }
        let message = format!(
            "enum `{name}` is not a string enum: only enums of strings are imported, so the \
             schema is skipped"
        );
        report.warn(enum_entry.key.span, &pointer(path, "enum"), message);
        return SchemaKind::Alias;
    }
    if ty.is_absent() && (node.get("properties").is_some() || node.get("allOf").is_some()) {
        return SchemaKind::Entity;
    }
    let message = if node.get("$ref").is_some() {
        format!(
            "schema `{name}` is only a `$ref`, so it is not imported by itself; properties that \
             `$ref` it refer to its target"
        )
    } else {
        format!(
            "schema `{name}` is neither an object nor a string enum, so it is not imported as an \
             entity or an enum; properties that `$ref` it are translated as if it were written \
             in their place"
        )
    };
    report.warn(e.key.span, path, message);
    SchemaKind::Alias
}

/// What a `type` keyword says: one type, several, only `null`, absent, or something malformed.
#[derive(Clone, Debug)]
pub(super) enum DeclaredType<'a> {
    Absent,
    One(&'a str, &'a Node),
    Several(Vec<&'a str>),
    OnlyNull,
    Malformed,
}

pub(super) struct TypeInfo<'a> {
    pub(super) declared: DeclaredType<'a>,
    pub(super) null: bool,
    pub(super) node: Option<&'a Node>,
}

impl<'a> TypeInfo<'a> {
    pub(super) fn of(node: Option<&'a Node>) -> Self {
        let Some(n) = node else {
            return TypeInfo {
                declared: DeclaredType::Absent,
                null: false,
                node: None,
            };
        };
        let (ty, null) = match &n.value {
            Value::Str(s) if s == "null" => (DeclaredType::OnlyNull, true),
            Value::Str(s) => (DeclaredType::One(s, n), false),
            Value::Seq(items) => {
                let mut names = Vec::new();
                let mut null = false;
                let mut malformed = false;
                let mut first = None;
                for item in items {
                    match item.as_str() {
                        Some("null") => null = true,
                        Some(s) => {
                            first.get_or_insert(item);
                            names.push(s);
                        }
                        None => malformed = true,
                    }
                }
                let ty = match (malformed, names.as_slice(), first) {
                    (true, _, _) => DeclaredType::Malformed,
                    (false, [], _) => DeclaredType::OnlyNull,
                    (false, [one], Some(item)) => DeclaredType::One(one, item),
                    _ => DeclaredType::Several(names),
                };
                (ty, null)
            }
            _ => (DeclaredType::Malformed, false),
        };
        TypeInfo {
            declared: ty,
            null,
            node: Some(n),
        }
    }

    pub(super) fn is(&self, name: &str) -> bool {
        matches!(self.declared, DeclaredType::One(t, _) if t == name)
    }

    pub(super) fn is_absent(&self) -> bool {
        matches!(self.declared, DeclaredType::Absent)
    }
}
