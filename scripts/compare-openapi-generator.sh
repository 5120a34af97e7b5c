#!/usr/bin/env bash
# Compares the rust-axum project specforge generates with the one OpenAPI Generator's rust-axum
# generator writes for the same domain: generation time, files, lines of Rust per entity, and
# the time of a clean `cargo build` of each (dependencies fetched beforehand, so downloads are
# not counted; each build gets a fresh target folder). Prints a Markdown table; the numbers are
# recorded in docs/benchmarks.md.
#
#   scripts/compare-openapi-generator.sh                 # examples/erp.yaml
#   SPEC=examples/bookstore.yaml scripts/compare-openapi-generator.sh
#   SKIP_BUILD=1 scripts/compare-openapi-generator.sh    # lines and generation time only
#
# Needs java (17 or later) and python3; OpenAPI Generator comes from PyPI (the
# `openapi-generator-cli` package bundles its jar) into a virtual environment under
# OAG_VENV. OpenAPI Generator reads specforge's own OpenAPI document of the same
# specification, so both generators see the same entities, fields and operations.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

SPEC=${SPEC:-examples/erp.yaml}
OAG_VERSION=${OAG_VERSION:-7.26.0}
OAG_VENV=${OAG_VENV:-/var/tmp/specforge-openapi-generator}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/specforge-target}"

for tool in java python3; do
  command -v "$tool" >/dev/null || { echo "compare-openapi-generator.sh: $tool is needed" >&2; exit 2; }
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

start=$(date +%s.%N)
"$specforge" generate "$SPEC" -t rust-axum -o "$work/specforge" >/dev/null
ours_gen=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
"$specforge" generate "$SPEC" -t openapi -o "$work/document" >/dev/null
start=$(date +%s.%N)
"$OAG_VENV/bin/openapi-generator-cli" generate -g rust-axum -i "$work/document/openapi.json" \
  -o "$work/openapi-generator" --skip-validate-spec >"$work/oag.log" 2>&1 \
  || { cat "$work/oag.log" >&2; exit 1; }
theirs_gen=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")

# Lines of Rust, tests apart: what a maintainer reads.
rust_lines() {
  find "$1" -name '*.rs' -not -path '*/tests/*' -print0 | xargs -0 cat | wc -l
}
test_lines() {
  if [ -d "$1/tests" ]; then find "$1/tests" -name '*.rs' -print0 | xargs -0 cat | wc -l; else echo 0; fi
}
files() {
  find "$1" -type f | wc -l
}

clean_build() {
  local dir=$1
  (cd "$dir" && cargo fetch -q)
  local target
  target=$(mktemp -d /var/tmp/specforge-compare-build.XXXXXX)
  local start end
  start=$(date +%s)
  (cd "$dir" && CARGO_TARGET_DIR=$target cargo build -q --all-targets >/dev/null 2>"$work/build.log") \
    || { cat "$work/build.log" >&2; rm -rf "$target"; return 1; }
  end=$(date +%s)
  rm -rf "$target"
  echo $((end - start))
}

if [ -n "${SKIP_BUILD:-}" ]; then
  ours_build="-"
  theirs_build="-"
else
  ours_build="$(clean_build "$work/specforge") s"
  theirs_build="$(clean_build "$work/openapi-generator") s"
fi

ours_lines=$(rust_lines "$work/specforge")
theirs_lines=$(rust_lines "$work/openapi-generator")
echo "$SPEC: $entities entities"
echo
echo "| generator | generation | files | lines of Rust (tests apart) | per entity | test lines | clean build (all targets) |"
echo "|---|---|---|---|---|---|---|"
echo "| specforge rust-axum | ${ours_gen} s | $(files "$work/specforge") | $ours_lines | $((ours_lines / entities)) | $(test_lines "$work/specforge") | $ours_build |"
echo "| OpenAPI Generator $OAG_VERSION rust-axum | ${theirs_gen} s | $(files "$work/openapi-generator") | $theirs_lines | $((theirs_lines / entities)) | $(test_lines "$work/openapi-generator") | $theirs_build |"
