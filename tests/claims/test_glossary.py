"""Claims of the glossary's definitions, computed in real torch."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.text.i18n import translate

LANGS = ("en", "zh")
X = torch.tensor([[2.0, 0.5, -1.0], [0.2, 1.5, 0.3], [-0.5, 0.1, 2.2], [1.0, 1.0, 0.0]], dtype=torch.float64)
Y = torch.tensor([0, 1, 2, 1])
W = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)


def text(key: str, lang: str = "en") -> str:
    return translate(lang, f"glossary.{key}")


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-6, 1 - 1e-6))
def test_logit_is_the_log_odds_inverse_of_sigmoid(p):
    """Test def_logit: the logit of p is log(p / (1 − p)) (torch.logit), and σ turns it back into p."""
    t = torch.tensor(p, dtype=torch.float64)
    x = torch.logit(t)
    assert x.item() == pytest.approx(math.log(p / (1 - p)), rel=1e-9, abs=1e-12)
    assert torch.sigmoid(x).item() == pytest.approx(p, rel=1e-9)
    assert "log(p / (1 − p))" in text("def_logit") and "log(p / (1 − p))" in text("def_logit", "zh")


def test_sigmoid_range_and_centre():
    """Test def_sigmoid: σ(x) = 1 / (1 + e^(−x)), σ(0) = 0.5, values in (0, 1) for moderate x."""
    x = torch.linspace(-30, 30, 121, dtype=torch.float64)
    assert torch.allclose(torch.sigmoid(x), 1 / (1 + torch.exp(-x)))
    assert torch.sigmoid(torch.tensor(0.0)).item() == 0.5
    assert torch.all((torch.sigmoid(x) > 0) & (torch.sigmoid(x) < 1))


def test_softmax_sums_to_one_and_is_exp_over_sum():
    """Test def_softmax: exp(x_c) / Σ exp(x_k), C probabilities that sum to 1."""
    p = torch.softmax(X, 1)
    assert torch.allclose(p, torch.exp(X) / torch.exp(X).sum(1, keepdim=True))
    assert torch.allclose(p.sum(1), torch.ones(4, dtype=torch.float64))


def test_bce_wants_probabilities_ce_and_bce_with_logits_take_logits():
    """Test def_probability and def_bce: BCELoss rejects inputs outside [0, 1] and computes
    −[y·log p + (1 − y)·log(1 − p)]; BCEWithLogitsLoss takes the logit; CE takes any real scores."""
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))
    p, y = torch.tensor([0.8, 0.3], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64)
    manual = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
    assert torch.allclose(F.binary_cross_entropy(p, y, reduction="none"), manual)
    assert torch.allclose(F.binary_cross_entropy_with_logits(torch.logit(p), y, reduction="none"), manual)
    assert math.isfinite(F.cross_entropy(torch.tensor([[-7.0, 12.0]]), torch.tensor([0])).item())


def test_cross_entropy_is_log_softmax_then_nll():
    """Test def_cross_entropy and def_nll: CE = −log softmax(x)[y] = NLLLoss(log_softmax(x))."""
    ce = F.cross_entropy(X, Y, reduction="none")
    assert torch.allclose(ce, -torch.log_softmax(X, 1)[range(4), Y])
    assert torch.allclose(ce, F.nll_loss(torch.log_softmax(X, 1), Y, reduction="none"))


def test_gradients_sigma_minus_y_and_softmax_minus_onehot():
    """Test def_gradient: d BCEWithLogits / dx = σ(x) − y; d CE / dx = softmax(x) − onehot(y) (per element, sum)."""
    x = torch.tensor([1.3, -0.4], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0], dtype=torch.float64)
    (g,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(x, y, reduction="sum"), x)
    assert torch.allclose(g, torch.sigmoid(x) - y)
    z = X.clone().requires_grad_()
    (g,) = torch.autograd.grad(F.cross_entropy(z, Y, reduction="sum"), z)
    assert torch.allclose(g, torch.softmax(X, 1) - F.one_hot(Y, 3))


def test_log_sum_exp_with_the_max_shift():
    """Test def_log_sum_exp and def_underflow_overflow: m + log Σ exp(x − m) equals torch.logsumexp where the
    naive log Σ exp(x) overflows (exp(89) is inf in float32)."""
    x = torch.tensor([89.0, 88.0, 1.0])
    assert torch.isinf(torch.exp(torch.tensor(89.0)))
    assert torch.isinf(torch.log(torch.exp(x).sum()))
    m = x.max()
    assert (m + torch.log(torch.exp(x - m).sum())).item() == pytest.approx(torch.logsumexp(x, 0).item())
    assert torch.exp(torch.tensor(-104.0)).item() == 0.0  # underflow: rounds to 0


@settings(max_examples=200, deadline=None)
@given(st.floats(-50, 50), st.floats(0, 1))
def test_softplus_is_minus_log_sigmoid_and_builds_bce_with_logits(x, y):
    """Test def_softplus: log(1 + e^x) = −log σ(−x), and BCEWithLogits(x, y) = y·softplus(−x) + (1 − y)·softplus(x)."""
    t = torch.tensor(x, dtype=torch.float64)
    assert F.softplus(t).item() == pytest.approx(math.log1p(math.exp(x)), rel=1e-9)
    assert F.softplus(t).item() == pytest.approx(-torch.log(torch.sigmoid(-t)).item(), rel=1e-9, abs=1e-15)
    want = y * F.softplus(-t) + (1 - y) * F.softplus(t)
    got = F.binary_cross_entropy_with_logits(t, torch.tensor(y, dtype=torch.float64))
    assert got.item() == pytest.approx(want.item(), rel=1e-9, abs=1e-12)


def test_saturation_at_both_ends():
    """Test def_saturation and def_dtype: in float32 σ(x) is exactly 1 from x = 16.6355 (log(1 − σ) = −inf) and
    exactly 0 from x = −88.73 down (log σ = −inf); the gradient through σ is 0 there; where it happens depends on
    the dtype (float16 saturates at 8.32)."""
    hi, lo = torch.tensor(16.64), torch.tensor(-88.73)
    assert torch.sigmoid(hi).item() == 1.0 and torch.isinf(torch.log(1 - torch.sigmoid(hi)))
    assert torch.sigmoid(lo).item() == 0.0 and torch.isinf(torch.log(torch.sigmoid(lo)))
    for v in (hi, lo):
        v = v.clone().requires_grad_()
        (g,) = torch.autograd.grad(torch.sigmoid(v), v)
        assert g.item() == 0.0
    assert torch.sigmoid(torch.tensor(8.3203125, dtype=torch.float16)).item() == 1.0
    assert torch.sigmoid(torch.tensor(8.3203125)).item() < 1.0
    for lang in LANGS:
        assert "log σ" in text("def_saturation", lang)


def test_reduction_mean_divides_by_numel_or_by_target_weights_of_counted_targets():
    """Test def_reduction: mean = sum / numel for BCE; for CE with index targets it is Σ w[yₙ]·lₙ / Σ w[yₙ] over
    the targets that are not ignore_index, and without weights sum / (their count), not / N."""
    p = torch.tensor([[0.2, 0.9], [0.6, 0.4]], dtype=torch.float64)
    yb = torch.tensor([[0.0, 1.0], [1.0, 1.0]], dtype=torch.float64)
    assert F.binary_cross_entropy(p, yb).item() == pytest.approx(F.binary_cross_entropy(p, yb, reduction="sum").item() / 4)
    y = torch.tensor([0, -100, 2, 1])
    total = F.cross_entropy(X, y, weight=W, reduction="sum")
    assert F.cross_entropy(X, y, weight=W).item() == pytest.approx((total / W[y[y != -100]].sum()).item())
    assert F.cross_entropy(X, y).item() == pytest.approx(F.cross_entropy(X, y, reduction="sum").item() / 3)
    assert F.cross_entropy(X, y).item() != pytest.approx(F.cross_entropy(X, y, reduction="sum").item() / 4)
    for lang in LANGS:
        assert "Σ w[yₙ]" in text("def_reduction", lang) and "ignore_index" in text("def_reduction", lang)


def test_probability_target_mean_divides_by_rows_including_extra_dims():
    """Test def_probability_target: with probability targets mean divides by N for (N, C), by N·d for (N, C, d),
    and never by a sum of weights."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 5, generator=g, dtype=torch.float64)
    t = torch.softmax(torch.randn(2, 3, 5, generator=g, dtype=torch.float64), 1)
    assert F.cross_entropy(x, t).item() == pytest.approx(F.cross_entropy(x, t, reduction="sum").item() / 10)
    hot = F.one_hot(Y, 3).double()
    assert F.cross_entropy(X, hot, weight=W).item() == pytest.approx(F.cross_entropy(X, hot, weight=W, reduction="sum").item() / 4)
    for lang in LANGS:
        assert "N·d₁⋯d_k" in text("def_probability_target", lang)


def test_weight_per_element_for_bce_per_class_for_ce_broadcast_from_the_right():
    """Test def_weight and def_broadcasting: a (3,) BCE weight on a (2, 3) input scales the columns; a CE weight
    has one entry per class; (C, 1, 1) broadcasts against (N, C, H, W), (C,) does not (it lines up with W)."""
    p = torch.full((2, 3), 0.3, dtype=torch.float64)
    yb = torch.ones(2, 3, dtype=torch.float64)
    w = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    assert torch.allclose(F.binary_cross_entropy(p, yb, weight=w, reduction="none"), w * F.binary_cross_entropy(p, yb, reduction="none"))
    assert F.cross_entropy(X, Y, weight=W, reduction="none")[1].item() == pytest.approx(2.0 * F.cross_entropy(X, Y, reduction="none")[1].item())
    assert torch.broadcast_shapes((3, 1, 1), (2, 3, 4, 5)) == (2, 3, 4, 5)
    with pytest.raises(RuntimeError):
        torch.broadcast_shapes((3,), (2, 3, 4, 5))


def test_pos_weight_multiplies_only_the_positive_term():
    """Test def_pos_weight: BCEWithLogits with pos_weight p is p·y·(−log σ(x)) + (1 − y)·(−log(1 − σ(x))); BCELoss
    has no pos_weight; the docs' 100 positives and 300 negatives give pos_weight 3 (negatives / positives)."""
    x = torch.tensor([0.3, -1.2], dtype=torch.float64)
    y = torch.tensor([0.7, 0.2], dtype=torch.float64)
    pw = torch.tensor(3.0, dtype=torch.float64)
    want = pw * y * F.softplus(-x) + (1 - y) * F.softplus(x)
    assert torch.allclose(F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction="none"), want)
    with pytest.raises(TypeError):
        F.binary_cross_entropy(torch.sigmoid(x), y, pos_weight=pw)
    assert 300 / 100 == 3


def test_targets_soft_for_bce_index_or_rows_for_ce():
    """Test def_target and def_soft_target: BCELoss accepts soft targets in [0, 1] (0.9) and rejects 1.2; CE takes a
    class index (torch.long, shape (N) for (N, C) logits) or a probability row of the input's shape."""
    assert math.isfinite(F.binary_cross_entropy(torch.tensor([0.4]), torch.tensor([0.9])).item())
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([0.4]), torch.tensor([1.2]))
    assert F.cross_entropy(X, Y).item() == pytest.approx(F.cross_entropy(X, F.one_hot(Y, 3).double()).item())
    with pytest.raises(RuntimeError, match="Long or Byte"):
        F.cross_entropy(X, Y.double())


def test_classes_numbered_from_0_and_one_hot():
    """Test def_class, def_class_index and def_one_hot: classes are 0 … C−1 (index C raises), class 2 is the third,
    and class 2 of 4 is [0, 0, 1, 0]."""
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(X, torch.tensor([0, 1, 3, 1]))
    assert F.one_hot(torch.tensor(2), 4).tolist() == [0, 0, 1, 0]
    assert F.cross_entropy(X, torch.tensor([2, 2, 2, 2]), reduction="none")[0].item() == pytest.approx(-torch.log_softmax(X[0], 0)[2].item())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-30, 30), min_size=3, max_size=3))
def test_multi_label_needs_bce_multi_class_ce(x):
    """Test def_multi_label and def_multi_class: with two true labels CE's loss never falls below 2·log 2 (the
    classes compete), while BCEWithLogits can approach 0."""
    z = torch.tensor(x, dtype=torch.float64)
    t = torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)
    assert F.cross_entropy(z, t).item() >= 2 * math.log(2) - 1e-12
    assert F.binary_cross_entropy_with_logits(torch.tensor([40.0, 40.0, -40.0], dtype=torch.float64), t).item() < 1e-15


def test_ignore_index_default_and_all_ignored_nan():
    """Test def_ignore_index: the default is −100, that target is skipped, and all ignored gives a NaN mean."""
    y = torch.tensor([0, -100, 2, 1])
    assert F.cross_entropy(X, y, reduction="none")[1].item() == 0.0
    assert math.isnan(F.cross_entropy(X, torch.full((4,), -100)).item())


def test_label_smoothing_target_and_finite_optimum():
    """Test def_label_smoothing: torch trains toward (1 − ε)·onehot + ε/C, and the best logits are finite (the
    gradient vanishes at log of that target), so the model is not pushed to infinite confidence."""
    eps = 0.1
    t = (1 - eps) * F.one_hot(torch.tensor(0), 3).double() + eps / 3
    assert F.cross_entropy(X[:1], Y[:1], label_smoothing=eps).item() == pytest.approx(F.cross_entropy(X[:1], t[None]).item())
    z = torch.log(t).requires_grad_()
    (g,) = torch.autograd.grad(F.cross_entropy(z[None], torch.tensor([0]), label_smoothing=eps), z)
    assert g.abs().max().item() < 1e-12 and torch.isfinite(z).all()


def test_optimizer_step_is_theta_minus_lr_grad():
    """Test def_optimizer_step: one SGD step is θ ← θ − lr·∇loss."""
    theta = torch.tensor([1.0, -2.0], requires_grad=True)
    opt = torch.optim.SGD([theta], lr=0.1)
    loss = (theta ** 2).sum()
    loss.backward()
    want = theta.detach() - 0.1 * theta.grad
    opt.step()
    assert torch.allclose(theta.detach(), want)


def test_autocast_bce_refusal_text_is_torchs():
    """Test def_autocast: the refusal of BCELoss under CUDA autocast is in this torch build, and CPU autocast runs
    matmuls in bfloat16 automatically."""
    from pathlib import Path

    lib = next((Path(torch.__file__).parent / "lib").glob("libtorch_cpu.so*"))
    assert b"are unsafe to autocast" in lib.read_bytes()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16


def test_dtype_mantissa_decides_saturation_not_the_bit_count():
    """Test def_dtype: float16 and bfloat16 both have 16 bits but σ saturates at different points — float16 at
    8.3203125, bfloat16 at 6.25 (the old text, "how many bits a number has", could not tell them apart)."""
    assert torch.finfo(torch.float16).bits == torch.finfo(torch.bfloat16).bits == 16
    assert torch.sigmoid(torch.tensor(6.25, dtype=torch.bfloat16)).item() == 1.0
    assert torch.sigmoid(torch.tensor(6.25, dtype=torch.float16)).item() < 1.0
    assert torch.sigmoid(torch.tensor(8.3203125, dtype=torch.float16)).item() == 1.0
    assert torch.sigmoid(torch.tensor(8.3125, dtype=torch.float16)).item() < 1.0
    for lang in LANGS:
        assert "6.25" in text("def_dtype", lang) and "8.32" in text("def_dtype", lang)


def test_threshold_half_is_logit_zero():
    """Test def_threshold: σ(x) > 0.5 exactly when the logit x > 0."""
    x = torch.linspace(-3, 3, 61, dtype=torch.float64)
    assert torch.equal(torch.sigmoid(x) > 0.5, x > 0)
