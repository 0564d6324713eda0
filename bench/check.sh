#!/usr/bin/env bash
# Benchmark: `apidrift check` on a real corpus (torch's own Python sources, about 1,900 files
# and 874k lines for 2.5.0), printing wall time, peak RSS and the findings by rule.
#
#   bench/check.sh WHEEL [RUNS]                 apidrift only
#   TORCHFIX=1 bench/check.sh WHEEL [RUNS]      also TorchFix (`pip install torchfix`) on the
#                                               same corpus, in the same run
set -euo pipefail
wheel=${1:?usage: bench/check.sh WHEEL [RUNS]}
runs=${2:-3}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/apidrift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unzip -q "$wheel" 'torch/*.py' 'torch/*.pyi' -d "$tmp/corpus"
files=$(find "$tmp/corpus" -name '*.py' -o -name '*.pyi' | wc -l)
lines=$(find "$tmp/corpus" \( -name '*.py' -o -name '*.pyi' \) -print0 | xargs -0 cat | wc -l)

. bench/lib.sh

read -r wall _ rss < <(measure "$bin" check "$tmp/corpus" --from 2.4.0 --to 2.6.0 --format json)
"$bin" check "$tmp/corpus" --from 2.4.0 --to 2.6.0 --format json > "$tmp/apidrift.json" 2>/dev/null || true
printf "apidrift check (%s files, %s lines, 2.4.0 → 2.6.0): wall %ss, peak RSS %s MB (median of %s)\n" "$files" "$lines" "$wall" "$rss" "$runs"
python3 -c "
import json, collections, sys
d = json.load(open(sys.argv[1]))
print('  findings by rule:', dict(sorted(collections.Counter(f['code'] for f in d['findings']).items())))
" "$tmp/apidrift.json"

if [ "${TORCHFIX:-}" = 1 ]; then
  command -v torchfix >/dev/null || { echo "TORCHFIX=1 needs: pip install torchfix" >&2; exit 2; }
  read -r twall _ trss < <(measure torchfix "$tmp/corpus")
  torchfix "$tmp/corpus" > "$tmp/torchfix.txt" 2>/dev/null || true
  printf "torchfix (same corpus): wall %ss, peak RSS %s MB, %s findings\n" "$twall" "$trss" "$(grep -c ': TOR' "$tmp/torchfix.txt" || true)"
  grep -o ': TOR[0-9]*' "$tmp/torchfix.txt" | sort | uniq -c | sort -rn | head -12
  awk -v a="$wall" -v t="$twall" 'BEGIN { printf "ratio torchfix/apidrift: wall %.1fx\n", t/a }'
fi
