#!/usr/bin/env bash
# End-to-end blue/green on a real Flink engine and the real Flink SQL
# Gateway (pyflink's Flink 2.3 and tests/e2e/flink-sql-gateway/, started by
# scripts/flink-local.sh): deploy a small pipeline (filesystem connectors)
# into a persistent catalog, feed it, change one intermediate, rewrite,
# deploy green while blue keeps producing, await green, validate (synthetic
# records, counts, duplicates, aggregates, freshness), roll back, deploy
# again, promote (stop with a real savepoint), roll back after the
# promotion (blue resumes from its savepoint), deploy, validate and promote
# again, clean up.
#
# Every request greenlight sends goes through `prism proxy` with the SQL
# Gateway spec (--errors: a request or an answer off the spec fails).
#
# Skips (exit 0, with the reason) when Java or Flink cannot be started,
# unless GREENLIGHT_REQUIRE_FLINK=1 (CI), where that is a failure. Every
# wait is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
T0=$SECONDS
skip() {
  if [ "${GREENLIGHT_REQUIRE_FLINK:-0}" = 1 ]; then echo "e2e: FAILED: $*" >&2; exit 1; fi
  echo "e2e: SKIPPED: $*"; exit 0
}
command -v java >/dev/null || skip "java is not installed"
FLINK_OUT="$("$ROOT/scripts/flink-local.sh" start)" || skip "flink did not start (scripts/flink-local.sh)"
eval "$FLINK_OUT"
PY="$FLINK_VENV/bin/python"
echo "e2e: Flink and the SQL Gateway up after $((SECONDS - T0))s"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # Cancel the jobs this test started.
  for j in $(curl -s --max-time 5 "$FLINK_REST/jobs/overview" | "$PY" -c 'import json,sys; print(" ".join(j["jid"] for j in json.load(sys.stdin)["jobs"] if j["state"]=="RUNNING"))' 2>/dev/null); do
    curl -s --max-time 5 -X PATCH "$FLINK_REST/jobs/$j?mode=cancel" >/dev/null || true
  done
  [ "${KEEP_E2E:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# SQL straight to the gateway (setup and checks, not greenlight): prints
# the rows as JSON lines.
gw_sql() {
  "$PY" - "$FLINK_GATEWAY" "$1" <<'PYEOF'
import json, sys, time, urllib.request
gw, sql = sys.argv[1], sys.argv[2]
def req(method, path, body=None):
    r = urllib.request.Request(gw + path, method=method, headers={"Content-Type": "application/json"},
                               data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(r, timeout=30) as f:
        return json.loads(f.read() or b"null")
s = req("POST", "/sessions", {"properties": {}})["sessionHandle"]
op = req("POST", f"/sessions/{s}/statements", {"statement": sql})["operationHandle"]
for _ in range(300):
    if req("GET", f"/sessions/{s}/operations/{op}/status")["status"] not in ("PENDING", "RUNNING", "INITIALIZED"):
        break
    time.sleep(0.2)
token = "0"
for _ in range(300):
    v = req("GET", f"/sessions/{s}/operations/{op}/result/{token}?rowFormat=JSON")
    for r in v["results"]["data"]:
        print(json.dumps(r["fields"]))
    if v["resultType"] == "EOS":
        break
    if v["resultType"] == "NOT_READY":
        time.sleep(0.2)
    token = v["nextResultUri"].rsplit("/", 1)[1].split("?")[0]
req("DELETE", f"/sessions/{s}")
PYEOF
}

# A persistent catalog for the pipeline (the test catalog shares one
# in-memory catalog across sessions, as a metastore would), and a database
# in it: greenlight must USE them in each of its sessions.
gw_sql "CREATE CATALOG e2e WITH ('type' = 'shared_in_memory')" >/dev/null
gw_sql "CREATE DATABASE e2e.shop" >/dev/null
tables() { gw_sql "SHOW TABLES IN e2e.shop" | tr -d '[]"' | sort | tr '\n' ' '; }

GW_URL="$FLINK_GATEWAY"
PRISM="$ROOT/tools/prism/node_modules/.bin/prism"
if [ -x "$PRISM" ]; then
  P_PORT="$(free_port)"
  "$PRISM" proxy -h 127.0.0.1 -p "$P_PORT" --errors "$ROOT/tests/fixtures/specs/flink-rest_v3_sql_gateway.yml" "$GW_URL" >"$WORK/prism.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do curl -sf --max-time 2 "http://127.0.0.1:$P_PORT/info" >/dev/null && break; sleep 1; done
  curl -sf --max-time 2 "http://127.0.0.1:$P_PORT/info" >/dev/null || { cat "$WORK/prism.log"; echo "e2e: prism proxy did not start" >&2; exit 1; }
  GW_URL="http://127.0.0.1:$P_PORT"
  echo "e2e: requests and responses checked by prism proxy against the SQL Gateway spec"
elif [ "${GREENLIGHT_REQUIRE_PRISM:-0}" = 1 ]; then
  echo "e2e: tools/prism is not installed" >&2; exit 1
fi

# In front of it all, a proxy that loses the answers to the first green DDL
# and DML submissions (the statement runs, greenlight never hears):
# greenlight must adopt the table and the job it started, not send them
# again (a second CREATE TABLE fails, a second INSERT is a second job).
L_PORT="$(free_port)"
"$PY" "$ROOT/tests/e2e/lossy_proxy.py" "$L_PORT" "$GW_URL" \
  '"pipeline.name":"e2e-ddl-int-orders-v2"' '"pipeline.name":"e2e-dml-int-orders-v2"' >"$WORK/lossy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 30); do curl -sf --max-time 2 "http://127.0.0.1:$L_PORT/info" >/dev/null && break; sleep 1; done
GW_URL="http://127.0.0.1:$L_PORT"

(cd "$ROOT" && cargo build -q)
GL="$CARGO_TARGET_DIR/debug/greenlight"
DATA="$WORK/data"
REPO="$WORK/repo"
mkdir -p "$DATA/raw_orders" "$REPO"
g() { git -C "$REPO" -c user.name=e2e -c user.email=e2e@example.com -c commit.gpgsign=false "$@"; }
gl() { (cd "$REPO" && "$GL" "$@"); }
count() { find "$DATA/$1" -type f ! -name '.*' -exec cat {} + 2>/dev/null | grep -c . || true; }
wait_count() { # table expected seconds
  for _ in $(seq 1 "$3"); do [ "$(count "$1")" -ge "$2" ] && return 0; sleep 1; done
  echo "e2e: $1 has $(count "$1") records, expected $2" >&2; return 1
}
feed() { # file first last
  "$PY" - "$DATA/raw_orders/$1" "$2" "$3" <<'PYEOF'
import sys, datetime
path, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path + ".tmp", "w") as f:
    for i in range(a, b + 1):
        status = "draft" if i % 10 == 0 else "paid"
        ts = datetime.datetime(2026, 1, 1) + datetime.timedelta(minutes=i)
        f.write(f"o{i},c{i % 7},{i * 1.5},{status},{ts:%Y-%m-%d %H:%M:%S}\n")
import os; os.rename(path + ".tmp", path)
PYEOF
}
# The jobs of this run (a reused cluster keeps the jobs of earlier runs).
START_MS="$("$PY" -c 'import time; print(int(time.time() * 1000))')"
jobs_state() { curl -s --max-time 5 "$FLINK_REST/jobs/overview" | "$PY" -c 'import json,sys; print(" ".join(sorted(j["name"]+"="+j["state"] for j in json.load(sys.stdin)["jobs"] if j["name"].startswith("e2e-dml") and j["start-time"] >= int(sys.argv[1]))))' "$START_MS"; }
has() { case " $S " in *" $1 "*) return 0 ;; esac; return 1; }
expect_jobs() { # seconds, then name=STATE words that must all be there
  local n="$1"; shift
  for _ in $(seq 1 "$n"); do
    S="$(jobs_state)"; local ok=1
    for w in "$@"; do has "$w" || ok=0; done
    [ $ok = 1 ] && return 0
    sleep 1
  done
  echo "e2e: expected jobs $*, have: $S" >&2; return 1
}

g init -q -b main
g commit -q --allow-empty -m root
ROOTREF="$(g rev-parse HEAD)"
cp -r "$ROOT/tests/e2e/project/pipelines" "$REPO/"
find "$REPO/pipelines" -name '*.sql' -exec sed -i "s#@DATA@#$DATA#g" {} +
cat > "$REPO/greenlight.yaml" <<YAML
environments:
  e2e:
    target: sql_gateway
    flink:
      catalog_name: e2e
      database_name: shop
    sql_gateway:
      url: $GW_URL
      jobmanager_url: $FLINK_REST
      state_file: .greenlight/state.json
      savepoint_dir: file://$WORK/savepoints
      properties:
        execution.checkpointing.interval: 2s
    poll:
      timeout_secs: 120
      interval_ms: 500
      max_interval_ms: 2000
    validate:
      count_tolerance: 0
      aggregates:
        int_orders: [amount]
        fct_big_orders: [amount]
      event_time:
        int_orders: order_ts
        fct_big_orders: order_ts
      max_lag_secs: 0
      synthetic_wait_secs: 90
    readiness:
      interval_secs: 2
      consecutive_checks: 2
YAML
g add -A && g commit -q -m "pipeline" && g tag v1

echo "e2e: deploy blue (every table is new since the root commit)"
gl deploy --env e2e --since "$ROOTREF"
feed part-1.csv 1 50
wait_count fct_big_orders 45 90
echo "e2e: blue produced $(count fct_big_orders) records; tables: $(tables)"

echo "e2e: change int_orders, rewrite, deploy green beside blue"
sed -i "s/WHERE status <> 'draft'/WHERE status NOT IN ('draft')/" "$REPO/pipelines/intermediates/int_orders/sql-scripts/dml.int_orders.sql"
g commit -q -am "int_orders: NOT IN"
gl rewrite
for f in int_orders fct_big_orders; do
  sed -i "s#/$f'#/${f}_v2'#" "$REPO"/pipelines/*/"$f"/sql-scripts/ddl.$f.sql
done
grep -q "int_orders_v2" "$REPO/pipelines/facts/fct_big_orders/sql-scripts/dml.fct_big_orders.sql"
g commit -q -am "rewrite: green names and folders"
gl plan --format text | head -20
feed part-2.csv 51 80 &   # blue keeps producing while green deploys
FEED=$!
gl deploy --env e2e
wait "$FEED"
[ "$(grep -c "lost the answer to POST" "$WORK/lossy.log")" = 2 ] || { cat "$WORK/lossy.log"; echo "e2e: the DDL and DML answers were not both lost" >&2; exit 1; }
S="$(jobs_state)"
[ "$(echo "$S" | tr ' ' '\n' | grep -c '^e2e-dml-int-orders-v2=')" = 1 ] || { echo "e2e: the lost submission started a second job: $S" >&2; exit 1; }
echo "e2e: the answers to e2e-ddl-int-orders-v2 and e2e-dml-int-orders-v2 were lost; the table and the one job were adopted"
wait_count fct_big_orders 72 90
echo "e2e: blue kept producing: $(count fct_big_orders) records"

echo "e2e: await green (it starts from the first file: catch-up)"
gl await --env e2e --timeout 3m > "$WORK/await.json"
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["ready"] and not r["behind"], r; print("e2e: green caught up after", r["checks"], "checks,", r["elapsed_secs"], "s")' "$WORK/await.json"
[ "$(count fct_big_orders_v2)" -ge 72 ] || { echo "e2e: await passed with $(count fct_big_orders_v2) green records" >&2; exit 1; }

validate_until_pass() {
  for i in $(seq 1 5); do
    if gl validate --env e2e "$@" --format json --json-out "$WORK/validate.json" > /dev/null 2>"$WORK/validate.err"; then
      echo "e2e: validate passed (attempt $i)" >&2
      cat "$WORK/validate.json"; return 0
    fi
    cat "$WORK/validate.err" >&2
    sleep 3
  done
  cat "$WORK/validate.json" >&2 || true
  return 1
}
echo "e2e: promote before any validation is refused"
if gl promote --env e2e 2>"$WORK/promote.err"; then echo "e2e: promote without validation went on" >&2; exit 1; fi
grep -q "has not been validated" "$WORK/promote.err"

echo "e2e: validate with synthetic records"
validate_until_pass --synthetic 3 | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
checks = {(c["table"], c["check"]): c for c in r["checks"]}
assert r["passed"], r
for key in [("int_orders_v2", "count"), ("int_orders_v2", "duplicates"), ("int_orders_v2", "sum(amount)"),
            ("fct_big_orders_v2", "count"), ("fct_big_orders_v2", "synthetic(green)"), ("fct_big_orders_v2", "synthetic(blue)"),
            ("fct_big_orders_v2", "freshness(order_ts)")]:
    assert checks[key]["passed"], key
g = {k: v["green"] for k, v in checks.items()}
print("e2e: validate passed:", ", ".join(f"{t} {c}={g[(t, c)]}" for t, c in [("int_orders_v2", "count"), ("fct_big_orders_v2", "sum(amount)"), ("fct_big_orders_v2", "synthetic(green)")]))
'

echo "e2e: rollback"
gl rollback --env e2e
# Blue runs on, green is gone, and so are its tables.
expect_jobs 30 e2e-dml-int-orders=RUNNING e2e-dml-fct-big-orders=RUNNING
if has e2e-dml-int-orders-v2=RUNNING; then echo "e2e: green still runs: $S" >&2; exit 1; fi
TB="$(tables)"; echo "e2e: jobs: $S; tables: $TB"
case " $TB " in *" int_orders_v2 "*|*" fct_big_orders_v2 "*) echo "e2e: green tables left: $TB" >&2; exit 1 ;; esac

echo "e2e: deploy again, await, validate, promote"
rm -rf "$DATA/int_orders_v2" "$DATA/fct_big_orders_v2"
gl deploy --env e2e
gl await --env e2e --timeout 3m > /dev/null
validate_until_pass > /dev/null
gl promote --env e2e
# Green runs, blue stopped with a savepoint.
expect_jobs 30 e2e-dml-int-orders-v2=RUNNING e2e-dml-fct-big-orders-v2=RUNNING e2e-dml-int-orders=FINISHED e2e-dml-fct-big-orders=FINISHED
echo "e2e: jobs: $S"
"$PY" - "$REPO/.greenlight/state.json" <<'PYEOF'
import json, os, sys
st = json.load(open(sys.argv[1]))["statements"]
for n in ["e2e-dml-int-orders", "e2e-dml-fct-big-orders"]:
    sp = st[n].get("savepoint")
    assert st[n]["stopped"] and sp, (n, st[n])
    path = sp.split(":", 1)[1] if sp.startswith("file:") else sp
    assert os.path.exists(os.path.join(path, "_metadata")), sp
    print(f"e2e: {n} stopped with savepoint {sp}")
PYEOF
feed part-3.csv 81 90
BLUE_AT_STOP="$(count fct_big_orders)"
wait_count fct_big_orders_v2 "$(( BLUE_AT_STOP + 8 ))" 60
echo "e2e: green goes on alone: $(count fct_big_orders_v2) records, blue stays at $BLUE_AT_STOP"

echo "e2e: rollback after the promotion: blue resumes from its savepoint"
gl rollback --env e2e
expect_jobs 30 e2e-dml-int-orders=RUNNING e2e-dml-fct-big-orders=RUNNING
"$PY" - "$REPO/.greenlight/state.json" "$FLINK_REST" <<'PYEOF'
import json, sys, urllib.request
st = json.load(open(sys.argv[1]))["statements"]
for n in ["e2e-dml-int-orders", "e2e-dml-fct-big-orders"]:
    r = st[n]
    with urllib.request.urlopen(f"{sys.argv[2]}/jobs/{r['job_id']}/checkpoints", timeout=10) as f:
        restored = (json.load(f).get("latest") or {}).get("restored") or {}
    assert restored.get("external_path") == r["savepoint"], (n, restored, r["savepoint"])
    print(f"e2e: {n} restored from {restored['external_path']}")
PYEOF
# Blue picks up where it stopped: the records fed while it was stopped.
wait_count fct_big_orders "$(( BLUE_AT_STOP + 8 ))" 60
echo "e2e: blue caught up: $(count fct_big_orders) records"

echo "e2e: deploy again; the earlier validation does not count for the new green"
rm -rf "$DATA/int_orders_v2" "$DATA/fct_big_orders_v2"
gl deploy --env e2e
gl await --env e2e --timeout 3m > /dev/null
if gl promote --env e2e 2>"$WORK/promote.err"; then echo "e2e: promote on a stale validation went on" >&2; exit 1; fi
grep -q "was created after the last validation" "$WORK/promote.err"
validate_until_pass > /dev/null
gl promote --env e2e
expect_jobs 30 e2e-dml-int-orders-v2=RUNNING e2e-dml-int-orders=FINISHED e2e-dml-fct-big-orders=FINISHED

echo "e2e: cleanup"
gl cleanup --env e2e --older-than 0s | tee "$WORK/cleanup.json"
grep -q "dropped int_orders" "$WORK/cleanup.json"
TB="$(tables)"; echo "e2e: tables: $TB"
case " $TB " in *" int_orders "*|*" fct_big_orders "*) echo "e2e: blue tables left: $TB" >&2; exit 1 ;; esac
case " $TB " in *" int_orders_v2 "*) ;; *) echo "e2e: green table gone: $TB" >&2; exit 1 ;; esac
echo "e2e: PASSED in $((SECONDS - T0))s"
