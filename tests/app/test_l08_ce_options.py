"""AppTest of lesson 8, class weights, ignore_index and label smoothing (vs torch)."""

import math

import pytest
import torch
import torch.nn.functional as F

from tests.app.helpers import chart_summaries, charts, metric_pairs, open_page, tables, texts

X = torch.tensor([[2.0, 0.5, -1.0], [0.2, 1.5, 0.3], [-0.5, 0.1, 2.2], [1.0, 1.0, 0.0]], dtype=torch.float64)
W = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)


def loss_metric(at):
    return [m.value for m in metric_pairs(at) if m.label.startswith(("CrossEntropyLoss", "交叉熵损失"))][0]


def metric(at, start):
    return [m.value for m in metric_pairs(at) if m.label.startswith(start)][0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_with_the_weighted_mean(lang):
    """Test that the default batch shows torch's weighted mean and Σ w[y] in each language."""
    at = open_page("ce_options", lang)
    y = torch.tensor([0, 1, 2, 1])
    assert float(loss_metric(at)) == pytest.approx(F.cross_entropy(X, y, weight=W).item(), rel=1e-12)
    assert "(1 + 2 + 0.5 + 2)" in texts(at)


def test_ignoring_a_sample_leaves_numerator_and_denominator():
    """Test that target −100 on sample 2 drops w[1] from Σ w[y] and matches torch."""
    at = open_page("ce_options")
    at.button_group(key="ceo_y1").set_value(-100).run()
    y = torch.tensor([0, -100, 2, 1])
    assert float(loss_metric(at)) == pytest.approx(F.cross_entropy(X, y, weight=W).item(), rel=1e-12)
    assert float(metric(at, "denominator")) == pytest.approx(3.5)
    assert "(1 + 0.5 + 2)" in texts(at)


def test_all_ignored_gives_nan_and_an_explanation():
    """Test that four ignored targets give NaN (as torch) and the 0/0 warning."""
    at = open_page("ce_options")
    for n in range(4):
        at.button_group(key=f"ceo_y{n}").set_value(-100).run()
    assert not at.exception
    assert math.isnan(F.cross_entropy(X, torch.full((4,), -100), weight=W).item())
    assert loss_metric(at) == "nan"
    assert "0 / 0 = NaN" in at.warning[0].value


def test_weights_and_reduction_move_the_loss():
    """Test that changing w[2] and reduction=sum give torch's values."""
    at = open_page("ce_options")
    at.number_input(key="ceo_w2").set_value(4.0).run()
    at.button_group(key="ceo_red").set_value("sum").run()
    w = torch.tensor([1.0, 2.0, 4.0], dtype=torch.float64)
    ref = F.cross_entropy(X, torch.tensor([0, 1, 2, 1]), weight=w, reduction="sum").item()
    assert float(loss_metric(at)) == pytest.approx(ref, rel=1e-12)


def test_editing_a_logit_moves_the_loss():
    """Test that the logit inputs feed the loss."""
    at = open_page("ce_options")
    at.number_input(key="ceo_x21").set_value(5.0).run()
    x = X.clone()
    x[2, 1] = 5.0
    ref = F.cross_entropy(x, torch.tensor([0, 1, 2, 1]), weight=W).item()
    assert float(loss_metric(at)) == pytest.approx(ref, rel=1e-12)


def test_label_smoothing_and_the_two_routes():
    """Test that ε = 0.2 gives torch's smoothed loss, and the one-hot route differs under weights."""
    at = open_page("ce_options")
    at.slider(key="ceo_eps").set_value(0.2).run()
    y = torch.tensor([0, 1, 2, 1])
    idx = F.cross_entropy(X, y, weight=W, label_smoothing=0.2).item()
    hot = F.cross_entropy(X, F.one_hot(y, 3).double(), weight=W, label_smoothing=0.2).item()
    plain = F.cross_entropy(X, y, label_smoothing=0.2).item()
    assert float(loss_metric(at)) == pytest.approx(idx, rel=1e-12)
    routes = tables(at)[1]
    col_w = routes.columns[2]
    assert [float(v) for v in routes[col_w]] == pytest.approx([idx, hot], rel=1e-5)
    assert float(routes[routes.columns[1]][1]) == pytest.approx(plain, rel=1e-5)
    assert abs(idx - hot) > 1e-3
    assert charts(at)[0]["data"], "the class-bar chart has traces"


def test_bad_url_values_give_notices():
    """Test that ?ceo_eps=1.5 (PyTorch would raise) and ?ceo_y0=7 give notices, not tracebacks."""
    at = open_page("ce_options", "zh", ceo_eps="1.5", ceo_y0="7", ceo_w1="-inf")
    assert texts(at).count("链接中") >= 3
    assert at.slider(key="ceo_eps").value == 0.0


def test_inspected_sample_shows_its_gradient_row():
    """Test that choosing sample 3 shows torch's gradient row for that sample."""
    at = open_page("ce_options")
    at.button_group(key="ceo_n").set_value(3).run()
    x = X.clone().requires_grad_()
    (g,) = torch.autograd.grad(F.cross_entropy(x, torch.tensor([0, 1, 2, 1]), weight=W), x)
    summary = [c for c in chart_summaries(at) if c.startswith("Gradient for sample 3")][0]
    shown = [float(s) for s in summary.split("[")[1].split("]")[0].split(",")]
    assert shown == pytest.approx(g[2].tolist(), rel=1e-3)
