"""Drag to learn: grab a logit or a label on the chart itself (Streamlit custom component v2).

One component, three views, all drawn and computed in the browser while the pointer moves
(σ, BCE-with-logits, softmax, cross-entropy and their gradients, every animation frame):

- :func:`logit_curve`: the sigmoid and BCE curves; drag the logit x and the label y.
- :func:`logit_bars`: softmax / cross-entropy; drag each class's logit bar, click one to make
  it the true class.
- :func:`logit_cells`: a tensor of logits; drag a cell sideways to change its logit.

On release the value comes back to Python as a trigger. The wrapper validates it (finite,
inside the range, right length) and writes it into the session-state keys of the page's own
URL-bound widgets from the component's callback, which runs before those widgets are created
on the rerun. So the page's numbers, its torch check and the URL follow the drag, and a slider
moved by hand reaches the component through ``data`` on the next run. Anything invalid is
ignored. The html/css/js are files next to this module's ``components/drag``; they never carry
user input, which only travels in ``data``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.plots.base import PALETTE
from lossviz.text import fmt

_DIR = Path(__file__).parent / "components" / "drag"
_component = st.components.v2.component(
    "lossviz_drag",
    html=(_DIR / "drag.html").read_text(encoding="utf-8"),
    css=(_DIR / "drag.css").read_text(encoding="utf-8"),
    js=(_DIR / "drag.js").read_text(encoding="utf-8"),
)
# The charts' colour-blind-safe palette (lossviz.plots.base), handed to the component as data.
_PALETTE = {k: PALETTE[k] for k in ("blue", "vermillion", "green", "sky")}

MAX_CLASSES = 32
MAX_CELLS = 64


# ------------------------------------------------------------- validation --
# Pure functions (no streamlit): what the browser sent, or None when it is unusable.


def _number(value: Any, lo: float, hi: float, step: float = 0.0) -> float | None:
    """A finite number inside [lo, hi] (float noise below 1e-10 removed); None otherwise.

    Not snapped to ``step``: the browser snaps only the value being dragged, and values the
    learner typed off the step grid must come back unchanged.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    if not math.isfinite(v) or not lo <= v <= hi:
        return None
    return round(v, 10)


def valid_curve(
    payload: Any, x_range: tuple[float, float], *, with_label: bool, step_x: float = 0.1, step_y: float = 0.01
) -> tuple[float, float | None] | None:
    """``{"x": .., "y": ..}`` from the curve view → ``(x, y)``; ``y`` None without a label handle.

    >>> valid_curve({"x": 1.25, "y": 1}, (-10, 10), with_label=True)
    (1.25, 1.0)
    >>> valid_curve({"x": float("nan")}, (-10, 10), with_label=False) is None
    True
    """
    if not isinstance(payload, dict):
        return None
    x = _number(payload.get("x"), *x_range, step_x)
    if x is None:
        return None
    if not with_label:
        return x, None
    y = _number(payload.get("y"), 0.0, 1.0, step_y)
    return None if y is None else (x, y)


def valid_bars(
    payload: Any, n_classes: int, logit_range: tuple[float, float], *, step: float = 0.1
) -> tuple[list[float], int] | None:
    """``{"logits": [..C..], "target": k}`` from the bars view → ``(logits, target)``.

    >>> valid_bars({"logits": [0.8, 0.2, 0.4], "target": 2}, 3, (-10, 10))
    ([0.8, 0.2, 0.4], 2)
    >>> valid_bars({"logits": [0.8, 0.2], "target": 0}, 3, (-10, 10)) is None
    True
    """
    if not isinstance(payload, dict):
        return None
    raw, target = payload.get("logits"), payload.get("target")
    if not isinstance(raw, list) or len(raw) != n_classes:
        return None
    logits = [_number(v, *logit_range, step) for v in raw]
    if any(v is None for v in logits):
        return None
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < n_classes:
        return None
    return [float(v) for v in logits], target


def valid_cells(
    payload: Any, shape: tuple[int, int], logit_range: tuple[float, float], *, step: float = 0.1
) -> list[list[float]] | None:
    """``{"logits": [[..]..]}`` from the cells view → the logits as rows, if ``shape`` matches.

    >>> valid_cells({"logits": [[1, 2.5]]}, (1, 2), (-10, 10))
    [[1.0, 2.5]]
    """
    if not isinstance(payload, dict):
        return None
    raw = payload.get("logits")
    rows, cols = shape
    if not isinstance(raw, list) or len(raw) != rows:
        return None
    out: list[list[float]] = []
    for row in raw:
        if not isinstance(row, list) or len(row) != cols:
            return None
        values = [_number(v, *logit_range, step) for v in row]
        if any(v is None for v in values):
            return None
        out.append([float(v) for v in values])
    return out


def as_text(values: Sequence) -> str:
    """Logits as the text ``lossviz.core.parse.parse_matrix`` reads: ``"0.8, 0.2"`` or ``"1, 2; 3, 4"``.

    >>> as_text([[1.0, -0.5], [2.0, 0.25]])
    '1, -0.5; 2, 0.25'
    """
    if values and isinstance(values[0], (list, tuple)):
        return "; ".join(as_text(row) for row in values)
    return ", ".join(fmt.cell(v, 12) for v in values)


def _finite_list(values: Any) -> list:
    """Nested lists of floats for JSON; non-finite values become None (drawn as the range end)."""
    if isinstance(values, (list, tuple)):
        return [_finite_list(v) for v in values]
    try:
        v = float(values)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _widen(logit_range: tuple[float, float], values: list) -> tuple[float, float]:
    """The range, stretched to hold every finite current value (so none is clamped on commit)."""
    flat = np.asarray([v for v in np.ravel(np.asarray(values, dtype=object)) if v is not None], dtype=np.float64)
    lo, hi = float(logit_range[0]), float(logit_range[1])
    if flat.size:
        lo, hi = min(lo, float(flat.min())), max(hi, float(flat.max()))
    return lo, hi


def _clamp_list(values: Any, lo: float, hi: float) -> Any:
    if isinstance(values, list):
        return [_clamp_list(v, lo, hi) for v in values]
    return lo if values is None else min(hi, max(lo, values))


# ---------------------------------------------------------------- labels --


def _labels(mode: str, hint: str | None = None) -> dict[str, Any]:
    t = ui.t
    common = {"chart": t(f"drag.{mode}_chart"), "hint": t(f"drag.{hint or mode}_hint"), "loss": t("drag.loss")}
    if mode == "curve":
        keys = ("logit", "logit_short", "label", "label_short", "sigmoid_title", "loss_title", "grad",
                "loss_y1", "loss_y0", "grad_y1", "grad_y0", "branch_y1", "branch_y0")
    elif mode == "bars":
        keys = ("logits_title", "probs_title", "ce_loss", "p_true", "ce_grad", "is_target")
    else:
        keys = ("cell_aria", "x_short", "y_short", "l_short", "mean", "sum")
    return common | {k: t(f"drag.{k}") for k in keys}


def _callback(key: str, handle: Callable[[Any], None]) -> Callable[[], None]:
    """The component's on-commit callback: read the trigger, hand it to ``handle``."""

    def on_commit() -> None:
        try:
            payload = st.session_state[key].get("commit")
        except (KeyError, AttributeError, TypeError):
            return
        handle(payload)

    return on_commit


def _set(state_key: str | None, value: Any) -> None:
    if state_key:
        st.session_state[state_key] = value


# ------------------------------------------------------------------ views --


def logit_curve(
    key: str,
    *,
    x: float,
    y: float | None = None,
    x_range: tuple[float, float] = (-10.0, 10.0),
    state_keys: tuple[str | None, str | None] = ("sb_x", "sb_y"),
    steps: tuple[float, float] = (0.1, 0.01),
    on_change: Callable[[float, float | None], None] | None = None,
) -> None:
    """σ(x) and BCE-with-logits against x, with a draggable logit (and label, if ``y`` is given).

    ``y=None`` draws both branches (y = 1 and y = 0) and has no label handle. On release the
    validated value goes to ``st.session_state[state_keys[0]]`` (and ``[1]`` for y), i.e. to
    the page's URL-bound slider/number input of the same range and step, and to ``on_change``.
    """
    lo, hi = float(x_range[0]), float(x_range[1])
    with_label = y is not None

    def handle(payload: Any) -> None:
        got = valid_curve(payload, (lo, hi), with_label=with_label, step_x=steps[0], step_y=steps[1])
        if got is None:
            return
        _set(state_keys[0], got[0])
        if with_label:
            _set(state_keys[1], got[1])
        if on_change is not None:
            on_change(*got)

    x_shown = _clamp_list(_finite_list(x), lo, hi)
    y_shown = None if y is None else _clamp_list(_finite_list(y), 0.0, 1.0)
    _component(
        key=key,
        data={"palette": _PALETTE, "mode": "curve", "x": x_shown, "y": y_shown, "lo": lo, "hi": hi, "step_x": steps[0],
              "step_y": steps[1], "labels": _labels("curve", None if with_label else "curve_x")},
        on_commit_change=_callback(key, handle),
    )


def logit_bars(
    key: str,
    *,
    logits: Sequence[float],
    target: int,
    classes: Sequence[str] | None = None,
    logit_range: tuple[float, float] = (-10.0, 10.0),
    step: float = 0.1,
    state_keys: Sequence[str] | str | None = None,
    target_key: str | None = None,
    on_change: Callable[[list[float], int], None] | None = None,
) -> None:
    """Softmax bars for one sample: drag a class's logit up/down, click a bar to make it the target.

    ``state_keys``: one key per class (numbers), or one key for a text input (written as
    ``"0.8, 0.2, 0.4"``). ``target_key``: the widget holding the class index (an int).
    Inf/NaN logits: the view is not shown (there is nothing to drag).
    """
    raw = _finite_list(list(logits))
    n = len(raw)
    if not 1 <= n <= MAX_CLASSES or None in raw:  # inf/NaN logits: nothing to drag, no view
        return
    lo, hi = _widen(logit_range, raw)
    values = _clamp_list(raw, lo, hi)
    tgt = int(target) if 0 <= int(target) < n else 0
    names = [str(c) for c in classes] if classes is not None and len(classes) == n else [str(i) for i in range(n)]

    def handle(payload: Any) -> None:
        got = valid_bars(payload, n, (lo, hi), step=step)
        if got is None:
            return
        new_logits, new_target = got
        if isinstance(state_keys, str):
            _set(state_keys, as_text(new_logits))
        elif state_keys is not None and len(state_keys) == n:
            for k, v in zip(state_keys, new_logits, strict=True):
                _set(k, v)
        _set(target_key, new_target)
        if on_change is not None:
            on_change(new_logits, new_target)

    labels = _labels("bars") | {"class_aria": [ui.t("drag.class_aria", name=name) for name in names]}
    _component(
        key=key,
        data={"palette": _PALETTE, "mode": "bars", "logits": values, "target": tgt, "classes": names,
              "lo": lo, "hi": hi, "step": step, "labels": labels},
        on_commit_change=_callback(key, handle),
    )


def logit_cells(
    key: str,
    *,
    logits: Sequence,
    targets: Sequence,
    logit_range: tuple[float, float] = (-10.0, 10.0),
    step: float = 0.1,
    state_key: str | Sequence[str] | None = None,
    digits: int = 6,
    on_change: Callable[[list[list[float]]], None] | None = None,
    hidden: bool = False,
) -> None:
    """Per-element BCE-with-logits: one cell per logit (1-D or 2-D), drag a cell sideways.

    ``hidden``: keep the view mounted but not shown, for a page that shows it only in some states
    (a slider step across such a state then only toggles it instead of building it again).

    ``state_key``: a text input's key (written as ``"1, 2; 3, 4"``, or ``"1, 2"`` for 1-D
    logits), or one key per element in row-major order. ``digits``: significant digits of the
    mean and sum (4 on a float32 page, whose own numbers can differ from float64 in the 6th).
    Inf/NaN logits: the view is not shown (there is nothing to drag).
    """
    lo, hi = float(logit_range[0]), float(logit_range[1])
    try:
        arr = np.asarray(logits, dtype=np.float64)
        tarr = np.asarray(targets, dtype=np.float64)
    except (TypeError, ValueError):
        return
    flat = arr.ndim == 1
    grid = arr.reshape(1, -1) if flat else arr
    if grid.ndim != 2 or tarr.shape != arr.shape or grid.size == 0 or grid.size > MAX_CELLS:
        return
    shape = (int(grid.shape[0]), int(grid.shape[1]))
    rows, trows = grid.tolist(), tarr.reshape(shape).tolist()
    if not np.isfinite(grid).all():  # inf/NaN logits: nothing to drag, no view
        return
    lo, hi = _widen((lo, hi), rows)
    values = _clamp_list(rows, lo, hi)
    tvals = _finite_list(trows)

    def handle(payload: Any) -> None:
        got = valid_cells(payload, shape, (lo, hi), step=step)
        if got is None:
            return
        new = got[0] if flat else got
        if isinstance(state_key, str):
            _set(state_key, as_text(new))
        elif state_key is not None:
            keys = list(state_key)
            cells = [v for row in got for v in row]
            if len(keys) == len(cells):
                for k, v in zip(keys, cells, strict=True):
                    _set(k, v)
        if on_change is not None:
            on_change(got)

    _component(
        key=key,
        data={"palette": _PALETTE, "mode": "cells", "hidden": bool(hidden), "logits": values, "targets": tvals,
              "lo": lo, "hi": hi, "step": step, "digits": int(digits), "labels": _labels("cells")},
        on_commit_change=_callback(key, handle),
    )
