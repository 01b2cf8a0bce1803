"""lossviz.lessons.stability against torch: searched saturation points, curves, gradients, softmax overflow."""

import math

import numpy as np
import pytest
import torch

from lossviz.core.dtypes import finfo, resolve
from lossviz.lessons import stability as S
from lossviz.text import codegen

TORCH = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64}
INT = {2: torch.int16, 4: torch.int32, 8: torch.int64}


def _t(value: float, name: str) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64).to(TORCH[name])


def _step(t: torch.Tensor, k: int) -> torch.Tensor:
    """Move a positive float k bit patterns along (k = -1: the next smaller number)."""
    bits = t.reshape(1).view(INT[t.element_size()]) + k
    return bits.view(t.dtype)[0]


@pytest.mark.parametrize("name", S.DTYPE_NAMES)
def test_sigmoid_one_is_the_first_logit_where_torch_sigmoid_is_exactly_one(name):
    """Test that σ == 1 at the searched point in torch, and < 1 one ulp below it."""
    s = S.saturation(name)
    x = _t(s.sigmoid_one, name)
    assert float(x) == s.sigmoid_one  # a number of the dtype
    assert torch.sigmoid(x).item() == 1.0
    assert torch.sigmoid(_step(x, -1)).item() < 1.0
    assert float(_step(x, -1)) == s.before_one


@pytest.mark.parametrize("name", S.DTYPE_NAMES)
def test_sigmoid_zero_and_exp_overflow_match_torch(name):
    """Test that σ == 0 at the searched negative point (not one ulp closer to 0) and exp == inf from exp_inf."""
    s = S.saturation(name)
    m = _t(-s.sigmoid_zero, name)
    assert torch.sigmoid(-m).item() == 0.0
    assert torch.sigmoid(-_step(m, -1)).item() > 0.0
    e = _t(s.exp_inf, name)
    assert math.isinf(torch.exp(e).item())
    assert math.isfinite(torch.exp(_step(e, -1)).item())


@pytest.mark.parametrize("name", S.DTYPE_NAMES)
def test_jump_from_is_torchs_last_finite_bce_before_100(name):
    """Test that jump_from is BCELoss(sigmoid(x), 0) one ulp below the saturation point, and 100 at it."""
    s = S.saturation(name)
    bce = torch.nn.functional.binary_cross_entropy
    before = _t(s.before_one, name)
    assert bce(torch.sigmoid(before), torch.zeros_like(before)).item() == pytest.approx(s.jump_from, rel=1e-6)
    at = _t(s.sigmoid_one, name)
    assert bce(torch.sigmoid(at), torch.zeros_like(at)).item() == 100.0


def test_saturation_points_match_the_seed_facts():
    """Test the documented thresholds: 8.3203125, 6.25, 16.6355 (≈24 ln 2), ≈36.7368 (≈53 ln 2), jumps from ≈15.94."""
    assert S.saturation("float16").sigmoid_one == 8.3203125
    assert S.saturation("bfloat16").sigmoid_one == 6.25
    assert S.saturation("float32").sigmoid_one == 16.63553237915039
    assert S.saturation("float64").sigmoid_one == pytest.approx(36.736801, abs=1e-5)
    assert S.saturation("float32").jump_from == pytest.approx(15.9423847, rel=1e-7)
    assert S.saturation("float16").jump_from == pytest.approx(7.62, abs=0.01)
    assert S.saturation("bfloat16").jump_from == pytest.approx(5.53, abs=0.01)
    assert S.saturation("float32").exp_inf == 88.72283935546875
    assert S.saturation("float32").sigmoid_zero == -88.72283935546875
    assert S.saturation("float16").exp_inf == 11.09375
    assert S.saturation("float16").sigmoid_zero == -17.34375
    assert S.saturation("bfloat16").exp_inf == 89.0


@pytest.mark.parametrize("name", S.DTYPE_NAMES)
def test_grid_holds_the_saturation_points_in_the_dtype(name):
    """Test that the plotted grid contains the exact jump and stays sorted and inside the span."""
    s = S.saturation(name)
    xs = S.grid(1000.0, name)
    assert xs.dtype == resolve(name)
    assert s.sigmoid_one in xs and s.before_one in xs
    assert np.all(np.diff(xs.astype(np.float64)) > 0)
    assert xs[0] == -1000.0 and xs[-1] == 1000.0


@pytest.mark.parametrize("name", S.DTYPE_NAMES)
@pytest.mark.parametrize("y", [0, 1])
def test_curves_match_torch(name, y):
    """Test the naive, clamped and stable losses and both gradients against torch across ±1000."""
    xs = S.grid(1000.0, name, n=201)
    cv = S.curves(xs, y, name)
    x = torch.tensor(xs.astype(np.float64)).to(TORCH[name]).requires_grad_(True)
    target = torch.full_like(x, float(y))
    sig = torch.sigmoid(x)
    naive = -(torch.log(sig) if y == 1 else torch.log(1 - sig))
    clamped = torch.nn.functional.binary_cross_entropy(sig, target, reduction="none")
    stable = torch.nn.functional.binary_cross_entropy_with_logits(x, target, reduction="none")
    (g_clamped,) = torch.autograd.grad(clamped.sum(), x)
    (g_stable,) = torch.autograd.grad(stable.sum(), x)
    tol = 1e-12 if name == "float64" else 1e-5 if name == "float32" else 1e-2
    for key, ref in (("naive", naive), ("clamped", clamped), ("stable", stable),
                     ("grad_clamped", g_clamped), ("grad_stable", g_stable)):
        np.testing.assert_allclose(getattr(cv, key).astype(np.float64), ref.detach().double().numpy(),
                                   rtol=tol, atol=tol, equal_nan=True, err_msg=f"{name} y={y} {key}")


def test_gradient_collapses_through_sigmoid_but_not_with_logits():
    """Test seed facts: float32 x=20,y=0 → loss 100, grad 0 vs 1; x=-90,y=1 → grad -0 vs -1; x=10 agree."""
    cv = S.curves(np.array([20.0, 10.0], dtype=np.float32), 0, "float32")
    assert cv.clamped[0] == 100.0 and cv.grad_clamped[0] == 0.0 and cv.grad_stable[0] == 1.0
    assert cv.grad_clamped[1] == pytest.approx(cv.grad_stable[1], rel=1e-5)
    cv = S.curves(np.array([-90.0], dtype=np.float32), 1, "float32")
    assert cv.grad_clamped[0] == 0.0 and math.copysign(1.0, cv.grad_clamped[0]) < 0
    assert cv.grad_stable[0] == -1.0


def test_float16_naive_gradient_is_nan_like_torch():
    """Test that through sigmoid → BCELoss float16's gradient at a saturated logit is NaN, as torch's."""
    p = {r.dtype: r for r in S.probe(16.64, 0)}
    x = torch.tensor(16.64, dtype=torch.float16, requires_grad=True)
    (g,) = torch.autograd.grad(torch.nn.functional.binary_cross_entropy(torch.sigmoid(x), torch.tensor(0.0, dtype=torch.float16)), x)
    assert math.isnan(g.item()) and math.isnan(p["float16"].grad_clamped)
    assert p["float16"].x == 16.640625
    assert p["float64"].clamped == pytest.approx(16.64, rel=1e-8)


@pytest.mark.parametrize("name", S.DTYPE_NAMES)
@pytest.mark.parametrize("shift", [0.0, 10.0, 90.0, 800.0, -120.0, -800.0])
def test_softmax_shift_matches_torch(name, shift):
    """Test exp, the naive softmax and torch.softmax of logits + c in each dtype."""
    sm = S.softmax_shift([2.0, 1.0, 0.1], shift, name)
    z = torch.tensor(sm.z.astype(np.float64)).to(TORCH[name])
    e = torch.exp(z)
    tol = 1e-12 if name == "float64" else 1e-5 if name == "float32" else 1e-2
    for key, ref in (("exp", e), ("naive", e / e.sum()), ("stable", torch.softmax(z, 0))):
        np.testing.assert_allclose(getattr(sm, key).astype(np.float64), ref.double().numpy(), rtol=tol, atol=tol,
                                   equal_nan=True, err_msg=f"{name} {shift} {key}")


def test_softmax_overflow_in_float32_from_the_exp_limit():
    """Test that the naive softmax is NaN once max(x + c) passes 88.72 in float32, the stable one unchanged."""
    sm = S.softmax_shift([2.0, 1.0, 0.1], 87.0, "float32")  # max 89
    assert np.isnan(sm.naive[0]) and sm.naive[1] == 0.0  # inf / inf and 2.4e38 / inf
    np.testing.assert_allclose(sm.stable, torch.softmax(torch.tensor([2.0, 1.0, 0.1]), 0).numpy(), rtol=1e-5)  # 87.1 keeps fewer bits


def test_previous_and_following_are_one_ulp_apart():
    """Test the ulp helpers against torch.nextafter."""
    for v in (16.64, -3.5, 1000.0):
        t = torch.tensor(v, dtype=torch.float32)
        assert S.previous(v, "float32") == torch.nextafter(t, torch.tensor(-math.inf)).item()
        assert S.following(v, "float32") == torch.nextafter(t, torch.tensor(math.inf)).item()


def _printed(line: str) -> tuple[list[float], list[float]]:
    """The two lists a snippet line printed side by side, read back with nan and inf."""
    return eval(f"({line.replace('] [', '], [')})", {"__builtins__": {}, "nan": math.nan, "inf": math.inf})


@pytest.mark.parametrize("name", S.DTYPE_NAMES)
@pytest.mark.parametrize("y", [0, 1])
def test_probe_code_prints_the_curves_at_the_checked_points(name, y):
    """Test that the probe's torch code, run at the page's checked points (the probe, one ulp below σ == 1,
    σ == 1, σ == 0), prints lossviz's clamped and stable losses and both gradients, NaNs included."""
    s = S.saturation(name)
    points = np.asarray([16.64, s.before_one, s.sigmoid_one, s.sigmoid_zero], dtype=resolve(name))
    losses, grads = (_printed(line) for line in codegen.run(S.probe_code(points, y, name)).splitlines())
    cv = S.curves(points, y, name)
    tol = 4 * float(finfo(points.dtype).eps)
    for printed, ours in zip((*losses, *grads), (cv.clamped, cv.stable, cv.grad_clamped, cv.grad_stable), strict=True):
        np.testing.assert_allclose(printed, ours.astype(np.float64), rtol=tol, atol=tol, equal_nan=True)
    assert losses[0][2 if y == 0 else 3] == 100.0  # BCELoss's clamp at σ == 1 (y = 0) or σ == 0 (y = 1)


@pytest.mark.parametrize("name", S.DTYPE_NAMES)
@pytest.mark.parametrize("shift", [0.0, 90.0, -800.0])
def test_softmax_code_prints_both_softmax_columns(name, shift):
    """Test that the softmax part's torch code, run on the shifted row, prints lossviz's naive and stable softmax."""
    sm = S.softmax_shift([2.0, 1.0, 0.1], shift, name)
    naive, stable = _printed(codegen.run(S.softmax_code(sm.z, name)))
    tol = 8 * float(finfo(sm.z.dtype).eps)
    np.testing.assert_allclose(naive, sm.naive.astype(np.float64), rtol=tol, atol=tol, equal_nan=True)
    np.testing.assert_allclose(stable, sm.stable.astype(np.float64), rtol=tol, atol=tol)
