"""Claims of lesson 6 (softmax & cross-entropy), computed in real torch.

The page's controls: C = 2 … 10 classes; logits −10 … 10 (step 0.1); an index target 0 … C−1 or a
probability row with entries 0 … 1 (step 0.05); temperature T = 0.1 … 5 (step 0.1); shift −20 … 20
(step 0.5). The property tests range over all of it.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import softmax_ce
from lossviz.text.i18n import prose, translate

LANGS = ("en", "zh")
DEFAULT = [2.0, 1.0, 0.1, -1.0]


@st.composite
def sample(draw, soft=None):
    """(logits, target) as the page allows: C classes, an index or a probability row."""
    c = draw(st.integers(2, 10))
    x = [draw(st.integers(-100, 100)) / 10 for _ in range(c)]
    if soft is None:
        soft = draw(st.booleans())
    if soft:
        return x, [draw(st.integers(0, 20)) / 20 for _ in range(c)]
    return x, draw(st.integers(0, c - 1))


temperature = st.integers(1, 50).map(lambda k: k / 10)
shift = st.integers(-40, 40).map(lambda k: k / 2)


def text(key: str, lang: str = "en") -> str:
    return translate(lang, f"softmax_ce.{key}")


def tgt(target):
    return torch.tensor(target) if isinstance(target, int) else torch.tensor(target, dtype=torch.float64)


def grad(z, target):
    z = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(F.cross_entropy(z, tgt(target)), z)
    return z.detach(), g


@settings(max_examples=300, deadline=None)
@given(sample(), temperature)
def test_gradient_is_p_times_target_sum_minus_target(s, temp):
    """Test col_grad: the gradient w.r.t. z is p·Σt − t — p − onehot for an index target, and for a
    probability row that does not sum to 1 it is NOT p − t (the old column heading)."""
    x, target = s
    z, g = grad([v / temp for v in x], target)
    p = torch.softmax(z, 0)
    t = F.one_hot(torch.tensor(target), len(x)).double() if isinstance(target, int) else tgt(target)
    assert torch.allclose(g, p * t.sum() - t, rtol=1e-9, atol=1e-12)
    assert torch.allclose(g, torch.tensor(softmax_ce.softmax_view(x, target, temperature=temp).grad), rtol=1e-9, atol=1e-12)
    for lang in LANGS:
        assert "Σ" in text("col_grad", lang)


def test_unnormalised_target_gradient_is_not_p_minus_t():
    """Test the counterexample to "gradient p − target": target [0.7, 0.7, 0.7, 0.7] (sum 2.8)."""
    z, g = grad(DEFAULT, [0.7] * 4)
    assert not torch.allclose(g, torch.softmax(z, 0) - 0.7, atol=1e-3)


@settings(max_examples=300, deadline=None)
@given(sample(), temperature)
def test_gradients_sum_to_zero_and_the_most_negative_is_pushed_up(s, temp):
    """Test grad_summary: the gradients add up to 0 (even for an unnormalised row); gradient descent
    raises the logit with the most negative gradient and lowers those with a positive one; the most
    negative gradient is < 0 unless every gradient is 0."""
    x, target = s
    z, g = grad([v / temp for v in x], target)
    assert abs(g.sum().item()) <= 1e-12 * max(1.0, g.abs().sum().item())
    lo = int(torch.argmin(g))  # a descent step z − lr·g raises z[lo] exactly when g[lo] < 0
    assert g[lo] < 0 or g.abs().max() < 1e-12  # the page then shows grad_zero


@pytest.mark.parametrize("lang", LANGS)
def test_zero_gradient_gets_its_own_summary(lang):
    """Test grad_zero: with equal logits and a uniform target every gradient is 0 and the loss is at its
    minimum for that target (its entropy); with logits 0 and −37 at T = 0.1 float64 rounds p[y] to 1 and the
    gradients to 0 and 8.5e-17 (the page's threshold 1e-12): the summary says so instead of naming a
    "most negative" class."""
    z, g = grad([1.0, 1.0], [0.5, 0.5])
    assert torch.all(g == 0)
    assert F.cross_entropy(z, tgt([0.5, 0.5])).item() == pytest.approx(math.log(2))
    z, g = grad([0.0, -370.0], 0)
    assert g[0] == 0 and 0 < g.abs().max() < 1e-12
    assert F.cross_entropy(z, torch.tensor(0)).item() < 1e-12
    assert "0" in text("grad_zero", lang)


@settings(max_examples=300, deadline=None)
@given(sample(soft=False), temperature)
def test_loss_is_minus_log_p_and_logsumexp_minus_zy(s, temp):
    """Test two_routes, neg_log_p, lse_minus and the intro: for an index target CE = −log softmax(z)[y] =
    logsumexp(z) − z[y]."""
    x, y = s
    z = torch.tensor(x, dtype=torch.float64) / temp
    loss = F.cross_entropy(z, torch.tensor(y)).item()
    assert loss == pytest.approx(-math.log(torch.softmax(z, 0)[y].item()), rel=1e-9, abs=1e-12)
    assert loss == pytest.approx((torch.logsumexp(z, 0) - z[y]).item(), rel=1e-12, abs=1e-12)


def test_torch_never_takes_the_log_of_a_rounded_probability():
    """Test two_routes: where float32 rounds p[y] to 0, −log p[y] is inf but torch's CE is finite and
    equals logsumexp(z) − z[y] (the page's extreme: z = ±100 at T = 0.1)."""
    z = torch.tensor([100.0, -100.0])
    assert torch.softmax(z, 0)[1].item() == 0.0
    loss = F.cross_entropy(z, torch.tensor(1)).item()
    assert math.isfinite(loss) and loss == pytest.approx((torch.logsumexp(z, 0) - z[1]).item())


@settings(max_examples=300, deadline=None)
@given(sample(soft=True))
def test_probability_target_is_taken_as_is(s):
    """Test soft_note, unnormalised, soft_help and task t3: a probability row of the input's shape is accepted
    whatever its sum, and the loss is −Σ t_c·log p_c with the numbers given (no check, no renormalising)."""
    x, t = s
    z = torch.tensor(x, dtype=torch.float64)
    loss = F.cross_entropy(z, tgt(t)).item()
    assert loss == pytest.approx(-(tgt(t) * torch.log_softmax(z, 0)).sum().item(), rel=1e-12, abs=1e-12)
    if sum(t) > 0:
        renorm = F.cross_entropy(z, tgt(t) / sum(t)).item()
        assert loss == pytest.approx(sum(t) * renorm, rel=1e-9, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(sample(), shift)
def test_a_common_shift_changes_nothing_beyond_rounding(s, c):
    """Test shift_help, shift_note and quiz q1 (b, not a or c): adding a constant to every logit leaves the
    softmax and the loss unchanged up to float64 rounding (|Δloss| < 1e-12, the probabilities within 1e-14;
    the old text's "past the 15th digit" fails: x = [−5.9, 9], T = 2, shift 17, y = 1 differ at the 13th)."""
    x, target = s
    z = torch.tensor(x, dtype=torch.float64)
    a = F.cross_entropy(z, tgt(target)).item()
    b = F.cross_entropy(z + c, tgt(target)).item()
    assert abs(a - b) <= 1e-12 * max(1.0, abs(a))
    assert torch.allclose(torch.softmax(z, 0), torch.softmax(z + c, 0), rtol=0, atol=1e-14)


def test_shift_rounding_can_reach_the_13th_significant_digit():
    """Test shift_note's bound: the rounding of a shift can show from the 13th significant digit of a small loss."""
    z = torch.tensor([-5.9, 9.0], dtype=torch.float64) / 2.0
    a = F.cross_entropy(z, torch.tensor(1)).item()
    b = F.cross_entropy(z + 17.0, torch.tensor(1)).item()
    assert 1e-13 < abs(a - b) / a < 1e-12
    for lang in LANGS:
        assert "1e-12" in text("shift_note", lang) and "15" not in text("shift_note", lang)


def test_softmax_subtracts_the_max_so_exp_never_overflows():
    """Test shift_note: exp overflows in float32 at 89, the max-shifted softmax does not."""
    z = torch.tensor([89.0, 0.0])
    assert torch.isinf(torch.exp(z)).any()
    assert torch.allclose(torch.softmax(z, 0), torch.softmax(z - 89.0, 0))
    assert torch.isfinite(torch.softmax(z, 0)).all()


@settings(max_examples=300, deadline=None)
@given(sample(), temperature, temperature)
def test_temperature_flattens_or_sharpens(s, t1, t2):
    """Test temperature_help and temp_note: a higher T never raises the top probability nor lowers the
    bottom one (T > 1 flattens towards 1/C, T < 1 sharpens towards the largest logit)."""
    x, _ = s
    lo, hi = sorted((t1, t2))
    z = torch.tensor(x, dtype=torch.float64)
    p_lo, p_hi = torch.softmax(z / lo, 0), torch.softmax(z / hi, 0)
    assert p_hi.max() <= p_lo.max() + 1e-12 and p_hi.min() >= p_lo.min() - 1e-12


def test_temperature_extremes_and_the_loss():
    """Test quiz q3 (c, not a or b) and temp_note: a very large T gives ≈ 1/C per class; T = 0.1 puts almost
    all probability on the largest logit; dividing by T changes the default loss (a shift does not)."""
    z = torch.tensor(DEFAULT, dtype=torch.float64)
    assert torch.allclose(torch.softmax(z / 1e6, 0), torch.full((4,), 0.25, dtype=torch.float64), atol=1e-6)
    assert torch.softmax(z / 0.1, 0).max().item() > 0.9999
    y = torch.tensor(0)
    assert not math.isclose(F.cross_entropy(z / 3, y).item(), F.cross_entropy(z, y).item(), rel_tol=1e-3)
    # "generally": with equal logits T changes nothing
    assert F.cross_entropy(torch.ones(4) / 3, y).item() == pytest.approx(F.cross_entropy(torch.ones(4), y).item())


@settings(max_examples=200, deadline=None)
@given(sample(soft=False), temperature)
def test_quiz_q2_true_class_gradient_is_p_minus_1(s, temp):
    """Test quiz q2: the gradient at the true class is p[y] − 1 ≤ 0 (answer a); the other classes get p_c ≥ 0
    (b); −1/p[y] is the derivative w.r.t. the probability, not the logit (c)."""
    x, y = s
    z, g = grad([v / temp for v in x], y)
    p = torch.softmax(z, 0)
    assert g[y].item() == pytest.approx(p[y].item() - 1, abs=1e-12) and g[y] <= 0
    others = [c for c in range(len(x)) if c != y]
    assert torch.allclose(g[others], p[others]) and torch.all(g[others] >= 0)
    q = p[y].clone().requires_grad_()
    (dq,) = torch.autograd.grad(-torch.log(q), q)
    assert dq.item() == pytest.approx(-1 / p[y].item())
    if p[y] < 1 - 1e-9:
        assert not math.isclose(g[y].item(), dq.item(), rel_tol=1e-6)


def test_task_t1_loss_below_minus_log_0_9():
    """Test task_t1_done: p[y] > 0.9 means CE = −log p[y] < −log 0.9 ≈ 0.105."""
    assert -math.log(0.9) == pytest.approx(0.105, abs=5e-4)
    z = torch.tensor([3.5, 0.0, -0.5, 0.0], dtype=torch.float64)
    p = torch.softmax(z, 0)[0].item()
    assert p > 0.9 and F.cross_entropy(z, torch.tensor(0)).item() < -math.log(0.9)


def test_task_t2_high_temperature_flattens():
    """Test task_t2_done: at T ≥ 3 the default logits' largest probability is below its T = 1 value (and 0.5)."""
    z = torch.tensor(DEFAULT, dtype=torch.float64)
    assert torch.softmax(z / 3, 0).max() < min(torch.softmax(z, 0).max(), 0.5)


def test_takeaway_text_names_the_general_gradient():
    """Test softmax_ce_takeaway: it states the gradient for a target that does not sum to 1 as well."""
    for lang in LANGS:
        assert r"\sum_k t_k" in prose(lang, "softmax_ce_takeaway")
