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
from lossviz.lessons import log_odds as L
from lossviz.plots.log_odds import heat_figure, logit_figure, slice_figure
from lossviz.text import codegen
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


# ------------------------------------------------------------- the lesson model --


X64 = torch.tensor(L.DATA_X, dtype=torch.float64)
Y64 = torch.tensor(L.DATA_Y, dtype=torch.float64)


def torch_fit(w: float, b: float) -> tuple[float, float]:
    """(likelihood as the product of p or 1 − p, mean BCE) of the data set in float64 torch."""
    p = torch.sigmoid(w * X64 + b)
    lik = torch.prod(torch.where(Y64 == 1, p, 1 - p)).item()
    return lik, torch.nn.functional.binary_cross_entropy_with_logits(w * X64 + b, Y64).item()


@pytest.mark.parametrize(("w", "b"), [(0.0, 0.0), (1.0, 0.0), (-2.0, 2.0), (4.0, -2.0), (1.09, -0.1)])
def test_fit_matches_torch(w, b):
    f = L.fit(w, b)
    lik, bce = torch_fit(w, b)
    assert f.likelihood == pytest.approx(lik, rel=1e-12) and f.bce == pytest.approx(bce, rel=1e-12)
    assert f.nll_mean == pytest.approx(bce, rel=1e-12) and f.log_likelihood == pytest.approx(math.log(lik), rel=1e-12)
    np.testing.assert_allclose(f.p, torch.sigmoid(w * X64 + b).numpy(), rtol=1e-15)


def test_best_is_torchs_maximum_likelihood():
    """Test Newton's (w*, b*) against torch's LBFGS on the mean BCE, and that the gradient vanishes there."""
    theta = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([theta], max_iter=200, tolerance_grad=1e-14, tolerance_change=1e-16)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(theta[0] * X64 + theta[1], Y64)
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    np.testing.assert_allclose(L.best(), theta.detach().numpy(), atol=1e-6)
    w, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in L.best())
    grads = torch.autograd.grad(torch.nn.functional.binary_cross_entropy_with_logits(w * X64 + b, Y64), (w, b))
    assert max(abs(g.item()) for g in grads) < 1e-12


def test_surface_and_slice_match_torch():
    s = L.surface()
    w, b = torch.meshgrid(torch.tensor(s.bs), torch.tensor(s.ws), indexing="ij")[::-1]
    z = w[..., None] * X64 + b[..., None]
    bce = torch.nn.functional.binary_cross_entropy_with_logits(z, Y64.expand_as(z), reduction="none").mean(-1)
    np.testing.assert_allclose(s.bce, bce.numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.likelihood, torch.exp(-8 * bce).numpy(), rtol=1e-12)
    assert s.argmax_l == s.argmin_bce == (1.0, 0.0)
    sl = L.along_w(0.5)
    for i in (0, 100, 240):
        lik, loss = torch_fit(float(sl.ws[i]), 0.5)
        assert sl.likelihood[i] == pytest.approx(lik, rel=1e-12) and sl.bce[i] == pytest.approx(loss, rel=1e-12)
    assert sl.ws[np.argmin(sl.bce)] == sl.best_w


def test_ce_example_matches_torch():
    logits = torch.tensor(L.CE_LOGITS, dtype=torch.float64)
    target = torch.tensor(L.CE_TARGET)
    ce = L.ce_example()
    p_true = torch.softmax(logits, 1)[torch.arange(2), target]
    np.testing.assert_allclose(ce.p_true, p_true.numpy(), rtol=1e-15)
    assert ce.ce == pytest.approx(torch.nn.functional.cross_entropy(logits, target).item(), rel=1e-14)
    assert ce.nll_mean == pytest.approx(ce.ce, rel=1e-14)


def test_odds_and_the_two_sliders():
    """Test from_p / from_x against torch.logit / torch.sigmoid, and the sliders' grids and link rules."""
    o = L.from_p(0.8)
    assert o.x == pytest.approx(torch.logit(torch.tensor(0.8, dtype=torch.float64)).item(), rel=1e-15)
    assert o.odds == pytest.approx(4.0) and o.back == pytest.approx(0.8, rel=1e-15)
    o = L.from_x(2.0)
    assert o.p == torch.sigmoid(torch.tensor(2.0, dtype=torch.float64)).item() and o.back == pytest.approx(2.0)
    assert L.x_step(0.8) == 1.39 and L.p_step(2.0) == 0.881 and L.p_step(7.0) == 0.999 and L.x_step(0.999) == 6.91
    assert L.pair_from_link(None, None) == ("p", 0.8, 1.39)
    assert L.pair_from_link(None, 2.0) == ("x", 0.881, 2.0)
    assert L.pair_from_link(0.998, 6.5) == ("x", 0.998, 6.5)  # copied after moving x
    assert L.pair_from_link(0.3, 2.0) == ("p", 0.3, L.x_step(0.3))  # inconsistent: p leads
    assert L.pair_after((0.8, 1.39), 0.8, 3.0, "p") == ("x", L.p_step(3.0), 3.0)
    assert L.pair_after((0.8, 1.39), 0.2, 1.39, "x") == ("p", 0.2, L.x_step(0.2))
    assert L.pair_after((0.8, 1.39), 0.8, 1.39, "x") == ("x", 0.8, 1.39)


def test_edge_rows_are_torchs():
    p = torch.tensor(L.EDGE_P)
    rows = L.edge_rows()
    assert [r[1] for r in rows] == torch.logit(p).tolist() and [r[2] for r in rows] == torch.logit(p, eps=L.EPS).tolist()


def test_snippets_print_the_page_numbers():
    out = codegen.run(L.odds_code(L.from_p(0.8)))
    assert "logit 1.3862943611198908" in out and "back 0.8" in out and "13.80231761932373" in out
    assert "back 1.999999999999999" in codegen.run(L.odds_code(L.from_x(2.0)))
    f = L.fit(1.0, 0.0)
    out = codegen.run(L.fit_code(1.0, 0.0))
    assert f"mean BCE {f.bce!r}" in out and f"likelihood {f.likelihood!r}" in out
    assert repr(L.ce_example().ce) in out


def test_figures_as_data():
    fig = logit_figure(L.grid_p(), F.logit(L.grid_p()), current=(0.8, 1.386), labels=dict.fromkeys(
        ("title", "x", "y", "curve", "current"), "t"))
    assert fig.data[1].x == (0.8,) and fig.data[1].y == (1.386,)
    s = L.surface()
    labels = dict.fromkeys(("title", "x", "y", "value", "current", "best"), "t")
    fig = heat_figure(s.ws, s.bs, s.likelihood, current=(0.5, 1.0), best=L.best(), labels=labels)
    assert len(fig.data[0].x) == s.ws.size * s.bs.size and {tr.type for tr in fig.data} == {"scatter"}
    assert fig.data[1].x == (0.5,) and fig.data[2].x == (L.best()[0],)
    sl = L.along_w(0.0)
    fig = slice_figure(sl.ws, sl.likelihood, sl.bce, current=(0.0, 1 / 256, math.log(2)), best_w=sl.best_w,
                       labels=dict.fromkeys(("title", "x", "likelihood", "bce", "current", "best"), "t"))
    assert fig.layout.shapes[-1].x0 == sl.best_w and fig.data[3].y == (math.log(2),)
