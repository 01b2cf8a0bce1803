"""Claims of lesson 13, Why not MSE for classification? (catalog why_mse, its prose, page l13), computed in torch.

General claims ("never", "both ends", "always") are hypothesis properties over the page's whole range:
logits in [−10, 10] (the slider), labels 0 and 1, and the race's learning rate, steps and scale."""

from __future__ import annotations

import math
import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.text.i18n import LOCALES, catalog
from tests.app.helpers import open_page

LANGS = ("en", "zh")
LOGITS = st.floats(-10.0, 10.0, allow_nan=False)
LABELS = st.sampled_from([0.0, 1.0])


def both(key: str) -> list[str]:
    return [catalog(lang)[f"why_mse.{key}"] for lang in LANGS]


def both_prose(name: str) -> list[str]:
    return [(LOCALES / lang / "prose" / f"{name}.md").read_text(encoding="utf-8") for lang in LANGS]


def grads(x, y: float):
    """(σ, MSE, dMSE/dx, BCE, dBCE/dx) elementwise in float64 torch, by autograd."""
    xt = torch.as_tensor(x, dtype=torch.float64).clone().requires_grad_(True)
    yt = torch.full_like(xt, y)
    mse = F.mse_loss(torch.sigmoid(xt), yt, reduction="none")
    (gm,) = torch.autograd.grad(mse.sum(), xt)
    bce = F.binary_cross_entropy_with_logits(xt, yt, reduction="none")
    (gb,) = torch.autograd.grad(bce.sum(), xt)
    return torch.sigmoid(xt).detach(), mse.detach(), gm, bce.detach(), gb


def blobs_start(scale: float):
    """Train it's blobs and the race's starting logits at ``scale``."""
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(40, 2, generator=g) - 1.2, torch.randn(40, 2, generator=g) + 1.2])
    y = torch.cat([torch.zeros(40), torch.ones(40)])
    return x, y, x @ (torch.tensor([0.5, -0.5]) * scale) + 1.5 * scale


# ------------------------------------------------------------ the one-logit part --


@settings(max_examples=300, deadline=None)
@given(x=LOGITS, y=LABELS)
def test_mse_gradient_is_bce_gradient_times_two_sigma_one_minus_sigma(x, y):
    """Test that d/dx (σ(x) − y)² = 2(σ − y)σ(1 − σ) = (σ(x) − y)·2σ(1 − σ), that BCE's is σ(x) − y, and that the
    factor 2σ(1 − σ) is never above ½ (intro, takeaway, quiz q3)."""
    s, _, gm, _, gb = grads([x], y)
    assert gb.item() == pytest.approx((s - y).item(), abs=1e-15)
    assert gm.item() == pytest.approx(2 * (s - y).item() * s.item() * (1 - s.item()), rel=1e-12, abs=1e-300)
    assert gm.item() == pytest.approx(gb.item() * 2 * s.item() * (1 - s.item()), rel=1e-12, abs=1e-300)
    assert 2 * s.item() * (1 - s.item()) <= 0.5
    assert abs(gm.item()) <= abs(gb.item()) / 2 + 1e-15
    for text in both_prose("why_mse_takeaway"):
        assert "2σ(1 − σ)" in text and "½" in text


@settings(max_examples=300, deadline=None)
@given(a=LOGITS, b=LOGITS, y=LABELS)
def test_mse_learns_least_from_the_most_wrong(a, b, y):
    """Test that beyond its peak on the wrong side, MSE's gradient shrinks the more wrong the logit is, while BCE's
    stays at least 0.5 in size for every wrong prediction (teaser, intro, takeaway, vanish)."""
    peak = -math.log(2) if y == 1.0 else math.log(2)
    wrong = sorted((a, b), key=lambda v: -v if y == 1.0 else v)  # less wrong first
    if (wrong[0] > peak) if y == 1.0 else (wrong[0] < peak):
        return  # only the wrong side beyond the peak
    _, _, gm, _, gb = grads(wrong, y)
    assert abs(gm[1].item()) <= abs(gm[0].item()) + 1e-15
    assert abs(gb[0].item()) >= 0.5 and abs(gb[1].item()) >= 0.5


def test_both_ends_of_the_sigmoid():
    """Test that at x = ±10 MSE's gradient is below 1e-4 at both ends for either label, while BCE's is ≈ ±1 on the
    wrong end and ≈ 0 on the correct one (intro, curves_summary)."""
    for y in (0.0, 1.0):
        _, _, gm, _, gb = grads([-10.0, 10.0], y)
        assert (gm.abs() < 1e-4).all()
        wrong_end, right_end = (0, 1) if y == 1.0 else (1, 0)
        assert abs(gb[wrong_end].item()) > 0.9999 and abs(gb[right_end].item()) < 1e-4
    assert "both ends" in both("curves_summary")[0] and "两端" in both("curves_summary")[1]
    assert "**both**" in both_prose("why_mse_intro")[0] and "**两端**" in both_prose("why_mse_intro")[1]


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0.0, 10.0), b=st.floats(0.0, 10.0), y=LABELS)
def test_right_side_gradients_shrink_with_confidence(a, b, y):
    """Test that on the correct side (x > 0 for y = 1, x < 0 for y = 0) both gradients shrink as |x| grows (right)."""
    lo, hi = sorted((a, b))
    xs = [lo, hi] if y == 1.0 else [-lo, -hi]
    _, _, gm, _, gb = grads(xs, y)
    assert abs(gm[1].item()) <= abs(gm[0].item()) + 1e-15
    assert abs(gb[1].item()) <= abs(gb[0].item()) + 1e-15


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_peak_is_at_sigma_one_third(y):
    """Test that |MSE's gradient| is largest at x = ∓ln 2 (σ = 1/3 for y = 1, 2/3 for y = 0), −8/27 ≈ −0.296 for y = 1,
    with BCE's gradient ∓2/3 there, and −0.25 at x = 0 (peak, quiz q2)."""
    xs = torch.linspace(-10, 10, 400_001, dtype=torch.float64)
    s, _, gm, _, gb = grads(xs, y)
    i = int(gm.abs().argmax())
    at = -math.log(2) if y == 1.0 else math.log(2)
    assert xs[i].item() == pytest.approx(at, abs=1e-4)
    assert s[i].item() == pytest.approx(1 / 3 if y == 1.0 else 2 / 3, abs=1e-4)
    assert gm.abs().max().item() == pytest.approx(8 / 27, rel=1e-8)
    s0, _, g_at, _, gb_at = grads([at], y)
    assert abs(gb_at.item()) == pytest.approx(2 / 3, rel=1e-12)
    assert grads([0.0], 1.0)[2].item() == -0.25
    for s in both("quiz_q2_b") + both("quiz_q2_b_why"):
        assert "1/3" in s or "8/27" in s
    assert all("−0.296" in s for s in both("quiz_q2_b_why")) and all("−0.25" in s for s in both("quiz_q2_c_why"))
    assert all("−0.69" in s for s in both("quiz_q2_b"))
    for s in both("peak"):
        assert "σ = 1/3" in s and "2/3" in s


def test_confidently_wrong_at_minus_ten():
    """Test quiz q1's numbers: x = −10, y = 1: σ ≈ 0.00005, MSE's gradient ≈ −0.00009, BCE's ≈ −1 (≈ 10⁴ times
    larger), and the MSE loss near its maximum 1."""
    s, mse, gm, _, gb = grads([-10.0], 1.0)
    assert round(s.item(), 5) == 0.00005
    assert round(gm.item(), 5) == -0.00009
    assert round(gb.item(), 4) == -1.0
    assert 1e4 <= gb.item() / gm.item() < 2e4  # "about ten thousand times"
    assert 0.9999 < mse.item() < 1.0
    assert round(s.item() * (1 - s.item()), 5) == 0.00005
    assert all("−10" in t and "0.00005" in t for t in both("quiz_q1"))
    assert all("0.00009" in t for key in ("quiz_q1_a_why", "quiz_q1_b", "quiz_q1_c_why") for t in both(key))
    assert all("0.00005" in t for key in ("quiz_q1_a_why", "quiz_q1_b_why") for t in both(key))


def test_bce_with_logits_clips_nothing():
    """Test quiz q3: BCEWithLogits is exact and finite far beyond [−10, 10] (x = ±1e4): loss |x| and gradient ±1
    when wrong, so nothing is clipped or scaled; −log σ has derivative −(1 − σ)."""
    x = torch.tensor([-1e4, 1e4, 20.0], dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64), reduction="none")
    (g,) = torch.autograd.grad(loss.sum(), x)
    assert loss[:2].tolist() == [1e4, 1e4] and g[:2].tolist() == [-1.0, 1.0]
    xs = torch.linspace(-10, 10, 101, dtype=torch.float64, requires_grad=True)
    (d,) = torch.autograd.grad((-F.logsigmoid(xs)).sum(), xs)
    torch.testing.assert_close(d, -(1 - torch.sigmoid(xs.detach())))


def test_cross_entropy_on_logits_keeps_sigma_minus_y():
    """Test the takeaway's CrossEntropyLoss: two classes with logits (0, x) give the gradient σ(x) − y on x."""
    xs = torch.linspace(-10, 10, 41, dtype=torch.float64)
    for y in (0, 1):
        logits = torch.stack([torch.zeros_like(xs), xs], dim=1).requires_grad_(True)
        loss = F.cross_entropy(logits, torch.full((len(xs),), y), reduction="sum")
        (g,) = torch.autograd.grad(loss, logits)
        torch.testing.assert_close(g[:, 1], torch.sigmoid(xs) - y)


# ------------------------------------------------------------------ the race --


@settings(max_examples=100, deadline=None)
@given(scale=st.floats(0.5, 10.0))
def test_start_is_wrong_on_half_and_scale_sets_how_confidently(scale):
    """Test that every start predicts class 1 for most class-0 points (accuracy 0.5125, "wrong on half"), whatever the
    scale, and that the scale multiplies the wrong points' logits (predict, race prose, scale_help)."""
    x, y, z = blobs_start(scale)
    acc = ((z > 0).float() == y).double().mean().item()
    assert acc == 0.5125
    assert ((z[:40] > 0).sum().item()) >= 38  # class-0 points predicted class 1
    _, _, z1 = blobs_start(1.0)
    torch.testing.assert_close(z, z1 * scale, rtol=1e-5, atol=1e-5)


def test_default_race_bce_reaches_90_percent_and_mse_does_not():
    """Test the page's default race in torch: same start and learning rate 0.5, 100 steps, scale 5 — BCEWithLogits
    ends at 0.925 accuracy (90 % first at step 60), σ + MSE at 0.5875 and never 90 % (race_summary, never, reach)."""
    x, y, _ = blobs_start(5.0)
    results = {}
    for name, objective in {"mse": lambda z: F.mse_loss(torch.sigmoid(z), y),
                            "bce": lambda z: F.binary_cross_entropy_with_logits(z, y)}.items():
        w = (torch.tensor([0.5, -0.5]) * 5.0).requires_grad_()
        b = torch.tensor(1.5 * 5.0).requires_grad_()
        opt = torch.optim.SGD([w, b], lr=0.5)
        accs = []
        for _ in range(100):
            opt.zero_grad()
            z = x @ w + b
            accs.append(((z.detach() > 0).float() == y).double().mean().item())
            objective(z).backward()
            opt.step()
        z = (x @ w + b).detach()
        results[name] = (accs, ((z > 0).float() == y).double().mean().item())
    assert results["bce"][1] == 0.925 and results["mse"][1] == 0.5875
    assert next(i for i, a in enumerate(results["bce"][0]) if a >= 0.9) == 60
    assert max(results["mse"][0]) < 0.9


def test_page_shows_torchs_numbers_in_its_sentences():
    """Test that the formatted sentences (vanish, peak, curves_summary) carry torch's numbers at x = −10, y = 1."""
    at = open_page("why_mse", "en", wm_x="-10")
    s, mse, gm, bce, gb = (v.item() for v in grads([-10.0], 1.0))
    warning = next(w.value for w in at.warning if w.value.startswith("Confidently wrong"))
    assert f"{gm:.6g}" in warning and f"{gb:.6g}" in warning and f"{abs(gm) / abs(gb):.3g}" in warning
    caption = next(c.value for c in at.caption if "pushes hardest" in c.value)
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", caption)]
    assert numbers[0] == pytest.approx(-math.log(2), abs=1e-4) and numbers[-2] == pytest.approx(-8 / 27, abs=1e-4)
