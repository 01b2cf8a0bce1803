"""Claims of lesson 15, Reading a loss value (catalog reading_loss, its prose, page l15), computed in torch.

General claims ("whatever the target", "the same rule", "every logit is shifted") are hypothesis properties over
the page's whole range: C in [2, 1000], the wrong threshold in [−2, 2], pos_weight in [0.1, 10]."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import reading_loss as R
from lossviz.text.i18n import LOCALES, catalog
from tests.app.helpers import chart_summaries, open_page
from tests.torch_loops import reading_loss_run

LANGS = ("en", "zh")
LOGITS = [-2.1, -1.5, -0.8, -0.2, 0.1, 0.3, 0.45, 0.7, 1.2, 2.4]
LABELS = [0, 0, 1, 0, 1, 1, 1, 1, 1, 1]


def both(key: str) -> list[str]:
    return [catalog(lang)[f"reading_loss.{key}"] for lang in LANGS]


def both_prose(name: str) -> list[str]:
    return [(LOCALES / lang / "prose" / f"{name}.md").read_text(encoding="utf-8") for lang in LANGS]


def f64(v) -> torch.Tensor:
    return torch.as_tensor(v, dtype=torch.float64)


RUN: dict = {}


def run():
    if not RUN:
        RUN.update(reading_loss_run(R.toy_data(), lr=2.0, epochs=200))  # the prose's numbers, not R's
    return RUN


def calibration(z: torch.Tensor, y: torch.Tensor):
    """Per confidence bin [0.5, 0.6) … [0.9, 1.0]: (count, mean confidence, accuracy); and the mean confidence."""
    s = torch.sigmoid(z)
    conf = torch.maximum(s, 1 - s)
    hit = ((z > 0).double() == y).double()
    bins = []
    for lo in (0.5, 0.6, 0.7, 0.8, 0.9):
        m = (conf >= lo) & ((conf < lo + 0.1 - 1e-12) | (lo == 0.9))
        bins.append((int(m.sum()), conf[m].mean().item() if m.any() else math.nan, hit[m].mean().item() if m.any() else math.nan))
    return bins, conf.mean().item()


# ------------------------------------------------------------ at initialisation --


@settings(max_examples=200, deadline=None)
@given(c=st.integers(2, 1000), value=st.floats(-20, 20), target=st.data())
def test_equal_logits_give_ln_c_whatever_the_target(c, value, target):
    """Test that C equal logits give softmax 1/C and CrossEntropyLoss ln C for any target (teaser, intro, init_note)."""
    y = target.draw(st.integers(0, c - 1))
    x = torch.full((1, c), value, dtype=torch.float64)
    assert torch.allclose(torch.softmax(x, 1), torch.full((1, c), 1 / c, dtype=torch.float64))
    assert F.cross_entropy(x, torch.tensor([y])).item() == pytest.approx(math.log(c), rel=1e-12)
    assert F.cross_entropy(x, torch.tensor([y])).item() == pytest.approx(-math.log(1 / c), rel=1e-12)


def test_ln_c_reference_values():
    """Test the numbers of the prose and the quiz: ln 2 = 0.693, ln 10 = 2.303, ln 1000 = 6.908, and the table's column,
    each from torch's CrossEntropyLoss of zero logits (col_ln_c, where_*, quiz q1)."""
    ce = {c: F.cross_entropy(torch.zeros(1, c, dtype=torch.float64), torch.tensor([0])).item() for c in R.C_TABLE}
    assert [round(ce[c], 3) for c in (2, 10, 1000)] == [0.693, 2.303, 6.908]
    assert round(ce[100], 3) == 4.605 and round(ce[50257], 2) == 10.82
    assert all("0.693" in s and "2.303" in s for s in both_prose("reading_loss_intro"))
    assert all("0.693" in s and "2.303" in s and "6.908" in s for s in both("quiz_q1_c_why"))
    assert all("2.303" in s for s in both("quiz_q1_a") + both("quiz_q1_a_why"))
    assert round(math.exp(ce[10]), 9) == 10  # 2.30 is ln 10, not an error rate


@settings(max_examples=200, deadline=None)
@given(y=st.floats(0.0, 1.0))
def test_bce_at_logit_zero_is_ln_2_for_any_target(y):
    """Test that BCEWithLogitsLoss at logit 0 is ln 2 ≈ 0.693 per element for every target in [0, 1] (where_2, m_bce0,
    takeaway), so a multi-label model with C outputs starts at ln 2, not ln C."""
    loss = F.binary_cross_entropy_with_logits(f64([0.0, 0.0]), f64([y, 1 - y]), reduction="none")
    assert torch.allclose(loss, torch.full((2,), math.log(2), dtype=torch.float64), rtol=1e-12)


def test_training_starts_at_ln_2_on_both_sets():
    """Test that the run's first loss (all-zero weights) is ln 2 on the training and the validation set (training prose)."""
    r = run()
    assert r["train_loss"][0] == pytest.approx(math.log(2), rel=1e-15) and r["val_loss"][0] == pytest.approx(math.log(2), rel=1e-15)


# ------------------------------------------------------------ logits → predictions --


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-50, 50), cut=st.floats(-2.0, 2.0))
def test_cutting_the_logit_is_cutting_sigma_at_sigma_of_the_cut(x, cut):
    """Test that x > 0 ⇔ σ(x) > 0.5 and x > cut ⇔ σ(x) > σ(cut) in torch float64 (threshold prose, formulas, quiz q2_b_why,
    th_summary, cut_help), wherever σ does not round both to the same number."""
    sx, sc = torch.sigmoid(f64(x)).item(), torch.sigmoid(f64(cut)).item()
    if sx != sc:
        assert (x > cut) == (sx > sc)
    if sx != 0.5:
        assert (x > 0) == (sx > 0.5)


def test_sigma_of_half_and_of_point_three():
    """Test σ(0.5) ≈ 0.622 (prose, formulas) and σ(0.3) ≈ 0.574 > 0.5 (quiz q2)."""
    assert round(torch.sigmoid(f64(0.5)).item(), 3) == 0.622 and round(torch.sigmoid(f64(0.3)).item(), 3) == 0.574
    assert all("0.622" in s for s in both_prose("reading_loss_threshold"))
    assert all("0.574" in s for k in ("quiz_q2_a_why", "quiz_q2_b") for s in both(k))


@settings(max_examples=100, deadline=None)
@given(cut=st.floats(-2.0, 2.0))
def test_the_flips_are_the_logits_between_0_and_the_cut(cut):
    """Test that the predictions that change are exactly the batch's logits between 0 and the cut (cut_help, th_summary)."""
    x = f64(LOGITS)
    flipped = (x > 0) != (x > cut)
    between = ((x > min(0.0, cut)) & (x <= max(0.0, cut)))
    assert torch.equal(flipped, between)


def test_default_cut_flips_three_and_costs_accuracy():
    """Test the default view in torch: cutting at 0.5 flips 3 of 10 (0.1, 0.3, 0.45), accuracy 0.9 → 0.6 (th_summary)."""
    x, y = f64(LOGITS), torch.tensor(LABELS)
    right, wrong = (x > 0).long(), (x > 0.5).long()
    assert x[right != wrong].tolist() == [0.1, 0.3, 0.45]
    assert ((right == y).double().mean().item(), (wrong == y).double().mean().item()) == (0.9, 0.6)
    summary = chart_summaries(open_page("reading_loss", "en"))[0]
    assert "σ(x) > 0.6225" in summary and "3 of the 10" in summary and "from 0.9 (logit > 0) to 0.6" in summary


def test_the_loss_does_not_depend_on_the_threshold():
    """Test th_check: the page's torch check of the batch shows the same BCEWithLogitsLoss whatever the wrong threshold,
    torch's value for the ten logits and labels, while the accuracy at the cut changes."""
    ref = F.binary_cross_entropy_with_logits(f64(LOGITS), f64(LABELS)).item()
    seen = set()
    for cut in ("0.5", "-1.5", "2"):
        at = open_page("reading_loss", "en", rl_cut=cut)
        seen.add(next(s.value for s in at.success if f"{ref!r}" in s.value))
    assert len(seen) == 1


@settings(max_examples=200, deadline=None)
@given(x=st.lists(st.floats(-30, 30), min_size=2, max_size=8, unique=True))
def test_softmax_keeps_the_order_of_the_logits(x):
    """Test that argmax of the logits is argmax of softmax (argmax, takeaway), where the largest logit leads the
    others by more than float64 can lose in exp (1e-9)."""
    top = sorted(x)[-2:]
    if top[1] - top[0] <= 1e-9:
        return
    t = f64([x])
    assert int(t.argmax()) == int(torch.softmax(t, 1).argmax())


def test_argmax_example_numbers():
    x = f64([[1.2, 2.0, -0.5]])
    p = torch.softmax(x, 1)[0]
    assert int(p.argmax()) == 1 and [round(v, 3) for v in p.tolist()] == [0.293, 0.653, 0.054]
    at = open_page("reading_loss", "en")
    cap = next(c.value for c in at.caption if c.value.startswith("Several classes"))
    assert "class 1" in cap and f"{F.cross_entropy(x, torch.tensor([1])).item():.6g}" in cap


# ------------------------------------------------------------------ training --


def test_data_as_the_prose_says():
    """Test the set-up: 11 inputs, 40 training and 400 validation points, 3 and 45 labels flipped (training prose)."""
    rng = np.random.default_rng(0)
    n = 440
    rng.random(n)
    rng.standard_normal(n)
    rng.standard_normal((n, 10))
    flip = rng.random(n) < 0.1
    assert (int(flip[:40].sum()), int(flip[40:].sum())) == (3, 45)
    xt, yt, xv, yv = R.toy_data()
    assert xt.shape == (40, 11) and xv.shape == (400, 11)
    assert all("40" in s and "400" in s and "45" in s for s in both_prose("reading_loss_training"))


def test_model_fits_every_training_label_and_its_weights_keep_growing():
    """Test, in torch, that training accuracy reaches 1 and ‖w‖ grows every epoch (training prose)."""
    r = run()
    assert r["train_acc"][-1] == 1.0
    assert all(b > a for a, b in zip(r["norm"], r["norm"][1:], strict=False))


def test_validation_loss_and_accuracy_rise_together():
    """Test, in torch, that the validation loss is lowest at epoch 8 (0.5696, accuracy 0.735) and higher at every
    later epoch, and that at epoch 200 it is 0.9916 with accuracy 0.795 (part3, both_rise, tr_summary, quiz q3,
    predict card)."""
    r = run()
    best = int(np.argmin(r["val_loss"]))
    assert best == 8 and round(r["val_loss"][8], 4) == 0.5696 and r["val_acc"][8] == 0.735
    assert all(v > r["val_loss"][8] for v in r["val_loss"][9:])
    assert round(r["val_loss"][200], 4) == 0.9916 and r["val_acc"][200] == 0.795
    assert all("8" in s and "200" in s for s in both("quiz_q3_a_why"))


def test_shuffled_labels_drive_accuracy_to_chance():
    """Test quiz q3_b_why: with the validation labels shuffled, epoch 200's accuracy falls to about 0.5."""
    r = run()
    g = torch.Generator().manual_seed(0)
    accs = [((r["z"][200] > 0).double() == r["yv"][torch.randperm(400, generator=g)]).double().mean().item() for _ in range(20)]
    assert 0.4 < float(np.mean(accs)) < 0.6 < r["val_acc"][200]


def test_overconfidence_in_the_reliability_diagram():
    """Test, from torch's σ, that the mean confidence climbs every epoch, that at epoch 200 it is 0.946 for accuracy
    0.795, and that the four upper bins (393 of 400 points) lie below the diagonal (rel_summary, quiz q3_c_why)."""
    r = run()
    confs = [calibration(z, r["yv"])[1] for z in r["z"]]
    assert all(b > a for a, b in zip(confs, confs[1:], strict=False))
    bins, mean = calibration(r["z"][200], r["yv"])
    assert round(mean, 3) == 0.946
    assert sum(n for n, _, _ in bins[1:]) == 393
    assert all(acc < conf for _, conf, acc in bins[1:])
    early, _ = calibration(r["z"][8], r["yv"])
    ece = [sum(n / 400 * abs(a - c) for n, c, a in b if n) for b in (early, bins)]
    assert ece[1] > 2 * ece[0]


def test_page_sentences_carry_torchs_numbers():
    """Test the default page's training sentences against torch (both_rise, tr_summary, rel_summary)."""
    r = run()
    at = open_page("reading_loss", "en")
    warning = next(w.value for w in at.warning if "rose too" in w.value)
    assert f"from {r['val_loss'][8]:.4g} to {r['val_loss'][200]:.4g}" in warning
    summaries = chart_summaries(at)
    tr = next(s for s in summaries if s.startswith("The validation loss is lowest"))
    assert f"epoch 8 ({r['val_loss'][8]:.4g}, accuracy {r['val_acc'][8]:.4g}" in tr
    rel = next(s for s in summaries if s.startswith("Validation predictions"))
    _, mean = calibration(r["z"][200], r["yv"])
    assert f"it is {mean:.3g}" in rel


# ------------------------------------------------------------------ pos_weight --


@settings(max_examples=300, deadline=None)
@given(p=st.floats(0.1, 10.0), q=st.floats(0.01, 0.99))
def test_pos_weight_shifts_the_optimal_logit_by_ln_p(p, q):
    """Test that torch's gradient of BCEWithLogits(pos_weight=p) with soft target q vanishes at logit(q) + ln p, that its
    σ is above 0.5 exactly when q > 1/(1 + p), and is p/(1 + p) at q = 0.5 (pos_weight prose, tilt_summary, formulas,
    takeaway, m_q_cross, m_shift, m_sigma_half)."""
    z = (torch.logit(f64(q)) + math.log(p)).requires_grad_()
    loss = F.binary_cross_entropy_with_logits(z, f64(q), pos_weight=f64(p))
    (g,) = torch.autograd.grad(loss, z)
    assert abs(g.item()) < 1e-12
    s = torch.sigmoid(z.detach()).item()
    cross = 1 / (1 + p)
    if abs(q - cross) > 1e-9:
        assert (s > 0.5) == (q > cross)
    if abs(p - 1) > 1e-6:
        assert abs(s - q) > 1e-9  # unless p = 1, the score is not the probability q
    half = torch.sigmoid(torch.logit(f64(0.5)) + math.log(p)).item()
    assert half == pytest.approx(p / (1 + p), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(p=st.floats(0.1, 10.0))
def test_gradient_at_logit_zero_vanishes_at_the_crossing(p):
    """Test tilt_check: with soft target q = 1/(1 + p), torch's gradient at logit 0 is 0 (σ = 0.5 is the minimum), and
    the loss there equals the expected loss p·q·(−log σ) + (1 − q)·(−log(1 − σ))."""
    q = 1 / (1 + p)
    z = f64(0.0).requires_grad_()
    loss = F.binary_cross_entropy_with_logits(z, f64(q), pos_weight=f64(p))
    (g,) = torch.autograd.grad(loss, z)
    assert abs(g.item()) < 1e-12
    assert loss.item() == pytest.approx(p * q * math.log(2) + (1 - q) * math.log(2), rel=1e-12)


def test_pos_weight_above_one_calls_more_positive():
    """Test that p > 1 lowers the crossing below 0.5 (more points called positive), p = 3 → 0.25 and σ 0.75."""
    for p in (1.5, 3.0, 10.0):
        assert 1 / (1 + p) < 0.5
    at = open_page("reading_loss", "en")
    summary = next(s for s in chart_summaries(at) if s.startswith("With pos_weight"))
    assert re.search(r"q = 1/\(1 \+ p\) = 0\.25 ", summary) and "σ = 0.75" in summary
    assert "every point with q > 0.25" in summary
