#!/usr/bin/env bash
# Verifies the rust-axum target on one specification: generates the project into a fresh
# temporary folder, then runs `cargo fmt --check`, `cargo clippy --locked --all-targets -- -D
# warnings` and `cargo test --locked` in it (SQLite), and `cargo test --locked` again against
# PostgreSQL when TEST_DATABASE_URL names a server (each test creates and drops its own
# database there). `--locked`: the project must build with the Cargo.lock it ships.
#
# Usage: [OPTIONS=database=postgres] scripts/verify/rust-axum.sh SPEC
# A database=postgres project is tested on PostgreSQL only (TEST_DATABASE_URL is required).
# Environment: CARGO_TARGET_DIR (specforge's build), SPECFORGE_GENERATED_TARGET (shared target
# folder of generated projects, default /var/tmp/specforge-generated-target), TEST_DATABASE_URL,
# KEEP=1 to keep the generated project.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 SPEC" >&2
    exit 2
fi
spec=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
specforge_target=${CARGO_TARGET_DIR:-$root/target}
generated_target=${SPECFORGE_GENERATED_TARGET:-/var/tmp/specforge-generated-target}

run() {
    echo "+ $*" >&2
    "$@"
}

run cargo build -q -p specforge --manifest-path "$root/Cargo.toml"
out=$(mktemp -d "${TMPDIR:-/tmp}/specforge-rust-axum.XXXXXX")
if [ "${KEEP:-}" != 1 ]; then
    trap 'rm -rf "$out"' EXIT
fi
# OPTIONS (for example `database=postgres`) are passed to the target as -O options.
options=()
for option in ${OPTIONS:-}; do
    options+=(-O "$option")
done
database=sqlite
case " ${OPTIONS:-} " in
    *" database=postgres "*) database=postgres ;;
esac
run "$specforge_target/debug/specforge" generate "$spec" -t rust-axum -o "$out/project" --force \
    ${options[@]+"${options[@]}"}
cd "$out/project"
echo "files generated: $(find . -type f | wc -l)" >&2
export CARGO_TARGET_DIR=$generated_target
run cargo fmt --check
run cargo clippy -q --locked --all-targets -- -D warnings
unset TEST_DATABASE_URL_SAVED
if [ -n "${TEST_DATABASE_URL:-}" ]; then
    TEST_DATABASE_URL_SAVED=$TEST_DATABASE_URL
fi
if [ "$database" = sqlite ]; then
    run env -u TEST_DATABASE_URL cargo test -q --locked 2>&1 | tail -n 30
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then exit 1; fi
elif [ -z "${TEST_DATABASE_URL_SAVED:-}" ]; then
    echo "a database=postgres project is tested with TEST_DATABASE_URL set" >&2
    exit 1
else
    echo "+ TEST_DATABASE_URL=... cargo test --locked (PostgreSQL)" >&2
    # Each test creates and drops its own database: waiting on PostgreSQL, not on the CPU.
    TEST_DATABASE_URL=$TEST_DATABASE_URL_SAVED cargo test -q --locked -- \
        --test-threads="${SPECFORGE_PG_TEST_THREADS:-6}" 2>&1 | tail -n 30
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then exit 1; fi
fi
echo "rust-axum: $spec verified" >&2
