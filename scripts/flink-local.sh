#!/usr/bin/env bash
# Starts (or stops) a local Apache Flink 2.3 (jobmanager + taskmanager on
# 127.0.0.1) from pyflink's bundled distribution:
#   scripts/flink-local.sh start   # installs apache-flink==2.3.0 in .flink/venv if needed
#   scripts/flink-local.sh stop
# Prints FLINK_VENV and the REST URL. Needs python3 (3.11+) and Java 17.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE="${GREENLIGHT_FLINK_DIR:-$ROOT/.flink}"
VENV="${FLINK_VENV:-$BASE/venv}"
FH="$BASE/home"
PORT="${FLINK_REST_PORT:-8081}"

case "${1:-start}" in
stop)
  [ -x "$FH/bin/taskmanager.sh" ] && FLINK_HOME="$FH" "$FH/bin/taskmanager.sh" stop >/dev/null 2>&1 || true
  [ -x "$FH/bin/jobmanager.sh" ] && FLINK_HOME="$FH" "$FH/bin/jobmanager.sh" stop >/dev/null 2>&1 || true
  exit 0 ;;
esac

if ! "$VENV/bin/python" -c 'import pyflink' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q apache-flink==2.3.0
fi
PYFLINK="$("$VENV/bin/python" -c 'import os, pyflink; print(os.path.dirname(pyflink.__file__))')"
mkdir -p "$FH/lib" "$FH/opt" "$FH/conf" "$FH/log"
rm -rf "$FH/bin" && cp -r "$PYFLINK/bin" "$FH/bin"
for d in lib opt; do
  for f in "$PYFLINK/$d"/*; do ln -sf "$f" "$FH/$d/"; done
done
ln -sfn "$PYFLINK/plugins" "$FH/plugins"
cat > "$FH/conf/config.yaml" <<YAML
jobmanager:
  bind-host: 127.0.0.1
  rpc:
    address: 127.0.0.1
    port: 6123
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
  port: $PORT
YAML
if ! curl -sf "http://127.0.0.1:$PORT/overview" >/dev/null; then
  FLINK_HOME="$FH" "$FH/bin/jobmanager.sh" start >/dev/null
  FLINK_HOME="$FH" "$FH/bin/taskmanager.sh" start >/dev/null
fi
for _ in $(seq 1 90); do
  if curl -sf "http://127.0.0.1:$PORT/overview" | grep -q '"taskmanagers":[1-9]'; then
    echo "FLINK_VENV=$VENV"
    echo "FLINK_REST=http://127.0.0.1:$PORT"
    exit 0
  fi
  sleep 1
done
echo "flink did not start; logs in $FH/log" >&2
tail -n 30 "$FH"/log/*.log >&2 || true
exit 1
