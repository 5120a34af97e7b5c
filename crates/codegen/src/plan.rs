//! The language-neutral pass every target starts from: the generated API's wire names, URL
//! paths, SQL tables, columns, join tables and the names of constraints and indexes
//! ([`crate::sql_names`]), computed once so that the targets agree (the `openapi` document
//! describes exactly what `python-fastapi` and `rust-axum` serve, their migrations match
//! `sql-postgres` and `sql-sqlite`, and their services map a constraint's name to its field).
//!
//! Wire names (JSON properties and query parameters) are the snake_case form of the spec's
//! names, letters of any script kept. SQL names are ASCII ([`crate::naming`]) and at most 63
//! bytes (PostgreSQL's limit): a longer one keeps its first 50 bytes and a hash of the whole.
//! Generated SQL always quotes identifiers, so SQL keywords need no escaping.
//!
//! The contract of the generated API is documented in `docs/generated-api.md`.

use serde::Serialize;
use specforge_spec::model::{Entity, Field, OnDelete, Operation, Relation, RelationKind};
use specforge_spec::{Model, names};

use crate::error::{Error, Problem};
use crate::naming::{Case, Clash, Namespace, case, plural};
use crate::sql_names::SchemaNames;
use crate::tree::sha256_hex;

/// Longest SQL identifier PostgreSQL keeps.
pub const MAX_SQL_IDENT: usize = 63;

/// The whole plan.
#[derive(Clone, Debug, Serialize)]
pub struct Plan<'m> {
    /// The model.
    #[serde(skip)]
    pub model: &'m Model,
    /// Enums, in declaration order.
    pub enums: Vec<EnumPlan<'m>>,
    /// Entities, in declaration order.
    pub entities: Vec<EntityPlan<'m>>,
    /// Join tables of many-to-many relations, in order of their owning side.
    pub joins: Vec<JoinPlan<'m>>,
}

/// An enum.
#[derive(Clone, Debug, Serialize)]
pub struct EnumPlan<'m> {
    /// The enum.
    #[serde(skip)]
    pub def: &'m specforge_spec::model::Enum,
    /// Its name as written.
    pub name: &'m str,
    /// JSON Pointer to it in the specification.
    pub pointer: String,
    /// The SQL type name PostgreSQL gets (`book_status`).
    pub sql_type: String,
    /// Values as written (these are the wire values).
    pub values: &'m [String],
}

/// An entity.
#[derive(Clone, Debug, Serialize)]
pub struct EntityPlan<'m> {
    /// The entity.
    #[serde(skip)]
    pub entity: &'m Entity,
    /// Its name as written.
    pub name: &'m str,
    /// JSON Pointer to it in the specification.
    pub pointer: String,
    /// SQL table (`books`).
    pub table: String,
    /// Name of its primary key (`pk_books`).
    pub primary_key: String,
    /// The URL segment of its collection (`/api/{collection}`, kebab-case plural).
    pub collection: String,
    /// Scalar fields (the implicit `id` first, timestamps last).
    pub fields: Vec<FieldPlan<'m>>,
    /// To-one relations that hold a foreign key here.
    pub refs: Vec<RefPlan<'m>>,
    /// Many-to-many relations this side owns (indexes into [`Plan::joins`]).
    pub joins: Vec<usize>,
    /// Query parameters of the list operation that filter by equality.
    pub filters: Vec<FilterPlan>,
    /// Wire names the list can be sorted by.
    pub sorts: Vec<String>,
}

/// A scalar field.
#[derive(Clone, Debug, Serialize)]
pub struct FieldPlan<'m> {
    /// The field.
    #[serde(skip)]
    pub field: &'m Field,
    /// JSON Pointer to it in the specification.
    pub pointer: String,
    /// JSON property name.
    pub wire: String,
    /// SQL column.
    pub column: String,
    /// Name of its unique constraint (`uq_books_isbn`), when it is unique (and not the primary
    /// key).
    pub unique_constraint: Option<String>,
    /// Name of its check (`ck_books_pages`), when the column has one in either dialect.
    pub check_constraint: Option<String>,
    /// Name of its index (`ix_books_status`), when the list filters on it and no unique
    /// constraint or primary key indexes it already.
    pub index: Option<String>,
    /// Whether the client sends it (declared fields; not `id`, `created_at`, `updated_at`).
    pub writable: bool,
}

/// A to-one relation that holds a foreign key (many-to-one, or the owning side of one-to-one).
#[derive(Clone, Debug, Serialize)]
pub struct RefPlan<'m> {
    /// The relation.
    #[serde(skip)]
    pub relation: &'m Relation,
    /// JSON Pointer to it in the specification.
    pub pointer: String,
    /// JSON property holding the target's id (`author_id`).
    pub wire: String,
    /// SQL column (`author_id`).
    pub column: String,
    /// Index of the target entity in [`Plan::entities`].
    pub target: usize,
    /// The target's table.
    pub target_table: String,
    /// Whether a value is required.
    pub required: bool,
    /// Whether the column is unique (one-to-one).
    pub unique: bool,
    /// Name of the foreign key (`fk_books_author_id`).
    pub foreign_key: String,
    /// Name of the unique constraint (one-to-one).
    pub unique_constraint: Option<String>,
    /// Name of its index (`ix_books_author_id`), when not unique (a unique constraint indexes
    /// it already).
    pub index: Option<String>,
    /// SQL `ON DELETE` action (`CASCADE`, `RESTRICT`, `SET NULL`, `NO ACTION`).
    pub on_delete: &'static str,
}

/// A join table of a many-to-many relation.
#[derive(Clone, Debug, Serialize)]
pub struct JoinPlan<'m> {
    /// The owning side.
    #[serde(skip)]
    pub relation: &'m Relation,
    /// JSON Pointer to the owning side in the specification.
    pub pointer: String,
    /// Index of the owning entity.
    pub owner: usize,
    /// Index of the target entity.
    pub target: usize,
    /// JSON property on the owner holding the target ids: the relation's wire name (`tags`).
    pub wire: String,
    /// SQL table (`books_tags`).
    pub table: String,
    /// Column referring to the owner (`book_id`).
    pub owner_column: String,
    /// Column referring to the target (`tag_id`).
    pub target_column: String,
    /// The owner's table.
    pub owner_table: String,
    /// The target's table.
    pub target_table: String,
    /// Name of its primary key, over both columns (`pk_books_tags`).
    pub primary_key: String,
    /// Name of the foreign key of the owner column (`fk_books_tags_book_id`).
    pub owner_foreign_key: String,
    /// Name of the foreign key of the target column (`fk_books_tags_tag_id`).
    pub target_foreign_key: String,
    /// Name of the index of the target column (`ix_books_tags_tag_id`); the primary key,
    /// which starts with the owner column, serves lookups by owner.
    pub index: String,
}

/// A filter of the list operation.
#[derive(Clone, Debug, Serialize)]
pub struct FilterPlan {
    /// The query parameter (a field's wire name, or a reference's `…_id`).
    pub wire: String,
    /// What it filters.
    pub on: FilterOn,
}

/// What a filter compares.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum FilterOn {
    /// [`EntityPlan::fields`]`[i]`.
    Field(usize),
    /// [`EntityPlan::refs`]`[i]`.
    Ref(usize),
}

/// An SQL identifier of at most [`MAX_SQL_IDENT`] bytes.
pub fn sql_ident(ident: String) -> String {
    if ident.len() <= MAX_SQL_IDENT {
        return ident;
    }
    let mut cut = 50;
    while !ident.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}_{}",
        ident[..cut].trim_end_matches('_'),
        &sha256_hex(ident.as_bytes())[..12]
    )
}

fn pointer(parts: &[&str]) -> String {
    parts.iter().fold(String::new(), |acc, part| {
        specforge_spec::diagnostic::pointer(&acc, part)
    })
}

fn on_delete(action: OnDelete) -> &'static str {
    match action {
        OnDelete::Cascade => "CASCADE",
        OnDelete::Restrict => "RESTRICT",
        OnDelete::SetNull => "SET NULL",
        OnDelete::NoAction => "NO ACTION",
    }
}

impl<'m> Plan<'m> {
    /// Plans `model`, or lists the names that meet once made SQL or wire names.
    pub fn new(model: &'m Model) -> Result<Self, Error> {
        let mut clashes = Vec::new();
        let mut tables = Namespace::new("SQL table");
        let mut paths = Namespace::new("URL path");
        let mut types = Namespace::new("SQL type");
        let enums = model
            .enums
            .iter()
            .map(|def| {
                let pointer = pointer(&["enums", &def.name]);
                let sql_type = sql_ident(case(&def.name, Case::Snake));
                types.claim(&sql_type, &pointer, &mut clashes);
                EnumPlan {
                    def,
                    name: &def.name,
                    pointer,
                    sql_type,
                    values: &def.values,
                }
            })
            .collect();
        // By name, so that resolving every relation stays linear in the number of entities.
        let mut by_name = std::collections::HashMap::with_capacity(model.entities.len());
        for (i, e) in model.entities.iter().enumerate() {
            by_name.entry(e.name.as_str()).or_insert(i);
        }
        let index = |name: &str| by_name.get(name).copied();
        let mut entities: Vec<EntityPlan<'m>> = Vec::with_capacity(model.entities.len());
        for entity in &model.entities {
            let ptr = pointer(&["entities", &entity.name]);
            let table = sql_ident(plural(&entity.name, Case::Snake));
            tables.claim(&table, &ptr, &mut clashes);
            let collection = plural(&entity.name, Case::Kebab);
            paths.claim(&collection, &ptr, &mut clashes);
            entities.push(EntityPlan {
                entity,
                name: &entity.name,
                pointer: ptr,
                table,
                primary_key: String::new(),
                collection,
                fields: Vec::new(),
                refs: Vec::new(),
                joins: Vec::new(),
                filters: Vec::new(),
                sorts: Vec::new(),
            });
        }
        let mut joins = Vec::new();
        for (i, entity) in model.entities.iter().enumerate() {
            let ptr = entities[i].pointer.clone();
            let table = entities[i].table.clone();
            let mut columns = Namespace::new(format!("SQL column of `{table}`"));
            let mut wires = Namespace::new(format!("JSON property of `{}`", entity.name));
            let mut fields = Vec::new();
            for field in &entity.fields {
                let fptr = if field.implicit {
                    format!("{ptr} (implicit field `{}`)", field.name)
                } else {
                    pointer(&["entities", &entity.name, "fields", &field.name])
                };
                let wire = names::snake(&field.name);
                let column = sql_ident(case(&field.name, Case::Snake));
                columns.claim(&column, &fptr, &mut clashes);
                wires.claim(&wire, &fptr, &mut clashes);
                fields.push(FieldPlan {
                    field,
                    pointer: fptr,
                    wire,
                    column,
                    unique_constraint: None,
                    check_constraint: None,
                    index: None,
                    writable: !field.implicit,
                });
            }
            let mut refs = Vec::new();
            let mut own_joins = Vec::new();
            for relation in &entity.relations {
                let rptr = pointer(&["entities", &entity.name, "relations", &relation.name]);
                let Some(target) = index(&relation.target) else {
                    continue;
                };
                let target_table = entities[target].table.clone();
                match relation.kind {
                    RelationKind::ManyToOne | RelationKind::OneToOne if relation.owner => {
                        let snake = names::snake(&relation.name);
                        let wire = format!("{snake}_id");
                        let column = sql_ident(format!("{}_id", case(&relation.name, Case::Snake)));
                        columns.claim(&column, &rptr, &mut clashes);
                        wires.claim(&wire, &rptr, &mut clashes);
                        let unique = relation.kind == RelationKind::OneToOne;
                        refs.push(RefPlan {
                            relation,
                            pointer: rptr,
                            wire,
                            foreign_key: String::new(),
                            unique_constraint: None,
                            index: None,
                            column,
                            target,
                            target_table,
                            required: relation.required,
                            unique,
                            on_delete: on_delete(relation.on_delete),
                        });
                    }
                    RelationKind::ManyToMany if relation.owner => {
                        let wire = names::snake(&relation.name);
                        wires.claim(&wire, &rptr, &mut clashes);
                        let join_table =
                            sql_ident(format!("{table}_{}", case(&relation.name, Case::Snake)));
                        tables.claim(&join_table, &rptr, &mut clashes);
                        let owner_column =
                            sql_ident(format!("{}_id", case(&entity.name, Case::Snake)));
                        let mut target_column =
                            sql_ident(format!("{}_id", case(&relation.target, Case::Snake)));
                        if target_column == owner_column {
                            target_column =
                                sql_ident(format!("{}_id", case(&relation.name, Case::Snake)));
                        }
                        let mut join_columns =
                            Namespace::new(format!("SQL column of `{join_table}`"));
                        join_columns.claim(&owner_column, &ptr, &mut clashes);
                        join_columns.claim(&target_column, &rptr, &mut clashes);
                        own_joins.push(joins.len());
                        joins.push(JoinPlan {
                            relation,
                            pointer: rptr,
                            owner: i,
                            target,
                            wire,
                            table: join_table,
                            owner_column,
                            target_column,
                            owner_table: table.clone(),
                            target_table,
                            primary_key: String::new(),
                            owner_foreign_key: String::new(),
                            target_foreign_key: String::new(),
                            index: String::new(),
                        });
                    }
                    _ => {}
                }
            }
            let mut filters = Vec::new();
            for name in &entity.list.filters {
                if let Some(f) = fields
                    .iter()
                    .position(|f: &FieldPlan| f.field.name == *name)
                {
                    filters.push(FilterPlan {
                        wire: fields[f].wire.clone(),
                        on: FilterOn::Field(f),
                    });
                } else if let Some(r) = refs.iter().position(|r: &RefPlan| r.relation.name == *name)
                {
                    filters.push(FilterPlan {
                        wire: refs[r].wire.clone(),
                        on: FilterOn::Ref(r),
                    });
                }
            }
            let sorts = entity
                .list
                .sort
                .iter()
                .filter_map(|name| fields.iter().find(|f| f.field.name == *name))
                .map(|f| f.wire.clone())
                .collect();
            let plan = &mut entities[i];
            plan.fields = fields;
            plan.refs = refs;
            plan.joins = own_joins;
            plan.filters = filters;
            plan.sorts = sorts;
        }
        if !clashes.is_empty() {
            return Err(clash_error(clashes));
        }
        let mut plan = Plan {
            model,
            enums,
            entities,
            joins,
        };
        plan.name_schema_objects();
        Ok(plan)
    }

    /// Names the primary keys, unique constraints, checks, foreign keys and indexes once every
    /// table is known. The order is fixed (per entity its primary key, then per field its
    /// unique constraint, check and index, then per reference its foreign key and unique
    /// constraint or index; then per join table its primary key, foreign keys and index), so
    /// that when two conventional names meet, the same one keeps its name every time.
    fn name_schema_objects(&mut self) {
        let model = self.model;
        let tables = self.entities.iter().map(|e| e.table.as_str());
        let mut names = SchemaNames::new(tables.chain(self.joins.iter().map(|j| j.table.as_str())));
        for entity in &mut self.entities {
            let table = entity.table.as_str();
            entity.primary_key = names.primary_key(table);
            let filtered: Vec<usize> = entity
                .filters
                .iter()
                .filter_map(|f| match f.on {
                    FilterOn::Field(i) => Some(i),
                    FilterOn::Ref(_) => None,
                })
                .collect();
            for (i, f) in entity.fields.iter_mut().enumerate() {
                let column = [f.column.as_str()];
                if f.field.unique && !f.field.primary_key {
                    f.unique_constraint = Some(names.unique(table, &column));
                }
                if crate::passes::ddl::has_checks(model, f.field) {
                    f.check_constraint = Some(names.check(table, &f.column));
                }
                if filtered.contains(&i) && !f.field.unique && !f.field.primary_key {
                    f.index = Some(names.index(table, &column));
                }
            }
            for r in &mut entity.refs {
                r.foreign_key = names.foreign_key(table, &r.column);
                if r.unique {
                    r.unique_constraint = Some(names.unique(table, &[r.column.as_str()]));
                } else {
                    r.index = Some(names.index(table, &[r.column.as_str()]));
                }
            }
        }
        for join in &mut self.joins {
            let table = join.table.as_str();
            join.primary_key = names.primary_key(table);
            join.owner_foreign_key = names.foreign_key(table, &join.owner_column);
            join.target_foreign_key = names.foreign_key(table, &join.target_column);
            join.index = names.index(table, &[join.target_column.as_str()]);
        }
    }

    /// Whether the generated tests can create rows of each entity: it has a create operation
    /// and every required reference points to another entity they can create. Entities on a
    /// cycle of required references, and those that need them, cannot be created.
    pub fn creatable(&self) -> Vec<bool> {
        let n = self.entities.len();
        let needs: Vec<Vec<usize>> = self
            .entities
            .iter()
            .map(|e| {
                e.refs
                    .iter()
                    .filter(|r| r.required)
                    .map(|r| r.target)
                    .collect()
            })
            .collect();
        let mut known: Vec<Option<bool>> = vec![None; n];
        let mut open = vec![false; n];
        for start in 0..n {
            if known[start].is_some() {
                continue;
            }
            // Depth first without recursion, so that a long chain of references cannot
            // exhaust the stack; each entity and reference is looked at a bounded number of
            // times, so the pass is linear in the model.
            let mut stack = vec![(start, 0usize)];
            open[start] = true;
            while let Some(top) = stack.last_mut() {
                let (i, next) = *top;
                let verdict = if !self.entities[i]
                    .entity
                    .operations
                    .contains(&Operation::Create)
                {
                    Some(false)
                } else if let Some(&target) = needs[i].get(next) {
                    match known[target] {
                        _ if target == i || open[target] => Some(false),
                        Some(false) => Some(false),
                        Some(true) => {
                            top.1 += 1;
                            None
                        }
                        None => {
                            open[target] = true;
                            stack.push((target, 0));
                            None
                        }
                    }
                } else {
                    Some(true)
                };
                if let Some(ok) = verdict {
                    known[i] = Some(ok);
                    open[i] = false;
                    stack.pop();
                }
            }
        }
        known.into_iter().map(|k| k == Some(true)).collect()
    }
}

/// The error for clashing names.
pub fn clash_error(clashes: Vec<Clash>) -> Error {
    Error::Spec(
        clashes
            .into_iter()
            .map(|c| Problem {
                path: c.second.clone(),
                message: c.to_string(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(yaml: &str) -> Model {
        let analysis = specforge_spec::analyze_bytes(yaml.as_bytes(), Some("spec.yaml"), None);
        analysis
            .model
            .unwrap_or_else(|| panic!("invalid: {:#?}", analysis.diagnostics))
    }

    #[test]
    fn creatable_entities_follow_required_references_in_any_declaration_order() {
        // A needs B needs C, declared before them; F has no create; G needs F; I needs A.
        // (The specification language refuses cycles of required references.)
        let m = model(
            "specforge: 1\nname: t\nentities:\n\
             \x20 A:\n    fields: { x: string }\n    relations:\n      b: { to: B, required: true }\n\
             \x20 B:\n    fields: { x: string }\n    relations:\n      c: { to: C, required: true }\n\
             \x20 C:\n    fields: { x: string }\n\
             \x20 F:\n    fields: { x: string }\n    operations: [list, get]\n\
             \x20 G:\n    fields: { x: string }\n    relations:\n      f: { to: F, required: true }\n\
             \x20 I:\n    fields: { x: string }\n    relations:\n      a: { to: A, required: true }\n",
        );
        let plan = Plan::new(&m).expect("plan");
        let names: Vec<&str> = plan.entities.iter().map(|e| e.name).collect();
        assert_eq!(names, ["A", "B", "C", "F", "G", "I"]);
        assert_eq!(plan.creatable(), [true, true, true, false, false, true]);
    }
}
