//! The whole specification: its top-level keys, then the passes over roles, enums and entities
//! that build the [`Model`](crate::model::Model).

use crate::diagnostic::{Code, pointer};
use crate::hash::FastMap as HashMap;
use crate::model::{Entity, Enum, FORMAT_VERSION, FieldType, Model};
use crate::names::collision_key;
use crate::node::{Entry, Node, Value};
use crate::span::Span;
use crate::{limits, names};

use super::{AUTH_KEYS, ENUM_KEYS, EntityDecl, Scope, TOP_KEYS, Validator, relations};

impl Validator<'_, '_> {
    pub(super) fn root(&mut self, root: &Node) -> Option<Model> {
        let Some(map) = root.as_map() else {
            if root.is_null() {
                self.error_hint(
                    Code::MissingVersion,
                    root.span,
                    "",
                    "the specification is empty",
                    Some("start with `specforge: 1`, then `name:` and `entities:`".into()),
                );
            } else {
                self.error(
                    Code::InvalidValue,
                    root.span,
                    "",
                    format!(
                        "a specification must be a mapping at its top level, not {}",
                        root.kind_name()
                    ),
                );
            }
            return None;
        };
        match root.get("specforge") {
            None => self.error_hint(
                Code::MissingVersion,
                Span::point(root.span.start),
                "",
                "the format version `specforge` is missing",
                Some(format!(
                    "add `specforge: {FORMAT_VERSION}` as the first line"
                )),
            ),
            Some(v) => match v.value {
                Value::Int(n) if n == i64::from(FORMAT_VERSION) => {}
                _ => {
                    let written = self.source.text.get(v.span.start..v.span.end).unwrap_or("");
                    let shown = match &v.value {
                        Value::Int(_) | Value::Float(_) | Value::Str(_) if !written.is_empty() => {
                            format!("`{written}`")
                        }
                        other => other.kind_name().to_string(),
                    };
                    self.error_hint(
                        Code::UnsupportedVersion,
                        v.span,
                        "/specforge",
                        format!("format version {shown} is not supported"),
                        Some(format!(
                            "this release reads `specforge: {FORMAT_VERSION}` (a whole number)"
                        )),
                    );
                    // Without a known version, nothing else can be checked meaningfully.
                    return None;
                }
            },
        }
        self.check_keys(map, TOP_KEYS, "", "the specification");

        let name = match root.get("name") {
            Some(n) => {
                let name = self.string(n, "/name", "`name`");
                if let Some(name) = &name {
                    self.check_name(name, n.span, "/name", "the application");
                }
                name
            }
            None => {
                self.error_hint(
                    Code::MissingKey,
                    Span::point(root.span.start),
                    "",
                    "the specification has no `name`",
                    Some("add `name: my_app`: it names the generated application".into()),
                );
                None
            }
        };
        let title = root
            .get("title")
            .and_then(|n| self.string(n, "/title", "`title`"));
        let description = root
            .get("description")
            .and_then(|n| self.string(n, "/description", "`description`"));

        let (roles, roles_declared) = self.roles(root);
        let (enums, enum_map, enum_order) = self.enums(root);

        let entity_entries: &[Entry] = match root.get("entities") {
            Some(n) => self.map(n, "/entities", "`entities`").unwrap_or(&[]),
            None => {
                self.error_hint(
                    Code::MissingKey,
                    Span::point(root.span.start),
                    "",
                    "the specification has no `entities`",
                    Some("add `entities:` with at least one entity and its `fields`".into()),
                );
                &[]
            }
        };
        if let Some(e) = map.iter().find(|e| e.key.name == "entities")
            && entity_entries.is_empty()
            && (e.value.is_null() || e.value.as_map().is_some_and(<[Entry]>::is_empty))
        {
            self.error(
                Code::InvalidValue,
                if e.value.is_null() {
                    e.key.span
                } else {
                    e.value.span
                },
                "/entities",
                "`entities` is empty: declare at least one entity",
            );
        }

        // Declarations first, so that references work in any order.
        let mut entity_names: Vec<String> = Vec::new();
        let mut seen: HashMap<String, (String, Span)> = HashMap::default();
        for (name, span) in enum_order
            .iter()
            .filter_map(|n| enum_map.get(n).map(|(_, s)| (n, *s)))
        {
            seen.insert(collision_key(name), (name.clone(), span));
        }
        let mut entries = Vec::new();
        for (i, e) in entity_entries.iter().enumerate() {
            let path = pointer("/entities", &e.key.name);
            if i >= limits::MAX_ENTITIES {
                self.error(
                    Code::LimitExceeded,
                    e.key.span,
                    &path,
                    format!(
                        "more than {} entities; the rest are not read",
                        limits::MAX_ENTITIES
                    ),
                );
                break;
            }
            if !self.check_name(&e.key.name, e.key.span, &path, "entity") {
                entries.push(e);
                entity_names.push(e.key.name.clone());
                continue;
            }
            if let Some((other, other_span)) = seen.get(&collision_key(&e.key.name)) {
                let is_enum = enum_map.contains_key(other);
                let (code, msg) = if is_enum {
                    (
                        Code::NameCollision,
                        format!(
                            "entity `{}` has the same name as enum `{other}`",
                            e.key.name
                        ),
                    )
                } else {
                    (
                        Code::NameCollision,
                        format!(
                            "entity `{}` and entity `{other}` differ only by case or separators",
                            e.key.name
                        ),
                    )
                };
                let hint = format!(
                    "both become `{}` in generated code; `{other}` is at {}",
                    collision_key(&e.key.name),
                    self.source.describe(*other_span)
                );
                self.error_hint(code, e.key.span, &path, msg, Some(hint));
            } else {
                seen.insert(collision_key(&e.key.name), (e.key.name.clone(), e.key.span));
            }
            entries.push(e);
            entity_names.push(e.key.name.clone());
        }

        let scope = Scope {
            enums: enum_map
                .iter()
                .map(|(k, (v, _))| (k.clone(), v.clone()))
                .collect(),
            enum_order,
            entities: entity_names,
            roles: roles.clone(),
            roles_declared,
        };

        let mut decls: Vec<EntityDecl<'_>> = Vec::with_capacity(entries.len());
        for e in entries {
            decls.push(self.entity(e, &scope));
        }
        let mut entities: Vec<Entity> = relations::resolve(self, &mut decls, &scope);
        relations::check_required_cycles(self, &decls, &entities);
        relations::check_foreign_key_columns(self, &decls, &entities);
        for (entity, decl) in entities.iter_mut().zip(&decls) {
            self.entity_options(decl, entity, &scope);
        }

        Some(Model {
            specforge: FORMAT_VERSION,
            name: name.unwrap_or_default(),
            title,
            description,
            roles,
            enums,
            entities,
        })
    }

    pub(super) fn roles(&mut self, root: &Node) -> (Vec<String>, bool) {
        let Some(auth) = root.get("auth") else {
            return (Vec::new(), false);
        };
        let Some(map) = self.map(auth, "/auth", "`auth`") else {
            return (Vec::new(), false);
        };
        self.check_keys(map, AUTH_KEYS, "/auth", "`auth`");
        let Some(node) = auth.get("roles") else {
            return (Vec::new(), false);
        };
        let list = self.string_list(node, "/auth/roles", "a role");
        let mut roles = Vec::with_capacity(list.len());
        let mut seen: HashMap<String, (String, Span)> = HashMap::default();
        for (i, (role, span)) in list.into_iter().enumerate() {
            let path = pointer("/auth/roles", &i.to_string());
            if i >= limits::MAX_ROLES {
                self.error(
                    Code::LimitExceeded,
                    span,
                    &path,
                    format!("more than {} roles", limits::MAX_ROLES),
                );
                break;
            }
            if !self.check_name(&role, span, &path, "role") {
                continue;
            }
            match seen.get(&collision_key(&role)) {
                Some((other, other_span)) if *other == role => {
                    let hint = format!("first declared at {}", self.source.describe(*other_span));
                    self.error_hint(
                        Code::DuplicateRole,
                        span,
                        &path,
                        format!("role `{role}` is declared twice"),
                        Some(hint),
                    );
                }
                Some((other, other_span)) => {
                    let hint = format!("`{other}` is at {}", self.source.describe(*other_span));
                    self.error_hint(
                        Code::NameCollision,
                        span,
                        &path,
                        format!("roles `{role}` and `{other}` differ only by case or separators"),
                        Some(hint),
                    );
                }
                None => {
                    seen.insert(collision_key(&role), (role.clone(), span));
                    roles.push(role);
                }
            }
        }
        (roles, true)
    }

    #[allow(clippy::type_complexity)]
    pub(super) fn enums(
        &mut self,
        root: &Node,
    ) -> (Vec<Enum>, HashMap<String, (Vec<String>, Span)>, Vec<String>) {
        let mut out = Vec::new();
        let mut map_out: HashMap<String, (Vec<String>, Span)> = HashMap::default();
        let mut order = Vec::new();
        let Some(node) = root.get("enums") else {
            return (out, map_out, order);
        };
        let Some(entries) = self.map(node, "/enums", "`enums`") else {
            return (out, map_out, order);
        };
        let mut seen: HashMap<String, (String, Span)> = HashMap::default();
        for (i, e) in entries.iter().enumerate() {
            let name = &e.key.name;
            let path = pointer("/enums", name);
            if i >= limits::MAX_ENUMS {
                self.error(
                    Code::LimitExceeded,
                    e.key.span,
                    &path,
                    format!("more than {} enums", limits::MAX_ENUMS),
                );
                break;
            }
            let name_ok = self.check_name(name, e.key.span, &path, "enum");
            if name_ok && FieldType::builtin(name).is_some() {
                self.error_hint(
                    Code::InvalidName,
                    e.key.span,
                    &path,
                    format!("enum `{name}` has the name of a built-in type"),
                    Some("choose another name, such as `{name}Kind`".replace("{name}", name)),
                );
            }
            if name_ok {
                if let Some((other, other_span)) = seen.get(&collision_key(name)) {
                    let hint = format!(
                        "both become `{}`; `{other}` is at {}",
                        collision_key(name),
                        self.source.describe(*other_span)
                    );
                    self.error_hint(
                        Code::NameCollision,
                        e.key.span,
                        &path,
                        format!("enums `{name}` and `{other}` differ only by case or separators"),
                        Some(hint),
                    );
                } else {
                    seen.insert(collision_key(name), (name.clone(), e.key.span));
                }
            }
            let (values_node, description) = match &e.value.value {
                Value::Map(m) => {
                    self.check_keys(m, ENUM_KEYS, &path, "an enum");
                    let d = e.value.get("description").and_then(|d| {
                        self.string(d, &pointer(&path, "description"), "`description`")
                    });
                    match e.value.get("values") {
                        Some(v) => (Some((v, pointer(&path, "values"))), d),
                        None => {
                            self.error(
                                Code::MissingKey,
                                e.key.span,
                                &path,
                                format!("enum `{name}` has no `values`"),
                            );
                            (None, d)
                        }
                    }
                }
                _ => (Some((&e.value, path.clone())), None),
            };
            let mut values: Vec<String> = Vec::new();
            if let Some((vn, vpath)) = values_node {
                values = self.enum_values(name, vn, &vpath, e.key.span);
            }
            if !map_out.contains_key(name) {
                order.push(name.clone());
                map_out.insert(name.clone(), (values.clone(), e.key.span));
                out.push(Enum {
                    name: name.clone(),
                    description,
                    values,
                });
            }
        }
        (out, map_out, order)
    }

    fn enum_values(&mut self, name: &str, node: &Node, path: &str, key_span: Span) -> Vec<String> {
        let items: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!(
                        "the values of enum `{name}` must be a list, not {}",
                        v.kind_name()
                    ),
                );
                return Vec::new();
            }
        };
        if items.is_empty() {
            self.error_hint(
                Code::EmptyEnum,
                if node.is_null() { key_span } else { node.span },
                path,
                format!("enum `{name}` has no values"),
                Some("list at least one value, e.g. `[draft, published]`".into()),
            );
            return Vec::new();
        }
        let mut values = Vec::with_capacity(items.len());
        let mut seen: HashMap<String, (String, Span)> = HashMap::default();
        for (i, item) in items.into_iter().enumerate() {
            let p = pointer(path, &i.to_string());
            if i >= limits::MAX_ENUM_VALUES {
                self.error(
                    Code::LimitExceeded,
                    item.span,
                    &p,
                    format!("more than {} values in one enum", limits::MAX_ENUM_VALUES),
                );
                break;
            }
            let value = match &item.value {
                Value::Str(s) => s.clone(),
                Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null => {
                    self.error_hint(
                        Code::InvalidValue,
                        item.span,
                        &p,
                        format!("enum values must be strings, not {}", item.kind_name()),
                        Some("quote it to make it a string".into()),
                    );
                    continue;
                }
                v => {
                    self.error(
                        Code::InvalidValue,
                        item.span,
                        &p,
                        format!("enum values must be strings, not {}", v.kind_name()),
                    );
                    continue;
                }
            };
            if let Err(problem) = names::check_enum_value(&value) {
                self.report_name_problem(problem, &value, item.span, &p, "enum value");
                continue;
            }
            match seen.get(&collision_key(&value)) {
                Some((other, other_span)) if *other == value => {
                    let hint = format!("first listed at {}", self.source.describe(*other_span));
                    self.error_hint(
                        Code::DuplicateEnumValue,
                        item.span,
                        &p,
                        format!("enum `{name}` lists `{value}` twice"),
                        Some(hint),
                    );
                }
                Some((other, other_span)) => {
                    let hint = format!(
                        "both become `{}` as constants; `{other}` is at {}",
                        collision_key(&value),
                        self.source.describe(*other_span)
                    );
                    self.error_hint(
                        Code::NameCollision,
                        item.span,
                        &p,
                        format!("values `{value}` and `{other}` of enum `{name}` differ only by case or separators"),
                        Some(hint),
                    );
                }
                None => {
                    seen.insert(collision_key(&value), (value.clone(), item.span));
                    values.push(value);
                }
            }
        }
        values
    }
}
