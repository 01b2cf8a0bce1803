"""Claims of lesson 1, sigmoid and binary cross-entropy, computed with torch (catalog sigmoid_bce, its prose, page l01)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.claims._torch_facts import both, both_prose, stable_bce

D64 = torch.float64


def _entropy(y: float) -> float:
    return -sum(v * math.log(v) for v in (y, 1 - y) if v > 0)


def test_sigmoid_of_zero_is_one_half():
    """Test quiz q1 and the takeaway: σ(0) = 1 / (1 + e⁰) = 0.5 exactly; σ → 0 and 1 only in the limits."""
    assert torch.sigmoid(torch.tensor(0.0, dtype=D64)).item() == 0.5
    s = torch.sigmoid(torch.tensor([-30.0, 30.0], dtype=D64))
    assert 0 < s[0].item() < 1e-12 and 1 - 1e-12 < s[1].item() < 1
    for s in both_prose("sigmoid_bce_takeaway"):
        assert "σ(0) = 0.5" in s


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-10.0, 10.0), y=st.floats(0.0, 1.0))
def test_gradient_is_sigma_minus_y_and_at_most_1(x, y):
    """Test that torch's gradient of BCEWithLogitsLoss w.r.t. the logit is σ(x) − y, at most 1 in size and zero where
    σ(x) = y, over the sliders' ranges (gradient prose, grad label, loss_summary, takeaway, start demo)."""
    _, g = stable_bce([x], [y], dtype=D64)
    sig = torch.sigmoid(torch.tensor(x, dtype=D64)).item()
    assert g.item() == pytest.approx(sig - y, abs=1e-15)
    assert abs(g.item()) <= 1


def test_gradient_can_exceed_1_outside_zero_one():
    """Test that with a label outside [0, 1] (the tensor fields allow it) |σ(x) − y| exceeds 1: the prose's
    "never larger than 1" needs "for a label in [0, 1]"."""
    _, g = stable_bce([0.0], [2.0], dtype=D64)
    assert g.item() == -1.5
    for s in both_prose("sigmoid_bce_gradient"):
        assert "[0, 1]" in s


@pytest.mark.parametrize("y", [0.3, 0.9])
def test_soft_label_minimum_is_the_labels_entropy(y):
    """Test that with a soft label the smallest loss is at σ(x) = y, x = log(y / (1 − y)), and equals the label's entropy
    H(y) (0.611 for 0.3), not 0 (gradient prose, quiz q3, task t1)."""
    best = math.log(y / (1 - y))
    loss = lambda x: stable_bce([x], [y], dtype=D64)[0].item()  # noqa: E731
    assert loss(best) == pytest.approx(_entropy(y), rel=1e-12)
    assert loss(best) < min(loss(best - 0.01), loss(best + 0.01))
    assert round(_entropy(0.3), 3) == 0.611 and round(math.log(0.3 / 0.7), 2) == -0.85
    for s in (*both_prose("sigmoid_bce_gradient"), *both("sigmoid_bce.quiz_q3_match_why")):
        assert "0.611" in s and "H(" in s, s
    assert "≈ −0.85" in both("sigmoid_bce.quiz_q3_match")[0]


def test_quiz_q2_gradient_is_negative_at_x_minus_3_y_1():
    """Test quiz q2: σ(−3) ≈ 0.047 and the gradient σ(−3) − 1 ≈ −0.95 is negative, so a step increases x."""
    _, g = stable_bce([-3.0], [1.0], dtype=D64)
    assert round(torch.sigmoid(torch.tensor(-3.0, dtype=D64)).item(), 3) == 0.047 and round(g.item(), 2) == -0.95
    x1 = -3.0 - 0.1 * g.item()
    assert x1 > -3.0 and stable_bce([x1], [1.0], dtype=D64)[0].item() < stable_bce([-3.0], [1.0], dtype=D64)[0].item()


def test_bce_charges_minus_log_sigma_and_minus_log_one_minus_sigma():
    """Test the takeaway and the start demo: BCE charges −log σ(x) for y = 1 and −log(1 − σ(x)) for y = 0, and a soft
    label mixes them linearly."""
    x = torch.linspace(-8, 8, 33, dtype=D64)
    s = torch.sigmoid(x)
    one = F.binary_cross_entropy_with_logits(x, torch.ones_like(x), reduction="none")
    zero = F.binary_cross_entropy_with_logits(x, torch.zeros_like(x), reduction="none")
    soft = F.binary_cross_entropy_with_logits(x, torch.full_like(x, 0.3), reduction="none")
    torch.testing.assert_close(one, -torch.log(s))
    torch.testing.assert_close(zero, -torch.log1p(-s))
    torch.testing.assert_close(soft, 0.3 * one + 0.7 * zero)


@settings(max_examples=100, deadline=None)
@given(x=st.lists(st.floats(-10, 10), min_size=1, max_size=16))
def test_mean_gradient_is_divided_by_numel_and_sum_is_numel_times_mean(x):
    """Test the takeaway and col_grad: with reduction="mean" the gradient is (σ(x) − y) / numel; sum = numel × mean
    (task t2 done)."""
    y = [float(i % 2) for i in range(len(x))]
    mean, g = stable_bce(x, y, dtype=D64, reduction="mean")
    total, _ = stable_bce(x, y, dtype=D64, reduction="sum")
    expect = (torch.sigmoid(torch.tensor(x, dtype=D64)) - torch.tensor(y, dtype=D64)) / len(x)
    torch.testing.assert_close(g, expect)
    assert total.item() == pytest.approx(len(x) * mean.item(), rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-10.0, 10.0), y=st.floats(0.0, 1.0), lr=st.floats(1e-3, 1.0))
def test_a_gradient_step_moves_sigma_towards_the_label(x, y, lr):
    """Test loss_summary: moving x against the slope σ(x) − y never moves σ(x) away from the label."""
    _, g = stable_bce([x], [y], dtype=D64)
    s0 = torch.sigmoid(torch.tensor(x, dtype=D64)).item()
    s1 = torch.sigmoid(torch.tensor(x - lr * g.item(), dtype=D64)).item()
    assert (s1 - s0) * (y - s0) >= 0


def test_quiz_q3_distractors_zero_and_far():
    """Test quiz q3's distractors for y = 0.3: at x = 0 the gradient is 0.5 − 0.3 = 0.2, not 0; far left σ(x) → 0 and
    the loss grows again (x = −10 costs more than the minimum and more than x = −5)."""
    _, g = stable_bce([0.0], [0.3], dtype=D64)
    assert g.item() == pytest.approx(0.2, abs=1e-15)
    loss = lambda x: stable_bce([x], [0.3], dtype=D64)[0].item()  # noqa: E731
    assert loss(-10.0) > loss(-5.0) > loss(math.log(0.3 / 0.7))


@pytest.mark.parametrize(("x", "y", "done"), [("0", "0.5", True), ("0", "0.3", False), ("3", "1", False)])
def test_task_t1_only_when_sigma_is_within_0_01_of_a_soft_label(x, y, done):
    """Test task t1: accepted only with a soft label and |σ(x) − y| < 0.01 (torch's gradient), where the loss is within
    a hair of the label's entropy and above 0."""
    from tests.app.helpers import open_page
    loss, g = stable_bce([float(x)], [float(y)], dtype=D64)
    truth = 0 < float(y) < 1 and abs(g.item()) < 0.01
    assert truth == done
    if truth:
        assert 0 < _entropy(float(y)) <= loss.item() < _entropy(float(y)) + 1e-3
    at = open_page("sigmoid_bce", sb_x=x, sb_y=y)
    assert ("task_sigmoid_bce_t1" in at.session_state["quiz_done"]) == done


@settings(max_examples=100, deadline=None)
@given(st.floats(-15, 15), st.floats(0, 1))
def test_see_log_odds_logit_is_log_odds_and_bce_is_negative_log_likelihood(x, y):
    """Test see_log_odds: the logit is the log-odds log(p / (1 − p)) of p = σ(x) (σ's inverse: torch.logit),
    and BCE is the negative log-likelihood −log(p^y (1 − p)^(1 − y)) of the label."""
    xt = torch.tensor(x, dtype=torch.float64)
    p = torch.sigmoid(xt)
    assert torch.log(p / (1 - p)).item() == pytest.approx(x, abs=1e-9)
    assert torch.logit(p).item() == pytest.approx(x, abs=1e-9)
    nll = -torch.log(p**y * (1 - p) ** (1 - y)).item()
    assert F.binary_cross_entropy_with_logits(xt, torch.tensor(y, dtype=torch.float64)).item() == pytest.approx(nll, rel=1e-9, abs=1e-12)
