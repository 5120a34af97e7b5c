//! The HTTP handlers of every entity: list, get, create, update and delete, driven by the
//! entity descriptions in `entities.rs`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use jsonwebtoken::DecodingKey;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::auth::sf_authorize;
use crate::db::{
    SfDb, SfDialect, SfSql, SfTx, SfValue, sf_format_date, sf_format_datetime, sf_now,
};
use crate::meta::{SfEntity, SfFilterOn, SfKind, SfRole};
use crate::problem::{SfProblem, sf_error};
use crate::validate::{SfInput, sf_input, sf_invalid, sf_object, sf_query_value, sf_value};

/// What every handler shares.
#[derive(Clone)]
pub struct SfState {
    /// The database.
    pub db: SfDb,
    /// The key tokens are checked with.
    pub key: Arc<DecodingKey>,
}

impl std::fmt::Debug for SfState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SfState").field("db", &self.db).finish()
    }
}

impl SfState {
    /// A state for `db`, checking tokens signed with `secret`.
    pub fn new(db: SfDb, secret: &[u8]) -> Self {
        SfState {
            db,
            key: Arc::new(DecodingKey::from_secret(secret)),
        }
    }
}

type SfResult = Result<Response, SfProblem>;

/// The routes of `entity`'s operations.
pub fn sf_routes(entity: &'static SfEntity) -> Router<SfState> {
    let mut router = Router::new();
    let mut collection: Option<MethodRouter<SfState>> = None;
    if entity.list.allowed {
        let handler = move |State(state): State<SfState>,
                            headers: HeaderMap,
                            RawQuery(query): RawQuery| async move {
            sf_list(state, headers, query, entity).await
        };
        collection = Some(collection.unwrap_or_default().get(handler));
    }
    if entity.create.allowed {
        let handler = move |State(state): State<SfState>, headers: HeaderMap, body: Bytes| async move {
            sf_create(state, headers, body, entity).await
        };
        collection = Some(collection.unwrap_or_default().post(handler));
    }
    let mut item: Option<MethodRouter<SfState>> = None;
    if entity.get.allowed {
        let handler = move |State(state): State<SfState>,
                            headers: HeaderMap,
                            Path(id): Path<String>| async move {
            sf_get(state, headers, id, entity).await
        };
        item = Some(item.unwrap_or_default().get(handler));
    }
    if entity.update.allowed {
        let handler = move |State(state): State<SfState>,
                            headers: HeaderMap,
                            Path(id): Path<String>,
                            body: Bytes| async move {
            sf_update(state, headers, id, body, entity).await
        };
        item = Some(item.unwrap_or_default().put(handler));
    }
    if entity.delete.allowed {
        let handler = move |State(state): State<SfState>,
                            headers: HeaderMap,
                            Path(id): Path<String>| async move {
            sf_delete(state, headers, id, entity).await
        };
        item = Some(item.unwrap_or_default().delete(handler));
    }
    if let Some(methods) = collection {
        router = router.route(&format!("/api/{}", entity.collection), methods);
    }
    if let Some(methods) = item {
        router = router.route(&format!("/api/{}/{{id}}", entity.collection), methods);
    }
    router
}

fn sf_path_id(id: &str) -> Result<Uuid, SfProblem> {
    Uuid::parse_str(id).map_err(|_| SfProblem::invalid("path.id", "must be a UUID"))
}

fn sf_json(status: StatusCode, value: &Value) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The columns selected for a resource: the fields, then the references.
fn sf_select(sql: &mut SfSql, entity: &SfEntity) -> Vec<SfKind> {
    let mut kinds = Vec::new();
    sql.push("SELECT ");
    for (i, field) in entity.fields.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.column(field.column, field.kind);
        kinds.push(field.kind);
    }
    for r in entity.refs {
        sql.push(", ").ident(r.column);
        kinds.push(SfKind::Uuid);
    }
    sql.push(" FROM ").ident(entity.table);
    kinds
}

/// A value as JSON.
pub fn sf_to_json(value: SfValue) -> Value {
    match value {
        SfValue::Null => Value::Null,
        SfValue::Text(v) | SfValue::Decimal(v) => Value::String(v),
        SfValue::Int(v) => Value::from(v),
        SfValue::Float(v) => serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        SfValue::Bool(v) => Value::Bool(v),
        SfValue::Date(v) => Value::String(sf_format_date(v)),
        SfValue::Datetime(v) => Value::String(sf_format_datetime(v)),
        SfValue::Uuid(v) => Value::String(v.hyphenated().to_string()),
        SfValue::Json(v) => v,
    }
}

/// Resources from rows selected by [`sf_select`].
async fn sf_resources(
    tx: &mut SfTx,
    entity: &SfEntity,
    rows: Vec<Vec<SfValue>>,
) -> Result<Vec<Value>, SfProblem> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = row.into_iter();
        let mut fields = Vec::new();
        for field in entity.fields {
            fields.push((field, values.next().unwrap_or(SfValue::Null)));
        }
        let id = match &fields.first() {
            Some((_, SfValue::Uuid(id))) => *id,
            _ => return Err(SfProblem::internal("a row without an id")),
        };
        let mut map = Map::new();
        let mut stamps = Vec::new();
        for (field, value) in fields {
            if matches!(field.role, SfRole::CreatedAt | SfRole::UpdatedAt) {
                stamps.push((field.wire, value));
            } else {
                map.insert(field.wire.to_owned(), sf_to_json(value));
            }
        }
        for r in entity.refs {
            map.insert(
                r.wire.to_owned(),
                sf_to_json(values.next().unwrap_or(SfValue::Null)),
            );
        }
        for j in entity.joins {
            let mut sql = SfSql::new(tx.dialect());
            sql.push("SELECT ")
                .ident(j.target_column)
                .push(" FROM ")
                .ident(j.table)
                .push(" WHERE ")
                .ident(j.owner_column)
                .push(" = ")
                .bind(SfKind::Uuid, SfValue::Uuid(id))
                .push(" ORDER BY ")
                .ident(j.target_column);
            let ids = tx.fetch(sql, &[SfKind::Uuid]).await?;
            map.insert(
                j.wire.to_owned(),
                Value::Array(
                    ids.into_iter()
                        .flatten()
                        .map(sf_to_json)
                        .collect::<Vec<_>>(),
                ),
            );
        }
        for (wire, value) in stamps {
            map.insert(wire.to_owned(), sf_to_json(value));
        }
        out.push(Value::Object(map));
    }
    Ok(out)
}

/// The resource with `id`, when it exists.
async fn sf_load(tx: &mut SfTx, entity: &SfEntity, id: Uuid) -> Result<Option<Value>, SfProblem> {
    let mut sql = SfSql::new(tx.dialect());
    let kinds = sf_select(&mut sql, entity);
    sql.push(" WHERE \"id\" = ")
        .bind(SfKind::Uuid, SfValue::Uuid(id));
    let rows = tx.fetch(sql, &kinds).await?;
    Ok(sf_resources(tx, entity, rows).await?.into_iter().next())
}

async fn sf_exists(tx: &mut SfTx, table: &str, id: Uuid) -> Result<bool, SfProblem> {
    let mut sql = SfSql::new(tx.dialect());
    sql.push("SELECT COUNT(*) FROM ")
        .ident(table)
        .push(" WHERE \"id\" = ")
        .bind(SfKind::Uuid, SfValue::Uuid(id));
    let rows = tx.fetch(sql, &[SfKind::Bigint]).await?;
    Ok(matches!(rows.first().and_then(|r| r.first()), Some(SfValue::Int(n)) if *n > 0))
}

/// 422 for references to rows that do not exist.
async fn sf_check_refs(tx: &mut SfTx, entity: &SfEntity, input: &SfInput) -> Result<(), SfProblem> {
    let mut errors = Vec::new();
    for (r, value) in entity.refs.iter().zip(&input.refs) {
        if let SfValue::Uuid(id) = value
            && !sf_exists(tx, r.target_table, *id).await?
        {
            errors.push(sf_error(r.wire, format!("no row has the id {id}")));
        }
    }
    for (j, ids) in entity.joins.iter().zip(&input.joins) {
        for id in ids {
            if !sf_exists(tx, j.target_table, *id).await? {
                errors.push(sf_error(j.wire, format!("no row has the id {id}")));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(sf_invalid(errors))
    }
}

/// Whether an error is a foreign key's (SQLite reports `RESTRICT` as a trigger's error).
fn sf_is_foreign_key(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
        || db.message().contains("FOREIGN KEY constraint failed")
}

/// Maps a failed write: unique violations are 409 naming the field.
fn sf_write_error(entity: &SfEntity, error: sqlx::Error) -> SfProblem {
    let sqlx::Error::Database(db) = &error else {
        return SfProblem::internal(error);
    };
    match db.kind() {
        sqlx::error::ErrorKind::UniqueViolation => {
            let message = db.message();
            let constraint = db.constraint();
            let matches = |name: Option<&str>, column: &str| {
                constraint.is_some_and(|c| Some(c) == name)
                    || message.ends_with(&format!("{}.{column}", entity.table))
            };
            let field = entity
                .fields
                .iter()
                .find(|f| f.unique.is_some() && matches(f.unique, f.column))
                .map(|f| f.wire)
                .or_else(|| {
                    entity
                        .refs
                        .iter()
                        .find(|r| r.unique.is_some() && matches(r.unique, r.column))
                        .map(|r| r.wire)
                })
                .unwrap_or("body");
            SfProblem::field(StatusCode::CONFLICT, field, "this value is taken")
        }
        _ if sf_is_foreign_key(db.as_ref()) => {
            SfProblem::invalid("body", "a referenced row does not exist")
        }
        sqlx::error::ErrorKind::CheckViolation | sqlx::error::ErrorKind::NotNullViolation => {
            SfProblem::invalid("body", db.message().to_owned())
        }
        _ => SfProblem::internal(error),
    }
}

/// Writes the rows of the owned many-to-many relations of `id`.
async fn sf_write_joins(
    tx: &mut SfTx,
    entity: &SfEntity,
    id: Uuid,
    input: &SfInput,
    replace: bool,
) -> Result<(), SfProblem> {
    for (j, ids) in entity.joins.iter().zip(&input.joins) {
        if replace {
            let mut sql = SfSql::new(tx.dialect());
            sql.push("DELETE FROM ")
                .ident(j.table)
                .push(" WHERE ")
                .ident(j.owner_column)
                .push(" = ")
                .bind(SfKind::Uuid, SfValue::Uuid(id));
            tx.execute(sql).await?;
        }
        for target in ids {
            let mut sql = SfSql::new(tx.dialect());
            sql.push("INSERT INTO ")
                .ident(j.table)
                .push(" (")
                .ident(j.owner_column)
                .push(", ")
                .ident(j.target_column)
                .push(") VALUES (")
                .bind(SfKind::Uuid, SfValue::Uuid(id))
                .push(", ")
                .bind(SfKind::Uuid, SfValue::Uuid(*target))
                .push(")");
            tx.execute(sql)
                .await
                .map_err(|e| sf_write_error(entity, e))?;
        }
    }
    Ok(())
}

async fn sf_get(state: SfState, headers: HeaderMap, id: String, entity: &SfEntity) -> SfResult {
    sf_authorize(&state.key, &headers, &entity.get)?;
    let id = sf_path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let resource = sf_load(&mut tx, entity, id)
        .await?
        .ok_or_else(SfProblem::not_found)?;
    tx.commit().await?;
    Ok(sf_json(StatusCode::OK, &resource))
}

async fn sf_create(state: SfState, headers: HeaderMap, body: Bytes, entity: &SfEntity) -> SfResult {
    sf_authorize(&state.key, &headers, &entity.create)?;
    let input = sf_input(entity, &sf_object(&body)?)?;
    let mut tx = state.db.begin().await?;
    sf_check_refs(&mut tx, entity, &input).await?;
    let id = Uuid::new_v4();
    let now = sf_now();
    let mut sql = SfSql::new(tx.dialect());
    sql.push("INSERT INTO ").ident(entity.table).push(" (");
    let mut values = input.values.iter();
    let mut binds = Vec::new();
    for field in entity.fields {
        let value = match field.role {
            SfRole::Id => SfValue::Uuid(id),
            SfRole::Field => values.next().cloned().unwrap_or(SfValue::Null),
            SfRole::CreatedAt | SfRole::UpdatedAt => SfValue::Datetime(now),
        };
        binds.push((field.column, field.kind, value));
    }
    for (r, value) in entity.refs.iter().zip(&input.refs) {
        binds.push((r.column, SfKind::Uuid, value.clone()));
    }
    for (i, (column, _, _)) in binds.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.ident(column);
    }
    sql.push(") VALUES (");
    for (i, (_, kind, value)) in binds.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(kind, value);
    }
    sql.push(")");
    tx.execute(sql)
        .await
        .map_err(|e| sf_write_error(entity, e))?;
    sf_write_joins(&mut tx, entity, id, &input, false).await?;
    let resource = sf_load(&mut tx, entity, id)
        .await?
        .ok_or_else(|| SfProblem::internal("the new row is gone"))?;
    tx.commit().await?;
    let mut response = sf_json(StatusCode::CREATED, &resource);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/{}/{id}", entity.collection)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn sf_update(
    state: SfState,
    headers: HeaderMap,
    id: String,
    body: Bytes,
    entity: &SfEntity,
) -> SfResult {
    sf_authorize(&state.key, &headers, &entity.update)?;
    let id = sf_path_id(&id)?;
    let input = sf_input(entity, &sf_object(&body)?)?;
    let mut tx = state.db.begin().await?;
    if !sf_exists(&mut tx, entity.table, id).await? {
        return Err(SfProblem::not_found());
    }
    sf_check_refs(&mut tx, entity, &input).await?;
    let now = sf_now();
    let mut sql = SfSql::new(tx.dialect());
    sql.push("UPDATE ").ident(entity.table).push(" SET ");
    let mut values = input.values.iter();
    let mut first = true;
    let mut comma = |sql: &mut SfSql| {
        if !first {
            sql.push(", ");
        }
        first = false;
    };
    for field in entity.fields {
        let value = match field.role {
            SfRole::Id | SfRole::CreatedAt => continue,
            SfRole::Field => values.next().cloned().unwrap_or(SfValue::Null),
            SfRole::UpdatedAt => SfValue::Datetime(now),
        };
        comma(&mut sql);
        sql.ident(field.column).push(" = ").bind(field.kind, value);
    }
    for (r, value) in entity.refs.iter().zip(&input.refs) {
        comma(&mut sql);
        sql.ident(r.column)
            .push(" = ")
            .bind(SfKind::Uuid, value.clone());
    }
    if first {
        sql.push("\"id\" = \"id\"");
    }
    sql.push(" WHERE \"id\" = ")
        .bind(SfKind::Uuid, SfValue::Uuid(id));
    tx.execute(sql)
        .await
        .map_err(|e| sf_write_error(entity, e))?;
    sf_write_joins(&mut tx, entity, id, &input, true).await?;
    let resource = sf_load(&mut tx, entity, id)
        .await?
        .ok_or_else(SfProblem::not_found)?;
    tx.commit().await?;
    Ok(sf_json(StatusCode::OK, &resource))
}

async fn sf_delete(state: SfState, headers: HeaderMap, id: String, entity: &SfEntity) -> SfResult {
    sf_authorize(&state.key, &headers, &entity.delete)?;
    let id = sf_path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let mut sql = SfSql::new(tx.dialect());
    sql.push("DELETE FROM ")
        .ident(entity.table)
        .push(" WHERE \"id\" = ")
        .bind(SfKind::Uuid, SfValue::Uuid(id));
    let deleted = match tx.execute(sql).await {
        Ok(n) => n,
        Err(sqlx::Error::Database(db)) if sf_is_foreign_key(db.as_ref()) => {
            return Err(SfProblem::new(
                StatusCode::CONFLICT,
                "other rows refer to this resource",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if deleted == 0 {
        return Err(SfProblem::not_found());
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The `WHERE` clause of a list.
fn sf_where(sql: &mut SfSql, conditions: &[(&'static str, SfKind, SfValue)]) {
    for (i, (column, kind, value)) in conditions.iter().enumerate() {
        sql.push(if i == 0 { " WHERE " } else { " AND " })
            .ident(column)
            .push(" = ")
            .bind(*kind, value.clone());
    }
}

async fn sf_list(
    state: SfState,
    headers: HeaderMap,
    query: Option<String>,
    entity: &SfEntity,
) -> SfResult {
    sf_authorize(&state.key, &headers, &entity.list)?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
            .map_err(|_| SfProblem::invalid("query", "the query string is malformed"))?;
    let mut page: i64 = 1;
    let mut page_size = entity.page_size;
    let mut sort = None;
    let mut conditions = Vec::new();
    let mut errors = Vec::new();
    for (key, text) in &pairs {
        match key.as_str() {
            "page" => match text.parse::<i64>() {
                Ok(n) if n >= 1 => page = n,
                _ => errors.push(sf_error("query.page", "must be a whole number from 1")),
            },
            "page_size" => match text.parse::<i64>() {
                Ok(n) if (1..=entity.max_page_size).contains(&n) => page_size = n,
                _ => errors.push(sf_error(
                    "query.page_size",
                    format!("must be a whole number from 1 to {}", entity.max_page_size),
                )),
            },
            "sort" => {
                let (descending, name) = match text.strip_prefix('-') {
                    Some(name) => (true, name),
                    None => (false, text.as_str()),
                };
                match entity
                    .sorts
                    .iter()
                    .map(|&i| &entity.fields[i])
                    .find(|f| f.wire == name)
                {
                    Some(field) => sort = Some((field, descending)),
                    None => errors.push(sf_error("query.sort", "cannot sort by this")),
                }
            }
            _ => {
                let Some(filter) = entity.filters.iter().find(|f| f.wire == key) else {
                    continue;
                };
                let name = format!("query.{key}");
                match filter.on {
                    SfFilterOn::Field(i) => {
                        let field = &entity.fields[i];
                        match sf_value(field, &sf_query_value(field.kind, text), false) {
                            Ok(value) => conditions.push((field.column, field.kind, value)),
                            Err(message) => errors.push(sf_error(name, message)),
                        }
                    }
                    SfFilterOn::Ref(i) => match Uuid::parse_str(text) {
                        Ok(id) => conditions.push((
                            entity.refs[i].column,
                            SfKind::Uuid,
                            SfValue::Uuid(id),
                        )),
                        Err(_) => errors.push(sf_error(name, "must be a UUID")),
                    },
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(sf_invalid(errors));
    }
    let mut tx = state.db.begin().await?;
    let dialect = tx.dialect();
    let mut count = SfSql::new(dialect);
    count.push("SELECT COUNT(*) FROM ").ident(entity.table);
    sf_where(&mut count, &conditions);
    let total = match tx
        .fetch(count, &[SfKind::Bigint])
        .await?
        .first()
        .and_then(|r| r.first())
    {
        Some(SfValue::Int(n)) => *n,
        _ => 0,
    };
    let mut sql = SfSql::new(dialect);
    let kinds = sf_select(&mut sql, entity);
    sf_where(&mut sql, &conditions);
    sql.push(" ORDER BY ");
    if let Some((field, descending)) = sort {
        sql.push("(").ident(field.column).push(" IS NULL), ");
        match (dialect, field.kind) {
            (SfDialect::Sqlite, SfKind::Decimal) => {
                sql.push("CAST(").ident(field.column).push(" AS REAL)");
            }
            (SfDialect::Postgres, SfKind::Text) => {
                sql.ident(field.column).push(" COLLATE \"C\"");
            }
            _ => {
                sql.ident(field.column);
            }
        }
        sql.push(if descending { " DESC, " } else { " ASC, " });
    }
    sql.push("\"id\" ASC LIMIT ")
        .bind(SfKind::Bigint, SfValue::Int(page_size))
        .push(" OFFSET ")
        .bind(
            SfKind::Bigint,
            SfValue::Int(page.saturating_sub(1).saturating_mul(page_size)),
        );
    let rows = tx.fetch(sql, &kinds).await?;
    let items = sf_resources(&mut tx, entity, rows).await?;
    tx.commit().await?;
    Ok(sf_json(
        StatusCode::OK,
        &json!({"items": items, "page": page, "page_size": page_size, "total": total}),
    ))
}
