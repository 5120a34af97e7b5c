#!/usr/bin/env bash
# Verifies the python-fastapi target on one specification: generates the project into a fresh
# temporary folder, installs its pinned dependencies into a shared virtualenv
# (${SPECFORGE_VENV:-/var/tmp/specforge-venv}, reused while the requirements are unchanged),
# runs `ruff check`, `ruff format --check` and the generated tests on SQLite, and, when
# TEST_DATABASE_URL is set (a postgres:// URL of a server where CREATE DATABASE is allowed),
# again on a fresh PostgreSQL database made for the run and dropped after it (named
# ${SPECFORGE_DB_PREFIX:-sf_py}_<time>_<pid>).
#
# Usage: scripts/verify/python-fastapi.sh SPEC
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 SPEC" >&2
    exit 2
fi
spec=$(realpath "$1")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
venv=${SPECFORGE_VENV:-/var/tmp/specforge-venv}
started=$SECONDS

run() {
    echo "+ $*" >&2
    "$@"
}

run cargo build -q -p specforge --manifest-path "$root/Cargo.toml"

work=$(mktemp -d "${TMPDIR:-/tmp}/specforge-python-fastapi.XXXXXX")
database=""
cleanup() {
    if [[ -n $database ]]; then
        "$venv/bin/python" - "$TEST_DATABASE_URL" "$database" drop <<'PY' || true
import sys
import psycopg
from psycopg import sql
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(sys.argv[2])))
PY
    fi
    rm -rf "$work"
}
trap cleanup EXIT

project="$work/project"
run "$target_dir/debug/specforge" generate "$spec" -t python-fastapi -o "$project" --force
echo "generated $(find "$project" -type f | wc -l) files into $project" >&2
cd "$project"

# A Python of at least 3.11 for the virtualenv.
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python=$candidate
        break
    fi
done
if [[ -z $python ]]; then
    echo "python-fastapi: no Python 3.11 or newer found" >&2
    exit 1
fi

# The pinned dependencies of pyproject.toml (the project's own and its `dev` extra), installed
# without building the project itself (the tests import it from src/).
pins=$("$python" - <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
PY
)
wanted=$(echo "$pins" | sha256sum | cut -d' ' -f1)
stamp="$venv/.specforge-requirements"
if [[ ! -x $venv/bin/python || $(cat "$stamp" 2>/dev/null || true) != "$wanted" ]]; then
    run "$python" -m venv --clear "$venv"
    echo "$pins" >"$work/pins.txt"
    run "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$work/pins.txt"
    echo "$wanted" >"$stamp"
else
    echo "reusing the virtualenv $venv" >&2
fi

export PATH="$venv/bin:$PATH"
run ruff check --no-cache .
run ruff format --no-cache --check .
MYPY_CACHE_DIR="$venv/.mypy-cache" run mypy
# The migration and the models agree: after `upgrade head` Alembic finds nothing to change.
check_migrations() {
    run env DATABASE_URL="$1" JWT_SECRET=verify alembic upgrade head
    run env DATABASE_URL="$1" JWT_SECRET=verify alembic check
    run env DATABASE_URL="$1" JWT_SECRET=verify alembic downgrade base
}
check_migrations "sqlite:///$work/alembic-check.db"
run env -u DATABASE_URL JWT_SECRET= python -m pytest -q -p no:cacheprovider

if [[ -n ${TEST_DATABASE_URL:-} ]]; then
    database="${SPECFORGE_DB_PREFIX:-sf_py}_$(date +%s)_$$"
    url=$(python - "$TEST_DATABASE_URL" "$database" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit
import psycopg
from psycopg import sql
admin, name = sys.argv[1], sys.argv[2]
with psycopg.connect(admin, autocommit=True) as conn:
    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
parts = urlsplit(admin)
print(urlunsplit(parts._replace(path="/" + name)))
PY
)
    echo "+ created the PostgreSQL database $database" >&2
    check_migrations "$url"
    run env DATABASE_URL="$url" python -m pytest -q -p no:cacheprovider
fi

echo "python-fastapi: $(basename "$spec") passed in $((SECONDS - started))s" >&2
