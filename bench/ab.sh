#!/usr/bin/env bash
# A/B benchmark: two apidrift binaries (say, a release before a change and after it) on the same
# jobs in the same run, interleaved run by run so that the machine's drift hits both alike.
# Prints medians of wall time, CPU time and peak RSS per job and binary, and the ratio.
#
#   bench/ab.sh BEFORE AFTER WHEEL SOURCES [RUNS]
#
# WHEEL is a torch wheel (the `snapshot` job), SOURCES a folder of Python code (the `check`
# job, 2.4.0 → 2.6.0; torch's own sources unpacked from a wheel make a large one). Each binary
# runs from an empty folder, so it uses its own bundled releases and no snapshots/ on disk, and
# with an empty cache. For repeatable counts, run a job under
# `RAYON_NUM_THREADS=1 valgrind --tool=callgrind` instead: instruction counts repeat exactly.
# JOBS="diff check" limits the jobs.
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
before=$(realpath "$1")
after=$(realpath "$2")
wheel=$(realpath "$3")
sources=$(realpath "$4")
runs=${5:-5}
for f in "$before" "$after"; do
  [ -x "$f" ] || { echo "ab.sh: $f is not an executable" >&2; exit 2; }
done
[ -f "$wheel" ] || { echo "ab.sh: no wheel at $wheel" >&2; exit 2; }
[ -d "$sources" ] || { echo "ab.sh: no folder at $sources" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cwd"
cd "$tmp/cwd"
export APIDRIFT_CACHE_DIR="$tmp/cache"

declare -A job
job[snapshot]="snapshot $wheel -o $tmp/out.yaml"
job[diff]="diff 2.4.0 2.5.0 --format json"
job[check]="check $sources --from 2.4.0 --to 2.6.0 --format json"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for j in ${JOBS:-snapshot diff check}; do
  for b in before after; do
    bin=$([ $b = before ] && echo "$before" || echo "$after")
    # Warm-up: page cache, and the cache folder's first write.
    $bin ${job[$j]} >/dev/null 2>&1 || true
    : > "$tmp/$b"
  done
  for _ in $(seq "$runs"); do
    for b in before after; do
      bin=$([ $b = before ] && echo "$before" || echo "$after")
      # `check` exits 1 when it finds something; GNU time then writes a line of its own first.
      /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" $bin ${job[$j]} >/dev/null 2>&1 || true
      tail -n 1 "$tmp/t" >> "$tmp/$b"
    done
  done
  for b in before after; do
    read -r wall cpu rss < <(echo "$(awk '{print $1}' "$tmp/$b" | median)" \
      "$(awk '{print $2+$3}' "$tmp/$b" | median)" \
      "$(awk '{print $4}' "$tmp/$b" | median | awk '{printf "%.0f", $1/1024}')")
    printf "%-9s %-6s wall %5.2f s  cpu %5.2f s  peak RSS %4s MB\n" "$j" "$b" "$wall" "$cpu" "$rss"
    eval "${b}_wall=$wall ${b}_cpu=$cpu"
  done
  awk -v a="$before_wall" -v b="$after_wall" -v c="$before_cpu" -v d="$after_cpu" -v j="$j" \
    'BEGIN { printf "%-9s after/before: wall %.2f, cpu %.2f\n", j, b/a, d/c }'
done
