#!/usr/bin/env bash
# Benchmark: snapshot a real wheel and print wall time, CPU time and peak RSS.
#
#   bench/snapshot.sh WHEEL [RUNS]          apidrift only
#   GRIFFE=1 bench/snapshot.sh WHEEL [RUNS] also griffe (`pip install griffe`) on the same
#                                           sources, in the same run, and the ratios
#
# Figures are medians over RUNS (default 5) after one warm-up run.
set -euo pipefail
wheel=${1:?usage: bench/snapshot.sh WHEEL [RUNS]}
runs=${2:-5}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/apidrift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Runs a command RUNS times under GNU time; prints "wall cpu rss_mb" medians.
measure() {
  "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 2; }
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$out/t" "$@" >/dev/null 2>&1
    cat "$out/t"
  done > "$out/runs"
  # Median of each column, taken separately (portable: no gawk asort).
  local wall cpu rss
  wall=$(awk '{print $1}' "$out/runs" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpu=$(awk '{print $2+$3}' "$out/runs" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rss=$(awk '{print $4}' "$out/runs" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}')
  echo "$wall $cpu $rss"
}

read -r wall cpu rss < <(measure "$bin" snapshot "$wheel" -o "$out/snap.yaml")
size=$(stat -c %s "$out/snap.yaml")
symbols=$(grep -c '^  [^ ]' "$out/snap.yaml" || true)
printf "apidrift snapshot %s\n" "$(basename "$wheel")"
printf "  wall %ss  cpu %ss  peak RSS %s MB  (median of %s runs, %s cores)\n" "$wall" "$cpu" "$rss" "$runs" "$(nproc)"
printf "  snapshot %s bytes, %s records\n" "$size" "$symbols"

if [ "${GRIFFE:-}" = 1 ]; then
  python3 -c "import griffe" 2>/dev/null || { echo "GRIFFE=1 needs: pip install griffe" >&2; exit 2; }
  # The import name is the distribution name for the packages benchmarked here (torch).
  package=${PACKAGE:-$(basename "$wheel" | cut -d- -f1)}
  mkdir -p "$out/src"
  unzip -q "$wheel" "$package/*" -d "$out/src"
  read -r gwall gcpu grss < <(measure python3 -c "import griffe, sys; griffe.load('$package', search_paths=[sys.argv[1]], resolve_aliases=False)" "$out/src")
  printf "griffe.load(%s) on the same sources\n" "$package"
  printf "  wall %ss  cpu %ss  peak RSS %s MB\n" "$gwall" "$gcpu" "$grss"
  awk -v a="$wall" -v g="$gwall" -v ar="$rss" -v gr="$grss" \
    'BEGIN { printf "ratio griffe/apidrift: wall %.1fx, peak RSS %.1fx\n", g/a, gr/ar }'
fi
