#!/usr/bin/env bash
# Runs a generated service and checks it against its own OpenAPI document with schemathesis:
# every phase (examples, coverage, fuzzing, stateful), every check, two workers, with a bearer
# token that holds every role of the specification. Fails on any failure.
#
# Usage: scripts/schemathesis-service.sh TARGET PROJECT_DIR SPEC
#   TARGET       rust-axum or python-fastapi
#   PROJECT_DIR  a generated project, already built (rust-axum: its binary in
#                SPECFORGE_GENERATED_TARGET) or installed (python-fastapi: SPECFORGE_VENV)
#   SPEC         the specification it was generated from (its roles go into the token)
# Environment: DATABASE_URL (the service's database; default SQLite in a temporary folder),
# SCHEMATHESIS_MAX_EXAMPLES (cases per operation, default 50), SCHEMATHESIS_SEED,
# SCHEMATHESIS_VENV, CARGO_TARGET_DIR (specforge's build, for `specforge inspect`).
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 TARGET PROJECT_DIR SPEC" >&2
  exit 2
fi
target=$1
project=$(cd "$2" && pwd)
spec=$3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
specforge_target=${CARGO_TARGET_DIR:-$root/target}
generated_target=${SPECFORGE_GENERATED_TARGET:-/var/tmp/specforge-generated-target}
python_venv=${SPECFORGE_VENV:-/var/tmp/specforge-venv}
version=4.32.5
venv=${SCHEMATHESIS_VENV:-$specforge_target/schemathesis-venv}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-50}

if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $version" ]]; then
  echo "+ installing schemathesis $version into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/specforge-schemathesis-service.XXXXXX")
server=""
cleanup() {
  if [[ -n $server ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

roles=$("$specforge_target/debug/specforge" inspect "$spec" |
  python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["roles"]))')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
database_url=${DATABASE_URL:-}

case $target in
  rust-axum)
    name=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$project/Cargo.toml" | head -n 1)
    binary="$generated_target/debug/$name"
    if [[ ! -x $binary ]]; then
      (cd "$project" && CARGO_TARGET_DIR=$generated_target cargo build -q --locked)
    fi
    [[ -n $database_url ]] || database_url="sqlite://$work/service.db?mode=rwc"
    (cd "$work" && exec env DATABASE_URL="$database_url" JWT_SECRET="$secret" \
      BIND_ADDRESS="127.0.0.1:$port" PORT="$port" RUST_LOG=warn "$binary") \
      >"$work/server.log" 2>&1 </dev/null &
    server=$!
    ;;
  python-fastapi)
    [[ -n $database_url ]] || database_url="sqlite:///$work/service.db"
    package_dir=$(find "$project/src" -mindepth 1 -maxdepth 1 -type d ! -name '__pycache__' | head -n 1)
    package=$(basename "$package_dir")
    (cd "$project" && DATABASE_URL="$database_url" JWT_SECRET="$secret" \
      PYTHONPATH=src "$python_venv/bin/alembic" upgrade head >"$work/migrate.log" 2>&1) || {
      cat "$work/migrate.log" >&2
      exit 1
    }
    (cd "$project" && exec env DATABASE_URL="$database_url" JWT_SECRET="$secret" PYTHONPATH=src \
      LOG_LEVEL=warning "$python_venv/bin/uvicorn" --factory "$package.main:create_app" \
      --host 127.0.0.1 --port "$port" --workers 1 --log-level warning) \
      >"$work/server.log" 2>&1 </dev/null &
    server=$!
    ;;
  *)
    echo "no service runner for target $target" >&2
    exit 2
    ;;
esac

# Waits for the service, then mints an HS256 token holding every role (standard library only).
token=$(python3 - "$base" "$server" "$secret" "$roles" <<'PY'
import base64, hashlib, hmac, json, os, sys, time, urllib.request
base, pid, secret, roles = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(base + "/openapi.json", timeout=2) as r:
            if r.status == 200:
                break
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the service exited before it was ready")
    if time.monotonic() > deadline:
        sys.exit("the service was not ready within 60 s")
    time.sleep(0.2)
def part(value):
    text = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).rstrip(b"=").decode()
head = part({"alg": "HS256", "typ": "JWT"})
body = part({"sub": "schemathesis", "roles": roles, "exp": int(time.time()) + 24 * 3600})
signature = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
print(f"{head}.{body}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode())
PY
) || {
  echo "the service did not start; its log:" >&2
  tail -n 50 "$work/server.log" >&2
  exit 1
}

seed=()
if [[ -n ${SCHEMATHESIS_SEED:-} ]]; then seed=(--seed "$SCHEMATHESIS_SEED"); fi
echo "+ schemathesis $version against the $target service: all phases, all checks, 2 workers" >&2
status=0
(cd "$work" && "$venv/bin/schemathesis" --no-color run "$base/openapi.json" \
  --phases examples,coverage,fuzzing,stateful \
  --checks all \
  --workers 2 \
  --max-examples "$max_examples" \
  --header "Authorization: Bearer $token" \
  --request-timeout 30 \
  "${seed[@]}") || status=$?
if [[ $status -ne 0 ]]; then
  echo "schemathesis failed (exit $status); the last lines of the service's log:" >&2
  tail -n 30 "$work/server.log" >&2
fi
exit "$status"
