"""lossviz compute per interaction, measured in-process with AppTest (no browser, no server).

    .venv/bin/python bench/compute.py [--reps 30] [page_id ...]   → prints JSON

For every page: open it with AppTest, then move its main slider ``reps`` times. Every public
function of the lossviz compute modules is wrapped with a timer that counts only the
outermost lossviz call, so nested calls are not counted twice. Reported per rerun:
``core_ms`` (functional, tables, formatting, parsing...: the numbers), ``plots_ms`` (the
plotly figure builders in lossviz.plots), ``torch_ms`` (the live torch
check and the code panel's snippet run: torch_ref, codegen) and ``script_ms`` (the whole
AppTest rerun, Streamlit's in-process work included).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import pkgutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOT_COMPUTE = {"lossviz.ui", "lossviz.i18n", "lossviz.lessons", "lossviz.errors"}
TORCH = {"lossviz.torch_ref", "lossviz.codegen"}

_depth = 0
_totals = {"core": 0.0, "plots": 0.0, "torch": 0.0}
_by_fn: dict[str, float] = {}


def _wrap(fn, kind: str):
    @functools.wraps(fn)
    def timed(*args, **kwargs):
        global _depth
        if _depth:
            return fn(*args, **kwargs)
        _depth += 1
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            dt = time.perf_counter() - t0
            _totals[kind] += dt
            name = f"{fn.__module__.removeprefix('lossviz.')}.{fn.__name__}"
            _by_fn[name] = _by_fn.get(name, 0.0) + dt
            _depth -= 1

    return timed


def instrument() -> list[str]:
    import lossviz

    names = [m.name for m in pkgutil.walk_packages(lossviz.__path__, "lossviz.")]
    done = []
    for name in names:
        if name in NOT_COMPUTE or name.startswith("lossviz.ui"):
            continue
        try:
            mod = importlib.import_module(name)
        except Exception:
            continue
        kind = "torch" if name in TORCH else "plots" if name.startswith("lossviz.plots") else "core"
        for attr, obj in list(vars(mod).items()):
            if attr.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != name:
                continue
            setattr(mod, attr, _wrap(obj, kind))
        done.append(name)
    return done


def measure(page_id: str, reps: int) -> dict:
    from tests.app.helpers import open_page

    at = open_page(page_id, panels=True)  # code panel and quiz open: the most work per rerun
    sliders = list(at.main.slider)
    if not sliders:
        return {"page": page_id, "note": "no slider"}
    s = sliders[0]
    lo, hi, step = float(s.min), float(s.max), float(s.step or 1)
    value = float(s.value)
    direction = 1.0
    core, plots, torch_, script = [], [], [], []
    _by_fn.clear()
    for _ in range(reps):
        if not lo <= value + direction * step <= hi:
            direction = -direction
        value = round(value + direction * step, 10)
        _totals["core"] = _totals["plots"] = _totals["torch"] = 0.0
        t0 = time.perf_counter()
        at.main.slider[0].set_value(value).run()
        script.append((time.perf_counter() - t0) * 1000)
        core.append(_totals["core"] * 1000)
        plots.append(_totals["plots"] * 1000)
        torch_.append(_totals["torch"] * 1000)
        if at.exception:
            return {"page": page_id, "note": "exception: " + str(at.exception[0].value)[:80]}
    return {
        "page": page_id,
        "reps": reps,
        "core_ms": statistics.median(core),
        "plots_ms": statistics.median(plots),
        "torch_ms": statistics.median(torch_),
        "script_ms": statistics.median(script),
        "top": sorted(((k, v * 1000 / reps) for k, v in _by_fn.items()), key=lambda kv: -kv[1])[:4],
    }


def main(argv: list[str]) -> None:
    reps = 30
    if argv[:1] == ["--reps"]:
        reps, argv = int(argv[1]), argv[2:]
    from lossviz.lessons import all_pages

    instrument()
    ids = argv or [p.id for p in all_pages() if (ROOT / p.file).is_file()]
    out = []
    for pid in ids:
        try:
            out.append(measure(pid, reps))
        except Exception as exc:  # one broken page must not hide the others
            out.append({"page": pid, "note": f"{type(exc).__name__}: {str(exc)[:80]}"})
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
