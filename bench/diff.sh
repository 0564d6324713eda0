#!/usr/bin/env bash
# Benchmark: diff two stored torch releases (loading both snapshots included), and a span of
# every stored release. Prints medians of wall time and peak RSS.
#
#   bench/diff.sh [RUNS]                 apidrift only
#   GRIFFE=1 WHEELS=DIR bench/diff.sh    also griffe.find_breaking_changes on the 2.4.0 and
#                                        2.5.0 wheels in DIR (loading both), in the same run
set -euo pipefail
runs=${1:-5}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/apidrift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. bench/lib.sh

read -r wall _ rss < <(measure "$bin" diff 2.4.0 2.5.0 --format json)
count=$("$bin" diff 2.4.0 2.5.0 --format json | grep -c '"kind"')
printf "apidrift diff 2.4.0 2.5.0 (both snapshots loaded): wall %ss, peak RSS %s MB, %s changes\n" "$wall" "$rss" "$count"
releases=$(ls snapshots/torch/*.yaml | wc -l)
read -r swall _ srss < <(measure "$bin" diff --from "$(ls snapshots/torch | sed 's/\.yaml$//' | sort -V | head -1)" --format json)
printf "apidrift diff over all %s stored releases (%s consecutive diffs): wall %ss, peak RSS %s MB\n" "$releases" "$((releases - 1))" "$swall" "$srss"

if [ "${GRIFFE:-}" = 1 ]; then
  wheels=${WHEELS:?GRIFFE=1 needs WHEELS=DIR holding the torch 2.4.0 and 2.5.0 wheels}
  for v in 2.4.0 2.5.0; do
    mkdir -p "$tmp/$v"
    unzip -q "$(ls "$wheels"/torch-$v-*.whl | head -1)" 'torch/*' -d "$tmp/$v"
  done
  cat > "$tmp/griffe_diff.py" <<'PY'
import sys, griffe
sys.setrecursionlimit(100000)
old = griffe.load("torch", search_paths=[sys.argv[1]], resolve_aliases=False)
new = griffe.load("torch", search_paths=[sys.argv[2]], resolve_aliases=False)
print(sum(1 for _ in griffe.find_breaking_changes(old, new)))
PY
  gcount=$(python3 "$tmp/griffe_diff.py" "$tmp/2.4.0" "$tmp/2.5.0" 2>/dev/null | tail -1)
  /usr/bin/time -f "%e %M" -o "$tmp/g" python3 "$tmp/griffe_diff.py" "$tmp/2.4.0" "$tmp/2.5.0" >/dev/null 2>&1
  read -r gwall grss < "$tmp/g"
  printf "griffe find_breaking_changes 2.4.0 2.5.0 (loading both): wall %ss, peak RSS %s MB, %s breakages\n" "$gwall" "$((grss / 1024))" "$gcount"
  awk -v a="$wall" -v g="$gwall" 'BEGIN { printf "ratio griffe/apidrift: wall %.0fx\n", g/a }'
fi
