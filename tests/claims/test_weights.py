"""Claims of lesson 4, weights, pos_weight and reduction, computed with torch (catalog weights, its prose, page l04)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import lossviz.lessons.weights as weights_module
from tests.claims._torch_facts import both, both_prose, stable_bce


def _best_logit(q: float, p: float) -> float:
    """The logit minimising the expected loss q·BCEWithLogits(θ, 1; pos_weight p) + (1 − q)·BCEWithLogits(θ, 0),
    found by Newton steps on torch's autograd gradient (float64)."""
    theta = torch.zeros((), dtype=torch.float64, requires_grad=True)
    pw = torch.tensor(p, dtype=torch.float64)
    for _ in range(25):
        loss = (q * F.binary_cross_entropy_with_logits(theta, torch.tensor(1.0, dtype=torch.float64), pos_weight=pw)
                + (1 - q) * F.binary_cross_entropy_with_logits(theta, torch.tensor(0.0, dtype=torch.float64)))
        (g,) = torch.autograd.grad(loss, theta, create_graph=True)
        (h,) = torch.autograd.grad(g, theta)
        with torch.no_grad():
            theta -= g / h
    return theta.item()


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.1, 20.0), q=st.floats(0.01, 0.99))
def test_pos_weight_tilts_the_score_calibration_crosses_at_half(p, q):
    """Test that the score trained with pos_weight p crosses 0.5 once q > 1/(1 + p), while the calibrated score
    (p = 1) crosses at q = 0.5 (imb_summary; the lesson module's docstring), over the slider's p in [0.1, 20]."""
    bar = 1 / (1 + p)
    if abs(q - bar) < 1e-3 or abs(q - 0.5) < 1e-3:
        return
    tilted = torch.sigmoid(torch.tensor(_best_logit(q, p), dtype=torch.float64)).item()
    calibrated = torch.sigmoid(torch.tensor(_best_logit(q, 1.0), dtype=torch.float64)).item()
    assert (tilted > 0.5) == (q > bar)
    assert (calibrated > 0.5) == (q > 0.5) and calibrated == pytest.approx(q, abs=1e-9)
    assert tilted == pytest.approx(p * q / (p * q + 1 - q), abs=1e-9)


def test_imb_summary_says_the_tilted_score_crosses_at_the_bar():
    """Test that imb_summary and the module docstring give 1/(1 + p) to the pos_weight-trained score and 0.5
    to the calibrated one (issue 21 §1.9)."""
    en, zh = both("weights.imb_summary")
    assert "calibrated score crosses 0.5 once" not in en and "trained with this pos_weight" in en and "0.5" in en
    assert "一个校准过的得分在真实概率超过" not in zh and "用这个 pos_weight 训练" in zh
    doc = weights_module.__doc__
    assert "a calibrated score thresholded at 0.5 calls" not in doc and "trained with" in doc


def test_recipe_puts_sigma_star_at_half():
    """Test that with pos_weight = N / P the constant prediction minimising torch's mean loss is 0.5 (100 / 300 → 3),
    and with p = 1 it is the base rate 0.25 (imbalance prose, imb_summary, quiz recipe)."""
    y = torch.cat([torch.ones(100), torch.zeros(300)]).double()
    for p, star in ((3.0, 0.5), (1.0, 0.25)):
        theta = torch.logit(torch.tensor(star, dtype=torch.float64)).expand(400).clone().requires_grad_(True)
        loss = F.binary_cross_entropy_with_logits(theta, y, pos_weight=torch.tensor(p, dtype=torch.float64))
        (g,) = torch.autograd.grad(loss, theta)
        assert abs(g.sum().item()) < 1e-12
    assert 300 / 100 == 3.0
    for s in both("weights.quiz_recipe_three_why"):
        assert "300 / 100 = 3" in s


def test_ce_weighted_mean_divides_by_the_target_classes_weights():
    """Test that CrossEntropyLoss with class-index targets divides by Σ w[yₙ] (not Σ w over classes) and BCE's mean
    by numel (not_normalised, quiz_mean_sumw_why, takeaway)."""
    x = torch.tensor([[2.0, 0.5, -1.0], [0.1, 1.2, 0.3], [0.3, -0.2, 0.9]], dtype=torch.float64)
    y = torch.tensor([0, 1, 1])
    w = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)
    per = F.cross_entropy(x, y, weight=w, reduction="none")
    mean = F.cross_entropy(x, y, weight=w)
    assert mean.item() == pytest.approx(per.sum().item() / w[y].sum().item(), rel=1e-15)
    assert mean.item() != pytest.approx(per.sum().item() / w.sum().item(), rel=1e-6)
    for key in ("not_normalised", "quiz_mean_sumw_why"):
        for s in both(f"weights.{key}"):
            assert "Σ w[yₙ]" in s, s


@settings(max_examples=100, deadline=None)
@given(x=st.lists(st.floats(-10, 10), min_size=1, max_size=12), w=st.floats(0.1, 5.0))
def test_bce_mean_divides_by_numel_whatever_the_weights(x, w):
    """Test that BCEWithLogitsLoss's mean is Σ w·l / numel for any weights (quiz mean keyed answer; takeaway)."""
    y = [float(i % 2) for i in range(len(x))]
    wt = [w * (i + 1) for i in range(len(x))]
    loss, _ = stable_bce(x, y, dtype=torch.float64, reduction="mean", weight=wt)
    per, _ = stable_bce(x, y, dtype=torch.float64, reduction="sum", weight=wt)
    assert loss.item() == pytest.approx(per.item() / len(x), rel=1e-12)
    if len(x) > 1:
        assert loss.item() != pytest.approx(per.item() / sum(wt), rel=1e-9) or sum(wt) == pytest.approx(len(x))


def test_prose_imbalance_numbers():
    """Test the imbalance prose's numbers: base rate 100 / 400 = 0.25, recipe 3."""
    for s in both_prose("weights_imbalance"):
        assert "0.25" in s and "100 / 400" in s


@pytest.mark.parametrize(("npos", "nneg", "pw", "done"), [(100, 300, "3", True), (1, 20, "19.9", False), (1, 20, "20", True),
                                                           (100, 300, "2.9", False)])
def test_task_balance_only_at_the_recipe(npos, nneg, pw, done):
    """Test that task balance ("that is the recipe p = N / P, to the slider's step") is accepted only with pos_weight
    within half a slider step of N / P; at P = 1, N = 20, p = 19.9, torch's σ* = 0.49875 is not the recipe's 0.5."""
    from tests.app.helpers import open_page
    p = float(pw)
    y = torch.cat([torch.ones(npos), torch.zeros(nneg)]).double()
    theta = torch.zeros(npos + nneg, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(theta, y, pos_weight=torch.tensor(p, dtype=torch.float64)), theta)
    assert (abs(g.sum().item()) < 1e-12) == (p == nneg / npos)  # σ = 0.5 is the optimum only at the recipe
    at = open_page("weights", wt_npos=str(npos), wt_nneg=str(nneg), wt_pw=pw)
    assert ("task_weights_balance" in at.session_state["quiz_done"]) == done
