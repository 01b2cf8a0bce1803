"""Where sigmoid, log and exp break in each floating dtype, and the curves that show it.

Every threshold is *searched*, never typed in: :func:`saturation` bisects over the bit
patterns of a dtype for the smallest logit at which ``lossviz.core.functional.sigmoid`` rounds
to exactly 1.0 (float32: 16.635532, about 24·ln 2), where it rounds to 0, and where exp
overflows. The curve helpers put those exact points into the plotted grid, so the jump of
``BCELoss(sigmoid(x), 0)`` from ≈15.94 to 100 is drawn where it really happens.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields

import numpy as np

from lossviz.core import functional as F
from lossviz.core.dtypes import DTYPES, finfo, opmath, resolve, round_to
from lossviz.text import codegen

DTYPE_NAMES: tuple[str, ...] = tuple(DTYPES)  # float16, bfloat16, float32, float64
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _from_bits(bits: int, dtype: np.dtype) -> np.ndarray:
    """The value of ``dtype`` whose bit pattern is ``bits`` (a 0-d array)."""
    return np.array(bits, dtype=_UINT[dtype.itemsize]).view(dtype)


def _bits(value: float, dtype: np.dtype) -> int:
    return int(np.array(value, dtype=dtype).view(_UINT[dtype.itemsize]))


def _smallest_positive(pred, dtype: np.dtype) -> np.ndarray:
    """Smallest positive finite ``x`` of ``dtype`` with ``pred(x)``, for a predicate that is
    false below some point and true from it on. Bisection over bit patterns, which order
    positive floats by value."""
    lo = 0  # +0.0: assumed false
    hi = _bits(_max_finite(dtype), dtype)
    if not pred(_from_bits(hi, dtype)):
        raise ValueError(f"predicate never holds in {dtype.name}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pred(_from_bits(mid, dtype)):
            hi = mid
        else:
            lo = mid
    return _from_bits(hi, dtype)


def _max_finite(dtype: np.dtype) -> float:
    return float(finfo(dtype).max)


def exp(input, *, dtype=None) -> np.ndarray:
    """exp(x) as torch computes it: in opmath (float32 for 16-bit types), rounded to ``dtype``."""
    x = np.asarray(input, dtype=resolve(dtype, "float64")) if dtype is not None else np.asarray(input)
    with np.errstate(over="ignore"):
        return round_to(round_to(np.exp(x.astype(np.float64)), opmath(x.dtype)), x.dtype)


def previous(value, dtype) -> float:
    """The largest value of ``dtype`` below ``value`` (one ulp down, for positive values)."""
    dt = resolve(dtype)
    v = float(value)
    if v > 0:
        return float(_from_bits(_bits(v, dt) - 1, dt))
    return -float(_from_bits(_bits(-v, dt) + 1, dt))


def following(value, dtype) -> float:
    """The smallest value of ``dtype`` above ``value``."""
    return -previous(-float(value), dtype)


@dataclass(frozen=True)
class Saturation:
    """Where one dtype gives up. All values are numbers of that dtype (as floats)."""

    dtype: str
    sigmoid_one: float  # smallest x with σ(x) == 1.0 exactly
    before_one: float  # the dtype's value just below it: the last x with σ(x) < 1
    jump_from: float  # BCELoss(sigmoid(before_one), 0): the last finite value before the jump to 100
    sigmoid_zero: float  # largest x with σ(x) == 0.0 exactly (σ(x) == 0 at or below)
    exp_inf: float  # smallest x with exp(x) == inf


@functools.cache
def saturation(dtype: str) -> Saturation:
    """Search the saturation points of ``dtype`` ("float16", "bfloat16", "float32", "float64").

    >>> s = saturation("float32")
    >>> s.sigmoid_one, round(s.jump_from, 4)
    (16.63553237915039, 15.9424)
    """
    dt = resolve(dtype)
    one = _smallest_positive(lambda x: F.sigmoid(x) == 1.0, dt)
    zero = _smallest_positive(lambda m: F.sigmoid(-m) == 0.0, dt)
    inf = _smallest_positive(lambda x: np.isinf(exp(x)), dt)
    before = previous(float(one), dt)
    jump = float(F.naive_bce_from_logits(np.asarray(before, dtype=dt), np.asarray(0.0, dtype=dt)))
    return Saturation(dt.name, float(one), before, jump, -float(zero), float(inf))


def grid(span: float, dtype: str, n: int = 801) -> np.ndarray:
    """Logits from -span to span in ``dtype``, with every saturation point and the value just
    below it inserted, so jumps sit exactly where the dtype puts them."""
    dt = resolve(dtype)
    s = saturation(dt.name)
    extra = [s.sigmoid_one, s.before_one, s.sigmoid_zero, following(s.sigmoid_zero, dt), -s.sigmoid_one,
             -s.before_one, s.exp_inf, previous(s.exp_inf, dt), 0.0]
    xs = np.concatenate([np.linspace(-span, span, n), [v for v in extra if -span <= v <= span]])
    return np.unique(np.asarray(xs, dtype=dt))


@dataclass(frozen=True)
class Curves:
    """The loss of one label three ways and both gradients, at every logit of a grid (arrays in its dtype)."""

    naive: np.ndarray  # −log σ(x) (y = 1) or −log(1 − σ(x)) (y = 0) in two steps: +inf once σ rounds to 0 or 1
    clamped: np.ndarray  # BCELoss(sigmoid(x), y), whose log is clamped at −100
    stable: np.ndarray  # BCEWithLogitsLoss(x, y), the log-sum-exp form
    grad_clamped: np.ndarray  # autograd's gradient of ``clamped`` with respect to x
    grad_stable: np.ndarray  # autograd's gradient of ``stable`` with respect to x


def curves(xs, y: float, dtype: str) -> Curves:
    """The loss of label ``y`` (0 or 1) three ways, and both gradients, at logits ``xs`` (see :class:`Curves`)."""
    dt = resolve(dtype)
    x = np.asarray(xs, dtype=dt)
    target = np.full(x.shape, float(y), dtype=dt)
    with np.errstate(all="ignore"):  # inf and NaN are the lesson here, not a warning
        naive = -(F.naive_log_sigmoid(x) if y == 1 else F.naive_log1m_sigmoid(x))
        return Curves(
            naive=naive,
            clamped=F.naive_bce_from_logits(x, target, reduction="none"),
            stable=F.binary_cross_entropy_with_logits(x, target, reduction="none"),
            grad_clamped=F.naive_bce_from_logits_grad(x, target, reduction="none"),
            grad_stable=F.binary_cross_entropy_with_logits_grad(x, target, reduction="none"),
        )


PROBE_COLUMNS = ("dtype", "x", "sigma", "naive", "clamped", "stable", "grad_clamped", "grad_stable")


@dataclass(frozen=True)
class Probe:
    """One logit in one dtype: the fields of :class:`Curves` at that logit, as floats."""

    dtype: str
    x: float  # the logit as the dtype stores it
    sigma: float  # σ(x)
    naive: float
    clamped: float
    stable: float
    grad_clamped: float
    grad_stable: float


def probe(x: float, y: float) -> list[Probe]:
    """One logit in every dtype: x as that dtype stores it, σ(x), the three losses, both gradients."""
    rows = []
    for name in DTYPE_NAMES:
        xv = np.asarray(x, dtype=resolve(name))
        c = curves(xv.reshape(1), y, name)
        at_x = {f.name: float(getattr(c, f.name)[0]) for f in fields(c)}
        rows.append(Probe(name, float(xv), float(F.sigmoid(xv)), **at_x))
    return rows


def probe_code(points, y: float, dtype: str) -> str:
    """Runnable torch code for logits ``points`` in ``dtype``: both losses and both gradients, element by element."""
    return "\n".join([
        "import torch",
        codegen.tensor("x", points, dtype, requires_grad=True),
        f"y = torch.full_like(x, {float(y)})",
        "naive = torch.nn.BCELoss(reduction='none')(torch.sigmoid(x), y)",
        "stable = torch.nn.BCEWithLogitsLoss(reduction='none')(x, y)",
        "print(naive.tolist(), stable.tolist())",
        "print(torch.autograd.grad(naive.sum(), x)[0].tolist(),"
        " torch.autograd.grad(stable.sum(), x)[0].tolist())",
    ])


@dataclass(frozen=True)
class Softmax:
    """One row of logits shifted by c in one dtype: exp, and softmax without and with the max shift."""

    z: np.ndarray  # logits + c, rounded to the dtype
    exp: np.ndarray  # exp(z): inf past the dtype's exp limit
    naive: np.ndarray  # exp(z) / Σ exp(z): NaN or zeros once an exp overflows or all underflow
    stable: np.ndarray  # softmax(z) with the max shift: never moves with c


def softmax_shift(logits, shift: float, dtype: str) -> Softmax:
    """``logits + shift`` in ``dtype``: exp without the shift, softmax without and with the max shift.

    softmax(x + c) = softmax(x) for every c, so the stable column never moves; the naive one
    (``lossviz.core.functional.naive_softmax``) turns to NaN once an exp overflows (inf / inf) or every exp
    underflows (0 / 0), and to all zeros once only the sum overflows (x / inf).
    """
    dt = resolve(dtype)
    with np.errstate(over="ignore"):
        z = np.asarray(np.asarray(logits, dtype=np.float64) + float(shift), dtype=dt)
    return Softmax(z=z, exp=exp(z), naive=F.naive_softmax(z), stable=F.softmax(z))


def softmax_code(z, dtype: str) -> str:
    """Runnable torch code for one row ``z`` in ``dtype``: softmax without the max shift, then torch.softmax."""
    return "\n".join([
        "import torch",
        codegen.tensor("z", z, dtype),
        "print((torch.exp(z) / torch.exp(z).sum()).tolist(), torch.softmax(z, dim=0).tolist())",
    ])
