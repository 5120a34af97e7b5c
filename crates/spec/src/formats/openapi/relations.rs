//! Properties that refer to entities: `many_to_one` and `one_to_one` relations from a `$ref`,
//! `one_to_many` and `many_to_many` from an array of `$ref`s, and arrays that become `json`.

use crate::diagnostic::{Code, pointer};
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;

use super::METADATA_KEYS;
use super::diagnostics::Reporter;
use super::fields::{common_key, field_keys, layer_of, push_required};
use super::merge::{Property, RequiredName};
use super::refs::{RefEnd, RefSite, ResolvedSchema, resolve};
use super::schemas::{DeclaredType, TypeInfo};
use super::translate::{ReferenceShape, Translated, Translator};

impl<'a> Translator<'a, '_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn to_one(
        &self,
        report: &mut Reporter,
        r: &ResolvedSchema,
        target: usize,
        site: &RefSite,
        p: &Property,
        req: Option<&RequiredName>,
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
            Entry::new("to", span, Node::str(self.catalog.name(target), span)),
            Entry::new("kind", kind_span, Node::str(kind, kind_span)),
        ];
        push_required(&mut entries, req, nullable);
        let target_name = self.catalog.name(target);
        for (e, layer) in r.entries() {
            let k = e.key.name.as_str();
            let kpath = pointer(layer, k);
            match k {
                "nullable" => {}
                "description" => {
                    entries.push(Entry::new("description", e.key.span, e.value.clone()))
                }
                "x-unique" if matches!(e.value.value, Value::Bool(_)) => {}
                "x-unique" => {
                    let message = format!(
                        "`x-unique` must be true or false, found {}",
                        e.value.kind_name()
                    );
                    report.error(Code::InvalidValue, e.value.span, &kpath, message, None);
                }
                "type" if TypeInfo::of(Some(&e.value)).is("object") => {}
                "type" => report.warn(
                    e.value.span,
                    &kpath,
                    format!("`type` next to the `$ref` to `{target_name}` is ignored"),
                ),
                "default" => report.warn(
                    e.key.span,
                    &kpath,
                    format!("a default for the reference to `{target_name}` is not imported"),
                ),
                "maxLength" | "minLength" | "minimum" | "maximum" | "pattern" | "format"
                | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" | "enum" | "const" => {
                    report.warn(
                        e.key.span,
                        &kpath,
                        format!("`{k}` does not apply to the reference to `{target_name}`"),
                    )
                }
                _ => common_key(report, e, &kpath, &p.key.name),
            }
        }
        Node::new(Value::Map(entries), p.node.span)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn array(
        &self,
        report: &mut Reporter,
        r: &ResolvedSchema,
        ty: &TypeInfo,
        entity: usize,
        prop_idx: usize,
        p: &Property,
        req: Option<&RequiredName>,
        nullable: bool,
    ) -> Translated {
        let type_span = ty.node.map_or(p.node.span, |n| n.span);
        let json = |report: &mut Reporter, r: &ResolvedSchema| {
            let mut entries = vec![Entry::new("type", type_span, Node::str("json", type_span))];
            push_required(&mut entries, req, nullable);
            field_keys(
                report,
                r,
                &["type", "nullable", "items"],
                &mut entries,
                &p.key.name,
            );
            Translated::Field(Node::new(Value::Map(entries), p.node.span))
        };
        let Some((items, layer)) = r.get("items") else {
            let message = format!(
                "the array `{}` has no `items`, so it is imported as a `json` field",
                p.key.name
            );
            report.warn(type_span, &pointer(layer_of(r, "type"), "type"), message);
            return json(report, r);
        };
        let items_path = pointer(layer, "items");
        if items.value.as_map().is_none() {
            let message = format!(
                "`items` must be a schema mapping, found {}",
                items.value.kind_name()
            );
            report.error(
                Code::InvalidValue,
                items.value.span,
                &items_path,
                message,
                None,
            );
            return json(report, r);
        }
        let ir = resolve(self.catalog, report, &items.value, &items_path);
        let what = match &ir.terminal {
            RefEnd::Dropped => return Translated::Skip,
            RefEnd::Entity(t, site) => {
                return Translated::Relation(
                    self.to_many(report, r, &ir, *t, site, type_span, entity, prop_idx, p),
                );
            }
            RefEnd::Enum(t, _) => format!("`{}` values", self.catalog.name(*t)),
            RefEnd::Inline => match TypeInfo::of(ir.get("type").map(|(e, _)| &e.value)).declared {
                DeclaredType::One("object", _) => "objects".to_string(),
                DeclaredType::One("array", _) => "arrays".to_string(),
                DeclaredType::One(t, _) => format!("`{t}` values"),
                _ if ir.get("properties").is_some() => "objects".to_string(),
                _ => "values".to_string(),
            },
        };
        let message = format!(
            "the array of {what} `{}` is imported as a `json` field: specforge has no list fields",
            p.key.name
        );
        let hint = "to relate entities, make the items a `$ref` to an object schema";
        report.warn_hint(items.key.span, &items_path, message, hint);
        json(report, r)
    }

    #[allow(clippy::too_many_arguments)]
    fn to_many(
        &self,
        report: &mut Reporter,
        r: &ResolvedSchema,
        ir: &ResolvedSchema,
        target: usize,
        site: &RefSite,
        kind_span: Span,
        entity: usize,
        prop_idx: usize,
        p: &Property,
    ) -> Node {
        let span = site.value.span;
        let target_name = self.catalog.name(target);
        let mut entries = vec![Entry::new("to", span, Node::str(target_name, span))];
        let (kind, mapped_by) = self.infer(report, entity, prop_idx, target, p);
        entries.push(Entry::new("kind", kind_span, Node::str(kind, kind_span)));
        if let Some(key) = mapped_by {
            entries.push(Entry::new(
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
                "description" => {
                    entries.push(Entry::new("description", e.key.span, e.value.clone()))
                }
                "uniqueItems" | "minItems" | "maxItems" => report.warn(
                    e.key.span,
                    &kpath,
                    format!(
                        "`{k}` is not imported: the number of related `{target_name}` is not \
                         constrained"
                    ),
                ),
                "default" | "x-unique" | "maxLength" | "minLength" | "minimum" | "maximum"
                | "pattern" | "format" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf"
                | "enum" | "const" => report.warn(
                    e.key.span,
                    &kpath,
                    format!("`{k}` does not apply to the list of `{target_name}`"),
                ),
                _ => common_key(report, e, &kpath, &p.key.name),
            }
        }
        for (e, layer) in ir.entries() {
            let k = e.key.name.as_str();
            if k == "description" || k == "nullable" || METADATA_KEYS.contains(&k) {
                continue;
            }
            let message = format!("`{k}` next to the `$ref` of `items` is not imported");
            report.warn(e.key.span, &pointer(layer, k), message);
        }
        Node::new(Value::Map(entries), p.node.span)
    }

    /// `one_to_many` when the target has a reference back, `many_to_many` otherwise; when both
    /// sides are arrays, the side written second is `mapped_by` the first.
    fn infer(
        &self,
        report: &mut Reporter,
        entity: usize,
        prop_idx: usize,
        target: usize,
        p: &Property,
    ) -> (&'static str, Option<&'a Key>) {
        let no_shapes: &[ReferenceShape] = &[];
        let back_shapes = self.shapes.get(target).map_or(no_shapes, Vec::as_slice);
        let own_shapes = self.shapes.get(entity).map_or(no_shapes, Vec::as_slice);
        let target_props = self.props(target);
        let is_self = |s: &&ReferenceShape| entity == target && s.prop == prop_idx;
        let back: Vec<&ReferenceShape> = back_shapes
            .iter()
            .filter(|s| s.target == entity)
            .filter(|s| !is_self(s))
            .collect();

        let singles: Vec<&ReferenceShape> = back.iter().copied().filter(|s| !s.array).collect();
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
                    self.catalog.name(target),
                    self.catalog.name(entity),
                    names.join(", ")
                );
                report.warn(p.key.span, &p.path, message);
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

    pub(super) fn props(&self, idx: usize) -> &'_ [Property<'a>] {
        self.merged
            .get(idx)
            .and_then(Option::as_ref)
            .map_or(&[], |m| m.props.as_slice())
    }
}
