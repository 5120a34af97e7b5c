//! One entity: its declaration (fields and relations), the names of its members, its options, and
//! the final list of its fields.

use crate::diagnostic::{Code, pointer};
use crate::hash::FastMap as HashMap;
use crate::limits;
use crate::model::{Entity, Field, FieldType, Operation};
use crate::names::{did_you_mean, suggest};
use crate::node::Entry;
use crate::span::Span;

use super::{ENTITY_KEYS, EntityDecl, Scope, Validator, fields};

impl Validator<'_, '_> {
    pub(super) fn entity<'n>(&mut self, e: &'n Entry, scope: &Scope) -> EntityDecl<'n> {
        let path = pointer("/entities", &e.key.name);
        let mut decl = EntityDecl {
            name: e.key.name.clone(),
            key_span: e.key.span,
            path: path.clone(),
            node: &e.value,
            description: None,
            timestamps: true,
            fields: Vec::new(),
            relations: Vec::new(),
        };
        let Some(map) = self.map(&e.value, &path, &format!("entity `{}`", e.key.name)) else {
            return decl;
        };
        self.check_keys(map, ENTITY_KEYS, &path, "an entity");
        decl.description = e
            .value
            .get("description")
            .and_then(|d| self.string(d, &pointer(&path, "description"), "`description`"));
        if let Some(t) = e.value.get("timestamps") {
            decl.timestamps = self
                .boolean(t, &pointer(&path, "timestamps"), "`timestamps`")
                .unwrap_or(true);
        }
        let field_entries = match e.value.get("fields") {
            Some(f) => self
                .map(f, &pointer(&path, "fields"), "`fields`")
                .unwrap_or(&[]),
            None => &[],
        };
        let rel_entries = match e.value.get("relations") {
            Some(r) => self
                .map(r, &pointer(&path, "relations"), "`relations`")
                .unwrap_or(&[]),
            None => &[],
        };
        if field_entries.len() + rel_entries.len() > limits::MAX_FIELDS_PER_ENTITY {
            self.error(
                Code::LimitExceeded,
                e.key.span,
                &path,
                format!(
                    "entity `{}` has {} fields and relations; the limit is {}",
                    e.key.name,
                    field_entries.len() + rel_entries.len(),
                    limits::MAX_FIELDS_PER_ENTITY
                ),
            );
            return decl;
        }
        if field_entries.is_empty() && rel_entries.is_empty() {
            let d = self.source.warning(
                Code::EmptyEntity,
                e.key.span,
                &path,
                format!(
                    "entity `{}` has no fields or relations of its own",
                    e.key.name
                ),
            );
            self.push(d.with_hint("add `fields:`; an empty entity only has its id and timestamps"));
        }
        let fpath = pointer(&path, "fields");
        for f in field_entries {
            if let Some(fd) = self.field(f, &fpath, &decl, scope) {
                decl.fields.push(fd);
            }
        }
        let rpath = pointer(&path, "relations");
        for r in rel_entries {
            if let Some(rd) = self.relation(r, &rpath, scope) {
                decl.relations.push(rd);
            }
        }
        self.check_member_names(&decl);
        decl
    }

    /// Fields, relations, implicit fields and foreign-key columns of one entity must not collide.
    fn check_member_names(&mut self, decl: &EntityDecl<'_>) {
        let mut seen: HashMap<&str, (&str, Span, &'static str)> = HashMap::default();
        let implicit: &[&str] = if decl.timestamps {
            &["id", "created_at", "updated_at"]
        } else {
            &["id"]
        };
        for &name in implicit {
            seen.insert(name, (name, decl.key_span, "implicit field"));
        }
        let members = decl
            .fields
            .iter()
            .map(|f| {
                (
                    f.field.name.as_str(),
                    f.key.as_str(),
                    f.key_span,
                    &f.path,
                    "field",
                )
            })
            .chain(decl.relations.iter().map(|r| {
                (
                    r.name.as_str(),
                    r.key.as_str(),
                    r.key_span,
                    &r.path,
                    "relation",
                )
            }));
        for (name, key, span, path, kind) in members {
            if let Some((other, other_span, other_kind)) = seen.get(key) {
                if *other_kind == "implicit field" {
                    // A field restating an implicit one by its exact name is checked by the field
                    // itself (`reserved_field`); any other spelling, or a relation, collides.
                    if !(kind == "field" && *other == name) {
                        self.error_hint(
                            Code::NameCollision,
                            span,
                            path,
                            format!(
                                "{kind} `{name}` of entity `{}` collides with the implicit field `{other}`",
                                decl.name
                            ),
                            Some(format!(
                                "every entity has `{other}`; choose another name{}",
                                if *other == "id" { "" } else { " or set `timestamps: false`" }
                            )),
                        );
                    }
                    continue;
                }
                let hint = format!("`{other}` is at {}", self.source.describe(*other_span));
                if *other == name {
                    self.error_hint(
                        Code::DuplicateField,
                        span,
                        path,
                        format!("entity `{}` has two members named `{name}` (a {other_kind} and a {kind})", decl.name),
                        Some(hint),
                    );
                } else {
                    self.error_hint(
                        Code::NameCollision,
                        span,
                        path,
                        format!(
                            "{kind} `{name}` and {other_kind} `{other}` of entity `{}` both become `{key}` in generated code",
                            decl.name
                        ),
                        Some(hint),
                    );
                }
                continue;
            }
            seen.insert(key, (name, span, kind));
        }
    }

    /// List options, operations and permissions, which need the entity's final members.
    pub(super) fn entity_options(
        &mut self,
        decl: &EntityDecl<'_>,
        entity: &mut Entity,
        scope: &Scope,
    ) {
        let node = decl.node;
        let path = &decl.path;
        if let Some(ops) = node.get("operations") {
            let p = pointer(path, "operations");
            if ops.is_null() {
                self.error_hint(
                    Code::InvalidValue,
                    ops.span,
                    &p,
                    "`operations` has no value",
                    Some("list the operations, e.g. `[list, get]`, or write `[]` for none".into()),
                );
            }
            let list = self.string_list(ops, &p, "an operation");
            let mut chosen = Vec::new();
            for (i, (op, span)) in list.into_iter().enumerate() {
                match Operation::parse(&op) {
                    Some(o) => {
                        if !chosen.contains(&o) {
                            chosen.push(o);
                        }
                    }
                    None => self.error_hint(
                        Code::InvalidValue,
                        span,
                        &pointer(&p, &i.to_string()),
                        format!("unknown operation `{op}`"),
                        did_you_mean(suggest(&op, Operation::NAMES.iter().copied())).or_else(
                            || Some(format!("operations are: {}", Operation::NAMES.join(", "))),
                        ),
                    ),
                }
            }
            chosen.sort();
            entity.operations = chosen;
        }
        if let Some(list) = node.get("list") {
            entity.list = self.list_options(list, &pointer(path, "list"), entity, decl);
        }
        if let Some(perms) = node.get("permissions") {
            entity.permissions =
                self.permissions(perms, &pointer(path, "permissions"), scope, entity);
        }
    }
}

/// Builds the final field list of an entity: `id`, declared fields, then the timestamps.
pub(crate) fn entity_fields(decl: &EntityDecl<'_>) -> Vec<Field> {
    let mut out = Vec::with_capacity(decl.fields.len() + 3);
    let declared = |name: &str| {
        decl.fields
            .iter()
            .find(|f| f.field.name == name)
            .map(|f| &f.field)
    };
    out.push(fields::implicit_field(
        "id",
        FieldType::Uuid,
        declared("id"),
    ));
    out.extend(
        decl.fields
            .iter()
            .filter(|f| {
                !(f.field.name == "id" || (decl.timestamps && fields::is_timestamp(&f.field.name)))
            })
            .map(|f| f.field.clone()),
    );
    if decl.timestamps {
        out.push(fields::implicit_field(
            "created_at",
            FieldType::Datetime,
            declared("created_at"),
        ));
        out.push(fields::implicit_field(
            "updated_at",
            FieldType::Datetime,
            declared("updated_at"),
        ));
    }
    out
}
