"""Every loss and its gradient against ``torch.nn.functional`` + ``torch.autograd.grad``.

The torch side is computed here, directly (``oracle`` in conftest), not through
``lossviz.core.torch_ref``, so a wrong reference runner cannot hide a wrong loss.
Grid: reductions × weight × pos_weight × ignore_index × label_smoothing × target kind ×
shapes (1-D, 2-D, K-dim (2, 3, 4, 5)) × float32/float64, plus a few float16/bfloat16 cases.
"""

from __future__ import annotations

import itertools
import zlib

import ml_dtypes
import numpy as np
import pytest
import torch

from lossviz.core import functional as F
from lossviz.core import torch_ref

REDUCTIONS = ("none", "mean", "sum")
SHAPES = {"1d": (5,), "2d": (4, 3), "kdim": (2, 3, 4, 5)}
DTYPES = (np.float32, np.float64)
HALF = (np.float16, ml_dtypes.bfloat16)


def _rng(*key) -> np.random.Generator:
    """A generator seeded by the test case, so every case has its own, repeatable data."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _weight(kind: str | None, shape: tuple[int, ...], rng) -> np.ndarray | None:
    """None; "last": (shape[-1],) broadcast from the right; "channel": (C, 1, 1) for NCHW."""
    if kind is None:
        return None
    if kind == "last":
        return rng.uniform(0.2, 3.0, size=shape[-1])
    return rng.uniform(0.2, 3.0, size=(shape[1], 1, 1))


def _check(oracle, close, name, x, y, dtype, **kw) -> None:
    """Value and gradient of ``lossviz.core.functional.<name>`` against torch, to the dtype's tolerance."""
    want_value, want_grad = oracle(name, x, y, **kw)
    value = getattr(F, name)(x, y, **kw)
    grad = getattr(F, name + "_grad")(x, y, **kw)
    assert np.asarray(value).dtype == np.dtype(dtype)
    assert np.asarray(grad).dtype == np.dtype(dtype)
    close(value, want_value, dtype, what=f"{name} value {kw}")
    close(grad, want_grad, dtype, what=f"{name} grad {kw}")


# ------------------------------------------------------------------ BCELoss ----

BCE_CASES = list(itertools.product(REDUCTIONS, (None, "last"), SHAPES, DTYPES))


@pytest.mark.parametrize(("reduction", "weight", "shape", "dtype"), BCE_CASES)
def test_binary_cross_entropy_matches_torch(oracle, close, reduction, weight, shape, dtype):
    """Test that binary_cross_entropy and its gradient match torch for hard and soft targets."""
    rng = _rng("bce", reduction, weight, shape, np.dtype(dtype).name)
    size = SHAPES[shape]
    x = rng.uniform(0.02, 0.98, size=size).astype(dtype)
    y = np.where(rng.random(size) < 0.5, rng.integers(0, 2, size=size), rng.random(size)).astype(dtype)
    _check(oracle, close, "binary_cross_entropy", x, y, dtype, weight=_weight(weight, size, rng), reduction=reduction)


# -------------------------------------------------------- BCEWithLogitsLoss ----


def _bcel_cases():
    for reduction, weight, pos_weight, shape, dtype in itertools.product(
        REDUCTIONS, (None, "last", "channel"), (None, "last", "channel"), SHAPES, DTYPES
    ):
        if shape != "kdim" and "channel" in (weight, pos_weight):
            continue  # (C, 1, 1) is the NCHW layout only
        yield reduction, weight, pos_weight, shape, dtype


@pytest.mark.parametrize(("reduction", "weight", "pos_weight", "shape", "dtype"), list(_bcel_cases()))
def test_binary_cross_entropy_with_logits_matches_torch(oracle, close, reduction, weight, pos_weight, shape, dtype):
    """Test that binary_cross_entropy_with_logits and its gradient match torch with weight and pos_weight."""
    rng = _rng("bcel", reduction, weight, pos_weight, shape, np.dtype(dtype).name)
    size = SHAPES[shape]
    x = (rng.standard_normal(size) * 4.0).astype(dtype)
    y = np.where(rng.random(size) < 0.5, rng.integers(0, 2, size=size), rng.random(size)).astype(dtype)
    _check(
        oracle,
        close,
        "binary_cross_entropy_with_logits",
        x,
        y,
        dtype,
        weight=_weight(weight, size, rng),
        reduction=reduction,
        pos_weight=_weight(pos_weight, size, rng),
    )


# --------------------------------------------------------- CrossEntropyLoss ----

IGNORE = ("none", "some", "custom", "all")  # default -100 unused / some -100 / ignore_index=1 / all -100
SMOOTHING = (0.0, 0.1, 1.0)


def _ignored_targets(t: np.ndarray, ignore: str) -> tuple[np.ndarray, int]:
    """Index targets with none, some ("some": every other one; "custom": ignore_index 1) or all ignored."""
    ignore_index = -100
    if ignore == "some":
        t.flat[::2] = -100
    elif ignore == "all":
        t[...] = -100
    elif ignore == "custom":
        ignore_index = 1
        t.flat[::2] = 1
    return t.astype(np.int64), ignore_index


def _ce_inputs(rng, shape: str, kind: str, ignore: str, dtype):
    """Logits of ``shape`` and an index or probability target; returns (x, y, ignore_index)."""
    size = SHAPES[shape]
    x = (rng.standard_normal(size) * 3.0).astype(dtype)
    class_dim = 0 if len(size) == 1 else 1
    n_classes = size[class_dim]
    if kind == "prob":
        y = rng.dirichlet(np.ones(n_classes), size=size[:class_dim] + size[class_dim + 1 :])
        return x, np.moveaxis(y, -1, class_dim).astype(dtype), -100
    t = rng.integers(0, n_classes, size=size[:class_dim] + size[class_dim + 1 :])
    t, ignore_index = _ignored_targets(t, ignore)
    return x, t, ignore_index


def _ce_cases():
    for reduction, weight, ignore, eps, kind, shape, dtype in itertools.product(
        REDUCTIONS, (None, "class"), IGNORE, SMOOTHING, ("index", "prob"), SHAPES, DTYPES
    ):
        if kind == "prob" and ignore != "none":
            continue  # ignore_index applies to index targets only
        if shape == "1d" and ignore in ("some", "custom"):
            continue  # a 1-D input has a single 0-d target: all or nothing
        yield reduction, weight, ignore, eps, kind, shape, dtype


@pytest.mark.parametrize(
    ("reduction", "weight", "ignore", "label_smoothing", "kind", "shape", "dtype"), list(_ce_cases())
)
def test_cross_entropy_matches_torch(oracle, close, reduction, weight, ignore, label_smoothing, kind, shape, dtype):
    """Test that cross_entropy and its gradient match torch for index and probability targets."""
    rng = _rng("ce", reduction, weight, ignore, label_smoothing, kind, shape, np.dtype(dtype).name)
    x, y, ignore_index = _ce_inputs(rng, shape, kind, ignore, dtype)
    n_classes = x.shape[0 if x.ndim == 1 else 1]
    w = None if weight is None else rng.uniform(0.2, 3.0, size=n_classes)
    _check(
        oracle,
        close,
        "cross_entropy",
        x,
        y,
        dtype,
        weight=w,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )


# ------------------------------------------------------- float16 / bfloat16 ----


@pytest.mark.parametrize("dtype", HALF, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_half_matches_torch(oracle, close, dtype, reduction):
    """Test that binary_cross_entropy matches torch in float16 and bfloat16, with a weight."""
    rng = _rng("bce-half", np.dtype(dtype).name, reduction)
    x = rng.uniform(0.02, 0.98, size=(4, 3)).astype(dtype)
    y = rng.random((4, 3)).astype(dtype)
    _check(oracle, close, "binary_cross_entropy", x, y, dtype, weight=rng.uniform(0.5, 2.0, 3), reduction=reduction)


@pytest.mark.parametrize("dtype", HALF, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits_half_matches_torch(oracle, close, dtype, reduction):
    """Test that binary_cross_entropy_with_logits matches torch in float16 and bfloat16, with pos_weight."""
    rng = _rng("bcel-half", np.dtype(dtype).name, reduction)
    x = (rng.standard_normal((4, 3)) * 4.0).astype(dtype)
    y = rng.integers(0, 2, size=(4, 3)).astype(dtype)
    _check(
        oracle,
        close,
        "binary_cross_entropy_with_logits",
        x,
        y,
        dtype,
        reduction=reduction,
        pos_weight=rng.uniform(0.5, 3.0, 3),
    )


@pytest.mark.parametrize("dtype", HALF, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("kind", ("index", "prob"))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_half_matches_torch(oracle, close, dtype, kind, reduction):
    """Test that cross_entropy matches torch in float16 and bfloat16 for both target kinds."""
    rng = _rng("ce-half", np.dtype(dtype).name, kind, reduction)
    x, y, ignore_index = _ce_inputs(rng, "2d", kind, "none", dtype)
    _check(oracle, close, "cross_entropy", x, y, dtype, ignore_index=ignore_index, reduction=reduction)


# float16: BCE's grad 1e12 at σ = 1 overflows to inf, then inf·0 = NaN — as in torch
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered in multiply:RuntimeWarning")
@pytest.mark.parametrize(
    "dtype", (np.float16, ml_dtypes.bfloat16, np.float32, np.float64), ids=lambda d: np.dtype(d).name
)
def test_naive_bce_from_logits_matches_torch(oracle, close, dtype):
    """Test that naive_bce_from_logits and its gradient match torch's BCELoss(sigmoid(x)) in every dtype."""
    x = np.array([-20.0, -3.0, -0.5, 0.0, 0.7, 4.0, 9.0, 20.0]).astype(dtype)
    y = np.array([1.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.0, 0.0]).astype(dtype)
    for reduction in REDUCTIONS:
        _check(oracle, close, "naive_bce_from_logits", x, y, dtype, reduction=reduction)


# ------------------------------------------------------------- activations ----

ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "log_sigmoid": torch.nn.functional.logsigmoid,
    "softplus": torch.nn.functional.softplus,
    "logsumexp": lambda t: torch.logsumexp(t, dim=-1),
    "softmax": lambda t: torch.softmax(t, dim=-1),
    "log_softmax": lambda t: torch.log_softmax(t, dim=-1),
}


@pytest.mark.parametrize(
    "dtype", (np.float16, ml_dtypes.bfloat16, np.float32, np.float64), ids=lambda d: np.dtype(d).name
)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_torch(oracle, close, name, dtype):
    """Test that the stable activation helpers match torch across moderate and extreme logits."""
    x = np.array([[-100.0, -30.0, -5.0, -0.5, 0.0], [0.25, 3.0, 10.0, 30.0, 80.0]]).astype(dtype)
    want = oracle.array(ACTIVATIONS[name](oracle.tensor(x)), x.dtype)
    got = getattr(F, name)(x)
    assert got.dtype == np.dtype(dtype)
    close(got, want, dtype, what=name)


# ------------------------------------------------------------ lossviz.core.torch_ref ----

REF_CASES = {
    "bce": ("binary_cross_entropy", np.array([0.1, 0.5, 0.9]), np.array([0.0, 1.0, 0.3]), {"weight": [1.0, 2.0, 0.5]}),
    "bcel_bf16": (
        "binary_cross_entropy_with_logits",
        np.array([-2.0, 0.5, 3.0], ml_dtypes.bfloat16),
        np.array([0.0, 1.0, 1.0], ml_dtypes.bfloat16),
        {"pos_weight": [2.0, 2.0, 2.0], "reduction": "sum"},
    ),
    "ce_index": ("cross_entropy", np.array([[0.3, -1.0, 2.0], [1.0, 0.0, -2.0]]), np.array([2, -100]), {}),
    "ce_prob_f32": (
        "cross_entropy",
        np.array([[0.3, -1.0, 2.0]], np.float32),
        np.array([[0.2, 0.3, 0.5]], np.float32),
        {"label_smoothing": 0.1, "reduction": "none"},
    ),
    "naive": ("naive_bce_from_logits", np.array([5.0, 20.0], np.float32), np.array([0.0, 0.0], np.float32), {}),
}


@pytest.mark.parametrize("case", REF_CASES)
def test_torch_ref_reference_equals_direct_torch(oracle, case):
    """Test that lossviz.core.torch_ref.reference returns exactly what torch returns when called directly here."""
    name, x, y, kw = REF_CASES[case]
    ref = torch_ref.reference(name, x, y, **kw)
    want_value, want_grad = oracle(name, x, y, **kw)
    assert ref.error is None
    assert ref.value.dtype == x.dtype and ref.grad.dtype == x.dtype
    assert ref.value.tolist() == want_value.tolist()
    assert ref.grad.tolist() == want_grad.tolist()
    assert torch_ref.agrees(ref, torch_ref.ours(name, x, y, **kw))


def test_torch_ref_agrees_on_same_kind_of_error():
    """Test that reference and ours both report an out-of-range class as an IndexError and agree."""
    x, t = np.zeros((2, 3)), np.array([0, 3])
    ref, mine = torch_ref.reference("cross_entropy", x, t), torch_ref.ours("cross_entropy", x, t)
    assert ref.error_kind == "IndexError"
    assert isinstance(mine.error, IndexError)
    assert torch_ref.agrees(ref, mine)


def test_torch_ref_disagrees_when_a_value_differs():
    """Test that agrees() is not vacuous: a value one part in 1e4 off, or an error on one side only, disagrees."""
    x, y = np.array([0.3, -1.2]), np.array([1.0, 0.0])
    ref = torch_ref.reference("binary_cross_entropy_with_logits", x, y)
    off = torch_ref.Reference(ref.value * (1 + 1e-4), ref.grad)
    assert not torch_ref.agrees(ref, off)
    failed = torch_ref.ours("binary_cross_entropy_with_logits", x, y[:1])
    assert not torch_ref.agrees(ref, failed)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, ml_dtypes.bfloat16])
@pytest.mark.parametrize("pos_weight", [None, 3.0])
def test_bce_with_logits_below_float64_rounds_like_torch_where_it_cancels(oracle, dtype, pos_weight):
    """Test that for y = 0 and negative logits, where (1 - y)·x − log σ(x) cancels, BCEWithLogitsLoss below float64
    gives torch's own rounded numbers, not the exact loss: at x = −12 float32 torch says 5.722046e-06, not 6.144e-06."""
    x = np.linspace(-14.0, -0.5, 28).astype(dtype).reshape(4, 7)
    y = np.zeros_like(x)
    y[0] = 1.0  # the other side, which does not cancel, in the same call
    kw = {} if pos_weight is None else {"pos_weight": np.full(7, pos_weight, dtype=dtype)}
    for reduction in ("none", "sum", "mean"):
        want, _ = oracle("binary_cross_entropy_with_logits", x, y, reduction=reduction, **kw)
        got = F.binary_cross_entropy_with_logits(x, y, reduction=reduction, **kw)
        if reduction == "none":
            # the same numbers as torch, not merely close: where log σ(x)'s last bit differs from torch's vectorized
            # kernel, the cancellation shows it, by at most one unit in the last place of x
            same = got.astype(np.float64) == want.astype(np.float64)
            assert same.mean() >= 0.9, (got, want)
            gap = np.abs(got.astype(np.float64) - want.astype(np.float64))
            assert np.all(gap <= np.spacing(np.abs(x.astype(dtype))).astype(np.float64) * (1 if pos_weight is None else 4))
        else:
            assert abs(float(got) - float(want)) <= 2 * float(np.spacing(np.abs(want.astype(dtype)))), (reduction, got, want)


def test_bce_with_logits_float32_sum_of_many_cancelling_elements_is_torchs():
    """Test the case hypothesis found: 48 elements x = −7, y = 0 in float32, summed: torch's 0.04373932, whose every
    element carries the same cancellation (the exact sum is 0.04375039)."""
    x = np.full((3, 4, 4), -7.0, dtype=np.float32)
    y = np.zeros_like(x)
    want = torch.nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(x), torch.from_numpy(y), reduction="sum")
    assert float(F.binary_cross_entropy_with_logits(x, y, reduction="sum")) == want.item()
    assert abs(48 * np.log1p(np.exp(-7.0)) - 0.04375039) < 1e-8  # the exact value, for the record
