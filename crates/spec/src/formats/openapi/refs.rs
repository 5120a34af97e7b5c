//! References: resolving a property's `$ref`s through aliases to an enum, an entity or an inline
//! schema, and reporting the references that cannot be followed.

use std::collections::HashSet;

use crate::diagnostic::{Code, pointer};
use crate::limits::MAX_DEPTH;
use crate::names::suggest_within_budget;
use crate::node::{Entry, Node};

use super::diagnostics::Reporter;
use super::document::find_entry;
use super::schemas::{DeclaredType, SchemaCatalog, SchemaKind, TypeInfo};
use super::{METADATA_KEYS, SCHEMA_REF_PREFIX};

pub(super) enum RefTarget<'a> {
    Schema(usize),
    Missing(String),
    NonLocal(&'a str),
    OtherLocal(&'a str),
    NotString,
}

pub(super) fn lookup_ref<'a>(catalog: &SchemaCatalog, value: &'a Node) -> RefTarget<'a> {
    let Some(text) = value.as_str() else {
        return RefTarget::NotString;
    };
    if !text.starts_with('#') {
        return RefTarget::NonLocal(text);
    }
    let Some(rest) = text.strip_prefix(SCHEMA_REF_PREFIX) else {
        return RefTarget::OtherLocal(text);
    };
    if rest.is_empty() || rest.contains('/') {
        return RefTarget::OtherLocal(text);
    }
    let name = unescape_pointer_segment(rest);
    match catalog.index.get(name.as_str()) {
        Some(&i) => RefTarget::Schema(i),
        None => RefTarget::Missing(name),
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

pub(super) fn report_bad_ref(
    catalog: &SchemaCatalog,
    report: &mut Reporter,
    target: RefTarget,
    value: &Node,
    path: &str,
) {
    if report.muted > 0 {
        // A look-ahead: nothing is reported, so no suggestion is worth its cost.
        return;
    }
    match target {
        RefTarget::Schema(_) => {}
        RefTarget::Missing(name) => {
            let message =
                format!("`$ref` points to `{SCHEMA_REF_PREFIX}{name}`, which does not exist");
            let names = catalog.schemas.iter().map(|s| s.key.name.as_str());
            let hint = match suggest_within_budget(&name, names, &mut report.suggestion_budget) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "declare the schema under `components.schemas`".to_string(),
            };
            report.error(Code::UnknownEntity, value.span, path, message, Some(hint));
        }
        RefTarget::NonLocal(text) => report.warn_hint(
            value.span,
            path,
            format!(
                "`$ref` to `{text}` is not imported: only references into this document's \
                 `components.schemas` are followed"
            ),
            "copy the referenced schema into `components.schemas` and refer to it there",
        ),
        RefTarget::OtherLocal(text) => report.warn(
            value.span,
            path,
            format!(
                "`$ref` to `{text}` is not imported: only references of the form \
                 `{SCHEMA_REF_PREFIX}<name>` are followed"
            ),
        ),
        RefTarget::NotString => {
            let message = format!("`$ref` must be a string, found {}", value.kind_name());
            report.error(Code::InvalidValue, value.span, path, message, None);
        }
    }
}

/// A `$ref` and the way it is written: plainly, as the single member of an `allOf` (the 3.0
/// idiom for giving a reference siblings), or as `oneOf`/`anyOf` of itself and `{type: 'null'}`
/// (the 3.1 idiom for a nullable reference).
pub(super) struct RefSite<'a> {
    pub(super) value: &'a Node,
    pub(super) path: String,
    via: &'static str,
    pub(super) nullable: bool,
    pub(super) member: Option<(&'a Node, String)>,
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
        matches!(self.declared, DeclaredType::OnlyNull)
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
pub(super) struct SchemaLayer<'a> {
    pub(super) node: &'a Node,
    pub(super) path: String,
    pub(super) consumed: Option<&'static str>,
}

pub(super) enum RefEnd<'a> {
    /// No reference to an enum or entity: the layers describe the value.
    Inline,
    Enum(usize, RefSite<'a>),
    Entity(usize, RefSite<'a>),
    /// Unusable (bad reference, cycle): already reported.
    Dropped,
}

pub(super) struct ResolvedSchema<'a> {
    pub(super) layers: Vec<SchemaLayer<'a>>,
    pub(super) terminal: RefEnd<'a>,
    pub(super) nullable: bool,
}

impl<'a> ResolvedSchema<'a> {
    /// The first layer that has `key` (the property wins over the aliases it refers to).
    pub(super) fn get(&self, key: &str) -> Option<(&'a Entry, &str)> {
        self.layers.iter().find_map(|l| {
            if l.consumed == Some(key) {
                return None;
            }
            let e = l.node.as_map().and_then(|m| find_entry(m, key))?;
            Some((e, l.path.as_str()))
        })
    }

    /// Every keyword in effect, each with the pointer of the layer that holds it.
    pub(super) fn entries(&self) -> Vec<(&'a Entry, &str)> {
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
pub(super) fn resolve<'a>(
    catalog: &SchemaCatalog<'a>,
    report: &mut Reporter,
    node: &'a Node,
    path: &str,
) -> ResolvedSchema<'a> {
    let mut layers = vec![SchemaLayer {
        node,
        path: path.to_string(),
        consumed: None,
    }];
    let mut nullable = false;
    let mut aliases: Vec<usize> = Vec::new();
    loop {
        let Some(last) = layers.last_mut() else {
            return ResolvedSchema {
                layers,
                terminal: RefEnd::Dropped,
                nullable,
            };
        };
        let Some(site) = ref_of(last.node, &last.path) else {
            return ResolvedSchema {
                layers,
                terminal: RefEnd::Inline,
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
                report.warn(e.key.span, &pointer(member_path, k), message);
            }
        }
        let t = match lookup_ref(catalog, site.value) {
            RefTarget::Schema(t) => t,
            bad => {
                report_bad_ref(catalog, report, bad, site.value, &site.path);
                return ResolvedSchema {
                    layers,
                    terminal: RefEnd::Dropped,
                    nullable,
                };
            }
        };
        let terminal = match catalog.kind(t) {
            SchemaKind::Enum => RefEnd::Enum(t, site),
            SchemaKind::Entity => RefEnd::Entity(t, site),
            SchemaKind::Broken => {
                let message = format!(
                    "`$ref` points to `{}`, which is not a schema that can be imported",
                    catalog.name(t)
                );
                report.warn(site.value.span, &site.path, message);
                RefEnd::Dropped
            }
            SchemaKind::Alias if aliases.contains(&t) => {
                let mut chain: Vec<&str> = aliases.iter().map(|&a| catalog.name(a)).collect();
                chain.push(catalog.name(t));
                let message = format!(
                    "`$ref` cycle through `{}`, so the property is not imported",
                    chain.join("` → `")
                );
                report.warn(site.value.span, &site.path, message);
                RefEnd::Dropped
            }
            SchemaKind::Alias if layers.len() >= MAX_DEPTH => {
                let message = format!(
                    "`$ref`s to other schemas are chained more than {MAX_DEPTH} times (limit \
                     `MAX_DEPTH`)"
                );
                report.error(
                    Code::LimitExceeded,
                    site.value.span,
                    &site.path,
                    message,
                    None,
                );
                RefEnd::Dropped
            }
            SchemaKind::Alias => {
                aliases.push(t);
                if let Some(s) = catalog.schemas.get(t) {
                    layers.push(SchemaLayer {
                        node: s.node,
                        path: s.path.clone(),
                        consumed: None,
                    });
                }
                continue;
            }
        };
        return ResolvedSchema {
            layers,
            terminal,
            nullable,
        };
    }
}
