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

# First with every consecutive diff of the span computed (APIDRIFT_NO_CACHE=1), then as a
# user runs it: the store's precomputed diffs (or, for releases without them, the user's
# cache, here a fresh one warmed by the first of the runs).
export APIDRIFT_CACHE_DIR="$tmp/cache"
read -r wall cpu rss < <(APIDRIFT_NO_CACHE=1 measure "$bin" check "$tmp/corpus" --from 2.4.0 --to 2.6.0 --format json)
read -r wwall wcpu wrss < <(measure "$bin" check "$tmp/corpus" --from 2.4.0 --to 2.6.0 --format json)
"$bin" check "$tmp/corpus" --from 2.4.0 --to 2.6.0 --format json > "$tmp/apidrift.json" 2>/dev/null || true
printf "apidrift check (%s files, %s lines, 2.4.0 → 2.6.0), medians of %s:\n" "$files" "$lines" "$runs"
printf "  diffs computed:          wall %ss, CPU %ss, peak RSS %s MB\n" "$wall" "$cpu" "$rss"
printf "  precomputed diffs (default): wall %ss, CPU %ss, peak RSS %s MB\n" "$wwall" "$wcpu" "$wrss"
python3 -c "
import json, collections, sys
d = json.load(open(sys.argv[1]))
print('  findings by rule:', dict(sorted(collections.Counter(f['code'] for f in d['findings']).items())))
" "$tmp/apidrift.json"

if [ "${TORCHFIX:-}" = 1 ]; then
  command -v torchfix >/dev/null || { echo "TORCHFIX=1 needs: pip install torchfix" >&2; exit 2; }
  # One timed run: TorchFix takes tens of minutes on this corpus.
  ( cd "$tmp" && /usr/bin/time -f "%e %U %S %M" -o "$tmp/tt" torchfix corpus > "$tmp/torchfix.txt" 2>/dev/null ) || true
  read -r twall tu ts trss < <(tail -n 1 "$tmp/tt")
  printf "torchfix (same corpus, one run): wall %ss, CPU %ss, peak RSS %s MB, %s findings\n" \
    "$twall" "$(awk -v u="$tu" -v s="$ts" 'BEGIN {print u+s}')" "$((trss / 1024))" "$(grep -c ': TOR' "$tmp/torchfix.txt" || true)"
  awk -v a="$wall" -v t="$twall" 'BEGIN { printf "ratio torchfix/apidrift: wall %.0fx\n", t/a }'
  # What each flags that the other does not, matched by file and line.
  python3 - "$tmp" <<'PY'
import collections, json, re, sys
tmp = sys.argv[1]
ad = json.load(open(f"{tmp}/apidrift.json"))["findings"]
ad_at = collections.defaultdict(set)
for f in ad:
    ad_at[(f["path"].split("/corpus/", 1)[1], f["line"])].add(f["code"])
tf = []
for line in open(f"{tmp}/torchfix.txt"):
    m = re.match(r"corpus/(\S+?):(\d+):\d+: (TOR\d+)", line)
    if m:
        tf.append((m[1], int(m[2]), m[3]))
tf_at = {(p, l) for p, l, _ in tf}
both, only_tf = collections.Counter(), collections.Counter()
for p, l, code in tf:
    (both if (p, l) in ad_at else only_tf)[code] += 1
only_ad = collections.Counter(c for k, cs in ad_at.items() if k not in tf_at for c in cs)
print("  torchfix findings apidrift also flags, by TorchFix code:", dict(sorted(both.items())))
print("  torchfix findings apidrift does not flag:", dict(sorted(only_tf.items())))
print("  apidrift findings torchfix does not flag, by rule:", dict(sorted(only_ad.items())))
PY
fi
