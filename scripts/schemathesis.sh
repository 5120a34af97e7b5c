#!/usr/bin/env bash
# Checks the served OpenAPI document against the server with schemathesis: every phase
# (examples, coverage, fuzzing, stateful) and every check, signed in by development login.
# Fails on any failure: a 5xx, a response outside the document, a schema-valid request refused
# or a schema-violating one accepted.
#
# Builds the debug binary, serves it on a free port of 127.0.0.1 with SQLite in a temporary
# folder, and installs schemathesis from PyPI into a virtual environment under the cargo target
# folder the first time (SCHEMATHESIS_VENV to choose another). SCHEMATHESIS_MAX_EXAMPLES sets the
# cases per operation (default 100, about a minute); SCHEMATHESIS_SEED repeats a run.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
target="${CARGO_TARGET_DIR:-$PWD/target}"
venv="${SCHEMATHESIS_VENV:-$target/schemathesis-venv}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-100}"

echo "== building specforge (debug)"
cargo build -p specforge --locked --quiet
binary="$target/debug/specforge"

if [ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $version" ]; then
  echo "== installing schemathesis $version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/specforge-schemathesis.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
secret="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
echo "== serving on $base (SQLite in $work)"
# In the temporary folder, so that no `.env` of the checkout changes the settings.
(
  cd "$work"
  exec env APP_ENV=development DATABASE_URL="sqlite:$work/specforge.db" DATA_DIR="$work" \
    DEV_LOGIN=true BIND_ADDR="127.0.0.1:$port" JWT_SECRET_KEY="$secret" LOG_FORMAT=json \
    "$binary" serve
) >"$work/server.log" 2>&1 </dev/null &
server=$!

# Waits for readiness, then signs in; both with Python's standard library, which the virtual
# environment needs anyway.
token="$(python3 - "$base" "$server" <<'PY'
import json, os, sys, time, urllib.request
base, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(base + "/health/ready", timeout=2) as r:
            if r.status == 200:
                break
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the server exited before it was ready")
    if time.monotonic() > deadline:
        sys.exit("the server was not ready within 60 s")
    time.sleep(0.2)
request = urllib.request.Request(
    base + "/api/v1/auth/dev-login",
    data=json.dumps({"email": "schemathesis@example.com"}).encode(),
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=10) as r:
    print(json.load(r)["access_token"])
PY
)" || {
  echo "the server did not start; its log:" >&2
  tail -n 50 "$work/server.log" >&2
  exit 1
}

seed=()
if [ -n "${SCHEMATHESIS_SEED:-}" ]; then seed=(--seed "$SCHEMATHESIS_SEED"); fi
echo "== schemathesis $version: all phases, all checks, $max_examples examples per operation"
status=0
config="$PWD/scripts/schemathesis.toml"
# From the temporary folder: schemathesis keeps a cache of past failures in its working folder,
# which must not land in the checkout or make one run depend on another.
(cd "$work" && "$venv/bin/schemathesis" --no-color --config-file "$config" run \
  "$base/api/v1/openapi.json" \
  --phases examples,coverage,fuzzing,stateful \
  --checks all \
  --max-examples "$max_examples" \
  --header "Authorization: Bearer $token" \
  --request-timeout 30 \
  "${seed[@]}") || status=$?
if [ "$status" -ne 0 ]; then
  echo "schemathesis failed (exit $status); the last lines of the server log:" >&2
  tail -n 30 "$work/server.log" >&2
fi
exit "$status"
