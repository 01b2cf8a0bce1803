"""lossviz compute per interaction, measured in-process with AppTest (no browser, no server).

    .venv/bin/python bench/compute.py [--reps 30] [page_id ...]   → prints JSON

For every page: open it with AppTest, then step ``reps`` times the control the browser
benchmark steps (bench/harness.py MAIN_CONTROL "widget"; else the first slider; a page listed
there as without a chart is reported with its reason, not stepped). Every public
function of the lossviz compute modules is wrapped with a timer that counts only the
outermost lossviz call, so nested calls are not counted twice. Reported per step:
``core_ms`` (functional, tables, formatting, parsing...: the numbers), ``plots_ms`` (the
plotly figure builders in lossviz.plots), ``torch_ms`` (real torch runs: the live torch
check and the code panel's snippet run (torch_ref, codegen), Common mistakes' runs (its
module calls torch for every number) and any other function that calls ``torch_module()``,
such as the training runs of lesson 10) and ``script_ms`` (the whole AppTest rerun,
Streamlit's in-process work included).

Per interaction means what the step reruns. In the browser a step on a control inside an
``st.fragment`` reruns that fragment only; AppTest always reruns the whole script. So
``st.fragment`` is wrapped to note which fragment is running, the lossviz time is
booked to it, and ``core_ms``/``plots_ms``/``torch_ms`` count only the fragment that holds the
control (``scope``), or the whole script if the control is outside every fragment.
``page_core_ms`` is the numbers of the whole-page rerun, for comparison.
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

NOT_COMPUTE = {"lossviz.ui", "lossviz.text.i18n", "lossviz.lessons.syllabus", "lossviz.core.errors"}
TORCH = {"lossviz.core.torch_ref", "lossviz.text.codegen", "lossviz.lessons.mistakes"}
KINDS = ("core", "plots", "torch")
PAGE = ""  # the scope of lossviz calls made outside every fragment

_depth = 0
_scope: list[str] = []  # the fragments running now, innermost last
_totals: dict[str, dict[str, float]] = {}  # scope -> kind -> seconds, for one rerun
_owner: dict[str, str] = {}  # widget key -> the fragment that created it
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
            scope = _scope[-1] if _scope else PAGE
            by_kind = _totals.setdefault(scope, dict.fromkeys(KINDS, 0.0))
            by_kind[kind] += dt
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
            runs_torch = "torch_module(" in inspect.getsource(obj)
            setattr(mod, attr, _wrap(obj, "torch" if runs_torch else kind))
        done.append(name)
    _scope_fragments()
    return done


def _scope_fragments() -> None:
    """Wrap ``st.fragment``: while a fragment runs, lossviz time is booked to it, and the
    widget keys that first appear in session state during it are noted as its own."""
    import streamlit as st

    original = st.fragment

    def fragment(func=None, **kwargs):
        def decorate(f):
            @functools.wraps(f)
            def scoped(*args, **kw):
                before = set(st.session_state.keys())
                _scope.append(f.__qualname__)
                try:
                    return f(*args, **kw)
                finally:
                    _scope.pop()
                    for key in set(st.session_state.keys()) - before:
                        _owner.setdefault(key, f.__qualname__)

            return original(scoped, **kwargs)

        return decorate(func) if func is not None else decorate

    st.fragment = fragment


def _control(at, page_id: str):
    """(kind, widget key) of the control the browser benchmark steps on this page."""
    from bench.harness import control_for

    key = control_for(page_id).get("widget")
    if key:
        for kind in ("slider", "number_input", "button_group"):
            try:
                getattr(at, kind)(key=key)
            except KeyError:
                continue
            return kind, key
    sliders = list(at.main.slider)
    return ("slider", sliders[0].key) if sliders else (None, None)


def _next_value(widget, kind: str, i: int, state: dict):
    """The value one step on: a slider walks and turns at its ends, a number input goes up
    and down in turn (the browser's stepper), a choice (ui.choice's segmented control, AppTest's
    button_group) takes the next option."""
    if kind == "button_group":
        options = list(widget.options)
        return options[(options.index(str(widget.value)) + 1) % len(options)]
    step = float(widget.step or 1)
    value = float(widget.value)
    if kind == "number_input":
        return round(value + (step if i % 2 == 0 else -step), 10)
    lo, hi = float(widget.min), float(widget.max)
    if not lo <= value + state["dir"] * step <= hi:
        state["dir"] = -state["dir"]
    return round(value + state["dir"] * step, 10)


def measure(page_id: str, reps: int) -> dict:
    from tests.app.helpers import open_page

    _owner.clear()
    from bench.harness import control_for

    ctl = control_for(page_id)
    if ctl.get("action") == "none":  # a page without a chart (harness._untimed): no step to count
        return {"page": page_id, "note": ctl.get("note", "no step")}
    at = open_page(page_id, panels=True)  # code panel and quiz open: the most work per rerun
    kind, key = _control(at, page_id)
    if kind is None:
        return {"page": page_id, "note": "no slider"}
    scope = _owner.get(key, PAGE)
    per = {k: [] for k in (*KINDS, "page_core", "script")}
    state = {"dir": 1.0}
    _by_fn.clear()
    for i in range(reps):
        widget = getattr(at, kind)(key=key)
        value = _next_value(widget, kind, i, state)
        _totals.clear()
        t0 = time.perf_counter()
        widget.set_value(value).run()
        per["script"].append((time.perf_counter() - t0) * 1000)
        if at.exception:
            return {"page": page_id, "note": "exception: " + str(at.exception[0].value)[:80]}
        # a step inside a fragment reruns that fragment; one outside reruns the whole script
        runs = [s for s in _totals if s == scope] if scope != PAGE else list(_totals)
        for k in KINDS:
            per[k].append(sum(_totals[s][k] for s in runs) * 1000)
        per["page_core"].append(sum(t["core"] for t in _totals.values()) * 1000)
    return {
        "page": page_id,
        "reps": reps,
        "control": key,
        "scope": scope or "page",
        **{f"{k}_ms": statistics.median(v) for k, v in per.items()},
        "top": sorted(((k, v * 1000 / reps) for k, v in _by_fn.items()), key=lambda kv: -kv[1])[:4],
    }


def main(argv: list[str]) -> None:
    reps = 30
    if argv[:1] == ["--reps"]:
        reps, argv = int(argv[1]), argv[2:]
    from lossviz.lessons.syllabus import all_pages

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
