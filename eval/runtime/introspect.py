#!/usr/bin/env python3
"""Run-time oracle for apidrift: record the public API surface of an installed torch.

Run it with the Python of a venv in which torch (and the extras that make every public
module importable) is installed:

    python introspect.py --expect 2.4.0 --out fixtures/runtime/torch-2.4.0.json.gz

Standard library only.  The walk over torch's modules runs in a child process (this same
file with --child) that appends its progress to a file; if the child dies (segfault, abort,
os._exit, a hang in C code) the parent restarts it and skips the module that was being
imported or inspected, recording it as failed with "crashed".  See README.md beside this
file for what the output holds.
"""

import argparse
import ast
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import types
import warnings

SCHEMA = 1
PACKAGE = "torch"
IMPORT_TIMEOUT = 60  # seconds per import (signal.alarm)
GETATTR_TIMEOUT = 30  # seconds per guarded getattr through a module __getattr__
HANG_TIMEOUT = 600  # seconds without progress before the parent kills the child
MAX_RESTARTS = 50
EXTRAS = ("numpy", "tensorboard", "python-etcd", "urllib3", "PyYAML")
PROBE = "apidrift_probe_no_such_name"


class _Timeout(BaseException):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def _describe(exc):
    if isinstance(exc, _Timeout):
        return "Timeout: no result after %d s" % IMPORT_TIMEOUT
    msg = str(exc).strip().splitlines()
    first = msg[0] if msg else ""
    return ("%s: %s" % (type(exc).__name__, first)).rstrip(": ").strip()


def _public(dotted):
    return not any(part.startswith("_") for part in dotted.split("."))


def _qualified(obj):
    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None)
    if isinstance(mod, str) and isinstance(qual, str):
        return mod + "." + qual
    return None


def _safe_getattr(obj, name, timeout):
    """(True, value) or (False, description). Never raises (except KeyboardInterrupt)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(timeout)
        try:
            return True, getattr(obj, name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - the oracle must never stop
            return False, _describe(exc)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


def _kind(value):
    if isinstance(value, types.ModuleType):
        return "m"
    if isinstance(value, type):
        return "c"
    try:
        if callable(value):
            return "f"
    except Exception:  # noqa: BLE001
        pass
    return "a"


def _keep_name(name):
    if name.startswith("__") and name.endswith("__"):
        return name == "__version__"
    return True


def _keep_member(name):
    if name.startswith("__") and name.endswith("__"):
        return name in ("__init__", "__call__")
    return True


# ----------------------------------------------------------------------------------------
# child: import every public module, then inspect them


class Child:
    def __init__(self, progress_path, skip):
        self.progress = open(progress_path, "a", buffering=1)
        self.skip = skip  # {token: reason}; tokens are "import X" / "inspect X"
        self.failed = {}
        self.notes = {}
        self.walked = []  # public module names, in import order
        self.seen_paths = set()

    def mark(self, token):
        self.progress.write(token + "\n")
        self.progress.flush()
        os.fsync(self.progress.fileno())

    def fail(self, name, why):
        self.failed[name] = why
        print("apidrift-runtime: failed %s: %s" % (name, why), file=sys.stderr, flush=True)

    def import_one(self, name):
        token = "import " + name
        if token in self.skip:
            self.fail(name, self.skip[token])
            return None
        self.mark(token)
        if name == os.environ.get("APIDRIFT_RT_TEST_CRASH"):  # to test the restart logic
            os.abort()
        warnings.simplefilter("ignore")
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(IMPORT_TIMEOUT)
        try:
            __import__(name)
            module = sys.modules[name]
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - includes SystemExit
            self.fail(name, _describe(exc))
            return None
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
            warnings.simplefilter("ignore")
        self.walked.append(name)
        return module

    def walk(self):
        """pkgutil.walk_packages(torch.__path__, "torch."), pruning private components."""
        import pkgutil

        root = self.import_one(PACKAGE)
        if root is None:
            raise SystemExit("cannot import %s: %s" % (PACKAGE, self.failed.get(PACKAGE)))

        def descend(path, prefix):
            key = tuple(path)
            if key in self.seen_paths:
                return
            self.seen_paths.add(key)
            try:
                infos = list(pkgutil.iter_modules(path, prefix))
            except Exception as exc:  # noqa: BLE001
                self.notes["iter_modules " + prefix] = _describe(exc)
                return
            for info in infos:
                if not _public(info.name):
                    continue
                module = self.import_one(info.name)
                if module is None or not info.ispkg:
                    continue
                sub = getattr(module, "__path__", None)
                if sub is None:
                    continue
                try:
                    sub = list(sub)
                except Exception:  # noqa: BLE001
                    continue
                descend(sub, info.name + ".")

        descend(list(root.__path__), PACKAGE + ".")

    # -- inspection ----------------------------------------------------------------------

    @staticmethod
    def _module_getattr(module):
        """True if the module has a module-level __getattr__ or its type defines one."""
        try:
            d = object.__getattribute__(module, "__dict__")
        except Exception:  # noqa: BLE001
            d = {}
        if "__getattr__" in d:
            return "module"
        for klass in type(module).__mro__:
            if klass is types.ModuleType or klass is object:
                break
            if "__getattr__" in vars(klass):
                return "type"
        return None

    @staticmethod
    def _py_file(module):
        try:
            path = getattr(module, "__file__", None)
        except Exception:  # noqa: BLE001
            return None
        if not isinstance(path, str) or not path.endswith(".py") or not os.path.isfile(path):
            return None
        return path

    @staticmethod
    def _source_candidates(module):
        path = Child._py_file(module)
        if path is None:
            return None
        try:
            with open(path, "rb") as f:
                tree = ast.parse(f.read(), filename=path)
        except Exception:  # noqa: BLE001
            return None
        names = set()
        for node in ast.walk(tree):
            for _field, value in ast.iter_fields(node):
                values = value if isinstance(value, list) else [value]
                for v in values:
                    if not isinstance(v, str):
                        continue
                    for part in v.split(".") if "." in v else (v,):
                        if part.isidentifier():
                            names.add(part)
        return names

    def inspect_module(self, path, module, record):
        """Fill record with all/names/defs/...; return {name: value} for kind m/c names."""
        out = {}
        try:
            mname = module.__name__
        except Exception:  # noqa: BLE001
            mname = None
        if isinstance(mname, str) and mname != path:
            record["name"] = mname
        if type(module) is not types.ModuleType:
            record["type"] = _qualified(type(module)) or repr(type(module))
        # dir() before anything else: a lazy namespace grows from each look-up
        try:
            listed = [n for n in dir(module) if isinstance(n, str)]
        except Exception as exc:  # noqa: BLE001
            listed = []
            record["dir_error"] = _describe(exc)
        # __all__
        ok, all_ = _safe_getattr(module, "__all__", GETATTR_TIMEOUT)
        if ok and isinstance(all_, (list, tuple)) and all(isinstance(x, str) for x in all_):
            record["all"] = sorted(all_)
        else:
            record["all"] = None
            if ok:
                record["all_note"] = "__all__ is a %s, not a list/tuple of str" % type(all_).__name__
        listed_set = set(listed)
        how = self._module_getattr(module)
        dynamic = False
        if how is not None:
            record["has_getattr"] = True
            ok, _ = _safe_getattr(module, PROBE, GETATTR_TIMEOUT)  # a catch-all __getattr__?
            dynamic = ok or (how == "type" and self._py_file(module) is None)
        if dynamic:
            record["dynamic"] = True
        names = {}
        defs = {}
        errors = {}

        def add(name, value):
            kind = _kind(value)
            names[name] = kind
            if kind in ("c", "f"):
                q = _qualified(value)
                if q is not None and q != path + "." + name:
                    defs[name] = q
            if kind in ("m", "c"):
                out[name] = value

        plain = how is None and type(module) is types.ModuleType
        for name in listed:
            if not _keep_name(name):
                continue
            if plain:  # a dict look-up: no alarm needed
                try:
                    ok, value = True, getattr(module, name)
                except Exception as exc:  # noqa: BLE001
                    ok, value = False, _describe(exc)
            else:
                ok, value = _safe_getattr(module, name, GETATTR_TIMEOUT)
            if ok:
                add(name, value)
            else:
                names[name] = "a"
                errors[name] = value
        via = []
        if how is not None and not dynamic:
            for name in sorted(self._source_candidates(module) or ()):
                if name in listed_set or not _keep_name(name) or name == PROBE:
                    continue
                ok, value = _safe_getattr(module, name, GETATTR_TIMEOUT)
                if ok:
                    add(name, value)
                    via.append(name)
        record["names"] = names
        if via:
            record["via_getattr"] = sorted(via)
        if defs:
            record["defs"] = defs
        if errors:
            record["getattr_errors"] = errors
        return out, dynamic

    def inspect_all(self):
        modules = {}
        objects = {}  # path -> (module object)
        for name in self.walked:
            objects[name] = sys.modules.get(name)
        walked_ids = {id(m) for m in objects.values() if m is not None}
        walked_names = set(self.walked)
        class_paths = {}  # id -> [paths]
        class_objs = {}
        queue = sorted(objects)
        attr_seen = set()
        while queue:
            pending = {}  # id -> (module, [paths]) of modules reachable only as attributes
            for path in queue:
                module = objects[path]
                token = "inspect " + path
                if token in self.skip:
                    self.fail(path, self.skip[token])
                    continue
                if module is None:
                    self.notes["missing " + path] = "imported, but not in sys.modules"
                    continue
                self.mark(token)
                record = {}
                if path not in self.walked:
                    record["origin"] = "attribute"
                try:
                    found, dynamic = self.inspect_module(path, module, record)
                except KeyboardInterrupt:
                    raise
                except BaseException as exc:  # noqa: BLE001
                    self.fail(path, "inspection: " + _describe(exc))
                    continue
                modules[path] = record
                for name, value in found.items():
                    if name.startswith("_"):
                        continue
                    sub = path + "." + name
                    if isinstance(value, type):
                        class_paths.setdefault(id(value), []).append(sub)
                        class_objs[id(value)] = value
                    elif not dynamic and isinstance(value, types.ModuleType):
                        if id(value) in walked_ids or id(value) in attr_seen:
                            continue
                        try:
                            vname = value.__name__
                        except Exception:  # noqa: BLE001
                            continue
                        if not isinstance(vname, str) or not vname.startswith(PACKAGE + "."):
                            continue
                        if vname in walked_names:
                            continue  # e.g. the original of a module replaced in sys.modules
                        if not _public(vname) and self._py_file(value) is not None:
                            continue  # a private .py module imported under a public alias
                        pending.setdefault(id(value), (value, []))[1].append(sub)
            queue = []
            for vid, (value, paths) in sorted(pending.items(), key=lambda kv: min(kv[1][1])):
                paths = sorted(set(paths))
                attr_seen.add(vid)
                vname = value.__name__
                key = vname if vname in paths else paths[0]
                paths.remove(key)
                paths.insert(0, key)
                if key in objects:
                    continue
                objects[key] = value
                queue.append(key)
                self._attr_paths[key] = paths[1:]
        for key, others in self._attr_paths.items():
            if key in modules and others:
                modules[key]["paths"] = others
        classes = {}
        self.mark("classes")
        for cid, paths in class_paths.items():
            klass = class_objs[cid]
            paths = sorted(set(paths))
            entry = {}
            try:
                entry["members"] = sorted(n for n in dir(klass) if isinstance(n, str) and _keep_member(n))
            except Exception as exc:  # noqa: BLE001
                entry["members"] = []
                entry["dir_error"] = _describe(exc)
            mro = []
            try:
                for k in klass.__mro__:
                    mro.append(_qualified(k) or repr(k))
            except Exception as exc:  # noqa: BLE001
                entry["mro_error"] = _describe(exc)
            entry["mro"] = mro
            entry["paths"] = paths[1:]
            classes[paths[0]] = entry
        return modules, classes

    def run(self, out_path):
        self._attr_paths = {}
        warnings.simplefilter("ignore")
        t0 = time.time()
        self.walk()
        t1 = time.time()
        modules, classes = self.inspect_all()
        t2 = time.time()
        self.mark("write")
        import torch

        result = {
            "torch_version": torch.__version__,
            "modules": modules,
            "classes": classes,
            "failed": self.failed,
            "notes": self.notes,
            "seconds": {"import": round(t1 - t0, 1), "inspect": round(t2 - t1, 1)},
        }
        tmp = out_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f)
        os.replace(tmp, out_path)
        self.mark("done")


# ----------------------------------------------------------------------------------------
# parent


def _dist_versions():
    from importlib import metadata

    installed = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            installed[name] = dist.version
    lower = {k.lower().replace("_", "-"): k for k in installed}
    extras = {}
    for e in EXTRAS:
        k = lower.get(e.lower())
        if k is not None:
            extras[k] = installed[k]
    return extras, installed


def _sort_lists(obj, key=None):
    if isinstance(obj, dict):
        return {k: _sort_lists(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        items = [_sort_lists(v) for v in obj]
        return items if key == "mro" else sorted(items)
    return obj


def _on_disk_modules():
    """Public module names under torch's directory, found without importing torch: a check of
    the walk (printed only; not part of the output)."""
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    suffixes = tuple(importlib.machinery.all_suffixes())
    found = {PACKAGE}

    def scan(directory, prefix):
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            return
        for entry in entries:
            full = os.path.join(directory, entry)
            if os.path.isdir(full):
                if entry.isidentifier() and not entry.startswith("_") and \
                        os.path.isfile(os.path.join(full, "__init__.py")):
                    found.add(prefix + entry)
                    scan(full, prefix + entry + ".")
                continue
            for suffix in suffixes:
                if entry.endswith(suffix):
                    stem = entry[: -len(suffix)]
                    if stem.isidentifier() and not stem.startswith("_"):
                        found.add(prefix + stem)
                    break

    for location in spec.submodule_search_locations:
        scan(location, PACKAGE + ".")
    return found


def parent(args):
    import platform

    expect = args.expect
    work = tempfile.mkdtemp(prefix="apidrift-rt-")
    progress = os.path.join(work, "progress")
    raw = os.path.join(work, "raw.json")
    log = os.path.join(work, "child.log")
    skip = {}
    env = dict(os.environ)
    env["CUDA_VISIBLE_DEVICES"] = ""
    env["PYTHONWARNINGS"] = "ignore"
    env.setdefault("TORCH_CPP_LOG_LEVEL", "ERROR")
    start = time.time()
    restarts = 0
    while True:
        skip_file = os.path.join(work, "skip.json")
        with open(skip_file, "w") as f:
            json.dump(skip, f)
        open(progress, "w").close()
        cmd = [sys.executable, os.path.abspath(__file__), "--child", progress, skip_file, raw]
        with open(log, "ab") as logf:
            child = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=logf,
                                     stderr=subprocess.PIPE, cwd=work, start_new_session=True)
            import threading

            def pump():
                for line in child.stderr:
                    if line.startswith(b"apidrift-runtime: "):
                        sys.stderr.write(line.decode("utf-8", "replace"))
                        sys.stderr.flush()
                    logf.write(line)

            t = threading.Thread(target=pump, daemon=True)
            t.start()
            hung = False
            while child.poll() is None:
                time.sleep(1)
                if time.time() - os.path.getmtime(progress) > HANG_TIMEOUT:
                    hung = True
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
            t.join(timeout=10)
        lines = open(progress).read().split("\n")
        lines = [l for l in lines if l]
        last = lines[-1] if lines else ""
        if child.returncode == 0 and last == "done":
            break
        restarts += 1
        if (not last.startswith("import ") and not last.startswith("inspect ")) or restarts > MAX_RESTARTS:
            tail = open(log, "rb").read()[-3000:].decode("utf-8", "replace")
            sys.exit("introspection child failed (rc=%s, last step %r):\n%s" % (child.returncode, last, tail))
        why = "crashed (%s)" % ("hung, killed after %d s" % HANG_TIMEOUT if hung
                                 else "exit status %s" % child.returncode)
        print("apidrift-runtime: %s during %r; restarting without it" % (why, last), file=sys.stderr, flush=True)
        skip[last] = why
    with open(raw) as f:
        data = json.load(f)
    version = data["torch_version"].split("+", 1)[0]
    if expect is not None and version != expect:
        sys.exit("error: torch.__version__ is %r, expected %r" % (data["torch_version"], expect))
    extras, installed = _dist_versions()
    doc = {
        "schema": SCHEMA,
        "package": PACKAGE,
        "version": version,
        "python": sys.version.split()[0],
        "platform": sys.platform + "-" + platform.machine(),
        "extras": extras,
        "installed": installed,
        "warnings_suppressed": True,
        "modules": data["modules"],
        "classes": data["classes"],
        "failed": data["failed"],
        "notes": data["notes"],
    }
    doc = _sort_lists(doc)
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    out = args.out
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
            gz.write(blob)
    os.replace(tmp, out)
    wall = time.time() - start
    mods = doc["modules"]
    walked = sum(1 for m in mods.values() if m.get("origin") != "attribute")
    attr = len(mods) - walked
    total_names = sum(len(m.get("names", {})) for m in mods.values())
    print("torch %s: %d modules walked (+%d reachable as attributes), %d failed, %d classes, "
          "%d names, %d restarts, %.0f s wall (import %.0f s, inspect %.0f s), %d bytes -> %s"
          % (version, walked, attr, len(doc["failed"]), len(doc["classes"]), total_names, restarts,
             wall, data["seconds"]["import"], data["seconds"]["inspect"], os.path.getsize(out), out))
    for name, why in sorted(doc["failed"].items()):
        print("  failed %s: %s" % (name, why))
    disk = _on_disk_modules()
    if disk is not None:
        seen = {k for k, m in mods.items() if m.get("origin") != "attribute"} | set(doc["failed"])
        print("  check: %d public modules on disk; on disk but not walked: %s; walked but not on "
              "disk: %s" % (len(disk), sorted(disk - seen) or "none", sorted(seen - disk) or "none"))
    if not args.keep_work:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    else:
        print("work files kept in " + work)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        progress, skip_file, raw = sys.argv[2:5]
        with open(skip_file) as f:
            skip = json.load(f)
        sys.argv = [sys.argv[0]]
        Child(progress, skip).run(raw)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--expect", help="release the installed torch must be (local part ignored)")
    ap.add_argument("--out", required=True, help="output .json.gz")
    ap.add_argument("--keep-work", action="store_true", help="keep the child's log and progress")
    parent(ap.parse_args())


if __name__ == "__main__":
    main()
