"""Claims of lesson 12, Entropy, cross-entropy, KL (catalog entropy_kl, its prose, page l12), computed in torch.

General claims ("always adds up", "cannot reach 0", "never negative", "same gradient") are hypothesis properties
over the page's whole range: C in [2, 6], logits in [−10, 10], target entries in [0, 1] (made a distribution, as
the page does), N in [1, 16], ε in [0, 0.5], T in [1, 10]."""

from __future__ import annotations

import math
import warnings

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lossviz.core.divergence import KL_MEAN_WARNING
from lossviz.lessons import entropy_kl as E
from lossviz.text.i18n import LOCALES, catalog

LANGS = ("en", "zh")
LOGIT = st.floats(-10.0, 10.0, allow_nan=False)
ENTRY = st.floats(0.0, 1.0, allow_nan=False)


def both(key: str) -> list[str]:
    return [catalog(lang)[f"entropy_kl.{key}"] for lang in LANGS]


def both_prose(name: str) -> list[str]:
    return [(LOCALES / lang / "prose" / f"{name}.md").read_text(encoding="utf-8") for lang in LANGS]


@st.composite
def sample(draw, soft_only: bool = False):
    """Logits and a target as the page's controls allow them: C in [2, 6], the entries made a distribution."""
    c = draw(st.integers(2, 6))
    x = draw(st.lists(LOGIT, min_size=c, max_size=c))
    raw = draw(st.lists(ENTRY, min_size=c, max_size=c))
    s = sum(raw)
    y = [v / s for v in raw] if s > 0 else [1.0 / c] * c
    if soft_only:
        assume(max(y) < 1.0 - 1e-6)
    return torch.tensor([x], dtype=torch.float64), torch.tensor([y], dtype=torch.float64)


def parts(x, y):
    """(H(y), KL(y‖p) by kl_div batchmean, CE by cross_entropy with the probability target), in torch."""
    kl = TF.kl_div(TF.log_softmax(x, 1), y, reduction="batchmean")
    return torch.special.entr(y).sum().item(), kl.item(), TF.cross_entropy(x, y).item()


# --------------------------------------------------------------- H + KL = CE --


@settings(max_examples=400, deadline=None)
@given(s=sample())
def test_cross_entropy_always_adds_up_to_entropy_plus_kl(s):
    """Test, over the whole control range, that F.cross_entropy = H(y) + F.kl_div(log_softmax, batchmean) up to
    float64 rounding, that KL is never negative, and so CE ≥ H(y) (intro, split_summary, gap, soft_summary, formulas)."""
    x, y = s
    h, kl, ce = parts(x, y)
    assert abs(ce - (h + kl)) <= 1e-12 * max(1.0, ce)
    assert kl >= -1e-15 and ce >= h - 1e-12
    assert abs(E.split(x[0].tolist(), y[0].tolist()).gap) <= 1e-12 * max(1.0, ce)


@settings(max_examples=300, deadline=None)
@given(s=sample(soft_only=True))
def test_a_soft_target_cannot_reach_zero(s):
    """Test that for every target the controls allow that is not one-hot, H(y) > 0, so no logits (in the slider
    range or beyond) bring the loss to 0; the floor H(y) is reached where p = y (floor, intro, takeaway)."""
    x, y = s
    h, _, ce = parts(x, y)
    assert h > 0 and ce >= h - 1e-12
    y_pos = (y + 1e-3) / (y + 1e-3).sum()  # logits log y give p = y (entries > 0 so the log is finite)
    h2, kl2, ce2 = parts(torch.log(y_pos), y_pos)
    assert kl2 == pytest.approx(0.0, abs=1e-14) and ce2 == pytest.approx(h2, rel=1e-13)


@settings(max_examples=300, deadline=None)
@given(c=st.integers(2, 6), k=st.integers(0, 5), x=st.lists(LOGIT, min_size=6, max_size=6))
def test_one_hot_floor_is_zero_but_finite_logits_stay_above(c, k, x):
    """Test that for a one-hot y, H(y) = 0 and the loss is all KL, and that in the slider range it stays above 0
    (floor_hard)."""
    k = k % c
    xt = torch.tensor([x[:c]], dtype=torch.float64)
    y = TF.one_hot(torch.tensor([k]), c).double()
    h, kl, ce = parts(xt, y)
    assert h == 0.0 and ce > 0 and kl == pytest.approx(ce, rel=1e-12)
    big = torch.zeros(1, c, dtype=torch.float64)
    big[0, k] = 20.0  # the true logit ahead by more and more: the loss shrinks towards 0
    smaller = torch.zeros(1, c, dtype=torch.float64)
    smaller[0, k] = 10.0
    assert 0 < parts(big, y)[2] < parts(smaller, y)[2]


def test_default_target_floor_is_about_0_8():
    """Test the intro's "never goes below 0.8": the default target [0.7, 0.2, 0.1, 0] has H(y) ≈ 0.802."""
    h = torch.special.entr(torch.tensor(E.TARGET[:4], dtype=torch.float64)).sum().item()
    assert 0.8 < h < 0.81
    assert all("0.8" in s for s in both_prose("entropy_kl_intro"))


def test_floor_is_not_reachable_when_p_differs_from_y():
    """Test that KL(y‖p) > 0 whenever p ≠ y (KL is 0 only at p = y): random pairs in torch."""
    gen = torch.Generator().manual_seed(0)
    for _ in range(200):
        x = torch.randn(1, 4, generator=gen, dtype=torch.float64) * 3
        y = torch.softmax(torch.randn(1, 4, generator=gen, dtype=torch.float64) * 3, 1)
        _, kl, _ = parts(x, y)
        assert kl > 0


# ------------------------------------------------------------ the mean trap --


@settings(max_examples=200, deadline=None)
@given(s=sample(), n=st.integers(1, 16))
def test_mean_divides_by_n_times_c(s, n):
    """Test that for N copies of any sample, "sum" = N·KL, "batchmean" = KL per sample, "mean" = Σ / (N·C) =
    KL / C, and that torch warns about "mean" in the words lossviz shows (trap, means_*, trap prose, torch_warns)."""
    x, y = s
    c = x.shape[1]
    logp, yb = TF.log_softmax(x, 1).repeat(n, 1), y.repeat(n, 1)
    _, kl, _ = parts(x, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mean = TF.kl_div(logp, yb, reduction="mean").item()
    assert [str(w.message) for w in caught] == [KL_MEAN_WARNING]
    assert TF.kl_div(logp, yb, reduction="batchmean").item() == pytest.approx(kl, rel=1e-12, abs=1e-15)
    assert TF.kl_div(logp, yb, reduction="sum").item() == pytest.approx(n * kl, rel=1e-12, abs=1e-14)
    assert mean == pytest.approx(kl / c, rel=1e-12, abs=1e-15)
    r = E.reductions(x[0].tolist(), y[0].tolist(), n)
    if r.values["batchmean"] > 1e-12:
        assert r.factor == pytest.approx(c, rel=1e-9)


def test_probabilities_as_input_run_silently_and_give_no_kl():
    """Test quiz q3 and means_probs: F.kl_div(p, y) raises nothing, is not KL(y‖p), and is negative for the page's
    default sample; torch does not take the log itself (its result equals Σ y (log y − p))."""
    x = torch.tensor([E.LOGITS[:4]], dtype=torch.float64)
    y = torch.tensor([E.TARGET[:4]], dtype=torch.float64)
    p = torch.softmax(x, 1)
    wrong = TF.kl_div(p, y, reduction="batchmean").item()
    _, kl, _ = parts(x, y)
    assert wrong < 0 < kl
    assert wrong == pytest.approx((-torch.special.entr(y) - y * p).sum().item(), rel=1e-12)


def test_quiz_q2_batch_of_16_over_10_classes():
    """Test quiz q2: a batch 16 × 10 whose "mean" is 0.05 has KL per sample 0.5 ("batchmean"), not 0.05 or 0.8;
    0.8 is the sum divided by 10."""
    gen = torch.Generator().manual_seed(1)
    logp = TF.log_softmax(torch.randn(16, 10, generator=gen, dtype=torch.float64), 1)
    y = torch.softmax(torch.randn(16, 10, generator=gen, dtype=torch.float64), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mean = TF.kl_div(logp, y, reduction="mean")
    scale = 0.05 / mean  # scaling every element's contribution scales every reduction alike
    bm = TF.kl_div(logp, y, reduction="batchmean") * scale
    total = TF.kl_div(logp, y, reduction="sum") * scale
    assert bm.item() == pytest.approx(0.5, rel=1e-12)
    assert (total / 10).item() == pytest.approx(0.8, rel=1e-12)


def test_quiz_q1_floor_of_a_half_half_target_is_ln_2():
    """Test quiz q1: with y = [0.5, 0.5] every logit pair gives CE ≥ ln 2, equal logits give exactly ln 2 = H(y),
    confident logits give more, and ln 2 ≈ 0.693 is not 0.5."""
    y = torch.tensor([[0.5, 0.5]], dtype=torch.float64).repeat(401, 1)
    d = torch.linspace(-20, 20, 401, dtype=torch.float64)
    x = torch.stack([d, torch.zeros_like(d)], 1)
    ce = TF.cross_entropy(x, y, reduction="none")
    assert ce.min().item() == pytest.approx(math.log(2), rel=1e-15) and abs(d[ce.argmin()].item()) < 1e-12
    assert (ce >= math.log(2) - 1e-15).all() and ce[-1].item() > 10
    assert round(math.log(2), 3) == 0.693


# --------------------------------------------------------- softened targets --


@settings(max_examples=200, deadline=None)
@given(s=sample(), k=st.integers(0, 5), eps=st.integers(0, 50).map(lambda i: i / 100))  # the slider: steps of 0.01
def test_label_smoothing_is_cross_entropy_to_the_smoothed_target(s, k, eps):
    """Test that F.cross_entropy(x, k, label_smoothing=ε) = F.cross_entropy(x, (1 − ε)·onehot(k) + ε/C) over the
    range, and that its floor H(y_ε) is > 0 for ε > 0 (soft prose, builtin, ce_smoothed, soft_summary)."""
    x, _ = s
    c = x.shape[1]
    k = k % c
    y_eps = (1 - eps) * TF.one_hot(torch.tensor([k]), c).double() + eps / c
    builtin = TF.cross_entropy(x, torch.tensor([k]), label_smoothing=eps).item()
    assert builtin == pytest.approx(TF.cross_entropy(x, y_eps).item(), rel=1e-12, abs=1e-15)
    h = torch.special.entr(y_eps).sum().item()
    assert (h > 0) == (eps > 0) and builtin >= h - 1e-12


@settings(max_examples=200, deadline=None)
@given(s=sample(), temp=st.floats(1.0, 10.0))
def test_cross_entropy_and_kl_to_a_fixed_target_have_the_same_gradient(s, temp):
    """Test that for any fixed target (here the teacher's softmax at T, and the page's target y) the cross-entropy
    and the KL differ by H(target), a constant, so their gradients in the student's logits are equal (soft_note,
    takeaway)."""
    x, y = s
    c = x.shape[1]
    y_t = torch.softmax(torch.tensor([E.TEACHER[:c]], dtype=torch.float64) / temp, 1)
    for z, target in ((x / temp, y_t), (x, y)):
        z = z.clone().requires_grad_(True)
        (g_ce,) = torch.autograd.grad(TF.cross_entropy(z, target), z)
        (g_kl,) = torch.autograd.grad(TF.kl_div(TF.log_softmax(z, 1), target, reduction="batchmean"), z)
        torch.testing.assert_close(g_ce, g_kl, rtol=1e-10, atol=1e-13)


@settings(max_examples=200, deadline=None)
@given(c=st.integers(2, 6), t1=st.floats(1.0, 10.0), t2=st.floats(1.0, 10.0), x=st.lists(LOGIT, min_size=6, max_size=6))
def test_higher_temperature_flattens_and_raises_the_floor(c, t1, t2, x):
    """Test that a higher T gives the teacher's softmax (and any logits', temperature_help) a higher entropy: a
    flatter target, a higher floor (soft prose, temperature_help)."""
    lo, hi = sorted((t1, t2))
    for logits in (torch.tensor(E.TEACHER[:c], dtype=torch.float64), torch.tensor(x[:c], dtype=torch.float64)):
        h_lo = torch.special.entr(torch.softmax(logits / lo, 0)).sum().item()
        h_hi = torch.special.entr(torch.softmax(logits / hi, 0)).sum().item()
        assert h_hi >= h_lo - 1e-12


def test_kl_gradient_shrinks_like_one_over_t_squared():
    """Test soft_note's reason for T²: the KL's gradient in the student's logits falls by 4 when T doubles (for
    large T), so T² · KL keeps its size."""
    x = torch.tensor([E.LOGITS[:4]], dtype=torch.float64)
    t = torch.tensor([E.TEACHER[:4]], dtype=torch.float64)

    def grad_norm(temp):
        z = x.clone().requires_grad_(True)
        kl = TF.kl_div(TF.log_softmax(z / temp, 1), torch.softmax(t / temp, 1), reduction="batchmean")
        return torch.autograd.grad(kl, z)[0].norm().item()

    for temp in (100.0, 200.0, 400.0):
        assert grad_norm(2 * temp) / grad_norm(temp) == pytest.approx(0.25, rel=0.01)
    scaled = [temp**2 * grad_norm(temp) for temp in (4.0, 10.0, 1000.0)]
    assert max(scaled) / min(scaled) < 1.1


def test_a_target_with_zeros_is_approached_but_not_reached():
    """Test split_summary's "ever closer": for the default y = [0.7, 0.2, 0.1, 0], logits log(y + δ) give a loss
    that falls towards H(y) as δ shrinks (KL 1e-1 → 1e-7), but stays above it: finite logits never make p_3 = 0."""
    y = torch.tensor([E.TARGET[:4]], dtype=torch.float64)
    h = torch.special.entr(y).sum().item()
    gaps = [parts(torch.log(y + d), y)[2] - h for d in (1e-1, 1e-3, 1e-6)]
    assert gaps[0] > gaps[1] > gaps[2] > 0 and gaps[2] < 1e-5
