//! Translation of the merged schemas into the specification tree: enums, entities, and the
//! dispatch of each property to a field or a relation (see `relations.rs` and `fields.rs`).

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, pointer};
use crate::names::alphanumeric_key;
use crate::node::{Entry, Node, Value};
use crate::span::Span;

use super::METADATA_KEYS;
use super::diagnostics::Reporter;
use super::document::find_entry;
use super::fields::{field_keys, push_required};
use super::merge::{MergedEntity, Property, RequiredName, merge};
use super::refs::{RefEnd, resolve};
use super::schemas::{DeclaredType, Schema, SchemaCatalog, SchemaKind, TypeInfo};

/// A property that refers to an entity: the shape the one-to-many inference looks at.
pub(super) struct ReferenceShape {
    pub(super) prop: usize,
    pub(super) target: usize,
    pub(super) array: bool,
}

/// Enums made from inline `enum`s of properties, keyed by the span of the `enum` value so that a
/// property merged into several entities gives one enum.
#[derive(Default)]
pub(super) struct InlineEnums {
    pub(super) entries: Vec<Entry>,
    pub(super) by_span: HashMap<(usize, usize), String>,
    pub(super) taken: HashSet<String>,
    pub(super) next_suffix: HashMap<String, usize>,
}

pub(super) struct Translator<'a, 'm> {
    pub(super) catalog: &'m SchemaCatalog<'a>,
    pub(super) merged: &'m [Option<MergedEntity<'a>>],
    pub(super) shapes: &'m [Vec<ReferenceShape>],
    pub(super) inline_enums: InlineEnums,
}

pub(super) enum Translated {
    Field(Node),
    Relation(Node),
    Skip,
}

pub(super) fn translate_schemas(
    mut catalog: SchemaCatalog,
    report: &mut Reporter,
) -> (Vec<Entry>, Vec<Entry>) {
    let n = catalog.schemas.len();
    let mut merged: Vec<Option<MergedEntity>> = (0..n).map(|_| None).collect();
    let mut reached = vec![false; n];
    for (i, slot) in merged.iter_mut().enumerate() {
        if catalog.kind(i) == SchemaKind::Entity && !catalog.schemas[i].mixin {
            let m = merge(&catalog, report, i);
            for &t in &m.included {
                if let Some(r) = reached.get_mut(t) {
                    *r = true;
                }
            }
            *slot = Some(m);
        }
    }
    for (i, slot) in merged.iter_mut().enumerate() {
        if catalog.schemas[i].mixin {
            *slot = Some(merge(&catalog, report, i));
        }
    }
    // A mixin that no entity includes (mixins including each other in a cycle) would be lost:
    // it is an entity after all.
    for (s, r) in catalog.schemas.iter_mut().zip(&reached) {
        s.mixin &= *r;
    }

    report.muted += 1;
    let shapes: Vec<Vec<ReferenceShape>> = merged
        .iter()
        .map(|m| {
            m.as_ref()
                .map(|m| shapes_of(&catalog, report, m))
                .unwrap_or_default()
        })
        .collect();
    report.muted -= 1;

    let mut taken = HashSet::new();
    for s in &catalog.schemas {
        taken.insert(alphanumeric_key(&s.key.name));
    }
    let mut tr = Translator {
        catalog: &catalog,
        merged: &merged,
        shapes: &shapes,
        inline_enums: InlineEnums::default(),
    };
    tr.inline_enums.taken = taken;

    let mut enums = Vec::new();
    let mut entities = Vec::new();
    for (i, s) in catalog.schemas.iter().enumerate() {
        match s.kind {
            SchemaKind::Enum => enums.push(enum_entry(s, report)),
            SchemaKind::Entity if !s.mixin => entities.push(tr.entity(report, i)),
            _ => {}
        }
    }
    enums.append(&mut tr.inline_enums.entries);
    (enums, entities)
}

fn shapes_of(
    catalog: &SchemaCatalog,
    report: &mut Reporter,
    m: &MergedEntity,
) -> Vec<ReferenceShape> {
    let mut out = Vec::new();
    for (i, p) in m.props.iter().enumerate() {
        if implicit(&p.key.name).is_some() || p.node.as_map().is_none() {
            continue;
        }
        let r = resolve(catalog, report, p.node, &p.path);
        match r.terminal {
            RefEnd::Entity(t, _) => out.push(ReferenceShape {
                prop: i,
                target: t,
                array: false,
            }),
            RefEnd::Inline => {
                if let Some((items, layer_path)) = r.get("items")
                    && (TypeInfo::of(r.get("type").map(|(e, _)| &e.value)).is("array")
                        || r.get("type").is_none())
                {
                    let ir = resolve(catalog, report, &items.value, &pointer(layer_path, "items"));
                    if let RefEnd::Entity(t, _) = ir.terminal {
                        out.push(ReferenceShape {
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

fn enum_entry(s: &Schema, report: &mut Reporter) -> Entry {
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
                        report.warn(v.span, &pointer(&kpath, &i.to_string()), message);
                    } else {
                        values.push(v.clone());
                    }
                }
            }
            "type" => {}
            "description" => description = Some(e),
            _ if METADATA_KEYS.contains(&k) => {}
            "nullable" if e.value.value == Value::Bool(false) => {}
            "nullable" => report.warn(
                e.key.span,
                &kpath,
                "`nullable` on an enum schema is not imported; make the properties that refer \
                 to it optional instead"
                    .into(),
            ),
            _ if k.starts_with("x-") => report.warn(
                e.key.span,
                &kpath,
                format!("extension `{k}` is not imported"),
            ),
            _ => report.warn(
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
                Entry::new("values", enum_key_span(s), list),
                Entry::new("description", d.key.span, d.value.clone()),
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
        .and_then(|m| find_entry(m, "enum"))
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
pub(super) fn map_scalar(ty: &str, format: Option<&str>) -> Option<(&'static str, FormatFit)> {
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
pub(super) enum FormatFit {
    Exact,
    Binary,
    Unknown,
}

impl<'a> Translator<'a, '_> {
    fn entity(&mut self, report: &mut Reporter, idx: usize) -> Entry {
        let catalog = self.catalog;
        let Some(s) = catalog.schemas.get(idx) else {
            return Entry::new("", Span::default(), Node::new(Value::Null, Span::default()));
        };
        let empty = MergedEntity::default();
        let merged = self
            .merged
            .get(idx)
            .and_then(Option::as_ref)
            .unwrap_or(&empty);
        let mut required: HashMap<&str, &RequiredName> = HashMap::new();
        for r in &merged.required {
            required.entry(r.name).or_insert(r);
        }
        let mut fields = Vec::new();
        let mut relations = Vec::new();
        for (pi, p) in merged.props.iter().enumerate() {
            if let Some((canonical, expected)) = implicit(&p.key.name) {
                self.implicit_field(report, p, canonical, expected);
                continue;
            }
            let req = required.get(p.key.name.as_str()).copied();
            let key = p.key.clone();
            match self.property(report, idx, pi, p, req) {
                Translated::Field(value) => fields.push(Entry { key, value }),
                Translated::Relation(value) => relations.push(Entry { key, value }),
                Translated::Skip => {}
            }
        }
        let map = s.node.as_map().unwrap_or(&[]);
        let (section_key, section_span) = find_entry(map, "properties")
            .map_or((s.key.span, s.node.span), |e| (e.key.span, e.value.span));
        let mut body = Vec::new();
        if let Some(d) = find_entry(map, "description") {
            body.push(Entry::new("description", d.key.span, d.value.clone()));
        }
        if !fields.is_empty() {
            body.push(Entry::new(
                "fields",
                section_key,
                Node::new(Value::Map(fields), section_span),
            ));
        }
        if !relations.is_empty() {
            let node = Node::new(Value::Map(relations), section_span);
            body.push(Entry::new("relations", section_key, node));
        }
        Entry {
            key: s.key.clone(),
            value: Node::new(Value::Map(body), s.node.span),
        }
    }

    /// `id`, `created_at`, `updated_at`: every entity has them, so they are never emitted; a
    /// warning says so when the OpenAPI type differs from the implicit one.
    fn implicit_field(&self, report: &mut Reporter, p: &Property, canonical: &str, expected: &str) {
        report.muted += 1;
        let word = self.type_word(report, p);
        report.muted -= 1;
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
        report.warn(p.key.span, &p.path, message);
    }

    /// The specforge type a property would get, in a word, for messages.
    fn type_word(&self, report: &mut Reporter, p: &Property) -> String {
        if p.node.as_map().is_none() {
            return p.node.kind_name().to_string();
        }
        let r = resolve(self.catalog, report, p.node, &p.path);
        match r.terminal {
            RefEnd::Entity(..) => "reference".into(),
            RefEnd::Enum(t, _) => format!("`{}`", self.catalog.name(t)),
            RefEnd::Dropped => "unusable".into(),
            RefEnd::Inline => {
                let ty = TypeInfo::of(r.get("type").map(|(e, _)| &e.value));
                let format = r.get("format").and_then(|(e, _)| e.value.as_str());
                match ty.declared {
                    DeclaredType::One(t, _) => match map_scalar(t, format) {
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
        report: &mut Reporter,
        entity: usize,
        prop_idx: usize,
        p: &Property<'a>,
        req: Option<&RequiredName>,
    ) -> Translated {
        if p.node.as_map().is_none() {
            let message = format!(
                "property `{}` must be a schema mapping, found {}",
                p.key.name,
                p.node.kind_name()
            );
            report.error(Code::InvalidValue, p.node.span, &p.path, message, None);
            return Translated::Skip;
        }
        let r = resolve(self.catalog, report, p.node, &p.path);
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
                    report.error(Code::InvalidValue, e.value.span, &path, message, None);
                }
            }
        }
        match &r.terminal {
            RefEnd::Dropped => Translated::Skip,
            RefEnd::Enum(t, site) => {
                let mut entries = vec![Entry::new(
                    "type",
                    site.value.span,
                    Node::str(self.catalog.name(*t), site.value.span),
                )];
                push_required(&mut entries, req, nullable);
                field_keys(report, &r, &["type", "nullable"], &mut entries, &p.key.name);
                Translated::Field(Node::new(Value::Map(entries), p.node.span))
            }
            RefEnd::Entity(t, site) => {
                Translated::Relation(self.to_one(report, &r, *t, site, p, req, nullable))
            }
            RefEnd::Inline => {
                let is_array = ty.is("array") || (ty.is_absent() && r.get("items").is_some());
                if is_array {
                    return self.array(report, &r, &ty, entity, prop_idx, p, req, nullable);
                }
                self.inline(report, &r, &ty, p, req, nullable)
            }
        }
    }
}
