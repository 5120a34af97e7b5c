//! The generated API (`docs/generated-api.md`) as one OpenAPI 3.1 [`document`]: what the
//! `openapi` target writes and the full targets serve.

use serde_json::{Map, Value, json};
use specforge_spec::model::{Field, FieldType, Operation};

use crate::error::Error;
use crate::manifest::VERSION;
use crate::naming::{Case, Namespace, case, plural};
use crate::plan::{EntityPlan, FilterOn, Plan, clash_error};

/// Pretty JSON (two spaces) with a final newline.
pub fn to_pretty_json(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Component names of one entity.
struct Names {
    read: String,
    input: String,
    page: String,
}

/// The shared schemas' names, unless a schema of the specification has them (then `Api` goes
/// in front, then a number after).
const PROBLEM: &str = "Problem";
const FIELD_ERROR: &str = "FieldError";

/// `name`, or the first of `Api<name>`, `Api<name>2`, ... that no schema of `taken` has
/// (compared without case, as the schemas' namespace compares them).
fn free_name(name: &str, taken: &[String]) -> String {
    let free = |n: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    if free(name) {
        return name.to_owned();
    }
    let mut candidate = format!("Api{name}");
    let mut n = 2;
    while !free(&candidate) {
        candidate = format!("Api{name}{n}");
        n += 1;
    }
    candidate
}

/// A name as words of English text: lowercase, split at separators and case changes, the
/// letters kept as they are (`Café Table` → `café table`).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_numeric();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `a book`, `an author`: the entity's name in text with its article.
fn one_of(name: &str) -> String {
    let text = words(name).join(" ");
    let article = if text.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {text}")
}

/// `books`: the entity's name in text, in the plural.
fn many_of(name: &str) -> String {
    let mut w = words(name);
    if let Some(last) = w.last_mut() {
        *last = specforge_spec::names::plural(last);
    }
    w.join(" ")
}

/// The OpenAPI 3.1 document of the API that the full targets generate for `plan`.
pub fn document(plan: &Plan<'_>) -> Result<Value, Error> {
    let model = plan.model;
    let mut clashes = Vec::new();
    let mut components = Namespace::new("OpenAPI schema");
    let mut taken: Vec<String> = Vec::new();
    let mut schemas = Map::new();
    for e in &plan.enums {
        let name = case(e.name, Case::Pascal);
        components.claim(&name, &e.pointer, &mut clashes);
        taken.push(name.clone());
        let mut schema = json!({ "type": "string", "enum": e.values });
        if let Some(d) = &e.def.description {
            schema["description"] = json!(d);
        }
        schemas.insert(name, schema);
    }
    let names: Vec<Names> = plan
        .entities
        .iter()
        .map(|e| {
            let read = case(e.name, Case::Pascal);
            let n = Names {
                input: format!("{read}Input"),
                page: format!("{read}Page"),
                read,
            };
            for c in [&n.read, &n.input, &n.page] {
                components.claim(c, &e.pointer, &mut clashes);
                taken.push(c.clone());
            }
            n
        })
        .collect();
    if !clashes.is_empty() {
        return Err(clash_error(clashes));
    }
    let problem = free_name(PROBLEM, &taken);
    let field_error = free_name(FIELD_ERROR, &taken);
    let mut paths = Map::new();
    paths.insert(
        "/health".into(),
        json!({ "get": {
            "operationId": "health",
            "summary": "Liveness",
            "security": [],
            "responses": { "200": { "description": "The service runs", "content": {
                "application/json": { "schema": {
                    "type": "object",
                    "properties": { "status": { "type": "string", "const": "ok" } },
                    "required": ["status"]
                } } } } }
        } }),
    );
    for (entity, n) in plan.entities.iter().zip(&names) {
        schemas.insert(n.read.clone(), read_schema(plan, entity));
        schemas.insert(n.input.clone(), input_schema(plan, entity));
        schemas.insert(
            n.page.clone(),
            json!({
                "type": "object",
                "properties": {
                    "items": { "type": "array", "items": { "$ref": schema_ref(&n.read) } },
                    "page": { "type": "integer", "minimum": 1 },
                    "page_size": { "type": "integer", "minimum": 1 },
                    "total": { "type": "integer", "minimum": 0 }
                },
                "required": ["items", "page", "page_size", "total"]
            }),
        );
        let (collection, item) = operations(entity, n);
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
    schemas.insert(
        field_error.clone(),
        json!({
            "type": "object",
            "properties": {
                "field": { "type": "string", "description": "Wire name of the field, `body`, `query.<name>` or `path.id`" },
                "message": { "type": "string" }
            },
            "required": ["field", "message"]
        }),
    );
    schemas.insert(
        problem.clone(),
        json!({
            "type": "object",
            "description": "An error (RFC 9457)",
            "properties": {
                "type": { "type": "string" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
                "errors": { "type": "array", "items": { "$ref": schema_ref(&field_error) } }
            },
            "required": ["type", "title", "status"]
        }),
    );
    let mut info = json!({
        "title": model.title.as_deref().unwrap_or(&model.name),
        "version": "1.0.0",
    });
    let mut description = model.description.clone().unwrap_or_default();
    if !description.is_empty() && !description.ends_with('\n') {
        description.push('\n');
    }
    description.push_str(&format!("\nGenerated by specforge {VERSION}."));
    info["description"] = json!(description.trim_start());
    let mut responses = Map::new();
    for (name, text) in [
        ("Unauthorized", "Missing, malformed or expired bearer token"),
        ("Forbidden", "The token lacks a role this operation needs"),
        ("NotFound", "No such resource"),
        (
            "Conflict",
            "A unique value is taken, or other rows refer to this one",
        ),
        (
            "Unprocessable",
            "The request is not valid; `errors` lists each problem",
        ),
    ] {
        responses.insert(
            name.to_owned(),
            json!({ "description": text, "content": {
                "application/problem+json": { "schema": { "$ref": schema_ref(&problem) } }
            } }),
        );
    }
    // Moved into place, not copied with `json!`: the maps hold every entity's schemas and
    // paths, and copying them was most of the time of large documents.
    let mut components = Map::new();
    components.insert("schemas".into(), Value::Object(schemas));
    components.insert("responses".into(), Value::Object(responses));
    components.insert(
        "securitySchemes".into(),
        json!({ "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "HS256 JWT signed with JWT_SECRET; `sub`, `exp` and a `roles` array"
        } }),
    );
    let mut root = Map::new();
    root.insert("openapi".into(), json!("3.1.0"));
    root.insert("info".into(), info);
    root.insert("paths".into(), Value::Object(paths));
    root.insert("components".into(), Value::Object(components));
    root.insert("security".into(), json!([{ "bearer": [] }]));
    Ok(Value::Object(root))
}

fn schema_ref(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

fn response_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/responses/{name}") })
}

/// The collection path's and the item path's operations.
fn operations(entity: &EntityPlan<'_>, n: &Names) -> (Map<String, Value>, Map<String, Value>) {
    let mut collection = Map::new();
    let mut item = Map::new();
    let one = case(entity.name, Case::Pascal);
    let many = plural(entity.name, Case::Pascal);
    let id_param = json!({
        "name": "id", "in": "path", "required": true,
        "schema": { "type": "string", "format": "uuid" }
    });
    let body = json!({ "required": true, "content": {
        "application/json": { "schema": { "$ref": schema_ref(&n.input) } }
    } });
    let resource = |text: &str| {
        json!({ "description": text, "content": {
            "application/json": { "schema": { "$ref": schema_ref(&n.read) } }
        } })
    };
    for &op in &entity.entity.operations {
        let roles = entity.entity.permissions.roles(op);
        let mut responses = Map::new();
        let mut operation = Map::new();
        operation.insert("tags".into(), json!([entity.name]));
        let (method, summary, id) = match op {
            Operation::List => (
                "get",
                format!("List {}", many_of(entity.name)),
                format!("list{many}"),
            ),
            Operation::Get => (
                "get",
                format!("Read {}", one_of(entity.name)),
                format!("get{one}"),
            ),
            Operation::Create => (
                "post",
                format!("Create {}", one_of(entity.name)),
                format!("create{one}"),
            ),
            Operation::Update => (
                "put",
                format!("Replace {}", one_of(entity.name)),
                format!("update{one}"),
            ),
            Operation::Delete => (
                "delete",
                format!("Delete {}", one_of(entity.name)),
                format!("delete{one}"),
            ),
        };
        operation.insert("operationId".into(), json!(id));
        operation.insert("summary".into(), json!(summary));
        if let Some(roles) = roles {
            operation.insert(
                "description".into(),
                json!(format!(
                    "Needs one of the roles: {}.",
                    roles
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
            operation.insert("x-roles".into(), json!(roles));
        }
        match op {
            Operation::List => {
                operation.insert("parameters".into(), Value::Array(list_parameters(entity)));
                responses.insert(
                    "200".into(),
                    json!({ "description": "A page of items", "content": {
                        "application/json": { "schema": { "$ref": schema_ref(&n.page) } }
                    } }),
                );
            }
            Operation::Get => {
                operation.insert("parameters".into(), json!([id_param]));
                responses.insert("200".into(), resource("The resource"));
                responses.insert("404".into(), response_ref("NotFound"));
            }
            Operation::Create => {
                operation.insert("requestBody".into(), body.clone());
                let mut created = resource("Created");
                created["headers"] = json!({ "Location": {
                    "description": "The new resource's path",
                    "schema": { "type": "string" }
                } });
                responses.insert("201".into(), created);
                responses.insert("409".into(), response_ref("Conflict"));
            }
            Operation::Update => {
                operation.insert("parameters".into(), json!([id_param]));
                operation.insert("requestBody".into(), body.clone());
                responses.insert("200".into(), resource("Replaced"));
                responses.insert("404".into(), response_ref("NotFound"));
                responses.insert("409".into(), response_ref("Conflict"));
            }
            Operation::Delete => {
                operation.insert("parameters".into(), json!([id_param]));
                responses.insert("204".into(), json!({ "description": "Deleted" }));
                responses.insert("404".into(), response_ref("NotFound"));
                responses.insert("409".into(), response_ref("Conflict"));
            }
        }
        responses.insert("401".into(), response_ref("Unauthorized"));
        if roles.is_some() {
            responses.insert("403".into(), response_ref("Forbidden"));
        }
        responses.insert("422".into(), response_ref("Unprocessable"));
        let mut sorted: Vec<(String, Value)> = responses.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        operation.insert(
            "responses".into(),
            Value::Object(sorted.into_iter().collect()),
        );
        let target = if matches!(op, Operation::List | Operation::Create) {
            &mut collection
        } else {
            &mut item
        };
        target.insert(method.into(), Value::Object(operation));
    }
    (collection, item)
}

fn list_parameters(entity: &EntityPlan<'_>) -> Vec<Value> {
    let page_size = entity.entity.list.page_size;
    let mut params = vec![
        json!({ "name": "page", "in": "query", "description": "1-based page number",
                "schema": { "type": "integer", "minimum": 1, "default": 1 } }),
        json!({ "name": "page_size", "in": "query", "description": "Items per page",
                "schema": { "type": "integer", "minimum": 1, "maximum": page_size.max(100), "default": page_size } }),
    ];
    if !entity.sorts.is_empty() {
        let values: Vec<String> = entity
            .sorts
            .iter()
            .flat_map(|s| [s.clone(), format!("-{s}")])
            .collect();
        params.push(json!({ "name": "sort", "in": "query",
            "description": "Sort by a field; `-` in front for descending. Ties are ordered by `id`.",
            "schema": { "type": "string", "enum": values } }));
    }
    for filter in &entity.filters {
        let schema = match filter.on {
            FilterOn::Field(i) => value_schema(entity.fields[i].field, Shape::Query),
            FilterOn::Ref(_) => json!({ "type": "string", "format": "uuid" }),
        };
        params.push(json!({ "name": filter.wire, "in": "query",
            "description": "Only items whose value equals this one", "schema": schema }));
    }
    params
}

/// Where a value's schema is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Read,
    Input,
    Query,
}

fn value_schema(field: &Field, shape: Shape) -> Value {
    let c = &field.constraints;
    let mut s = match &field.ty {
        FieldType::String | FieldType::Text => json!({ "type": "string" }),
        FieldType::Email => json!({ "type": "string", "format": "email" }),
        FieldType::Url => json!({ "type": "string", "format": "uri" }),
        FieldType::Integer => json!({ "type": "integer", "format": "int32" }),
        FieldType::Bigint => json!({ "type": "integer", "format": "int64" }),
        FieldType::Float => json!({ "type": "number", "format": "double" }),
        FieldType::Decimal if shape == Shape::Input => {
            json!({ "type": ["string", "number"], "format": "decimal" })
        }
        FieldType::Decimal => json!({ "type": "string", "format": "decimal" }),
        FieldType::Boolean => json!({ "type": "boolean" }),
        FieldType::Date => json!({ "type": "string", "format": "date" }),
        FieldType::Datetime => json!({ "type": "string", "format": "date-time" }),
        FieldType::Uuid => json!({ "type": "string", "format": "uuid" }),
        FieldType::Json => json!({}),
        FieldType::Enum(name) => {
            return json!({ "$ref": schema_ref(&case(name, Case::Pascal)) });
        }
    };
    if shape != Shape::Query {
        if field.ty.is_textual() {
            if let Some(v) = c.min_length.filter(|&v| v > 0) {
                s["minLength"] = json!(v);
            }
            if let Some(v) = c.max_length {
                s["maxLength"] = json!(v);
            }
            if let Some(p) = &c.pattern {
                s["pattern"] = json!(p);
            }
        }
        if field.ty.is_numeric() && field.ty != FieldType::Decimal {
            if let Some(v) = &c.min {
                s["minimum"] = json!(v);
            }
            if let Some(v) = &c.max {
                s["maximum"] = json!(v);
            }
        }
        if field.ty == FieldType::Decimal {
            let mut notes = vec![format!(
                "Decimal with at most {} digits, {} after the point",
                c.precision.unwrap_or(18),
                c.scale.unwrap_or(2)
            )];
            if let Some(v) = &c.min {
                notes.push(format!("at least {v}"));
            }
            if let Some(v) = &c.max {
                notes.push(format!("at most {v}"));
            }
            let mut x = Map::new();
            x.insert("precision".into(), json!(c.precision.unwrap_or(18)));
            x.insert("scale".into(), json!(c.scale.unwrap_or(2)));
            if let Some(v) = &c.min {
                x.insert("minimum".into(), json!(v));
            }
            if let Some(v) = &c.max {
                x.insert("maximum".into(), json!(v));
            }
            s["x-decimal"] = Value::Object(x);
            s["description"] = json!(notes.join("; "));
        }
    }
    s
}

/// `schema` that also admits `null`.
fn nullable(schema: Value) -> Value {
    match schema {
        Value::Object(mut map) => match map.get("type").cloned() {
            Some(Value::String(t)) => {
                map.insert("type".into(), json!([t, "null"]));
                Value::Object(map)
            }
            Some(Value::Array(mut types)) => {
                types.push(json!("null"));
                map.insert("type".into(), Value::Array(types));
                Value::Object(map)
            }
            _ if map.is_empty() => Value::Object(map),
            _ => json!({ "anyOf": [Value::Object(map), { "type": "null" }] }),
        },
        other => other,
    }
}

fn with_description(mut schema: Value, description: Option<&str>) -> Value {
    if let Some(d) = description {
        if schema.get("$ref").is_some() {
            schema = json!({ "allOf": [schema] });
        }
        let text = match schema.get("description").and_then(Value::as_str) {
            Some(existing) => format!("{d}\n\n{existing}"),
            None => d.to_owned(),
        };
        schema["description"] = json!(text);
    }
    schema
}

fn read_schema(plan: &Plan<'_>, entity: &EntityPlan<'_>) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    let timestamps: Vec<_> = entity
        .fields
        .iter()
        .filter(|f| f.field.implicit && !f.field.primary_key)
        .collect();
    for f in entity
        .fields
        .iter()
        .filter(|f| !f.field.implicit || f.field.primary_key)
    {
        let mut s = value_schema(f.field, Shape::Read);
        if !f.field.required && !f.field.primary_key {
            s = nullable(s);
        }
        props.insert(
            f.wire.clone(),
            with_description(s, f.field.description.as_deref()),
        );
        required.push(f.wire.clone());
    }
    for r in &entity.refs {
        let s = json!({ "type": "string", "format": "uuid" });
        let s = if r.required { s } else { nullable(s) };
        props.insert(
            r.wire.clone(),
            with_description(s, r.relation.description.as_deref()),
        );
        required.push(r.wire.clone());
    }
    for &j in &entity.joins {
        let join = &plan.joins[j];
        props.insert(
            join.wire.clone(),
            with_description(
                json!({ "type": "array", "items": { "type": "string", "format": "uuid" } }),
                join.relation.description.as_deref(),
            ),
        );
        required.push(join.wire.clone());
    }
    for f in timestamps {
        props.insert(
            f.wire.clone(),
            json!({ "type": "string", "format": "date-time" }),
        );
        required.push(f.wire.clone());
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(props));
    schema.insert("required".into(), json!(required));
    if let Some(d) = &entity.entity.description {
        schema.insert("description".into(), json!(d));
    }
    Value::Object(schema)
}

fn input_schema(plan: &Plan<'_>, entity: &EntityPlan<'_>) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in entity.fields.iter().filter(|f| f.writable) {
        let mut s = value_schema(f.field, Shape::Input);
        if let Some(d) = &f.field.default {
            s = match s {
                Value::Object(map) if map.contains_key("$ref") => {
                    json!({ "allOf": [Value::Object(map)], "default": d })
                }
                mut other => {
                    other["default"] = d.clone();
                    other
                }
            };
        }
        let needed = f.field.required && f.field.default.is_none();
        if !f.field.required {
            s = nullable(s);
        }
        if needed {
            required.push(f.wire.clone());
        }
        props.insert(
            f.wire.clone(),
            with_description(s, f.field.description.as_deref()),
        );
    }
    for r in &entity.refs {
        let s = json!({ "type": "string", "format": "uuid" });
        if r.required {
            required.push(r.wire.clone());
            props.insert(r.wire.clone(), s);
        } else {
            props.insert(r.wire.clone(), nullable(s));
        }
    }
    for &j in &entity.joins {
        let join = &plan.joins[j];
        props.insert(
            join.wire.clone(),
            json!({ "type": "array", "items": { "type": "string", "format": "uuid" }, "uniqueItems": true, "default": [] }),
        );
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(props));
    schema.insert("required".into(), json!(required));
    schema.insert("additionalProperties".into(), json!(false));
    Value::Object(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_english() {
        assert_eq!(one_of("Author"), "an author");
        assert_eq!(one_of("Book"), "a book");
        assert_eq!(one_of("Café Table"), "a café table");
        assert_eq!(one_of("PurchaseOrder"), "a purchase order");
        assert_eq!(many_of("Book"), "books");
        assert_eq!(many_of("Category"), "categories");
    }

    #[test]
    fn shared_schema_names_give_way_to_the_specifications() {
        assert_eq!(free_name("Problem", &["Book".to_owned()]), "Problem");
        assert_eq!(free_name("Problem", &["problem".to_owned()]), "ApiProblem");
        let taken = ["Problem".to_owned(), "ApiProblem".to_owned()];
        assert_eq!(free_name("Problem", &taken), "ApiProblem2");
    }
}
