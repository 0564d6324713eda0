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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh

read -r wall cpu rss < <(measure "$bin" snapshot "$wheel" -o "$tmp/snap.yaml")
size=$(stat -c %s "$tmp/snap.yaml")
symbols=$(grep -c '^  [^ ]' "$tmp/snap.yaml" || true)
printf "apidrift snapshot %s\n" "$(basename "$wheel")"
printf "  wall %ss  cpu %ss  peak RSS %s MB  (median of %s runs, %s cores)\n" "$wall" "$cpu" "$rss" "$runs" "$(nproc)"
printf "  snapshot %s bytes, %s records\n" "$size" "$symbols"

if [ "${GRIFFE:-}" = 1 ]; then
  python3 -c "import griffe" 2>/dev/null || { echo "GRIFFE=1 needs: pip install griffe" >&2; exit 2; }
  # The import name is the distribution name for the packages benchmarked here (torch).
  package=${PACKAGE:-$(basename "$wheel" | cut -d- -f1)}
  mkdir -p "$tmp/src"
  unzip -q "$wheel" "$package/*" -d "$tmp/src"
  read -r gwall _ grss < <(measure python3 -c "import griffe, sys; griffe.load('$package', search_paths=[sys.argv[1]], resolve_aliases=False)" "$tmp/src")
  printf "griffe.load(%s) on the same sources\n" "$package"
  printf "  wall %ss  cpu %ss  peak RSS %s MB\n" "$gwall" "$gcpu" "$grss"
  awk -v a="$wall" -v g="$gwall" -v ar="$rss" -v gr="$grss" \
    'BEGIN { printf "ratio griffe/apidrift: wall %.1fx, peak RSS %.1fx\n", g/a, gr/ar }'
fi
