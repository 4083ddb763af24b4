#!/usr/bin/env bash
# Benchmarks greenlight on generated repositories and prints a markdown table.
#
#   scripts/bench.sh [SIZE...]          # default sizes: 1000 10000 50000
#
# For each size, a repo of SIZE tables (shift_left layout, tag v1.0.0, then a
# commit changing CHANGE of the tables) is generated with
# `examples/gen_repo.rs`, and each command is run RUNS times after one warm-up
# run (warm page cache). Wall time is the median, peak RSS the largest
# maximum resident set size (/usr/bin/time). The floor is what any tool must
# do: read every SQL file once (`cat`) and ask git what changed
# (`git diff --name-only v1.0.0`).
#
# A last row measures a real `rewrite` (files written) of about 1,000
# impacted tables: a repo of REWRITE_TABLES tables with REWRITE_CHANGE of them
# changed; the working tree is reset between runs.
#
# Environment: RUNS (5), CHANGE (0.01), REWRITE_TABLES (10000),
# REWRITE_CHANGE (0.015), BENCH_DIR (repos are kept and reused there; default:
# a temporary directory removed at the end), CARGO_TARGET_DIR.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
CHANGE=${CHANGE:-0.01}
REWRITE_TABLES=${REWRITE_TABLES:-10000}
REWRITE_CHANGE=${REWRITE_CHANGE:-0.015}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 50000)

if [ -z "${BENCH_DIR:-}" ]; then
  BENCH_DIR=$(mktemp -d)
  trap 'rm -rf "$BENCH_DIR"' EXIT
fi
mkdir -p "$BENCH_DIR"

# The shipped binary's profile (the action image's): fat LTO.
PROFILE=${BENCH_PROFILE:-dist}
echo "building $PROFILE binaries..." >&2
cargo build --profile "$PROFILE" --quiet --bin greenlight --example gen_repo
TARGET=${CARGO_TARGET_DIR:-target}
GL=$(cd "$TARGET/$PROFILE" && pwd)/greenlight
GEN=$(cd "$TARGET/$PROFILE/examples" && pwd)/gen_repo
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# plan if this build has it, else changes (the same analysis).
if "$GL" plan --help >/dev/null 2>&1; then
  PLAN=(plan --format json)
else
  PLAN=(changes --format json)
fi

repo() { # SIZE SHARE -> path of the generated repo
  local dir="$BENCH_DIR/repo-$1-$2"
  if [ ! -d "$dir/.git" ]; then
    rm -rf "$dir"
    "$GEN" --tables "$1" --change "$2" --out "$dir" >&2
  fi
  echo "$dir"
}

# measure DIR RESET CMD... -> "median_wall_s peak_rss_mb"
# RESET (a command or "") runs before each run, untimed.
measure() {
  local dir=$1 reset=$2
  shift 2
  local walls=() rss=0 out
  out=$(mktemp)
  for i in $(seq 0 "$RUNS"); do
    [ -z "$reset" ] || (cd "$dir" && eval "$reset")
    local t0 t1
    t0=$(date +%s%N)
    (cd "$dir" && /usr/bin/time -f %M -o "$out" "$@" >/dev/null 2>&1) || true
    t1=$(date +%s%N)
    [ "$i" -eq 0 ] && continue # warm-up
    walls+=($(((t1 - t0) / 1000000)))
    local m
    m=$(tail -1 "$out")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  rm -f "$out"
  local median
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -v w="$median" -v r="$rss" 'BEGIN {printf "%.3f %.0f", w/1000, r/1024}'
}

row() { # tables files label "wall rss" floor
  local wall rss ratio
  read -r wall rss <<<"$4"
  ratio=$(awk -v w="$wall" -v f="$5" 'BEGIN {if (f > 0) printf "%.1fx", w/f; else print "-"}')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$wall" "$rss" "$ratio"
}

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr); runs: $RUNS (median wall, max RSS); change: $CHANGE of the tables"
echo
echo '| tables | SQL files | command | wall (s) | peak RSS (MB) | vs floor |'
echo '|---:|---:|---|---:|---:|---:|'
for n in "${SIZES[@]}"; do
  dir=$(repo "$n" "$CHANGE")
  files=$(cd "$dir" && git ls-files '*.sql' | grep -vc '/tests/')
  impacted=$(cd "$dir" && "$GL" changes --format json | jq '.impacted | length')
  cat_m=$(measure "$dir" "" sh -c "git ls-files -z 'pipelines/*.sql' | xargs -0 cat")
  diff_m=$(measure "$dir" "" git diff --name-only v1.0.0)
  floor=$(awk -v a="${cat_m%% *}" -v b="${diff_m%% *}" 'BEGIN {printf "%.3f", a + b}')
  row "$n" "$files" "floor: cat every SQL file" "$cat_m" ""
  row "$n" "$files" "floor: git diff --name-only v1.0.0" "$diff_m" ""
  row "$n" "$files" "greenlight graph --format json" "$(measure "$dir" "" "$GL" graph --format json)" "$floor"
  row "$n" "$files" "greenlight ${PLAN[*]} ($impacted impacted)" "$(measure "$dir" "" "$GL" "${PLAN[@]}")" "$floor"
  row "$n" "$files" "greenlight rewrite --check" "$(measure "$dir" "" "$GL" rewrite --check)" "$floor"
done

dir=$(repo "$REWRITE_TABLES" "$REWRITE_CHANGE")
files=$(cd "$dir" && git ls-files '*.sql' | grep -vc '/tests/')
impacted=$(cd "$dir" && "$GL" changes --format json | jq '.impacted | length')
rewritten=$(cd "$dir" && "$GL" rewrite --check --diff 2>/dev/null | grep -c '^+++ ' || true)
row "$REWRITE_TABLES" "$files" "greenlight rewrite ($impacted impacted, $rewritten files written)" \
  "$(measure "$dir" "git checkout -q -- ." "$GL" rewrite)" ""
(cd "$dir" && git checkout -q -- .)
