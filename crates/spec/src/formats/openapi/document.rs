//! The document level: the `openapi` version, the name, title and description from `info`,
//! the top-level keys and the sections of `components`; and the small tree helpers every part of
//! the importer uses.

use crate::diagnostic::{Code, pointer};
use crate::names::snake_case;
use crate::node::{Entry, Node, Value};

use super::OTHER_COMPONENTS;
use super::diagnostics::Reporter;

pub(super) fn find_entry<'a>(map: &'a [Entry], key: &str) -> Option<&'a Entry> {
    map.iter().find(|e| e.key.name == key)
}

pub(super) fn is_empty_value(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => false,
    }
}

pub(super) fn scalar_text(node: &Node) -> String {
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

pub(super) fn check_version<'a>(root: &'a Node, report: &mut Reporter) -> Option<&'a Entry> {
    let Some(map) = root.as_map() else {
        let message = format!(
            "an OpenAPI document must be a mapping, found {}",
            root.kind_name()
        );
        report.error(Code::InvalidValue, root.span, "", message, None);
        return None;
    };
    let Some(version) = find_entry(map, "openapi") else {
        if let Some(swagger) = find_entry(map, "swagger") {
            let message = format!(
                "Swagger {} documents are not supported: specforge imports OpenAPI 3.0 and 3.1",
                scalar_text(&swagger.value)
            );
            let hint = "convert the document to OpenAPI 3 first (API editors and converters can \
                        do it), then import it again";
            let span = swagger.value.span;
            report.error(
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
            report.error(Code::MissingVersion, root.span, "", message, Some(hint));
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
            report.error(
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
            report.error(
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
pub(super) fn header(root: &Node, map: &[Entry], report: &mut Reporter) -> Vec<Entry> {
    let mut out = Vec::new();
    let info = find_entry(map, "info");
    let info_map = info.and_then(|e| {
        let m = e.value.as_map();
        if m.is_none() && !e.value.is_null() {
            let message = format!("`info` must be a mapping, found {}", e.value.kind_name());
            report.error(Code::InvalidValue, e.value.span, "/info", message, None);
        }
        m
    });
    let title = info_map.and_then(|m| find_entry(m, "title"));
    let description = info_map.and_then(|m| find_entry(m, "description"));

    if let Some(name) = find_entry(map, "x-specforge-name") {
        out.push(Entry::new("name", name.key.span, name.value.clone()));
    } else if let Some(t) = title
        && let Some(text) = t.value.as_str()
    {
        out.push(Entry::new(
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
        report.error(
            Code::MissingKey,
            span,
            "/info/title",
            message,
            Some(hint.into()),
        );
    }
    if let Some(t) = title {
        out.push(Entry::new("title", t.key.span, t.value.clone()));
    }
    if let Some(d) = description {
        out.push(Entry::new("description", d.key.span, d.value.clone()));
    }
    out
}

/// Warnings for the top-level keys that are neither imported nor metadata.
pub(super) fn top_level_keys(map: &[Entry], report: &mut Reporter) {
    for e in map {
        let k = e.key.name.as_str();
        let path = pointer("", k);
        let span = e.key.span;
        match k {
            "openapi" | "info" | "components" | "x-specforge-name" => {}
            "servers" | "tags" | "externalDocs" | "jsonSchemaDialect" => {}
            "paths" if !is_empty_value(&e.value) => report.warn(
                span,
                &path,
                "paths are not imported: specforge generates the CRUD operations of each entity"
                    .into(),
            ),
            "webhooks" if !is_empty_value(&e.value) => report.warn(
                span,
                &path,
                "webhooks are not imported: specforge has no equivalent".into(),
            ),
            "security" if !is_empty_value(&e.value) => report.warn_hint(
                span,
                &path,
                "security requirements are not imported: roles and permissions must be declared \
                 in a specforge spec"
                    .into(),
                "declare the roles under `auth.roles` and the permissions on each entity",
            ),
            "paths" | "webhooks" | "security" => {}
            _ if k.starts_with("x-") => {
                report.warn(span, &path, format!("extension `{k}` is not imported"))
            }
            _ => report.warn(span, &path, format!("top-level key `{k}` is not imported")),
        }
    }
}

/// Warnings for the sections of `components`; returns the `schemas` entry.
pub(super) fn components<'a>(map: &'a [Entry], report: &mut Reporter) -> Option<&'a Entry> {
    let components = find_entry(map, "components")?;
    let Some(sections) = components.value.as_map() else {
        if !components.value.is_null() {
            let message = format!(
                "`components` must be a mapping, found {}",
                components.value.kind_name()
            );
            report.error(
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
                    report.error(Code::InvalidValue, e.value.span, &path, message, None);
                }
                schemas = Some(e);
            }
            _ if is_empty_value(&e.value) => {}
            "securitySchemes" => report.warn_hint(
                span,
                &path,
                "security schemes are not imported: roles must be declared in a specforge spec"
                    .into(),
                "declare the roles under `auth.roles` of the specforge specification",
            ),
            _ if OTHER_COMPONENTS.contains(&k) => report.warn(
                span,
                &path,
                format!(
                    "`components.{k}` is not imported: specforge generates the API of each \
                     entity from its schema"
                ),
            ),
            _ if k.starts_with("x-") => {
                report.warn(span, &path, format!("extension `{k}` is not imported"))
            }
            _ => report.warn(span, &path, format!("`components.{k}` is not imported")),
        }
    }
    schemas
}
