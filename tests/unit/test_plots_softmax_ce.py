"""Unit tests of lossviz.plots.softmax_ce, lossviz.plots.ce_vs_bce and the lessons 6-8 models: figures as data, numbers vs torch."""

import ast
import dataclasses
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossviz.lessons import ce_options, ce_vs_bce, softmax_ce
from lossviz.plots.ce_vs_bce import bridge_figure
from lossviz.plots.softmax_ce import class_bars_figure
from lossviz.text import codegen

LABELS = {"title": "T", "x": "class", "y": "p"}


def test_class_bars_figure_has_one_bar_trace_per_series_and_outlines_the_true_class():
    """Test that each named series is a bar trace over the classes and the highlight outlines one class."""
    fig = class_bars_figure(["0", "1", "2"], {"p": np.array([0.2, 0.5, 0.3]), "t": np.array([0.0, 1.0, 0.0])}, labels=LABELS, highlight=1)
    assert [tr.type for tr in fig.data] == ["bar", "bar"]
    assert [tr.name for tr in fig.data] == ["p", "t"]
    assert list(fig.data[0].x) == ["0", "1", "2"]
    assert list(fig.data[0].y) == [0.2, 0.5, 0.3]
    assert list(fig.data[0].marker.line.width) == [0, 3, 0]
    assert fig.layout.barmode == "group"
    assert fig.layout.xaxis.title.text == "class" and fig.layout.title.text == "T"


def test_class_bars_figure_writes_nan_on_a_bar():
    """Test that a NaN value is labelled 'nan' rather than crashing."""
    fig = class_bars_figure(["0", "1"], {"g": np.array([np.nan, 0.1])}, labels=LABELS, y_range=(0, 1))
    assert fig.data[0].text[0] == "nan"
    assert tuple(fig.layout.yaxis.range) == (0, 1)


def test_bridge_figure_draws_both_curves_and_the_current_point():
    """Test that the bridge figure holds the CE curve, the BCE curve and a marker at (d, loss)."""
    v = ce_vs_bce.bridge_view(0.5, 2.0, 1, grid=np.linspace(-3, 3, 7))
    fig = bridge_figure(v.grid, v.ce_curve, v.bcel_curve, current=(v.d, float(v.ce)),
                        labels={"title": "B", "x": "d", "y": "loss", "ce": "CE", "bce": "BCE", "current": "now"})
    assert [tr.name for tr in fig.data] == ["CE", "BCE", "now"]
    assert list(fig.data[2].x) == [1.5]
    assert np.allclose(fig.data[0].y, fig.data[1].y, rtol=1e-12)


@pytest.mark.parametrize("y", [0, 1])
def test_bridge_equals_torch(y):
    """Test that 2-class CE on (a, b) and BCEWithLogits on b − a both match torch."""
    v = ce_vs_bce.bridge_view(-1.2, 3.4, y)
    ab = torch.tensor([-1.2, 3.4], dtype=torch.float64)
    assert float(v.ce) == pytest.approx(F.cross_entropy(ab, torch.tensor(y)).item(), rel=1e-12)
    ref = F.binary_cross_entropy_with_logits(ab[1] - ab[0], torch.tensor(float(y), dtype=torch.float64)).item()
    assert float(v.bcel) == pytest.approx(ref, rel=1e-12)
    assert abs(float(v.diff)) < 1e-14


def test_softmax_view_matches_torch_with_temperature_and_shift():
    """Test loss, softmax and gradient at T = 2 against torch, and that a shift leaves the loss unchanged."""
    x = [1.0, -2.0, 0.5, 3.0]
    v = softmax_ce.softmax_view(x, 2, temperature=2.0, shift=-6.5)
    z = (torch.tensor(x, dtype=torch.float64) / 2.0).requires_grad_()
    loss = F.cross_entropy(z, torch.tensor(2))
    (g,) = torch.autograd.grad(loss, z)
    assert float(v.loss) == pytest.approx(loss.item(), rel=1e-12)
    assert np.allclose(v.grad, g.numpy(), rtol=1e-12, atol=1e-15)
    assert np.allclose(v.p, torch.softmax(z, 0).detach().numpy())
    assert float(v.neg_log_p) == pytest.approx(loss.item(), rel=1e-12)
    assert float(v.lse_minus_xy) == pytest.approx(loss.item(), rel=1e-12)
    assert abs(float(v.shift_delta)) < 1e-14
    assert v.top == 3 and v.lowest_grad == 2


def test_softmax_view_probability_target():
    """Test a soft, unnormalised target against torch's probability-target CE."""
    x, p = [0.3, 1.0, -0.4], [0.5, 0.5, 0.5]
    v = softmax_ce.softmax_view(x, p)
    ref = F.cross_entropy(torch.tensor(x, dtype=torch.float64), torch.tensor(p, dtype=torch.float64)).item()
    assert float(v.loss) == pytest.approx(ref, rel=1e-12)
    assert float(v.target_sum) == 1.5


def test_ce_vs_bce_view_seed_002():
    """Test seed 002: BCELoss 0.3190375864505768, CrossEntropyLoss 0.7971159815788269, softmax [0.45063, ...]."""
    v = ce_vs_bce.ce_vs_bce_view([0.8, 0.2, 0.4], [1.0, 0.0, 0.0])
    pred, label = torch.tensor([0.8, 0.2, 0.4]), torch.tensor([1.0, 0.0, 0.0])
    assert float(v.bce) == torch.nn.BCELoss()(pred, label).item()
    assert float(v.ce) == torch.nn.CrossEntropyLoss()(pred, label).item()
    assert np.allclose(v.softmax, [0.45063, 0.24731, 0.30206], atol=5e-6)
    assert float(v.lse - 0.8) == pytest.approx(float(v.ce), rel=1e-6)


def test_multi_view_matches_torch():
    """Test softmax-over-the-row CE vs independent-sigmoid BCEWithLogits against torch."""
    x, y = torch.tensor([0.8, 0.2, 0.4]), torch.tensor([1.0, 1.0, 0.0])
    v = ce_vs_bce.multi_view(x.tolist(), y.tolist())
    assert float(v.ce) == pytest.approx(F.cross_entropy(x, y).item(), rel=1e-6)
    assert float(v.bcel) == pytest.approx(F.binary_cross_entropy_with_logits(x, y).item(), rel=1e-6)
    assert float(v.softmax_sum) == pytest.approx(1.0)


X = torch.tensor([[2.0, 0.5, -1.0], [0.2, 1.5, 0.3], [-0.5, 0.1, 2.2], [1.0, 1.0, 0.0]], dtype=torch.float64)
W = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)


def _same(a, b) -> bool:
    """Every field of two views equal (NaN equal to NaN)."""
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True) for f in dataclasses.fields(a))


@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_batch_view_weighted_mean_and_routes(eps):
    """Test Σ w[y]·l / Σ w[y], the ignored sample, and the one-hot route against torch (issue 104776)."""
    y = torch.tensor([0, -100, 2, 1])
    v = ce_options.batch_view(X.numpy(), y.numpy(), W.numpy(), label_smoothing=eps)
    terms, s = v.terms, v.smoothing
    assert float(s.loss) == pytest.approx(F.cross_entropy(X, y, weight=W, label_smoothing=eps).item(), rel=1e-12)
    assert terms.denominator == pytest.approx(1.0 + 0.5 + 2.0)
    if eps == 0.0:
        assert terms.numerator / terms.denominator == pytest.approx(float(s.loss), rel=1e-12)
    keep = y != -100
    hot = F.one_hot(y[keep], 3).double()
    assert float(s.mean_onehot_w) == pytest.approx(F.cross_entropy(X[keep], hot, weight=W, label_smoothing=eps).item(), rel=1e-12)
    assert float(s.mean_onehot) == pytest.approx(float(s.mean_index), rel=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smoothing_view_keeps_the_mean_for_every_reduction(reduction):
    """Test that the loss follows the reduction while the weighted mean stays the mean (it is the
    loss itself only for "mean"), and that smoothing_view and weighted_terms together are batch_view."""
    y = torch.tensor([0, -100, 2, 1])
    v = ce_options.smoothing_view(X.numpy(), y.numpy(), W.numpy(), reduction=reduction, label_smoothing=0.2)
    ref = F.cross_entropy(X, y, weight=W, reduction=reduction, label_smoothing=0.2)
    assert np.allclose(v.loss, ref.numpy(), rtol=1e-12, atol=0)
    mean = F.cross_entropy(X, y, weight=W, label_smoothing=0.2).item()
    assert float(v.mean_index_w) == pytest.approx(mean, rel=1e-12)
    assert np.allclose(v.loss_none, F.cross_entropy(X, y, weight=W, reduction="none", label_smoothing=0.2).numpy(), rtol=1e-12)
    both = ce_options.batch_view(X.numpy(), y.numpy(), W.numpy(), reduction=reduction, label_smoothing=0.2)
    terms = ce_options.weighted_terms(X.numpy(), y.numpy(), W.numpy())
    assert _same(both.smoothing, v) and _same(both.terms, terms)
    assert float(terms.nll_mean) == pytest.approx(F.cross_entropy(X, y, weight=W).item(), rel=1e-12)


def test_batch_view_all_ignored_is_nan():
    """Test that all targets −100 give NaN like torch (pytorch issue 70348), and a '0 / 0' formula."""
    y = np.full(4, -100)
    v = ce_options.batch_view(X.numpy(), y, W.numpy())
    assert math.isnan(float(v.smoothing.loss)) and math.isnan(F.cross_entropy(X, torch.tensor(y), weight=W).item())
    assert ce_options.weighted_mean_formula(v.terms.w_y, v.terms.nll, v.terms.keep) == ("0 / 0", "0 / 0")


def test_smoothed_target():
    """Test (1 − ε)·onehot + ε/C, and that a negative ε acts as 0."""
    assert np.allclose(ce_options.smoothed_target(1, 3, 0.3), [0.1, 0.8, 0.1])
    assert np.allclose(ce_options.smoothed_target(0, 3, -0.5), [1.0, 0.0, 0.0])


def _after(line: str, label: str):
    """The value a snippet printed after ``label`` (a number or a list)."""
    assert line.startswith(label + " "), line
    return ast.literal_eval(line.removeprefix(label + " "))


@pytest.mark.parametrize("target", [2, [0.5, 0.25, 0.0, 0.5]])
def test_softmax_ce_code_prints_the_views_numbers(target):
    """Test that lesson 6's snippet, run in torch, prints softmax_view's softmax, loss, gradient and shifted loss."""
    x = [1.0, -2.0, 0.5, 3.0]
    v = softmax_ce.softmax_view(x, target, temperature=2.0, shift=-6.5)
    out = codegen.run(softmax_ce.code(x, target, temperature=2.0, shift=-6.5)).splitlines()
    assert np.allclose(_after(out[0], "softmax"), v.p, rtol=0, atol=1e-6)
    assert _after(out[1], "loss") == pytest.approx(float(v.loss), rel=1e-12)
    assert np.allclose(_after(out[2], "grad"), v.grad, rtol=0, atol=1e-6)
    assert _after(out[3], "shifted by -6.5:") == pytest.approx(float(v.shifted_loss), rel=1e-12)


@pytest.mark.parametrize(("pred", "label"), [([0.8, 0.2, 0.4], [1.0, 0.0, 0.0]), ([0.05, 0.9, 0.6], [0.0, 1.0, 1.0])])
def test_ce_vs_bce_seed_code_prints_the_views_numbers(pred, label):
    """Test that lesson 7's seed snippet, run in torch (float32), prints the two losses, the softmax and
    BCEWithLogitsLoss that ce_vs_bce_view and multi_view compute."""
    v, m = ce_vs_bce.ce_vs_bce_view(pred, label), ce_vs_bce.multi_view(pred, label)
    out = codegen.run(ce_vs_bce.seed_code(pred, label)).splitlines()
    rel = 8 * np.finfo(np.float32).eps
    assert _after(out[0], "BCELoss") == pytest.approx(float(v.bce), rel=rel)
    assert _after(out[1], "CrossEntropyLoss") == pytest.approx(float(v.ce), rel=rel)
    assert np.allclose(_after(out[2], "softmax(pred)"), v.softmax, rtol=rel, atol=0)
    assert _after(out[3], "BCEWithLogitsLoss") == pytest.approx(float(m.bcel), rel=rel)


@pytest.mark.parametrize(("a", "b", "y"), [(0.5, 2.0, 1), (-1.2, 3.4, 0), (3.0, 3.0, 1)])
def test_ce_vs_bce_bridge_code_prints_the_views_numbers(a, b, y):
    """Test that lesson 7's bridge snippet, run in torch, prints bridge_view's 2-class CE and BCEWithLogits(b − a)."""
    v = ce_vs_bce.bridge_view(a, b, y)
    out = codegen.run(ce_vs_bce.bridge_code(a, b, y)).splitlines()
    assert _after(out[0], "2-class CE") == pytest.approx(float(v.ce), rel=1e-12)
    assert _after(out[1], "BCEWithLogits(b - a)") == pytest.approx(float(v.bcel), rel=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_ce_options_code_prints_the_views_numbers(reduction, eps):
    """Test that lesson 8's snippet, run in torch, prints smoothing_view's loss, its per-sample losses and
    the weighted one-hot route, with an ignored sample."""
    y = [0, -100, 2, 1]
    v = ce_options.smoothing_view(X.numpy(), y, W.numpy(), reduction=reduction, label_smoothing=eps)
    out = codegen.run(ce_options.code(X.tolist(), y, W.tolist(), reduction, eps)).splitlines()
    assert np.allclose(ast.literal_eval(out[0]), v.loss, rtol=1e-12, atol=0)
    assert np.allclose(_after(out[1], "reduction=none"), v.loss_none, rtol=1e-12, atol=0)
    assert _after(out[2], "one-hot route, weighted mean") == pytest.approx(float(v.mean_onehot_w), rel=1e-12)
