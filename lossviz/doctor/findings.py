"""The diagnoses: patterns in a learner's tensors that torch does not stop, each with its fix.

Every check takes a :class:`Case` (the call and its data) and returns a :class:`Finding` or
``None``. A check fires only when its pattern holds in the data; checks that rest on value
ranges need enough values that chance cannot produce them (at least 8: standard-normal
logits fall in [0, 1] with probability 0.34, so eight of them do so one time in 5,000 — and
the property test draws logits of scale ≥ 2, where it is one in 600,000).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lossviz.lessons.syllabus import by_id

MIN_VALUES = 8  # values needed before a range pattern counts (see the module docstring)
SIGMOID_1 = 1.0 / (1.0 + math.exp(-1.0))  # σ(1) = 0.7311: σ(σ(z)) lies in [0.5, 0.7311]


@dataclass(frozen=True)
class Finding:
    """One diagnosis: ``code``, English ``message`` and ``fix``, the fixed call's ``fixed_value``
    when one can be computed, and the ``lesson`` url_path.

    For translation: the message's catalog key is ``doctor.f_<key>`` and the fix's
    ``doctor.fix_<fix_key>`` (both default to ``code``), filled with ``params`` (language-neutral
    numbers and code)."""

    code: str
    message: str
    fix: str
    fixed_value: float | None
    lesson: str
    key: str = ""
    fix_key: str = ""
    params: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.key or self.code)
        object.__setattr__(self, "fix_key", self.fix_key or self.key)


@dataclass(frozen=True, eq=False)
class Case:
    """What the checks see: the functional ``name``, numpy ``x``/``t``, options and torch's result."""

    name: str
    x: np.ndarray
    t: np.ndarray
    opts: dict
    value: float | None  # torch's reduced value (None when it raised or reduction="none")
    error: str | None
    run: Callable[..., float | None]  # run(name, x, t, **opts) -> torch's mean value or None

    @property
    def index_targets(self) -> bool:
        return self.name in ("cross_entropy", "nll_loss") and self.t.dtype.kind in "iu" and self.t.shape != self.x.shape

    @property
    def class_dim(self) -> int:
        return 0 if self.x.ndim == 1 else 1

    def floats(self) -> np.ndarray | None:
        """The input as float64 when it is floating and finite, else None."""
        if self.x.dtype.kind not in "fV" or self.x.size == 0:
            return None
        xf = self.x.astype(np.float64)
        return xf if np.isfinite(xf).all() else None


def _lesson(page_id: str) -> str:
    return by_id(page_id).url_path


def probabilities_to_ce(c: Case) -> Finding | None:
    xf = c.floats()
    if c.name != "cross_entropy" or xf is None or xf.ndim == 0 or xf.min() < 0 or xf.max() > 1:
        return None
    n_classes = xf.shape[c.class_dim]
    rows_one = n_classes >= 2 and bool(np.all(np.abs(xf.sum(axis=c.class_dim) - 1) < 1e-3))
    binary = c.t.shape == xf.shape and np.isin(c.t, (0, 1)).all() and xf.size >= 3
    if rows_one:
        fixed = None
        if c.index_targets:
            keep = {k: c.opts[k] for k in ("weight", "ignore_index") if k in c.opts}
            fixed = c.run("nll_loss", np.log(np.maximum(xf, 1e-45)).astype(c.x.dtype), c.t, **keep)
        return Finding(
            "probabilities_to_ce",
            "Every row of the input sums to 1 along the class dimension: these are probabilities, softmax already "
            "applied. CrossEntropyLoss applies log_softmax itself, so they are softmaxed a second time and the loss "
            "cannot approach 0.",
            "Pass the logits (drop the softmax); with probabilities use F.nll_loss(torch.log(p), target).",
            fixed, _lesson("mistakes"), key="probabilities_to_ce_rows")
    if binary:
        return Finding(
            "probabilities_to_ce",
            "The input lies in [0, 1] and the target is 0/1 of the same shape: independent probabilities, which is "
            "BCELoss's job. CrossEntropyLoss reads the input as logits of one distribution over classes and "
            "softmaxes them.",
            "nn.BCELoss()(input, target) for independent yes/no probabilities (or CrossEntropyLoss on logits).",
            c.run("binary_cross_entropy", c.x, c.t.astype(c.x.dtype)), _lesson("ce_vs_bce"),
            key="probabilities_to_ce_binary")
    if xf.size >= MIN_VALUES:
        return Finding(
            "probabilities_to_ce",
            f"All {xf.size} input values lie in [0, 1]: are these probabilities? CrossEntropyLoss expects raw "
            "logits (any real numbers) and applies log_softmax itself.",
            "Pass the model's output before any softmax or sigmoid.", None, _lesson("softmax_ce"),
            key="probabilities_to_ce_range", params={"n": xf.size})
    return None


def sigmoid_twice(c: Case) -> Finding | None:
    xf = c.floats()
    if xf is None or xf.size < MIN_VALUES or c.t.dtype.kind not in "fV":
        return None
    t = c.t.astype(np.float64)
    if c.name == "binary_cross_entropy" and xf.min() >= 0.5 and xf.max() <= SIGMOID_1 + 1e-6:
        once = np.log(xf / (1 - xf)).astype(c.x.dtype)  # undo one sigmoid: logit(σ(σ(z))) = σ(z)
        return Finding(
            "sigmoid_twice",
            f"Every input lies in [0.5, {SIGMOID_1:.4f}] = σ([0, 1]): these look like σ(σ(z)), a sigmoid applied "
            "twice (a model ending in nn.Sigmoid, then torch.sigmoid again). No prediction can then leave "
            f"[0.5, {SIGMOID_1:.4f}], so the loss stays high whatever the model learns.",
            "Drop one sigmoid — better, drop both and use nn.BCEWithLogitsLoss on the logits.",
            c.run("binary_cross_entropy", once, c.t), _lesson("mistakes"), key="sigmoid_twice_bce",
            params={"hi": f"{SIGMOID_1:.4f}"})
    if c.name == "binary_cross_entropy_with_logits" and xf.min() >= 0 and xf.max() <= 1:
        ok = t.min() >= 0 and t.max() <= 1
        return Finding(
            "sigmoid_twice",
            f"All {xf.size} inputs lie in [0, 1]: probabilities, not logits. BCEWithLogitsLoss applies the sigmoid "
            f"itself, so the predictions it scores are stuck in [0.5, {SIGMOID_1:.4f}].",
            "Pass the logits (drop the sigmoid); or score these probabilities with nn.BCELoss.",
            c.run("binary_cross_entropy", c.x, c.t) if ok else None, _lesson("mistakes"), key="sigmoid_twice_logits",
            params={"n": xf.size, "hi": f"{SIGMOID_1:.4f}"})
    return None


def target_outside_01(c: Case) -> Finding | None:
    if c.name != "binary_cross_entropy_with_logits" or c.t.size == 0:
        return None
    t = c.t.astype(np.float64)
    t = t[np.isfinite(t)]
    outside = (t < 0) | (t > 1)
    if not outside.any():
        return None
    negative = c.value is not None and c.value < 0
    message = (f"{int(outside.sum())} of {c.t.size} targets lie outside [0, 1] (from {t.min():g} to {t.max():g}). "
               "BCEWithLogitsLoss does not check its targets; outside [0, 1] the loss has no lower bound"
               + (f" — here it is negative ({c.value:.6g})." if negative else " and can be negative."))
    fixed = None
    if set(np.unique(t)) <= {-1.0, 1.0}:
        fix, fix_key = "The labels are ±1: pass (target + 1) / 2.", "target_pm1"
        fixed = c.run(c.name, c.x, ((c.t.astype(np.float64) + 1) / 2).astype(c.t.dtype), **c.opts)
    elif np.all(t == np.round(t)) and t.min() >= 0:
        fix = "These look like class numbers: use CrossEntropyLoss with class indices, or one-hot targets."
        fix_key = "target_classes"
    else:
        fix, fix_key = "Scale the targets into [0, 1].", "target_scale"
    params = {"count": int(outside.sum()), "total": c.t.size, "lo": f"{t.min():g}", "hi": f"{t.max():g}",
              "value": f"{c.value:.6g}" if negative else ""}
    return Finding("target_outside_01", message, fix, fixed, _lesson("negative"),
                   key="target_outside_01_negative" if negative else "target_outside_01", fix_key=fix_key,
                   params=params)


def saturated_bce(c: Case) -> Finding | None:
    if c.name != "binary_cross_entropy" or c.x.dtype.kind not in "fV" or c.x.shape != c.t.shape:
        return None
    xf, t = c.x.astype(np.float64), c.t.astype(np.float64)
    edge = (xf == 0) | (xf == 1)
    if not edge.any():
        return None
    clamped = int((((xf == 0) & (t > 0)) | ((xf == 1) & (t < 1))).sum())
    return Finding(
        "saturated_bce",
        f"{int(edge.sum())} inputs are exactly 0 or 1: a saturated sigmoid (in float32 σ(x) rounds to 1 from "
        f"x ≥ 16.64). BCELoss clamps each log at -100, so each wrong one costs 100 ({clamped} here), and the "
        "gradient back through the saturated sigmoid is exactly 0: the model cannot learn from them.",
        "Compute the loss from the logits: nn.BCEWithLogitsLoss()(logits, target) instead of "
        "nn.BCELoss()(torch.sigmoid(logits), target).",
        None, _lesson("stability"), params={"edge": int(edge.sum()), "clamped": clamped})


def class_dim_last(c: Case) -> Finding | None:
    if not c.index_targets or c.x.ndim < 2:
        return None
    xs, ts = c.x.shape, c.t.shape
    if c.x.ndim >= 3 and ts == xs[:-1] and ts != (xs[0], *xs[2:]):
        order = (0, c.x.ndim - 1, *range(1, c.x.ndim - 1))
        fixed_x, fix = np.transpose(c.x, order), f"input.permute{order}"
    elif c.x.ndim == 2 and c.t.ndim == 1 and ts[0] == xs[1] != xs[0]:
        fixed_x, fix = c.x.T, "input.T"
    else:
        return None
    classes = xs[-1] if c.x.ndim > 2 else xs[0]
    return Finding(
        "class_dim_last",
        f"The input has shape {tuple(xs)} and the target {tuple(ts)}: the classes ({classes}) are on the wrong "
        "dimension. CrossEntropyLoss and NLLLoss want the classes at dim 1: (N, C) or (N, C, d1, ...).",
        f"Move the class dimension: loss_fn({fix}, target).",
        c.run(c.name, np.ascontiguousarray(fixed_x), c.t, **c.opts), _lesson("mistakes"),
        params={"input": str(tuple(xs)), "target": str(tuple(ts)), "classes": classes, "fix": fix})


def class_out_of_range(c: Case) -> Finding | None:
    if not c.index_targets or c.x.ndim == 0:
        return None
    n_classes = c.x.shape[c.class_dim]
    ignore = c.opts.get("ignore_index", -100)
    t = c.t.astype(np.int64)
    bad = (t != ignore) & ((t < 0) | (t >= n_classes))
    if not bad.any():
        return None
    counted = t[t != ignore]
    message = (f"{int(bad.sum())} targets are outside [0, {n_classes}) for an input with {n_classes} classes "
               f"(targets from {counted.min()} to {counted.max()}); torch raises IndexError.")
    fixed, value = None, 0
    if counted.min() >= 1 and counted.max() == n_classes:
        fix, fix_key = f"The labels are numbered 1..{n_classes}: pass target - 1.", "range_one_based"
        fixed = c.run(c.name, c.x, (t - 1).astype(c.t.dtype), **c.opts)
    elif np.unique(t[bad]).size == 1 and t[bad][0] < 0:
        value = int(t[bad][0])
        fix, fix_key = f"{value} marks positions to skip: pass ignore_index={value}.", "range_ignore"
        fixed = c.run(c.name, c.x, c.t, **{**c.opts, "ignore_index": value})
    else:
        fix = (f"Give the model's last layer {int(counted.max()) + 1} outputs, "
               f"or renumber the labels to 0..{n_classes - 1}.")
        fix_key = "range_outputs"
    params = {"bad": int(bad.sum()), "classes": n_classes, "lo": int(counted.min()), "hi": int(counted.max()),
              "value": value, "outputs": int(counted.max()) + 1, "last": n_classes - 1}
    return Finding("class_out_of_range", message, fix, fixed, _lesson("mistakes"), fix_key=fix_key, params=params)


def all_ignored(c: Case) -> Finding | None:
    ignore = c.opts.get("ignore_index", -100)
    if not c.index_targets or c.t.size == 0 or not np.all(c.t == ignore):
        return None
    if c.opts.get("reduction", "mean") != "mean":
        return None
    return Finding(
        "all_ignored",
        f"Every target equals ignore_index ({ignore}): the mean divides 0 by 0 and the loss is NaN (pytorch issue "
        "70348); one such batch turns the weights into NaN.",
        "Skip batches with nothing to count, or use reduction='sum' and divide by the count yourself.",
        c.run(c.name, c.x, c.t, **{**c.opts, "reduction": "sum"}), _lesson("ce_options"), params={"ignore": ignore})


def half_precision_bce(c: Case) -> Finding | None:
    if c.name != "binary_cross_entropy" or c.x.dtype.name not in ("float16", "bfloat16"):
        return None
    edge = {"float16": "8.32", "bfloat16": "6.25"}[c.x.dtype.name]
    fixed = c.run(c.name, c.x.astype(np.float32), c.t.astype(np.float32), **_as32(c.opts))
    return Finding(
        "half_precision_bce",
        f"BCELoss on {c.x.dtype.name} probabilities: σ(x) rounds to exactly 1.0 from x ≥ {edge}, where the loss jumps "
        "to the clamp value 100; under autocast torch refuses BCELoss as unsafe for this reason.",
        "Use nn.BCEWithLogitsLoss on the logits (autocast-safe), or compute the loss in float32: input.float().",
        fixed, _lesson("stability"), params={"dtype": c.x.dtype.name, "edge": edge})


def smoothing_with_weights(c: Case) -> Finding | None:
    eps = c.opts.get("label_smoothing", 0.0) or 0.0
    if c.name != "cross_entropy" or eps <= 0 or c.opts.get("weight") is None:
        return None
    fixed = None
    n_classes = c.x.shape[c.class_dim] if c.x.ndim else 0
    ignore = c.opts.get("ignore_index", -100)
    if c.index_targets and n_classes and np.all((c.t >= 0) & (c.t < n_classes)) and not np.any(c.t == ignore):
        onehot = np.moveaxis(np.eye(n_classes, dtype=c.x.dtype)[c.t.astype(np.int64)], -1, c.class_dim)
        fixed = c.run(c.name, c.x, np.ascontiguousarray(onehot), **c.opts)
    return Finding(
        "smoothing_with_weights",
        f"label_smoothing={eps:g} with class weights: torch weights the smoothing term by the class weights too, and "
        "index targets and the same targets as probabilities then give different losses (pytorch issue 104776).",
        "Decide which normalisation you mean" + ("; the value is the same call with one-hot probability targets."
                                                 if fixed is not None else "."),
        fixed, _lesson("ce_options"), fix_key="smoothing_onehot" if fixed is not None else "smoothing_with_weights",
        params={"eps": f"{eps:g}"})


def untrained(c: Case) -> Finding | None:
    xf = c.floats()
    if xf is None or c.value is None or not math.isfinite(c.value) or c.opts.get("reduction", "mean") != "mean":
        return None
    if c.name in ("cross_entropy", "nll_loss"):
        if c.x.ndim == 0 or xf.shape[c.class_dim] < 2:
            return None
        n_classes = xf.shape[c.class_dim]
        if c.name == "cross_entropy":
            p = np.exp(xf - xf.max(axis=c.class_dim, keepdims=True))
            p = p / p.sum(axis=c.class_dim, keepdims=True)
        else:
            p = np.exp(xf)
        spread = p.max(axis=c.class_dim) - p.min(axis=c.class_dim)
        positions = spread.size
    elif c.name in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        n_classes = 2
        p = xf if c.name == "binary_cross_entropy" else 1 / (1 + np.exp(-xf))
        spread, positions = 2 * np.abs(p - 0.5), p.size
    else:
        return None
    target = math.log(n_classes)
    if positions < 4 or spread.max() >= 0.1 or abs(c.value - target) > 0.1 * target:
        return None
    return Finding(
        "untrained",
        f"The loss is {c.value:.4f} ≈ ln {n_classes} = {target:.4f}, and every prediction is within 0.1 of uniform: "
        "the model gives every class the same score — the loss of an untrained model.",
        "If it stays there while training: check that the optimizer steps this model's parameters, the learning "
        "rate, and that the output is not constant (a detached or frozen layer).",
        None, _lesson("train"), params={"value": f"{c.value:.4f}", "classes": n_classes, "ln": f"{target:.4f}"})


def _as32(opts: dict) -> dict:
    return {k: v.astype(np.float32) if isinstance(v, np.ndarray) and v.dtype.kind in "fV" else v
            for k, v in opts.items()}


CHECKS = (probabilities_to_ce, sigmoid_twice, target_outside_01, saturated_bce, class_dim_last, class_out_of_range,
          all_ignored, half_precision_bce, smoothing_with_weights, untrained)


def diagnose(case: Case) -> tuple[Finding, ...]:
    """Every finding that holds for ``case``, in the order of :data:`CHECKS`.

    With the classes on the wrong dimension, the range check counts classes on dim 1 and
    misreads valid labels as out of range: only the class-dimension finding is kept."""
    found = tuple(f for check in CHECKS if (f := check(case)) is not None)
    if any(f.code == "class_dim_last" for f in found):
        found = tuple(f for f in found if f.code != "class_out_of_range")
    return found
