//! The `list` options and the `permissions` of an entity, which need its final members.

use crate::diagnostic::{Code, pointer};
use crate::limits;
use crate::model::{Entity, FieldType, ListOptions, Operation, Permissions};
use crate::names::{did_you_mean, suggest};
use crate::node::{Node, Value};

use super::{EntityDecl, LIST_KEYS, Scope, Validator};

impl Validator<'_, '_> {
    pub(super) fn list_options(
        &mut self,
        node: &Node,
        path: &str,
        entity: &Entity,
        decl: &EntityDecl<'_>,
    ) -> ListOptions {
        // Fields whose type is unknown were reported already; naming them here is no new mistake.
        let untyped = |name: &str| {
            decl.fields
                .iter()
                .any(|f| f.untyped && f.field.name == name)
        };
        let mut out = ListOptions::default();
        let Some(map) = self.map(node, path, "`list`") else {
            return out;
        };
        self.check_keys(map, LIST_KEYS, path, "`list`");
        if let Some(f) = node.get("filters") {
            let p = pointer(path, "filters");
            for (i, (name, span)) in self.string_list(f, &p, "a filter").into_iter().enumerate() {
                if untyped(&name) {
                    continue;
                }
                let ip = pointer(&p, &i.to_string());
                let field_ok = entity.field(&name).is_some_and(|f| f.ty != FieldType::Json);
                let rel_ok = entity
                    .relation(&name)
                    .is_some_and(|r| r.kind.is_to_one() && r.owner && !r.inferred);
                if field_ok || rel_ok {
                    if !out.filters.contains(&name) {
                        out.filters.push(name);
                    }
                    continue;
                }
                let candidates = entity
                    .fields
                    .iter()
                    .filter(|f| f.ty != FieldType::Json)
                    .map(|f| f.name.as_str())
                    .chain(
                        entity
                            .relations
                            .iter()
                            .filter(|r| r.kind.is_to_one() && r.owner && !r.inferred)
                            .map(|r| r.name.as_str()),
                    );
                let hint = if entity.field(&name).is_some() {
                    Some("json fields cannot be filtered on".to_string())
                } else if entity.relation(&name).is_some() {
                    Some("only fields and the to-one relations that hold a foreign key can be filtered on".to_string())
                } else {
                    did_you_mean(suggest(&name, candidates))
                };
                let message = if entity.field(&name).is_some() {
                    format!(
                        "field `{name}` of entity `{}` is json and cannot be filtered on",
                        entity.name
                    )
                } else if entity.relation(&name).is_some() {
                    format!(
                        "relation `{name}` of entity `{}` cannot be filtered on",
                        entity.name
                    )
                } else {
                    format!(
                        "entity `{}` has no field or to-one relation `{name}` to filter on",
                        entity.name
                    )
                };
                self.error_hint(Code::UnknownFilterField, span, &ip, message, hint);
            }
        }
        if let Some(s) = node.get("sort") {
            let p = pointer(path, "sort");
            for (i, (name, span)) in self
                .string_list(s, &p, "a sort field")
                .into_iter()
                .enumerate()
            {
                if untyped(&name) {
                    continue;
                }
                let ip = pointer(&p, &i.to_string());
                if entity.field(&name).is_some_and(|f| f.ty.is_sortable()) {
                    if !out.sort.contains(&name) {
                        out.sort.push(name);
                    }
                    continue;
                }
                let hint = if entity.field(&name).is_some() {
                    Some("json fields cannot be sorted".to_string())
                } else if entity.relation(&name).is_some() {
                    Some("relations cannot be sorted; sort by a field".to_string())
                } else {
                    did_you_mean(suggest(
                        &name,
                        entity
                            .fields
                            .iter()
                            .filter(|f| f.ty.is_sortable())
                            .map(|f| f.name.as_str()),
                    ))
                };
                self.error_hint(
                    Code::UnknownSortField,
                    span,
                    &ip,
                    format!("entity `{}` has no field `{name}` to sort by", entity.name),
                    hint,
                );
            }
        }
        if let Some(ps) = node.get("page_size") {
            let p = pointer(path, "page_size");
            match ps.value {
                Value::Int(n) if (1..=limits::MAX_PAGE_SIZE).contains(&n) => {
                    out.page_size = u32::try_from(n).unwrap_or(crate::model::DEFAULT_PAGE_SIZE);
                }
                _ => self.error(
                    Code::InvalidValue,
                    ps.span,
                    &p,
                    format!(
                        "`page_size` must be a whole number from 1 to {}",
                        limits::MAX_PAGE_SIZE
                    ),
                ),
            }
        }
        out
    }

    pub(super) fn permissions(
        &mut self,
        node: &Node,
        path: &str,
        scope: &Scope,
        entity: &Entity,
    ) -> Permissions {
        let mut out = Permissions::default();
        let Some(map) = self.map(node, path, "`permissions`") else {
            return out;
        };
        for e in map {
            let p = pointer(path, &e.key.name);
            let Some(op) = Operation::parse(&e.key.name) else {
                self.error_hint(
                    Code::UnknownKey,
                    e.key.span,
                    &p,
                    format!("unknown operation `{}` in `permissions`", e.key.name),
                    did_you_mean(suggest(&e.key.name, Operation::NAMES.iter().copied())).or_else(
                        || Some(format!("operations are: {}", Operation::NAMES.join(", "))),
                    ),
                );
                continue;
            };
            if !entity.operations.contains(&op) {
                self.error_hint(
                    Code::InvalidValue,
                    e.key.span,
                    &p,
                    format!(
                        "permission for `{}`, which entity `{}` does not offer",
                        e.key.name, entity.name
                    ),
                    Some("add it to `operations`, or remove this permission".into()),
                );
                continue;
            }
            if e.value.is_null() || e.value.as_seq().is_some_and(<[Node]>::is_empty) {
                self.error_hint(
                    Code::InvalidValue,
                    if e.value.is_null() { e.key.span } else { e.value.span },
                    &p,
                    format!("no role is listed for `{}`", e.key.name),
                    Some(format!(
                        "list the roles that may {0}; to offer `{0}` to nobody, remove it from `operations`",
                        e.key.name
                    )),
                );
                continue;
            }
            let mut roles = Vec::new();
            for (i, (role, span)) in self
                .string_list(&e.value, &p, "a role")
                .into_iter()
                .enumerate()
            {
                if scope.roles.contains(&role) {
                    if !roles.contains(&role) {
                        roles.push(role);
                    }
                    continue;
                }
                let hint = if !scope.roles_declared {
                    Some("declare roles under `auth: { roles: [...] }`".to_string())
                } else {
                    did_you_mean(suggest(&role, scope.roles.iter().map(String::as_str)))
                        .or_else(|| Some(format!("declared roles: {}", scope.roles.join(", "))))
                };
                self.error_hint(
                    Code::UnknownRole,
                    span,
                    &pointer(&p, &i.to_string()),
                    format!("role `{role}` is not declared"),
                    hint,
                );
            }
            out.set(op, roles);
        }
        out
    }
}
