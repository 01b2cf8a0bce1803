"""Claims of lesson 7 (CrossEntropy vs BCE on the same tensor), computed in real torch.

The page's controls: pred 0 … 1 (step 0.01) and label 0 … 1 (step 0.1), three of each (float32, as
seed 002); the bridge's logits a, b −10 … 10 (step 0.1) and the true class 0 or 1 (float64).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import ce_vs_bce
from lossviz.text.i18n import translate

LANGS = ("en", "zh")
PRED = torch.tensor([0.8, 0.2, 0.4])
LABEL = torch.tensor([1.0, 0.0, 0.0])
preds = st.lists(st.integers(0, 100).map(lambda k: k / 100), min_size=3, max_size=3)
labels = st.lists(st.integers(0, 10).map(lambda k: k / 10), min_size=3, max_size=3)
logit = st.integers(-100, 100).map(lambda k: k / 10)


def text(key: str, lang: str = "en") -> str:
    return translate(lang, f"ce_vs_bce.{key}")


def test_seed_002_numbers():
    """Test the teaser, the intro and quiz q1: BCELoss = 0.3190375864505768 = mean(−log 0.8, −log 0.8, −log 0.6),
    CrossEntropyLoss = 0.7971159815788269 = −log softmax(pred)[0], and softmax(pred)[0] ≈ 0.4506."""
    bce = torch.nn.BCELoss()(PRED, LABEL).item()
    ce = torch.nn.CrossEntropyLoss()(PRED, LABEL).item()
    assert bce == 0.3190375864505768 and ce == 0.7971159815788269
    assert round(bce, 4) == 0.3190 and round(ce, 4) == 0.7971 and round(ce, 3) == 0.797 and round(bce, 3) == 0.319
    assert bce == pytest.approx((-math.log(0.8) * 2 - math.log(0.6)) / 3, rel=1e-6)
    sm0 = torch.softmax(PRED, 0)[0].item()
    assert round(sm0, 4) == 0.4506 and round(sm0, 2) == 0.45
    assert ce == pytest.approx(-math.log(sm0), rel=1e-6)


@settings(max_examples=300, deadline=None)
@given(preds, labels)
def test_bce_reads_independent_probabilities(p, y):
    """Test step1: BCELoss charges −[y·log p + (1 − y)·log(1 − p)] per element (each clamped at −100) and averages."""
    pt, yt = torch.tensor(p), torch.tensor(y)
    per = -(yt * torch.clamp(torch.log(pt), min=-100) + (1 - yt) * torch.clamp(torch.log1p(-pt), min=-100))
    assert torch.allclose(F.binary_cross_entropy(pt, yt, reduction="none"), per, rtol=1e-5, atol=1e-5)
    assert F.binary_cross_entropy(pt, yt).item() == pytest.approx(per.mean().item(), rel=1e-5, abs=1e-5)


@settings(max_examples=300, deadline=None)
@given(preds, labels)
def test_ce_reads_pred_as_logits_of_one_sample(p, y):
    """Test step2 – step4: equal shapes are probability targets; CE reads pred as the logits of one 3-class sample:
    CE = −Σ label·log softmax(pred) = logsumexp(pred)·Σ label − Σ label·pred (what the lesson model computes)."""
    pt, yt = torch.tensor(p), torch.tensor(y)
    ce = F.cross_entropy(pt, yt).item()
    assert ce == pytest.approx(F.cross_entropy(pt[None], yt[None]).item(), rel=1e-6, abs=1e-6)
    assert ce == pytest.approx(-(yt * torch.log_softmax(pt, 0)).sum().item(), rel=1e-5, abs=1e-5)
    assert ce == pytest.approx((torch.logsumexp(pt, 0) * yt.sum() - (yt * pt).sum()).item(), rel=1e-5, abs=1e-5)
    v = ce_vs_bce.ce_vs_bce_view(p, y)
    assert float(v.ce) == pytest.approx(ce, rel=1e-6, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(preds)
def test_with_label_100_ce_is_index_0_and_softmax_stays_far_from_1(p):
    """Test step4 and seed_summary: with label [1, 0, 0] CE = −log softmax(pred)[0] = F.cross_entropy(pred, 0);
    softmax(pred) sums to 1 and, for pred in [0, 1], never exceeds e / (e + 2) ≈ 0.576."""
    pt = torch.tensor(p)
    assert F.cross_entropy(pt, LABEL).item() == pytest.approx(F.cross_entropy(pt, torch.tensor(0)).item(), rel=1e-6)
    sm = torch.softmax(pt, 0)
    assert sm.sum().item() == pytest.approx(1.0, abs=1e-6)
    assert sm.max().item() <= math.e / (math.e + 2) + 1e-6


@settings(max_examples=300, deadline=None)
@given(preds)
def test_task_t1_ce_never_below_0_551(p):
    """Test task_t1_done: with label [1, 0, 0] and pred in [0, 1] the smallest CE is at pred = [1, 0, 0],
    −log(e / (e + 2)) ≈ 0.551 — never 0."""
    best = -math.log(math.e / (math.e + 2))
    assert round(best, 3) == 0.551
    assert F.cross_entropy(torch.tensor(p), LABEL).item() >= best - 1e-6
    assert F.cross_entropy(torch.tensor([1.0, 0.0, 0.0]), LABEL).item() == pytest.approx(best, rel=1e-6)


@settings(max_examples=200, deadline=None)
@given(preds, labels)
def test_softmax_competes_sigmoids_do_not(p, y):
    """Test multi_intro and multi_summary: CE's softmax over the row sums to 1; BCEWithLogits applies one sigmoid
    per entry (its per-element loss depends only on that entry)."""
    pt, yt = torch.tensor(p), torch.tensor(y)
    assert torch.softmax(pt, 0).sum().item() == pytest.approx(1.0, abs=1e-6)
    per = F.binary_cross_entropy_with_logits(pt, yt, reduction="none")
    for i in range(3):
        assert per[i].item() == pytest.approx(F.binary_cross_entropy_with_logits(pt[i:i + 1], yt[i:i + 1]).item(), rel=1e-6)


@settings(max_examples=300, deadline=None)
@given(logit, logit, st.sampled_from([0, 1]))
def test_bridge_two_class_ce_is_bce_with_logits_on_the_difference(a, b, y):
    """Test bridge_intro, bridge_summary, bridge_diff and quiz q3 (b): softmax(a, b)[1] = σ(b − a) and
    CE([a, b], y) = BCEWithLogits(b − a, y) up to float64 rounding in the last digits; the curves coincide."""
    ab = torch.tensor([a, b], dtype=torch.float64)
    d = torch.tensor(b - a, dtype=torch.float64)
    ce = F.cross_entropy(ab, torch.tensor(y)).item()
    bcel = F.binary_cross_entropy_with_logits(d, torch.tensor(float(y), dtype=torch.float64)).item()
    # CE = logsumexp([a, b]) − x_y rounds at the size of the logits, not of the (possibly tiny) loss
    tol = 8 * torch.finfo(torch.float64).eps * max(1.0, abs(a), abs(b))
    assert abs(ce - bcel) <= tol
    assert torch.softmax(ab, 0)[1].item() == pytest.approx(torch.sigmoid(d).item(), rel=1e-12, abs=1e-300)
    v = ce_vs_bce.bridge_view(a, b, y)
    assert abs(float(v.diff)) <= tol
    assert torch.allclose(torch.tensor(v.ce_curve), torch.tensor(v.bcel_curve), rtol=1e-12, atol=1e-14)


@settings(max_examples=200, deadline=None)
@given(logit, logit, logit, st.sampled_from([0, 1]))
def test_bridge_only_the_difference_matters(a, b, c, y):
    """Test bridge_intro and quiz q3 (a is a shift, which CE ignores): CE([a + c, b + c], y) = CE([a, b], y)."""
    ab = torch.tensor([a, b], dtype=torch.float64)
    assert F.cross_entropy(ab + c, torch.tensor(y)).item() == pytest.approx(F.cross_entropy(ab, torch.tensor(y)).item(), rel=1e-9, abs=1e-12)


def test_quiz_q3_distractors_are_not_the_bridge():
    """Test quiz q3: BCEWithLogits on a + b (a) and on σ(b) − σ(a) (c) differ from 2-class CE at a = 0.5, b = 2."""
    a, b = 0.5, 2.0
    ce = F.cross_entropy(torch.tensor([a, b], dtype=torch.float64), torch.tensor(1)).item()
    one = torch.tensor(1.0, dtype=torch.float64)
    for z in (a + b, torch.sigmoid(torch.tensor(b)).item() - torch.sigmoid(torch.tensor(a)).item()):
        assert not math.isclose(F.binary_cross_entropy_with_logits(torch.tensor(z, dtype=torch.float64), one).item(), ce, rel_tol=1e-3)


def test_quiz_q1_distractors():
    """Test quiz q1: the CE sum over classes is not what makes 0.797 (BCE's sum is 0.957, not 0.797), and there
    is no extra term: CE = −log softmax(pred)[0] exactly."""
    bce_sum = F.binary_cross_entropy(PRED, LABEL, reduction="sum").item()
    assert not math.isclose(bce_sum, 0.7971159815788269, rel_tol=1e-2)
    assert F.cross_entropy(PRED, LABEL).item() == pytest.approx(-torch.log_softmax(PRED, 0)[0].item(), rel=1e-7)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-30, 30), min_size=3, max_size=3))
def test_quiz_q2_and_task_t3_two_true_labels(x):
    """Test quiz q2 and task_t3_done: CE with target [1, 1, 0] is −log p₀ − log p₁ ≥ 2·log 2 ≈ 1.386 (never small),
    while BCEWithLogits with the same target can fit both labels (loss → 0)."""
    z = torch.tensor(x, dtype=torch.float64)
    t = torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)
    ce = F.cross_entropy(z, t).item()
    lsm = torch.log_softmax(z, 0)
    assert ce == pytest.approx(-(lsm[0] + lsm[1]).item(), rel=1e-9, abs=1e-12)
    assert ce >= 2 * math.log(2) - 1e-12 and round(2 * math.log(2), 3) == 1.386
    assert F.binary_cross_entropy_with_logits(torch.tensor([40.0, 40.0, -40.0], dtype=torch.float64), t).item() < 1e-15


@pytest.mark.parametrize("label", [[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 0.5, 0.5], [1.0, 1.0, 1.0], [1.0, 1.0, 0.1]])
def test_task_t3_check_accepts_only_two_labels_of_1(label):
    """Test that task t3's check accepts exactly the labels its message speaks of: two entries 1, one 0."""
    assert ce_vs_bce.task_t3_done(label) == (sorted(label) == [0.0, 1.0, 1.0])


@settings(max_examples=100, deadline=None)
@given(logit, st.sampled_from([0, 1]))
def test_task_t2_equal_logits_give_log_2(a, y):
    """Test task_t2_done: with a = b, d = 0, σ(0) = 0.5 and both losses are log 2 ≈ 0.693."""
    ab = torch.tensor([a, a], dtype=torch.float64)
    assert F.cross_entropy(ab, torch.tensor(y)).item() == pytest.approx(math.log(2), rel=1e-12)
    assert F.binary_cross_entropy_with_logits(torch.tensor(0.0, dtype=torch.float64), torch.tensor(float(y), dtype=torch.float64)).item() == pytest.approx(math.log(2))
    assert torch.sigmoid(torch.tensor(0.0)).item() == 0.5 and round(math.log(2), 3) == 0.693


def test_float_target_of_input_shape_switches_to_probability_targets():
    """Test ce_vs_bce_takeaway: a float target of the input's shape makes CE read probability targets (no error);
    the same labels as indices give the same loss only when the rows are one-hot."""
    x = torch.tensor([[0.8, 0.2, 0.4], [0.1, 0.9, 0.3]])
    soft = torch.tensor([[0.6, 0.4, 0.0], [0.0, 1.0, 0.0]])
    assert F.cross_entropy(x, soft).item() == pytest.approx(-(soft * torch.log_softmax(x, 1)).sum(1).mean().item(), rel=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=3, max_size=3), st.lists(st.floats(-5, 5), min_size=3, max_size=3))
def test_see_entropy_kl_soft_label_floor_is_its_entropy(xs, ls):
    """Test see_entropy_kl: for a soft label q (entries in [0, 1] summing to 1) CrossEntropyLoss is never below
    H(q), and it reaches H(q) when softmax(x) = q (x = log q); above it is KL(q‖softmax(x))."""
    q = torch.softmax(torch.tensor(ls, dtype=torch.float64), 0)
    x = torch.tensor(xs, dtype=torch.float64)
    h = -(q * q.log()).sum().item()
    ce = F.cross_entropy(x, q).item()
    kl = F.kl_div(torch.log_softmax(x, 0), q, reduction="sum").item()
    assert ce >= h - 1e-12 and ce == pytest.approx(h + kl, rel=1e-9, abs=1e-12)
    assert F.cross_entropy(q.log(), q).item() == pytest.approx(h, rel=1e-9, abs=1e-12)
    assert not math.isclose(F.cross_entropy(q.log() + 0.5 * torch.tensor([1.0, -1.0, 0.0], dtype=torch.float64), q).item(), h)
