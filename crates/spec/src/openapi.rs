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

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, Diagnostic, Source, pointer};
use crate::limits::MAX_DEPTH;
use crate::names::{
    SuggestionBudget, alphanumeric_key, pascal_case, snake_case, suggest_within_budget,
};
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;

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
    let mut cx = Cx {
        source,
        out: diagnostics,
        seen: HashSet::new(),
        muted: 0,
        suggestion_budget: SuggestionBudget::new(SUGGESTION_BUDGET),
    };
    let version = check_version(root, &mut cx)?;
    let map = root.as_map()?;

    let mut out = vec![entry(
        "specforge",
        version.key.span,
        Node::new(Value::Int(1), version.value.span),
    )];
    out.extend(header(root, map, &mut cx));
    top_level_keys(map, &mut cx);

    let schemas = components(map, &mut cx);
    let (anchor_key, anchor_value) = match schemas {
        Some(e) => (e.key.span, e.value.span),
        None => (root.span, root.span),
    };
    let empty: &[Entry] = &[];
    let doc = Doc::new(
        schemas.and_then(|e| e.value.as_map()).unwrap_or(empty),
        &mut cx,
    );
    let (enums, entities) = translate_schemas(doc, &mut cx);
    if !enums.is_empty() {
        out.push(entry(
            "enums",
            anchor_key,
            Node::new(Value::Map(enums), anchor_value),
        ));
    }
    out.push(entry(
        "entities",
        anchor_key,
        Node::new(Value::Map(entities), anchor_value),
    ));
    Some(Node::new(Value::Map(out), root.span))
}

// ---------------------------------------------------------------------------------------------
// Diagnostics
// ---------------------------------------------------------------------------------------------

/// Where diagnostics go. A schema merged into several entities is translated several times, so
/// identical diagnostics are kept once; `muted` silences the dry runs used to look ahead.
struct Cx<'s, 'd> {
    source: &'s Source<'s>,
    out: &'d mut Vec<Diagnostic>,
    seen: HashSet<(usize, usize, Code, String)>,
    muted: u32,
    /// Edit-distance cells left for "did you mean" hints, so that a document full of unknown
    /// names cannot make the suggestions quadratic.
    suggestion_budget: SuggestionBudget,
}

impl Cx<'_, '_> {
    fn emit(&mut self, d: Diagnostic) {
        if self.muted > 0 {
            return;
        }
        if self
            .seen
            .insert((d.span.start, d.span.end, d.code, d.message.clone()))
        {
            self.out.push(d);
        }
    }

    fn warn(&mut self, span: Span, path: &str, message: String) {
        let d = self
            .source
            .warning(Code::UnsupportedConstruct, span, path, message);
        self.emit(d);
    }

    fn warn_hint(&mut self, span: Span, path: &str, message: String, hint: &str) {
        let d = self
            .source
            .warning(Code::UnsupportedConstruct, span, path, message)
            .with_hint(hint);
        self.emit(d);
    }

    fn error(&mut self, code: Code, span: Span, path: &str, message: String, hint: Option<String>) {
        let mut d = self.source.error(code, span, path, message);
        d.hint = hint;
        self.emit(d);
    }
}

// ---------------------------------------------------------------------------------------------
// Document level
// ---------------------------------------------------------------------------------------------

fn find<'a>(map: &'a [Entry], key: &str) -> Option<&'a Entry> {
    map.iter().find(|e| e.key.name == key)
}

fn entry(name: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: Key {
            name: name.to_string(),
            span: key_span,
        },
        value,
    }
}

fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => false,
    }
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Bool(b) => b.to_string(),
        other => other.kind_name().to_string(),
    }
}

/// `3.0`, `3.1`, `3.0.N` and `3.1.N`.
fn supported_version(v: &str) -> bool {
    let mut parts = v.split('.');
    parts.next() == Some("3")
        && matches!(parts.next(), Some("0" | "1"))
        && match parts.next() {
            None => true,
            Some(p) => {
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && parts.next().is_none()
            }
        }
}

fn check_version<'a>(root: &'a Node, cx: &mut Cx) -> Option<&'a Entry> {
    let Some(map) = root.as_map() else {
        let message = format!(
            "an OpenAPI document must be a mapping, found {}",
            root.kind_name()
        );
        cx.error(Code::InvalidValue, root.span, "", message, None);
        return None;
    };
    let Some(version) = find(map, "openapi") else {
        if let Some(swagger) = find(map, "swagger") {
            let message = format!(
                "Swagger {} documents are not supported: specforge imports OpenAPI 3.0 and 3.1",
                scalar_text(&swagger.value)
            );
            let hint = "convert the document to OpenAPI 3 first (API editors and converters can \
                        do it), then import it again";
            let span = swagger.value.span;
            cx.error(
                Code::UnsupportedVersion,
                span,
                "/swagger",
                message,
                Some(hint.into()),
            );
        } else {
            let message = "the document has no `openapi` version, so it is not an OpenAPI 3 \
                           document"
                .to_string();
            let hint = "add `openapi: 3.1.0` at the top level".to_string();
            cx.error(Code::MissingVersion, root.span, "", message, Some(hint));
        }
        return None;
    };
    let span = version.value.span;
    match version.value.as_str() {
        Some(v) if supported_version(v) => Some(version),
        Some(v) => {
            let message = format!(
                "OpenAPI version `{v}` is not supported: specforge imports 3.0.x and 3.1.x"
            );
            let hint = if v.starts_with('2') {
                "convert the document to OpenAPI 3 first, then import it again"
            } else {
                "use an OpenAPI 3.0 or 3.1 document"
            };
            cx.error(
                Code::UnsupportedVersion,
                span,
                "/openapi",
                message,
                Some(hint.into()),
            );
            None
        }
        None => {
            let message = format!(
                "the `openapi` version must be a string such as \"3.1.0\", found {}",
                version.value.kind_name()
            );
            let hint = "quote the version: `openapi: \"3.1.0\"`".to_string();
            cx.error(
                Code::UnsupportedVersion,
                span,
                "/openapi",
                message,
                Some(hint),
            );
            None
        }
    }
}

/// `name`, `title` and `description` from `x-specforge-name` and `info`.
fn header(root: &Node, map: &[Entry], cx: &mut Cx) -> Vec<Entry> {
    let mut out = Vec::new();
    let info = find(map, "info");
    let info_map = info.and_then(|e| {
        let m = e.value.as_map();
        if m.is_none() && !e.value.is_null() {
            let message = format!("`info` must be a mapping, found {}", e.value.kind_name());
            cx.error(Code::InvalidValue, e.value.span, "/info", message, None);
        }
        m
    });
    let title = info_map.and_then(|m| find(m, "title"));
    let description = info_map.and_then(|m| find(m, "description"));

    if let Some(name) = find(map, "x-specforge-name") {
        out.push(entry("name", name.key.span, name.value.clone()));
    } else if let Some(t) = title
        && let Some(text) = t.value.as_str()
    {
        out.push(entry(
            "name",
            t.key.span,
            Node::str(snake_case(text), t.value.span),
        ));
    } else {
        let span = title
            .map(|t| t.value.span)
            .or(info.map(|i| i.key.span))
            .unwrap_or(root.span);
        let message = "the specification name cannot be derived: `info.title` is missing or not \
                       a string"
            .to_string();
        let hint = "add a string `info.title`, or `x-specforge-name: my_app` at the top level";
        cx.error(
            Code::MissingKey,
            span,
            "/info/title",
            message,
            Some(hint.into()),
        );
    }
    if let Some(t) = title {
        out.push(entry("title", t.key.span, t.value.clone()));
    }
    if let Some(d) = description {
        out.push(entry("description", d.key.span, d.value.clone()));
    }
    out
}

/// Warnings for the top-level keys that are neither imported nor metadata.
fn top_level_keys(map: &[Entry], cx: &mut Cx) {
    for e in map {
        let k = e.key.name.as_str();
        let path = pointer("", k);
        let span = e.key.span;
        match k {
            "openapi" | "info" | "components" | "x-specforge-name" => {}
            "servers" | "tags" | "externalDocs" | "jsonSchemaDialect" => {}
            "paths" if !is_empty(&e.value) => cx.warn(
                span,
                &path,
                "paths are not imported: specforge generates the CRUD operations of each entity"
                    .into(),
            ),
            "webhooks" if !is_empty(&e.value) => cx.warn(
                span,
                &path,
                "webhooks are not imported: specforge has no equivalent".into(),
            ),
            "security" if !is_empty(&e.value) => cx.warn_hint(
                span,
                &path,
                "security requirements are not imported: roles and permissions must be declared \
                 in a specforge spec"
                    .into(),
                "declare the roles under `auth.roles` and the permissions on each entity",
            ),
            "paths" | "webhooks" | "security" => {}
            _ if k.starts_with("x-") => {
                cx.warn(span, &path, format!("extension `{k}` is not imported"))
            }
            _ => cx.warn(span, &path, format!("top-level key `{k}` is not imported")),
        }
    }
}

/// Warnings for the sections of `components`; returns the `schemas` entry.
fn components<'a>(map: &'a [Entry], cx: &mut Cx) -> Option<&'a Entry> {
    let components = find(map, "components")?;
    let Some(sections) = components.value.as_map() else {
        if !components.value.is_null() {
            let message = format!(
                "`components` must be a mapping, found {}",
                components.value.kind_name()
            );
            cx.error(
                Code::InvalidValue,
                components.value.span,
                "/components",
                message,
                None,
            );
        }
        return None;
    };
    let mut schemas = None;
    for e in sections {
        let k = e.key.name.as_str();
        let path = pointer("/components", k);
        let span = e.key.span;
        match k {
            "schemas" => {
                if e.value.as_map().is_none() && !e.value.is_null() {
                    let message = format!(
                        "`components.schemas` must be a mapping, found {}",
                        e.value.kind_name()
                    );
                    cx.error(Code::InvalidValue, e.value.span, &path, message, None);
                }
                schemas = Some(e);
            }
            _ if is_empty(&e.value) => {}
            "securitySchemes" => cx.warn_hint(
                span,
                &path,
                "security schemes are not imported: roles must be declared in a specforge spec"
                    .into(),
                "declare the roles under `auth.roles` of the specforge specification",
            ),
            _ if OTHER_COMPONENTS.contains(&k) => cx.warn(
                span,
                &path,
                format!(
                    "`components.{k}` is not imported: specforge generates the API of each \
                     entity from its schema"
                ),
            ),
            _ if k.starts_with("x-") => {
                cx.warn(span, &path, format!("extension `{k}` is not imported"))
            }
            _ => cx.warn(span, &path, format!("`components.{k}` is not imported")),
        }
    }
    schemas
}

// ---------------------------------------------------------------------------------------------
// Schemas: classification
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A string enum.
    Enum,
    /// An object schema.
    Entity,
    /// Anything else that is a mapping: not imported itself, inlined where it is `$ref`ed.
    Alias,
    /// Not a schema mapping at all.
    Broken,
}

struct Schema<'a> {
    key: &'a Key,
    node: &'a Node,
    path: String,
    kind: Kind,
    /// An object schema only ever included through `allOf`: merged, never an entity itself.
    mixin: bool,
}

struct Doc<'a> {
    schemas: Vec<Schema<'a>>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Doc<'a> {
    fn new(entries: &'a [Entry], cx: &mut Cx) -> Self {
        let mut schemas = Vec::with_capacity(entries.len());
        let mut index = HashMap::with_capacity(entries.len());
        for e in entries {
            let path = pointer("/components/schemas", &e.key.name);
            let kind = classify(e, &path, cx);
            index.entry(e.key.name.as_str()).or_insert(schemas.len());
            schemas.push(Schema {
                key: &e.key,
                node: &e.value,
                path,
                kind,
                mixin: false,
            });
        }
        let mut doc = Doc { schemas, index };
        doc.find_mixins();
        doc
    }

    fn name(&self, idx: usize) -> &'a str {
        self.schemas.get(idx).map_or("", |s| s.key.name.as_str())
    }

    fn kind(&self, idx: usize) -> Kind {
        self.schemas.get(idx).map_or(Kind::Broken, |s| s.kind)
    }

    /// Marks the object schemas that are `$ref`ed only as `allOf` members of object schemas.
    fn find_mixins(&mut self) {
        let n = self.schemas.len();
        let mut in_all_of = vec![false; n];
        let mut elsewhere = vec![false; n];
        for s in &self.schemas {
            let level = if s.kind == Kind::Entity {
                Level::Object
            } else {
                Level::Other
            };
            mark_refs(self, s.node, level, 0, &mut in_all_of, &mut elsewhere);
        }
        for (i, s) in self.schemas.iter_mut().enumerate() {
            s.mixin = s.kind == Kind::Entity && in_all_of[i] && !elsewhere[i];
        }
    }
}

/// Where a mapping sits, for telling `allOf` inclusions from other references.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// A top-level object schema or an inline `allOf` member of one.
    Object,
    /// A direct member of such a schema's `allOf`.
    Member,
    /// Anywhere else.
    Other,
}

fn mark_refs(
    doc: &Doc,
    node: &Node,
    level: Level,
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
                && let Target::Schema(t) = lookup(doc, r)
            {
                let flags = if level == Level::Member {
                    &mut *in_all_of
                } else {
                    &mut *elsewhere
                };
                if let Some(f) = flags.get_mut(t) {
                    *f = true;
                }
            }
            let object = matches!(level, Level::Object | Level::Member);
            for e in entries {
                if object && e.key.name == "allOf" {
                    for member in e.value.as_seq().unwrap_or(&[]) {
                        mark_refs(doc, member, Level::Member, depth + 1, in_all_of, elsewhere);
                    }
                } else {
                    mark_refs(doc, &e.value, Level::Other, depth + 1, in_all_of, elsewhere);
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                mark_refs(doc, item, Level::Other, depth + 1, in_all_of, elsewhere);
            }
        }
        _ => {}
    }
}

fn classify(e: &Entry, path: &str, cx: &mut Cx) -> Kind {
    let node = &e.value;
    let name = &e.key.name;
    if node.as_map().is_none() {
        let message = format!(
            "schema `{name}` is {}, not a schema mapping, so it is not imported",
            node.kind_name()
        );
        cx.warn(node.span, path, message);
        return Kind::Broken;
    }
    let ty = TypeInfo::of(node.get("type"));
    if ty.is("object") {
        return Kind::Entity;
    }
    if let Some(enum_entry) = node.as_map().and_then(|m| find(m, "enum")) {
        let values = &enum_entry.value;
        let string_typed = ty.is("string") || ty.is_absent();
        let strings = values
            .as_seq()
            .is_some_and(|items| items.iter().all(|v| v.as_str().is_some() || v.is_null()));
        if string_typed && strings {
            return Kind::Enum;
        }
        let message = format!(
            "enum `{name}` is not a string enum: only enums of strings are imported, so the \
             schema is skipped"
        );
        cx.warn(enum_entry.key.span, &pointer(path, "enum"), message);
        return Kind::Alias;
    }
    if ty.is_absent() && (node.get("properties").is_some() || node.get("allOf").is_some()) {
        return Kind::Entity;
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
    cx.warn(e.key.span, path, message);
    Kind::Alias
}

/// What a `type` keyword says: one type, several, only `null`, absent, or something malformed.
#[derive(Clone, Debug)]
enum Ty<'a> {
    Absent,
    One(&'a str, &'a Node),
    Several(Vec<&'a str>),
    OnlyNull,
    Malformed,
}

struct TypeInfo<'a> {
    ty: Ty<'a>,
    null: bool,
    node: Option<&'a Node>,
}

impl<'a> TypeInfo<'a> {
    fn of(node: Option<&'a Node>) -> Self {
        let Some(n) = node else {
            return TypeInfo {
                ty: Ty::Absent,
                null: false,
                node: None,
            };
        };
        let (ty, null) = match &n.value {
            Value::Str(s) if s == "null" => (Ty::OnlyNull, true),
            Value::Str(s) => (Ty::One(s, n), false),
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
                    (true, _, _) => Ty::Malformed,
                    (false, [], _) => Ty::OnlyNull,
                    (false, [one], Some(item)) => Ty::One(one, item),
                    _ => Ty::Several(names),
                };
                (ty, null)
            }
            _ => (Ty::Malformed, false),
        };
        TypeInfo {
            ty,
            null,
            node: Some(n),
        }
    }

    fn is(&self, name: &str) -> bool {
        matches!(self.ty, Ty::One(t, _) if t == name)
    }

    fn is_absent(&self) -> bool {
        matches!(self.ty, Ty::Absent)
    }
}

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

enum Target<'a> {
    Schema(usize),
    Missing(String),
    NonLocal(&'a str),
    OtherLocal(&'a str),
    NotString,
}

fn lookup<'a>(doc: &Doc, value: &'a Node) -> Target<'a> {
    let Some(text) = value.as_str() else {
        return Target::NotString;
    };
    if !text.starts_with('#') {
        return Target::NonLocal(text);
    }
    let Some(rest) = text.strip_prefix(SCHEMA_REF_PREFIX) else {
        return Target::OtherLocal(text);
    };
    if rest.is_empty() || rest.contains('/') {
        return Target::OtherLocal(text);
    }
    let name = unescape_pointer_segment(rest);
    match doc.index.get(name.as_str()) {
        Some(&i) => Target::Schema(i),
        None => Target::Missing(name),
    }
}

/// A `$ref` fragment segment: percent-decoded (it is part of a URI), then `~1` and `~0` undone.
fn unescape_pointer_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                decoded.push(v as u8);
                i += 3;
            }
            (Some(&b), _, _) => {
                decoded.push(b);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    String::from_utf8_lossy(&decoded)
        .replace("~1", "/")
        .replace("~0", "~")
}

fn report_bad_ref(doc: &Doc, cx: &mut Cx, target: Target, value: &Node, path: &str) {
    if cx.muted > 0 {
        // A look-ahead: nothing is reported, so no suggestion is worth its cost.
        return;
    }
    match target {
        Target::Schema(_) => {}
        Target::Missing(name) => {
            let message =
                format!("`$ref` points to `{SCHEMA_REF_PREFIX}{name}`, which does not exist");
            let names = doc.schemas.iter().map(|s| s.key.name.as_str());
            let hint = match suggest_within_budget(&name, names, &mut cx.suggestion_budget) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "declare the schema under `components.schemas`".to_string(),
            };
            cx.error(Code::UnknownEntity, value.span, path, message, Some(hint));
        }
        Target::NonLocal(text) => cx.warn_hint(
            value.span,
            path,
            format!(
                "`$ref` to `{text}` is not imported: only references into this document's \
                 `components.schemas` are followed"
            ),
            "copy the referenced schema into `components.schemas` and refer to it there",
        ),
        Target::OtherLocal(text) => cx.warn(
            value.span,
            path,
            format!(
                "`$ref` to `{text}` is not imported: only references of the form \
                 `{SCHEMA_REF_PREFIX}<name>` are followed"
            ),
        ),
        Target::NotString => {
            let message = format!("`$ref` must be a string, found {}", value.kind_name());
            cx.error(Code::InvalidValue, value.span, path, message, None);
        }
    }
}

/// A `$ref` and the way it is written: plainly, as the single member of an `allOf` (the 3.0
/// idiom for giving a reference siblings), or as `oneOf`/`anyOf` of itself and `{type: 'null'}`
/// (the 3.1 idiom for a nullable reference).
struct RefSite<'a> {
    value: &'a Node,
    path: String,
    via: &'static str,
    nullable: bool,
    member: Option<(&'a Node, String)>,
}

fn is_null_schema(node: &Node) -> bool {
    node.as_map().is_some_and(|m| {
        m.iter().all(|e| {
            (e.key.name == "type" && TypeInfo::of(Some(&e.value)).is_only_null())
                || METADATA_KEYS.contains(&e.key.name.as_str())
                || e.key.name == "description"
        })
    }) && node.get("type").is_some()
}

impl TypeInfo<'_> {
    fn is_only_null(&self) -> bool {
        matches!(self.ty, Ty::OnlyNull)
    }
}

fn ref_of<'a>(node: &'a Node, path: &str) -> Option<RefSite<'a>> {
    node.as_map()?;
    if let Some(value) = node.get("$ref") {
        let path = pointer(path, "$ref");
        return Some(RefSite {
            value,
            path,
            via: "$ref",
            nullable: false,
            member: None,
        });
    }
    if let Some(all) = node.get("allOf")
        && let Some([one]) = all.as_seq()
        && let Some(value) = one.get("$ref")
    {
        let member_path = pointer(&pointer(path, "allOf"), "0");
        return Some(RefSite {
            value,
            path: pointer(&member_path, "$ref"),
            via: "allOf",
            nullable: false,
            member: Some((one, member_path)),
        });
    }
    for via in ["oneOf", "anyOf"] {
        if let Some(list) = node.get(via)
            && let Some([a, b]) = list.as_seq()
        {
            let (r, i) = if is_null_schema(b) {
                (a, 0)
            } else if is_null_schema(a) {
                (b, 1)
            } else {
                continue;
            };
            if let Some(value) = r.get("$ref") {
                let member_path = pointer(&pointer(path, via), &i.to_string());
                return Some(RefSite {
                    value,
                    path: pointer(&member_path, "$ref"),
                    via,
                    nullable: true,
                    member: Some((r, member_path)),
                });
            }
        }
    }
    None
}

/// One mapping of a property's schema: the property itself, then each alias it `$ref`s.
struct Layer<'a> {
    node: &'a Node,
    path: String,
    consumed: Option<&'static str>,
}

enum Terminal<'a> {
    /// No reference to an enum or entity: the layers describe the value.
    Inline,
    Enum(usize, RefSite<'a>),
    Entity(usize, RefSite<'a>),
    /// Unusable (bad reference, cycle): already reported.
    Dropped,
}

struct Resolved<'a> {
    layers: Vec<Layer<'a>>,
    terminal: Terminal<'a>,
    nullable: bool,
}

impl<'a> Resolved<'a> {
    /// The first layer that has `key` (the property wins over the aliases it refers to).
    fn get(&self, key: &str) -> Option<(&'a Entry, &str)> {
        self.layers.iter().find_map(|l| {
            if l.consumed == Some(key) {
                return None;
            }
            let e = l.node.as_map().and_then(|m| find(m, key))?;
            Some((e, l.path.as_str()))
        })
    }

    /// Every keyword in effect, each with the pointer of the layer that holds it.
    fn entries(&self) -> Vec<(&'a Entry, &str)> {
        let mut out = Vec::new();
        let mut earlier: HashSet<&str> = HashSet::new();
        for layer in &self.layers {
            let map = layer.node.as_map().unwrap_or(&[]);
            let live = || {
                map.iter()
                    .filter(|e| layer.consumed != Some(e.key.name.as_str()))
            };
            for e in live() {
                if !earlier.contains(e.key.name.as_str()) {
                    out.push((e, layer.path.as_str()));
                }
            }
            earlier.extend(live().map(|e| e.key.name.as_str()));
        }
        out
    }
}

/// Follows the `$ref`s of a property's schema through aliases, to an enum, an entity or an
/// inline description.
fn resolve<'a>(doc: &Doc<'a>, cx: &mut Cx, node: &'a Node, path: &str) -> Resolved<'a> {
    let mut layers = vec![Layer {
        node,
        path: path.to_string(),
        consumed: None,
    }];
    let mut nullable = false;
    let mut aliases: Vec<usize> = Vec::new();
    loop {
        let Some(last) = layers.last_mut() else {
            return Resolved {
                layers,
                terminal: Terminal::Dropped,
                nullable,
            };
        };
        let Some(site) = ref_of(last.node, &last.path) else {
            return Resolved {
                layers,
                terminal: Terminal::Inline,
                nullable,
            };
        };
        last.consumed = Some(site.via);
        nullable |= site.nullable;
        if let Some((member, member_path)) = &site.member {
            for e in member.as_map().unwrap_or(&[]) {
                let k = e.key.name.as_str();
                if k == "$ref" || k == "description" || METADATA_KEYS.contains(&k) {
                    continue;
                }
                let message = format!(
                    "`{k}` next to a `$ref` inside `{}` is not imported",
                    site.via
                );
                cx.warn(e.key.span, &pointer(member_path, k), message);
            }
        }
        let t = match lookup(doc, site.value) {
            Target::Schema(t) => t,
            bad => {
                report_bad_ref(doc, cx, bad, site.value, &site.path);
                return Resolved {
                    layers,
                    terminal: Terminal::Dropped,
                    nullable,
                };
            }
        };
        let terminal = match doc.kind(t) {
            Kind::Enum => Terminal::Enum(t, site),
            Kind::Entity => Terminal::Entity(t, site),
            Kind::Broken => {
                let message = format!(
                    "`$ref` points to `{}`, which is not a schema that can be imported",
                    doc.name(t)
                );
                cx.warn(site.value.span, &site.path, message);
                Terminal::Dropped
            }
            Kind::Alias if aliases.contains(&t) => {
                let mut chain: Vec<&str> = aliases.iter().map(|&a| doc.name(a)).collect();
                chain.push(doc.name(t));
                let message = format!(
                    "`$ref` cycle through `{}`, so the property is not imported",
                    chain.join("` → `")
                );
                cx.warn(site.value.span, &site.path, message);
                Terminal::Dropped
            }
            Kind::Alias if layers.len() >= MAX_DEPTH => {
                let message = format!(
                    "`$ref`s to other schemas are chained more than {MAX_DEPTH} times (limit \
                     `MAX_DEPTH`)"
                );
                cx.error(
                    Code::LimitExceeded,
                    site.value.span,
                    &site.path,
                    message,
                    None,
                );
                Terminal::Dropped
            }
            Kind::Alias => {
                aliases.push(t);
                if let Some(s) = doc.schemas.get(t) {
                    layers.push(Layer {
                        node: s.node,
                        path: s.path.clone(),
                        consumed: None,
                    });
                }
                continue;
            }
        };
        return Resolved {
            layers,
            terminal,
            nullable,
        };
    }
}

// ---------------------------------------------------------------------------------------------
// Entities: merging `allOf`
// ---------------------------------------------------------------------------------------------

struct Prop<'a> {
    key: &'a Key,
    node: &'a Node,
    path: String,
    /// The schema whose `properties` declare it.
    owner: usize,
}

struct Req<'a> {
    name: &'a str,
    node: &'a Node,
    path: String,
}

#[derive(Default)]
struct Merged<'a> {
    props: Vec<Prop<'a>>,
    by_name: HashMap<&'a str, usize>,
    required: Vec<Req<'a>>,
    /// `required` entries of the schema itself and its inline members, checked once merged.
    unchecked: Vec<usize>,
    /// Every schema merged in, the entity included.
    included: HashSet<usize>,
}

impl<'a> Merged<'a> {
    fn add(&mut self, prop: Prop<'a>, cx: &mut Cx) {
        let name = prop.key.name.as_str();
        match self.by_name.get(name).and_then(|&i| self.props.get_mut(i)) {
            Some(old) => {
                let message = format!(
                    "property `{name}` is already defined at {}; this later definition replaces \
                     it",
                    cx.source.describe(old.key.span)
                );
                cx.warn(prop.key.span, &prop.path, message);
                *old = prop;
            }
            None => {
                self.by_name.insert(name, self.props.len());
                self.props.push(prop);
            }
        }
    }
}

fn merge<'a>(doc: &Doc<'a>, cx: &mut Cx, idx: usize) -> Merged<'a> {
    let mut m = Merged::default();
    let Some(s) = doc.schemas.get(idx) else {
        return m;
    };
    m.included.insert(idx);
    check_object_keys(cx, s.node, &s.path, true);
    let mut stack = vec![idx];
    collect(doc, cx, idx, s.node, &s.path, 0, &mut m, &mut stack, true);
    for &r in &m.unchecked {
        let Some(req) = m.required.get(r) else {
            continue;
        };
        if m.by_name.contains_key(req.name) {
            continue;
        }
        let message = format!(
            "`{}` is listed in `required`, but schema `{}` has no such property",
            req.name,
            doc.name(idx)
        );
        let names = m.props.iter().map(|p| p.key.name.as_str());
        let d = cx.source.warning(
            Code::UnsupportedConstruct,
            req.node.span,
            &req.path,
            message,
        );
        let d = match suggest_within_budget(req.name, names, &mut cx.suggestion_budget) {
            Some(close) => d.with_hint(format!("did you mean `{close}`?")),
            None => d,
        };
        cx.emit(d);
    }
    m
}

/// Merges the `allOf` members, then the `properties` and `required` of `node`.
#[allow(clippy::too_many_arguments)]
fn collect<'a>(
    doc: &Doc<'a>,
    cx: &mut Cx,
    owner: usize,
    node: &'a Node,
    path: &str,
    depth: usize,
    m: &mut Merged<'a>,
    stack: &mut Vec<usize>,
    check: bool,
) {
    if let Some(all) = node.get("allOf") {
        let all_path = pointer(path, "allOf");
        match all.as_seq() {
            None => {
                let message = format!(
                    "`allOf` must be a list of schemas, found {}",
                    all.kind_name()
                );
                cx.error(Code::InvalidValue, all.span, &all_path, message, None);
            }
            Some(members) => {
                for (i, member) in members.iter().enumerate() {
                    let member_path = pointer(&all_path, &i.to_string());
                    if depth + 1 > MAX_DEPTH {
                        let message = format!(
                            "`allOf` is nested more than {MAX_DEPTH} levels deep (limit \
                             `MAX_DEPTH`)"
                        );
                        cx.error(
                            Code::LimitExceeded,
                            member.span,
                            &member_path,
                            message,
                            None,
                        );
                        break;
                    }
                    include_member(doc, cx, owner, member, &member_path, depth, m, stack, check);
                }
            }
        }
    }
    if let Some(props) = node.get("properties") {
        let props_path = pointer(path, "properties");
        match props.as_map() {
            Some(entries) => {
                for e in entries {
                    let path = pointer(&props_path, &e.key.name);
                    m.add(
                        Prop {
                            key: &e.key,
                            node: &e.value,
                            path,
                            owner,
                        },
                        cx,
                    );
                }
            }
            None if props.is_null() => {}
            None => {
                let message = format!(
                    "`properties` must be a mapping, found {}",
                    props.kind_name()
                );
                cx.error(Code::InvalidValue, props.span, &props_path, message, None);
            }
        }
    }
    if let Some(req) = node.get("required") {
        let req_path = pointer(path, "required");
        match req.as_seq() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let path = pointer(&req_path, &i.to_string());
                    match item.as_str() {
                        Some(name) => {
                            if check {
                                m.unchecked.push(m.required.len());
                            }
                            m.required.push(Req {
                                name,
                                node: item,
                                path,
                            });
                        }
                        None => {
                            let message = format!(
                                "`required` lists property names, found {}",
                                item.kind_name()
                            );
                            cx.error(Code::InvalidValue, item.span, &path, message, None);
                        }
                    }
                }
            }
            None => {
                let message = format!(
                    "`required` of a schema must be a list of property names, found {}",
                    req.kind_name()
                );
                cx.error(Code::InvalidValue, req.span, &req_path, message, None);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn include_member<'a>(
    doc: &Doc<'a>,
    cx: &mut Cx,
    owner: usize,
    member: &'a Node,
    member_path: &str,
    depth: usize,
    m: &mut Merged<'a>,
    stack: &mut Vec<usize>,
    check: bool,
) {
    let Some(entries) = member.as_map() else {
        let message = format!(
            "an `allOf` member must be a schema mapping, found {}",
            member.kind_name()
        );
        cx.error(Code::InvalidValue, member.span, member_path, message, None);
        return;
    };
    let Some(r) = member.get("$ref") else {
        check_object_keys(cx, member, member_path, false);
        collect(
            doc,
            cx,
            owner,
            member,
            member_path,
            depth + 1,
            m,
            stack,
            check,
        );
        return;
    };
    let ref_path = pointer(member_path, "$ref");
    for e in entries {
        let k = e.key.name.as_str();
        if k != "$ref" && k != "description" && !METADATA_KEYS.contains(&k) {
            let message = format!("`{k}` next to a `$ref` inside `allOf` is not imported");
            cx.warn(e.key.span, &pointer(member_path, k), message);
        }
    }
    let t = match lookup(doc, r) {
        Target::Schema(t) => t,
        bad => return report_bad_ref(doc, cx, bad, r, &ref_path),
    };
    if let Some(pos) = stack.iter().position(|&s| s == t) {
        let mut chain: Vec<&str> = stack.iter().skip(pos).map(|&s| doc.name(s)).collect();
        chain.push(doc.name(t));
        let message = format!(
            "`allOf` cycle `{}`: the schemas of the cycle are merged once",
            chain.join("` → `")
        );
        cx.warn(r.span, &ref_path, message);
        return;
    }
    if !m.included.insert(t) {
        // Reached again through another member (a diamond): already merged.
        return;
    }
    if doc.kind(t) != Kind::Entity {
        let message = format!(
            "`allOf` member `{}` is not an object schema, so it has no properties to merge; it \
             is skipped",
            doc.name(t)
        );
        cx.warn(r.span, &ref_path, message);
        return;
    }
    let Some(target) = doc.schemas.get(t) else {
        return;
    };
    stack.push(t);
    collect(
        doc,
        cx,
        t,
        target.node,
        &target.path,
        depth + 1,
        m,
        stack,
        false,
    );
    stack.pop();
}

/// Warnings for the keywords of an object schema (`top`) or of an inline `allOf` member that
/// have no equivalent on an entity.
fn check_object_keys(cx: &mut Cx, node: &Node, path: &str, top: bool) {
    for e in node.as_map().unwrap_or(&[]) {
        let k = e.key.name.as_str();
        let kpath = pointer(path, k);
        let span = e.key.span;
        match k {
            "properties" | "required" | "allOf" | "description" => {}
            _ if METADATA_KEYS.contains(&k) => {}
            "type" => {
                let ty = TypeInfo::of(Some(&e.value));
                if ty.null && top {
                    cx.warn(
                        e.value.span,
                        &kpath,
                        "`null` in the type of a schema is not imported; make the properties \
                         that refer to it optional instead"
                            .into(),
                    );
                } else if !ty.is("object") {
                    let message = format!(
                        "an `allOf` member of type `{}` has no properties to merge",
                        scalar_text(&e.value)
                    );
                    cx.warn(e.value.span, &kpath, message);
                }
            }
            "additionalProperties" if e.value.value == Value::Bool(false) => {}
            "additionalProperties" => cx.warn(
                span,
                &kpath,
                "`additionalProperties` is not imported: an entity has exactly the fields it \
                 declares"
                    .into(),
            ),
            "oneOf" | "anyOf" | "not" => cx.warn(
                span,
                &kpath,
                format!("`{k}` is not imported: specforge entities cannot be unions or exclusions"),
            ),
            "discriminator" => cx.warn(
                span,
                &kpath,
                "`discriminator` is not imported: specforge has no polymorphic entities".into(),
            ),
            "nullable" if e.value.value == Value::Bool(false) => {}
            "nullable" => cx.warn(
                span,
                &kpath,
                "`nullable` on a schema is not imported; make the properties that refer to it \
                 optional instead"
                    .into(),
            ),
            _ if k.starts_with("x-") => {
                cx.warn(span, &kpath, format!("extension `{k}` is not imported"))
            }
            _ => cx.warn(
                span,
                &kpath,
                format!("`{k}` is not imported: specforge has no equivalent for an entity"),
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Translation
// ---------------------------------------------------------------------------------------------

/// A property that refers to an entity: the shape the one-to-many inference looks at.
struct Shape {
    prop: usize,
    target: usize,
    array: bool,
}

/// Enums made from inline `enum`s of properties, keyed by the span of the `enum` value so that a
/// property merged into several entities gives one enum.
#[derive(Default)]
struct Synth {
    entries: Vec<Entry>,
    by_span: HashMap<(usize, usize), String>,
    taken: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

struct Translator<'a, 'm> {
    doc: &'m Doc<'a>,
    merged: &'m [Option<Merged<'a>>],
    shapes: &'m [Vec<Shape>],
    synth: Synth,
}

enum Out {
    Field(Node),
    Relation(Node),
    Skip,
}

fn translate_schemas(mut doc: Doc, cx: &mut Cx) -> (Vec<Entry>, Vec<Entry>) {
    let n = doc.schemas.len();
    let mut merged: Vec<Option<Merged>> = (0..n).map(|_| None).collect();
    let mut reached = vec![false; n];
    for (i, slot) in merged.iter_mut().enumerate() {
        if doc.kind(i) == Kind::Entity && !doc.schemas[i].mixin {
            let m = merge(&doc, cx, i);
            for &t in &m.included {
                if let Some(r) = reached.get_mut(t) {
                    *r = true;
                }
            }
            *slot = Some(m);
        }
    }
    for (i, slot) in merged.iter_mut().enumerate() {
        if doc.schemas[i].mixin {
            *slot = Some(merge(&doc, cx, i));
        }
    }
    // A mixin that no entity includes (mixins including each other in a cycle) would be lost:
    // it is an entity after all.
    for (s, r) in doc.schemas.iter_mut().zip(&reached) {
        s.mixin &= *r;
    }

    cx.muted += 1;
    let shapes: Vec<Vec<Shape>> = merged
        .iter()
        .map(|m| {
            m.as_ref()
                .map(|m| shapes_of(&doc, cx, m))
                .unwrap_or_default()
        })
        .collect();
    cx.muted -= 1;

    let mut taken = HashSet::new();
    for s in &doc.schemas {
        taken.insert(alphanumeric_key(&s.key.name));
    }
    let mut tr = Translator {
        doc: &doc,
        merged: &merged,
        shapes: &shapes,
        synth: Synth::default(),
    };
    tr.synth.taken = taken;

    let mut enums = Vec::new();
    let mut entities = Vec::new();
    for (i, s) in doc.schemas.iter().enumerate() {
        match s.kind {
            Kind::Enum => enums.push(enum_entry(s, cx)),
            Kind::Entity if !s.mixin => entities.push(tr.entity(cx, i)),
            _ => {}
        }
    }
    enums.append(&mut tr.synth.entries);
    (enums, entities)
}

fn shapes_of(doc: &Doc, cx: &mut Cx, m: &Merged) -> Vec<Shape> {
    let mut out = Vec::new();
    for (i, p) in m.props.iter().enumerate() {
        if implicit(&p.key.name).is_some() || p.node.as_map().is_none() {
            continue;
        }
        let r = resolve(doc, cx, p.node, &p.path);
        match r.terminal {
            Terminal::Entity(t, _) => out.push(Shape {
                prop: i,
                target: t,
                array: false,
            }),
            Terminal::Inline => {
                if let Some((items, layer_path)) = r.get("items")
                    && (TypeInfo::of(r.get("type").map(|(e, _)| &e.value)).is("array")
                        || r.get("type").is_none())
                {
                    let ir = resolve(doc, cx, &items.value, &pointer(layer_path, "items"));
                    if let Terminal::Entity(t, _) = ir.terminal {
                        out.push(Shape {
                            prop: i,
                            target: t,
                            array: true,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn enum_entry(s: &Schema, cx: &mut Cx) -> Entry {
    let mut values = Vec::new();
    let mut values_span = s.node.span;
    let mut description = None;
    for e in s.node.as_map().unwrap_or(&[]) {
        let k = e.key.name.as_str();
        let kpath = pointer(&s.path, k);
        match k {
            "enum" => {
                values_span = e.value.span;
                for (i, v) in e.value.as_seq().unwrap_or(&[]).iter().enumerate() {
                    if v.is_null() {
                        let message = format!(
                            "`null` in enum `{}` is not imported; make the properties that refer \
                             to it optional instead",
                            s.key.name
                        );
                        cx.warn(v.span, &pointer(&kpath, &i.to_string()), message);
                    } else {
                        values.push(v.clone());
                    }
                }
            }
            "type" => {}
            "description" => description = Some(e),
            _ if METADATA_KEYS.contains(&k) => {}
            "nullable" if e.value.value == Value::Bool(false) => {}
            "nullable" => cx.warn(
                e.key.span,
                &kpath,
                "`nullable` on an enum schema is not imported; make the properties that refer \
                 to it optional instead"
                    .into(),
            ),
            _ if k.starts_with("x-") => cx.warn(
                e.key.span,
                &kpath,
                format!("extension `{k}` is not imported"),
            ),
            _ => cx.warn(
                e.key.span,
                &kpath,
                format!("`{k}` on an enum schema is not imported: specforge has no equivalent"),
            ),
        }
    }
    let list = Node::new(Value::Seq(values), values_span);
    let value = match description {
        Some(d) => Node::new(
            Value::Map(vec![
                entry("values", enum_key_span(s), list),
                entry("description", d.key.span, d.value.clone()),
            ]),
            s.node.span,
        ),
        None => list,
    };
    Entry {
        key: s.key.clone(),
        value,
    }
}

/// The span of the `enum` key, for the `values` key of an enum in its long form.
fn enum_key_span(s: &Schema) -> Span {
    s.node
        .as_map()
        .and_then(|m| find(m, "enum"))
        .map_or(s.key.span, |e| e.key.span)
}

/// The type an implicit field must have to be dropped silently, for `id`, `created_at`,
/// `updated_at` and their spellings in other cases (`createdAt`, `UpdatedAt`, ...).
fn implicit(name: &str) -> Option<(&'static str, &'static str)> {
    match alphanumeric_key(name).as_str() {
        "id" => Some(("id", "uuid")),
        "createdat" => Some(("created_at", "datetime")),
        "updatedat" => Some(("updated_at", "datetime")),
        _ => None,
    }
}

/// The specforge type an OpenAPI type and format map to, and whether the format was understood.
fn map_scalar(ty: &str, format: Option<&str>) -> Option<(&'static str, FormatFit)> {
    use FormatFit::*;
    let mapped = match (ty, format) {
        ("string", None | Some("password")) => ("string", Exact),
        ("string", Some("date")) => ("date", Exact),
        ("string", Some("date-time")) => ("datetime", Exact),
        ("string", Some("uuid")) => ("uuid", Exact),
        ("string", Some("email" | "idn-email")) => ("email", Exact),
        ("string", Some("uri" | "url" | "uri-reference" | "iri" | "iri-reference")) => {
            ("url", Exact)
        }
        ("string", Some("byte" | "binary")) => ("string", Binary),
        ("string", Some(_)) => ("string", Unknown),
        ("integer", None | Some("int32")) => ("integer", Exact),
        ("integer", Some("int64")) => ("bigint", Exact),
        ("integer", Some(_)) => ("integer", Unknown),
        ("number", None | Some("float" | "double")) => ("float", Exact),
        ("number", Some("decimal")) => ("decimal", Exact),
        ("number", Some(_)) => ("float", Unknown),
        ("boolean", None) => ("boolean", Exact),
        ("boolean", Some(_)) => ("boolean", Unknown),
        _ => return None,
    };
    Some(mapped)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FormatFit {
    Exact,
    Binary,
    Unknown,
}

impl<'a> Translator<'a, '_> {
    fn entity(&mut self, cx: &mut Cx, idx: usize) -> Entry {
        let doc = self.doc;
        let Some(s) = doc.schemas.get(idx) else {
            return entry("", Span::default(), Node::new(Value::Null, Span::default()));
        };
        let empty = Merged::default();
        let merged = self
            .merged
            .get(idx)
            .and_then(Option::as_ref)
            .unwrap_or(&empty);
        let mut required: HashMap<&str, &Req> = HashMap::new();
        for r in &merged.required {
            required.entry(r.name).or_insert(r);
        }
        let mut fields = Vec::new();
        let mut relations = Vec::new();
        for (pi, p) in merged.props.iter().enumerate() {
            if let Some((canonical, expected)) = implicit(&p.key.name) {
                self.implicit_field(cx, p, canonical, expected);
                continue;
            }
            let req = required.get(p.key.name.as_str()).copied();
            let key = p.key.clone();
            match self.property(cx, idx, pi, p, req) {
                Out::Field(value) => fields.push(Entry { key, value }),
                Out::Relation(value) => relations.push(Entry { key, value }),
                Out::Skip => {}
            }
        }
        let map = s.node.as_map().unwrap_or(&[]);
        let (section_key, section_span) = find(map, "properties")
            .map_or((s.key.span, s.node.span), |e| (e.key.span, e.value.span));
        let mut body = Vec::new();
        if let Some(d) = find(map, "description") {
            body.push(entry("description", d.key.span, d.value.clone()));
        }
        if !fields.is_empty() {
            body.push(entry(
                "fields",
                section_key,
                Node::new(Value::Map(fields), section_span),
            ));
        }
        if !relations.is_empty() {
            let node = Node::new(Value::Map(relations), section_span);
            body.push(entry("relations", section_key, node));
        }
        Entry {
            key: s.key.clone(),
            value: Node::new(Value::Map(body), s.node.span),
        }
    }

    /// `id`, `created_at`, `updated_at`: every entity has them, so they are never emitted; a
    /// warning says so when the OpenAPI type differs from the implicit one.
    fn implicit_field(&self, cx: &mut Cx, p: &Prop, canonical: &str, expected: &str) {
        cx.muted += 1;
        let word = self.type_word(cx, p);
        cx.muted -= 1;
        if word == expected {
            return;
        }
        let name = &p.key.name;
        let message = if canonical == "id" {
            format!("specforge ids are UUIDs; the {word} `{name}` is replaced")
        } else {
            format!(
                "specforge manages `{canonical}` itself as a datetime; the {word} `{name}` is \
                 replaced"
            )
        };
        cx.warn(p.key.span, &p.path, message);
    }

    /// The specforge type a property would get, in a word, for messages.
    fn type_word(&self, cx: &mut Cx, p: &Prop) -> String {
        if p.node.as_map().is_none() {
            return p.node.kind_name().to_string();
        }
        let r = resolve(self.doc, cx, p.node, &p.path);
        match r.terminal {
            Terminal::Entity(..) => "reference".into(),
            Terminal::Enum(t, _) => format!("`{}`", self.doc.name(t)),
            Terminal::Dropped => "unusable".into(),
            Terminal::Inline => {
                let ty = TypeInfo::of(r.get("type").map(|(e, _)| &e.value));
                let format = r.get("format").and_then(|(e, _)| e.value.as_str());
                match ty.ty {
                    Ty::One(t, _) => match map_scalar(t, format) {
                        Some((word, _)) => word.into(),
                        None if t == "array" => "list".into(),
                        None if t == "object" => "json".into(),
                        None => t.into(),
                    },
                    _ => "json".into(),
                }
            }
        }
    }

    fn property(
        &mut self,
        cx: &mut Cx,
        entity: usize,
        prop_idx: usize,
        p: &Prop<'a>,
        req: Option<&Req>,
    ) -> Out {
        if p.node.as_map().is_none() {
            let message = format!(
                "property `{}` must be a schema mapping, found {}",
                p.key.name,
                p.node.kind_name()
            );
            cx.error(Code::InvalidValue, p.node.span, &p.path, message, None);
            return Out::Skip;
        }
        let r = resolve(self.doc, cx, p.node, &p.path);
        let ty = TypeInfo::of(r.get("type").map(|(e, _)| &e.value));
        let mut nullable = r.nullable || ty.null;
        if let Some((e, layer)) = r.get("nullable") {
            match e.value.value {
                Value::Bool(b) => nullable |= b,
                _ => {
                    let message = format!(
                        "`nullable` must be true or false, found {}",
                        e.value.kind_name()
                    );
                    let path = pointer(layer, "nullable");
                    cx.error(Code::InvalidValue, e.value.span, &path, message, None);
                }
            }
        }
        match &r.terminal {
            Terminal::Dropped => Out::Skip,
            Terminal::Enum(t, site) => {
                let mut entries = vec![entry(
                    "type",
                    site.value.span,
                    Node::str(self.doc.name(*t), site.value.span),
                )];
                push_required(&mut entries, req, nullable);
                field_keys(cx, &r, &["type", "nullable"], &mut entries, &p.key.name);
                Out::Field(Node::new(Value::Map(entries), p.node.span))
            }
            Terminal::Entity(t, site) => {
                Out::Relation(self.to_one(cx, &r, *t, site, p, req, nullable))
            }
            Terminal::Inline => {
                let is_array = ty.is("array") || (ty.is_absent() && r.get("items").is_some());
                if is_array {
                    return self.array(cx, &r, &ty, entity, prop_idx, p, req, nullable);
                }
                self.inline(cx, &r, &ty, p, req, nullable)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn to_one(
        &self,
        cx: &mut Cx,
        r: &Resolved,
        target: usize,
        site: &RefSite,
        p: &Prop,
        req: Option<&Req>,
        nullable: bool,
    ) -> Node {
        let span = site.value.span;
        let unique = r
            .get("x-unique")
            .filter(|(e, _)| e.value.value == Value::Bool(true));
        let (kind, kind_span) = match unique {
            Some((e, _)) => ("one_to_one", e.value.span),
            None => ("many_to_one", span),
        };
        let mut entries = vec![
            entry("to", span, Node::str(self.doc.name(target), span)),
            entry("kind", kind_span, Node::str(kind, kind_span)),
        ];
        push_required(&mut entries, req, nullable);
        let target_name = self.doc.name(target);
        for (e, layer) in r.entries() {
            let k = e.key.name.as_str();
            let kpath = pointer(layer, k);
            match k {
                "nullable" => {}
                "description" => entries.push(entry("description", e.key.span, e.value.clone())),
                "x-unique" if matches!(e.value.value, Value::Bool(_)) => {}
                "x-unique" => {
                    let message = format!(
                        "`x-unique` must be true or false, found {}",
                        e.value.kind_name()
                    );
                    cx.error(Code::InvalidValue, e.value.span, &kpath, message, None);
                }
                "type" if TypeInfo::of(Some(&e.value)).is("object") => {}
                "type" => cx.warn(
                    e.value.span,
                    &kpath,
                    format!("`type` next to the `$ref` to `{target_name}` is ignored"),
                ),
                "default" => cx.warn(
                    e.key.span,
                    &kpath,
                    format!("a default for the reference to `{target_name}` is not imported"),
                ),
                "maxLength" | "minLength" | "minimum" | "maximum" | "pattern" | "format"
                | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" | "enum" | "const" => cx
                    .warn(
                        e.key.span,
                        &kpath,
                        format!("`{k}` does not apply to the reference to `{target_name}`"),
                    ),
                _ => common_key(cx, e, &kpath, &p.key.name),
            }
        }
        Node::new(Value::Map(entries), p.node.span)
    }

    #[allow(clippy::too_many_arguments)]
    fn array(
        &self,
        cx: &mut Cx,
        r: &Resolved,
        ty: &TypeInfo,
        entity: usize,
        prop_idx: usize,
        p: &Prop,
        req: Option<&Req>,
        nullable: bool,
    ) -> Out {
        let type_span = ty.node.map_or(p.node.span, |n| n.span);
        let json = |cx: &mut Cx, r: &Resolved| {
            let mut entries = vec![entry("type", type_span, Node::str("json", type_span))];
            push_required(&mut entries, req, nullable);
            field_keys(
                cx,
                r,
                &["type", "nullable", "items"],
                &mut entries,
                &p.key.name,
            );
            Out::Field(Node::new(Value::Map(entries), p.node.span))
        };
        let Some((items, layer)) = r.get("items") else {
            let message = format!(
                "the array `{}` has no `items`, so it is imported as a `json` field",
                p.key.name
            );
            cx.warn(type_span, &pointer(layer_of(r, "type"), "type"), message);
            return json(cx, r);
        };
        let items_path = pointer(layer, "items");
        if items.value.as_map().is_none() {
            let message = format!(
                "`items` must be a schema mapping, found {}",
                items.value.kind_name()
            );
            cx.error(
                Code::InvalidValue,
                items.value.span,
                &items_path,
                message,
                None,
            );
            return json(cx, r);
        }
        let ir = resolve(self.doc, cx, &items.value, &items_path);
        let what = match &ir.terminal {
            Terminal::Dropped => return Out::Skip,
            Terminal::Entity(t, site) => {
                return Out::Relation(
                    self.to_many(cx, r, &ir, *t, site, type_span, entity, prop_idx, p),
                );
            }
            Terminal::Enum(t, _) => format!("`{}` values", self.doc.name(*t)),
            Terminal::Inline => match TypeInfo::of(ir.get("type").map(|(e, _)| &e.value)).ty {
                Ty::One("object", _) => "objects".to_string(),
                Ty::One("array", _) => "arrays".to_string(),
                Ty::One(t, _) => format!("`{t}` values"),
                _ if ir.get("properties").is_some() => "objects".to_string(),
                _ => "values".to_string(),
            },
        };
        let message = format!(
            "the array of {what} `{}` is imported as a `json` field: specforge has no list fields",
            p.key.name
        );
        let hint = "to relate entities, make the items a `$ref` to an object schema";
        cx.warn_hint(items.key.span, &items_path, message, hint);
        json(cx, r)
    }

    #[allow(clippy::too_many_arguments)]
    fn to_many(
        &self,
        cx: &mut Cx,
        r: &Resolved,
        ir: &Resolved,
        target: usize,
        site: &RefSite,
        kind_span: Span,
        entity: usize,
        prop_idx: usize,
        p: &Prop,
    ) -> Node {
        let span = site.value.span;
        let target_name = self.doc.name(target);
        let mut entries = vec![entry("to", span, Node::str(target_name, span))];
        let (kind, mapped_by) = self.infer(cx, entity, prop_idx, target, p);
        entries.push(entry("kind", kind_span, Node::str(kind, kind_span)));
        if let Some(key) = mapped_by {
            entries.push(entry(
                "mapped_by",
                key.span,
                Node::str(key.name.clone(), key.span),
            ));
        }
        for (e, layer) in r.entries() {
            let k = e.key.name.as_str();
            let kpath = pointer(layer, k);
            match k {
                "type" | "items" | "nullable" => {}
                "description" => entries.push(entry("description", e.key.span, e.value.clone())),
                "uniqueItems" | "minItems" | "maxItems" => cx.warn(
                    e.key.span,
                    &kpath,
                    format!(
                        "`{k}` is not imported: the number of related `{target_name}` is not \
                         constrained"
                    ),
                ),
                "default" | "x-unique" | "maxLength" | "minLength" | "minimum" | "maximum"
                | "pattern" | "format" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf"
                | "enum" | "const" => cx.warn(
                    e.key.span,
                    &kpath,
                    format!("`{k}` does not apply to the list of `{target_name}`"),
                ),
                _ => common_key(cx, e, &kpath, &p.key.name),
            }
        }
        for (e, layer) in ir.entries() {
            let k = e.key.name.as_str();
            if k == "description" || k == "nullable" || METADATA_KEYS.contains(&k) {
                continue;
            }
            let message = format!("`{k}` next to the `$ref` of `items` is not imported");
            cx.warn(e.key.span, &pointer(layer, k), message);
        }
        Node::new(Value::Map(entries), p.node.span)
    }

    /// `one_to_many` when the target has a reference back, `many_to_many` otherwise; when both
    /// sides are arrays, the side written second is `mapped_by` the first.
    fn infer(
        &self,
        cx: &mut Cx,
        entity: usize,
        prop_idx: usize,
        target: usize,
        p: &Prop,
    ) -> (&'static str, Option<&'a Key>) {
        let no_shapes: &[Shape] = &[];
        let back_shapes = self.shapes.get(target).map_or(no_shapes, Vec::as_slice);
        let own_shapes = self.shapes.get(entity).map_or(no_shapes, Vec::as_slice);
        let target_props = self.props(target);
        let is_self = |s: &&Shape| entity == target && s.prop == prop_idx;
        let back: Vec<&Shape> = back_shapes
            .iter()
            .filter(|s| s.target == entity)
            .filter(|s| !is_self(s))
            .collect();

        let singles: Vec<&Shape> = back.iter().copied().filter(|s| !s.array).collect();
        if let Some(first) = singles.first() {
            let key = target_props.get(first.prop).map(|q| q.key);
            if singles.len() > 1 {
                let names: Vec<String> = singles
                    .iter()
                    .filter_map(|s| target_props.get(s.prop))
                    .map(|q| format!("`{}`", q.key.name))
                    .collect();
                let message = format!(
                    "`{}` has several properties that refer back to `{}` ({}); `mapped_by` is \
                     the first",
                    self.doc.name(target),
                    self.doc.name(entity),
                    names.join(", ")
                );
                cx.warn(p.key.span, &p.path, message);
            }
            return ("one_to_many", key);
        }
        let Some(partner) = back.iter().find(|s| s.array) else {
            return ("many_to_many", None);
        };
        // Pair the arrays only when each is the other's first array back: otherwise they are two
        // independent many-to-many relations.
        let partner_first = own_shapes
            .iter()
            .filter(|s| s.array && s.target == target)
            .find(|s| !(entity == target && s.prop == partner.prop));
        if partner_first.map(|s| s.prop) != Some(prop_idx) {
            return ("many_to_many", None);
        }
        match target_props.get(partner.prop) {
            Some(q) if q.key.span.start < p.key.span.start => ("many_to_many", Some(q.key)),
            _ => ("many_to_many", None),
        }
    }

    fn props(&self, idx: usize) -> &'_ [Prop<'a>] {
        self.merged
            .get(idx)
            .and_then(Option::as_ref)
            .map_or(&[], |m| m.props.as_slice())
    }

    fn inline(
        &mut self,
        cx: &mut Cx,
        r: &Resolved,
        ty: &TypeInfo,
        p: &Prop,
        req: Option<&Req>,
        mut nullable: bool,
    ) -> Out {
        let type_span = ty.node.map_or(p.node.span, |n| n.span);
        let type_path = pointer(layer_of(r, "type"), "type");
        let mut consumed: Vec<&str> = vec!["type", "nullable"];
        let type_node = match &ty.ty {
            Ty::OnlyNull => {
                let message = format!(
                    "property `{}` can only be null, so it is not imported",
                    p.key.name
                );
                cx.warn(type_span, &type_path, message);
                return Out::Skip;
            }
            Ty::Several(names) => {
                let message = format!(
                    "property `{}` has several types (`{}`), so it is imported as a `json` field",
                    p.key.name,
                    names.join("`, `")
                );
                cx.warn(type_span, &type_path, message);
                Node::str("json", type_span)
            }
            Ty::Malformed => ty.node.cloned().unwrap_or(Node::str("json", type_span)),
            Ty::One(t @ ("string" | "integer" | "number" | "boolean"), node) => {
                consumed.extend(["format", "enum"]);
                self.scalar(cx, r, t, node.span, p, &mut nullable)
            }
            Ty::One("object", _) => {
                consumed.extend(["properties", "required", "additionalProperties"]);
                object_like(cx, r, p);
                Node::str("json", type_span)
            }
            Ty::One(_, node) => (*node).clone(),
            Ty::Absent if r.get("enum").is_some() => {
                consumed.push("enum");
                match self.inline_enum(cx, r, p, &mut nullable) {
                    Some(node) => node,
                    None => Node::str("json", type_span),
                }
            }
            Ty::Absent if r.get("properties").is_some() => {
                consumed.extend(["properties", "required", "additionalProperties"]);
                object_like(cx, r, p);
                Node::str("json", type_span)
            }
            Ty::Absent => {
                if let Some((f, layer)) = r.get("format") {
                    consumed.push("format");
                    let message = format!(
                        "`format` without a `type` is ignored: the property `{}` is a free-form \
                         `json` field",
                        p.key.name
                    );
                    cx.warn(f.key.span, &pointer(layer, "format"), message);
                }
                Node::str("json", type_span)
            }
        };
        let mut entries = vec![entry("type", type_node.span, type_node)];
        push_required(&mut entries, req, nullable);
        field_keys(cx, r, &consumed, &mut entries, &p.key.name);
        Out::Field(Node::new(Value::Map(entries), p.node.span))
    }

    fn scalar(
        &mut self,
        cx: &mut Cx,
        r: &Resolved,
        t: &str,
        type_span: Span,
        p: &Prop,
        nullable: &mut bool,
    ) -> Node {
        let format = r.get("format");
        let format_text = format.and_then(|(e, _)| e.value.as_str());
        if let Some((e, layer)) = format
            && format_text.is_none()
        {
            let message = format!("`format` must be a string, found {}", e.value.kind_name());
            cx.error(
                Code::InvalidValue,
                e.value.span,
                &pointer(layer, "format"),
                message,
                None,
            );
        }
        let (word, fit) = map_scalar(t, format_text).unwrap_or(("json", FormatFit::Exact));
        if let (Some((e, layer)), Some(f)) = (format, format_text) {
            let path = pointer(layer, "format");
            match fit {
                FormatFit::Exact => {}
                FormatFit::Binary => cx.warn_hint(
                    e.value.span,
                    &path,
                    format!("format `{f}` (file contents) is not imported: the field is a plain `string`"),
                    "store files elsewhere and keep their address in a `format: uri` field",
                ),
                FormatFit::Unknown => cx.warn(
                    e.value.span,
                    &path,
                    format!("format `{f}` is not imported: the field is a plain `{word}`"),
                ),
            }
        }
        if let Some((e, layer)) = r.get("enum") {
            if t == "string"
                && let Some(node) = self.inline_enum(cx, r, p, nullable)
            {
                return node;
            }
            if t != "string" {
                let message = format!(
                    "an enum of `{t}` values is not imported: the field accepts any `{word}`"
                );
                cx.warn(e.key.span, &pointer(layer, "enum"), message);
            }
        }
        Node::str(word, type_span)
    }

    /// An enum named after the schema and the property, for an inline `enum` of strings
    /// (`null` among the values makes the field optional). Returns the field's `type` node.
    fn inline_enum(
        &mut self,
        cx: &mut Cx,
        r: &Resolved,
        p: &Prop,
        nullable: &mut bool,
    ) -> Option<Node> {
        let (e, layer) = r.get("enum")?;
        let items = e.value.as_seq();
        let strings =
            items.is_some_and(|items| items.iter().all(|v| v.as_str().is_some() || v.is_null()));
        if !strings {
            let message = format!(
                "the enum of property `{}` has values that are not strings, so it is not imported",
                p.key.name
            );
            cx.warn(e.key.span, &pointer(layer, "enum"), message);
            return None;
        }
        let items = items.unwrap_or(&[]);
        if items.iter().any(Node::is_null) {
            *nullable = true;
        }
        let span_key = (e.value.span.start, e.value.span.end);
        let name = match self.synth.by_span.get(&span_key) {
            Some(name) => name.clone(),
            None => {
                let base = format!(
                    "{}{}",
                    pascal_case(self.doc.name(p.owner)),
                    pascal_case(&p.key.name)
                );
                // Continue numbering where the last enum of the same base stopped, so that many
                // colliding names stay linear.
                let mut name = base.clone();
                let next = self
                    .synth
                    .next_suffix
                    .entry(alphanumeric_key(&base))
                    .or_insert(2);
                while self.synth.taken.contains(&alphanumeric_key(&name)) {
                    name = format!("{base}{next}");
                    *next += 1;
                }
                self.synth.taken.insert(alphanumeric_key(&name));
                self.synth.by_span.insert(span_key, name.clone());
                let values: Vec<Node> = items.iter().filter(|v| !v.is_null()).cloned().collect();
                let list = Node::new(Value::Seq(values), e.value.span);
                self.synth.entries.push(entry(&name, p.key.span, list));
                name
            }
        };
        Some(Node::str(name, e.value.span))
    }
}

/// The pointer of the layer that holds `key`, or of the property itself.
fn layer_of<'r>(r: &'r Resolved, key: &str) -> &'r str {
    match r.get(key) {
        Some((_, layer)) => layer,
        None => r.layers.first().map_or("", |l| l.path.as_str()),
    }
}

fn push_required(entries: &mut Vec<Entry>, req: Option<&Req>, nullable: bool) {
    if let Some(r) = req
        && !nullable
    {
        entries.push(entry(
            "required",
            r.node.span,
            Node::new(Value::Bool(true), r.node.span),
        ));
    }
}

/// A nested object is a `json` field: its properties are not entities.
fn object_like(cx: &mut Cx, r: &Resolved, p: &Prop) {
    if let Some((e, layer)) = r.get("properties")
        && !is_empty(&e.value)
    {
        let message = format!(
            "the nested object `{}` is imported as a `json` field: nested objects are not entities",
            p.key.name
        );
        let hint = "move the object to `components.schemas` and `$ref` it to get a relation";
        cx.warn_hint(e.key.span, &pointer(layer, "properties"), message, hint);
        return;
    }
    if let Some((e, layer)) = r.get("additionalProperties")
        && !matches!(e.value.value, Value::Bool(true))
        && !is_empty(&e.value)
    {
        let message = format!(
            "`additionalProperties` is not imported: `{}` is a free-form `json` field",
            p.key.name
        );
        cx.warn(e.key.span, &pointer(layer, "additionalProperties"), message);
    }
}

/// The constraints of a field, in the order written; warnings for everything else.
fn field_keys(cx: &mut Cx, r: &Resolved, consumed: &[&str], entries: &mut Vec<Entry>, prop: &str) {
    for (e, layer) in r.entries() {
        let k = e.key.name.as_str();
        if consumed.contains(&k) {
            continue;
        }
        let kpath = pointer(layer, k);
        let mapped = match k {
            "maxLength" => Some("max_length"),
            "minLength" => Some("min_length"),
            "minimum" => Some("min"),
            "maximum" => Some("max"),
            "pattern" => Some("pattern"),
            "default" => Some("default"),
            "description" => Some("description"),
            "x-unique" if e.value.value == Value::Bool(false) => continue,
            "x-unique" => Some("unique"),
            _ => None,
        };
        if let Some(name) = mapped {
            entries.push(entry(name, e.key.span, e.value.clone()));
            continue;
        }
        match k {
            "exclusiveMinimum" | "exclusiveMaximum" => {
                if e.value.value == Value::Bool(false) {
                    continue;
                }
                let bound = if k == "exclusiveMinimum" {
                    "minimum"
                } else {
                    "maximum"
                };
                cx.warn_hint(
                    e.key.span,
                    &kpath,
                    format!("`{k}` is not imported: specforge bounds are inclusive"),
                    &format!("use `{bound}` with the closest allowed value"),
                );
            }
            "multipleOf" | "uniqueItems" | "minItems" | "maxItems" | "const" => cx.warn(
                e.key.span,
                &kpath,
                format!("`{k}` is not imported: specforge has no equivalent constraint"),
            ),
            "items" => cx.warn(
                e.key.span,
                &kpath,
                format!("`items` is ignored: `{prop}` is not an array"),
            ),
            "properties" | "additionalProperties" => cx.warn(
                e.key.span,
                &kpath,
                format!("`{k}` is ignored: `{prop}` is not an object"),
            ),
            "format" | "enum" => cx.warn(
                e.key.span,
                &kpath,
                format!("`{k}` is ignored: it does not apply to the type of `{prop}`"),
            ),
            _ => common_key(cx, e, &kpath, prop),
        }
    }
}

/// Keywords handled alike on fields and relations.
fn common_key(cx: &mut Cx, e: &Entry, kpath: &str, prop: &str) {
    let k = e.key.name.as_str();
    let span = e.key.span;
    match k {
        _ if METADATA_KEYS.contains(&k) => {}
        "oneOf" | "anyOf" => cx.warn(
            span,
            kpath,
            format!("`{k}` is not imported: specforge has no union types"),
        ),
        "not" => cx.warn(
            span,
            kpath,
            "`not` is not imported: specforge has no exclusions".into(),
        ),
        "allOf" => cx.warn(
            span,
            kpath,
            "`allOf` in a property is only imported with a single `$ref` member".into(),
        ),
        "discriminator" => cx.warn(
            span,
            kpath,
            "`discriminator` is not imported: specforge has no polymorphic entities".into(),
        ),
        "required" => cx.warn_hint(
            span,
            kpath,
            "`required` inside a property is not OpenAPI and is ignored".into(),
            &format!("list `{prop}` in the `required` list of the schema"),
        ),
        _ if k.starts_with("x-") => {
            cx.warn(span, kpath, format!("extension `{k}` is not imported"))
        }
        _ => cx.warn(
            span,
            kpath,
            format!("`{k}` is not imported: it is not an OpenAPI keyword that specforge knows"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use proptest::prelude::*;

    // --- A minimal JSON reader for the tests: every node gets the span of its text. -----------

    struct Json<'t> {
        text: &'t str,
        at: usize,
    }

    impl Json<'_> {
        fn peek(&self) -> Option<u8> {
            self.text.as_bytes().get(self.at).copied()
        }

        fn skip_space(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
                self.at += 1;
            }
        }

        fn eat(&mut self, b: u8) -> Option<()> {
            self.skip_space();
            (self.peek()? == b).then(|| self.at += 1)
        }

        fn string(&mut self) -> Option<(String, Span)> {
            self.skip_space();
            let start = self.at;
            self.eat(b'"')?;
            let mut out = String::new();
            let mut chars = self.text.get(self.at..)?.char_indices();
            loop {
                let (i, c) = chars.next()?;
                match c {
                    '"' => {
                        self.at += i + 1;
                        return Some((out, Span::new(start, self.at)));
                    }
                    '\\' => {
                        let (_, e) = chars.next()?;
                        out.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'u' => {
                                let hex: String =
                                    (0..4).filter_map(|_| chars.next()).map(|p| p.1).collect();
                                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                            }
                            other => other,
                        });
                    }
                    c => out.push(c),
                }
            }
        }

        fn value(&mut self) -> Option<Node> {
            self.skip_space();
            let start = self.at;
            let value = match self.peek()? {
                b'{' => {
                    self.at += 1;
                    let mut entries = Vec::new();
                    if self.eat(b'}').is_none() {
                        loop {
                            let (name, span) = self.string()?;
                            self.eat(b':')?;
                            entries.push(Entry {
                                key: Key { name, span },
                                value: self.value()?,
                            });
                            if self.eat(b',').is_none() {
                                self.eat(b'}')?;
                                break;
                            }
                        }
                    }
                    Value::Map(entries)
                }
                b'[' => {
                    self.at += 1;
                    let mut items = Vec::new();
                    if self.eat(b']').is_none() {
                        loop {
                            items.push(self.value()?);
                            if self.eat(b',').is_none() {
                                self.eat(b']')?;
                                break;
                            }
                        }
                    }
                    Value::Seq(items)
                }
                b'"' => Value::Str(self.string()?.0),
                _ => {
                    let rest = self.text.get(self.at..)?;
                    let len = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
                        .unwrap_or(rest.len());
                    let word = rest.get(..len)?;
                    self.at += len;
                    match word {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        "null" => Value::Null,
                        _ => match word.parse::<i64>() {
                            Ok(i) => Value::Int(i),
                            Err(_) => Value::Float(word.parse().ok()?),
                        },
                    }
                }
            };
            Some(Node::new(value, Span::new(start, self.at)))
        }
    }

    fn parse_json(text: &str) -> Node {
        Json { text, at: 0 }
            .value()
            .expect("the test document is valid JSON")
    }

    // --- Helpers ----------------------------------------------------------------------------

    fn import(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        let root = parse_json(text);
        let source = Source::new(text);
        let mut diagnostics = Vec::new();
        let out = to_document(&root, &source, &mut diagnostics);
        (out, diagnostics)
    }

    /// The tree of a document that must be imported, and its diagnostics.
    fn imported(text: &str) -> (Node, Vec<Diagnostic>) {
        let (out, diagnostics) = import(text);
        (out.expect("the document is imported"), diagnostics)
    }

    /// A 3.1 document around `schemas`, which starts on line 2, column 1.
    fn with_schemas(schemas: &str) -> String {
        with_schemas_in("3.1.0", schemas)
    }

    fn with_schemas_in(version: &str, schemas: &str) -> String {
        format!(
            "{{\"openapi\": \"{version}\", \"info\": {{\"title\": \"T\"}}, \"components\": \
             {{\"schemas\":\n{schemas}}}}}"
        )
    }

    /// Code, line and column of each diagnostic.
    fn at(diagnostics: &[Diagnostic]) -> Vec<(&'static str, usize, usize)> {
        diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line, d.column))
            .collect()
    }

    fn render(node: &Node) -> String {
        match &node.value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => s.clone(),
            Value::Seq(items) => {
                let items: Vec<String> = items.iter().map(render).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Map(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|e| format!("{}: {}", e.key.name, render(&e.value)))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }

    fn entry_at<'n>(node: &'n Node, path: &[&str]) -> &'n Entry {
        let (last, parents) = path.split_last().expect("a non-empty path");
        let mut cur = node;
        for k in parents {
            cur = cur
                .get(k)
                .unwrap_or_else(|| panic!("no `{k}` in {}", render(cur)));
        }
        cur.as_map()
            .and_then(|m| find(m, last))
            .unwrap_or_else(|| panic!("no `{last}` in {}", render(cur)))
    }

    fn node_at<'n>(node: &'n Node, path: &[&str]) -> &'n Node {
        &entry_at(node, path).value
    }

    fn shown(node: &Node, path: &[&str]) -> String {
        render(node_at(node, path))
    }

    fn position(text: &str, span: Span) -> (usize, usize) {
        let p = Source::new(text).position(span.start);
        (p.line, p.column)
    }

    const CLINIC: &str = r##"{
 "openapi": "3.1.0",
 "info": {
  "title": "Riverside Clinic",
  "version": "1.4.0",
  "description": "Doctors, patients, appointments and the prescriptions written during them.",
  "contact": {"name": "Clinic IT", "email": "it@riverside-clinic.example"}},
 "servers": [{"url": "https://api.riverside-clinic.example/v1"}],
 "tags": [{"name": "scheduling"}],
 "paths": {},
 "components": {
  "schemas": {
   "Speciality": {
    "type": "string",
    "description": "The medical field a doctor practises.",
    "enum": ["general_practice", "cardiology", "dermatology", "paediatrics", "neurology"]},
   "AppointmentStatus": {
    "type": "string",
    "enum": ["booked", "checked_in", "completed", "cancelled", "no_show"]},
   "Person": {
    "type": "object",
    "required": ["full_name", "email"],
    "properties": {
     "full_name": {"type": "string", "minLength": 1, "maxLength": 120},
     "email": {"type": "string", "format": "email", "maxLength": 254, "x-unique": true},
     "phone": {"type": ["string", "null"], "pattern": "^\\+?[0-9 ]{6,20}$"}}},
   "Doctor": {
    "description": "A physician who sees patients.",
    "allOf": [
     {
      "$ref": "#/components/schemas/Person"},
     {
      "type": "object",
      "required": ["speciality", "licence_number"],
      "properties": {
       "speciality": {"$ref": "#/components/schemas/Speciality"},
       "licence_number": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{6}$", "x-unique": true},
       "accepting_patients": {"type": "boolean", "default": true},
       "patients": {"description": "Patients registered with this doctor.", "type": "array", "items": {"$ref": "#/components/schemas/Patient"}},
       "appointments": {"type": "array", "items": {"$ref": "#/components/schemas/Appointment"}}}}]},
   "Patient": {
    "description": "Someone registered with the clinic.",
    "allOf": [{"$ref": "#/components/schemas/Person"}],
    "required": ["date_of_birth", "medical_record_number"],
    "properties": {
     "id": {"type": "string", "format": "uuid", "readOnly": true},
     "date_of_birth": {"type": "string", "format": "date"},
     "medical_record_number": {"type": "string", "format": "uuid", "x-unique": true},
     "height_cm": {"type": "integer", "minimum": 30, "maximum": 260},
     "weight_kg": {"type": "number", "minimum": 0.5, "maximum": 400},
     "doctors": {"type": "array", "items": {"$ref": "#/components/schemas/Doctor"}},
     "appointments": {"type": "array", "items": {"$ref": "#/components/schemas/Appointment"}}}},
   "Appointment": {
    "type": "object",
    "description": "A consultation of one patient with one doctor.",
    "required": ["patient", "doctor", "starts_at", "duration_minutes", "status"],
    "properties": {
     "patient": {"$ref": "#/components/schemas/Patient"},
     "doctor": {"$ref": "#/components/schemas/Doctor"},
     "starts_at": {"type": "string", "format": "date-time"},
     "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 240, "default": 20},
     "status": {"$ref": "#/components/schemas/AppointmentStatus"},
     "reason": {"type": "string", "maxLength": 500},
     "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
     "prescriptions": {"type": "array", "items": {"$ref": "#/components/schemas/Prescription"}}}},
   "Prescription": {
    "type": "object",
    "required": ["appointment", "medication", "dosage"],
    "properties": {
     "appointment": {"$ref": "#/components/schemas/Appointment"},
     "medication": {"type": "string", "maxLength": 200},
     "dosage": {"type": "string", "maxLength": 100},
     "refills": {"type": "integer", "minimum": 0, "maximum": 12, "default": 0},
     "valid_until": {"type": "string", "format": "date"}}}}}}"##;

    // --- The clinic example -------------------------------------------------------------------

    #[test]
    fn the_clinic_example_becomes_enums_entities_fields_and_relations() {
        let (tree, diagnostics) = imported(CLINIC);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(shown(&tree, &["specforge"]), "1");
        assert_eq!(shown(&tree, &["name"]), "riverside_clinic");
        assert_eq!(shown(&tree, &["title"]), "Riverside Clinic");
        assert_eq!(
            shown(&tree, &["description"]),
            "Doctors, patients, appointments and the prescriptions written during them."
        );
        assert_eq!(
            shown(&tree, &["enums"]),
            "{Speciality: {values: [general_practice, cardiology, dermatology, paediatrics, \
             neurology], description: The medical field a doctor practises.}, \
             AppointmentStatus: [booked, checked_in, completed, cancelled, no_show]}"
        );
        let names: Vec<&str> = node_at(&tree, &["entities"])
            .as_map()
            .expect("entities")
            .iter()
            .map(|e| e.key.name.as_str())
            .collect();
        assert_eq!(names, ["Doctor", "Patient", "Appointment", "Prescription"]);
        let person = "full_name: {type: string, required: true, min_length: 1, max_length: 120}, \
                      email: {type: email, required: true, max_length: 254, unique: true}, \
                      phone: {type: string, pattern: ^\\+?[0-9 ]{6,20}$}";
        assert_eq!(
            shown(&tree, &["entities", "Doctor"]),
            format!(
                "{{description: A physician who sees patients., fields: {{{person}, \
                 speciality: {{type: Speciality, required: true}}, \
                 licence_number: {{type: string, required: true, pattern: ^[A-Z]{{2}}-[0-9]{{6}}$, \
                 unique: true}}, \
                 accepting_patients: {{type: boolean, default: true}}}}, relations: {{\
                 patients: {{to: Patient, kind: many_to_many, description: Patients registered \
                 with this doctor.}}, \
                 appointments: {{to: Appointment, kind: one_to_many, mapped_by: doctor}}}}}}"
            )
        );
        assert_eq!(
            shown(&tree, &["entities", "Patient"]),
            format!(
                "{{description: Someone registered with the clinic., fields: {{{person}, \
                 date_of_birth: {{type: date, required: true}}, \
                 medical_record_number: {{type: uuid, required: true, unique: true}}, \
                 height_cm: {{type: integer, min: 30, max: 260}}, \
                 weight_kg: {{type: float, min: 0.5, max: 400}}}}, relations: {{\
                 doctors: {{to: Doctor, kind: many_to_many, mapped_by: patients}}, \
                 appointments: {{to: Appointment, kind: one_to_many, mapped_by: patient}}}}}}"
            )
        );
        assert_eq!(
            shown(&tree, &["entities", "Appointment"]),
            "{description: A consultation of one patient with one doctor., fields: {\
             starts_at: {type: datetime, required: true}, \
             duration_minutes: {type: integer, required: true, min: 5, max: 240, default: 20}, \
             status: {type: AppointmentStatus, required: true}, \
             reason: {type: string, max_length: 500}, \
             cancelled_at: {type: datetime}}, relations: {\
             patient: {to: Patient, kind: many_to_one, required: true}, \
             doctor: {to: Doctor, kind: many_to_one, required: true}, \
             prescriptions: {to: Prescription, kind: one_to_many, mapped_by: appointment}}}"
        );
        assert_eq!(
            shown(&tree, &["entities", "Prescription"]),
            "{fields: {medication: {type: string, required: true, max_length: 200}, \
             dosage: {type: string, required: true, max_length: 100}, \
             refills: {type: integer, min: 0, max: 12, default: 0}, \
             valid_until: {type: date}}, relations: {\
             appointment: {to: Appointment, kind: many_to_one, required: true}}}"
        );
    }

    #[test]
    fn generated_nodes_carry_the_spans_of_the_openapi_values_they_come_from() {
        let text = r##"{"openapi": "3.1.0",
"info": {"title": "Clinic"},
"components": {"schemas": {
"Doctor": {"type": "object", "properties": {
  "name": {"type": "string",
    "maxLength": 80},
  "visits": {"type": "array", "items": {"$ref": "#/components/schemas/Visit"}}}},
"Visit": {"type": "object", "required": [
  "doctor"], "properties": {
  "doctor": {
    "$ref": "#/components/schemas/Doctor"}}}
}}}"##;
        let (tree, diagnostics) = imported(text);
        assert_eq!(at(&diagnostics), vec![]);
        let span = |path: &[&str]| position(text, node_at(&tree, path).span);
        let key = |path: &[&str]| position(text, entry_at(&tree, path).key.span);
        assert_eq!(span(&["specforge"]), (1, 13));
        assert_eq!(span(&["name"]), (2, 19));
        let name = ["entities", "Doctor", "fields", "name"];
        assert_eq!(key(&name), (5, 3));
        assert_eq!(span(&[&name[..], &["type"]].concat()), (5, 20));
        assert_eq!(key(&[&name[..], &["max_length"]].concat()), (6, 5));
        assert_eq!(span(&[&name[..], &["max_length"]].concat()), (6, 18));
        let visits = ["entities", "Doctor", "relations", "visits"];
        assert_eq!(span(&[&visits[..], &["to"]].concat()), (7, 49));
        assert_eq!(span(&[&visits[..], &["kind"]].concat()), (7, 22));
        assert_eq!(span(&[&visits[..], &["mapped_by"]].concat()), (10, 3));
        let doctor = ["entities", "Visit", "relations", "doctor"];
        assert_eq!(key(&doctor), (10, 3));
        assert_eq!(span(&[&doctor[..], &["to"]].concat()), (11, 13));
        assert_eq!(span(&[&doctor[..], &["kind"]].concat()), (11, 13));
        assert_eq!(span(&[&doctor[..], &["required"]].concat()), (9, 3));
    }

    // --- Versions and the document header ----------------------------------------------------

    #[test]
    fn a_document_without_openapi_is_missing_its_version() {
        let (out, diagnostics) = import(r##"{"info": {"title": "T"}}"##);
        assert!(out.is_none());
        assert_eq!(at(&diagnostics), vec![("missing_version", 1, 1)]);
        assert_eq!(diagnostics[0].path, "");
    }

    #[test]
    fn a_swagger_2_document_is_reported_at_its_version_with_a_hint_to_convert() {
        let (out, diagnostics) = import(r##"{"swagger": "2.0", "info": {"title": "T"}}"##);
        assert!(out.is_none());
        assert_eq!(at(&diagnostics), vec![("unsupported_version", 1, 13)]);
        assert_eq!(diagnostics[0].path, "/swagger");
        assert!(
            diagnostics[0]
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("OpenAPI 3"))
        );
    }

    #[test]
    fn openapi_versions_other_than_3_0_and_3_1_are_unsupported() {
        for (text, hint) in [
            (
                r##"{"openapi": "3.2.0"}"##,
                "use an OpenAPI 3.0 or 3.1 document",
            ),
            (
                r##"{"openapi": "2.0"}"##,
                "convert the document to OpenAPI 3",
            ),
            (r##"{"openapi": 3.1}"##, "quote the version"),
        ] {
            let (out, diagnostics) = import(text);
            assert!(out.is_none(), "{text}");
            assert_eq!(
                at(&diagnostics),
                vec![("unsupported_version", 1, 13)],
                "{text}"
            );
            assert_eq!(diagnostics[0].path, "/openapi");
            assert!(
                diagnostics[0]
                    .hint
                    .as_deref()
                    .is_some_and(|h| h.contains(hint)),
                "{text}"
            );
        }
    }

    #[test]
    fn openapi_3_0_and_3_1_versions_are_accepted() {
        for v in ["3.0.0", "3.0.3", "3.1.0", "3.1.1"] {
            let (out, diagnostics) = import(&format!(
                r##"{{"openapi": "{v}", "info": {{"title": "T"}}}}"##
            ));
            assert!(out.is_some(), "{v}");
            assert_eq!(at(&diagnostics), vec![], "{v}");
        }
    }

    #[test]
    fn a_document_that_is_not_a_mapping_is_rejected() {
        let (out, diagnostics) = import("[1]");
        assert!(out.is_none());
        assert_eq!(at(&diagnostics), vec![("invalid_value", 1, 1)]);
    }

    #[test]
    fn the_name_is_the_title_in_snake_case_and_the_description_comes_from_info() {
        let text = r##"{"openapi": "3.0.3", "info": {"title": "Riverside Clinic API", "description": "All of it."}}"##;
        let (tree, diagnostics) = imported(text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            render(&tree),
            "{specforge: 1, name: riverside_clinic_api, title: Riverside Clinic API, \
             description: All of it., entities: {}}"
        );
        assert_eq!(position(text, entry_at(&tree, &["name"]).key.span), (1, 31));
    }

    #[test]
    fn x_specforge_name_overrides_the_name_derived_from_the_title() {
        let text = r##"{"openapi": "3.1.0", "x-specforge-name": "clinic", "info": {"title": "Riverside"}}"##;
        let (tree, diagnostics) = imported(text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(shown(&tree, &["name"]), "clinic");
        assert_eq!(position(text, node_at(&tree, &["name"]).span), (1, 42));
    }

    #[test]
    fn a_document_without_a_title_or_name_reports_the_missing_title() {
        let (tree, diagnostics) = imported(r##"{"openapi": "3.1.0", "info": {"version": "1"}}"##);
        assert_eq!(at(&diagnostics), vec![("missing_key", 1, 22)]);
        assert_eq!(diagnostics[0].path, "/info/title");
        assert!(tree.get("name").is_none());
    }

    #[test]
    fn metadata_is_ignored_without_warnings() {
        let text = r##"{"openapi": "3.1.0",
"info": {"title": "T", "version": "2", "contact": {"name": "x"}, "license": {"name": "MIT"}, "x-logo": {}},
"servers": [{"url": "https://example.com"}], "tags": [{"name": "t"}],
"externalDocs": {"url": "https://example.com"}, "jsonSchemaDialect": "https://example.com/d",
"paths": {}, "security": [], "components": {"responses": {}, "schemas": {}}}"##;
        let (tree, diagnostics) = imported(text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            render(&tree),
            "{specforge: 1, name: t, title: T, entities: {}}"
        );
    }

    #[test]
    fn paths_with_operations_give_one_warning_at_paths() {
        let text = r##"{"openapi": "3.1.0", "info": {"title": "T"},
"paths": {"/books": {"get": {}, "post": {}}, "/authors": {"get": {}}}}"##;
        let (_, diagnostics) = imported(text);
        assert_eq!(at(&diagnostics), vec![("unsupported_construct", 2, 1)]);
        assert_eq!(diagnostics[0].path, "/paths");
        assert_eq!(
            diagnostics[0].message,
            "paths are not imported: specforge generates the CRUD operations of each entity"
        );
        assert_eq!(diagnostics[0].severity, Severity::Warning);
    }

    #[test]
    fn security_schemes_and_other_components_give_one_warning_each() {
        let text = r##"{"openapi": "3.1.0", "info": {"title": "T"}, "components": {
"securitySchemes": {"bearer": {"type": "http"}, "key": {"type": "apiKey"}},
"responses": {"NotFound": {}},
"parameters": {"page": {}, "size": {}},
"headers": {},
"x-internal": true}}"##;
        let (_, diagnostics) = imported(text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 2, 1),
                ("unsupported_construct", 3, 1),
                ("unsupported_construct", 4, 1),
                ("unsupported_construct", 6, 1),
            ]
        );
        assert_eq!(diagnostics[0].path, "/components/securitySchemes");
        assert!(
            diagnostics[0]
                .message
                .contains("roles must be declared in a specforge spec")
        );
        assert_eq!(diagnostics[2].path, "/components/parameters");
        assert_eq!(
            diagnostics[3].message,
            "extension `x-internal` is not imported"
        );
    }

    #[test]
    fn unknown_top_level_keys_and_extensions_are_reported() {
        let text = r##"{"openapi": "3.1.0", "info": {"title": "T"},
"x-generator": "tool",
"security": [{"bearer": []}],
"webhooks": {"newBook": {}},
"basePath": "/v1"}"##;
        let (_, diagnostics) = imported(text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 2, 1),
                ("unsupported_construct", 3, 1),
                ("unsupported_construct", 4, 1),
                ("unsupported_construct", 5, 1),
            ]
        );
        assert_eq!(
            diagnostics[3].message,
            "top-level key `basePath` is not imported"
        );
    }

    // --- Enums and aliases --------------------------------------------------------------------

    #[test]
    fn string_enum_schemas_become_enums_and_other_enums_are_skipped() {
        let text = with_schemas(
            r##"{"Colour": {"type": "string", "enum": ["red", "green"]},
"Size": {"description": "How big.", "enum": ["s", "m"]},
"Level": {"type": "integer",
  "enum": [1, 2]},
"Mood": {"type": ["string", "null"], "enum": ["happy",
  null]}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 5, 3),
                ("unsupported_construct", 7, 3)
            ]
        );
        assert_eq!(diagnostics[0].path, "/components/schemas/Level/enum");
        assert_eq!(diagnostics[1].path, "/components/schemas/Mood/enum/1");
        assert_eq!(
            shown(&tree, &["enums"]),
            "{Colour: [red, green], Size: {values: [s, m], description: How big.}, Mood: [happy]}"
        );
        assert_eq!(
            position(&text, node_at(&tree, &["enums", "Colour"]).span),
            (2, 39)
        );
    }

    #[test]
    fn an_alias_schema_is_not_imported_but_a_ref_to_it_takes_its_type() {
        let text = with_schemas(
            r##"{"Email": {"type": "string", "format": "email", "maxLength": 200},
"Person": {"type": "object", "properties": {
  "email": {"$ref": "#/components/schemas/Email", "description": "Work address."}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![("unsupported_construct", 2, 2)]);
        assert!(
            diagnostics[0]
                .message
                .contains("schema `Email` is neither an object nor a string enum")
        );
        assert_eq!(
            shown(&tree, &["entities"]),
            "{Person: {fields: {email: {type: email, description: Work address., max_length: 200}}}}"
        );
    }

    // --- allOf -----------------------------------------------------------------------------

    #[test]
    fn all_of_merges_members_in_order_then_the_own_properties() {
        let text = with_schemas(
            r##"{"Named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
"Dated": {"type": "object", "properties": {"born": {"type": "string", "format": "date"}}},
"Author": {"allOf": [
  {"$ref": "#/components/schemas/Named"},
  {"type": "object", "required": ["born"], "properties": {"nick": {"type": "string"}}},
  {"$ref": "#/components/schemas/Dated"}],
  "properties": {"bio": {"type": "string"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities"]),
            "{Author: {fields: {name: {type: string, required: true}, nick: {type: string}, \
             born: {type: date, required: true}, bio: {type: string}}}}"
        );
    }

    #[test]
    fn a_property_redefined_through_all_of_replaces_the_earlier_one_with_a_warning() {
        let text = with_schemas(
            r##"{"Base": {"type": "object", "properties": {
  "title": {"type": "string", "maxLength": 10}}},
"Book": {"allOf": [{"$ref": "#/components/schemas/Base"}], "properties": {
  "title": {"type": "string", "maxLength": 200}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![("unsupported_construct", 5, 3)]);
        assert_eq!(
            diagnostics[0].message,
            "property `title` is already defined at line 3, column 3; this later definition \
             replaces it"
        );
        assert_eq!(
            shown(&tree, &["entities"]),
            "{Book: {fields: {title: {type: string, max_length: 200}}}}"
        );
    }

    #[test]
    fn a_schema_only_included_through_all_of_is_a_mixin_and_a_referenced_one_is_an_entity() {
        let text = with_schemas(
            r##"{"Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
"Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}], "properties": {"breed": {"type": "string"}}},
"Stamp": {"type": "object", "properties": {"at": {"type": "string", "format": "date"}}},
"Cat": {"allOf": [{"$ref": "#/components/schemas/Stamp"}]},
"Owner": {"type": "object", "properties": {"pet": {"$ref": "#/components/schemas/Pet"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities"]),
            "{Pet: {fields: {name: {type: string}}}, \
             Dog: {fields: {name: {type: string}, breed: {type: string}}}, \
             Cat: {fields: {at: {type: date}}}, \
             Owner: {relations: {pet: {to: Pet, kind: many_to_one}}}}"
        );
    }

    #[test]
    fn unions_discriminators_and_open_objects_on_an_entity_are_reported_once_each() {
        let text = with_schemas(
            r##"{"Shape": {"type": "object",
  "oneOf": [{}],
  "anyOf": [{}],
  "not": {},
  "discriminator": {"propertyName": "kind"},
  "additionalProperties": true,
  "properties": {"kind": {"type": "string"}}},
"Closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 3, 3),
                ("unsupported_construct", 4, 3),
                ("unsupported_construct", 5, 3),
                ("unsupported_construct", 6, 3),
                ("unsupported_construct", 7, 3),
            ]
        );
        assert_eq!(diagnostics[0].path, "/components/schemas/Shape/oneOf");
        assert_eq!(
            shown(&tree, &["entities", "Shape"]),
            "{fields: {kind: {type: string}}}"
        );
    }

    // --- Property types ------------------------------------------------------------------------

    #[test]
    fn types_and_formats_map_to_specforge_types() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "properties": {
  "a": {"type": "string"},
  "b": {"type": "string", "format": "date"},
  "c": {"type": "string", "format": "date-time"},
  "d": {"type": "string", "format": "uuid"},
  "e": {"type": "string", "format": "email"},
  "f": {"type": "string", "format": "uri"},
  "g": {"type": "string", "format": "url"},
  "h": {"type": "string", "format": "uri-reference"},
  "i": {"type": "string", "format": "password"},
  "j": {"type": "integer"},
  "k": {"type": "integer", "format": "int32"},
  "l": {"type": "integer", "format": "int64"},
  "m": {"type": "number"},
  "n": {"type": "number", "format": "double"},
  "o": {"type": "number", "format": "decimal"},
  "p": {"type": "boolean"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "T", "fields"]),
            "{a: {type: string}, b: {type: date}, c: {type: datetime}, d: {type: uuid}, \
             e: {type: email}, f: {type: url}, g: {type: url}, h: {type: url}, i: {type: string}, \
             j: {type: integer}, k: {type: integer}, l: {type: bigint}, m: {type: float}, \
             n: {type: float}, o: {type: decimal}, p: {type: boolean}}"
        );
    }

    #[test]
    fn binary_and_unknown_formats_keep_the_base_type_with_a_warning_naming_the_format() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "properties": {
  "a": {"type": "string", "format":
    "binary"},
  "b": {"type": "string", "format":
    "byte"},
  "c": {"type": "string", "format":
    "hostname"},
  "d": {"type": "integer", "format":
    "int8"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 4, 5),
                ("unsupported_construct", 6, 5),
                ("unsupported_construct", 8, 5),
                ("unsupported_construct", 10, 5),
            ]
        );
        assert!(diagnostics[0].message.contains("format `binary`"));
        assert_eq!(
            diagnostics[0].path,
            "/components/schemas/T/properties/a/format"
        );
        assert_eq!(
            diagnostics[2].message,
            "format `hostname` is not imported: the field is a plain `string`"
        );
        assert_eq!(
            shown(&tree, &["entities", "T", "fields"]),
            "{a: {type: string}, b: {type: string}, c: {type: string}, d: {type: integer}}"
        );
    }

    #[test]
    fn free_form_and_nested_objects_and_arrays_of_scalars_become_json() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "properties": {
  "free": {},
  "bag": {"type": "object"},
  "map": {"type": "object", "additionalProperties": {"type": "string"}},
  "addr": {"type": "object",
    "properties": {"city": {"type": "string"}}},
  "tags": {"type": "array",
    "items": {"type": "string"}},
  "raw": {
    "type": "array"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 5, 29),
                ("unsupported_construct", 7, 5),
                ("unsupported_construct", 9, 5),
                ("unsupported_construct", 11, 13),
            ]
        );
        assert!(
            diagnostics[1]
                .message
                .contains("nested objects are not entities")
        );
        assert!(
            diagnostics[2]
                .message
                .contains("array of `string` values `tags`")
        );
        assert_eq!(
            shown(&tree, &["entities", "T", "fields"]),
            "{free: {type: json}, bag: {type: json}, map: {type: json}, addr: {type: json}, \
             tags: {type: json}, raw: {type: json}}"
        );
    }

    #[test]
    fn a_3_1_null_type_makes_a_listed_property_optional() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "required": ["a", "d"], "properties": {
  "a": {"type": ["string", "null"], "maxLength": 5},
  "d": {"type": "string"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "T", "fields"]),
            "{a: {type: string, max_length: 5}, d: {type: string, required: true}}"
        );
        let a = ["entities", "T", "fields", "a", "type"];
        assert_eq!(position(&text, node_at(&tree, &a).span), (3, 18));
    }

    #[test]
    fn a_3_0_nullable_property_is_optional_even_when_listed_in_required() {
        let text = with_schemas_in(
            "3.0.3",
            r##"{"T": {"type": "object", "required": ["b", "c"], "properties": {
  "b": {"type": "string", "nullable": true},
  "c": {"type": "string", "nullable": false}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "T", "fields"]),
            "{b: {type: string}, c: {type: string, required: true}}"
        );
    }

    #[test]
    fn nullable_and_described_references_are_relations() {
        let text = with_schemas(
            r##"{"Doctor": {"type": "object", "properties": {"name": {"type": "string"}}},
"Visit": {"type": "object", "required": ["doctor", "nurse", "room", "chief"], "properties": {
  "doctor": {"oneOf": [{"$ref": "#/components/schemas/Doctor"}, {"type": "null"}]},
  "nurse": {"$ref": "#/components/schemas/Doctor", "nullable": true},
  "room": {"allOf": [{"$ref": "#/components/schemas/Doctor"}], "description": "Where."},
  "chief": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Doctor"}]}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "Visit"]),
            "{relations: {doctor: {to: Doctor, kind: many_to_one}, \
             nurse: {to: Doctor, kind: many_to_one}, \
             room: {to: Doctor, kind: many_to_one, required: true, description: Where.}, \
             chief: {to: Doctor, kind: many_to_one}}}"
        );
        let room = ["entities", "Visit", "relations", "room", "to"];
        assert_eq!(position(&text, node_at(&tree, &room).span), (6, 31));
    }

    // --- Constraints and other keywords ----------------------------------------------------------

    #[test]
    fn constraints_map_to_field_keys_in_the_order_written() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "properties": {
  "code": {"type": "string", "minLength": 2, "maxLength": 8, "pattern": "^[A-Z]+$", "default": "AB", "description": "A code.", "x-unique": true},
  "qty": {"type": "integer", "minimum": 1, "maximum": 9, "default": 1},
  "flag": {"type": "boolean", "x-unique": false}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "T", "fields"]),
            "{code: {type: string, min_length: 2, max_length: 8, pattern: ^[A-Z]+$, default: AB, \
             description: A code., unique: true}, \
             qty: {type: integer, min: 1, max: 9, default: 1}, flag: {type: boolean}}"
        );
    }

    #[test]
    fn exclusive_bounds_are_reported_with_a_hint_to_use_inclusive_ones() {
        let text = with_schemas(
            r##"{"Book": {"type": "object", "properties": {
  "isbn": {"type": "string",
    "exclusiveMinimum": 3,
    "exclusiveMaximum": 9}}}}"##,
        );
        let (_, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 4, 5),
                ("unsupported_construct", 5, 5)
            ]
        );
        assert_eq!(
            diagnostics[0].path,
            "/components/schemas/Book/properties/isbn/exclusiveMinimum"
        );
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("use `minimum` with the closest allowed value")
        );
        assert_eq!(
            diagnostics[1].hint.as_deref(),
            Some("use `maximum` with the closest allowed value")
        );
    }

    #[test]
    fn a_3_0_exclusive_bound_set_to_false_changes_nothing_and_is_not_reported() {
        let text = with_schemas_in(
            "3.0.3",
            r##"{"T": {"type": "object", "properties": {
  "n": {"type": "integer", "minimum": 1, "exclusiveMinimum": false},
  "m": {"type": "integer", "minimum": 1,
    "exclusiveMinimum": true}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![("unsupported_construct", 5, 5)]);
        assert_eq!(
            shown(&tree, &["entities", "T", "fields", "n"]),
            "{type: integer, min: 1}"
        );
    }

    #[test]
    fn constraints_without_an_equivalent_are_reported() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "properties": {
  "n": {"type": "integer",
    "multipleOf": 5},
  "k": {"type": "string",
    "const": "x"},
  "l": {"type": "array", "items": {"type": "string"},
    "uniqueItems": true,
    "minItems": 1,
    "maxItems": 3}}}}"##,
        );
        let (_, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 4, 5),
                ("unsupported_construct", 6, 5),
                ("unsupported_construct", 7, 26),
                ("unsupported_construct", 8, 5),
                ("unsupported_construct", 9, 5),
                ("unsupported_construct", 10, 5),
            ]
        );
        assert_eq!(
            diagnostics[1].message,
            "`const` is not imported: specforge has no equivalent constraint"
        );
    }

    #[test]
    fn documentation_keywords_are_ignored_silently() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "title": "Tee", "example": {}, "properties": {
  "a": {"type": "string", "readOnly": true, "writeOnly": false, "example": "x", "examples": ["x"],
        "title": "A", "deprecated": true, "$comment": "c", "externalDocs": {"url": "u"}}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "T"]),
            "{fields: {a: {type: string}}}"
        );
    }

    #[test]
    fn unknown_keywords_and_extensions_are_reported_by_name() {
        let text = with_schemas(
            r##"{"T": {"type": "object",
  "x-table": "t",
  "minProperties": 1,
  "properties": {
  "a": {"type": "string",
    "x-order": 1,
    "requird": true,
    "xml": {"name": "A"}},
  "b": {"type": "string",
    "required": true}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 3, 3),
                ("unsupported_construct", 4, 3),
                ("unsupported_construct", 7, 5),
                ("unsupported_construct", 8, 5),
                ("unsupported_construct", 9, 5),
                ("unsupported_construct", 11, 5),
            ]
        );
        assert_eq!(
            diagnostics[0].message,
            "extension `x-table` is not imported"
        );
        assert!(
            diagnostics[3]
                .message
                .starts_with("`requird` is not imported")
        );
        assert_eq!(
            diagnostics[5].hint.as_deref(),
            Some("list `b` in the `required` list of the schema")
        );
        assert_eq!(
            shown(&tree, &["entities", "T", "fields"]),
            "{a: {type: string}, b: {type: string}}"
        );
    }

    #[test]
    fn a_required_name_without_a_property_is_reported_with_a_suggestion() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "required": ["name",
  "nmae"], "properties": {"name": {"type": "string"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![("unsupported_construct", 3, 3)]);
        assert_eq!(diagnostics[0].path, "/components/schemas/T/required/1");
        assert_eq!(diagnostics[0].hint.as_deref(), Some("did you mean `name`?"));
        assert_eq!(
            shown(&tree, &["entities", "T"]),
            "{fields: {name: {type: string, required: true}}}"
        );
    }

    #[test]
    fn malformed_schemas_are_invalid_values() {
        let text = with_schemas(
            r##"{"T": {"type": "object",
  "properties": [1],
  "required": "name"},
"U": true,
"V": {"type": "object", "properties": {"a": "string"}}}"##,
        );
        let (_, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 5, 6),
                ("invalid_value", 3, 17),
                ("invalid_value", 4, 15),
                ("invalid_value", 6, 45),
            ]
        );
    }

    // --- References ---------------------------------------------------------------------------

    #[test]
    fn a_ref_to_an_enum_is_a_field_of_that_enum() {
        let text = with_schemas(
            r##"{"Status": {"type": "string", "enum": ["a", "b"]},
"T": {"type": "object", "required": ["status"], "properties": {
  "status": {"$ref": "#/components/schemas/Status", "default": "a"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "T", "fields"]),
            "{status: {type: Status, required: true, default: a}}"
        );
        let ty = ["entities", "T", "fields", "status", "type"];
        assert_eq!(position(&text, node_at(&tree, &ty).span), (4, 22));
    }

    #[test]
    fn x_unique_on_a_ref_makes_a_one_to_one_relation() {
        let text = with_schemas(
            r##"{"User": {"type": "object", "properties": {"name": {"type": "string"}}},
"Profile": {"type": "object", "properties": {
  "user": {"$ref": "#/components/schemas/User", "x-unique": true}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "Profile"]),
            "{relations: {user: {to: User, kind: one_to_one}}}"
        );
    }

    #[test]
    fn refs_to_missing_schemas_are_unknown_entities_and_foreign_refs_are_not_followed() {
        let text = with_schemas(
            r##"{"Doctor": {"type": "object", "properties": {"name": {"type": "string"}}},
"Visit": {"type": "object", "properties": {
  "doctor": {"$ref":
    "#/components/schemas/Docotr"},
  "nurse": {"$ref":
    "#/components/schemas/Nurse"},
  "ward": {"$ref":
    "wards.yaml#/Ward"},
  "bed": {"$ref":
    "#/components/parameters/Bed"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unknown_entity", 5, 5),
                ("unknown_entity", 7, 5),
                ("unsupported_construct", 9, 5),
                ("unsupported_construct", 11, 5),
            ]
        );
        assert_eq!(diagnostics[0].severity, Severity::Error);
        assert_eq!(
            diagnostics[0].path,
            "/components/schemas/Visit/properties/doctor/$ref"
        );
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("did you mean `Doctor`?")
        );
        assert_eq!(
            diagnostics[1].hint.as_deref(),
            Some("declare the schema under `components.schemas`")
        );
        assert!(diagnostics[2].message.contains("`wards.yaml#/Ward`"));
        assert_eq!(shown(&tree, &["entities", "Visit"]), "{}");
    }

    #[test]
    fn an_array_of_refs_whose_target_refers_back_is_one_to_many_and_otherwise_many_to_many() {
        let text = with_schemas(
            r##"{"Author": {"type": "object", "properties": {
  "books": {"type": "array", "items": {"$ref": "#/components/schemas/Book"}},
  "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}}},
"Book": {"type": "object", "properties": {
  "author": {"$ref": "#/components/schemas/Author"}}},
"Tag": {"type": "object", "properties": {"label": {"type": "string"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "Author"]),
            "{relations: {books: {to: Book, kind: one_to_many, mapped_by: author}, \
             tags: {to: Tag, kind: many_to_many}}}"
        );
    }

    #[test]
    fn several_references_back_give_mapped_by_the_first_and_a_warning() {
        let text = with_schemas(
            r##"{"Person": {"type": "object", "properties": {
  "reviews": {"type": "array", "items": {"$ref": "#/components/schemas/Review"}}}},
"Review": {"type": "object", "properties": {
  "writer": {"$ref": "#/components/schemas/Person"},
  "editor": {"$ref": "#/components/schemas/Person"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![("unsupported_construct", 3, 3)]);
        assert!(diagnostics[0].message.contains("(`writer`, `editor`)"));
        assert_eq!(
            shown(&tree, &["entities", "Person", "relations"]),
            "{reviews: {to: Review, kind: one_to_many, mapped_by: writer}}"
        );
    }

    #[test]
    fn arrays_on_both_sides_are_one_many_to_many_mapped_by_the_side_written_first() {
        let text = with_schemas(
            r##"{"Student": {"type": "object", "properties": {
  "courses": {"type": "array", "items": {"$ref": "#/components/schemas/Course"}}}},
"Course": {"type": "object", "properties": {
  "students": {"type": "array", "items": {"$ref": "#/components/schemas/Student"}}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities"]),
            "{Student: {relations: {courses: {to: Course, kind: many_to_many}}}, \
             Course: {relations: {students: {to: Student, kind: many_to_many, mapped_by: courses}}}}"
        );
        let mapped_by = ["entities", "Course", "relations", "students", "mapped_by"];
        assert_eq!(position(&text, node_at(&tree, &mapped_by).span), (3, 3));
    }

    #[test]
    fn self_references_pair_a_parent_with_its_children_and_two_lists_with_each_other() {
        let text = with_schemas(
            r##"{"Category": {"type": "object", "properties": {
  "parent": {"$ref": "#/components/schemas/Category"},
  "children": {"type": "array", "items": {"$ref": "#/components/schemas/Category"}}}},
"User": {"type": "object", "properties": {
  "follows": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
  "followers": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities"]),
            "{Category: {relations: {parent: {to: Category, kind: many_to_one}, \
             children: {to: Category, kind: one_to_many, mapped_by: parent}}}, \
             User: {relations: {follows: {to: User, kind: many_to_many}, \
             followers: {to: User, kind: many_to_many, mapped_by: follows}}}}"
        );
    }

    #[test]
    fn implicit_fields_are_never_emitted_and_a_different_type_is_reported() {
        let text = with_schemas(
            r##"{"T": {"type": "object", "properties": {
  "id": {"type": "string", "format": "uuid"},
  "createdAt": {"type": "string", "format": "date-time"},
  "updated_at": {"type": "string", "format": "date-time"},
  "name": {"type": "string"}}},
"U": {"type": "object", "properties": {
  "id": {"type": "integer"},
  "created_at": {"type": "string"},
  "name": {"type": "string"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 8, 3),
                ("unsupported_construct", 9, 3)
            ]
        );
        assert_eq!(
            diagnostics[0].message,
            "specforge ids are UUIDs; the integer `id` is replaced"
        );
        assert_eq!(
            diagnostics[1].message,
            "specforge manages `created_at` itself as a datetime; the string `created_at` is replaced"
        );
        assert_eq!(
            shown(&tree, &["entities"]),
            "{T: {fields: {name: {type: string}}}, U: {fields: {name: {type: string}}}}"
        );
    }

    #[test]
    fn inline_string_enums_become_enums_named_after_schema_and_property() {
        let text = with_schemas(
            r##"{"Order": {"type": "object", "required": ["status", "channel"], "properties": {
  "status": {"type": "string",
    "enum": ["open", "paid"]},
  "channel": {"enum": ["web", "shop", null]},
  "size": {"type": "integer",
    "enum": [1, 2]}}},
"OrderStatus": {"type": "string", "enum": ["x"]}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(at(&diagnostics), vec![("unsupported_construct", 7, 5)]);
        assert_eq!(
            shown(&tree, &["enums"]),
            "{OrderStatus: [x], OrderStatus2: [open, paid], OrderChannel: [web, shop]}"
        );
        assert_eq!(
            shown(&tree, &["entities", "Order", "fields"]),
            "{status: {type: OrderStatus2, required: true}, channel: {type: OrderChannel}, \
             size: {type: integer}}"
        );
        let ty = ["entities", "Order", "fields", "status", "type"];
        assert_eq!(position(&text, node_at(&tree, &ty).span), (4, 13));
    }

    // --- Cycles and limits --------------------------------------------------------------------

    #[test]
    fn an_all_of_cycle_is_reported_and_each_schema_merged_once() {
        let text = with_schemas(
            r##"{"A": {"type": "object", "allOf": [
  {"$ref": "#/components/schemas/B"}], "properties": {"a": {"type": "string"}}},
"B": {"type": "object", "allOf": [
  {"$ref": "#/components/schemas/A"}], "properties": {"b": {"type": "string"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 5, 12),
                ("unsupported_construct", 3, 12)
            ]
        );
        assert_eq!(
            diagnostics[0].message,
            "`allOf` cycle `A` → `B` → `A`: the schemas of the cycle are merged once"
        );
        assert_eq!(
            shown(&tree, &["entities"]),
            "{A: {fields: {b: {type: string}, a: {type: string}}}, \
             B: {fields: {a: {type: string}, b: {type: string}}}}"
        );
    }

    #[test]
    fn a_ref_cycle_between_aliases_is_reported_and_the_property_skipped() {
        let text = with_schemas(
            r##"{"X": {"$ref": "#/components/schemas/Y"},
"Y": {"$ref": "#/components/schemas/X"},
"T": {"type": "object", "properties": {
  "p": {"$ref": "#/components/schemas/X"}}}}"##,
        );
        let (tree, diagnostics) = imported(&text);
        assert_eq!(
            at(&diagnostics),
            vec![
                ("unsupported_construct", 2, 2),
                ("unsupported_construct", 3, 1),
                ("unsupported_construct", 3, 15)
            ]
        );
        assert_eq!(
            diagnostics[2].message,
            "`$ref` cycle through `X` → `Y` → `X`, so the property is not imported"
        );
        assert_eq!(shown(&tree, &["entities"]), "{T: {}}");
    }

    #[test]
    fn all_of_nested_deeper_than_the_limit_is_reported_once() {
        let depth = MAX_DEPTH + 6;
        let mut schema = String::from(r##"{"T": {"type": "object", "allOf": ["##);
        schema.push_str(&r##"{"allOf": ["##.repeat(depth));
        schema.push_str(r##"{"properties": {"deep": {"type": "string"}}}"##);
        schema.push_str(&"]}".repeat(depth));
        schema.push_str("]}}");
        let (tree, diagnostics) = imported(&with_schemas(&schema));
        assert_eq!(
            at(&diagnostics),
            vec![("limit_exceeded", 2, 36 + 11 * MAX_DEPTH)]
        );
        assert!(diagnostics[0].message.contains("MAX_DEPTH"));
        assert_eq!(shown(&tree, &["entities"]), "{T: {}}");
    }

    #[test]
    fn a_long_chain_of_all_of_references_stops_at_the_limit() {
        let n = MAX_DEPTH + 6;
        let mut schemas: Vec<String> = (0..n - 1)
            .map(|i| {
                format!(
                    r##""S{i}": {{"allOf": [{{"$ref": "#/components/schemas/S{}"}}], "properties": {{"p{i}": {{"type": "string"}}}}}}"##,
                    i + 1
                )
            })
            .collect();
        schemas.push(format!(r##""S{}": {{"type": "object"}}"##, n - 1));
        let (tree, diagnostics) = imported(&with_schemas(&format!("{{{}}}", schemas.join(",\n"))));
        assert!(!diagnostics.is_empty());
        assert!(diagnostics.iter().all(|d| d.code == Code::LimitExceeded));
        // The error of S0 is on the line of S64, whose `allOf` member is one level too deep.
        assert_eq!(at(&diagnostics)[0], ("limit_exceeded", 2 + MAX_DEPTH, 19));
        let fields = node_at(&tree, &["entities", "S0", "fields"])
            .as_map()
            .map_or(0, <[Entry]>::len);
        assert_eq!(fields, MAX_DEPTH + 1);
    }

    #[test]
    fn a_thousand_entities_import_quickly() {
        let schemas: Vec<String> = (0..1000)
            .map(|i| {
                format!(
                    r##""E{i}": {{"type": "object", "required": ["a"], "properties": {{"a": {{"type": "string", "maxLength": 10}}, "b": {{"type": "integer"}}, "prev": {{"$ref": "#/components/schemas/E{}"}}, "next": {{"type": "array", "items": {{"$ref": "#/components/schemas/E{}"}}}}}}}}"##,
                    (i + 999) % 1000,
                    (i + 1) % 1000
                )
            })
            .collect();
        let text = with_schemas(&format!("{{{}}}", schemas.join(",\n")));
        let root = parse_json(&text);
        let source = Source::new(&text);
        let started = std::time::Instant::now();
        let mut diagnostics = Vec::new();
        let tree = to_document(&root, &source, &mut diagnostics).expect("imported");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(at(&diagnostics), vec![]);
        assert_eq!(
            shown(&tree, &["entities", "E5", "relations"]),
            "{prev: {to: E4, kind: many_to_one}, next: {to: E6, kind: one_to_many, mapped_by: prev}}"
        );
    }

    #[test]
    fn thousands_of_unknown_references_do_not_make_suggestions_quadratic() {
        let schemas: Vec<String> = (0..2000)
            .map(|i| {
                format!(
                    r##""Entity{i:05}": {{"type": "object", "properties": {{"p": {{"$ref": "#/components/schemas/Entity{:05}x"}}}}}}"##,
                    (i + 1) % 2000
                )
            })
            .collect();
        let text = with_schemas(&format!("{{{}}}", schemas.join(",\n")));
        let root = parse_json(&text);
        let source = Source::new(&text);
        let started = std::time::Instant::now();
        let mut diagnostics = Vec::new();
        to_document(&root, &source, &mut diagnostics).expect("imported");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(diagnostics.len(), 2000);
        assert!(diagnostics.iter().all(|d| d.code == Code::UnknownEntity));
        assert_eq!(at(&diagnostics)[0], ("unknown_entity", 2, 65));
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("did you mean `Entity00001`?")
        );
    }

    // --- Random input -------------------------------------------------------------------------

    const KEYS: &[&str] = &[
        "type",
        "properties",
        "items",
        "$ref",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "required",
        "nullable",
        "format",
        "maxLength",
        "minimum",
        "default",
        "description",
        "x-unique",
        "id",
        "created_at",
        "A",
        "B",
        "C",
        "additionalProperties",
        "exclusiveMinimum",
        "const",
        "not",
        "discriminator",
        "title",
        "info",
        "components",
        "schemas",
        "paths",
        "openapi",
    ];
    const WORDS: &[&str] = &[
        "string",
        "integer",
        "number",
        "boolean",
        "object",
        "array",
        "null",
        "date",
        "date-time",
        "int64",
        "uuid",
        "binary",
        "decimal",
        "#/components/schemas/A",
        "#/components/schemas/B",
        "#/components/schemas/C",
        "#/components/schemas/Z",
        "#/components/schemas/",
        "other.yaml#/A",
        "#/components/parameters/A",
        "#/components/schemas/A~1b%",
        "A",
        "B",
        "id",
        "3.1.0",
        "",
    ];

    fn arb_span() -> BoxedStrategy<Span> {
        (0usize..500, 0usize..500)
            .prop_map(|(a, b)| Span::new(a, b))
            .boxed()
    }

    fn arb_node() -> BoxedStrategy<Node> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..300).prop_map(Value::Int),
            (-10.0f64..10.0).prop_map(Value::Float),
            prop::sample::select(WORDS).prop_map(|w| Value::Str(w.to_string())),
        ];
        (leaf, arb_span())
            .prop_map(|(v, s)| Node::new(v, s))
            .prop_recursive(6, 300, 6, |inner| {
                prop_oneof![
                    (prop::collection::vec(inner.clone(), 0..5), arb_span())
                        .prop_map(|(items, s)| Node::new(Value::Seq(items), s)),
                    (
                        prop::collection::vec(
                            (prop::sample::select(KEYS), arb_span(), inner),
                            0..7
                        ),
                        arb_span()
                    )
                        .prop_map(|(entries, s)| map_node(entries, s)),
                ]
            })
            .boxed()
    }

    fn map_node(entries: Vec<(&str, Span, Node)>, span: Span) -> Node {
        let mut seen = HashSet::new();
        let entries = entries
            .into_iter()
            .filter(|(k, _, _)| seen.insert(*k))
            .map(|(k, key_span, value)| Entry {
                key: Key {
                    name: k.to_string(),
                    span: key_span,
                },
                value,
            })
            .collect();
        Node::new(Value::Map(entries), span)
    }

    /// An OpenAPI document whose schemas are random trees, so that the translation is reached.
    fn arb_document() -> BoxedStrategy<Node> {
        let schema_names = prop::sample::select(&["A", "B", "C", "D"][..]);
        (
            prop::collection::vec((schema_names, arb_span(), arb_node()), 0..5),
            arb_span(),
        )
            .prop_map(|(schemas, s)| {
                let schemas = map_node(schemas, s);
                let components = map_node(vec![("schemas", s, schemas)], s);
                let info = map_node(vec![("title", s, Node::str("T", s))], s);
                map_node(
                    vec![
                        ("openapi", s, Node::str("3.1.0", s)),
                        ("info", s, info),
                        ("components", s, components),
                    ],
                    s,
                )
            })
            .boxed()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_trees_never_panic(root in prop_oneof![arb_document(), arb_node()]) {
            let text = "openapi: 3.1.0\n".repeat(40);
            let source = Source::new(&text);
            let mut diagnostics = Vec::new();
            let _ = to_document(&root, &source, &mut diagnostics);
            for d in &diagnostics {
                prop_assert!(d.line >= 1 && d.column >= 1);
            }
        }
    }
}
