"""mse_loss and mse_loss_grad against ``torch.nn.functional.mse_loss`` + ``torch.autograd.grad``.

Grid: reductions × shapes (0-d, 1-D, 2-D, K-dim) × float32/float64, float16/bfloat16, mixed dtypes
(torch's promotion), broadcasting targets (torch warns, then broadcasts), and torch's errors.
"""

from __future__ import annotations

import itertools
import warnings
import zlib

import ml_dtypes
import numpy as np
import pytest
import torch

from lossviz.core import functional as F
from lossviz.core.errors import LossVizError
from tests.unit.conftest import to_array, to_tensor, tolerance

REDUCTIONS = ("none", "mean", "sum")
SHAPES = {"0d": (), "1d": (5,), "2d": (4, 3), "kdim": (2, 3, 4, 5)}
DTYPES = (np.float32, np.float64)
HALF = (np.float16, ml_dtypes.bfloat16)


def _rng(*key) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _torch(x, y, **kw):
    """torch's value (its own dtype) and autograd's gradient w.r.t. x (x's dtype), warnings silenced."""
    xt = to_tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out = torch.nn.functional.mse_loss(xt, to_tensor(y), **kw)
    (g,) = torch.autograd.grad(out.sum(), xt)
    dt = {torch.float16: np.float16, torch.bfloat16: ml_dtypes.bfloat16, torch.float32: np.float32,
          torch.float64: np.float64}[out.dtype]
    return to_array(out, np.dtype(dt)), to_array(g, np.asarray(x).dtype)


def _check(close, x, y, **kw):
    want_value, want_grad = _torch(x, y, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        value, grad = F.mse_loss(x, y, **kw), F.mse_loss_grad(x, y, **kw)
    assert np.asarray(value).dtype == want_value.dtype, (value.dtype, want_value.dtype)
    assert np.asarray(grad).dtype == np.asarray(x).dtype
    close(value, want_value, want_value.dtype, what=f"mse value {kw}")
    close(grad, want_grad, np.asarray(x).dtype, what=f"mse grad {kw}")


@pytest.mark.parametrize(("reduction", "shape", "dtype"), list(itertools.product(REDUCTIONS, SHAPES, DTYPES)))
def test_mse_loss_matches_torch(close, reduction, shape, dtype):
    """Test that mse_loss and its gradient match torch in value, gradient and dtype."""
    rng = _rng("mse", reduction, shape, np.dtype(dtype).name)
    size = SHAPES[shape]
    x = rng.normal(0, 2, size=size).astype(dtype)
    y = rng.normal(0, 2, size=size).astype(dtype)
    _check(close, x, y, reduction=reduction)


@pytest.mark.parametrize("dtype", HALF, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_half_matches_torch(close, dtype, reduction):
    """Test that float16 and bfloat16 round like torch (differences and squares in the dtype)."""
    rng = _rng("mse-half", np.dtype(dtype).name, reduction)
    x = rng.uniform(-3, 3, size=(4, 6)).astype(dtype)
    y = rng.integers(0, 2, size=(4, 6)).astype(dtype)
    _check(close, x, y, reduction=reduction)


@pytest.mark.parametrize(("x_dtype", "y_dtype"), [(np.float32, np.float64), (np.float64, np.float32),
                                                  (np.float16, np.float32), (ml_dtypes.bfloat16, np.float16),
                                                  (np.float32, np.int64), (np.float32, np.bool_)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mixed_dtypes_promote_like_torch(close, x_dtype, y_dtype, reduction):
    """Test that the value takes torch's promoted dtype and the gradient the input's dtype."""
    rng = _rng("mse-mixed", np.dtype(x_dtype).name, np.dtype(y_dtype).name, reduction)
    x = rng.uniform(-2, 2, size=(3, 4)).astype(x_dtype)
    y = rng.integers(0, 2, size=(3, 4)).astype(y_dtype)
    _check(close, x, y, reduction=reduction)


@pytest.mark.parametrize(("x_shape", "y_shape"), [((3, 1), (3,)), ((4,), ()), ((2, 1, 3), (4, 1)), ((), (5,))])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_broadcasting_target_warns_and_broadcasts_like_torch(close, x_shape, y_shape, reduction):
    """Test that a target of another shape gives torch's UserWarning, then torch's broadcast value and gradient
    (an (N, 1) input against an (N,) target is averaged over N × N pairs)."""
    rng = _rng("mse-bcast", x_shape, y_shape, reduction)
    x = rng.normal(size=x_shape)
    y = rng.normal(size=y_shape)
    with pytest.warns(UserWarning, match="different to the input size") as torch_warn:
        torch.nn.functional.mse_loss(to_tensor(x), to_tensor(y))
    with pytest.warns(UserWarning, match="different to the input size") as ours:
        F.mse_loss(x, y, reduction=reduction)
    assert str(ours[0].message) == str(torch_warn[0].message)
    _check(close, x, y, reduction=reduction)
    with pytest.warns(UserWarning):
        out = F.mse_loss(x, y, reduction="none")
    assert out.shape == np.broadcast_shapes(x_shape, y_shape)


def test_same_shape_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(np.zeros(3), np.ones(3))
        F.mse_loss_grad(np.zeros(3), np.ones(3))


@pytest.mark.parametrize(("x", "y", "kw"), [
    (np.zeros(3), np.zeros(4), {}),
    (np.zeros((2, 3)), np.zeros((3, 2)), {}),
    (np.zeros(3), np.zeros(3), {"reduction": "avg"}),
    (np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64), {}),
])
def test_errors_are_torchs_kind_and_message(x, y, kw):
    """Test that shapes that do not broadcast, a bad reduction and integer input and target raise what torch raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises((ValueError, RuntimeError)) as theirs:
            torch.nn.functional.mse_loss(to_tensor(x), to_tensor(y), **kw)
        for fn in (F.mse_loss, F.mse_loss_grad):
            with pytest.raises((ValueError, RuntimeError)) as ours:
                fn(x, y, **kw)
            assert isinstance(ours.value, LossVizError)
            kind = ValueError if isinstance(theirs.value, ValueError) else RuntimeError
            assert isinstance(ours.value, kind)
            assert str(ours.value) == str(theirs.value)


def test_empty_input_mean_is_nan_like_torch():
    empty = np.zeros(0, dtype=np.float32)
    ref = torch.nn.functional.mse_loss(to_tensor(empty), to_tensor(empty))
    assert np.isnan(F.mse_loss(empty, empty)) and torch.isnan(ref)
    assert float(F.mse_loss(empty, empty, reduction="sum")) == 0.0
    assert F.mse_loss_grad(empty, empty).shape == (0,)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mse_on_sigmoid_chain_matches_autograd(dtype):
    """Test the chain the lesson uses: d/dx mse(σ(x), y) = mse_loss_grad(σ(x), y) · σ(x)(1 − σ(x)), as autograd."""
    x = np.linspace(-12, 12, 49).astype(dtype)
    for y in (0.0, 1.0):
        xt = torch.tensor(x, requires_grad=True)
        out = torch.nn.functional.mse_loss(torch.sigmoid(xt), torch.full_like(xt, y), reduction="none")
        (g,) = torch.autograd.grad(out.sum(), xt)
        s = F.sigmoid(x)
        ours = F.mse_loss_grad(s, np.full_like(x, y), reduction="none") * s * (1 - s)
        np.testing.assert_allclose(ours, g.numpy(), rtol=tolerance(dtype), atol=tolerance(dtype))
