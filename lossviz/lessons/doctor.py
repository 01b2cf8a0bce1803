"""Your tensors: the learner's own inputs and loss call, read without evaluating anything, then explained.

The page (``pages/ref_your_tensors.py``) is a view of :func:`lossviz.doctor.explain`; this module turns
its controls into arrays and a :class:`~lossviz.doctor.LossCall`, decides what fits in a link, builds
the PyTorch snippet, and names every text the page shows by catalog key and language-neutral params.
No streamlit, no translation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossviz.doctor import Explanation, LossCall, ParseError, load_tensors, parse_tensor
from lossviz.doctor.call import LOSSES
from lossviz.doctor.files import MAX_BYTES
from lossviz.lessons.syllabus import all_pages
from lossviz.text import fmt

MODULES = tuple(LOSSES)  # BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss
REDUCTIONS = ("mean", "sum", "none")
DTYPES = ("auto", "float32", "float64", "float16", "bfloat16", "int64", "bool")
LINK_VALUES = 64  # inputs of at most this many values live in the link
LINK_CHARS = 2000  # ... and of at most this many characters
CODE_VALUES = 1000  # larger inputs get a loader line in the PyTorch snippet
MAX_MIB = MAX_BYTES // 2**20
EXAMPLE_X = (
    "tensor([[ 2.0, -1.0,  0.5],\n"
    "        [ 0.1,  1.2, -0.3],\n"
    "        [-1.5,  0.3,  2.2],\n"
    "        [ 0.7,  0.7, -2.0]])"
)
EXAMPLE_T = "tensor([0, 1, 2, 1])"


@dataclass(frozen=True)
class Case:
    """What the learner gave: prediction, target, the loss call, and where the arrays came from."""

    x: np.ndarray
    t: np.ndarray
    call: LossCall
    source: str  # "text" or "file"
    names: tuple[str, str] = ("", "")  # for a file: the chosen entries' names


def unused_params(source: str | None, how: str | None, module: str | None) -> tuple[str, ...]:
    """The link parameters (widget keys) of controls the page does not show for these choices.

    >>> unused_params("spec", "controls", "BCELoss")
    ('dr_x', 'dr_t', 'dr_xd', 'dr_td', 'dr_line', 'dr_pw', 'dr_ii', 'dr_ls')
    """
    text, spec = ("dr_x", "dr_t", "dr_xd", "dr_td"), ("dr_xs", "dr_ts")
    keys = {"spec": text, "file": text + spec}.get(source or "text", spec)
    if how == "line":
        return keys + ("dr_loss", "dr_red", "dr_w", "dr_pw", "dr_ii", "dr_ls")
    has = LOSSES.get(module or "CrossEntropyLoss", LOSSES["CrossEntropyLoss"])[1]
    return keys + ("dr_line",) + tuple(k for k, o in (("dr_pw", "pos_weight"), ("dr_ii", "ignore_index"),
                                                      ("dr_ls", "label_smoothing")) if o not in has)


def read_text(text: str, dtype: str = "auto", *, target_of: np.ndarray | None = None, seed: int = 0) -> np.ndarray:
    """A pasted tensor or shape spec; a spec target of CE/NLL draws classes below the prediction's count."""
    high = 2
    if target_of is not None and target_of.ndim:
        high = target_of.shape[1 if target_of.ndim > 1 else 0]
    return parse_tensor(text, dtype=None if dtype == "auto" else dtype, seed=seed, int_high=high)


def read_files(files: list[tuple[str, bytes]]) -> dict[str, np.ndarray]:
    """Every array of every uploaded file, named ``file`` or ``file: key`` (a .pt dict)."""
    out: dict[str, np.ndarray] = {}
    for name, data in files:
        arrays = load_tensors(data)
        for key, arr in arrays.items():
            out[name if len(arrays) == 1 and key == "tensor" else f"{name}: {key}"] = arr
    return out


def loss_call(module: str, *, weight: str = "", pos_weight: str = "", ignore_index: int = -100,
              reduction: str = "mean", label_smoothing: float = 0.0) -> LossCall:
    """The call the controls describe; only the options ``module`` has, defaults left out."""
    name, allowed = LOSSES[module]
    given = {"weight": parse_tensor(weight, dtype="float32") if weight.strip() else None,
             "pos_weight": parse_tensor(pos_weight, dtype="float32") if pos_weight.strip() else None,
             "ignore_index": int(ignore_index), "reduction": reduction, "label_smoothing": float(label_smoothing)}
    defaults = {"ignore_index": -100, "reduction": "mean", "label_smoothing": 0.0}
    kw = {k: v for k, v in given.items() if k in allowed and v is not None and not (k in defaults and v == defaults[k])}
    return LossCall(name, kw)


def fits_link(text: str, arr: np.ndarray | None) -> bool:
    """Whether a pasted input is small enough to live in the link (≤ 64 values)."""
    return arr is not None and arr.size <= LINK_VALUES and len(text) <= LINK_CHARS


def error_text(exc: ParseError) -> tuple[str, dict]:
    """(catalog key, params) for a refused input; ``where`` is (line, col) or None for the page to word."""
    p = {k: str(v) for k, v in exc.params.items()}
    params = {"token": p.get("token", ""), "size": p.get("size", ""), "limit": p.get("limit", ""),
              "dtype": p.get("dtype", p.get("token", "")), "reason": p.get("reason", "")[:200],
              "what": p.get("what", ""), "row": p.get("row", ""), "expected": p.get("expected", ""),
              "got": p.get("got", "")}
    where = (int(exc.params["line"]), int(exc.params["col"])) if "line" in exc.params else None
    return f"error.{exc.code}", {**params, "where": where}


def size_note(e: Explanation) -> dict | None:
    """Params of "the target has 7 elements, the prediction 8" when a BCE loss got different sizes."""
    if e.error and e.loss.startswith("binary") and int(np.prod(e.input_shape)) != int(np.prod(e.target_shape)):
        return {"target": int(np.prod(e.target_shape)), "input": int(np.prod(e.input_shape))}
    return None


def value_text(v: np.ndarray | None) -> str:
    """A reduced value as ``loss.item()`` prints it; a tensor as its shape and sum."""
    if v is None:
        return "—"
    if v.ndim == 0:
        return fmt.value(v.astype(np.float64))
    return f"{tuple(v.shape)}, Σ = {fmt.cell(v.astype(np.float64).sum(), 8)}"


def lossviz_key(e: Explanation) -> str:
    """The catalog key for explain's note on lossviz's cross-check: ``lv_agrees`` only when the two values
    are the same numbers, ``lv_close`` when they agree to the dtype's rounding but their digits differ."""
    note = e.lossviz_note
    if note == "agrees with torch":
        same = e.value is not None and e.lossviz_value is not None and np.array_equal(
            np.asarray(e.value, dtype=np.float64), np.asarray(e.lossviz_value, dtype=np.float64), equal_nan=True)
        return "doctor.lv_agrees" if same else "doctor.lv_close"
    if note.startswith("lossviz raises too"):
        return "doctor.lv_raises_too"
    if "DIFFERS" in note or "torch raised" in note or "but torch does not" in note:
        return "doctor.lv_differs"
    return "doctor.lv_other"


def grad_params(e: Explanation) -> dict | None:
    """Params of the gradient's summary: largest |g|, how many are exactly 0, whether any is NaN."""
    if e.grad is None:
        return None
    g = e.grad.astype(np.float64)
    return {"max": fmt.cell(np.nanmax(np.abs(g)) if g.size and not np.isnan(g).all() else 0.0, 4),
            "zeros": int((g == 0).sum()), "n": g.size, "nan": int(np.isnan(g).sum())}


def rows(e: Explanation) -> list[tuple[str, ...]]:
    """The worst elements (first 20): index, input, target (None = ignored), p(target), loss."""
    return [(fmt.element_label(r.index), "—" if r.input is None else fmt.cell(r.input),
             None if r.ignored else "—" if r.target is None else fmt.cell(r.target),
             "—" if r.prob is None else fmt.cell(r.prob), fmt.cell(r.loss)) for r in e.rows]


def lesson_file(url_path: str) -> tuple[str, str]:
    """(page file, page id) of the lesson at ``url_path``."""
    page = next(p for p in all_pages() if p.url_path == url_path)
    return page.file, page.id


def _nested(a: np.ndarray) -> str:
    """A numpy array as a nested list literal; floats in their own dtype's shortest form (``0.1``)."""
    if a.ndim == 0:
        v = a.item() if a.dtype.kind in "iub" else str(a)
        text = str(v)
        return {"nan": "float('nan')", "inf": "float('inf')", "-inf": "-float('inf')"}.get(text, text)
    return "[" + ", ".join(_nested(sub) for sub in a) + "]"


def _literal(name: str, a: np.ndarray) -> str:
    return f"{name} = torch.tensor({_nested(a)}, dtype=torch.{a.dtype.name})"


def _option(v) -> str:
    return _literal("", v).removeprefix(" = ") if isinstance(v, np.ndarray) else repr(v)


def snippet(case: Case) -> tuple[str, bool]:
    """(the learner's call as PyTorch code, whether it runs as it stands).

    Inputs of at most ``CODE_VALUES`` values are written out; larger ones and uploads get a
    loader line instead (the code then needs their file, so the page does not run it). Only
    numbers and names quoted with ``repr`` go into the code: never text the learner typed.
    """
    lines = ["import torch", "import torch.nn as nn", ""]
    runs = True
    for var, arr, name in (("input", case.x, case.names[0]), ("target", case.t, case.names[1])):
        if case.source == "file" or arr.size > CODE_VALUES:
            runs = False
            file, _, key = (name or f"{var}.pt").partition(": ")
            load = f"torch.load({file!r}, weights_only=True, map_location='cpu')"
            lines.append(f"{var} = {load}" + (f"[{key!r}]" if key else "") + f"  # {tuple(arr.shape)} {arr.dtype.name}"
                         if file.endswith(".pt") else f"{var} = torch.from_numpy(numpy.load({file!r}))")
        else:
            lines.append(_literal(var, arr))
    if any(line.startswith(("input = torch.from_numpy", "target = torch.from_numpy")) for line in lines):
        lines.insert(0, "import numpy")
    opts = ", ".join(f"{k}={_option(v)}" for k, v in case.call.kwargs.items())
    if case.x.dtype.kind in "fV":
        lines.append("input.requires_grad_(True)")
    lines += [f"loss_fn = nn.{case.call.module}({opts})", "loss = loss_fn(input, target)", "print(loss.tolist())"]
    if case.x.dtype.kind in "fV":
        lines += ["loss.sum().backward()", "print(input.grad)"]
    return "\n".join(lines), runs


_FORMULAS = {"Σ w[y]·l / Σ w[y]": "weighted", "Σ l / (targets not ignored)": "counted",
             "Σ w·l / numel": "numel"}


def reduction_key(e: Explanation) -> str:
    """The catalog key that says how the reduction made the value (mean by what, sum, none)."""
    r = e.reduction
    if r is None or r.reduction == "none":
        return "doctor.red_none"
    if r.reduction == "sum":
        return "doctor.red_sum"
    return "doctor.red_" + _FORMULAS.get(r.formula, "prob")
