#!/usr/bin/env bash
# Build the run-time oracle for one or more torch releases.
#
#   eval/runtime/make-truth.sh 2.4.0 [2.6.0 ...]
#
# For each release V: a fresh venv under $APIDRIFT_RT_DIR/V (default /tmp/apidrift-rt, outside
# the repository), `pip install torch==V` plus the extras that let every public module import,
# eval/runtime/introspect.py run with that venv's Python, fixtures/runtime/torch-V.json.gz
# written, and the venv deleted. pip uses its own configuration for the index.
#
# Environment:
#   PYTHON              interpreter to make the venvs from (default python3; must be 3.11)
#   APIDRIFT_RT_DIR     where the venvs go (default /tmp/apidrift-rt)
#   APIDRIFT_RT_KEEP=1  keep the venv after the run (e.g. for a determinism check)
#   APIDRIFT_RT_MIN_GB  free GiB wanted before an install; below it the pip cache is purged
#                       (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
python=${PYTHON:-python3}
base=${APIDRIFT_RT_DIR:-/tmp/apidrift-rt}
min_gb=${APIDRIFT_RT_MIN_GB:-20}
[ $# -ge 1 ] || { echo "usage: eval/runtime/make-truth.sh VERSION [VERSION ...]" >&2; exit 2; }
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$pyver" = 3.11 ] || { echo "error: $python is Python $pyver, want 3.11" >&2; exit 2; }
case "$base" in "$repo"|"$repo"/*) echo "error: $base is inside the repository" >&2; exit 2;; esac
mkdir -p "$base" fixtures/runtime

# Pip requirements for release $1, one a line: what the README lists.
requirements() {
  local v=$1 major minor
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  echo "torch==$v"
  if [ "$major" -lt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -lt 3 ]; }; then
    echo "numpy<2"
  else
    echo "numpy"
  fi
  printf '%s\n' tensorboard python-etcd urllib3 pyyaml
}

free_gb() { df -Pk "$base" | awk 'NR==2 {print int($4 / 1048576)}'; }

for v in "$@"; do
  venv=$base/$v
  out=fixtures/runtime/torch-$v.json.gz
  echo "== torch $v: $(free_gb) GiB free"
  if [ "$(free_gb)" -lt "$min_gb" ]; then
    "$python" -m pip cache purge || true
    echo "   after pip cache purge: $(free_gb) GiB free"
  fi
  rm -rf "$venv"
  "$python" -m venv "$venv"
  mapfile -t reqs < <(requirements "$v")
  t0=$(date +%s)
  "$venv/bin/python" -m pip install -q "${reqs[@]}"
  t1=$(date +%s)
  echo "   installed ${reqs[*]} in $((t1 - t0)) s"
  CUDA_VISIBLE_DEVICES="" "$venv/bin/python" eval/runtime/introspect.py --expect "$v" --out "$out"
  t2=$(date +%s)
  echo "   introspection took $((t2 - t1)) s"
  if [ "${APIDRIFT_RT_KEEP:-0}" != 1 ]; then
    rm -rf "$venv"
  fi
done
