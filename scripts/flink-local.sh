#!/usr/bin/env bash
# Starts (or stops) a local Apache Flink 2.3 (jobmanager + taskmanager on
# 127.0.0.1) from pyflink's bundled distribution, with the real Flink SQL
# Gateway (tests/e2e/flink-sql-gateway/) beside it:
#   scripts/flink-local.sh start   # installs apache-flink==2.3.0 in $BASE/venv if needed
#   scripts/flink-local.sh stop
#   scripts/flink-local.sh install # only the venv (CI does it first, on an
#                                  # empty disk: the wheels unpack to ~1 GB)
# BASE is $GREENLIGHT_FLINK_DIR, default .flink/ in the checkout: its own
# FLINK_HOME, pid files, logs and free ports (kept in $BASE/ports.env), so
# several checkouts can run Flink side by side. A start when the cluster is
# up reuses it; the gateway is always started afresh, with an empty catalog
# store, so each run begins with no tables.
# Prints FLINK_VENV, FLINK_HOME, FLINK_REST, FLINK_GATEWAY and
# FLINK_CATALOG_STORE. Needs python3 (3.9-3.12) and Java 17.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE="${GREENLIGHT_FLINK_DIR:-$ROOT/.flink}"
VENV="${FLINK_VENV:-$BASE/venv}"
FH="$BASE/home"
GW_JARS="$ROOT/tests/e2e/flink-sql-gateway"
STORE="$BASE/catalog-store"
PORTS="$BASE/ports.env"

daemons() { # start|stop
  [ -x "$FH/bin/sql-gateway.sh" ] || return 0
  if [ "$1" = stop ]; then
    FLINK_HOME="$FH" "$FH/bin/sql-gateway.sh" stop >/dev/null 2>&1 || true
    FLINK_HOME="$FH" "$FH/bin/taskmanager.sh" stop >/dev/null 2>&1 || true
    FLINK_HOME="$FH" "$FH/bin/jobmanager.sh" stop >/dev/null 2>&1 || true
  fi
}

# Waits (at most $2 seconds) until `curl $1` answers and its body matches $3.
wait_for() {
  for _ in $(seq 1 "$2"); do
    if curl -sf --max-time 2 "$1" 2>/dev/null | grep -q "${3:-.}"; then return 0; fi
    sleep 1
  done
  return 1
}

install_venv() {
  mkdir -p "$BASE"
  if ! "$VENV/bin/python" -c 'import pyflink' 2>/dev/null; then
    python3 -m venv "$VENV"
    # No pip cache: it would keep a second copy of the ~400 MB of wheels.
    "$VENV/bin/pip" install -q --no-cache-dir apache-flink==2.3.0
  fi
}

case "${1:-start}" in
stop)
  daemons stop
  exit 0 ;;
install)
  install_venv
  exit 0 ;;
start) ;;
*) echo "usage: $0 start|stop|install" >&2; exit 2 ;;
esac

install_venv
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# shellcheck disable=SC1090
[ -f "$PORTS" ] && . "$PORTS"
if [ -z "${REST_PORT:-}" ] || ! curl -sf --max-time 2 "http://127.0.0.1:$REST_PORT/overview" >/dev/null; then
  daemons stop
  REST_PORT="$(free_port)"; RPC_PORT="$(free_port)"; GW_PORT="$(free_port)"
  printf 'REST_PORT=%s\nRPC_PORT=%s\nGW_PORT=%s\n' "$REST_PORT" "$RPC_PORT" "$GW_PORT" > "$PORTS"
  FRESH=1
fi

PYFLINK="$("$VENV/bin/python" -c 'import os, pyflink; print(os.path.dirname(pyflink.__file__))')"
if [ "${FRESH:-0}" = 1 ]; then
  # Real lib/ and opt/ folders of per-file links (a linked bin/ would make
  # pyflink itself FLINK_HOME); the gateway jar in opt/, the test catalog
  # in lib/.
  rm -rf "$FH" && mkdir -p "$FH/lib" "$FH/opt" "$FH/conf" "$FH/log" "$BASE/pid"
  cp -r "$PYFLINK/bin" "$FH/bin"
  for d in lib opt; do
    for f in "$PYFLINK/$d"/*; do ln -sf "$f" "$FH/$d/"; done
  done
  ln -sfn "$PYFLINK/plugins" "$FH/plugins"
  cp "$PYFLINK"/conf/log4j*.properties "$FH/conf/"
  cp "$GW_JARS/flink-sql-gateway.jar" "$FH/opt/"
  cp "$GW_JARS/shared-catalog.jar" "$FH/lib/"
  cat > "$FH/conf/config.yaml" <<YAML
env:
  pid:
    dir: $BASE/pid
jobmanager:
  bind-host: 127.0.0.1
  rpc:
    address: 127.0.0.1
    port: $RPC_PORT
  memory:
    process:
      size: 1024m
taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  numberOfTaskSlots: 8
  memory:
    process:
      size: 2048m
parallelism:
  default: 1
rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $REST_PORT
sql-gateway:
  endpoint:
    rest:
      address: 127.0.0.1
      bind-address: 127.0.0.1
      port: $GW_PORT
table:
  catalog-store:
    kind: file
    file:
      path: $STORE
YAML
  FLINK_HOME="$FH" "$FH/bin/jobmanager.sh" start >/dev/null
  FLINK_HOME="$FH" "$FH/bin/taskmanager.sh" start >/dev/null
fi
if ! wait_for "http://127.0.0.1:$REST_PORT/overview" 120 '"taskmanagers":[1-9]'; then
  echo "flink did not start; logs in $FH/log" >&2
  tail -n 30 "$FH"/log/*.log >&2 || true
  exit 1
fi
# A fresh gateway and catalog store: tables of an earlier run are gone.
FLINK_HOME="$FH" "$FH/bin/sql-gateway.sh" stop >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  curl -sf --max-time 1 "http://127.0.0.1:$GW_PORT/v3/info" >/dev/null 2>&1 || break
  sleep 1
done
rm -rf "$STORE" && mkdir -p "$STORE"
FLINK_HOME="$FH" "$FH/bin/sql-gateway.sh" start >/dev/null
if ! wait_for "http://127.0.0.1:$GW_PORT/v3/info" 120 'productName'; then
  echo "the SQL Gateway did not start; logs in $FH/log" >&2
  tail -n 30 "$FH"/log/*sql-gateway*.log >&2 || true
  exit 1
fi
echo "FLINK_VENV=$VENV"
echo "FLINK_HOME=$FH"
echo "FLINK_REST=http://127.0.0.1:$REST_PORT"
echo "FLINK_GATEWAY=http://127.0.0.1:$GW_PORT"
echo "FLINK_CATALOG_STORE=$STORE"
