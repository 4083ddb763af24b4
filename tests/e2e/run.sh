#!/usr/bin/env bash
# End-to-end blue/green on a real Flink engine (pyflink's bundled Flink 2.3):
# deploy a small pipeline (filesystem connectors), feed it, change one
# intermediate, rewrite, deploy green while blue keeps producing, validate
# (synthetic records, counts, duplicates, aggregates, freshness), roll back,
# deploy again, promote, clean up.
#
# The greenlight SQL Gateway client talks to tests/e2e/gateway_server.py
# (no registry ships the gateway jar), which runs each statement on the
# real cluster; when tools/prism is installed, every request and response
# goes through `prism proxy` with the SQL Gateway spec (--errors).
#
# Skips (exit 0, with the reason) when Java or Flink cannot be started,
# unless GREENLIGHT_REQUIRE_FLINK=1 (CI), where that is a failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
skip() {
  if [ "${GREENLIGHT_REQUIRE_FLINK:-0}" = 1 ]; then echo "e2e: FAILED: $*" >&2; exit 1; fi
  echo "e2e: SKIPPED: $*"; exit 0
}
command -v java >/dev/null || skip "java is not installed"
FLINK_OUT="$("$ROOT/scripts/flink-local.sh" start)" || skip "flink did not start (scripts/flink-local.sh)"
eval "$FLINK_OUT"
PY="$FLINK_VENV/bin/python"
JM_PORT="${FLINK_REST##*:}"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # Cancel the jobs this test started.
  for j in $(curl -s "$FLINK_REST/jobs/overview" | "$PY" -c 'import json,sys; print(" ".join(j["jid"] for j in json.load(sys.stdin)["jobs"] if j["state"]=="RUNNING" and j["name"].startswith("e2e-")))'); do
    curl -s -X PATCH "$FLINK_REST/jobs/$j?mode=cancel" >/dev/null || true
  done
  [ "${KEEP_E2E:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

GW_PORT="$(free_port)"
"$PY" "$ROOT/tests/e2e/gateway_server.py" "$GW_PORT" "$JM_PORT" >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$GW_PORT/v3/info" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$GW_PORT/v3/info" >/dev/null || { cat "$WORK/gateway.log"; skip "the test gateway did not start"; }
GW_URL="http://127.0.0.1:$GW_PORT"
PRISM="$ROOT/tools/prism/node_modules/.bin/prism"
if [ -x "$PRISM" ]; then
  P_PORT="$(free_port)"
  "$PRISM" proxy -h 127.0.0.1 -p "$P_PORT" --errors "$ROOT/tests/fixtures/specs/flink-rest_v3_sql_gateway.yml" "$GW_URL" >"$WORK/prism.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$P_PORT/info" >/dev/null && break; sleep 1; done
  GW_URL="http://127.0.0.1:$P_PORT"
  echo "e2e: requests and responses checked by prism proxy against the SQL Gateway spec"
elif [ "${GREENLIGHT_REQUIRE_PRISM:-0}" = 1 ]; then
  echo "e2e: tools/prism is not installed" >&2; exit 1
fi

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

g init -q -b main
g commit -q --allow-empty -m root
ROOTREF="$(g rev-parse HEAD)"
cp -r "$ROOT/tests/e2e/project/pipelines" "$REPO/"
find "$REPO/pipelines" -name '*.sql' -exec sed -i "s#@DATA@#$DATA#g" {} +
cat > "$REPO/greenlight.yaml" <<YAML
environments:
  e2e:
    target: sql_gateway
    sql_gateway:
      url: $GW_URL
      jobmanager_url: $FLINK_REST
      state_file: $WORK/state.json
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
YAML
g add -A && g commit -q -m "pipeline" && g tag v1

echo "e2e: deploy blue (every table is new since the root commit)"
gl deploy --env e2e --since "$ROOTREF"
feed part-1.csv 1 50
wait_count fct_big_orders 45 90
echo "e2e: blue produced $(count fct_big_orders) records"

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
wait_count fct_big_orders 72 90
echo "e2e: blue kept producing: $(count fct_big_orders) records"
wait_count fct_big_orders_v2 72 120
echo "e2e: green caught up: $(count fct_big_orders_v2) records"

validate_until_pass() {
  for _ in $(seq 1 20); do
    if gl validate --env e2e "$@" --format json --json-out "$WORK/validate.json" > /dev/null 2>"$WORK/validate.err"; then
      cat "$WORK/validate.json"; return 0
    fi
    sleep 3
  done
  cat "$WORK/validate.err" "$WORK/validate.json" >&2 || true
  return 1
}
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

absent() { if echo "$S" | grep -q "$1"; then echo "e2e: unexpected $1" >&2; exit 1; fi; }
jobs_state() { curl -s "$FLINK_REST/jobs/overview" | "$PY" -c 'import json,sys; print(" ".join(sorted(j["name"]+"="+j["state"] for j in json.load(sys.stdin)["jobs"] if j["name"].startswith("e2e-dml"))))'; }
echo "e2e: rollback"
gl rollback --env e2e
sleep 2
S="$(jobs_state)"; echo "e2e: jobs: $S"
# Blue runs on, green is gone.
echo "$S" | grep -q "e2e-dml-int-orders=RUNNING"
echo "$S" | grep -q "e2e-dml-fct-big-orders=RUNNING"
absent "e2e-dml-int-orders-v2=RUNNING"

echo "e2e: deploy again, validate, promote"
rm -rf "$DATA/int_orders_v2" "$DATA/fct_big_orders_v2"
gl deploy --env e2e
wait_count fct_big_orders_v2 "$(count fct_big_orders)" 120
validate_until_pass > /dev/null
gl promote --env e2e
sleep 2
S="$(jobs_state)"; echo "e2e: jobs: $S"
# Green runs, blue is stopped.
absent "e2e-dml-int-orders=RUNNING"
absent "e2e-dml-fct-big-orders=RUNNING"
echo "$S" | grep -q "e2e-dml-int-orders-v2=RUNNING"

echo "e2e: cleanup"
gl cleanup --env e2e --older-than 0s | tee "$WORK/cleanup.json"
grep -q "dropped int_orders" "$WORK/cleanup.json"
echo "e2e: PASSED"
