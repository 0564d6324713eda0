#!/usr/bin/env python3
"""A seeded sample of apidrift's stored claims, for reading against the sources.

    python3 eval/precision/sample.py [--seed N] [--per-kind 25] > eval/precision/sample.json

Draws `--per-kind` deprecations (kind `deprecated`) and as many breaking changes (severity
`breaking`) from the committed consecutive diffs (`snapshots/torch/diffs/*.json`) of minor
releases (X.Y.0), at most a quarter of each from one release so that at least four releases
are read. The same seed and store give the same sample.
"""
import argparse
import glob
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--per-kind", type=int, default=25)
    args = ap.parse_args()
    pools = {"deprecated": [], "breaking": []}
    for path in sorted(glob.glob(os.path.join(ROOT, "snapshots/torch/diffs/*.json"))):
        diff = json.load(open(path))
        if not diff["new"].endswith(".0"):
            continue
        for c in diff["changes"]:
            if c["kind"] == "deprecated":
                pools["deprecated"].append(c)
            elif c["severity"] == "breaking":
                pools["breaking"].append(c)
    rng = random.Random(args.seed)
    cap = max(1, args.per_kind // 4)
    out = {}
    for name, pool in pools.items():
        pool.sort(key=lambda c: (c["new_version"], c["symbol"], c.get("parameter") or "", c["kind"]))
        rng.shuffle(pool)
        picked, per_release = [], {}
        for c in pool:
            if per_release.get(c["new_version"], 0) >= cap:
                continue
            per_release[c["new_version"]] = per_release.get(c["new_version"], 0) + 1
            picked.append(c)
            if len(picked) == args.per_kind:
                break
        out[name] = picked
    json.dump(out, fp=__import__("sys").stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
