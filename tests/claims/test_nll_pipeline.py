"""Claims of lesson 14, log_softmax + NLLLoss = CrossEntropyLoss (catalog nll_pipeline, its prose, page l14),
computed in torch.

General claims ("exactly the same", "always", "between −1 and 0") are hypothesis properties over the page's whole
range: a batch of 3 × 4 logits in [−20, 20], targets 0–3 or −100, class weights 0 or in [0.001, 10], every
reduction."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import nll_pipeline as P
from lossviz.text.i18n import LOCALES, catalog
from tests.app.helpers import chart_summaries, open_page

LANGS = ("en", "zh")
LOGITS = st.lists(st.lists(st.floats(*P.X_RANGE), min_size=P.C, max_size=P.C), min_size=P.N, max_size=P.N)
TARGETS = st.lists(st.sampled_from([*range(P.C), P.IGNORE]), min_size=P.N, max_size=P.N)
# A class weight as the page's input shows it (two decimals): 0 or at least 0.001. Subnormal weights (5e-324 in a
# link) make torch's mean gradient w·(1/Σw) overflow to inf, a float64 corner no sentence is about.
WEIGHTS = st.lists(st.one_of(st.just(0.0), st.floats(1e-3, P.W_RANGE[1])), min_size=P.C, max_size=P.C)
REDUCTIONS = st.sampled_from(P.REDUCTIONS)
EPS = torch.finfo(torch.float64).eps


def both(key: str) -> list[str]:
    return [catalog(lang)[f"nll_pipeline.{key}"] for lang in LANGS]


def both_prose(name: str) -> list[str]:
    return [(LOCALES / lang / "prose" / f"{name}.md").read_text(encoding="utf-8") for lang in LANGS]


def tensors(logits, targets, weight):
    return (torch.tensor(logits, dtype=torch.float64, requires_grad=True), torch.tensor(targets),
            torch.tensor(weight, dtype=torch.float64))


def same(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Bit-for-bit equal, NaN equal to NaN."""
    return bool(torch.equal(a.isnan(), b.isnan()) and torch.equal(a.nan_to_num(0.0), b.nan_to_num(0.0)))


@settings(max_examples=100, deadline=None)
@given(logits=LOGITS, targets=TARGETS, weight=WEIGHTS, reduction=REDUCTIONS)
def test_nll_of_log_softmax_is_cross_entropy_bit_for_bit(logits, targets, weight, reduction):
    """Test that NLLLoss(log_softmax(x)) and CrossEntropyLoss(x) give the same value and the same gradient, bit for
    bit, for any batch, weights, ignored targets and reduction the page allows (title, intro, reduce_*, takeaway)."""
    x, y, w = tensors(logits, targets, weight)
    kw = {"weight": w, "reduction": reduction}
    nll = F.nll_loss(F.log_softmax(x, 1), y, **kw)
    ce = F.cross_entropy(x, y, **kw)
    (g_nll,) = torch.autograd.grad(nll.sum(), x)
    (g_ce,) = torch.autograd.grad(ce.sum(), x)
    assert same(nll.detach(), ce.detach()) and same(g_nll, g_ce)
    for text in both_prose("nll_pipeline_takeaway"):
        assert "F.nll_loss(F.log_softmax(x, 1), y)" in text and "F.cross_entropy(x, y)" in text


@settings(max_examples=100, deadline=None)
@given(logits=LOGITS, targets=TARGETS, weight=WEIGHTS)
def test_reductions_are_the_weighted_mean_the_sum_and_the_column(logits, targets, weight):
    """Test that l_n = −w[y_n]·log_softmax(x)[n, y_n] (0 when ignored), "none" is that column, "sum" is Σ l and "mean"
    is Σ l / Σ w[y] over the counted samples, in torch (col_l, reduce_mean, reduce_sum, reduce_none, quiz q1)."""
    x, y, w = tensors(logits, targets, weight)
    logp = F.log_softmax(x.detach(), 1)
    keep = y != P.IGNORE
    safe = torch.where(keep, y, 0)
    l_n = torch.where(keep, -w[safe] * logp[torch.arange(P.N), safe], 0.0)
    none = F.nll_loss(logp, y, weight=w, reduction="none")
    torch.testing.assert_close(none, l_n, rtol=0, atol=0)
    torch.testing.assert_close(F.nll_loss(logp, y, weight=w, reduction="sum"), l_n.sum(), rtol=4 * EPS, atol=1e-300)
    den = torch.where(keep, w[safe], 0.0).sum()
    torch.testing.assert_close(F.nll_loss(logp, y, weight=w), l_n.sum() / den, rtol=4 * EPS, atol=1e-300, equal_nan=True)
    assert all("Σ l / Σ w[y]" in s for s in both("reduce_mean"))


def test_all_ignored_and_zero_weights_give_nan():
    """Test that every target ignored gives NaN for "mean" and 0 for "sum", and counted weights all 0 give NaN, in both
    pipelines (all_ignored, zero_weights)."""
    x = torch.tensor(P.LOGITS, dtype=torch.float64)
    for targets, weight in (((-100, -100, -100), P.WEIGHTS), ((0, 0, 1), (0.0, 0.0, 1.0, 1.0))):
        y, w = torch.tensor(targets), torch.tensor(weight, dtype=torch.float64)
        assert F.cross_entropy(x, y, weight=w).isnan() and F.nll_loss(F.log_softmax(x, 1), y, weight=w).isnan()
    y = torch.tensor([-100, -100, -100])
    assert F.cross_entropy(x, y, reduction="sum").item() == 0.0 == F.nll_loss(F.log_softmax(x, 1), y, reduction="sum").item()
    assert all("70348" in s for s in both("all_ignored"))


@settings(max_examples=100, deadline=None)
@given(logits=LOGITS)
def test_log_softmax_is_x_minus_logsumexp_and_at_most_zero(logits):
    """Test that log_softmax(x) = x − logsumexp(x) (every class shifted by the same amount), that it is ≤ 0 and that
    its exponentials sum to 1 (intro, pipe_summary, quiz q2)."""
    x = torch.tensor(logits, dtype=torch.float64)
    logp = F.log_softmax(x, 1)
    torch.testing.assert_close(logp, x - torch.logsumexp(x, 1, keepdim=True), rtol=0, atol=64 * EPS)
    assert bool((logp <= 0).all())
    torch.testing.assert_close(logp.exp().sum(1), torch.ones(P.N, dtype=torch.float64), rtol=0, atol=8 * EPS)


@settings(max_examples=100, deadline=None)
@given(logits=LOGITS, targets=TARGETS, weight=WEIGHTS, reduction=REDUCTIONS)
def test_gradient_through_log_softmax_is_scaled_softmax_minus_onehot(logits, targets, weight, reduction):
    """Test that NLLLoss's gradient w.r.t. log_softmax is −w[y] (÷ Σ w[y] for mean) at the target and 0 elsewhere, and
    that chained through log_softmax it is w[y]·(softmax − onehot) with the same scale: each row sums to 0, ≤ 0 at the
    target and ≥ 0 elsewhere (grad_scale, grad_summary, takeaway, formula)."""
    x, y, w = tensors(logits, targets, weight)
    keep = y != P.IGNORE
    safe = torch.where(keep, y, 0)
    den = torch.where(keep, w[safe], 0.0).sum()
    if reduction == "mean" and den == 0:
        return  # 0/0: NaN gradients, the page warns (zero_weights, all_ignored)
    logp = F.log_softmax(x, 1)
    loss = F.nll_loss(logp, y, weight=w, reduction=reduction)
    g_logp, g_x = torch.autograd.grad(loss.sum(), [logp, x])
    scale = torch.where(keep, w[safe], 0.0) / (den if reduction == "mean" else 1.0)
    onehot = F.one_hot(safe, P.C).double() * keep[:, None]
    torch.testing.assert_close(g_logp, -scale[:, None] * onehot, rtol=4 * EPS, atol=1e-300)
    p = torch.softmax(x.detach(), 1)
    torch.testing.assert_close(g_x, scale[:, None] * (p - onehot) * keep[:, None], rtol=1e-12, atol=1e-14)
    assert bool((g_x.sum(1).abs() <= 1e-14 * (1 + scale)).all())
    assert bool(((g_x <= 0) | (onehot == 0)).all()) and bool(((g_x >= 0) | (onehot == 1)).all())


@settings(max_examples=100, deadline=None)
@given(logits=LOGITS, targets=TARGETS, weight=WEIGHTS, reduction=REDUCTIONS)
def test_log_softmax_twice_and_ce_on_log_softmax_change_nothing(logits, targets, weight, reduction):
    """Test that log_softmax(log_softmax(x)) equals log_softmax(x) up to float64 rounding (the page's "largest
    change"), and that NLLLoss after two log_softmax and CrossEntropyLoss on log_softmax's output give CrossEntropyLoss's
    loss (verdict_twice, verdict_ce_on_logp, twice_change, mistakes prose, quiz q2)."""
    x, y, w = tensors(logits, targets, weight)
    x = x.detach()
    logp = F.log_softmax(x, 1)
    change = (F.log_softmax(logp, 1) - logp).abs().max().item()
    assert change <= 64 * EPS * max(1.0, logp.abs().max().item())
    kw = {"weight": w, "reduction": reduction}
    right = F.cross_entropy(x, y, **kw)
    for other in (F.nll_loss(F.log_softmax(logp, 1), y, **kw), F.cross_entropy(logp, y, **kw)):
        torch.testing.assert_close(other, right, rtol=1e-12, atol=1e-12, equal_nan=True)
    assert all("log 1 = 0" in s for s in both_prose("nll_pipeline_mistakes") + both("quiz_q2_a_why"))


@settings(max_examples=100, deadline=None)
@given(logits=LOGITS, targets=TARGETS, weight=WEIGHTS)
def test_nll_on_probabilities_is_minus_p_between_minus_one_and_zero(logits, targets, weight):
    """Test that NLLLoss(softmax(x)) runs without an error and gives −w[y]·p[y] per sample (in [−w[y], 0], 0 when
    ignored), and a mean in [−1, 0] whenever Σ w[y] > 0 (verdict_on_probs, mistakes_summary, quiz q3, takeaway)."""
    x, y, w = tensors(logits, targets, weight)
    p = torch.softmax(x.detach(), 1)
    keep = y != P.IGNORE
    safe = torch.where(keep, y, 0)
    per = F.nll_loss(p, y, weight=w, reduction="none")
    torch.testing.assert_close(per, torch.where(keep, -w[safe] * p[torch.arange(P.N), safe], 0.0), rtol=0, atol=0)
    assert bool((per <= 0).all()) and bool((per >= -w[safe]).all())
    mean = F.nll_loss(p, y, weight=w)
    if torch.where(keep, w[safe], 0.0).sum() > 0:
        assert -1.0 <= mean.item() <= 0.0


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0.0, 20.0), b=st.floats(0.0, 20.0))
def test_nll_on_probabilities_gradient_fades_on_the_most_wrong(a, b):
    """Test that the gradient of NLLLoss(softmax(x)) is −p[y]·(onehot − softmax), and that it shrinks the more wrong
    the model is (the target's logit further below the others), while CrossEntropyLoss's does not (mistakes prose)."""
    grads = {}
    for gap in sorted((a, b)):
        x = torch.tensor([[-gap, 0.0, 0.0, 0.0]], dtype=torch.float64, requires_grad=True)
        p = torch.softmax(x.detach(), 1)
        (g,) = torch.autograd.grad(F.nll_loss(torch.softmax(x, 1), torch.tensor([0])), x)
        torch.testing.assert_close(g, -p[0, 0] * (F.one_hot(torch.tensor([0]), P.C).double() - p), rtol=1e-12, atol=1e-300)
        (g_ce,) = torch.autograd.grad(F.cross_entropy(x, torch.tensor([0])), x)
        grads[gap] = (g.abs().max().item(), g_ce.abs().max().item())
    (small_gap, (g1, ce1)), (big_gap, (g2, ce2)) = sorted(grads.items()) if len(grads) == 2 else [*grads.items()] * 2
    assert g2 <= g1 + 1e-15 and ce2 >= ce1 - 1e-15 and ce2 >= 0.75


def test_nll_takes_no_log_and_checks_no_values():
    """Test that NLLLoss only picks −w[y]·input[n, y]: positive numbers and numbers above 1 run silently, and
    its errors are about class indices, not values (intro, quiz q1, quiz q3_b)."""
    x = torch.tensor([[3.0, 0.5, 7.0, -2.0], [0.2, 0.3, 0.1, 0.4]], dtype=torch.float64)
    y, w = torch.tensor([2, 1]), torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    assert F.nll_loss(x, y, weight=w, reduction="none").tolist() == [-21.0, -0.6]
    assert F.nll_loss(x, y, weight=w).item() == pytest.approx((-21.0 - 0.6) / 5.0, rel=1e-15)
    with pytest.raises(IndexError, match="out of bounds"):
        F.nll_loss(x, torch.tensor([4, 0]))
    assert F.cross_entropy(x, y).item() == pytest.approx(-F.log_softmax(x, 1)[[0, 1], [2, 1]].mean().item(), rel=1e-14)


def test_page_sentences_carry_torchs_numbers():
    """Test the formatted sentences of the default page in torch: sample 0's logsumexp, log_softmax at its target and
    loss (pipe_summary), and the per-sample −p[y] beside the right losses (mistakes_summary)."""
    (pipe,) = chart_summaries(open_page("nll_pipeline", "en"))
    (mistakes,) = chart_summaries(open_page("nll_pipeline", "en", nl_view="mistakes"))
    x = torch.tensor(P.LOGITS, dtype=torch.float64)
    logp = F.log_softmax(x, 1)
    lse = torch.logsumexp(x[0], 0).item()
    assert f"x − {lse:.6g}" in pipe and f"log_softmax {logp[0, 0].item():.6g}" in pipe
    assert f"l = {-logp[0, 0].item():.6g}" in pipe
    p = torch.softmax(x, 1)[torch.arange(P.N), torch.tensor(P.TARGETS)]
    assert "[" + ", ".join(f"{-v:.4g}" for v in p.tolist()) + "]" in mistakes
