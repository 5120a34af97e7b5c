#!/usr/bin/env bash
# A user's life with a generated python-fastapi project, end to end:
#   1. generate the bookstore service;
#   2. write a rule of their own in the user-owned service module ("a book's price may not
#      drop by more than half") and a route of their own in routers/custom.py;
#   3. change the specification (a new field) and regenerate into the same folder: the rule, the
#      route and the first migration must still be there; the user adds a migration of the new
#      field with `alembic revision --autogenerate`, and the new field must work;
#   4. edit a generated file and regenerate: refused (exit 1, the file listed, nothing written)
#      without --force, overwritten with it;
#   5. run the project's tests, the generated ones and the user's own test of the rule, the
#      route and the new field, with pytest.
#
# Environment: CARGO_TARGET_DIR (specforge's build), SPECFORGE_VENV (virtualenv of the generated
# projects' pinned dependencies, default /var/tmp/specforge-venv, made when missing or stale),
# SPECFORGE_BIN (a specforge binary to use instead of building this checkout's), KEEP=1 keeps
# the project.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/specforge-target}"
venv=${SPECFORGE_VENV:-/var/tmp/specforge-venv}
if [ -z "${SPECFORGE_BIN:-}" ]; then
  cargo build -q --locked -p specforge
fi
specforge=${SPECFORGE_BIN:-$CARGO_TARGET_DIR/debug/specforge}

work=$(mktemp -d "${TMPDIR:-/tmp}/specforge-python-regeneration.XXXXXX")
if [ "${KEEP:-}" != 1 ]; then
  trap 'rm -rf "$work"' EXIT
fi
project="$work/bookstore"
spec="$work/bookstore.yaml"
cp "$root/examples/bookstore.yaml" "$spec"

fail() {
  echo "python regeneration scenario: $*" >&2
  exit 1
}
step() {
  echo "== $*"
}

step "generate the bookstore service"
"$specforge" generate "$spec" -t python-fastapi -o "$project" >/dev/null

step "the user's rule, in the service module they own"
service="$project/src/bookstore/services/book.py"
[ -f "$service" ] || fail "no $service"
python3 - "$service" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
rule = '''def before_update(session: Session, row: Book, data: BookInput) -> None:
    """A book's price may not drop by more than half."""
    if row.price is not None and data.price is not None and data.price * 2 < row.price:
        raise invalid("price", "may not drop by more than half of the current price")
'''
pattern = re.compile(r"def before_update\(.*?\n    \"\"\".*?\"\"\"\n", re.S)
text, count = pattern.subn(rule, text, count=1)
if count != 1:
    sys.exit("the generated before_update hook was not found")
anchor = "from ..models.book import Book\n"
if anchor not in text:
    sys.exit("the service module does not import the model as expected")
text = text.replace(anchor, "from ..errors import invalid\n" + anchor, 1)
open(path, "w").write(text)
PY

step "the user's route, in the custom-routes module they own"
custom="$project/src/bookstore/routers/custom.py"
cat >"$custom" <<'PY'
"""Routes of our own."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/api/opening-hours")
def opening_hours() -> dict[str, str]:
    return {"weekdays": "9-18", "saturday": "10-14"}
PY
cp "$service" "$work/service.py.mine"
cp "$custom" "$work/custom.py.mine"
first="$project/migrations/versions/0001_initial.py"
cp "$first" "$work/0001_initial.py.first"

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
"$specforge" generate "$spec" -t python-fastapi -o "$project" | tee "$work/regenerate.txt"
cmp -s "$service" "$work/service.py.mine" || fail "the service module was changed by regeneration"
cmp -s "$custom" "$work/custom.py.mine" || fail "the custom routes were changed by regeneration"
grep -q "subtitle" "$project/src/bookstore/models/book.py" || fail "the new field is not in the model"
cmp -s "$first" "$work/0001_initial.py.first" \
  || fail "the first migration, history once written, was changed by regeneration"

step "the user's own test of the rule, the route and the new field"
cat >"$project/tests/test_our_rules.py" <<'PY'
"""Our rules on top of the generated service."""

from fastapi.testclient import TestClient

from support import bearer

ADMIN = bearer("admin")


def test_a_price_may_not_drop_by_more_than_half(client: TestClient) -> None:
    author = client.post("/api/authors", json={"name": "Ann"}, headers=ADMIN)
    assert author.status_code == 201, author.text
    book = {
        "title": "Python",
        "subtitle": "The second edition",
        "price": "10.00",
        "author_id": author.json()["id"],
    }
    created = client.post("/api/books", json=book, headers=ADMIN)
    assert created.status_code == 201, created.text
    assert created.json()["subtitle"] == "The second edition"
    path = f"/api/books/{created.json()['id']}"

    cheaper = client.put(path, json={**book, "price": "4.00"}, headers=ADMIN)
    assert cheaper.status_code == 422, cheaper.text
    assert "more than half" in cheaper.text
    assert cheaper.json()["errors"][0]["field"] == "price"

    discounted = client.put(path, json={**book, "price": "6.00"}, headers=ADMIN)
    assert discounted.status_code == 200, discounted.text
    read = client.get(path, headers=ADMIN).json()
    assert read["price"] == "6.00"
    assert read["subtitle"] == "The second edition"


def test_our_route_is_served_beside_the_generated_api(client: TestClient) -> None:
    response = client.get("/api/opening-hours")
    assert response.status_code == 200
    assert response.json()["saturday"] == "10-14"
PY

step "an edited generated file is refused without --force"
repo="$project/src/bookstore/repositories/book.py"
echo "# a change of ours" >>"$repo"
before=$(cd "$project" && find . -type f -not -path './.venv/*' -exec sha256sum {} + | sort)
set +e
"$specforge" generate "$spec" -t python-fastapi -o "$project" >"$work/refused.txt" 2>&1
code=$?
set -e
cat "$work/refused.txt"
[ "$code" -eq 1 ] || fail "regenerating over an edited file exited $code, not 1"
grep -q "src/bookstore/repositories/book.py" "$work/refused.txt" || fail "the edited file is not listed"
after=$(cd "$project" && find . -type f -not -path './.venv/*' -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "a refused regeneration wrote files"

step "with --force, only the edited file is overwritten"
"$specforge" generate "$spec" -t python-fastapi -o "$project" --force >/dev/null
grep -q "a change of ours" "$repo" && fail "--force kept the edit"
cmp -s "$service" "$work/service.py.mine" || fail "--force changed the service module"
[ -f "$project/tests/test_our_rules.py" ] || fail "--force removed the user's test"

cd "$project"
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null &&
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || fail "no Python 3.11 or newer found"
pins=$("$python" - <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
PY
)
wanted=$(echo "$pins" | sha256sum | cut -d' ' -f1)
stamp="$venv/.specforge-requirements"
if [[ ! -x $venv/bin/python || $(cat "$stamp" 2>/dev/null || true) != "$wanted" ]]; then
  "$python" -m venv --clear "$venv"
  echo "$pins" >"$work/pins.txt"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$work/pins.txt"
  echo "$wanted" >"$stamp"
fi

step "a migration of the new field, as Alembic writes it from the models"
export PATH="$venv/bin:$PATH"
database="sqlite:///$work/migrate.db"
DATABASE_URL=$database JWT_SECRET=scenario alembic upgrade head >/dev/null
DATABASE_URL=$database JWT_SECRET=scenario alembic revision --autogenerate -m "book subtitle" \
  >"$work/revision.txt" 2>&1 || { cat "$work/revision.txt"; fail "alembic revision failed"; }
second=$(ls migrations/versions/*book_subtitle*.py 2>/dev/null | head -n 1)
[ -n "$second" ] || fail "alembic wrote no migration"
grep -q "subtitle" "$second" || fail "the new migration does not add the field"
DATABASE_URL=$database JWT_SECRET=scenario alembic upgrade head >/dev/null
DATABASE_URL=$database JWT_SECRET=scenario alembic check || fail "the models and the migrations differ"

step "the project's linters and type checker, over the generated code and ours"
ruff check --no-cache .
ruff format --no-cache --check .
MYPY_CACHE_DIR="$venv/.mypy-cache" mypy

step "the project's tests, the generated ones and ours"
env -u DATABASE_URL JWT_SECRET= "$venv/bin/python" -m pytest -q -p no:cacheprovider 2>&1 | grep -v '^{' | tail -n 15
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the project's tests failed"
grep -q "test_a_price_may_not_drop_by_more_than_half" tests/test_our_rules.py
echo "python regeneration scenario: passed"
