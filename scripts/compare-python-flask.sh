#!/usr/bin/env bash
# Compares the python-fastapi project specforge generates with the one OpenAPI Generator's
# python-flask generator writes for the same domain: generation time, files, lines of Python
# per entity (tests apart), test functions and test lines. Prints a Markdown table; the numbers
# are recorded in docs/benchmarks.md.
#
#   scripts/compare-python-flask.sh                          # examples/erp.yaml
#   SPEC=examples/bookstore.yaml scripts/compare-python-flask.sh
#
# Needs java (17 or later) and python3; OpenAPI Generator comes from PyPI (the
# `openapi-generator-cli` package bundles its jar) into a virtual environment under OAG_VENV.
# It reads specforge's own OpenAPI document of the same specification, so both generators see
# the same entities, fields and operations.
set -euo pipefail
cd "$(dirname "$0")/.."

SPEC=${SPEC:-examples/erp.yaml}
OAG_VERSION=${OAG_VERSION:-7.26.0}
OAG_VENV=${OAG_VENV:-/var/tmp/specforge-openapi-generator}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/specforge-target}"

for tool in java python3; do
  command -v "$tool" >/dev/null || { echo "compare-python-flask.sh: $tool is needed" >&2; exit 2; }
done
if [ ! -x "$OAG_VENV/bin/openapi-generator-cli" ] \
  || [ "$("$OAG_VENV/bin/pip" show openapi-generator-cli 2>/dev/null | sed -n 's/^Version: //p')" != "$OAG_VERSION" ]; then
  python3 -m venv "$OAG_VENV"
  "$OAG_VENV/bin/pip" install -q "openapi-generator-cli==$OAG_VERSION"
fi

cargo build -q --release -p specforge
specforge="$CARGO_TARGET_DIR/release/specforge"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

entities=$("$specforge" check "$SPEC" --json | python3 -c \
  'import json, sys; print(json.load(sys.stdin)["summary"]["entities"])')

elapsed() {
  python3 -c "import time; print(f'{time.time() - $1:.2f}')"
}
start=$(date +%s.%N)
"$specforge" generate "$SPEC" -t python-fastapi -o "$work/specforge" >/dev/null
ours_gen=$(elapsed "$start")
"$specforge" generate "$SPEC" -t openapi -o "$work/document" >/dev/null
start=$(date +%s.%N)
"$OAG_VENV/bin/openapi-generator-cli" generate -g python-flask -i "$work/document/openapi.json" \
  -o "$work/openapi-generator" --skip-validate-spec >"$work/oag.log" 2>&1 \
  || { cat "$work/oag.log" >&2; exit 1; }
theirs_gen=$(elapsed "$start")

# Python files outside and inside the tests' folders.
code_lines() {
  find "$1" -name '*.py' -not -path '*/test/*' -not -path '*/tests/*' -print0 | xargs -0 cat | wc -l
}
test_files() {
  find "$1" -name '*.py' \( -path '*/test/*' -o -path '*/tests/*' \) -print0
}
test_lines() {
  test_files "$1" | xargs -0 -r cat | wc -l
}
test_count() {
  test_files "$1" | xargs -0 -r grep -hE '^\s*(async )?def test_' | wc -l
}
files() {
  find "$1" -type f | wc -l
}

ours=$(code_lines "$work/specforge")
theirs=$(code_lines "$work/openapi-generator")
echo "$SPEC: $entities entities"
echo
echo "| generator | generation | files | lines of Python (tests apart) | per entity | tests | test lines |"
echo "|---|---|---|---|---|---|---|"
echo "| specforge python-fastapi | ${ours_gen} s | $(files "$work/specforge") | $ours | $((ours / entities)) | $(test_count "$work/specforge") | $(test_lines "$work/specforge") |"
echo "| OpenAPI Generator $OAG_VERSION python-flask | ${theirs_gen} s | $(files "$work/openapi-generator") | $theirs | $((theirs / entities)) | $(test_count "$work/openapi-generator") | $(test_lines "$work/openapi-generator") |"
