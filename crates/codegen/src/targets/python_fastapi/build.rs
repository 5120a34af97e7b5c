//! The project's context, computed from the plan: every class, attribute, enum member, route
//! function and parameter of the generated code, each scope claimed in a [`Namespace`] so that
//! two names that meet are reported instead of emitted.

use std::collections::BTreeMap;

use specforge_spec::model::Operation;

use super::context::{
    Migration, Project, PyBodyField, PyColumn, PyEntity, PyEnum, PyFilter, PyJoinTable, PyJoinUse,
    PyOp, PyRef,
};
use super::imports::import_lists;
use super::literals::{ident, md_line, py_str, py_value};
use super::pytests::Project as TestsProject;
use super::reserved::{ATTR_RESERVED, CLASS_RESERVED};
use super::types::{Imports, constraints, types};
use super::{DEPENDENCIES, DEV_DEPENDENCIES};
use crate::error::Error;
use crate::manifest::VERSION;
use crate::naming::{Case, Clash, Lang, Namespace, ascii_words, join};
use crate::passes::ddl::{self, Dialect};
use crate::passes::text::toml_string;
use crate::plan::{EntityPlan, FilterOn, Plan, clash_error};

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
            let mut member = join(&words, Case::ScreamingSnake);
            if member.starts_with("SF_") || member == "SF" {
                member.push('_');
            }
            members_ns.claim(&member, &format!("{}/values/{i}", e.pointer), &mut clashes);
            members.push((member, py_str(value)));
        }
        enums.push(PyEnum {
            class: class.clone(),
            description_py: e.def.description.as_deref().map(py_str),
            members,
        });
        enum_class.insert(e.name.to_owned(), class);
    }

    let classes: Vec<String> = plan
        .entities
        .iter()
        .map(|e| ident(e.name, Case::Pascal, CLASS_RESERVED))
        .collect();

    // Join tables.
    let joins: Vec<PyJoinTable> = plan
        .joins
        .iter()
        .enumerate()
        .map(|(i, j)| PyJoinTable {
            var: format!("sf_join_{i}"),
            table_py: py_str(&j.table),
            owner_column_py: py_str(&j.owner_column),
            target_column_py: py_str(&j.target_column),
        })
        .collect();

    let mut entities = Vec::new();
    for (index, e) in plan.entities.iter().enumerate() {
        let class = classes[index].clone();
        let input = format!("{class}Input");
        let page = format!("{class}Page");
        schema_classes.claim(&class, &e.pointer, &mut clashes);
        schema_classes.claim(&input, &e.pointer, &mut clashes);
        schema_classes.claim(&page, &e.pointer, &mut clashes);
        model_classes.claim(&class, &e.pointer, &mut clashes);
        let mut attrs = Namespace::new(format!("Python attribute of `{class}`"));
        let mut params = Namespace::new(format!("query parameter of `/api/{}`", e.collection));
        for fixed in ["page", "page_size", "sort"] {
            params.claim(fixed, "the list operation's parameters", &mut clashes);
        }

        let mut columns = Vec::new();
        let mut input_fields = Vec::new();
        let mut read_fields = Vec::new();
        let mut writable = Vec::new();
        let mut field_attrs = Vec::new();
        let mut unique = Vec::new();
        for f in &e.fields {
            let attr = ident(&f.field.name, Case::Snake, ATTR_RESERVED);
            attrs.claim(&attr, &f.pointer, &mut clashes);
            field_attrs.push(attr.clone());
            let t = types(f.field, &enum_class, &mut imports);
            let nullable = !f.field.required && !f.field.primary_key;
            let orm_annotation = if nullable && t.orm != "Any" {
                format!("Mapped[{} | None]", t.orm)
            } else {
                format!("Mapped[{}]", t.orm)
            };
            let mut args = vec![py_str(&f.column), t.column.clone()];
            if f.field.primary_key {
                args.push("primary_key=True".to_owned());
            } else {
                args.push(format!(
                    "nullable={}",
                    if nullable { "True" } else { "False" }
                ));
            }
            columns.push(PyColumn {
                attr: attr.clone(),
                annotation: orm_annotation,
                args,
            });
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
            writable.push(py_str(&attr));
            // The request body.
            let mut args = Vec::new();
            match &f.field.default {
                Some(default) if !default.is_null() => {
                    args.push(format!("default={}", py_value(default)));
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
            let annotation = if f.field.required || t.input == "SfAnyJson" {
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
        for r in &e.refs {
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
            columns.push(PyColumn {
                attr: attr.clone(),
                annotation: if r.required {
                    "Mapped[uuid.UUID]".to_owned()
                } else {
                    "Mapped[uuid.UUID | None]".to_owned()
                },
                args: vec![
                    py_str(&r.column),
                    "SfUuid()".to_owned(),
                    format!("nullable={}", if r.required { "False" } else { "True" }),
                ],
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
                    "SfUuid".to_owned()
                } else {
                    "SfUuid | None".to_owned()
                },
                args,
            });
            writable.push(py_str(&attr));
            if let Some(name) = &r.unique_constraint {
                unique.push((py_str(name), py_str(&r.wire)));
                unique.push((
                    py_str(&format!("{}.{}", e.table, r.column)),
                    py_str(&r.wire),
                ));
            }
            refs.push(PyRef {
                attr_py: py_str(&attr),
                wire_py: py_str(&r.wire),
                target: classes[r.target].clone(),
            });
        }

        let mut join_uses = Vec::new();
        for &j in &e.joins {
            let jp = &plan.joins[j];
            let mut words = ascii_words(&jp.relation.name);
            words.push("ids".to_owned());
            let attr = Lang::Python.escape(join(&words, Case::Snake));
            attrs.claim(&attr, &jp.pointer, &mut clashes);
            let mut args = vec!["default_factory=list".to_owned()];
            let mut read_args = Vec::new();
            if attr != jp.wire {
                args.push(format!("alias={}", py_str(&jp.wire)));
                read_args.push(format!("alias={}", py_str(&jp.wire)));
            }
            input_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: "list[SfUuid]".to_owned(),
                args,
            });
            read_fields.push(PyBodyField {
                attr: attr.clone(),
                annotation: "list[uuid.UUID]".to_owned(),
                args: read_args,
            });
            join_uses.push(PyJoinUse {
                attr_py: py_str(&attr),
                wire_py: py_str(&jp.wire),
                var: joins[j].var.clone(),
                owner_column_py: py_str(&jp.owner_column),
                target_column_py: py_str(&jp.target_column),
                target: classes[jp.target].clone(),
            });
        }
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
                    .map(|i| (py_str(wire), py_str(&field_attrs[i])))
            })
            .collect();

        let mut filters = Vec::new();
        for filter in &e.filters {
            let (attr, annotation) = match filter.on {
                FilterOn::Field(i) => {
                    let t = types(e.fields[i].field, &enum_class, &mut imports);
                    let Some(ty) = t.filter else { continue };
                    (field_attrs[i].clone(), ty)
                }
                FilterOn::Ref(r) => {
                    let column = refs[r].attr_py.clone();
                    let attr = column.trim_matches(['"', '\'']).to_owned();
                    (attr, "sf_uuid.UUID".to_owned())
                }
            };
            params.claim(&filter.wire, &e.pointer, &mut clashes);
            filters.push(PyFilter {
                param: attr.clone(),
                annotation: format!("{annotation} | None"),
                alias_py: py_str(&filter.wire),
                attr_py: py_str(&attr),
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
            ops.insert(
                op.as_str(),
                PyOp {
                    function: format!("sf_{}_{}", op.as_str(), e.table),
                    guard: format!("sf_guard_{}_{}", op.as_str(), e.table),
                    roles,
                },
            );
        }

        let page_size = e.entity.list.page_size;
        let max_page_size = page_size.max(100);
        entities.push(PyEntity {
            name_md: md_line(e.name),
            class,
            input,
            page,
            table: e.table.clone(),
            table_py: py_str(&e.table),
            collection: e.collection.clone(),
            path_py: py_str(&format!("/api/{}", e.collection)),
            item_path_py: py_str(&format!("/api/{}/{{id}}", e.collection)),
            tag_py: py_str(&e.collection),
            var: format!("sf_entity_{}", e.table),
            description_py: e.entity.description.as_deref().map(py_str),
            columns,
            input_fields,
            read_fields,
            writable,
            refs,
            joins: join_uses,
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

    // Migration.
    let quote = |t: &str| ddl::quote(t);
    let mut drops: Vec<String> = plan.joins.iter().rev().map(|j| quote(&j.table)).collect();
    drops.extend(plan.entities.iter().rev().map(|e| quote(&e.table)));
    let migration = Migration {
        postgres: ddl::statements(plan, Dialect::Postgres)
            .iter()
            .map(|s| py_str(s))
            .collect(),
        sqlite: ddl::statements(plan, Dialect::Sqlite)
            .iter()
            .map(|s| py_str(s))
            .collect(),
        drop_postgres: drops
            .iter()
            .map(|t| py_str(&format!("DROP TABLE IF EXISTS {t} CASCADE")))
            .collect(),
        drop_sqlite: drops
            .iter()
            .map(|t| py_str(&format!("DROP TABLE IF EXISTS {t}")))
            .collect(),
    };

    let pytests = TestsProject::new(plan);
    let mut conftest_imports = vec![
        format!("from {package} import models"),
        format!("from {package}.config import Settings"),
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

    let lists = import_lists(&entities, &enums, &mut imports);
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
        models_imports: lists.models,
        schemas_imports: lists.schemas,
        routes_imports: lists.routes,
        routes_imports2: lists.routes_local,
        db_imports: lists.db,
        fields_imports: lists.fields,
        decimal_scales: imports.scales.clone(),
        enums,
        joins,
        entities,
        migration,
        tests: pytests.files(),
        conftest_imports,
        roles_line: pytests.roles_line(),
        unknown_path_py,
    })
}
