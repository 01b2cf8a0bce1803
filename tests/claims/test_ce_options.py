"""Claims of lesson 8 (class weights, ignore_index, label smoothing), computed in real torch.

The page's controls: 4 samples, 3 classes; targets in {0, 1, 2, −100}; class weights in [0, 10];
logits in [−20, 20]; ε in [0, 1]; reduction mean, sum or none. The property tests range over all of it.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import ce_options
from lossviz.text.i18n import translate
from tests.app.helpers import open_page

X = torch.tensor([[2.0, 0.5, -1.0], [0.2, 1.5, 0.3], [-0.5, 0.1, 2.2], [1.0, 1.0, 0.0]], dtype=torch.float64)
Y = torch.tensor([0, 1, 2, 1])
W = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)
C = 3
IGNORE = -100
LANGS = ("en", "zh")

logit = st.floats(-20.0, 20.0, allow_nan=False)
logits = st.lists(st.lists(logit, min_size=C, max_size=C), min_size=4, max_size=4).map(lambda r: torch.tensor(r, dtype=torch.float64))
targets = st.lists(st.sampled_from([0, 1, 2, IGNORE]), min_size=4, max_size=4).map(torch.tensor)
labels = st.lists(st.sampled_from([0, 1, 2]), min_size=4, max_size=4).map(torch.tensor)
weight = st.integers(0, 100).map(lambda k: k / 10)  # the number inputs: 0 … 10 in steps of 0.1
weights = st.lists(weight, min_size=C, max_size=C).map(lambda r: torch.tensor(r, dtype=torch.float64))
pos_weights = st.lists(weight.filter(bool), min_size=C, max_size=C).map(lambda r: torch.tensor(r, dtype=torch.float64))
epsilon = st.floats(0.0, 1.0)


def text(key: str, lang: str = "en", **fmt) -> str:
    return translate(lang, f"ce_options.{key}", **fmt)


def onehot_route(x, y, w=None, eps=0.0):
    """The table's one-hot route: the counted rows only, as probability targets."""
    keep = y != IGNORE
    return F.cross_entropy(x[keep], F.one_hot(y[keep], C).double(), weight=w, label_smoothing=eps)


def close(a, b, rel=1e-9):
    a, b = (float(torch.as_tensor(v, dtype=torch.float64).detach()) for v in (a, b))
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


# ---------------------------------------------------------------- the weighted mean, ignore_index --

@settings(max_examples=200, deadline=None)
@given(logits, targets, weights, epsilon)
def test_index_mean_divides_by_the_weights_of_the_counted_targets(x, y, w, eps):
    """Test that for index targets reduction="mean" is the sum of the per-sample losses divided by
    Σ w[yₙ] over the counted samples (not N, not Σ_c w_c), at any ε."""
    keep = y != IGNORE
    den = w[y[keep]].sum()
    total = F.cross_entropy(x, y, weight=w, reduction="sum", label_smoothing=eps)
    mean = F.cross_entropy(x, y, weight=w, label_smoothing=eps)
    if keep.any() and den > 0:
        assert close(mean, total / den)
    else:
        assert math.isnan(mean.item())


def test_quiz_q1_weighted_mean_is_not_over_n_or_all_class_weights():
    """Test that on the page's default batch the mean equals Σ w·l / Σ w[y] (answer b) and differs
    from Σ w·l / N (a) and Σ w·l / Σ_c w_c (c)."""
    total = F.cross_entropy(X, Y, weight=W, reduction="sum")
    mean = F.cross_entropy(X, Y, weight=W)
    assert close(mean, total / W[Y].sum())
    assert not close(mean, total / len(Y), 1e-3)
    assert not close(mean, total / W.sum(), 1e-3)


def test_ignored_target_leaves_numerator_and_denominator():
    """Test that −100 is the default ignore_index: that sample's loss is 0 and it leaves both sums."""
    y = torch.tensor([0, IGNORE, 2, 1])
    assert F.cross_entropy(X, y, weight=W, reduction="none")[1].item() == 0.0
    keep = [0, 2, 3]
    assert close(F.cross_entropy(X, y, weight=W), F.cross_entropy(X[keep], y[keep], weight=W))


@given(st.floats(0.001, 100.0), logits, targets, pos_weights, epsilon)
@settings(max_examples=100, deadline=None)
def test_scaling_all_weights_changes_nothing(k, x, y, w, eps):
    """Test that multiplying every class weight by the same factor leaves the index-target mean
    unchanged (the takeaway's "by 10 changes nothing"), with or without label smoothing."""
    assert close(F.cross_entropy(x, y, weight=w, label_smoothing=eps), F.cross_entropy(x, y, weight=k * w, label_smoothing=eps), 1e-9)


@given(logits, weights, epsilon)
@settings(max_examples=100, deadline=None)
def test_all_ignored_mean_is_nan_sum_is_zero_gradient_is_zero(x, w, eps):
    """Test that with every target −100 the mean is NaN, the sum 0, and the gradient all zeros
    (at any ε and weights): no error is raised."""
    y = torch.full((4,), IGNORE)
    x = x.clone().requires_grad_()
    mean = F.cross_entropy(x, y, weight=w, label_smoothing=eps)
    assert math.isnan(mean.item())
    assert F.cross_entropy(x, y, weight=w, reduction="sum", label_smoothing=eps).item() == 0.0
    (g,) = torch.autograd.grad(mean, x)
    assert torch.all(g == 0)


def test_quiz_q2_all_ignored_batch_leaves_the_weights_finite():
    """Test that an optimizer step on an all-ignored batch (NaN loss) leaves the model's weights
    finite and unchanged for SGD (its gradient is exactly 0): only the logged loss is NaN, so the
    batch does not poison the weights (quiz q2, option c's explanation)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(5, C)
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss = F.cross_entropy(model(torch.randn(4, 5)), torch.full((4,), IGNORE))
    assert math.isnan(loss.item())
    opt.zero_grad()
    loss.backward()
    assert all(torch.all(p.grad == 0) for p in model.parameters())
    opt.step()
    assert all(torch.equal(a, p) for a, p in zip(before, model.parameters(), strict=True))
    for lang in LANGS:
        why = text("quiz_q2_c_why", lang)
        assert "NaN" in why and "0" in why or "zero" in why
    assert "poison" not in text("quiz_q2_c_why")
    assert "污染" not in text("quiz_q2_c_why", "zh")


def test_quiz_q2_all_ignored_is_nan_not_zero_not_an_error():
    """Test that the all-ignored mean is NaN (answer a), not 0 (that is reduction="sum", option b),
    and raises no error (option c)."""
    y = torch.full((4,), IGNORE)
    assert math.isnan(F.cross_entropy(X, y).item())
    assert F.cross_entropy(X, y, reduction="sum").item() == 0.0


def test_all_zero_class_weights_give_nan_gradients():
    """Test the different case the quiz leaves aside: counted samples whose class weights are all 0
    give a NaN mean (0 / 0) at any ε, and then NaN gradients."""
    w = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    y = torch.tensor([0, 1, 0, 1])
    for eps in (0.0, 0.3, 1.0):
        x = X.clone().requires_grad_()
        loss = F.cross_entropy(x, y, weight=w, label_smoothing=eps)
        assert math.isnan(loss.item())
        (g,) = torch.autograd.grad(loss, x)
        assert torch.isnan(g).any()


# ------------------------------------------------------------------------------ label smoothing --

@settings(max_examples=200, deadline=None)
@given(logits, targets, weights, epsilon)
def test_smoothed_loss_is_one_minus_eps_nll_plus_eps_smoothing_term(x, y, w, eps):
    """Test formula_eps: each counted sample's loss is (1 − ε)·w[y]·l + ε·(1/C)·Σ_c w_c·(−log p_c),
    and the mean divides their sum by the same Σ w[y] — the NLL part is scaled by (1 − ε), not kept whole."""
    keep = y != IGNORE
    lsm = torch.log_softmax(x, 1)
    safe = torch.where(keep, y, 0)
    nll = -lsm.gather(1, safe[:, None])[:, 0] * w[safe]
    smooth = -(lsm * w).sum(1) / C
    per = torch.where(keep, (1 - eps) * nll + eps * smooth, 0.0)
    got = F.cross_entropy(x, y, weight=w, reduction="none", label_smoothing=eps)
    assert torch.allclose(got, per, rtol=1e-10, atol=1e-10)
    den = w[y[keep]].sum()
    if keep.any() and den > 0:
        assert close(F.cross_entropy(x, y, weight=w, label_smoothing=eps), per.sum() / den, 1e-9)
    for lang in LANGS:
        assert "(1 − ε)" in text("formula_eps", lang)


def test_eps_help_smoothing_range_and_target():
    """Test eps_help: ε > 1 raises, a negative ε acts as 0, and the smoothed target is (1 − ε)·onehot + ε/C."""
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(X, Y, label_smoothing=1.1)
    assert F.cross_entropy(X, Y, label_smoothing=-0.5).item() == F.cross_entropy(X, Y).item()
    for eps in (0.1, 0.3, 0.7, 1.0):
        hot = F.one_hot(Y, C).double()
        assert close(F.cross_entropy(X, Y, label_smoothing=eps), F.cross_entropy(X, (1 - eps) * hot + eps / C))
        assert torch.allclose(torch.tensor(ce_options.smoothed_target(1, C, eps)), (1 - eps) * hot[1] + eps / C)


def test_quiz_q3_smoothed_true_class_gets_0_8():
    """Test that with C = 3 and ε = 0.3 the target torch trains toward gives the true class 0.8
    (answer c), not 0.7 (a) or 0.9 (b)."""
    y = torch.tensor([0])
    x = torch.tensor([[0.3, -0.2, 1.0]], dtype=torch.float64)
    smoothed = F.cross_entropy(x, y, label_smoothing=0.3)
    assert close(smoothed, F.cross_entropy(x, torch.tensor([[0.8, 0.1, 0.1]], dtype=torch.float64)))
    assert not close(smoothed, F.cross_entropy(x, torch.tensor([[0.7, 0.15, 0.15]], dtype=torch.float64)), 1e-3)
    assert not close(smoothed, F.cross_entropy(x, torch.tensor([[0.9, 0.05, 0.05]], dtype=torch.float64)), 1e-3)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([0, 1, 2]), st.floats(0.05, 1.0))
def test_smoothed_target_floor_is_its_entropy(y, eps):
    """Test target_summary: with ε > 0 (no weights) the smallest loss is the entropy H of the smoothed
    target, reached at logits log t̃ (finite), where the gradient is 0; H > 0, so the loss cannot reach 0."""
    t = torch.tensor(ce_options.smoothed_target(y, C, eps))
    h = ce_options.entropy(t)
    x = torch.log(t).requires_grad_()
    loss = F.cross_entropy(x[None], torch.tensor([y]), label_smoothing=eps)
    assert close(loss, h, 1e-9) and h > 0
    (g,) = torch.autograd.grad(loss, x)
    assert g.abs().max() < 1e-12
    # any other logits do worse (Gibbs' inequality), e.g. a confident one-hot guess
    assert F.cross_entropy(torch.tensor([[30.0 if c == y else 0.0 for c in range(C)]], dtype=torch.float64), torch.tensor([y]), label_smoothing=eps) > h
    assert ce_options.entropy(F.one_hot(torch.tensor(y), C).double()) == 0.0


@settings(max_examples=200, deadline=None)
@given(logits, labels, pos_weights, st.floats(0.05, 1.0))
def test_with_positive_weights_smoothed_loss_stays_above_zero(x, y, w, eps):
    """Test target_summary's condition: with every class weight positive and ε > 0, each sample's
    loss is at least min(w)·H(t̃) > 0 — it cannot reach 0."""
    per = F.cross_entropy(x, y, weight=w, reduction="none", label_smoothing=eps)
    h = ce_options.entropy(ce_options.smoothed_target(0, C, eps))
    assert torch.all(per >= w.min() * h * (1 - 1e-9))


def test_zero_weight_on_the_other_classes_lets_the_smoothed_loss_reach_0():
    """Test why target_summary needs "positive weights": with w = (1, 0, 0), ε = 0.3 and a confident
    right answer, the smoothed loss is practically 0."""
    x = torch.tensor([[40.0, 0.0, 0.0]], dtype=torch.float64)
    w = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    assert F.cross_entropy(x, torch.tensor([0]), weight=w, label_smoothing=0.3).item() < 1e-15


def test_summary_without_smoothing_the_loss_approaches_0():
    """Test target_summary0: at ε = 0 the loss of a sample falls toward 0 as p[y] → 1."""
    losses = [F.cross_entropy(torch.tensor([[s, 0.0, 0.0]], dtype=torch.float64), torch.tensor([0]), weight=W).item() for s in (2, 10, 20, 40)]
    assert losses == sorted(losses, reverse=True) and losses[-1] < 1e-15


@settings(max_examples=100, deadline=None)
@given(logits, targets, weights, epsilon, st.sampled_from(["mean", "sum", "none"]))
def test_ignored_sample_gradient_is_exactly_zero(x, y, w, eps, red):
    """Test inspect_ignored: an ignored sample's gradient is exactly 0 (any ε, weights, reduction)."""
    x = x.clone().requires_grad_()
    loss = F.cross_entropy(x, y, weight=w, reduction=red, label_smoothing=eps)
    (g,) = torch.autograd.grad(loss.sum(), x)
    assert torch.all(g[y == IGNORE] == 0)


@settings(max_examples=100, deadline=None)
@given(logits, targets, epsilon, st.sampled_from(["mean", "sum"]))
def test_unweighted_gradient_is_softmax_minus_smoothed_target(x, y, eps, red):
    """Test grad_summary: without weights a counted sample's gradient is (softmax − smoothed target),
    divided by the number of counted samples for reduction="mean" and not divided for "sum"."""
    keep = y != IGNORE
    if not keep.any():
        return
    x = x.clone().requires_grad_()
    (g,) = torch.autograd.grad(F.cross_entropy(x, y, reduction=red, label_smoothing=eps), x)
    t = (1 - eps) * F.one_hot(torch.where(keep, y, 0), C).double() + eps / C
    want = (torch.softmax(x, 1) - t) / (keep.sum() if red == "mean" else 1)
    assert torch.allclose(g[keep], want[keep], rtol=1e-9, atol=1e-12)


def test_weighted_gradient_scales_the_target_terms_by_their_weights():
    """Test grad_summary with weights: sample n's gradient is (1 − ε)·w[y](p − onehot) + (ε/C)(p·Σw − w),
    over Σ w[y] for the mean — each term of the target scaled by its class weight."""
    eps = 0.2
    x = X.clone().requires_grad_()
    (g,) = torch.autograd.grad(F.cross_entropy(x, Y, weight=W, label_smoothing=eps), x)
    p = torch.softmax(X, 1)
    want = ((1 - eps) * W[Y][:, None] * (p - F.one_hot(Y, C)) + eps / C * (p * W.sum() - W)) / W[Y].sum()
    assert torch.allclose(g, want, rtol=1e-10)


# ------------------------------------------------------------------------ index vs one-hot routes --

@settings(max_examples=200, deadline=None)
@given(logits, targets, epsilon)
def test_without_weights_index_and_onehot_routes_agree(x, y, eps):
    """Test routes_note: without weights the two routes give the same mean at any ε (both NaN when
    every target is ignored)."""
    if not (y != IGNORE).any():
        assert math.isnan(F.cross_entropy(x, y, label_smoothing=eps).item())
        return
    assert close(F.cross_entropy(x, y, label_smoothing=eps), onehot_route(x, y, eps=eps), 1e-9)


@settings(max_examples=200, deadline=None)
@given(logits, targets, weights)
def test_weighted_routes_divide_by_sum_of_target_weights_and_by_rows(x, y, w):
    """Test routes_note: with weights the index route divides Σ w[y]·l by Σ w[y], the one-hot route
    by N = the number of counted rows."""
    keep = y != IGNORE
    if not keep.any():
        return
    total = F.cross_entropy(x, y, weight=w, reduction="sum")
    assert close(onehot_route(x, y, w), total / int(keep.sum()), 1e-9)


def test_routes_differ_with_weights_only_through_the_denominator():
    """Test routes_note: with the default weights the routes differ; the per-sample losses are the
    same on both routes at every ε (smoothing included), so one-hot = index · Σ w[y] / N."""
    den, n = W[Y].sum(), len(Y)
    assert not close(F.cross_entropy(X, Y, weight=W), onehot_route(X, Y, W), 1e-3)
    for eps in (0.0, 0.4, 1.0):
        assert close(F.cross_entropy(X, Y, weight=W, label_smoothing=eps) * den / n, onehot_route(X, Y, W, eps))


@settings(max_examples=200, deadline=None)
@given(logits, labels, weights, epsilon)
def test_per_sample_losses_equal_on_both_routes(x, y, w, eps):
    """Test that index and one-hot targets give the same per-sample loss for any weights and ε, so the
    smoothing term is weighted alike on both routes (the old routes_note said otherwise)."""
    a = F.cross_entropy(x, y, weight=w, reduction="none", label_smoothing=eps)
    b = F.cross_entropy(x, F.one_hot(y, C).double(), weight=w, reduction="none", label_smoothing=eps)
    assert torch.allclose(a, b, rtol=1e-12, atol=1e-12)
    assert "104776" not in text("routes_note")


# --------------------------------------------------------------------------------------- tasks --

@settings(max_examples=200, deadline=None)
@given(logits, targets, weight, epsilon)
def test_task_t2_message_holds_wherever_the_check_accepts(x, y, wc, eps):
    """Test task_t2_done wherever the check accepts (three equal weights, the page's whole range):
    the weighted mean equals the plain mean, and the one-hot route is the common weight times the
    index route — so the routes agree only at weight 1."""
    w = torch.full((C,), wc, dtype=torch.float64)
    n_kept = int((y != IGNORE).sum())
    if not ce_options.tasks_done(w.tolist(), eps, n_kept).t2:
        assert wc == 0 or n_kept == 0
        return
    index_w = F.cross_entropy(x, y, weight=w, label_smoothing=eps)
    assert close(index_w, F.cross_entropy(x, y, label_smoothing=eps), 1e-9)
    assert close(onehot_route(x, y, w, eps), wc * index_w, 1e-9)


def test_task_t2_equal_weights_2_routes_differ_by_a_factor_2():
    """Test the counterexample to the old task_t2_done: at w = 2 the one-hot route is twice the index route."""
    w = torch.full((C,), 2.0, dtype=torch.float64)
    assert close(onehot_route(X, Y, w), 2 * F.cross_entropy(X, Y, weight=w))
    for lang in LANGS:
        assert "1" in text("task_t2_done", lang) and "2" in text("task_t2_done", lang)


def test_task_t2_zero_weights_not_accepted():
    """Test that the check refuses three equal weights of 0 (the mean is 0/0 = NaN, not the plain mean)
    and an all-ignored batch."""
    assert not ce_options.tasks_done([0.0, 0.0, 0.0], 0.0, 4).t2
    assert not ce_options.tasks_done([1.0, 1.0, 1.0], 0.0, 0).t2
    assert math.isnan(F.cross_entropy(X, Y, weight=torch.zeros(C, dtype=torch.float64)).item())


@pytest.mark.parametrize("lang", LANGS)
def test_task_t2_page_check_done_at_weight_2_is_true(lang):
    """Test on the page: equal weights 2 complete task t2, and its message says the one-hot route is
    then twice the index route (as torch computes), not that the routes agree."""
    at = open_page("ce_options", lang)
    for c in range(C):
        at.number_input(key=f"ceo_w{c}").set_value(2.0).run()
    assert "task_ce_options_t2" in at.session_state["quiz_done"]
    assert "agree again" not in text("task_t2_done") and "重新一致" not in text("task_t2_done", "zh")


@settings(max_examples=200, deadline=None)
@given(logits, labels, labels, weights)
def test_task_t3_at_eps_1_each_sample_loss_ignores_its_label(x, y1, y2, w):
    """Test task_t3_done: at ε = 1 every counted sample's loss (reduction="none", so also the sum) is the
    same whatever its label, for any weights; with equal weights the mean is too."""
    a = F.cross_entropy(x, y1, weight=w, reduction="none", label_smoothing=1.0)
    b = F.cross_entropy(x, y2, weight=w, reduction="none", label_smoothing=1.0)
    assert torch.allclose(a, b, rtol=1e-12, atol=0)
    eq = torch.full((C,), float(w[0]) + 0.5, dtype=torch.float64)
    assert close(F.cross_entropy(x, y1, weight=eq, label_smoothing=1.0), F.cross_entropy(x, y2, weight=eq, label_smoothing=1.0), 1e-9)


def test_task_t3_weighted_mean_still_depends_on_labels():
    """Test the counterexample to the old task_t3_done: with the page's default weights (1, 2, 0.5) the
    mean at ε = 1 differs between label sets, through Σ w[y]; the message must say so."""
    a = F.cross_entropy(X, Y, weight=W, label_smoothing=1.0).item()
    b = F.cross_entropy(X, torch.tensor([2, 2, 2, 2]), weight=W, label_smoothing=1.0).item()
    assert not math.isclose(a, b, rel_tol=1e-3)
    assert "no longer matter" not in text("task_t3_done")
    for lang in LANGS:
        assert "Σ w[y]" in text("task_t3_done", lang)


def test_tasks_t1_t3_checks():
    """Test task t1 (all ignored → the mean is 0/0 = NaN) and t3 (ε = 1 → the target is uniform 1/C)."""
    assert ce_options.tasks_done([1, 2, 0.5], 0.0, 0).t1
    assert math.isnan(F.cross_entropy(X, torch.full((4,), IGNORE), weight=W).item())
    assert ce_options.tasks_done([1, 2, 0.5], 1.0, 4).t3
    assert torch.allclose(torch.tensor(ce_options.smoothed_target(2, C, 1.0)), torch.full((C,), 1 / C, dtype=torch.float64))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-20, 20), min_size=3, max_size=3), st.integers(0, 2), st.integers(0, 20))
def test_see_entropy_kl_smoothed_target_loss_is_entropy_plus_kl(xs, y, k):
    """Test see_entropy_kl: with label smoothing ε, CrossEntropyLoss = H(smoothed target) + KL(target‖softmax)
    ≥ H(target), with KL ≥ 0 (the page's ε slider: 0 … 1, step 0.05)."""
    eps = k / 20
    x = torch.tensor([xs], dtype=torch.float64)
    q = (1 - eps) * F.one_hot(torch.tensor([y]), 3).double() + eps / 3
    h = -torch.special.xlogy(q, q).sum().item()
    ce = F.cross_entropy(x, torch.tensor([y]), label_smoothing=eps).item()
    kl = F.kl_div(torch.log_softmax(x, 1), q, reduction="batchmean").item()
    assert kl >= -1e-12 and ce == pytest.approx(h + kl, rel=1e-9, abs=1e-9) and ce >= h - 1e-9
