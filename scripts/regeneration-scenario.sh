#!/usr/bin/env bash
# A user's life with a generated rust-axum project, end to end:
#   1. generate the bookstore service;
#   2. write a rule of their own in the user-owned hooks file ("a book's price may not drop by
#      more than half") and a route of their own in src/custom_routes.rs;
#   3. change the specification (a new field) and regenerate into the same folder: the rule and
#      the route must still be there, and the new field must work;
#   4. edit a generated file and regenerate: refused (exit 1, the file listed, nothing written)
#      without --force, overwritten with it;
#   5. run the project's tests, the generated ones and the user's own test of the rule, the
#      route and the new field, with `cargo test --locked`.
#
# Environment: CARGO_TARGET_DIR (specforge's build), SPECFORGE_GENERATED_TARGET (shared target
# folder of generated projects, default /var/tmp/specforge-generated-target), SPECFORGE_BIN (a
# specforge binary to use instead of building this checkout's), KEEP=1 keeps the project.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/specforge-target}"
generated_target=${SPECFORGE_GENERATED_TARGET:-/var/tmp/specforge-generated-target}
if [ -z "${SPECFORGE_BIN:-}" ]; then
  cargo build -q --locked -p specforge
fi
specforge=${SPECFORGE_BIN:-$CARGO_TARGET_DIR/debug/specforge}

work=$(mktemp -d "${TMPDIR:-/tmp}/specforge-regeneration.XXXXXX")
if [ "${KEEP:-}" != 1 ]; then
  trap 'rm -rf "$work"' EXIT
fi
project="$work/bookstore"
spec="$work/bookstore.yaml"
cp "$root/examples/bookstore.yaml" "$spec"

fail() {
  echo "regeneration scenario: $*" >&2
  exit 1
}
step() {
  echo "== $*"
}

step "generate the bookstore service"
"$specforge" generate "$spec" -t rust-axum -o "$project" >/dev/null

step "the user's rule, in the hooks file they own"
hooks="$project/src/books/hooks.rs"
[ -f "$hooks" ] || fail "no $hooks"
python3 - "$hooks" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
rule = '''/// A book's price may not drop by more than half.
pub async fn before_update(
    _tx: &mut Tx,
    _id: Uuid,
    existing: &Book,
    input: &mut BookInput,
) -> Result<(), AppError> {
    if let (Some(old), Some(new)) = (existing.price, input.price) {
        if new * rust_decimal::Decimal::TWO < old {
            return Err(AppError::invalid(
                "price",
                "may not drop by more than half of the current price",
            ));
        }
    }
    Ok(())
}'''
pattern = re.compile(r"/// Before the `Book` with `id` is replaced.*?\n}\n", re.S)
text, count = pattern.subn(rule + "\n", text, count=1)
if count != 1:
    sys.exit("the generated before_update hook was not found")
open(path, "w").write(text)
PY

step "the user's route, in the custom-routes file they own"
cat >"$project/src/custom_routes.rs" <<'RS'
//! Routes of our own.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::AppState;

async fn opening_hours() -> Json<Value> {
    Json(json!({ "weekdays": "9-18", "saturday": "10-14" }))
}

/// The routes this file adds.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/opening-hours", get(opening_hours))
}
RS
cp "$hooks" "$work/hooks.rs.mine"
cp "$project/src/custom_routes.rs" "$work/custom_routes.rs.mine"

step "a new field in the specification, and regenerate into the same folder"
python3 - "$spec" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
anchor = "      isbn: { type: string, unique: true"
if anchor not in text:
    sys.exit("the bookstore example changed: no isbn field to put the new field before")
text = text.replace(anchor, "      subtitle: { type: string, max_length: 200 }\n" + anchor, 1)
open(path, "w").write(text)
PY
"$specforge" generate "$spec" -t rust-axum -o "$project" | tee "$work/regenerate.txt"
cmp -s "$hooks" "$work/hooks.rs.mine" || fail "the hooks file was changed by regeneration"
cmp -s "$project/src/custom_routes.rs" "$work/custom_routes.rs.mine" \
  || fail "the custom routes were changed by regeneration"
grep -q "subtitle" "$project/src/books/model.rs" || fail "the new field is not in the model"
grep -q "subtitle" "$project/migrations/0001_initial.sql" || fail "the new field is not in the migration"

step "the user's own test of the rule, the route and the new field"
mkdir -p "$project/tests"
cat >"$project/tests/our_rules.rs" <<'RS'
//! Our rules on top of the generated service.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bookstore::{AppState, app, db};
use http_body_util::BodyExt;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &[u8] = b"our-test-secret";

async fn service() -> Router {
    let db = db::connect("sqlite::memory:").await.expect("database");
    app(AppState::new(db, SECRET))
}

fn admin_token() -> String {
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let claims = json!({ "sub": "tester", "roles": ["admin"], "exp": exp });
    jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET))
        .expect("token")
}

async fn send(app: &Router, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", admin_token()));
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

#[tokio::test]
async fn a_price_may_not_drop_by_more_than_half() {
    let app = service().await;
    let (status, author) = send(&app, "POST", "/api/authors", Some(json!({ "name": "Ann" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{author}");
    let book = json!({
        "title": "Rust",
        "subtitle": "The second edition",
        "price": "10.00",
        "author_id": author["id"],
    });
    let (status, created) = send(&app, "POST", "/api/books", Some(book.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["subtitle"], "The second edition");
    let uri = format!("/api/books/{}", created["id"].as_str().expect("id"));

    let mut cheaper = book.clone();
    cheaper["price"] = json!("4.00");
    let (status, problem) = send(&app, "PUT", &uri, Some(cheaper)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("more than half"), "{problem}");

    let mut discounted = book.clone();
    discounted["price"] = json!("6.00");
    let (status, updated) = send(&app, "PUT", &uri, Some(discounted)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (_, read) = send(&app, "GET", &uri, None).await;
    assert_eq!(read["price"], "6.00");
    assert_eq!(read["subtitle"], "The second edition");
}

#[tokio::test]
async fn our_route_is_served_beside_the_generated_api() {
    let app = service().await;
    let (status, hours) = send(&app, "GET", "/api/opening-hours", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hours["saturday"], "10-14");
}
RS

step "an edited generated file is refused without --force"
repo="$project/src/books/repo.rs"
echo "// a change of ours" >>"$repo"
cp "$repo" "$work/repo.rs.edited"
before=$(cd "$project" && find . -type f -not -path './target/*' -exec sha256sum {} + | sort)
set +e
"$specforge" generate "$spec" -t rust-axum -o "$project" >"$work/refused.txt" 2>&1
code=$?
set -e
cat "$work/refused.txt"
[ "$code" -eq 1 ] || fail "regenerating over an edited file exited $code, not 1"
grep -q "src/books/repo.rs" "$work/refused.txt" || fail "the edited file is not listed"
after=$(cd "$project" && find . -type f -not -path './target/*' -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "a refused regeneration wrote files"

step "with --force, only the edited file is overwritten"
"$specforge" generate "$spec" -t rust-axum -o "$project" --force >/dev/null
grep -q "a change of ours" "$repo" && fail "--force kept the edit"
cmp -s "$hooks" "$work/hooks.rs.mine" || fail "--force changed the hooks file"
[ -f "$project/tests/our_rules.rs" ] || fail "--force removed the user's test"

step "the project's tests, the generated ones and ours"
cd "$project"
CARGO_TARGET_DIR=$generated_target cargo test ${CARGO_LOCKED---locked} -q 2>&1 | tail -n 15
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the project's tests failed"
echo "regeneration scenario: passed"
