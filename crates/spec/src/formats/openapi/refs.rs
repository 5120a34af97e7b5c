//! References: resolving a property's `$ref`s through aliases to an enum, an entity or an inline
//! schema, and reporting the references that cannot be followed.

use std::collections::HashSet;

use crate::diagnostic::{Code, pointer};
use crate::limits::MAX_DEPTH;
use crate::names::suggest_within_budget;
use crate::node::{Entry, Node};

use super::diagnostics::Cx;
use super::document::find;
use super::schemas::{Doc, Kind, Ty, TypeInfo};
use super::{METADATA_KEYS, SCHEMA_REF_PREFIX};

pub(super) enum Target<'a> {
    Schema(usize),
    Missing(String),
    NonLocal(&'a str),
    OtherLocal(&'a str),
    NotString,
}

pub(super) fn lookup<'a>(doc: &Doc, value: &'a Node) -> Target<'a> {
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

pub(super) fn report_bad_ref(doc: &Doc, cx: &mut Cx, target: Target, value: &Node, path: &str) {
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
pub(super) struct Layer<'a> {
    pub(super) node: &'a Node,
    pub(super) path: String,
    pub(super) consumed: Option<&'static str>,
}

pub(super) enum Terminal<'a> {
    /// No reference to an enum or entity: the layers describe the value.
    Inline,
    Enum(usize, RefSite<'a>),
    Entity(usize, RefSite<'a>),
    /// Unusable (bad reference, cycle): already reported.
    Dropped,
}

pub(super) struct Resolved<'a> {
    pub(super) layers: Vec<Layer<'a>>,
    pub(super) terminal: Terminal<'a>,
    pub(super) nullable: bool,
}

impl<'a> Resolved<'a> {
    /// The first layer that has `key` (the property wins over the aliases it refers to).
    pub(super) fn get(&self, key: &str) -> Option<(&'a Entry, &str)> {
        self.layers.iter().find_map(|l| {
            if l.consumed == Some(key) {
                return None;
            }
            let e = l.node.as_map().and_then(|m| find(m, key))?;
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
pub(super) fn resolve<'a>(doc: &Doc<'a>, cx: &mut Cx, node: &'a Node, path: &str) -> Resolved<'a> {
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
