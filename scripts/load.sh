#!/usr/bin/env bash
# Load test of the service: requests per second and p50/p99 latency of
#   GET  /api/v1/projects/{id}   and   POST /api/v1/projects
# on SQLite and on PostgreSQL, the server's memory at idle and under load, and, for
# PostgreSQL, the ceiling: pgbench running the same SELECT and INSERT with the same number
# of connections. Prints a Markdown table; docs/benchmarks.md records the numbers.
#
# Needs wrk (apt-get install -y wrk), curl, python3, and for PostgreSQL psql and pgbench with a
# server at PG_ADMIN_URL. Traffic goes to 127.0.0.1 only; every run is bounded by DURATION.
#
#   scripts/load.sh                 # both backends
#   BACKENDS=sqlite CONNECTIONS=32 scripts/load.sh
#   ROUNDS=5 BACKENDS=postgres scripts/load.sh
#   MODE=large-reads scripts/load.sh
#
# With ROUNDS=N (N > 1), PostgreSQL's GET and pgbench's SELECT, then its POST and pgbench's
# INSERT, alternate N more times and the script prints each round's ratio and their medians:
# the ceiling varies from minute to minute on a shared machine, and alternating rounds see the
# same conditions.
#
# MODE=large-reads measures whether large answers hold up small ones: the p99 of
# GET /api/v1/projects/{id} alone, then while LARGE_CONNECTIONS more clients read a 1 MiB
# specification (GET /api/v1/specs/{id}, each pausing LARGE_DELAY_MS between reads), and the
# ratio of the two.
#
# BIN=path runs that binary instead of building the release binary of this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
BACKENDS=${BACKENDS:-"sqlite postgres"}
ROUNDS=${ROUNDS:-1}
MODE=${MODE:-throughput}
LARGE_CONNECTIONS=${LARGE_CONNECTIONS:-2}
export LARGE_DELAY_MS=${LARGE_DELAY_MS:-10}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PG_LOAD_DB=${PG_LOAD_DB:-specforge_load}
# Connection options used by both the service and pgbench (TLS buys nothing on loopback).
PG_OPTIONS=${PG_OPTIONS:-sslmode=disable}
BASE="http://127.0.0.1:$PORT"

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "load.sh: $tool is needed" >&2; exit 2; }
done

if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p specforge
  BIN="${CARGO_TARGET_DIR:-target}/release/specforge"
fi
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The service's read of a project, as the ceiling runs it.
cat > "$WORK/select.sql" <<'SQL'
SELECT p.id, p.owner_id, p.name, p.description, p.created_at, p.updated_at,
       (SELECT count(*) FROM specs c WHERE c.project_id = p.id) AS spec_count
  FROM projects p WHERE p.id = :id AND p.owner_id = :owner;
SQL

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Runs a command with its output in a file while sampling the server's resident memory every
# 200 ms; prints the peak (kB).
peak_rss_during() {
  local pid=$1 out=$2; shift 2
  local peak_file="$WORK/peak"
  echo 0 > "$peak_file"
  ( while kill -0 "$pid" 2>/dev/null; do
      r=$(rss_kb "$pid" || echo 0); p=$(cat "$peak_file"); [ "$r" -gt "$p" ] && echo "$r" > "$peak_file"
      sleep 0.2
    done ) &
  local sampler=$!
  "$@" > "$out"
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  cat "$peak_file"
}

# wrk output -> "rps p50 p99" (latencies in ms).
parse_wrk() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v, unit):
    v = float(v)
    return {"us": v / 1000, "ms": v, "s": v * 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
lat = dict((p, ms(v, u)) for p, v, u in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)", text, re.M))
bad = re.search(r"non-2xx: (\d+)", text)
print(f"{rps:.0f} {lat.get('50', 0):.2f} {lat.get('99', 0):.2f} {bad.group(1) if bad else 0}")
PY
}

start_server() {
  local url=$1
  SPECFORGE_DATA="$WORK/data-$2"
  mkdir -p "$SPECFORGE_DATA"
  DATABASE_URL="$url" DATA_DIR="$SPECFORGE_DATA" BIND_ADDR="127.0.0.1:$PORT" DEV_LOGIN=true \
    JWT_SECRET_KEY="load-test-secret-that-is-long-enough-000" DATABASE_MAX_CONNECTIONS="$CONNECTIONS" \
    MAX_BODY_BYTES=4194304 \
    RUST_LOG=warn "$BIN" serve > "$WORK/server-$2.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs "$BASE/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "load.sh: the server did not become ready; its log:" >&2
  cat "$WORK/server-$2.log" >&2
  exit 1
}

stop_server() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=
}

if [ "$MODE" = large-reads ]; then
  echo "| backend | GET /projects/{id} | req/s | p50 ms | p99 ms | non-2xx | large reads/s |"
else
  echo "| backend | request | req/s | p50 ms | p99 ms | non-2xx | server memory |"
fi
echo "|---|---|---|---|---|---|---|"

# The small read alone, then beside clients reading a 1 MiB specification.
large_reads() {
  local backend=$1
  python3 - "$WORK/big.json" <<'PY'
import json, sys
line = "# " + "x" * 97 + "\n"
content = "specforge: 1\nname: big\n" + line * (1024 * 1024 // len(line))
json.dump({"name": "big", "format": "yaml", "content": content}, open(sys.argv[1], "w"))
PY
  SPEC=$(curl -fs -X POST "$BASE/api/v1/projects/$PROJECT/specs" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $TOKEN" --data-binary "@$WORK/big.json" | json_field "['id']")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/load/get_project.lua \
    "$BASE/api/v1/projects/$PROJECT" > "$WORK/alone.txt"
  read -r rps p50 alone_p99 bad < <(parse_wrk "$WORK/alone.txt")
  echo "| $backend | alone | $rps | $p50 | $alone_p99 | $bad | |"
  wrk -t1 -c"$LARGE_CONNECTIONS" -d"$((DURATION + 2))s" -s scripts/load/get_spec.lua \
    "$BASE/api/v1/specs/$SPEC" > "$WORK/large.txt" &
  local large=$!
  sleep 1
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/load/get_project.lua \
    "$BASE/api/v1/projects/$PROJECT" > "$WORK/beside.txt"
  wait "$large"
  read -r rps p50 p99 bad < <(parse_wrk "$WORK/beside.txt")
  read -r large_rps _ _ large_bad < <(parse_wrk "$WORK/large.txt")
  echo "| $backend | beside $LARGE_CONNECTIONS clients reading a 1 MiB specification | $rps | $p50 | $p99 | $bad | $large_rps ($large_bad non-2xx) |"
  ratio=$(python3 -c "print(f'{$p99 / $alone_p99:.2f}')")
  echo "| $backend | p99 beside large reads / p99 alone | | | ${ratio}x | | |"
  # What one large read costs the cores, whatever else the machine does: CPU time of the
  # database's processes and of the server while the large reads run alone.
  local db_before server_before db_after server_after
  db_before=$(cpu_ticks_of_database); server_before=$(cpu_ticks "$SERVER_PID")
  wrk -t1 -c"$LARGE_CONNECTIONS" -d"${DURATION}s" -s scripts/load/get_spec.lua \
    "$BASE/api/v1/specs/$SPEC" > "$WORK/large-alone.txt"
  db_after=$(cpu_ticks_of_database); server_after=$(cpu_ticks "$SERVER_PID")
  local reads
  reads=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$WORK/large-alone.txt")
  python3 - "$backend" "$reads" "$((db_after - db_before))" "$((server_after - server_before))" "$(getconf CLK_TCK)" <<'PY2'
import sys
backend, reads, db, server, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"| {backend} | CPU per large read, alone: database {1000 * db / hz / reads:.2f} ms, server {1000 * server / hz / reads:.2f} ms | {reads} reads | | | | |")
PY2
}

# CPU time (clock ticks, user + system) of a process, and of PostgreSQL's backends serving the
# load test's database (0 for SQLite, which runs in the server).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_ticks_of_database() {
  local total=0 pid
  for pid in $(pgrep -u postgres -f " $PG_LOAD_DB " 2>/dev/null || true); do
    total=$((total + $(cpu_ticks "$pid")))
  done
  echo "$total"
}

for backend in $BACKENDS; do
  case $backend in
    sqlite) url="sqlite:$WORK/load.db" ;;
    postgres)
      command -v psql >/dev/null && command -v pgbench >/dev/null || { echo "load.sh: psql and pgbench are needed" >&2; exit 2; }
      psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_LOAD_DB WITH (FORCE)" -c "CREATE DATABASE $PG_LOAD_DB"
      url="${PG_ADMIN_URL%/*}/$PG_LOAD_DB?$PG_OPTIONS" ;;
    *) echo "load.sh: unknown backend $backend" >&2; exit 2 ;;
  esac
  start_server "$url" "$backend"
  login=$(curl -fs -X POST "$BASE/api/v1/auth/dev-login" -H 'Content-Type: application/json' -d '{"email":"load@example.com","name":"Load"}')
  TOKEN=$(echo "$login" | json_field "['access_token']")
  OWNER=$(echo "$login" | json_field "['user']['id']")
  export TOKEN RUN_TAG="$backend-$$"
  PROJECT=$(curl -fs -X POST "$BASE/api/v1/projects" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
    -d '{"name":"load target","description":"read by the load test"}' | json_field "['id']")
  sleep 1
  idle=$(rss_kb "$SERVER_PID")
  if [ "$MODE" = large-reads ]; then
    large_reads "$backend"
    stop_server
    [ "$backend" = postgres ] && psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_LOAD_DB WITH (FORCE)"
    continue
  fi

  peak=$(peak_rss_during "$SERVER_PID" "$WORK/get.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
    --latency -s scripts/load/get_project.lua "$BASE/api/v1/projects/$PROJECT")
  read -r rps p50 p99 bad < <(parse_wrk "$WORK/get.txt")
  echo "| $backend | GET /projects/{id} | $rps | $p50 | $p99 | $bad | idle $((idle / 1024)) MB, peak $((peak / 1024)) MB |"

  peak=$(peak_rss_during "$SERVER_PID" "$WORK/post.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
    --latency -s scripts/load/post_project.lua "$BASE/api/v1/projects")
  read -r rps p50 p99 bad < <(parse_wrk "$WORK/post.txt")
  echo "| $backend | POST /projects | $rps | $p50 | $p99 | $bad | peak $((peak / 1024)) MB |"
  if [ "$backend" = postgres ] && [ "$ROUNDS" -gt 1 ]; then
    cat > "$WORK/insert.sql" <<SQL
INSERT INTO projects (id, owner_id, name, description, created_at, updated_at)
VALUES (gen_random_uuid(), :owner, 'pgbench-' || gen_random_uuid(), 'made by pgbench', now(), now());
SQL
    ratios=()
    post_ratios=()
    for round in $(seq 1 "$ROUNDS"); do
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/load/get_project.lua \
        "$BASE/api/v1/projects/$PROJECT" > "$WORK/round.txt"
      read -r rps p50 p99 bad < <(parse_wrk "$WORK/round.txt")
      pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$WORK/select.sql" \
        -D id="$PROJECT" -D owner="$OWNER" "${url}" > "$WORK/round-pgbench.txt" 2>&1
      tps=$(awk '/^tps = / {printf "%.0f", $3}' "$WORK/round-pgbench.txt")
      ratio=$(python3 -c "print(f'{100 * $rps / $tps:.1f}')")
      ratios+=("$ratio")
      echo "| postgres round $round | GET /projects/{id} against the same SELECT | $rps vs $tps | $p50 | $p99 | $bad | $ratio % |"
      RUN_TAG="$backend-$$-$round" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
        -s scripts/load/post_project.lua "$BASE/api/v1/projects" > "$WORK/round-post.txt"
      read -r rps p50 p99 bad < <(parse_wrk "$WORK/round-post.txt")
      pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$WORK/insert.sql" \
        -D owner="$OWNER" "${url}" > "$WORK/round-pgbench.txt" 2>&1
      tps=$(awk '/^tps = / {printf "%.0f", $3}' "$WORK/round-pgbench.txt")
      ratio=$(python3 -c "print(f'{100 * $rps / $tps:.1f}')")
      post_ratios+=("$ratio")
      echo "| postgres round $round | POST /projects against the same INSERT | $rps vs $tps | $p50 | $p99 | $bad | $ratio % |"
    done
    median() { printf '%s\n' "$@" | python3 -c "import statistics, sys; print(statistics.median(float(l) for l in sys.stdin))"; }
    echo "| postgres, $ROUNDS rounds | median ratio of GET to the pgbench SELECT | | | | | $(median "${ratios[@]}") % |"
    echo "| postgres, $ROUNDS rounds | median ratio of POST to the pgbench INSERT | | | | | $(median "${post_ratios[@]}") % |"
  fi
  stop_server

  if [ "$backend" = postgres ]; then
    db_url="${PG_ADMIN_URL%/*}/$PG_LOAD_DB?$PG_OPTIONS"
    cat > "$WORK/insert.sql" <<SQL
INSERT INTO projects (id, owner_id, name, description, created_at, updated_at)
VALUES (gen_random_uuid(), :owner, 'pgbench-' || gen_random_uuid(), 'made by pgbench', now(), now());
SQL
    for kind in select insert; do
      pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$WORK/$kind.sql" \
        -D id="$PROJECT" -D owner="$OWNER" "$db_url" > "$WORK/pgbench-$kind.txt" 2>&1
      tps=$(awk '/^tps = / {printf "%.0f", $3}' "$WORK/pgbench-$kind.txt")
      lat=$(awk '/^latency average = / {print $4}' "$WORK/pgbench-$kind.txt")
      echo "| postgres (pgbench ceiling) | same $(echo $kind | tr a-z A-Z) | $tps | avg $lat | | | |"
    done
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_LOAD_DB WITH (FORCE)"
  fi
done
