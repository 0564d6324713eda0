#!/usr/bin/env bash
# The check on real projects: fetches each pinned source distribution in projects.txt
# (`pip download --no-deps --no-binary :all:`, run by hand: it needs the package index), runs
# `apidrift check DIR --to 2.15.0` on it, and prints a table (span, files, findings per rule,
# time) plus a seeded sample of warning/error findings per project for reading.
#
#   eval/projects/run.sh [WORKDIR] [SEED]     (default /tmp/apidrift-projects, 20261201)
#
# The sources are not committed; the results are (eval/projects/results-*.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-/tmp/apidrift-projects}
seed=${2:-20261201}
bin=${APIDRIFT:-$here/../../target/release/apidrift}
mkdir -p "$work"
printf '| project | span (inferred from) | files | errors | warnings | info | per rule | time |\n|---|---|---|---|---|---|---|---|\n'
grep -v '^#' "$here/projects.txt" | while read -r spec extra || [ -n "$spec" ]; do
  [ -n "$spec" ] || continue
  name=${spec%%==*}; version=${spec##*==}
  dist=${name//-/_}
  dir=$(ls -d "$work"/"$dist"-"$version" "$work"/"$name"-"$version" 2>/dev/null | head -1 || true)
  if [ -z "$dir" ]; then
    # stdin is the project list: nothing in the loop may read it.
    pip download --no-deps --no-binary :all: "$spec" -d "$work" -q </dev/null >/dev/null 2>&1 || true
    tarball=$(ls "$work"/{"$dist","$name"}-"$version".tar.gz 2>/dev/null | head -1 || true)
    [ -n "$tarball" ] || { echo "| $spec | could not be fetched | | | | | | |"; continue; }
    tar xzf "$tarball" -C "$work"
    # One of the two spellings is always missing: ls fails, and pipefail would end the script.
    dir=$(ls -d "$work"/"$dist"-"$version" "$work"/"$name"-"$version" 2>/dev/null | head -1 || true)
  fi
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$bin" check "$dir" --to 2.15.0 --format json $extra </dev/null > "$work/$name.json" 2> "$work/$name.err" || true
  end=$(date +%s.%N)
  python3 - "$work/$name.json" "$name" "$start" "$end" "$extra" <<'PY'
import json, sys, collections
path, name, start, end, extra = sys.argv[1:]
d = json.load(open(path))
levels = collections.Counter(f["level"] for f in d["findings"])
rules = collections.Counter(f["code"] for f in d["findings"])
span = f'{d["from"]} → {d["to"]}' + (" (given)" if extra else "")
per = ", ".join(f"{k} {v}" for k, v in sorted(rules.items()))
print(f'| {name} | {span} | {d["files"]} | {levels["error"]} | {levels["warning"]} | {levels["info"]} | {per} | {float(end) - float(start):.2f} s |')
PY
done
python3 - "$work" "$seed" "$here/projects.txt" > "$work/sample.json" <<'PY'
import json, random, sys
work, seed, listing = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = {}
for line in open(listing):
    if line.startswith("#") or not line.strip():
        continue
    name = line.split("==")[0]
    d = json.load(open(f"{work}/{name}.json"))
    pool = [f for f in d["findings"] if f["level"] in ("error", "warning")]
    pool.sort(key=lambda f: (f["path"], f.get("cell") or 0, f["line"], f["column"], f["code"]))
    random.Random(seed).shuffle(pool)
    out[name] = pool[:15]
json.dump(out, sys.stdout, indent=1)
PY
echo "sample: $work/sample.json" >&2
