//! Entities: merging the `allOf` members, `properties` and `required` of an object schema.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, pointer};
use crate::limits::MAX_DEPTH;
use crate::names::suggest_within_budget;
use crate::node::{Key, Node, Value};

use super::METADATA_KEYS;
use super::diagnostics::Reporter;
use super::document::scalar_text;
use super::refs::{RefTarget, lookup_ref, report_bad_ref};
use super::schemas::{SchemaCatalog, SchemaKind, TypeInfo};

pub(super) struct Property<'a> {
    pub(super) key: &'a Key,
    pub(super) node: &'a Node,
    pub(super) path: String,
    /// The schema whose `properties` declare it.
    pub(super) owner: usize,
}

pub(super) struct RequiredName<'a> {
    pub(super) name: &'a str,
    pub(super) node: &'a Node,
    pub(super) path: String,
}

#[derive(Default)]
pub(super) struct MergedEntity<'a> {
    pub(super) props: Vec<Property<'a>>,
    by_name: HashMap<&'a str, usize>,
    pub(super) required: Vec<RequiredName<'a>>,
    /// `required` entries of the schema itself and its inline members, checked once merged.
    unchecked: Vec<usize>,
    /// Every schema merged in, the entity included.
    pub(super) included: HashSet<usize>,
}

impl<'a> MergedEntity<'a> {
    fn add(&mut self, prop: Property<'a>, report: &mut Reporter) {
        let name = prop.key.name.as_str();
        match self.by_name.get(name).and_then(|&i| self.props.get_mut(i)) {
            Some(old) => {
                let message = format!(
                    "property `{name}` is already defined at {}; this later definition replaces \
                     it",
                    report.source.describe(old.key.span)
                );
                report.warn(prop.key.span, &prop.path, message);
                *old = prop;
            }
            None => {
                self.by_name.insert(name, self.props.len());
                self.props.push(prop);
            }
        }
    }
}

pub(super) fn merge<'a>(
    catalog: &SchemaCatalog<'a>,
    report: &mut Reporter,
    idx: usize,
) -> MergedEntity<'a> {
    let mut m = MergedEntity::default();
    let Some(s) = catalog.schemas.get(idx) else {
        return m;
    };
    m.included.insert(idx);
    check_object_keys(report, s.node, &s.path, true);
    let mut stack = vec![idx];
    collect(
        catalog, report, idx, s.node, &s.path, 0, &mut m, &mut stack, true,
    );
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
            catalog.name(idx)
        );
        let names = m.props.iter().map(|p| p.key.name.as_str());
        let d = report.source.warning(
            Code::UnsupportedConstruct,
            req.node.span,
            &req.path,
            message,
        );
        let d = match suggest_within_budget(req.name, names, &mut report.suggestion_budget) {
            Some(close) => d.with_hint(format!("did you mean `{close}`?")),
            None => d,
        };
        report.emit(d);
    }
    m
}

/// Merges the `allOf` members, then the `properties` and `required` of `node`.
#[allow(clippy::too_many_arguments)]
fn collect<'a>(
    catalog: &SchemaCatalog<'a>,
    report: &mut Reporter,
    owner: usize,
    node: &'a Node,
    path: &str,
    depth: usize,
    m: &mut MergedEntity<'a>,
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
                report.error(Code::InvalidValue, all.span, &all_path, message, None);
            }
            Some(members) => {
                for (i, member) in members.iter().enumerate() {
                    let member_path = pointer(&all_path, &i.to_string());
                    if depth + 1 > MAX_DEPTH {
                        let message = format!(
                            "`allOf` is nested more than {MAX_DEPTH} levels deep (limit \
                             `MAX_DEPTH`)"
                        );
                        report.error(
                            Code::LimitExceeded,
                            member.span,
                            &member_path,
                            message,
                            None,
                        );
                        break;
                    }
                    include_member(
                        catalog,
                        report,
                        owner,
                        member,
                        &member_path,
                        depth,
                        m,
                        stack,
                        check,
                    );
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
                        Property {
                            key: &e.key,
                            node: &e.value,
                            path,
                            owner,
                        },
                        report,
                    );
                }
            }
            None if props.is_null() => {}
            None => {
                let message = format!(
                    "`properties` must be a mapping, found {}",
                    props.kind_name()
                );
                report.error(Code::InvalidValue, props.span, &props_path, message, None);
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
                            m.required.push(RequiredName {
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
                            report.error(Code::InvalidValue, item.span, &path, message, None);
                        }
                    }
                }
            }
            None => {
                let message = format!(
                    "`required` of a schema must be a list of property names, found {}",
                    req.kind_name()
                );
                report.error(Code::InvalidValue, req.span, &req_path, message, None);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn include_member<'a>(
    catalog: &SchemaCatalog<'a>,
    report: &mut Reporter,
    owner: usize,
    member: &'a Node,
    member_path: &str,
    depth: usize,
    m: &mut MergedEntity<'a>,
    stack: &mut Vec<usize>,
    check: bool,
) {
    let Some(entries) = member.as_map() else {
        let message = format!(
            "an `allOf` member must be a schema mapping, found {}",
            member.kind_name()
        );
        report.error(Code::InvalidValue, member.span, member_path, message, None);
        return;
    };
    let Some(r) = member.get("$ref") else {
        check_object_keys(report, member, member_path, false);
        collect(
            catalog,
            report,
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
            report.warn(e.key.span, &pointer(member_path, k), message);
        }
    }
    let t = match lookup_ref(catalog, r) {
        RefTarget::Schema(t) => t,
        bad => return report_bad_ref(catalog, report, bad, r, &ref_path),
    };
    if let Some(pos) = stack.iter().position(|&s| s == t) {
        let mut chain: Vec<&str> = stack.iter().skip(pos).map(|&s| catalog.name(s)).collect();
        chain.push(catalog.name(t));
        let message = format!(
            "`allOf` cycle `{}`: the schemas of the cycle are merged once",
            chain.join("` → `")
        );
        report.warn(r.span, &ref_path, message);
        return;
    }
    if !m.included.insert(t) {
        // Reached again through another member (a diamond): already merged.
        return;
    }
    if catalog.kind(t) != SchemaKind::Entity {
        let message = format!(
            "`allOf` member `{}` is not an object schema, so it has no properties to merge; it \
             is skipped",
            catalog.name(t)
        );
        report.warn(r.span, &ref_path, message);
        return;
    }
    let Some(target) = catalog.schemas.get(t) else {
        return;
    };
    stack.push(t);
    collect(
        catalog,
        report,
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
fn check_object_keys(report: &mut Reporter, node: &Node, path: &str, top: bool) {
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
                    report.warn(
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
                    report.warn(e.value.span, &kpath, message);
                }
            }
            "additionalProperties" if e.value.value == Value::Bool(false) => {}
            "additionalProperties" => report.warn(
                span,
                &kpath,
                "`additionalProperties` is not imported: an entity has exactly the fields it \
                 declares"
                    .into(),
            ),
            "oneOf" | "anyOf" | "not" => report.warn(
                span,
                &kpath,
                format!("`{k}` is not imported: specforge entities cannot be unions or exclusions"),
            ),
            "discriminator" => report.warn(
                span,
                &kpath,
                "`discriminator` is not imported: specforge has no polymorphic entities".into(),
            ),
            "nullable" if e.value.value == Value::Bool(false) => {}
            "nullable" => report.warn(
                span,
                &kpath,
                "`nullable` on a schema is not imported; make the properties that refer to it \
                 optional instead"
                    .into(),
            ),
            _ if k.starts_with("x-") => {
                report.warn(span, &kpath, format!("extension `{k}` is not imported"))
            }
            _ => report.warn(
                span,
                &kpath,
                format!("`{k}` is not imported: specforge has no equivalent for an entity"),
            ),
        }
    }
}
