//! The OpenAPI 3.1 document the generated project serves at `/openapi.json`.
//!
//! The `openapi` target is meant to own this document; until it offers
//! `crate::targets::openapi::document(&Plan)`, this is a compact description of the same API
//! (paths, operations, parameters, schemas, bearer security). Swapping it is one line in
//! [`document`].

use serde_json::{Map, Value, json};
use specforge_spec::model::{FieldType, Operation};

use super::{finish, namespace};
use crate::Error;
use crate::naming::{Case, case};
use crate::plan::{FieldPlan, Plan};

/// The document.
pub(super) fn document(plan: &Plan<'_>) -> Result<Value, Error> {
    let model = plan.model;
    let mut clashes = Vec::new();
    let mut names = namespace("OpenAPI schema");
    names.claim("Problem", "generated code", &mut clashes);
    let mut schemas = Map::new();
    let mut paths = Map::new();
    for entity in &plan.entities {
        let name = case(entity.name, Case::Pascal);
        let input = format!("{name}Input");
        let list = format!("{name}List");
        for n in [&name, &input, &list] {
            names.claim(n, &entity.pointer, &mut clashes);
        }
        let mut properties = Map::new();
        let mut writable = Map::new();
        let mut required = Vec::new();
        let mut input_required = Vec::new();
        for f in entity
            .fields
            .iter()
            .filter(|f| !f.field.implicit || f.field.primary_key)
        {
            let schema = field_schema(plan, f);
            properties.insert(f.wire.clone(), schema.clone());
            required.push(f.wire.clone());
            if f.writable {
                writable.insert(f.wire.clone(), schema);
                if f.field.required && f.field.default.is_none() {
                    input_required.push(f.wire.clone());
                }
            }
        }
        for r in &entity.refs {
            let schema = if r.required {
                json!({"type": "string", "format": "uuid"})
            } else {
                json!({"type": ["string", "null"], "format": "uuid"})
            };
            properties.insert(r.wire.clone(), schema.clone());
            writable.insert(r.wire.clone(), schema);
            required.push(r.wire.clone());
            if r.required {
                input_required.push(r.wire.clone());
            }
        }
        for &j in &entity.joins {
            let wire = plan.joins[j].wire.clone();
            let schema = json!({"type": "array", "items": {"type": "string", "format": "uuid"}});
            properties.insert(wire.clone(), schema.clone());
            writable.insert(wire.clone(), schema);
            required.push(wire);
        }
        for f in entity
            .fields
            .iter()
            .filter(|f| f.field.implicit && !f.field.primary_key)
        {
            properties.insert(
                f.wire.clone(),
                json!({"type": "string", "format": "date-time"}),
            );
            required.push(f.wire.clone());
        }
        let mut resource =
            json!({"type": "object", "properties": properties, "required": required});
        if let Some(description) = &entity.entity.description {
            resource["description"] = json!(description);
        }
        schemas.insert(name.clone(), resource);
        schemas.insert(
            input.clone(),
            json!({"type": "object", "properties": writable, "required": input_required,
                   "additionalProperties": false}),
        );
        schemas.insert(
            list.clone(),
            json!({"type": "object", "required": ["items", "page", "page_size", "total"],
                   "properties": {
                       "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}},
                       "page": {"type": "integer"}, "page_size": {"type": "integer"},
                       "total": {"type": "integer"}}}),
        );
        let has = |op: Operation| entity.entity.operations.contains(&op);
        let reference = |n: &str| json!({"$ref": format!("#/components/schemas/{n}")});
        let body = |n: &str| json!({"description": "", "content": {"application/json": {"schema": reference(n)}}});
        let errors = |codes: &[&str]| {
            let mut out = Map::new();
            for code in codes {
                out.insert(
                    (*code).to_owned(),
                    json!({"description": "error", "content": {"application/problem+json": {"schema": reference("Problem")}}}),
                );
            }
            out
        };
        let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
        let mut collection = Map::new();
        if has(Operation::List) {
            let mut parameters = vec![
                json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}}),
                json!({"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1,
                       "maximum": entity.entity.list.page_size.max(100), "default": entity.entity.list.page_size}}),
            ];
            if !entity.sorts.is_empty() {
                let values: Vec<String> = entity
                    .sorts
                    .iter()
                    .flat_map(|s| [s.clone(), format!("-{s}")])
                    .collect();
                parameters.push(json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": values}}));
            }
            for filter in &entity.filters {
                parameters.push(
                    json!({"name": filter.wire, "in": "query", "schema": {"type": "string"}}),
                );
            }
            let mut responses = errors(&["401", "403", "422"]);
            responses.insert("200".to_owned(), body(&list));
            collection.insert(
                "get".to_owned(),
                json!({"operationId": format!("list{name}"), "parameters": parameters, "responses": responses}),
            );
        }
        if has(Operation::Create) {
            let mut responses = errors(&["401", "403", "409", "422"]);
            responses.insert("201".to_owned(), body(&name));
            collection.insert(
                "post".to_owned(),
                json!({"operationId": format!("create{name}"), "requestBody": body(&input), "responses": responses}),
            );
        }
        let mut item = Map::new();
        if has(Operation::Get) {
            let mut responses = errors(&["401", "403", "404", "422"]);
            responses.insert("200".to_owned(), body(&name));
            item.insert(
                "get".to_owned(),
                json!({"operationId": format!("get{name}"), "parameters": [id], "responses": responses}),
            );
        }
        if has(Operation::Update) {
            let mut responses = errors(&["401", "403", "404", "409", "422"]);
            responses.insert("200".to_owned(), body(&name));
            item.insert(
                "put".to_owned(),
                json!({"operationId": format!("update{name}"), "parameters": [id], "requestBody": body(&input), "responses": responses}),
            );
        }
        if has(Operation::Delete) {
            let mut responses = errors(&["401", "403", "404", "409", "422"]);
            responses.insert("204".to_owned(), json!({"description": "deleted"}));
            item.insert(
                "delete".to_owned(),
                json!({"operationId": format!("delete{name}"), "parameters": [id], "responses": responses}),
            );
        }
        if !collection.is_empty() {
            paths.insert(
                format!("/api/{}", entity.collection),
                Value::Object(collection),
            );
        }
        if !item.is_empty() {
            paths.insert(
                format!("/api/{}/{{id}}", entity.collection),
                Value::Object(item),
            );
        }
    }
    finish(clashes)?;
    schemas.insert(
        "Problem".to_owned(),
        json!({"type": "object", "required": ["type", "title", "status"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}}),
    );
    let mut info = json!({"title": model.title.clone().unwrap_or_else(|| model.name.clone()), "version": "0.1.0"});
    if let Some(description) = &model.description {
        info["description"] = json!(description);
    }
    Ok(json!({
        "openapi": "3.1.0",
        "info": info,
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": schemas,
        },
    }))
}

fn field_schema(plan: &Plan<'_>, f: &FieldPlan<'_>) -> Value {
    let field = f.field;
    let c = &field.constraints;
    let mut schema = match &field.ty {
        FieldType::String | FieldType::Text => json!({"type": "string"}),
        FieldType::Email => json!({"type": "string", "format": "email"}),
        FieldType::Url => json!({"type": "string", "format": "uri"}),
        FieldType::Integer => json!({"type": "integer", "format": "int32"}),
        FieldType::Bigint => json!({"type": "integer", "format": "int64"}),
        FieldType::Float => json!({"type": "number", "format": "double"}),
        FieldType::Decimal => json!({"type": "string", "format": "decimal"}),
        FieldType::Boolean => json!({"type": "boolean"}),
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::Datetime => json!({"type": "string", "format": "date-time"}),
        FieldType::Uuid => json!({"type": "string", "format": "uuid"}),
        FieldType::Json => json!({}),
        FieldType::Enum(name) => {
            let values = plan
                .enums
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.values.to_vec())
                .unwrap_or_default();
            json!({"type": "string", "enum": values})
        }
    };
    if field.ty.is_textual() {
        if let Some(v) = c.min_length {
            schema["minLength"] = json!(v);
        }
        if let Some(v) = c.max_length {
            schema["maxLength"] = json!(v);
        }
        if let Some(v) = &c.pattern {
            schema["pattern"] = json!(v);
        }
    }
    if field.ty.is_numeric() && field.ty != FieldType::Decimal {
        if let Some(v) = &c.min {
            schema["minimum"] = json!(v);
        }
        if let Some(v) = &c.max {
            schema["maximum"] = json!(v);
        }
    }
    if let Some(default) = &field.default {
        schema["default"] = default.clone();
    }
    if let Some(description) = &field.description {
        schema["description"] = json!(description);
    }
    if !field.required
        && !field.primary_key
        && field.ty != FieldType::Json
        && let Some(Value::String(ty)) = schema.get("type").cloned()
    {
        schema["type"] = json!([ty, "null"]);
    }
    schema
}
