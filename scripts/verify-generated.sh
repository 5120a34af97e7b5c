#!/usr/bin/env bash
# Generates projects and proves they work: installs their dependencies, runs their linters and
# their own tests (scripts/verify/<target>.sh does the work for one target and one spec).
#
#   scripts/verify-generated.sh TARGET SPEC...   one target, the given specifications
#   scripts/verify-generated.sh --all            every target with a script in scripts/verify/,
#                                                every example
#
# With TEST_DATABASE_URL set (a PostgreSQL server where the script may create databases), the
# generated tests also run against PostgreSQL. Specifications that generate the very same files
# as one already verified (the same digest) are not verified twice.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/specforge-target}"
cargo build -q --locked -p specforge
specforge="$CARGO_TARGET_DIR/debug/specforge"

if [[ "${1:-}" == "--all" ]]; then
  shift
  all=1
  targets=()
  for script in scripts/verify/*.sh; do
    targets+=("$(basename "$script" .sh)")
  done
  specs=()
  for f in examples/*.yaml examples/*.json examples/*.md; do
    specs+=("$f")
  done
else
  if [[ $# -lt 2 ]]; then
    echo "usage: $0 TARGET SPEC... | --all" >&2
    exit 2
  fi
  targets=("$1")
  shift
  specs=("$@")
fi

failures=()
declare -A verified=()
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  script="$root/scripts/verify/$target.sh"
  if [[ ! -x "$script" ]]; then
    echo "no verification script for target $target ($script)" >&2
    exit 2
  fi
  for spec in "${specs[@]}"; do
    rm -f "$scratch/probe.tar.gz"
    digest=$("$specforge" generate "$spec" --target "$target" --archive "$scratch/probe.tar.gz" | sed -n 's/^digest sha256://p')
    if [[ -n "${verified[$target/$digest]:-}" ]]; then
      echo "== $target $spec: the same files as ${verified[$target/$digest]} (digest ${digest:0:12}), verified already"
      continue
    fi
    echo "== $target $spec (digest ${digest:0:12})"
    start=$SECONDS
    if "$script" "$spec"; then
      echo "== $target $spec: passed in $((SECONDS - start)) s"
      verified[$target/$digest]=$spec
    else
      echo "== $target $spec: FAILED after $((SECONDS - start)) s"
      failures+=("$target $spec")
    fi
  done
done

# With a PostgreSQL server, --all also verifies rust-axum projects made for PostgreSQL.
if [[ -n "${all:-}" && -n "${TEST_DATABASE_URL:-}" && -x scripts/verify/rust-axum.sh ]]; then
  for spec in examples/hostile.yaml examples/bookstore.yaml; do
    echo "== rust-axum $spec (database=postgres)"
    if OPTIONS=database=postgres scripts/verify/rust-axum.sh "$spec"; then
      echo "== rust-axum $spec (database=postgres): passed"
    else
      failures+=("rust-axum $spec (database=postgres)")
    fi
  done
fi

if [[ ${#failures[@]} -gt 0 ]]; then
  echo "verification failed for:" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "every generated project passed"
