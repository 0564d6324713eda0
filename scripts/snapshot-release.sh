#!/usr/bin/env bash
# Snapshot a real torch release from its wheel, or check that a committed snapshot is
# byte-identical to a fresh one.
#
#   scripts/snapshot-release.sh VERSION [PLATFORM PYTHON]   write snapshots/torch/VERSION.yaml
#   scripts/snapshot-release.sh --check VERSION             regenerate and compare
#
# With --check the wheel named in the committed snapshot's `artifact.filename` is used, so the
# comparison is against the very same artifact. Wheels are downloaded with pip (which reads
# the index URL from its own configuration or PIP_INDEX_URL) into $APIDRIFT_WHEELS (default:
# ~/.cache/apidrift-wheels) and reused from there.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
version=${1:?usage: scripts/snapshot-release.sh [--check] VERSION [PLATFORM PYTHON]}
platform=${2:-macosx_11_0_arm64}
python=${3:-3.12}
target=snapshots/torch/$version.yaml
wheels=${APIDRIFT_WHEELS:-$HOME/.cache/apidrift-wheels}
mkdir -p "$wheels"

if [ -f "$target" ]; then
  # torch-2.5.0-cp312-none-macosx_11_0_arm64.whl -> platform and Python of that very wheel.
  filename=$(sed -n 's/^  filename: "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$target" | head -1)
  platform=$(echo "$filename" | sed 's/\.whl$//' | cut -d- -f5)
  tag=$(echo "$filename" | cut -d- -f3)
  python="${tag:2:1}.${tag:3}"
elif [ $check = 1 ]; then
  echo "error: no committed snapshot $target to check" >&2; exit 2
fi

wheel=$(ls "$wheels"/torch-"$version"-*-"$platform".whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
  pip download "torch==$version" --no-deps --only-binary=:all: --platform "$platform" \
    --python-version "$python" -d "$wheels" -q
  wheel=$(ls "$wheels"/torch-"$version"-*-"$platform".whl | head -1)
fi

cargo build --release --quiet
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
target/release/apidrift snapshot "$wheel" -o "$fresh"
if [ $check = 1 ]; then
  if cmp -s "$fresh" "$target"; then
    echo "$target: byte-identical to a fresh snapshot of $(basename "$wheel") ($(stat -c %s "$target") bytes)"
  else
    echo "$target differs from a fresh snapshot of $(basename "$wheel"):" >&2
    diff "$target" "$fresh" | head -40 >&2
    exit 1
  fi
else
  mv "$fresh" "$target"
  trap - EXIT
  echo "wrote $target ($(stat -c %s "$target") bytes) from $(basename "$wheel")"
fi
