"""Claims of the "Train it" page, computed by training in real torch.

The page's controls: part 1 — lr 0.001 … 5, epochs 1 … 200, seed 0 … 9999; part 2 — lr 0.001 … 10,
epochs 1 … 500, initial weight scale 0.1 … 30 (step 0.1).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import train as T
from lossviz.text.i18n import prose, translate

LANGS = ("en", "zh")


def text(key: str, lang: str = "en") -> str:
    return translate(lang, f"train.{key}")


def runs(scale, lr=0.5, epochs=100):
    return {k: T.train_toy(k, lr=lr, epochs=epochs, scale=scale) for k in T.TOY_LOSSES}


def initial_logits(scale):
    x, y = T.blobs()
    return x @ (torch.tensor(T.W_INIT) * scale) + T.B_INIT * scale, x, y


def test_initial_model_is_wrong_on_about_half_the_points():
    """Test scale_help and train_toy: the start predicts class 1 for 79 of 80 points, so it is wrong on 39 of them
    (about half, nearly all of class 0) at every scale; at scale 25, 35 of the 40 class-0 points have float32
    σ(z) exactly 1 (confidently wrong beyond float32); at scale 1 none does."""
    for scale in (0.1, 1.0, 25.0):
        z, _, y = initial_logits(scale)
        assert int(((z > 0).float() != y).sum()) == 39
    z, _, y = initial_logits(25.0)
    assert int(((torch.sigmoid(z) == 1) & (y == 0)).sum()) == 35
    z, _, y = initial_logits(1.0)
    assert int(((torch.sigmoid(z) == 1) & (y == 0)).sum()) == 0
    assert T.train_toy("naive_bce", scale=25.0).stuck_start == 35
    for lang in LANGS:
        assert "39" in text("scale_help", lang)


@pytest.mark.parametrize("scale", [0.1, 0.5, 1.0, 2.0])
def test_small_scale_naive_and_stable_train_identically(scale):
    """Test quiz q1 (b, not a or c) and the takeaway: at a small initial scale the naive route and BCEWithLogits
    give the same loss and gradient norm at every step, up to float32 rounding; neither diverges."""
    stable = T.train_toy("bce_logits", scale=scale)
    naive = T.train_toy("naive_bce", scale=scale)
    for a, b in zip(stable.losses, naive.losses, strict=True):
        assert a == pytest.approx(b, rel=1e-5, abs=1e-6)
    for a, b in zip(stable.grad_norms, naive.grad_norms, strict=True):
        assert a == pytest.approx(b, rel=1e-4, abs=1e-6)
    assert naive.losses[-1] < naive.losses[0]


def test_naive_gradient_is_sigma_minus_y_until_sigma_nears_0_or_1():
    """Test quiz q1's explanation: autograd's gradient of BCELoss(σ(z), y) is σ(z) − y while σ(z) stays clear of
    0 and 1; it is exactly 0 once σ(z) rounds to 1 (z ≥ 16.6355, y = 0), and it already falls short of σ(z) − y for
    z ≤ −27.7 with y = 1, where BCELoss's backward clamps σ(1 − σ) at 1e-12, before σ rounds to 0."""
    for zv, yv in ((-20.0, 1.0), (-3.0, 0.0), (0.0, 1.0), (5.0, 0.0), (16.0, 0.0)):
        z = torch.tensor([zv], requires_grad=True)
        (g,) = torch.autograd.grad(F.binary_cross_entropy(torch.sigmoid(z), torch.tensor([yv])), z)
        assert g.item() == pytest.approx((torch.sigmoid(z) - yv).item(), rel=1e-4, abs=1e-7)
    z = torch.tensor([17.0], requires_grad=True)
    (g,) = torch.autograd.grad(F.binary_cross_entropy(torch.sigmoid(z), torch.tensor([0.0])), z)
    assert g.item() == 0.0
    z = torch.tensor([-30.0], requires_grad=True)
    assert torch.sigmoid(z).item() > 0
    (g,) = torch.autograd.grad(F.binary_cross_entropy(torch.sigmoid(z), torch.tensor([1.0])), z)
    assert abs(g.item()) < 0.5  # σ(z) − y would be ≈ −1
    for lang in LANGS:
        assert "1e-12" in text("quiz_q1_b_why", lang)


def test_large_scale_naive_stalls_stable_learns():
    """Test quiz q2 (c, not a or b), stuck_note, task t1 and the takeaway: at scale 25 the class-0 points with
    σ(z) == 1 give the naive route loss 100 and gradient exactly 0 (MSE's too), the naive run stalls while
    BCEWithLogits (gradient σ(z) − y = 1 on them) learns at the same learning rate."""
    r = runs(25.0)
    assert r["naive_bce"].stalled and not r["bce_logits"].stalled
    z, _, y = initial_logits(25.0)
    stuck = (torch.sigmoid(z) == 1) & (y == 0)
    zl = z.clone().requires_grad_()
    per = F.binary_cross_entropy(torch.sigmoid(zl), y, reduction="none")
    (g,) = torch.autograd.grad(per.sum(), zl)
    assert torch.all(per[stuck] == 100) and torch.all(g[stuck] == 0)
    zm = z.clone().requires_grad_()
    (gm,) = torch.autograd.grad(F.mse_loss(torch.sigmoid(zm), y, reduction="sum"), zm)
    assert torch.all(gm[stuck] == 0)
    zs = z.clone().requires_grad_()
    (gs,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(zs, y, reduction="sum"), zs)
    assert torch.all(gs[stuck] == 1)


def test_sgd_step_uses_the_gradient_not_the_loss_value():
    """Test quiz q2 (b): SGD's step is the same for two losses with equal gradients and different values
    (a loss capped at 100 does not tell the optimizer anything)."""
    steps = []
    for offset in (0.0, 100.0):
        p = torch.tensor([1.0, -2.0], requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        ((p ** 2).sum() + offset).backward()
        opt.step()
        steps.append(p.detach().clone())
    assert torch.equal(*steps)


def test_mse_stalls_before_the_naive_bce():
    """Test quiz q3 (a, not b or c), task t2 and the takeaway: at scale 5 no point is saturated, MSE on probabilities
    (targets 0/1, plain SGD) has stalled, with a first gradient about 50× smaller than BCE's, while the naive BCE
    still learns; MSE's gradient is 2(σ − y)·σ(1 − σ) and BCE's is σ − y (the log cancels σ(1 − σ))."""
    r = runs(5.0)
    assert r["mse_prob"].stalled and not r["naive_bce"].stalled and r["naive_bce"].stuck_start == 0
    assert r["mse_prob"].grad_norms[0] * 50 < r["naive_bce"].grad_norms[0]
    z = torch.tensor([2.0, -1.0, 4.0], requires_grad=True)
    y = torch.tensor([0.0, 1.0, 1.0])
    (g,) = torch.autograd.grad(F.mse_loss(torch.sigmoid(z), y, reduction="sum"), z)
    s = torch.sigmoid(z)
    assert torch.allclose(g, 2 * (s - y) * s * (1 - s))


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 300).map(lambda k: k / 10), st.sampled_from([0.05, 0.5, 2.0, 10.0]), st.sampled_from([20, 100, 300]))
def test_task_checks_accept_only_states_their_messages_describe(scale, lr, epochs):
    """Test task_t1_done and task_t2_done over the controls: t1 (naive stalled, BCEWithLogits not, some point
    saturated) comes with saturated points whose naive gradient is 0; t2 (MSE stalled, naive BCE not) comes with
    MSE's gradient smaller than BCE's."""
    r = runs(scale, lr, epochs)
    naive, stable, mse = r["naive_bce"], r["bce_logits"], r["mse_prob"]
    if T.task_t1_done(naive, stable):
        assert naive.stuck_start > 0
    if T.task_t2_done(mse, naive):
        assert mse.grad_norms[0] < naive.grad_norms[0]


def test_task_t1_check_needs_saturated_points():
    """Test that task t1's check refuses a naive run that stalls without any saturated point (tiny learning rate)."""
    r = runs(1.0, lr=0.001, epochs=20)
    assert r["naive_bce"].stuck_start == 0 and not T.task_t1_done(r["naive_bce"], r["bce_logits"])


def test_linear_learning_rate_crawls_or_overshoots():
    """Test train_linear: at lr 0.001 the seed loop's loss falls by well under 1 % in 10 epochs; at lr 5 (the
    largest allowed) it can overshoot — with seed 1 the loss goes up between epochs."""
    slow = T.train_linear(lr=0.001, epochs=10, seed=0)
    assert 0 < slow.losses[0] - slow.losses[-1] < 0.01 * slow.losses[0]
    fast = T.train_linear(lr=5.0, epochs=30, seed=1)
    assert any(b > a for a, b in zip(fast.losses, fast.losses[1:], strict=False))
    for lang in LANGS:
        assert "seed 1" in prose(lang, "train_linear") or "种子 1" in prose(lang, "train_linear")


def test_linear_loop_is_the_seeded_torch_loop():
    """Test train_linear: the data are randn(10, 5), randint(5, (10,)) after torch.manual_seed(seed), so the
    printed snippet's first loss is the page's."""
    torch.manual_seed(3)
    model = torch.nn.Linear(5, 5)
    x, y = torch.randn(10, 5), torch.randint(5, (10,))
    first = F.cross_entropy(model(x), y).item()
    assert T.train_linear(lr=0.1, epochs=1, seed=3).losses[0] == pytest.approx(first, rel=1e-6)


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 300).map(lambda k: k / 10), st.sampled_from([0.001, 0.5, 10.0]))
def test_curve_gaps_mean_a_zero_gradient(scale, lr):
    """Test curves_summary: the gradient norms are finite and ≥ 0 over the controls, so a gap on the log axis
    means exactly 0."""
    for r in runs(scale, lr, 100).values():
        assert all(math.isfinite(g) and g >= 0 for g in r.grad_norms)


def test_probability_map_boundary_is_sigma_one_half():
    """Test map_summary: the drawn line is where σ(w·x + b) = 0.5."""
    run = T.train_toy("bce_logits")
    xs = torch.linspace(-5, 5, 11, dtype=torch.float64)
    ys = torch.tensor(T.boundary(run.w, run.b, xs.numpy()))
    z = run.w[0] * xs + run.w[1] * ys + run.b
    assert torch.allclose(torch.sigmoid(z), torch.full_like(z, 0.5), atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 50), st.floats(-20, 20), st.integers(1, 8))
def test_see_reading_loss_a_model_that_knows_nothing_scores_ln_c(c, same, n):
    """Test see_reading_loss: with all logits equal, CrossEntropyLoss is ln C for any targets, and with two
    classes (or one logit of 0 and BCEWithLogitsLoss) ln 2."""
    x = torch.full((n, c), same, dtype=torch.float64)
    y = torch.arange(n) % c
    assert F.cross_entropy(x, y).item() == pytest.approx(math.log(c), rel=1e-12)
    assert F.binary_cross_entropy_with_logits(torch.zeros(n, dtype=torch.float64), (torch.arange(n) % 2).double()).item() == pytest.approx(math.log(2))


def test_see_why_mse_gradient_vanishes_where_confidently_wrong():
    """Test see_why_mse: for a label 1 and a logit z, MSE on σ(z) has gradient 2(σ − 1)σ(1 − σ), which falls
    toward 0 as z → −∞ (most confidently wrong), while BCE's gradient σ − 1 approaches −1."""
    z = torch.tensor([-2.0, -5.0, -10.0, -20.0], dtype=torch.float64, requires_grad=True)
    (g_mse,) = torch.autograd.grad(((torch.sigmoid(z) - 1) ** 2).sum(), z)
    (g_bce,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(z, torch.ones(4, dtype=torch.float64), reduction="sum"), z)
    assert g_mse.abs().tolist() == sorted(g_mse.abs().tolist(), reverse=True) and g_mse.abs()[-1] < 1e-8
    assert g_bce[-1].item() == pytest.approx(-1.0, abs=1e-8) and (g_bce.abs() > 0.8).all()
