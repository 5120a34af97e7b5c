//! The project's context, computed from the plan: every class, attribute, enum member, route
//! function and parameter of the generated code, each scope claimed in a [`Namespace`] so that
//! two names that meet are reported instead of emitted.

use std::collections::{BTreeMap, BTreeSet};

use specforge_spec::model::{FieldType, Operation};

use super::context::{
    Migration, MigrationTable, Project, PyBodyField, PyColumn, PyEntity, PyEnum, PyFilter,
    PyIdList, PyJoinTable, PyOp, PyRef,
};
use super::literals::{ident, md_line, py_str, py_value};
use super::pytests::Project as TestsProject;
use super::reserved::{ATTR_RESERVED, CLASS_RESERVED, LOCAL_RESERVED};
use super::types::{Imports, constraints, types};
use super::{DEPENDENCIES, DEV_DEPENDENCIES};
use crate::error::Error;
use crate::manifest::VERSION;
use crate::naming::{Case, Clash, Lang, Namespace, ascii_words, case, join};
use crate::passes::ddl::{self, Dialect};
use crate::passes::openapi_doc;
use crate::passes::text::toml_string;
use crate::plan::{EntityPlan, FilterOn, Plan, clash_error};
use crate::sql_names;

fn ops_of(entity: &EntityPlan<'_>) -> Vec<Operation> {
    entity.entity.operations.clone()
}

/// The whole context of the templates, or the names that meet once made Python identifiers.
pub(super) fn build(plan: &Plan<'_>, package: String) -> Result<Project, Error> {
    let model = plan.model;
    let mut clashes: Vec<Clash> = Vec::new();
    let mut schema_classes = Namespace::new("Python class in schemas.py");
    let mut model_classes = Namespace::new("Python class in models.py");
    let mut imports = Imports::new();

    // Enums.
    let mut enum_class = BTreeMap::new();
    let mut enum_members: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut enums = Vec::new();
    for e in &plan.enums {
        let class = ident(e.name, Case::Pascal, CLASS_RESERVED);
        schema_classes.claim(&class, &e.pointer, &mut clashes);
        let mut members_ns = Namespace::new(format!("member of the Python enum `{class}`"));
        let mut members = Vec::new();
        for (i, value) in e.values.iter().enumerate() {
            let mut words = ascii_words(value);
            if words.is_empty() || words[0].starts_with(|c: char| c.is_ascii_digit()) {
                words.insert(0, "v".to_owned());
            }
            let member = join(&words, Case::ScreamingSnake);
            members_ns.claim(&member, &format!("{}/values/{i}", e.pointer), &mut clashes);
            members.push((member, py_str(value)));
        }
        enums.push(PyEnum {
            class: class.clone(),
            description_py: e.def.description.as_deref().map(py_str),
            members,
        });
        let longest = e
            .values
            .iter()
            .map(|v| v.chars().count())
            .max()
            .unwrap_or(1);
        enum_class.insert(e.name.to_owned(), (class, longest));
        enum_members.insert(
            e.name.to_owned(),
            e.values
                .iter()
                .zip(
                    &enums
                        .last()
                        .map(|en: &PyEnum| en.members.clone())
                        .unwrap_or_default(),
                )
                .map(|(value, (member, _))| (member.clone(), value.clone()))
                .collect::<Vec<_>>(),
        );
    }

    let classes: Vec<String> = plan
        .entities
        .iter()
        .map(|e| ident(e.name, Case::Pascal, CLASS_RESERVED))
        .collect();

    let modules: Vec<String> = {
        let mut taken = Namespace::new("Python module of an entity");
        for fixed in ["base", "custom", "enums"] {
            taken.claim(fixed, "the generated package", &mut clashes);
        }
        plan.entities
            .iter()
            .map(|e| {
                let module = Lang::Python.ident(e.name, Case::Snake);
                taken.claim(&module, &e.pointer, &mut clashes);
                module
            })
            .collect()
    };
    let id_column = |index: usize| -> String {
        plan.entities[index]
            .fields
            .iter()
            .find(|f| f.field.primary_key)
            .map_or_else(|| "id".to_owned(), |f| f.column.clone())
    };

    let (order, deferred_keys) = creation_order(plan);
    let mut entities = Vec::new();
    let mut join_migrations = Vec::new();
    for (index, e) in plan.entities.iter().enumerate() {
        let class = classes[index].clone();
        let module = modules[index].clone();
        let input = format!("{class}Input");
        let page = format!("{class}Page");
        schema_classes.claim(&class, &e.pointer, &mut clashes);
        schema_classes.claim(&input, &e.pointer, &mut clashes);
        schema_classes.claim(&page, &e.pointer, &mut clashes);
        model_classes.claim(&class, &e.pointer, &mut clashes);
        let mut attrs = Namespace::new(format!("Python attribute of `{class}`"));
        let mut taken_attrs: Vec<String> = vec!["id".to_owned()];
        let mut params = Namespace::new(format!("query parameter of `/api/{}`", e.collection));
        for fixed in ["page", "page_size", "sort"] {
            params.claim(fixed, "the list operation's parameters", &mut clashes);
        }

        let mut columns = Vec::new();
        let mut input_fields = Vec::new();
        let mut read_fields = Vec::new();
        let mut field_attrs = Vec::new();
        let mut unique = Vec::new();
        let mut assignments = Vec::new();
        let mut table_args = Vec::new();
        let mut mig_items = Vec::new();
        let mut mig_constraints = vec![exploded(
            "sa.PrimaryKeyConstraint",
            &[
                py_str(&id_column(index)),
                format!("name=op.f({})", py_str(&e.primary_key)),
            ],
        )];
        let mut mig_indexes = Vec::new();
        let mut foreign_keys = Vec::new();
        if e.primary_key != format!("pk_{}", e.table) {
            table_args.push(exploded(
                "sa.PrimaryKeyConstraint",
                &[
                    py_str(&id_column(index)),
                    format!("name=conv({})", py_str(&e.primary_key)),
                ],
            ));
        }
        for f in &e.fields {
            let attr = if f.field.primary_key {
                "id".to_owned()
            } else {
                ident(&f.field.name, Case::Snake, ATTR_RESERVED)
            };
            attrs.claim(&attr, &f.pointer, &mut clashes);
            taken_attrs.push(attr.clone());
            field_attrs.push(attr.clone());
            let t = types(f.field, &enum_class, &mut imports);
            let nullable = !f.field.required && !f.field.primary_key;
            let orm_annotation = if nullable && t.orm != "Any" {
                format!("Mapped[{} | None]", t.orm)
            } else {
                format!("Mapped[{}]", t.orm)
            };
            let mut args = Vec::new();
            if attr != f.column {
                args.push(py_str(&f.column));
            }
            args.push(t.column.clone());
            if f.field.primary_key {
                args.push("primary_key=True".to_owned());
            } else if t.orm == "Any" {
                args.push(format!(
                    "nullable={}",
                    if nullable { "True" } else { "False" }
                ));
            }
            if let Some(name) = &f.unique_constraint {
                if *name == format!("uq_{}_{}", e.table, f.column) {
                    args.push("unique=True".to_owned());
                } else {
                    table_args.push(exploded(
                        "sa.UniqueConstraint",
                        &[py_str(&f.column), format!("name=conv({})", py_str(name))],
                    ));
                }
            }
            if let Some(name) = &f.index {
                if *name == format!("ix_{}_{}", e.table, f.column) {
                    args.push("index=True".to_owned());
                } else {
                    table_args.push(exploded(
                        "sa.Index",
                        &[format!("conv({})", py_str(name)), py_str(&f.column)],
                    ));
                }
            }
            let pg = ddl::checks(plan.model, f.field, &f.column, Dialect::Postgres);
            let lite = ddl::checks(plan.model, f.field, &f.column, Dialect::Sqlite);
            if !pg.is_empty() || !lite.is_empty() {
                let name = f
                    .check_constraint
                    .clone()
                    .unwrap_or_else(|| sql_names::check_name(&e.table, &f.column));
                let check = |conditions: &[String], name_call: &str| {
                    exploded(
                        "sa.CheckConstraint",
                        &[
                            py_str(&conditions.join(" AND ")),
                            format!("name={name_call}({})", py_str(&name)),
                        ],
                    )
                };
                for (list, call) in [(&mut table_args, "conv"), (&mut mig_constraints, "op.f")] {
                    if pg == lite {
                        list.push(check(&pg, call));
                    } else {
                        if !pg.is_empty() {
                            list.push(format!(
                                "{}.ddl_if(dialect=\"postgresql\")",
                                check(&pg, call)
                            ));
                        }
                        if !lite.is_empty() {
                            list.push(format!("{}.ddl_if(dialect=\"sqlite\")", check(&lite, call)));
                        }
                    }
                }
            }
            columns.push(PyColumn {
                attr: attr.clone(),
                annotation: orm_annotation,
                args,
            });
            let mig_type = match &f.field.ty {
                FieldType::Enum(name) => {
                    let (values, longest) = plan
                        .enums
                        .iter()
                        .find(|en| en.name == name)
                        .map(|en| {
                            (
                                en.values.iter().map(|v| py_str(v)).collect::<Vec<_>>(),
                                en.values
                                    .iter()
                                    .map(|v| v.chars().count())
                                    .max()
                                    .unwrap_or(1),
                            )
                        })
                        .unwrap_or_default();
                    let mut text = "sa.Enum(\n".to_owned();
                    for v in values {
                        text.push_str(&format!("                {v},\n"));
                    }
                    text.push_str(&format!(
                        "                native_enum=False,\n                length={longest},\n            )"
                    ));
                    text
                }
                _ => t.column.clone(),
            };
            mig_items.push(mig_column(&f.column, &mig_type, !nullable));
            if let Some(name) = &f.unique_constraint {
                mig_constraints.push(exploded(
                    "sa.UniqueConstraint",
                    &[py_str(&f.column), format!("name=op.f({})", py_str(name))],
                ));
            }
            if let Some(name) = &f.index {
                mig_indexes.push(vec![
                    format!("op.f({})", py_str(name)),
                    py_str(&e.table),
                    format!("[{}]", py_str(&f.column)),
                ]);
            }
            // The resource.
            let mut read_args = Vec::new();
            if attr != f.wire {
                read_args.push(format!("alias={}", py_str(&f.wire)));
            }
            if let Some(d) = &f.field.description {
                read_args.push(format!("description={}", py_str(d)));
            }
            let read_annotation = if nullable && t.read != "Any" {
                format!("{} | None", t.read)
            } else {
                t.read.clone()
            };
            read_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: read_annotation,
                args: read_args,
            });
            if let Some(name) = &f.unique_constraint {
                unique.push((py_str(name), py_str(&f.wire)));
                unique.push((
                    py_str(&format!("{}.{}", e.table, f.column)),
                    py_str(&f.wire),
                ));
            }
            if !f.writable {
                continue;
            }
            assignments.push((attr.clone(), format!("data.{attr}")));
            // The request body.
            let mut args = Vec::new();
            match &f.field.default {
                Some(default) if !default.is_null() => {
                    // An enum's default is its member (`BookStatus.DRAFT`).
                    let member = match (&f.field.ty, default.as_str()) {
                        (FieldType::Enum(name), Some(value)) => enum_members
                            .get(name.as_str())
                            .and_then(|members| members.iter().find(|(_, v)| v == value))
                            .map(|(m, _)| format!("{}.{m}", enum_class[name.as_str()].0)),
                        _ => None,
                    };
                    args.push(format!(
                        "default={}",
                        member.unwrap_or_else(|| py_value(default))
                    ));
                    args.push("validate_default=True".to_owned());
                }
                _ if !f.field.required => args.push("default=None".to_owned()),
                _ => {}
            }
            if attr != f.wire {
                args.push(format!("alias={}", py_str(&f.wire)));
            }
            args.extend(constraints(f.field));
            if let Some(d) = &f.field.description {
                args.push(format!("description={}", py_str(d)));
            }
            let annotation = if f.field.required || t.input == "AnyJson" {
                t.input.clone()
            } else {
                format!("{} | None", t.input)
            };
            input_fields.push(PyBodyField {
                attr,
                annotation,
                args,
            });
        }

        let mut refs = Vec::new();
        let mut relationships = Vec::new();
        let mut targets: Vec<usize> = Vec::new();
        for (k, r) in e.refs.iter().enumerate() {
            let mut words = ascii_words(&r.relation.name);
            words.push("id".to_owned());
            let attr = {
                let id = Lang::Python.escape(join(&words, Case::Snake));
                if ATTR_RESERVED.contains(&id.as_str()) {
                    id + "_"
                } else {
                    id
                }
            };
            attrs.claim(&attr, &r.pointer, &mut clashes);
            taken_attrs.push(attr.clone());
            let mut args = Vec::new();
            if attr != r.column {
                args.push(py_str(&r.column));
            }
            args.push("UuidType()".to_owned());
            let target_ref = format!("{}.{}", r.target_table, id_column(r.target));
            let mut fk_args = vec![
                py_str(&target_ref),
                format!("ondelete={}", py_str(r.on_delete)),
            ];
            if r.foreign_key != format!("fk_{}_{}", e.table, r.column) {
                fk_args.push(format!("name=conv({})", py_str(&r.foreign_key)));
            }
            if deferred_keys.contains(&(index, k)) {
                fk_args.push("use_alter=True".to_owned());
            }
            args.push(format!("sa.ForeignKey({})", fk_args.join(", ")));
            if let Some(name) = &r.unique_constraint {
                if *name == format!("uq_{}_{}", e.table, r.column) {
                    args.push("unique=True".to_owned());
                } else {
                    table_args.push(exploded(
                        "sa.UniqueConstraint",
                        &[py_str(&r.column), format!("name=conv({})", py_str(name))],
                    ));
                }
            }
            if let Some(name) = &r.index {
                if *name == format!("ix_{}_{}", e.table, r.column) {
                    args.push("index=True".to_owned());
                } else {
                    table_args.push(exploded(
                        "sa.Index",
                        &[format!("conv({})", py_str(name)), py_str(&r.column)],
                    ));
                }
            }
            columns.push(PyColumn {
                attr: attr.clone(),
                annotation: if r.required {
                    "Mapped[uuid.UUID]".to_owned()
                } else {
                    "Mapped[uuid.UUID | None]".to_owned()
                },
                args,
            });
            mig_items.push(mig_column(&r.column, "UuidType()", r.required));
            foreign_keys.push((
                r.target,
                exploded(
                    "sa.ForeignKeyConstraint",
                    &[
                        format!("[{}]", py_str(&r.column)),
                        format!("[{}]", py_str(&target_ref)),
                        format!("name=op.f({})", py_str(&r.foreign_key)),
                        format!("ondelete={}", py_str(r.on_delete)),
                    ],
                ),
                vec![
                    format!("op.f({})", py_str(&r.foreign_key)),
                    py_str(&r.target_table),
                    format!("[{}]", py_str(&r.column)),
                    format!("[{}]", py_str(&id_column(r.target))),
                    format!("ondelete={}", py_str(r.on_delete)),
                ],
            ));
            if let Some(name) = &r.unique_constraint {
                mig_constraints.push(exploded(
                    "sa.UniqueConstraint",
                    &[py_str(&r.column), format!("name=op.f({})", py_str(name))],
                ));
            }
            if let Some(name) = &r.index {
                mig_indexes.push(vec![
                    format!("op.f({})", py_str(name)),
                    py_str(&e.table),
                    format!("[{}]", py_str(&r.column)),
                ]);
            }
            // The relationship beside the column: `author` for `author_id`.
            let rel = fresh(
                ident(&r.relation.name, Case::Snake, ATTR_RESERVED),
                &mut taken_attrs,
            );
            let target = classes[r.target].clone();
            let mut rel_args = vec![format!("foreign_keys=[{attr}]")];
            if r.target == index {
                rel_args.push("remote_side=[id]".to_owned());
            } else if !targets.contains(&r.target) {
                targets.push(r.target);
            }
            relationships.push(PyColumn {
                attr: rel,
                annotation: if r.required {
                    format!("Mapped[{}]", py_str(&target))
                } else {
                    format!("Mapped[{}]", py_str(&format!("{target} | None")))
                },
                args: rel_args,
            });
            let mut read_args = Vec::new();
            if attr != r.wire {
                read_args.push(format!("alias={}", py_str(&r.wire)));
            }
            read_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: if r.required {
                    "uuid.UUID".to_owned()
                } else {
                    "uuid.UUID | None".to_owned()
                },
                args: read_args.clone(),
            });
            let mut args = Vec::new();
            if !r.required {
                args.push("default=None".to_owned());
            }
            args.extend(read_args);
            if let Some(d) = &r.relation.description {
                args.push(format!("description={}", py_str(d)));
            }
            input_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: if r.required {
                    "UuidInput".to_owned()
                } else {
                    "UuidInput | None".to_owned()
                },
                args,
            });
            assignments.push((attr.clone(), format!("data.{attr}")));
            if let Some(name) = &r.unique_constraint {
                unique.push((py_str(name), py_str(&r.wire)));
                unique.push((
                    py_str(&format!("{}.{}", e.table, r.column)),
                    py_str(&r.wire),
                ));
            }
            refs.push(PyRef {
                attr: attr.clone(),
                attr_py: py_str(&attr),
                wire_py: py_str(&r.wire),
                target: classes[r.target].clone(),
                required: r.required,
            });
        }

        let mut id_lists = Vec::new();
        let mut join_tables = Vec::new();
        let mut locals: Vec<String> = LOCAL_RESERVED.iter().map(|s| (*s).to_owned()).collect();
        locals.push("data".to_owned());
        for &j in &e.joins {
            let jp = &plan.joins[j];
            // `tags` to `Tag` gives `tag_ids`; other names keep their words (`crate_ids`).
            let mut words = ascii_words(&jp.relation.name);
            let target_words = ascii_words(plan.entities[jp.target].name);
            if let (Some(last), Some(one)) = (words.last_mut(), target_words.last())
                && *last == specforge_spec::names::plural(one)
            {
                *last = one.clone();
            }
            words.push("ids".to_owned());
            let attr = Lang::Python.escape(join(&words, Case::Snake));
            attrs.claim(&attr, &jp.pointer, &mut clashes);
            taken_attrs.push(attr.clone());
            let rel = fresh(
                ident(&jp.relation.name, Case::Snake, ATTR_RESERVED),
                &mut taken_attrs,
            );
            let var = format!("{}_table", jp.table);
            let fk = |column: &str, target_table: &str, target: usize, name: &str| {
                let target_ref = py_str(&format!("{target_table}.{}", id_column(target)));
                if *name == format!("fk_{}_{column}", jp.table) {
                    format!("sa.ForeignKey({target_ref}, ondelete=\"CASCADE\")")
                } else {
                    format!(
                        "sa.ForeignKey({target_ref}, ondelete=\"CASCADE\", name=conv({}))",
                        py_str(name)
                    )
                }
            };
            let mut target_args = vec![
                py_str(&jp.target_column),
                "UuidType()".to_owned(),
                fk(
                    &jp.target_column,
                    &jp.target_table,
                    jp.target,
                    &jp.target_foreign_key,
                ),
                "primary_key=True".to_owned(),
            ];
            let mut args = Vec::new();
            if jp.index == format!("ix_{}_{}", jp.table, jp.target_column) {
                target_args.push("index=True".to_owned());
            } else {
                args.push(format!(
                    "sa.Index(conv({}), {})",
                    py_str(&jp.index),
                    py_str(&jp.target_column)
                ));
            }
            if jp.primary_key != format!("pk_{}", jp.table) {
                args.push(format!(
                    "sa.PrimaryKeyConstraint({}, {}, name=conv({}))",
                    py_str(&jp.owner_column),
                    py_str(&jp.target_column),
                    py_str(&jp.primary_key)
                ));
            }
            join_migrations.push(MigrationTable {
                table_py: py_str(&jp.table),
                items: vec![
                    mig_column(&jp.owner_column, "UuidType()", true),
                    mig_column(&jp.target_column, "UuidType()", true),
                    exploded(
                        "sa.PrimaryKeyConstraint",
                        &[
                            py_str(&jp.owner_column),
                            py_str(&jp.target_column),
                            format!("name=op.f({})", py_str(&jp.primary_key)),
                        ],
                    ),
                    exploded(
                        "sa.ForeignKeyConstraint",
                        &[
                            format!("[{}]", py_str(&jp.owner_column)),
                            format!(
                                "[{}]",
                                py_str(&format!("{}.{}", jp.owner_table, id_column(jp.owner)))
                            ),
                            format!("name=op.f({})", py_str(&jp.owner_foreign_key)),
                            "ondelete=\"CASCADE\"".to_owned(),
                        ],
                    ),
                    exploded(
                        "sa.ForeignKeyConstraint",
                        &[
                            format!("[{}]", py_str(&jp.target_column)),
                            format!(
                                "[{}]",
                                py_str(&format!("{}.{}", jp.target_table, id_column(jp.target)))
                            ),
                            format!("name=op.f({})", py_str(&jp.target_foreign_key)),
                            "ondelete=\"CASCADE\"".to_owned(),
                        ],
                    ),
                ],
                indexes: vec![vec![
                    format!("op.f({})", py_str(&jp.index)),
                    py_str(&jp.table),
                    format!("[{}]", py_str(&jp.target_column)),
                ]],
            });
            join_tables.push(PyJoinTable {
                var: var.clone(),
                table_py: py_str(&jp.table),
                columns: vec![
                    PyColumn {
                        attr: String::new(),
                        annotation: String::new(),
                        args: vec![
                            py_str(&jp.owner_column),
                            "UuidType()".to_owned(),
                            fk(
                                &jp.owner_column,
                                &jp.owner_table,
                                jp.owner,
                                &jp.owner_foreign_key,
                            ),
                            "primary_key=True".to_owned(),
                        ],
                    },
                    PyColumn {
                        attr: String::new(),
                        annotation: String::new(),
                        args: target_args,
                    },
                ],
                args,
            });
            let target = classes[jp.target].clone();
            if jp.target != index && !targets.contains(&jp.target) {
                targets.push(jp.target);
            }
            relationships.push(PyColumn {
                attr: rel.clone(),
                annotation: format!("Mapped[list[{}]]", py_str(&target)),
                args: vec![format!("secondary={var}")],
            });
            let mut args = vec!["default_factory=list".to_owned()];
            let mut read_args = Vec::new();
            if attr != jp.wire {
                args.push(format!("alias={}", py_str(&jp.wire)));
                read_args.push(format!("alias={}", py_str(&jp.wire)));
            }
            input_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: "list[UuidInput]".to_owned(),
                args,
            });
            read_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: "list[uuid.UUID]".to_owned(),
                args: read_args,
            });
            let local = fresh(rel.clone(), &mut locals);
            assignments.push((rel.clone(), local.clone()));
            id_lists.push(PyIdList {
                attr,
                relationship: rel,
                wire_py: py_str(&jp.wire),
                target,
                var: local,
            });
        }
        targets.sort_by(|a, b| modules[*a].cmp(&modules[*b]));
        let type_checking = targets
            .iter()
            .map(|&t| format!("from .{} import {}", modules[t], classes[t]))
            .collect();
        // Timestamps go last in the resource, after references and id lists.
        let stamps: Vec<usize> = (0..read_fields.len())
            .filter(|&i| i < e.fields.len() && e.fields[i].field.implicit && i > 0)
            .collect();
        for (moved, i) in stamps.into_iter().enumerate() {
            let field = read_fields.remove(i - moved);
            read_fields.push(field);
        }

        let sorts = e
            .sorts
            .iter()
            .filter_map(|wire| {
                e.fields
                    .iter()
                    .position(|f| &f.wire == wire)
                    .map(|i| (py_str(wire), field_attrs[i].clone()))
            })
            .collect();

        let mut filters = Vec::new();
        let mut filter_params: Vec<String> =
            LOCAL_RESERVED.iter().map(|s| (*s).to_owned()).collect();
        for filter in &e.filters {
            let (attr, annotation) = match filter.on {
                FilterOn::Field(i) => {
                    let t = types(e.fields[i].field, &enum_class, &mut imports);
                    let Some(ty) = t.filter else { continue };
                    (field_attrs[i].clone(), ty)
                }
                FilterOn::Ref(r) => (refs[r].attr.clone(), "uuid.UUID".to_owned()),
            };
            params.claim(&filter.wire, &e.pointer, &mut clashes);
            let param = fresh(attr.clone(), &mut filter_params);
            filters.push(PyFilter {
                query: (param != filter.wire)
                    .then(|| format!("Query(alias={})", py_str(&filter.wire))),
                param,
                annotation: format!("{annotation} | None"),
                attr,
            });
        }

        let mut ops = BTreeMap::new();
        for op in ops_of(e) {
            let roles = e
                .entity
                .permissions
                .roles(op)
                .unwrap_or_default()
                .iter()
                .map(|r| py_str(r))
                .collect();
            let function = match op {
                Operation::List => format!("list_{}", e.table),
                _ => format!("{}_{}", op.as_str(), case(e.name, Case::Snake)),
            };
            ops.insert(op.as_str(), PyOp { function, roles });
        }
        let hooks = [Operation::Create, Operation::Update, Operation::Delete]
            .iter()
            .any(|op| ops.contains_key(op.as_str()));

        let page_size = e.entity.list.page_size;
        let max_page_size = page_size.max(100);
        entities.push(PyEntity {
            name_md: md_line(e.name),
            module,
            class,
            relationships,
            id_lists,
            join_tables,
            table_args,
            type_checking,
            assignments,
            hooks,
            migration: MigrationTable {
                table_py: py_str(&e.table),
                items: mig_items.into_iter().chain(mig_constraints).collect(),
                indexes: mig_indexes,
            },
            foreign_keys,
            input,
            page,
            table: e.table.clone(),
            table_py: py_str(&e.table),
            collection: e.collection.clone(),
            path_py: py_str(&format!("/api/{}", e.collection)),
            item_path_py: py_str(&format!("/api/{}/{{id}}", e.collection)),
            tag_py: py_str(e.name),
            description_py: e.entity.description.as_deref().map(py_str),
            columns,
            input_fields,
            read_fields,
            refs,
            unique,
            sorts,
            filters,
            page_size,
            max_page_size,
            timestamps: e.entity.timestamps,
            ops,
        });
    }
    if !clashes.is_empty() {
        return Err(clash_error(clashes));
    }

    let migration = migration(&entities, join_migrations, &order, &deferred_keys);
    let mut router_imports: Vec<(String, String)> = entities
        .iter()
        .map(|e| {
            let m = &e.module;
            (m.clone(), format!("from .routers import {m} as {m}_routes"))
        })
        .collect();
    router_imports.push(("custom".into(), "from .routers import custom".into()));
    router_imports.sort();
    let mut model_imports: Vec<(String, String)> = entities
        .iter()
        .map(|e| {
            (
                e.module.clone(),
                format!("from .{} import {}", e.module, e.class),
            )
        })
        .collect();
    model_imports.push(("base".into(), "from .base import Base".into()));
    model_imports.sort();

    imports.scales.sort_unstable();
    let openapi = String::from_utf8(openapi_doc::to_pretty_json(&openapi_doc::document(plan)?))
        .unwrap_or_default();
    let pytests = TestsProject::new(plan);
    let mut conftest_imports = vec![
        format!("from {package} import models"),
        format!("from {package}.config import Settings"),
        format!("from {package}.db import engine_url"),
        format!("from {package}.main import create_app"),
        "from factories import Factory".to_owned(),
        "from support import BAD_CREDENTIALS, SECRET, bad_credentials, bearer".to_owned(),
    ];
    conftest_imports.sort_by_key(|line| line.split(' ').nth(1).unwrap_or_default().to_lowercase());
    let mut unknown = "no-such-collection".to_owned();
    while plan.entities.iter().any(|e| e.collection == unknown) {
        unknown.push('x');
    }
    let unknown_path_py = py_str(&format!("/api/{unknown}"));

    let title = model.title.clone().unwrap_or_else(|| model.name.clone());
    let description = model.description.clone().unwrap_or_default();
    Ok(Project {
        dist: package.replace('_', "-").trim_end_matches('-').to_owned(),
        package,
        name: model.name.clone(),
        title_py: py_str(&title),
        description_py: py_str(&description),
        title_md: md_line(&title),
        description_md: md_line(&description),
        description_toml: toml_string(&title.replace(['\n', '\r'], " ")),
        version: VERSION,
        dependencies: DEPENDENCIES
            .iter()
            .map(|(n, v)| format!("{n}=={v}"))
            .collect(),
        dev_dependencies: DEV_DEPENDENCIES
            .iter()
            .map(|(n, v)| format!("{n}=={v}"))
            .collect(),
        decimal_scales: imports.scales.clone(),
        openapi,
        router_imports: router_imports.into_iter().map(|(_, l)| l).collect(),
        model_imports: model_imports.into_iter().map(|(_, l)| l).collect(),
        enums,
        entities,
        migration,
        tests: pytests.files(),
        conftest_imports,
        roles_line: pytests.roles_line(),
        unknown_path_py,
    })
}

/// `name`, or `name` with as many `_` after it as make it differ from every name of `taken`;
/// the result is taken.
fn fresh(mut name: String, taken: &mut Vec<String>) -> String {
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name.push('_');
    }
    taken.push(name.clone());
    name
}

/// A call with one argument per line and a trailing comma (the form `ruff format` keeps), as
/// an item of `__table_args__` (indented by eight spaces).
fn exploded(function: &str, args: &[String]) -> String {
    let mut out = format!("{function}(\n");
    for a in args {
        out.push_str("            ");
        out.push_str(a);
        out.push_str(",\n");
    }
    out.push_str("        )");
    out
}

/// `sa.Column(...)` of a migration, exploded as an item of `op.create_table`.
fn mig_column(column: &str, ty: &str, required: bool) -> String {
    format!(
        "sa.Column(\n            {},\n            {ty},\n            nullable={},\n        )",
        py_str(column),
        if required { "False" } else { "True" }
    )
}

/// The order the first migration makes the entities' tables in: each after the tables its
/// foreign keys point to (declaration order otherwise); on a cycle, the first table left is
/// made first, and its keys to tables not made yet (`(entity, reference)`) are added later.
/// The models mark those keys `use_alter=True`, so SQLAlchemy can order the tables too.
fn creation_order(plan: &Plan<'_>) -> (Vec<usize>, BTreeSet<(usize, usize)>) {
    let n = plan.entities.len();
    let mut made = vec![false; n];
    let mut order = Vec::new();
    let mut deferred = BTreeSet::new();
    while order.len() < n {
        let ready = (0..n).find(|&i| {
            !made[i]
                && plan.entities[i]
                    .refs
                    .iter()
                    .all(|r| r.target == i || made[r.target])
        });
        // Stalled: every table left waits for another; take the first one on a cycle, so that
        // only a key of the cycle waits (the tables that merely need the cycle follow it).
        let i = ready.unwrap_or_else(|| {
            let waits_for = |from: usize| -> Vec<usize> {
                plan.entities[from]
                    .refs
                    .iter()
                    .map(|r| r.target)
                    .filter(|&t| t != from && !made[t])
                    .collect()
            };
            let on_cycle = |start: usize| {
                let mut seen = vec![false; n];
                let mut stack = waits_for(start);
                while let Some(t) = stack.pop() {
                    if t == start {
                        return true;
                    }
                    if !seen[t] {
                        seen[t] = true;
                        stack.extend(waits_for(t));
                    }
                }
                false
            };
            (0..n)
                .find(|&i| !made[i] && on_cycle(i))
                .or_else(|| (0..n).find(|&i| !made[i]))
                .unwrap_or(0)
        });
        for (k, r) in plan.entities[i].refs.iter().enumerate() {
            if r.target != i && !made[r.target] {
                deferred.insert((i, k));
            }
        }
        made[i] = true;
        order.push(i);
    }
    (order, deferred)
}

/// The tables of the first migration, in `order`; the foreign keys of `deferred` are added
/// once every table exists.
fn migration(
    entities: &[PyEntity],
    joins: Vec<MigrationTable>,
    order: &[usize],
    deferred_keys: &BTreeSet<(usize, usize)>,
) -> Migration {
    let mut tables = Vec::new();
    let mut deferred = Vec::new();
    for &i in order {
        let e = &entities[i];
        let mut items = e.migration.items.clone();
        for (k, (_, fk, later)) in e.foreign_keys.iter().enumerate() {
            if deferred_keys.contains(&(i, k)) {
                deferred.push((e.migration.table_py.clone(), later.clone()));
            } else {
                items.push(fk.clone());
            }
        }
        tables.push(MigrationTable {
            table_py: e.migration.table_py.clone(),
            items,
            indexes: e.migration.indexes.clone(),
        });
    }
    tables.extend(joins);
    Migration { tables, deferred }
}
