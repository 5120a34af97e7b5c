//! The validator: reads a specification tree, reports every problem at once, and builds the
//! normalized [`Model`].
//!
//! It works in passes: declarations (names of enums, entities and roles, so order in the file
//! never matters), then each entity's fields and relations, then relation resolution (both sides,
//! inferred inverses), then checks that need the whole picture (list options, permissions,
//! required cycles).

mod fields;
mod relations;

use crate::hash::FastMap as HashMap;

use crate::diagnostic::{Code, Diagnostic, Source, pointer};
use crate::limits;
use crate::model::{
    Entity, Enum, FORMAT_VERSION, Field, FieldType, ListOptions, Model, Operation, Permissions,
};
use crate::names::{self, NameProblem, collision_key, did_you_mean, suggest};
use crate::node::{Entry, Node, Value};
use crate::span::Span;

pub(crate) use relations::RelDecl;

const TOP_KEYS: &[&str] = &[
    "specforge",
    "name",
    "title",
    "description",
    "auth",
    "enums",
    "entities",
];
const AUTH_KEYS: &[&str] = &["roles"];
const ENUM_KEYS: &[&str] = &["values", "description"];
const ENTITY_KEYS: &[&str] = &[
    "description",
    "fields",
    "relations",
    "operations",
    "list",
    "permissions",
    "timestamps",
];
const LIST_KEYS: &[&str] = &["filters", "sort", "page_size"];

/// Validates the specification tree `root` read from `source`, appending diagnostics. Returns
/// the model when it could be built (the caller must still discard it if any error was reported).
pub fn validate(
    root: &Node,
    source: &Source<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Model> {
    let mut cx = Cx {
        src: source,
        diags: diagnostics,
    };
    cx.root(root)
}

/// The validation context: the source (for positions) and the diagnostics found so far.
pub(crate) struct Cx<'s, 'a> {
    pub(crate) src: &'s Source<'a>,
    pub(crate) diags: &'s mut Vec<Diagnostic>,
}

/// An entity as declared, with the spans needed for later checks.
pub(crate) struct EntityDecl<'n> {
    pub(crate) name: String,
    pub(crate) key_span: Span,
    pub(crate) path: String,
    pub(crate) node: &'n Node,
    pub(crate) description: Option<String>,
    pub(crate) timestamps: bool,
    pub(crate) fields: Vec<fields::FieldDecl>,
    pub(crate) relations: Vec<RelDecl>,
}

/// Names visible everywhere: enums, entities and roles.
pub(crate) struct Scope {
    pub(crate) enums: HashMap<String, Vec<String>>,
    pub(crate) enum_order: Vec<String>,
    pub(crate) entities: Vec<String>,
    pub(crate) roles: Vec<String>,
    pub(crate) roles_declared: bool,
}

impl Scope {
    pub(crate) fn is_entity(&self, name: &str) -> bool {
        self.entities.iter().any(|e| e == name)
    }
}

impl Cx<'_, '_> {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub(crate) fn error(&mut self, code: Code, span: Span, path: &str, msg: impl Into<String>) {
        let d = self.src.error(code, span, path, msg);
        self.push(d);
    }

    pub(crate) fn error_hint(
        &mut self,
        code: Code,
        span: Span,
        path: &str,
        msg: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut d = self.src.error(code, span, path, msg);
        d.hint = hint;
        self.push(d);
    }

    /// Reports keys of `map` that are not in `allowed`, with a "did you mean".
    pub(crate) fn check_keys(&mut self, map: &[Entry], allowed: &[&str], path: &str, what: &str) {
        for e in map {
            if !allowed.contains(&e.key.name.as_str()) {
                let hint = did_you_mean(suggest(&e.key.name, allowed.iter().copied()))
                    .or_else(|| Some(format!("{what} takes: {}", allowed.join(", "))));
                self.error_hint(
                    Code::UnknownKey,
                    e.key.span,
                    &pointer(path, &e.key.name),
                    format!("unknown key `{}` in {what}", e.key.name),
                    hint,
                );
            }
        }
    }

    /// The node as a mapping, or an `invalid_value` error.
    pub(crate) fn map<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        what: &str,
    ) -> Option<&'n [Entry]> {
        match &node.value {
            Value::Map(m) => Some(m),
            Value::Null => Some(&[]),
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a mapping, not {}", v.kind_name()),
                );
                None
            }
        }
    }

    /// The node as a string, or an `invalid_value` error.
    pub(crate) fn string(&mut self, node: &Node, path: &str, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a string, not {}", v.kind_name()),
                );
                None
            }
        }
    }

    /// The node as a boolean, or an `invalid_value` error.
    pub(crate) fn boolean(&mut self, node: &Node, path: &str, what: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s)
                if matches!(s.as_str(), "yes" | "no" | "on" | "off" | "True" | "False") =>
            {
                self.error_hint(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be true or false, not the string `{s}`"),
                    Some("write `true` or `false`".into()),
                );
                None
            }
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be true or false, not {}", v.kind_name()),
                );
                None
            }
        }
    }

    /// A list of strings (a single string is taken as a list of one).
    pub(crate) fn string_list(
        &mut self,
        node: &Node,
        path: &str,
        what: &str,
    ) -> Vec<(String, Span)> {
        match &node.value {
            Value::Str(s) => vec![(s.clone(), node.span)],
            Value::Null => Vec::new(),
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let p = pointer(path, &i.to_string());
                    if let Some(s) = self.scalar_text(item, &p, what) {
                        out.push((s, item.span));
                    }
                }
                out
            }
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a list of names, not {}", v.kind_name()),
                );
                Vec::new()
            }
        }
    }

    /// A name written as a scalar; numbers and booleans are refused with a hint to quote them.
    fn scalar_text(&mut self, node: &Node, path: &str, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null => {
                self.error_hint(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a name, not {}", node.kind_name()),
                    Some("quote it to make it a string".into()),
                );
                None
            }
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a name, not {}", v.kind_name()),
                );
                None
            }
        }
    }

    /// Checks that `name` can become an identifier in every target; reports and returns false if not.
    pub(crate) fn check_name(&mut self, name: &str, span: Span, path: &str, what: &str) -> bool {
        self.check_name_limit(name, span, path, what, limits::MAX_NAME_BYTES)
    }

    pub(crate) fn check_name_limit(
        &mut self,
        name: &str,
        span: Span,
        path: &str,
        what: &str,
        limit: usize,
    ) -> bool {
        match names::check_identifier(name, limit) {
            Ok(()) => true,
            Err(problem) => {
                self.report_name_problem(problem, name, span, path, what);
                false
            }
        }
    }

    pub(crate) fn report_name_problem(
        &mut self,
        problem: NameProblem,
        name: &str,
        span: Span,
        path: &str,
        what: &str,
    ) {
        match problem {
            NameProblem::Empty => self.error_hint(
                Code::InvalidName,
                span,
                path,
                format!("{what} name is empty"),
                Some("names need at least one letter".into()),
            ),
            NameProblem::TooLong { bytes, limit } => {
                let snake = names::snake(name);
                let message = if snake.len() > name.len() {
                    format!(
                        "{what} name `{name}` is {bytes} bytes long as `{snake}`; the limit is {limit}"
                    )
                } else {
                    format!("{what} name `{name}` is {bytes} bytes long; the limit is {limit}")
                };
                let hint = if limit < limits::MAX_NAME_BYTES {
                    format!(
                        "relation names keep {} bytes free for the `_id` of their foreign-key column",
                        limits::MAX_NAME_BYTES - limit
                    )
                } else {
                    format!("databases cut longer identifiers (PostgreSQL keeps {limit} bytes)")
                };
                self.error_hint(Code::NameTooLong, span, path, message, Some(hint));
            }
            NameProblem::BadStart(c) => self.error_hint(
                Code::InvalidName,
                span,
                path,
                format!("{what} name `{name}` starts with `{c}`, which cannot start an identifier"),
                Some("start names with a letter".into()),
            ),
            NameProblem::BadChar(c) => self.error_hint(
                Code::InvalidName,
                span,
                path,
                format!(
                    "{what} name `{name}` contains `{}`, which cannot be part of an identifier",
                    c.escape_debug()
                ),
                Some("use letters, digits, `_`, `-` or spaces".into()),
            ),
        }
    }

    fn root(&mut self, root: &Node) -> Option<Model> {
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
                    let written = self.src.text.get(v.span.start..v.span.end).unwrap_or("");
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
                    self.src.describe(*other_span)
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

    fn roles(&mut self, root: &Node) -> (Vec<String>, bool) {
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
                    let hint = format!("first declared at {}", self.src.describe(*other_span));
                    self.error_hint(
                        Code::DuplicateRole,
                        span,
                        &path,
                        format!("role `{role}` is declared twice"),
                        Some(hint),
                    );
                }
                Some((other, other_span)) => {
                    let hint = format!("`{other}` is at {}", self.src.describe(*other_span));
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
    fn enums(
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
                        self.src.describe(*other_span)
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
                    let hint = format!("first listed at {}", self.src.describe(*other_span));
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
                        self.src.describe(*other_span)
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

    fn entity<'n>(&mut self, e: &'n Entry, scope: &Scope) -> EntityDecl<'n> {
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
            let d = self.src.warning(
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
                let hint = format!("`{other}` is at {}", self.src.describe(*other_span));
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
    fn entity_options(&mut self, decl: &EntityDecl<'_>, entity: &mut Entity, scope: &Scope) {
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

    fn list_options(
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

    fn permissions(
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

/// Builds the final field list of an entity: `id`, declared fields, then the timestamps.
pub(crate) fn entity_fields(decl: &EntityDecl<'_>) -> Vec<Field> {
    let mut out = Vec::with_capacity(decl.fields.len() + 3);
    let declared = |name: &str| {
        decl.fields
            .iter()
            .find(|f| f.field.name == name)
            .map(|f| &f.field)
    };
    out.push(fields::implicit("id", FieldType::Uuid, declared("id")));
    out.extend(
        decl.fields
            .iter()
            .filter(|f| {
                !(f.field.name == "id" || (decl.timestamps && fields::is_timestamp(&f.field.name)))
            })
            .map(|f| f.field.clone()),
    );
    if decl.timestamps {
        out.push(fields::implicit(
            "created_at",
            FieldType::Datetime,
            declared("created_at"),
        ));
        out.push(fields::implicit(
            "updated_at",
            FieldType::Datetime,
            declared("updated_at"),
        ));
    }
    out
}
