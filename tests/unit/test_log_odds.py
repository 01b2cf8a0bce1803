"""lossviz's logit (σ's inverse) against torch.logit, and lossviz.lessons.log_odds against torch."""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.core import functional as F
from tests.unit.conftest import to_array, to_tensor, tolerance

DTYPES = [np.float64, np.float32, np.float16, ml_dtypes.bfloat16]
PROBS = [0.0, 1e-12, 1e-7, 1e-6, 0.001, 0.25, 0.5, 0.5000001, 0.73, 0.999, 1 - 1e-7, 1.0, -0.1, 1.1, math.nan, math.inf]
EPSES = [None, -1.0, 0.0, 1e-6, 1e-3, 0.1, 0.5, 0.6]


def torch_logit(p: np.ndarray, eps):
    """torch.logit and the gradient of its sum, by autograd, in p's dtype."""
    x = to_tensor(p, requires_grad=True)
    out = torch.logit(x, eps=eps)
    (g,) = torch.autograd.grad(out.sum(), x)
    return to_array(out, p.dtype), to_array(g, p.dtype)


def assert_same(ours: np.ndarray, ref: np.ndarray, dtype) -> None:
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_allclose(ours.astype(np.float64), ref.astype(np.float64), rtol=tolerance(dtype),
                               atol=tolerance(dtype), equal_nan=True)


@pytest.mark.parametrize("eps", EPSES)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_logit_and_its_gradient_match_torch(dtype, eps):
    """Test logit and logit_grad against torch.logit and autograd for every edge probability, dtype and eps."""
    p = np.array(PROBS, dtype=np.float64).astype(dtype)
    value, grad = torch_logit(p, eps)
    assert_same(F.logit(p, eps), value, dtype)
    finite = ~np.isnan(p.astype(np.float64))  # a NaN's gradient with eps: see the next test
    assert_same(F.logit_grad(p, eps)[finite], grad[finite], dtype)
    assert np.isnan(F.logit_grad(p, eps)[~finite]).all()


def test_nan_gradient_with_eps_is_inconsistent_in_torch():
    """Test the documented difference: with eps torch gives a NaN input the gradient 0 or NaN depending on
    its position (float64: 0 inside the vectorised body of 16 elements); lossviz always gives NaN."""
    x = torch.full((16,), math.nan, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(torch.logit(x, eps=1e-3).sum(), x)
    assert g.tolist() == [0.0] * 16
    x1 = torch.full((1,), math.nan, dtype=torch.float64, requires_grad=True)
    (g1,) = torch.autograd.grad(torch.logit(x1, eps=1e-3).sum(), x1)
    assert math.isnan(g1.item()) and np.isnan(F.logit_grad(np.full(16, math.nan), eps=1e-3)).all()


def test_logit_at_0_and_1_is_infinite_without_eps():
    """Test p = 0 → −inf, p = 1 → +inf, p outside [0, 1] → NaN, exactly as torch."""
    p = np.array([0.0, 1.0, -0.5, 2.0])
    np.testing.assert_array_equal(F.logit(p), torch.logit(torch.tensor(p)).numpy())
    assert F.logit(p).tolist()[:2] == [-math.inf, math.inf] and np.isnan(F.logit(p)[2:]).all()


def test_logit_with_eps_clamps_first():
    """Test that eps clamps p to [eps, 1 − eps]: float64 logit(0, 1e-6) = log(1e-6 / (1 − 1e-6)); in float32
    1 − 1e-6 rounds, so logit(1, 1e-6) = 13.8023, not 13.8155, as torch."""
    assert F.logit(0.0, eps=1e-6) == pytest.approx(math.log(1e-6 / (1 - 1e-6)), rel=1e-15)
    p32 = np.array([0.0, 1.0], dtype=np.float32)
    got = F.logit(p32, eps=1e-6)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, torch.logit(torch.tensor(p32), eps=1e-6).numpy())
    assert round(float(got[1]), 4) == 13.8023 and round(float(got[0]), 4) == -13.8155


def test_logit_eps_above_half_follows_torchs_order():
    """Test eps = 0.6 (the bounds cross): p < 0.6 → 0.6, else p > 0.4 → 0.4, as torch's kernel."""
    p = np.array([0.0, 0.5, 0.7, 1.0])
    np.testing.assert_allclose(F.logit(p, eps=0.6), torch.logit(torch.tensor(p), eps=0.6).numpy(), rtol=1e-15)


def test_logit_of_integers_is_float64():
    """Test the documented difference: integer input gives float64 in lossviz, float32 in torch."""
    got = F.logit(np.array([0, 1]))
    assert got.dtype == np.float64 and got.tolist() == [-math.inf, math.inf]
    assert torch.logit(torch.tensor([0, 1])).dtype == torch.float32


def test_logit_keeps_shapes():
    p = np.linspace(0.05, 0.95, 12).reshape(2, 3, 2)
    assert F.logit(p).shape == (2, 3, 2) and F.logit_grad(p, 1e-3).shape == (2, 3, 2)


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-15.0, 15.0))
def test_logit_inverts_sigmoid(x):
    """Test logit(σ(x)) = x in float64 while 1 − σ(x) keeps enough digits (|x| ≤ 15)."""
    assert F.logit(F.sigmoid(x)) == pytest.approx(x, rel=1e-9, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(p=st.floats(1e-300, 1.0, exclude_max=True))
def test_sigmoid_inverts_logit(p):
    """Test σ(logit(p)) = p for every float64 p in (0, 1), and logit(p) against torch."""
    assert F.sigmoid(F.logit(p)) == pytest.approx(p, rel=1e-12)
    assert F.logit(p) == pytest.approx(torch.logit(torch.tensor(p, dtype=torch.float64)).item(), rel=1e-15, abs=1e-300)
