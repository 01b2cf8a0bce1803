"""Claims of lesson 5, why did my loss go negative?, computed with torch (catalog negative, its prose, page l05)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lossviz.lessons import negative
from tests.claims._torch_facts import both, both_prose, stable_bce

# the page's controls: x slider −10 … 10, y, w, p number inputs −5 … 5 (step 0.1, any value by URL)
X = st.floats(-10.0, 10.0)
Y, W, P = (st.floats(-5.0, 5.0) for _ in range(3))
D64 = torch.float64


def _loss(x, y, w=1.0, p=1.0, dtype=D64) -> float:
    return stable_bce([x], [y], dtype=dtype, weight=[w], pos_weight=[p])[0].item()


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-1e4, 1e4), y=st.floats(0.0, 1.0), w=st.floats(0.0, 5.0), p=st.floats(0.0, 5.0),
       dtype=st.sampled_from([torch.float32, D64]))
def test_loss_never_negative_with_valid_targets_and_weights(x, y, w, p, dtype):
    """Test that with a target in [0, 1] and weight, pos_weight ≥ 0 BCEWithLogitsLoss is never negative in torch,
    float32 or float64, for any logit (intro prose, all_fine, curve_summary, quiz why, takeaway)."""
    assert _loss(x, y, w, p, dtype) >= 0.0


def test_hard_labels_have_an_infimum_not_a_minimum():
    """Test that for y = 1 (or 0) the loss keeps falling towards 0 as x grows (or falls) and is above 0 at every
    logit shown, so it has an infimum, not a minimum; a soft target has a true minimum where
    σ(x) = p·y / (p·y + 1 − y) (all_fine, task_fixed_done; issue 21 "has a minimum")."""
    ys = [_loss(x, 1.0) for x in (5.0, 10.0, 20.0, 30.0)]
    assert all(a > b > 0 for a, b in zip(ys, ys[1:], strict=False))
    zs = [_loss(x, 0.0) for x in (-5.0, -10.0, -20.0, -30.0)]
    assert all(a > b > 0 for a, b in zip(zs, zs[1:], strict=False))
    y, p = 0.3, 2.0
    best = math.log(p * y / (1 - y))  # σ(best) = p·y / (p·y + 1 − y)
    assert _loss(best, y, 1.0, p) < min(_loss(best - 1e-3, y, 1.0, p), _loss(best + 1e-3, y, 1.0, p))
    for s in both("negative.all_fine"):
        assert "p·y / (p·y + 1 − y)" in s and ("infimum" in s or "下确界" in s), s
    for s in both("negative.task_fixed_done"):
        assert "p·y / (p·y + 1 − y)" in s, s


def test_pos_weight_zero_soft_target_has_no_minimum():
    """Test that with pos_weight 0 a soft target's loss w·(1 − y)·softplus(x) has no minimum (it falls towards 0 as
    x → −∞), so task "fixed" is not done there."""
    vals = [_loss(x, 0.5, 1.0, 0.0) for x in (0.0, -5.0, -10.0, -20.0)]
    assert all(a > b > 0 for a, b in zip(vals, vals[1:], strict=False))
    from tests.app.helpers import open_page
    at = open_page("negative", ng_y="0.5", ng_p="0")
    assert "task_negative_fixed" not in at.session_state["quiz_done"]
    at = open_page("negative", ng_y="0.5", ng_p="1")
    assert "task_negative_fixed" in at.session_state["quiz_done"]


def test_bce_loss_checks_targets_but_not_weights():
    """Test that BCELoss raises for a target of 2 with torch's message, but accepts weight = −1 and returns a negative
    loss (takeaway, quiz bce, error.target_range)."""
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(torch.sigmoid(torch.tensor([0.5])), torch.tensor([2.0]))
    neg = F.binary_cross_entropy(torch.sigmoid(torch.tensor([0.5])), torch.tensor([1.0]), weight=torch.tensor([-1.0]))
    assert neg.item() < 0
    for s in both("negative.takeaway"):
        assert "weight = −1" in s, s
    assert "It raises: all elements of target should be between 0 and 1" == both("negative.quiz_bce_raise")[0]


def test_x_half_y_two_gives_minus_0_0259():
    """Test the intro's and quiz's number: BCEWithLogitsLoss(0.5, 2) = −0.0259 (float64 and float32)."""
    for dt in (D64, torch.float32):
        assert round(_loss(0.5, 2.0, dtype=dt), 4) == -0.0259
    for s in (*both_prose("negative_intro"), *both("negative.quiz_why"), *both("negative.quiz_why_target_why")):
        assert "−0.0259" in s


def test_sigmoid_stays_in_zero_one_but_rounds_onto_its_ends():
    """Test that torch's σ(x) is never outside [0, 1] for any float32 logit, but is exactly 1.0 at x = 20 and 0.0 at
    x = −100 in float32, so "strictly between" holds only mathematically (intro prose, quiz why sigmoid)."""
    x = torch.linspace(-1e4, 1e4, 200001)
    s = torch.sigmoid(x)
    assert (s >= 0).all() and (s <= 1).all()
    assert torch.sigmoid(torch.tensor(20.0)).item() == 1.0 and torch.sigmoid(torch.tensor(-100.0)).item() == 0.0
    for s in (*both_prose("negative_intro"), *both("negative.quiz_why_sigmoid_why")):
        assert "[0, 1]" in s, s


@settings(max_examples=100, deadline=None)
@given(y=st.floats(1.05, 5.0), w=st.floats(0.05, 5.0), p=P)
def test_target_above_one_falls_forever_with_positive_weight(y, w, p):
    """Test that for y > 1 and w > 0 the loss falls below zero and keeps falling as x grows (slope → w·(1 − y)),
    whatever pos_weight (problem_target_high, curve_summary)."""
    a, b, c = _loss(20.0, y, w, p), _loss(200.0, y, w, p), _loss(2000.0, y, w, p)
    assert a > b > c and c < 0
    assert (c - b) / 1800.0 == pytest.approx(w * (1 - y), rel=1e-6)
    for s in both("negative.curve_summary"):
        assert "w > 0" in s, s
    for s in both("negative.problem_target_high"):
        assert "w > 0" in s, s


def test_target_above_one_with_negative_weight_rises_as_x_grows():
    """Test that with y > 1 but w < 0 the loss rises as x grows: "falls forever as x grows" needs w > 0."""
    assert _loss(2000.0, 2.0, -1.0, 1.0) > _loss(200.0, 2.0, -1.0, 1.0) > 0


@settings(max_examples=100, deadline=None)
@given(y=st.floats(-5.0, -0.05), w=st.floats(0.05, 5.0), p=st.floats(0.05, 5.0))
def test_target_below_zero_falls_forever_as_x_falls(y, w, p):
    """Test that for y < 0 with w, p > 0 the loss falls below zero as x → −∞ (slope → −w·p·y) (problem_target_low)."""
    a, b, c = _loss(-20.0, y, w, p), _loss(-200.0, y, w, p), _loss(-2000.0, y, w, p)
    assert a > b > c and c < 0
    assert (c - b) / -1800.0 == pytest.approx(-w * p * y, rel=1e-6)
    assert _loss(-2000.0, y, w, 0.0) >= 0  # with pos_weight 0 it does not
    for s in both("negative.problem_target_low"):
        assert "p > 0" in s, s


@settings(max_examples=100, deadline=None)
@given(x=X, y=Y, w=W, p=P)
def test_negative_weight_flips_the_sign(x, y, w, p):
    """Test that the loss is linear in the weight: a negative weight flips its sign (problem_weight_negative), and a
    negative pos_weight subtracts p·y·w·softplus(−x), the positive term (problem_pos_weight_negative)."""
    assert _loss(x, y, -abs(w), p) == pytest.approx(-_loss(x, y, abs(w), p), rel=1e-12, abs=1e-12)
    term = w * y * F.softplus(torch.tensor(-x, dtype=D64)).item()
    assert _loss(x, y, w, p) - _loss(x, y, w, 0.0) == pytest.approx(p * term, rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(x=X, y=Y, w=W, p=P)
def test_unbounded_message_names_a_direction_where_the_loss_falls_forever(x, y, w, p):
    """Test that whenever the page says "no minimum: it falls to −∞ as the logit runs up/down" (direction from the
    sign of torch's gradient at x), the loss does fall without bound in that direction, over the page's ranges."""
    assume(all(v == 0 or abs(v) >= 0.01 for v in (y, w, p)) and w != 0)  # the inputs' step is 0.1
    unbounded = negative.unbounded_below(y, w, p)
    slope_up, slope_down = w * (1 - y), -w * p * y  # d loss / dx as x → +∞ and x → −∞
    assert unbounded == (slope_up < 0 or slope_down > 0)
    if not unbounded:
        return
    grad = stable_bce([x], [y], dtype=D64, weight=[w], pos_weight=[p])[1].item()
    far = 1e5 if grad < 0 else -1e5
    assert _loss(far, y, w, p) < _loss(far / 10, y, w, p) < _loss(far / 100, y, w, p)


@settings(max_examples=100, deadline=None)
@given(k=st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 1e-6))
def test_ce_is_linear_in_the_soft_target(k):
    """Test that CrossEntropyLoss(x, k·p) = k·CE(x, p) for the page's logits, p and any k of the slider, so the ratio
    is k and a negative k gives a negative loss (negative_ce prose, ce_ratio, quiz ce)."""
    x = torch.tensor([[2.0, 0.5, -1.0]], dtype=D64)
    p = torch.tensor([[0.7, 0.2, 0.1]], dtype=D64)
    base, scaled = F.cross_entropy(x, p).item(), F.cross_entropy(x, k * p).item()
    assert scaled / base == pytest.approx(k, rel=1e-12)
    assert base > 0 and (scaled < 0) == (k < 0)
    assert F.cross_entropy(x, 2 * p).item() == pytest.approx(2 * base, rel=1e-15)


def test_soft_target_0_9_minimum_at_sigma_0_9():
    """Test quiz soft: a target of 0.9 gives a loss ≥ 0 whose minimum is at σ(x) = 0.9 (pos_weight 1), and
    it is accepted; the minimum is the target's entropy, not 0."""
    best = math.log(0.9 / 0.1)
    assert torch.sigmoid(torch.tensor(best, dtype=D64)).item() == pytest.approx(0.9)
    assert _loss(best, 0.9) < min(_loss(best - 1e-3, 0.9), _loss(best + 1e-3, 0.9))
    assert _loss(best, 0.9) == pytest.approx(-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)), rel=1e-12)
    for s in both_prose("negative_fix"):
        assert "pos_weight 1" in s or "pos_weight 为 1" in s, s


def test_float_rounding_cannot_give_minus_0_0259():
    """Test that with a valid target the float32 loss is never below −1e-6 over a dense grid (quiz why float)."""
    x = torch.linspace(-100, 100, 20001)
    for y in (0.0, 0.3, 0.5, 1.0):
        assert F.binary_cross_entropy_with_logits(x, torch.full_like(x, y), reduction="none").min().item() >= -1e-6
