"""One named test per edge point. Expected numbers come from torch (called here) or are the
literals measured in /work/shared/seed-facts.md — never from lossviz itself.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest
import torch

from lossviz.core import functional as F

INF, NAN = math.inf, math.nan
BF16 = np.dtype(ml_dtypes.bfloat16)


def _f32(*values) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def _f64(*values) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def _bcel(oracle, close, x, y, dtype=np.float64, **kw):
    """Check BCEWithLogits value and grad (reduction none) against torch; return ours."""
    kw.setdefault("reduction", "none")
    value = F.binary_cross_entropy_with_logits(x, y, **kw)
    grad = F.binary_cross_entropy_with_logits_grad(x, y, **kw)
    want_value, want_grad = oracle("binary_cross_entropy_with_logits", x, y, **kw)
    close(value, want_value, dtype, what="value")
    close(grad, want_grad, dtype, what="grad")
    return value, grad


def _previous(value, dtype) -> np.ndarray:
    """The largest ``dtype`` number below a positive ``value`` (one step down)."""
    a = np.array(value, dtype=dtype)
    uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.itemsize]
    return (a.view(uint) - uint(1)).view(dtype)


# --------------------------------------------------- BCEWithLogits at extreme logits ----


@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=lambda d: np.dtype(d).name)
def test_bce_with_logits_at_logit_1e9(oracle, close, dtype):
    """Test that x = 1e9 gives loss 1e9, grad 1 for y = 0 and loss 0, grad 0 for y = 1, as torch."""
    value, grad = _bcel(oracle, close, np.array([1e9, 1e9], dtype), np.array([0.0, 1.0], dtype), dtype)
    assert value.tolist() == [1e9, 0.0]
    assert grad.tolist() == [1.0, 0.0]


@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=lambda d: np.dtype(d).name)
def test_bce_with_logits_at_logit_minus_1e9(oracle, close, dtype):
    """Test that x = -1e9 gives loss 0 for y = 0 and loss 1e9, grad -1 for y = 1, as torch."""
    value, grad = _bcel(oracle, close, np.array([-1e9, -1e9], dtype), np.array([0.0, 1.0], dtype), dtype)
    assert value.tolist() == [0.0, 1e9]
    assert grad.tolist() == [0.0, -1.0]


def test_bce_with_logits_at_logit_1000(oracle, close):
    """Test that large finite logits stay exact: x=1000,y=0 → 1000 and x=-1000,y=1 → 1000 (float32)."""
    value, _ = _bcel(oracle, close, _f32(1000.0, -1000.0), _f32(0.0, 1.0), np.float32)
    assert value.tolist() == [1000.0, 1000.0]


def test_bce_with_logits_at_logit_plus_inf(oracle, close):
    """Test that x = +inf gives inf for y = 0 and NaN for y = 1 (inf - inf), as torch."""
    value, _ = _bcel(oracle, close, _f64(INF, INF), _f64(0.0, 1.0))
    assert value[0] == INF
    assert np.isnan(value[1])


def test_bce_with_logits_at_logit_minus_inf(oracle, close):
    """Test that x = -inf matches torch (NaN loss for y = 0, grads 0 and -1)."""
    value, grad = _bcel(oracle, close, _f64(-INF, -INF), _f64(0.0, 1.0))
    assert np.isnan(value[0])
    assert grad.tolist() == [0.0, -1.0]


@pytest.mark.filterwarnings("ignore:invalid value encountered in logaddexp:RuntimeWarning")  # NaN on purpose
def test_bce_with_logits_at_logit_nan(oracle, close):
    """Test that a NaN logit propagates to a NaN loss and gradient, as torch."""
    value, grad = _bcel(oracle, close, _f64(NAN, 0.0), _f64(1.0, 1.0), reduction="sum")
    assert np.isnan(value)
    assert np.isnan(grad[0])
    assert not np.isnan(grad[1])


# --------------------------------------------------- CrossEntropy at extreme logits ----


def _ce(oracle, close, x, t, **kw):
    value, grad = F.cross_entropy(x, t, **kw), F.cross_entropy_grad(x, t, **kw)
    want_value, want_grad = oracle("cross_entropy", x, t, **kw)
    close(value, want_value, np.float64, what="value")
    close(grad, want_grad, np.float64, what="grad")
    return value, grad


def test_cross_entropy_at_logit_1e9(oracle, close):
    """Test that a 1e9 logit is handled by the max shift: loss 0 on that class, 1e9 off it, as torch."""
    value, _ = _ce(oracle, close, _f64(1e9, 0.0, -1e9)[None].repeat(2, 0), np.array([0, 1]), reduction="none")
    assert value.tolist() == [0.0, 1e9]


def test_cross_entropy_at_logit_plus_inf(oracle, close):
    """Test that a +inf logit gives a NaN row (log_softmax shifts by the inf max), as torch."""
    value, grad = _ce(oracle, close, _f64(INF, 0.0, 1.0)[None].repeat(2, 0), np.array([0, 1]), reduction="none")
    assert np.all(np.isnan(value))
    assert np.all(np.isnan(grad))


def test_cross_entropy_at_logit_minus_inf(oracle, close):
    """Test that a -inf logit is a class of probability 0: inf loss on it, finite elsewhere, as torch."""
    value, _ = _ce(oracle, close, _f64(-INF, 0.0, 1.0)[None].repeat(2, 0), np.array([0, 1]), reduction="none")
    assert value[0] == INF
    assert np.isfinite(value[1])


def test_cross_entropy_at_logit_nan(oracle, close):
    """Test that a NaN logit makes its row's loss and gradient NaN and leaves other rows alone, as torch."""
    x = np.array([[NAN, 0.0, 1.0], [0.0, 1.0, 2.0]])
    value, grad = _ce(oracle, close, x, np.array([1, 1]), reduction="none")
    assert np.isnan(value[0]) and np.isfinite(value[1])
    assert np.all(np.isnan(grad[0])) and np.all(np.isfinite(grad[1]))


# ------------------------------------------------------------ BCELoss at p = 0, 1 ----


def _bce(oracle, close, x, y, **kw):
    value, grad = F.binary_cross_entropy(x, y, **kw), F.binary_cross_entropy_grad(x, y, **kw)
    want_value, want_grad = oracle("binary_cross_entropy", x, y, **kw)
    close(value, want_value, x.dtype, what="value")
    close(grad, want_grad, x.dtype, what="grad")
    return value, grad


@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=lambda d: np.dtype(d).name)
def test_bce_at_p0_target1_is_clamped_to_100(oracle, close, dtype):
    """Test that BCE(0, 1) = 100 exactly: log(0) is clamped at -100 (torch docs)."""
    value, _ = _bce(oracle, close, np.array([0.0], dtype), np.array([1.0], dtype), reduction="none")
    assert value.tolist() == [100.0]


@pytest.mark.parametrize("dtype", (np.float32, np.float64), ids=lambda d: np.dtype(d).name)
def test_bce_at_p1_target0_is_clamped_to_100(oracle, close, dtype):
    """Test that BCE(1, 0) = 100 exactly: log(1 - 1) is clamped at -100."""
    value, _ = _bce(oracle, close, np.array([1.0], dtype), np.array([0.0], dtype), reduction="none")
    assert value.tolist() == [100.0]


def test_bce_at_p0_target_half_is_50(oracle, close):
    """Test that BCE(0, 0.5) = 0.5·100 + 0.5·0 = 50."""
    value, _ = _bce(oracle, close, _f32(0.0), _f32(0.5), reduction="none")
    assert value.tolist() == [50.0]


def test_bce_at_p0_target0_is_exactly_zero(oracle, close):
    """Test that x = 0, y = 0 gives exactly 0, not 0·(-inf) = NaN: the clamp comes before the multiply."""
    value, grad = _bce(oracle, close, _f32(0.0, 1.0), _f32(0.0, 1.0), reduction="none")
    assert value.tolist() == [0.0, 0.0]
    assert grad.tolist() == [0.0, 0.0]


def test_bce_with_soft_target(oracle, close):
    """Test that a soft target inside [0, 1] is accepted: BCE(0.5, 0.3) = 0.693147."""
    value, _ = _bce(oracle, close, _f64(0.5), _f64(0.3), reduction="none")
    assert value[0] == pytest.approx(0.693147, abs=1e-6)


def test_bce_grad_at_p0_target1_is_minus_1e12(oracle, close):
    """Test that the gradient is not clamped like the forward: w(x-y)/max(x(1-x), 1e-12) ≈ -1e12 at x=0, y=1."""
    _, grad = _bce(oracle, close, _f64(0.0, 1.0), _f64(1.0, 0.0), reduction="sum")
    assert grad[0] == pytest.approx(-1e12)
    assert grad[1] == pytest.approx(1e12)


# --------------------------------------------------------- CE with all targets ignored ----


@pytest.mark.parametrize("weighted", (False, True), ids=("unweighted", "weighted"))
def test_cross_entropy_all_ignored_mean_is_nan_sum_is_zero(oracle, close, weighted):
    """Test that with every target ignored the mean is NaN (0/0) and the sum 0; grads are 0 (issue 70348)."""
    x = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    t = np.full(4, -100)
    w = _f64(0.5, 1.0, 2.0) if weighted else None
    mean, mean_grad = _ce(oracle, close, x, t, weight=w, reduction="mean")
    total, total_grad = _ce(oracle, close, x, t, weight=w, reduction="sum")
    assert np.isnan(mean)
    assert total == 0.0
    assert np.all(mean_grad == 0.0) and np.all(total_grad == 0.0)


@pytest.mark.parametrize("weighted", (False, True), ids=("unweighted", "weighted"))
def test_cross_entropy_ignored_target_is_plus_zero(weighted):
    """Test that reduction="none" gives +0.0 for an ignored target, as torch (cross_entropy is nll_loss of
    log_softmax there), not −0.0, which a page would print as "-0"."""
    x = np.array([[0.5, 2.5, -0.5, 0.0], [1.0, 2.0, 3.0, 4.0]])
    t, w = np.array([-100, 1]), (_f64(1.0, 2.0, 0.5, 4.0) if weighted else None)
    ours = F.cross_entropy(x, t, weight=w, reduction="none")
    ref = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t), reduction="none",
                                            weight=None if w is None else torch.tensor(w))
    assert [math.copysign(1.0, v) for v in ours] == [math.copysign(1.0, v) for v in ref.tolist()] == [1.0, 1.0]
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-15, atol=0)


def test_cross_entropy_zero_total_weight_gives_nan_grad(oracle, close):
    """Test that non-ignored samples whose class weight is 0 give a NaN mean and NaN grad rows (0·inf), as torch."""
    x = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    value, grad = _ce(oracle, close, x, np.array([0, 0, -100, 0]), weight=_f64(0.0, 1.0, 1.0), label_smoothing=0.1)
    assert np.isnan(value)
    assert np.all(grad[2] == 0.0) and np.all(np.isnan(grad[[0, 1, 3]]))


# ------------------------------------------------------------- sigmoid saturation ----

SATURATION = {  # smallest x with σ(x) == 1.0 (seed-facts §3); float64 is found from torch below
    "float16": 8.3203125,
    "bfloat16": 6.25,
    "float32": 16.63553237915039,
}
NAIVE_BELOW = {"float16": 7.62, "bfloat16": 5.53, "float32": 15.94}  # naive BCE one step below (seed-facts)


def _torch_sigmoid(value, dtype) -> float:
    t = torch.tensor(float(value), dtype=torch.float64).to(getattr(torch, np.dtype(dtype).name))
    return torch.sigmoid(t).item()


def _torch_saturation(dtype, lo: float, hi: float):
    """Bisect ``dtype``'s bit patterns for the smallest x in (lo, hi] with torch's σ(x) == 1."""
    uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[np.dtype(dtype).itemsize]
    a, b = np.array(lo, dtype).view(uint), np.array(hi, dtype).view(uint)
    while b - a > 1:
        mid = uint(a + (b - a) // 2)
        if _torch_sigmoid(np.array(mid).view(dtype), dtype) == 1.0:
            b = mid
        else:
            a = mid
    return np.array(b).view(dtype)


@pytest.mark.parametrize("name", ("float16", "bfloat16", "float32", "float64"))
def test_sigmoid_saturation_point(name):
    """Test that σ(x) is exactly 1.0 from the seed-facts saturation point on, and below 1 one step below."""
    dtype = np.dtype(name) if name != "bfloat16" else BF16
    x_sat = _torch_saturation(dtype, 1.0, 64.0)
    if name == "float64":
        assert float(x_sat) == pytest.approx(36.736801, abs=1e-6)  # ≈ 53·ln 2
    else:
        assert float(x_sat) == SATURATION[name]
    below = _previous(x_sat, dtype)
    assert F.sigmoid(np.array([x_sat], dtype)).tolist() == [1.0]
    assert F.sigmoid(np.array([below], dtype))[0] < 1.0
    assert float(F.sigmoid(np.array([below], dtype))[0]) == _torch_sigmoid(below, dtype)


@pytest.mark.parametrize("name", ("float16", "bfloat16", "float32", "float64"))
def test_naive_bce_jumps_to_100_at_saturation_point(oracle, name):
    """Test that BCE(σ(x), 0) is finite one step below saturation and exactly 100 at it, as torch."""
    dtype = np.dtype(name) if name != "bfloat16" else BF16
    x_sat = _torch_saturation(dtype, 1.0, 64.0)
    x = np.array([_previous(x_sat, dtype), x_sat], dtype)
    y = np.zeros(2, dtype)
    value = F.naive_bce_from_logits(x, y, reduction="none")
    want, _ = oracle("naive_bce_from_logits", x, y, reduction="none")
    assert value.tolist() == want.tolist()
    assert value[1] == 100.0
    assert value[0] < 100.0
    if name in NAIVE_BELOW:
        assert float(value[0]) == pytest.approx(NAIVE_BELOW[name], abs=0.01)


NAIVE_TABLE = [  # float32, y = 0: x, BCELoss(σ(x), 0), BCEWithLogits(x, 0)  (seed-facts §3)
    (5.0, 5.00671911, 5.0067153),
    (10.0, 9.99958611, 10.0000458),
    (15.0, 14.8437729, 15.0),
    (16.6, 15.9423847, 16.6000004),
    (16.64, 100.0, 16.64),
    (20.0, 100.0, 20.0),
    (50.0, 100.0, 50.0),
    (100.0, 100.0, 100.0),
]


@pytest.mark.parametrize(("x", "naive", "stable"), NAIVE_TABLE)
def test_naive_bce_float32_curve(oracle, x, naive, stable):
    """Test the float32 table: the naive curve reaches ≈15.94 at 16.6 and is exactly 100 from 16.64."""
    xs, ys = _f32(x), _f32(0.0)
    got_naive = F.naive_bce_from_logits(xs, ys, reduction="none")
    got_stable = F.binary_cross_entropy_with_logits(xs, ys, reduction="none")
    assert got_naive[0] == pytest.approx(naive, rel=1e-7)
    assert got_stable[0] == pytest.approx(stable, rel=1e-7)
    assert got_naive.tolist() == oracle("naive_bce_from_logits", xs, ys, reduction="none")[0].tolist()
    if naive == 100.0:
        assert got_naive[0] == 100.0


@pytest.mark.parametrize("x", (16.64, 20.0, 50.0, 100.0))
def test_naive_bce_grad_vanishes_past_float32_saturation(oracle, x):
    """Test that for x >= 16.64, y = 0 the naive gradient is exactly 0.0 while the stable one is 1.0."""
    xs, ys = _f32(x), _f32(0.0)
    naive = F.naive_bce_from_logits_grad(xs, ys)
    stable = F.binary_cross_entropy_with_logits_grad(xs, ys)
    assert naive.tolist() == [0.0]
    assert stable.tolist() == [1.0]
    assert oracle("naive_bce_from_logits", xs, ys)[1].tolist() == [0.0]
    assert oracle("binary_cross_entropy_with_logits", xs, ys)[1].tolist() == [1.0]


def test_naive_bce_grad_at_logit_minus_90_is_negative_zero(oracle):
    """Test that at x = -90, y = 1 (σ underflows to 0) the naive gradient is -0.0 and the stable one -1.0."""
    xs, ys = _f32(-90.0), _f32(1.0)
    naive = F.naive_bce_from_logits_grad(xs, ys)
    want = oracle("naive_bce_from_logits", xs, ys)[1]
    assert naive[0] == 0.0 and np.signbit(naive[0])
    assert want[0] == 0.0 and np.signbit(want[0])
    assert F.binary_cross_entropy_with_logits_grad(xs, ys).tolist() == [-1.0]


def test_naive_and_stable_grads_agree_at_logit_10(close):
    """Test that at x = 10 (σ not yet saturated in float32) the naive and stable gradients agree."""
    xs, ys = _f32(10.0, 10.0), _f32(0.0, 1.0)
    close(F.naive_bce_from_logits_grad(xs, ys), F.binary_cross_entropy_with_logits_grad(xs, ys), np.float32)


# ------------------------------------------------- targets outside [0, 1] for logits ----


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    ((0.5, 2.0, -0.0259), (0.3, 2.0, 0.2544), (0.3, -1.0, 1.1544)),
    ids=("x0.5-y2", "x0.3-y2", "x0.3-y-1"),
)
def test_bce_with_logits_accepts_targets_outside_unit_interval(oracle, close, x, y, expected):
    """Test that targets are not validated and can give a negative loss (pytorch issues 123339, 110865)."""
    value, _ = _bcel(oracle, close, _f64(x), _f64(y))
    assert round(float(value[0]), 4) == expected


# --------------------------------------------------------------------- softmax ----


def test_naive_softmax_overflows_at_exp_89_float32(close):
    """Test that exp(89) overflows float32: the naive softmax is NaN, the max-shifted one matches torch."""
    x = _f32(89.0, 0.0, -1.0)
    naive = F.naive_softmax(x)
    t = torch.from_numpy(x)
    want_naive = (torch.exp(t) / torch.exp(t).sum()).numpy()
    assert np.isnan(naive[0]) and np.isnan(want_naive[0])
    stable = F.softmax(x)
    assert np.all(np.isfinite(stable))
    close(stable, torch.softmax(t, -1).numpy(), np.float32)


# ------------------------------------------------------------- label smoothing ----


@pytest.mark.parametrize("kind", ("index", "prob"))
def test_label_smoothing_above_one_raises_runtime_error(kind):
    """Test that label_smoothing = 1.5 raises RuntimeError for both target kinds, as torch."""
    x = np.zeros((2, 3))
    t = np.array([0, 1]) if kind == "index" else np.full((2, 3), 1.0 / 3.0)
    with pytest.raises(RuntimeError):
        torch.nn.functional.cross_entropy(torch.from_numpy(x), torch.from_numpy(t), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(x, t, label_smoothing=1.5)


@pytest.mark.parametrize("kind", ("index", "prob"))
def test_negative_label_smoothing_is_treated_as_zero(oracle, close, kind):
    """Test that a negative ε is silently treated as 0, as torch."""
    x = np.array([[0.3, -1.2, 2.0], [1.0, 0.5, -0.5]])
    t = np.array([0, 2]) if kind == "index" else np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    w = _f64(0.5, 1.0, 2.0)
    value, grad = _ce(oracle, close, x, t, weight=w, label_smoothing=-0.1)
    close(value, F.cross_entropy(x, t, weight=w), np.float64)
    close(grad, F.cross_entropy_grad(x, t, weight=w), np.float64)
    want_zero, _ = oracle("cross_entropy", x, t, weight=w)
    close(value, want_zero, np.float64)


# --------------------------------------------------------- CE probability targets ----


def test_cross_entropy_prob_targets_with_weights_differ_from_index_targets(oracle, close):
    """Test that one-hot targets with class weights give a different mean than index targets (÷N vs ÷Σw; issue 11959)."""
    x = np.array([[0.3, -1.2, 2.0], [1.0, 0.5, -0.5], [0.0, 0.0, 0.0]])
    t = np.array([0, 2, 1])
    onehot = np.eye(3)[t]
    w = _f64(0.5, 1.0, 2.0)
    by_index, _ = _ce(oracle, close, x, t, weight=w)
    by_prob, _ = _ce(oracle, close, x, onehot, weight=w)
    assert abs(float(by_index) - float(by_prob)) > 0.1
    close(by_prob, by_index * w[t].sum() / len(t), np.float64)  # the same sum, another normaliser


def test_cross_entropy_prob_targets_without_weights_equal_index_targets(oracle, close):
    """Test that one-hot probability targets equal index targets when there are no weights, for every reduction."""
    x = np.array([[0.3, -1.2, 2.0], [1.0, 0.5, -0.5], [0.0, 0.0, 0.0]])
    t = np.array([0, 2, 1])
    for reduction in ("none", "mean", "sum"):
        by_index, grad_index = _ce(oracle, close, x, t, reduction=reduction)
        by_prob, grad_prob = _ce(oracle, close, x, np.eye(3)[t], reduction=reduction)
        close(by_prob, by_index, np.float64)
        close(grad_prob, grad_index, np.float64)


def test_cross_entropy_unnormalised_soft_targets_scale_linearly(oracle, close):
    """Test that rows are not validated: CE(x, 2p) = 2·CE(x, p) and CE(x, -p) < 0, as torch."""
    x = np.array([[0.3, -1.2, 2.0], [1.0, 0.5, -0.5]])
    p = np.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]])
    base, _ = _ce(oracle, close, x, p)
    double, _ = _ce(oracle, close, x, 2.0 * p)
    negative, _ = _ce(oracle, close, x, -p)
    close(double, 2.0 * base, np.float64)
    assert negative < 0.0
