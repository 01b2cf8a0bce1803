"""torch's checks of the losses' arguments, each written once: shapes, dtypes, values and their
errors, with torch 2.13's own messages (as :class:`~lossviz.core.errors.LossVizError` subclasses of the
same Python type). Each ``*_inputs`` validates like torch and returns the arrays the loss computes on.
"""

from __future__ import annotations

import numpy as np

from lossviz.core.dtypes import as_floating
from lossviz.core.errors import LossIndexError, LossRuntimeError, LossValueError

REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: str) -> None:
    """Differs from PyTorch: torch's deprecated alias "elementwise_mean" (a warning, then "mean") is rejected."""
    if reduction not in REDUCTIONS:
        raise LossValueError(
            "bad_reduction", f"{reduction} is not a valid value for reduction", reduction=reduction
        )


def _shape(a: np.ndarray) -> str:
    return "torch.Size([" + ", ".join(str(s) for s in np.shape(a)) + "])"


def broadcast_to_input(name: str, w: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast ``w`` against ``shape`` from the right, as torch's in-place ``loss.mul_(w)``."""
    try:
        out = np.broadcast_shapes(np.shape(w), shape)
    except ValueError:
        raise LossRuntimeError(
            "broadcast",
            f"The size of {name} {list(np.shape(w))} does not broadcast against the target "
            f"size {list(shape)}: sizes must match from the right or be 1",
            name=name,
            got=list(np.shape(w)),
            shape=list(shape),
        ) from None
    if out != tuple(shape):
        raise LossRuntimeError(
            "broadcast",
            f"output with shape {list(shape)} doesn't match the broadcast shape {list(out)}",
            name=name,
            got=list(np.shape(w)),
            shape=list(shape),
        )
    return np.broadcast_to(w, shape)


def bce_inputs(input, target, weight):
    x = as_floating(input)
    y = np.asarray(target)
    if y.shape != x.shape:
        raise LossValueError(
            "size_mismatch",
            f"Using a target size ({_shape(y)}) that is different to the input size "
            f"({_shape(x)}) is deprecated. Please ensure they have the same size.",
            input=list(x.shape),
            target=list(y.shape),
        )
    if y.dtype.kind != "f" and y.dtype.name != "bfloat16":
        raise LossRuntimeError(
            "target_dtype",
            f"Found dtype {y.dtype.name} but expected {x.dtype.name}: BCE targets must be floating point",
            got=y.dtype.name,
            expected=x.dtype.name,
        )
    y = y.astype(x.dtype)
    w = None if weight is None else broadcast_to_input("weight", as_floating(weight, x.dtype), x.shape)
    xo, yo = x.astype(np.float64), y.astype(np.float64)
    if not ((xo >= 0) & (xo <= 1)).all():  # NaN fails too
        raise LossRuntimeError("input_range", "all elements of input should be between 0 and 1")
    if not ((yo >= 0) & (yo <= 1)).all():
        raise LossRuntimeError("target_range", "all elements of target should be between 0 and 1")
    return x, y, w


def bce_with_logits_inputs(input, target, weight, pos_weight):
    x = as_floating(input)
    y = np.asarray(target)
    if y.shape != x.shape:
        raise LossValueError(
            "size_mismatch",
            f"Target size ({_shape(y)}) must be the same as input size ({_shape(x)})",
            input=list(x.shape),
            target=list(y.shape),
        )
    y = y.astype(x.dtype)
    p = None
    if pos_weight is not None:
        p = as_floating(pos_weight, x.dtype)
        try:
            np.broadcast_shapes(p.shape, y.shape)
        except ValueError:
            raise LossRuntimeError(
                "pos_weight_shape",
                f"The size of tensor a ({p.shape[-1] if p.ndim else 1}) must match the size of "
                f"tensor b ({y.shape[-1] if y.ndim else 1}) at non-singleton dimension "
                f"{max(y.ndim, p.ndim) - 1}",
                got=list(p.shape),
                shape=list(y.shape),
            ) from None
        p = broadcast_to_input("pos_weight", p, x.shape)
    w = None if weight is None else broadcast_to_input("weight", as_floating(weight, x.dtype), x.shape)
    return x, y, w, p


def cross_entropy_inputs(input, target, weight, ignore_index, label_smoothing):
    """Validate like torch; return logits with classes last, the target kind and arrays."""
    x = as_floating(input)
    if x.ndim == 0:
        # torch reads the class dim 1 of a 0-d input and fails with IndexError
        raise LossIndexError(
            "ce_scalar_input", "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
        )
    class_dim = 0 if x.ndim == 1 else 1
    n_classes = x.shape[class_dim]
    t = np.asarray(target)
    w = None if weight is None else as_floating(weight, x.dtype)
    if t.shape == x.shape:
        if w is not None and (w.ndim != 1 or w.size != n_classes):
            raise _weight_shape(w, n_classes, "cross_entropy: ")
        if not (t.dtype.kind == "f" or t.dtype.name == "bfloat16"):
            raise LossRuntimeError(
                "ce_prob_dtype",
                f"Expected floating point type for target with class probabilities, got {torch_name(t.dtype)}",
                got=t.dtype.name,
            )
        if ignore_index >= 0:
            raise LossRuntimeError(
                "ce_prob_ignore", "ignore_index is not supported for floating point target"
            )
        check_label_smoothing(label_smoothing)
        xl = x if class_dim == x.ndim - 1 else np.moveaxis(x, class_dim, -1)  # classes last
        return "prob", xl, np.moveaxis(t.astype(x.dtype), class_dim, -1), w, n_classes
    xl, t, w, n_classes = index_target(x, t, w, ignore_index)
    if x.ndim == 1 and t.ndim == 1:
        raise _batch_mismatch(x, t)
    check_label_smoothing(label_smoothing)
    return "index", xl, t, w, n_classes


def nll_inputs(input, target, weight, ignore_index):
    """NLLLoss's checks (torch's ``nll_loss_nd``); return log-probabilities with classes last,
    int64 targets, the (C,) weight or None, and C. A (1,) target for 1-D input is returned as is."""
    x = as_floating(input)
    if x.ndim == 0:
        raise LossValueError("nll_scalar_input", "Expected 1 or more dimensions (got 0)")
    return index_target(x, np.asarray(target), weight, ignore_index)


def index_target(x: np.ndarray, t: np.ndarray, weight, ignore_index: int):
    """Class-index targets ``t`` for ``x`` of (C), (N, C) or (N, C, d1..dk), checked in the order and with
    the messages of torch's ``nll_loss_nd`` (which CrossEntropyLoss calls for index targets too).

    1-D and 2-D inputs go through ``nll_loss``, 4-D through ``nll_loss2d``, 3-D and 5-D+ are
    reshaped for ``nll_loss2d`` after a target-size check: each path checks in its own order.
    """
    class_dim = 0 if x.ndim == 1 else 1
    n_classes = x.shape[class_dim]
    if x.ndim != 1 and x.shape[0] != (t.shape[0] if t.ndim else 0):
        raise _batch_mismatch(x, t)
    w = None if weight is None else as_floating(weight, x.dtype)
    index_dtype = t.dtype in (np.dtype(np.int64), np.dtype(np.uint8))  # torch: Long or Byte only
    spatial = list(x.shape[:1] + x.shape[2:])
    if x.ndim <= 2:
        if t.ndim > 1:
            raise LossRuntimeError(
                "ce_target_size",
                "0D or 1D target tensor expected, multi-target not supported",
                expected=[],
                got=list(t.shape),
            )
        if not index_dtype:
            raise _index_dtype(t)
        if x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
            raise LossValueError(
                "target_1d_size",
                f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}",
                got=t.shape[0],
            )
        if w is not None and (w.ndim != 1 or w.size != n_classes):
            raise _weight_shape(w, n_classes)
    elif x.ndim == 4:
        if not index_dtype:
            raise _index_dtype(t)
        if t.ndim != 3:
            raise LossRuntimeError(
                "ce_target_size",
                f"only batches of spatial targets supported (3D tensors) but got targets of dimension: {t.ndim}",
                expected=spatial,
                got=list(t.shape),
            )
        if w is not None and w.size != n_classes:
            raise _weight_shape(w, n_classes, short=True)
        if list(t.shape) != spatial:
            raise LossRuntimeError(
                "ce_target_size",
                f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}",
                expected=spatial,
                got=list(t.shape),
            )
    else:
        if t.shape[1:] != x.shape[2:]:
            raise LossRuntimeError(
                "ce_target_size",
                f"Expected target size {spatial}, got {list(t.shape)}",
                expected=spatial,
                got=list(t.shape),
            )
        if not index_dtype:
            raise _index_dtype(t)
        if w is not None and w.size != n_classes:
            raise _weight_shape(w, n_classes, short=True)
    if w is not None:
        w = w.reshape(-1)  # nll_loss2d reads any weight of C elements
    t = t.astype(np.int64)
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise LossIndexError(
            "ce_index_range",
            f"Target {int(t[bad].flat[0])} is out of bounds.",
            target=int(t[bad].flat[0]),
            classes=n_classes,
        )
    xl = x if class_dim == x.ndim - 1 else np.moveaxis(x, class_dim, -1)  # classes last
    return xl, t, w, n_classes


def _index_dtype(t: np.ndarray) -> LossRuntimeError:
    return LossRuntimeError(
        "ce_index_dtype",
        f"expected target dtype to be Long or Byte, but got {torch_name(t.dtype)}",
        got=t.dtype.name,
    )


def _weight_shape(w: np.ndarray, n_classes: int, prefix: str = "", *, short: bool = False) -> LossRuntimeError:
    message = (
        "weight tensor should be defined either for all or no classes"
        if short
        else f"{prefix}weight tensor should be defined either for all {n_classes} classes or no "
        f"classes but got weight tensor of shape: {list(w.shape)}"
    )
    return LossRuntimeError("ce_weight_shape", message, classes=n_classes, got=list(w.shape))


def check_label_smoothing(label_smoothing: float) -> None:
    """ε > 1 raises (torch); a negative ε is accepted and treated as 0 by the loss."""
    if label_smoothing > 1.0:
        raise LossRuntimeError(
            "smoothing_range",
            f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}",
            got=label_smoothing,
        )


def _batch_mismatch(x: np.ndarray, t: np.ndarray) -> LossValueError:
    n_target = t.shape[0] if t.ndim else 0  # torch reads 0 for a 0-d target
    return LossValueError(
        "ce_batch",
        f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({n_target}).",
        input=x.shape[0],
        target=n_target,
    )


_TORCH_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def torch_name(dtype) -> str:
    """torch's C++ name of a dtype, as its messages print it (``Double``, ``Long``)."""
    name = np.dtype(dtype).name
    return _TORCH_NAMES.get(name, name.capitalize())


KL_REDUCTIONS = ("none", "batchmean", "sum", "mean")


def kl_div_inputs(input, target, reduction: str):
    """KLDivLoss's checks: reduction, floating dtypes, broadcasting (torch's messages); return input and
    target (cast to the input's dtype) and the broadcast shape of the pointwise loss."""
    if reduction not in KL_REDUCTIONS:
        raise LossValueError(
            "bad_reduction", f"{reduction} is not a valid value for reduction", reduction=reduction
        )
    xi, ti = np.asarray(input), np.asarray(target)
    if not all(a.dtype.kind == "f" or a.dtype.name == "bfloat16" for a in (xi, ti)):
        raise LossRuntimeError("kl_integral", "kl_div: Integral inputs not supported.")
    x = as_floating(xi)
    return x, ti.astype(x.dtype), broadcast_shape(ti.shape, x.shape)


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast of shapes ``a`` and ``b``, or torch's error naming the first clash from the right."""
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and 1 not in (pa[i], pb[i]):
            raise LossRuntimeError(
                "kl_shape",
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                f"at non-singleton dimension {i}",
                target=list(a),
                input=list(b),
            )
    return tuple(max(p, q) if 0 not in (p, q) else 0 for p, q in zip(pa, pb, strict=True))
