#!/usr/bin/env python3
"""Scores apidrift's committed diffs against the hand-made lifecycle events (events.yaml).

    python3 eval/lifecycle/score.py [--events eval/lifecycle/events.yaml] [--verbose]

For each event, the diffs whose new release is in the event's minor release (X.Y.*) are searched
for a change saying the same thing; a match in the minor release just before or after counts
as "off by one" (release notes and code do not always agree on the release). Run after
`apidrift sync` has refreshed `snapshots/torch/diffs/`; it needs PyYAML. A symbol is the same
definition under any of its names: an event that names the defining module
(`torch.cuda.green_contexts.GreenContext.set_context`) matches a change that names the public
re-export (`torch.cuda.GreenContext.set_context`), as the release's snapshot resolves them.

What counts as the same thing, by event kind:
- deprecated: a `deprecated` change of the symbol (or one of the names it is also known by),
  for the event's parameter when it names one;
- removed: `removed`, `tombstoned` or a `moved` whose old path is gone, of the symbol or an
  enclosing name (a removed module removes its members); for a parameter, `parameter-removed`
  or `parameter-renamed` of it;
- moved, renamed: a `moved` of the symbol, or its removal naming the new path as replacement,
  or, where the old name stays as a warning shim, its `deprecated` naming the new path as
  replacement; a parameter's `parameter-renamed`;
- default_changed: a `default-changed` of the symbol's parameter, or its `behaviour-changed`
  (how apidrift reports an announced default flipping);
- promoted: a `moved` from the private name (or to the public one), or a `promoted` change of
  either. An `added` of the public name alone is reported as "only added": the link is missing.
"""
import argparse
import collections
import glob
import json
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def minor(version):
    parts = version.split(".")
    return (int(parts[0]), int(parts[1]))


_SNAPSHOTS = {}


def definition(name, version):
    """`name` with its aliases followed in the snapshot of `version` (loaded on first use)."""
    if version not in _SNAPSHOTS:
        path = os.path.join(ROOT, "snapshots/torch", f"{version}.yaml")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _SNAPSHOTS[version] = yaml.load(open(path), Loader=loader)["symbols"] if os.path.exists(path) else {}
    symbols = _SNAPSHOTS[version]
    for _ in range(8):
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            sym = symbols.get(".".join(parts[:i]))
            if isinstance(sym, dict) and sym.get("kind") == "alias" and sym.get("target"):
                name = ".".join([sym["target"], *parts[i:]])
                break
        else:
            return name
    return name


def names(change):
    return [change["symbol"], *change.get("also", [])]


def names_in(change, sym):
    """Whether `sym` is one of the change's names, directly or as the same definition."""
    if sym in names(change):
        return True
    version = change.get("new_version")
    if not version:
        return False
    target = definition(sym, version)
    return any(definition(n, version) == target for n in names(change))


def under(name, symbol):
    return name == symbol or symbol.startswith(name + ".")


def matches(event, c):
    kind, sym, param = event["kind"], event["symbol"], event.get("parameter")
    repl = event.get("replacement")
    k = c["kind"]
    if kind == "deprecated":
        return k == "deprecated" and c.get("parameter") == param and names_in(c, sym)
    if kind == "removed":
        if param:
            return sym in names(c) and k in ("parameter-removed", "parameter-renamed") and c.get("parameter") == param
        if k in ("removed", "tombstoned"):
            return any(under(n, sym) for n in names(c))
        return k == "moved" and not c.get("shim") and under(c["symbol"], sym)
    if kind in ("moved", "renamed"):
        if param:
            return sym in names(c) and k == "parameter-renamed" and c.get("parameter") == param
        if k == "moved":
            return c["symbol"] == sym
        return k in ("removed", "tombstoned", "deprecated") and sym in names(c) and repl and (c.get("replacement") or "").split("(")[0] == repl
    if kind == "default_changed":
        # A default flipped after an announcement is the announcement's end: apidrift reports
        # it as the behaviour change of that parameter (with the old and new default).
        return k in ("default-changed", "behaviour-changed") and sym in names(c) and c.get("parameter") == param
    if kind == "promoted":
        if k == "moved":
            return c["symbol"] == sym or (repl and c.get("new_symbol") == repl)
        return k == "promoted" and (sym in names(c) or (repl and repl in names(c)))
    return False


def only_added(event, c):
    return event["kind"] == "promoted" and c["kind"] == "added" and event.get("replacement") in names(c)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", default=os.path.join(ROOT, "eval/lifecycle/events.yaml"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    events = yaml.safe_load(open(args.events))
    by_minor = collections.defaultdict(list)
    for path in glob.glob(os.path.join(ROOT, "snapshots/torch/diffs/*.json")):
        d = json.load(open(path))
        by_minor[minor(d["new"])].extend(d["changes"])
    tally = collections.defaultdict(collections.Counter)
    excluded = [e for e in events if e.get("excluded")]
    events = [e for e in events if not e.get("excluded")]
    for e in events:
        m = minor(e["release"])
        near = [(m[0], m[1] - 1), (m[0], m[1] + 1)]
        if any(matches(e, c) for c in by_minor[m]):
            verdict = "found"
        elif any(matches(e, c) for n in near for c in by_minor[n]):
            verdict = "off by one"
        elif any(only_added(e, c) for c in by_minor[m]):
            verdict = "only added"
        else:
            verdict = "missed"
        tally[e["kind"]][verdict] += 1
        if args.verbose and verdict != "found":
            print(f"{verdict:10} {e['release']:7} {e['kind']:15} {e['symbol']}"
                  + (f" ({e['parameter']})" if e.get("parameter") else ""))
    total = collections.Counter()
    print(f"{'kind':16} {'events':>6} {'found':>6} {'off by one':>10} {'only added':>10} {'missed':>6}")
    for kind in sorted(tally):
        t = tally[kind]
        total.update(t)
        print(f"{kind:16} {sum(t.values()):6} {t['found']:6} {t['off by one']:10} {t['only added']:10} {t['missed']:6}")
    print(f"{'all':16} {sum(total.values()):6} {total['found']:6} {total['off by one']:10} {total['only added']:10} {total['missed']:6}")
    if excluded:
        print(f"({len(excluded)} events excluded: the wheel's Python code does not show them; see `excluded:` in the events file)")


if __name__ == "__main__":
    main()
