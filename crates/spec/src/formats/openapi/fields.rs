//! Properties that are fields: scalar types and formats, inline enums, nested objects, and the
//! constraints of a field.

use crate::diagnostic::{Code, pointer};
use crate::names::{alphanumeric_key, pascal_case};
use crate::node::{Entry, Node, Value};
use crate::span::Span;

use super::METADATA_KEYS;
use super::diagnostics::Reporter;
use super::document::is_empty_value;
use super::merge::{Property, RequiredName};
use super::refs::ResolvedSchema;
use super::schemas::{DeclaredType, TypeInfo};
use super::translate::{FormatFit, Translated, Translator, map_scalar};

impl<'a> Translator<'a, '_> {
    pub(super) fn inline(
        &mut self,
        report: &mut Reporter,
        r: &ResolvedSchema,
        ty: &TypeInfo,
        p: &Property,
        req: Option<&RequiredName>,
        mut nullable: bool,
    ) -> Translated {
        let type_span = ty.node.map_or(p.node.span, |n| n.span);
        let type_path = pointer(layer_of(r, "type"), "type");
        let mut consumed: Vec<&str> = vec!["type", "nullable"];
        let type_node = match &ty.declared {
            DeclaredType::OnlyNull => {
                let message = format!(
                    "property `{}` can only be null, so it is not imported",
                    p.key.name
                );
                report.warn(type_span, &type_path, message);
                return Translated::Skip;
            }
            DeclaredType::Several(names) => {
                let message = format!(
                    "property `{}` has several types (`{}`), so it is imported as a `json` field",
                    p.key.name,
                    names.join("`, `")
                );
                report.warn(type_span, &type_path, message);
                Node::str("json", type_span)
            }
            DeclaredType::Malformed => ty.node.cloned().unwrap_or(Node::str("json", type_span)),
            DeclaredType::One(t @ ("string" | "integer" | "number" | "boolean"), node) => {
                consumed.extend(["format", "enum"]);
                self.scalar(report, r, t, node.span, p, &mut nullable)
            }
            DeclaredType::One("object", _) => {
                consumed.extend(["properties", "required", "additionalProperties"]);
                object_like(report, r, p);
                Node::str("json", type_span)
            }
            DeclaredType::One(_, node) => (*node).clone(),
            DeclaredType::Absent if r.get("enum").is_some() => {
                consumed.push("enum");
                match self.inline_enum(report, r, p, &mut nullable) {
                    Some(node) => node,
                    None => Node::str("json", type_span),
                }
            }
            DeclaredType::Absent if r.get("properties").is_some() => {
                consumed.extend(["properties", "required", "additionalProperties"]);
                object_like(report, r, p);
                Node::str("json", type_span)
            }
            DeclaredType::Absent => {
                if let Some((f, layer)) = r.get("format") {
                    consumed.push("format");
                    let message = format!(
                        "`format` without a `type` is ignored: the property `{}` is a free-form \
                         `json` field",
                        p.key.name
                    );
                    report.warn(f.key.span, &pointer(layer, "format"), message);
                }
                Node::str("json", type_span)
            }
        };
        let mut entries = vec![Entry::new("type", type_node.span, type_node)];
        push_required(&mut entries, req, nullable);
        field_keys(report, r, &consumed, &mut entries, &p.key.name);
        Translated::Field(Node::new(Value::Map(entries), p.node.span))
    }

    fn scalar(
        &mut self,
        report: &mut Reporter,
        r: &ResolvedSchema,
        t: &str,
        type_span: Span,
        p: &Property,
        nullable: &mut bool,
    ) -> Node {
        let format = r.get("format");
        let format_text = format.and_then(|(e, _)| e.value.as_str());
        if let Some((e, layer)) = format
            && format_text.is_none()
        {
            let message = format!("`format` must be a string, found {}", e.value.kind_name());
            report.error(
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
                FormatFit::Binary => report.warn_hint(
                    e.value.span,
                    &path,
                    format!("format `{f}` (file contents) is not imported: the field is a plain `string`"),
                    "store files elsewhere and keep their address in a `format: uri` field",
                ),
                FormatFit::Unknown => report.warn(
                    e.value.span,
                    &path,
                    format!("format `{f}` is not imported: the field is a plain `{word}`"),
                ),
            }
        }
        if let Some((e, layer)) = r.get("enum") {
            if t == "string"
                && let Some(node) = self.inline_enum(report, r, p, nullable)
            {
                return node;
            }
            if t != "string" {
                let message = format!(
                    "an enum of `{t}` values is not imported: the field accepts any `{word}`"
                );
                report.warn(e.key.span, &pointer(layer, "enum"), message);
            }
        }
        Node::str(word, type_span)
    }

    /// An enum named after the schema and the property, for an inline `enum` of strings
    /// (`null` among the values makes the field optional). Returns the field's `type` node.
    fn inline_enum(
        &mut self,
        report: &mut Reporter,
        r: &ResolvedSchema,
        p: &Property,
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
            report.warn(e.key.span, &pointer(layer, "enum"), message);
            return None;
        }
        let items = items.unwrap_or(&[]);
        if items.iter().any(Node::is_null) {
            *nullable = true;
        }
        let span_key = (e.value.span.start, e.value.span.end);
        let name = match self.inline_enums.by_span.get(&span_key) {
            Some(name) => name.clone(),
            None => {
                let base = format!(
                    "{}{}",
                    pascal_case(self.catalog.name(p.owner)),
                    pascal_case(&p.key.name)
                );
                // Continue numbering where the last enum of the same base stopped, so that many
                // colliding names stay linear.
                let mut name = base.clone();
                let next = self
                    .inline_enums
                    .next_suffix
                    .entry(alphanumeric_key(&base))
                    .or_insert(2);
                while self.inline_enums.taken.contains(&alphanumeric_key(&name)) {
                    name = format!("{base}{next}");
                    *next += 1;
                }
                self.inline_enums.taken.insert(alphanumeric_key(&name));
                self.inline_enums.by_span.insert(span_key, name.clone());
                let values: Vec<Node> = items.iter().filter(|v| !v.is_null()).cloned().collect();
                let list = Node::new(Value::Seq(values), e.value.span);
                self.inline_enums
                    .entries
                    .push(Entry::new(&name, p.key.span, list));
                name
            }
        };
        Some(Node::str(name, e.value.span))
    }
}

/// The pointer of the layer that holds `key`, or of the property itself.
pub(super) fn layer_of<'r>(r: &'r ResolvedSchema, key: &str) -> &'r str {
    match r.get(key) {
        Some((_, layer)) => layer,
        None => r.layers.first().map_or("", |l| l.path.as_str()),
    }
}

pub(super) fn push_required(entries: &mut Vec<Entry>, req: Option<&RequiredName>, nullable: bool) {
    if let Some(r) = req
        && !nullable
    {
        entries.push(Entry::new(
            "required",
            r.node.span,
            Node::new(Value::Bool(true), r.node.span),
        ));
    }
}

/// A nested object is a `json` field: its properties are not entities.
fn object_like(report: &mut Reporter, r: &ResolvedSchema, p: &Property) {
    if let Some((e, layer)) = r.get("properties")
        && !is_empty_value(&e.value)
    {
        let message = format!(
            "the nested object `{}` is imported as a `json` field: nested objects are not entities",
            p.key.name
        );
        let hint = "move the object to `components.schemas` and `$ref` it to get a relation";
        report.warn_hint(e.key.span, &pointer(layer, "properties"), message, hint);
        return;
    }
    if let Some((e, layer)) = r.get("additionalProperties")
        && !matches!(e.value.value, Value::Bool(true))
        && !is_empty_value(&e.value)
    {
        let message = format!(
            "`additionalProperties` is not imported: `{}` is a free-form `json` field",
            p.key.name
        );
        report.warn(e.key.span, &pointer(layer, "additionalProperties"), message);
    }
}

/// The constraints of a field, in the order written; warnings for everything else.
pub(super) fn field_keys(
    report: &mut Reporter,
    r: &ResolvedSchema,
    consumed: &[&str],
    entries: &mut Vec<Entry>,
    prop: &str,
) {
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
            entries.push(Entry::new(name, e.key.span, e.value.clone()));
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
                report.warn_hint(
                    e.key.span,
                    &kpath,
                    format!("`{k}` is not imported: specforge bounds are inclusive"),
                    &format!("use `{bound}` with the closest allowed value"),
                );
            }
            "multipleOf" | "uniqueItems" | "minItems" | "maxItems" | "const" => report.warn(
                e.key.span,
                &kpath,
                format!("`{k}` is not imported: specforge has no equivalent constraint"),
            ),
            "items" => report.warn(
                e.key.span,
                &kpath,
                format!("`items` is ignored: `{prop}` is not an array"),
            ),
            "properties" | "additionalProperties" => report.warn(
                e.key.span,
                &kpath,
                format!("`{k}` is ignored: `{prop}` is not an object"),
            ),
            "format" | "enum" => report.warn(
                e.key.span,
                &kpath,
                format!("`{k}` is ignored: it does not apply to the type of `{prop}`"),
            ),
            _ => common_key(report, e, &kpath, prop),
        }
    }
}

/// Keywords handled alike on fields and relations.
pub(super) fn common_key(report: &mut Reporter, e: &Entry, kpath: &str, prop: &str) {
    let k = e.key.name.as_str();
    let span = e.key.span;
    match k {
        _ if METADATA_KEYS.contains(&k) => {}
        "oneOf" | "anyOf" => report.warn(
            span,
            kpath,
            format!("`{k}` is not imported: specforge has no union types"),
        ),
        "not" => report.warn(
            span,
            kpath,
            "`not` is not imported: specforge has no exclusions".into(),
        ),
        "allOf" => report.warn(
            span,
            kpath,
            "`allOf` in a property is only imported with a single `$ref` member".into(),
        ),
        "discriminator" => report.warn(
            span,
            kpath,
            "`discriminator` is not imported: specforge has no polymorphic entities".into(),
        ),
        "required" => report.warn_hint(
            span,
            kpath,
            "`required` inside a property is not OpenAPI and is ignored".into(),
            &format!("list `{prop}` in the `required` list of the schema"),
        ),
        _ if k.starts_with("x-") => {
            report.warn(span, kpath, format!("extension `{k}` is not imported"))
        }
        _ => report.warn(
            span,
            kpath,
            format!("`{k}` is not imported: it is not an OpenAPI keyword that specforge knows"),
        ),
    }
}
