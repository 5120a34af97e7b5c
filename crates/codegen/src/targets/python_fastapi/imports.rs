//! The import lines of the generated modules: exactly the names their text uses (ruff refuses
//! unused imports).

use std::collections::BTreeSet;

use super::context::{PyEntity, PyEnum};
use super::types::Imports;

/// The import lines of each generated module.
pub(super) struct ImportLists {
    pub(super) models: Vec<String>,
    pub(super) schemas: Vec<String>,
    pub(super) routes: Vec<String>,
    /// The routes module's imports after the standard library's.
    pub(super) routes_local: Vec<String>,
    pub(super) db: Vec<String>,
    pub(super) fields: Vec<String>,
}

/// The imports of `entities` and `enums`; sorts the decimal scales in `imports`.
pub(super) fn import_lists(
    entities: &[PyEntity],
    enums: &[PyEnum],
    imports: &mut Imports,
) -> ImportLists {
    let model_text: String = entities
        .iter()
        .flat_map(|e| &e.columns)
        .map(|c| format!("{} {}", c.annotation, c.args.join(" ")))
        .collect::<Vec<_>>()
        .join(" ");
    let schema_text: String = entities
        .iter()
        .flat_map(|e| e.input_fields.iter().chain(&e.read_fields))
        .map(|f| f.annotation.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let model_tokens = tokens(&model_text);
    let schema_tokens = tokens(&schema_text);
    // `import` statements come before `from` imports, as isort (ruff's `I` rules) keeps them.
    let mut models_imports = vec!["import uuid".to_owned()];
    let dt: Vec<&str> = ["date", "datetime"]
        .into_iter()
        .filter(|n| model_tokens.contains(*n))
        .collect();
    if !dt.is_empty() {
        models_imports.push(format!("from datetime import {}", dt.join(", ")));
    }
    if model_tokens.contains("Decimal") {
        models_imports.push("from decimal import Decimal".to_owned());
    }
    if model_tokens.contains("Any") {
        models_imports.push("from typing import Any".to_owned());
    }
    let mut schemas_imports = Vec::new();
    if schema_tokens.contains("date") {
        schemas_imports.push("from datetime import date".to_owned());
    }
    if !imports.scales.is_empty() {
        schemas_imports.push("from decimal import Decimal".to_owned());
    }
    if !enums.is_empty() {
        schemas_imports.push("from enum import StrEnum".to_owned());
    }
    let mut typing = Vec::new();
    if !imports.scales.is_empty() {
        typing.push("Annotated");
    }
    if schema_tokens.contains("Any") {
        typing.push("Any");
    }
    if !typing.is_empty() {
        schemas_imports.push(format!("from typing import {}", typing.join(", ")));
    }
    let db: Vec<String> = [
        "SfBase",
        "SfDate",
        "SfDateTime",
        "SfDecimal",
        "SfJson",
        "SfUuid",
    ]
    .into_iter()
    .filter(|n| *n == "SfBase" || model_tokens.contains(*n))
    .map(str::to_owned)
    .collect();
    let fields: Vec<String> = [
        "SfAnyJson",
        "SfBool",
        "SfDate",
        "SfDateTime",
        "SfDateTimeOut",
        "SfDecimalIn",
        "SfEmail",
        "SfFloat",
        "SfInt",
        "SfJson",
        "SfText",
        "SfUrl",
        "SfUuid",
    ]
    .into_iter()
    .filter(|n| schema_tokens.contains(*n))
    .map(str::to_owned)
    .collect();
    imports.scales.sort_unstable();
    let annotations: Vec<&str> = entities
        .iter()
        .flat_map(|e| e.filters.iter().map(|f| f.annotation.as_str()))
        .collect();
    let uses = |prefix: &str| annotations.iter().any(|a| a.contains(prefix));
    let any_op = entities.iter().any(|e| !e.ops.is_empty());
    let any_list = entities.iter().any(|e| e.ops.contains_key("list"));
    let any_item = entities.iter().any(|e| {
        ["get", "update", "delete"]
            .iter()
            .any(|op| e.ops.contains_key(op))
    });
    let mut routes_imports = Vec::new();
    if uses("sf_datetime.") {
        routes_imports.push("import datetime as sf_datetime".to_owned());
    }
    if uses("sf_decimal.") {
        routes_imports.push("import decimal as sf_decimal".to_owned());
    }
    if any_item || uses("sf_uuid.") {
        routes_imports.push("import uuid as sf_uuid".to_owned());
    }
    let mut fastapi = vec!["APIRouter"];
    if any_op {
        fastapi.push("Depends");
    }
    if any_list {
        fastapi.push("Query");
    }
    if any_op {
        fastapi.push("Response");
    }
    let mut routes_imports2 = vec![format!("from fastapi import {}", fastapi.join(", "))];
    if uses("SfAwareDatetime") {
        routes_imports2.push("from pydantic import AwareDatetime as SfAwareDatetime".to_owned());
    }
    if any_op {
        routes_imports2.push("from sqlalchemy.orm import Session".to_owned());
    }
    routes_imports2.push(String::new());
    routes_imports2.push("from . import crud as sf_crud".to_owned());
    routes_imports2.push("from . import models as sf_models".to_owned());
    routes_imports2.push("from . import schemas as sf_schemas".to_owned());
    if any_op {
        routes_imports2.push("from .auth import Principal as SfPrincipal".to_owned());
        routes_imports2.push("from .auth import require as sf_require".to_owned());
        routes_imports2.push("from .db import get_session as sf_db_session".to_owned());
    }
    ImportLists {
        models: models_imports,
        schemas: schemas_imports,
        routes: routes_imports,
        routes_local: routes_imports2,
        db,
        fields,
    }
}

/// The identifiers in a text of generated code.
fn tokens(text: &str) -> BTreeSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}
