"""Claims of lesson 4, weights, pos_weight and reduction, computed with torch (catalog weights, its prose, page l04)."""

from __future__ import annotations

import math

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


X34 = torch.tensor([[0.4, -1.2, 2, 0.3], [1.1, 0.6, -0.9, -1.6], [-0.5, 1.5, 0.2, 0.8]], dtype=torch.float64)
Y34 = torch.tensor([[1.0, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=torch.float64)


def _bce(x, y, weight=None, pos_weight=None, reduction="none"):
    t = lambda v: None if v is None else torch.tensor(v, dtype=torch.float64)  # noqa: E731
    return F.binary_cross_entropy_with_logits(x, y, weight=t(weight), pos_weight=t(pos_weight), reduction=reduction)


def test_weight_broadcasts_from_the_right():
    """Test weight_help, task_fail and quiz sample: on a 3×4 batch a (3, 1) weight scales rows, a (4,) weight scales
    columns, a (3,) weight fails in torch; (N,) on (N, C) lines up with C and fails when N ≠ C."""
    plain = _bce(X34, Y34)
    torch.testing.assert_close(_bce(X34, Y34, [[2.0], [1.0], [1.0]]), plain * torch.tensor([[2.0], [1], [1]], dtype=torch.float64))
    torch.testing.assert_close(_bce(X34, Y34, [1.0, 2.0, 1.0, 1.0]), plain * torch.tensor([1.0, 2, 1, 1], dtype=torch.float64))
    for bad in ([2.0, 1.0, 1.0], [1.0, 2.0]):
        with pytest.raises(RuntimeError):
            _bce(X34, Y34, bad)
    sq = torch.zeros(4, 4, dtype=torch.float64)
    torch.testing.assert_close(_bce(sq, sq, [1.0, 2.0, 3.0, 4.0])[0], _bce(sq, sq)[0] * torch.tensor([1.0, 2, 3, 4], dtype=torch.float64))
    for s in both("weights.weight_help"):
        assert "'2; 1; 1'" in s and "(3, 1)" in s and "(4,)" in s and "(3,)" in s


def test_weight_scales_the_whole_element_pos_weight_only_the_positive_term():
    """Test the intro formula, pos_weight_help, col_formula and the takeaway: loss = w·[p·y·(−log σ(x)) + (1 − y)·(−log(1 − σ(x)))]
    for any y (soft labels included): weight multiplies everything, pos_weight only the y-term."""
    x = torch.linspace(-4, 4, 9, dtype=torch.float64)
    for y in (0.0, 0.3, 1.0):
        yt = torch.full_like(x, y)
        got = _bce(x, yt, [2.0], [3.0])
        expect = 2.0 * (3.0 * y * -F.logsigmoid(x) + (1 - y) * -F.logsigmoid(-x))
        torch.testing.assert_close(got, expect)
    for s in both_prose("weights_intro"):
        assert "w · [ p · y · (−log σ(x)) + (1 − y) · (−log(1 − σ(x))) ]" in s


@pytest.mark.parametrize("c", [3, 4])
def test_pos_weight_shapes_on_images(c):
    """Test the shapes prose and quiz nchw: on (N, C, H, W) a (C,) pos_weight lines up with W and fails (H = W = C + 1),
    silently weights pixel columns when W = C, (C, 1, 1) weights channels, (1, C) fails like (C,)."""
    n, h = 2, c + 1
    x = torch.randn(n, c, h, h, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = (x > 0).double()
    pw = [float(i + 1) for i in range(c)]
    with pytest.raises(RuntimeError):
        _bce(x, y, pos_weight=pw)
    with pytest.raises(RuntimeError):
        _bce(x, y, pos_weight=[pw])
    per_channel = _bce(x, y, pos_weight=[[[v]] for v in pw])
    for k in range(c):
        torch.testing.assert_close(per_channel[:, k], _bce(x[:, k], y[:, k], pos_weight=[pw[k]]))
    xs, ys = x[..., :c], y[..., :c]  # W = C: (C,) is accepted but weights columns of pixels
    cols = _bce(xs, ys, pos_weight=pw)
    assert not torch.allclose(cols, _bce(xs, ys, pos_weight=[[[v]] for v in pw]))
    torch.testing.assert_close(cols[..., 0], _bce(xs[..., 0], ys[..., 0], pos_weight=[pw[0]]))


def test_grad_at_sigma_star_is_zero_and_a_minimum():
    """Test grad_at_star: torch's gradient of the mean loss at the constant σ* = p·P / (p·P + N) is 0 and the loss is
    larger on both sides (100 positives, 300 negatives, p = 2)."""
    y = torch.cat([torch.ones(100), torch.zeros(300)]).double()
    star = 2 * 100 / (2 * 100 + 300)
    f = lambda s: _bce(torch.full((400,), math.log(s / (1 - s)), dtype=torch.float64), y, pos_weight=[2.0], reduction="mean").item()  # noqa: E731
    assert f(star) < min(f(star - 1e-3), f(star + 1e-3))
    theta = torch.full((400,), math.log(star / (1 - star)), dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(_bce(theta, y, pos_weight=[2.0], reduction="mean"), theta)
    assert abs(g.sum().item()) < 1e-15


def test_recipe_quiz_distractors():
    """Test quiz recipe's distractors: 1/3 is positives / negatives (it weakens the positives: σ* = 0.1 < 0.25), and 0.25
    is the share of positives 100 / 400."""
    assert 100 / 300 == pytest.approx(1 / 3) and 100 / 400 == 0.25
    star = (1 / 3) * 100 / ((1 / 3) * 100 + 300)
    assert star == pytest.approx(0.1) and star < 0.25
