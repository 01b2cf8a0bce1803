"""Figures of the binary lessons and the stability lab, read as data."""

import numpy as np
import pytest

from lossviz.plots.bce_vs_logits import element_compare_figure, scale_sweep_figure
from lossviz.plots.sigmoid_bce import loss_curves_figure, sigmoid_figure
from lossviz.plots.stability import finite_or_nan, logit_curves_figure, softmax_figure

L = {"title": "T", "x": "X", "y": "Y", "current": "now", "slope": "slope", "curve": "σ", "parting": "part"}


def test_sigmoid_figure_marks_the_current_point():
    """Test that the sigmoid figure has the curve and the marker at (x, σ(x))."""
    xs = np.linspace(-5, 5, 11)
    fig = sigmoid_figure(xs, 1 / (1 + np.exp(-xs)), current=(2.0, 0.88), labels=L)
    assert [tr.name for tr in fig.data] == ["σ", "now"]
    assert tuple(fig.data[1].x) == (2.0,) and tuple(fig.data[1].y) == (0.88,)


def test_loss_curves_figure_draws_the_tangent_with_the_gradient_slope():
    """Test that the tangent through the current point has the gradient as its slope."""
    xs = np.linspace(-10, 10, 21)
    fig = loss_curves_figure(xs, {"y=1": xs, "y=0": -xs}, current=(1.0, 2.0), slope=-0.5, labels=L)
    tangent = next(tr for tr in fig.data if tr.name == "slope")
    (x0, x1), (y0, y1) = tangent.x, tangent.y
    assert (y1 - y0) / (x1 - x0) == pytest.approx(-0.5)


@pytest.mark.parametrize("build", [
    lambda legend: sigmoid_figure(np.zeros(2), np.zeros(2), current=(0, 0), labels=L, legend=legend),
    lambda legend: loss_curves_figure(np.zeros(2), {"y=1": np.zeros(2)}, current=(0, 0), labels=L, legend=legend),
])
def test_legend_below_puts_a_horizontal_legend_under_the_plot(build):
    """Test that legend="below" puts the legend at the figure's bottom edge (container y = 0) and "top" keeps it above the plot."""
    below, top = build("below"), build("top")
    leg = below.layout.legend
    assert (leg.yref, leg.y, leg.yanchor, leg.orientation) == ("container", 0, "bottom", "h") and below.layout.height > top.layout.height
    assert top.layout.legend.y >= 1.0
    with pytest.raises(ValueError, match="legend"):
        build("left")


def test_scale_sweep_figure_has_both_routes_markers_and_the_parting_line():
    """Test two lines, a point per route at the current scale (an annotation: a step moves it without a replot), and a dotted line at the parting scale."""
    scales = np.linspace(0, 60, 7)
    fig = scale_sweep_figure(scales, {"naive": scales * 0 + 1, "stable": scales * 0 + 2}, current=(10.0, [1.0, 2.0]),
                             parting=10.4, labels=L)
    assert [(tr.name, tr.mode) for tr in fig.data] == [("naive", "lines"), ("stable", "lines")]
    points = [a for a in fig.layout.annotations if a.text == "●"]
    assert [(p.x, p.y, p.xanchor, p.yanchor) for p in points] == [(10.0, 1.0, "center", "middle"), (10.0, 2.0, "center", "middle")]
    assert [p.font.color for p in points] == [tr.line.color for tr in fig.data]  # each point in its route's colour
    assert [s.x0 for s in fig.layout.shapes] == [10.4]
    assert [a.text for a in fig.layout.annotations if a.text != "●"] == ["part"]


def test_scale_sweep_figure_omits_a_parting_line_outside_the_range():
    """Test that no line is drawn when the routes never part within the slider's range."""
    scales = np.linspace(0, 60, 7)
    fig = scale_sweep_figure(scales, {"a": scales}, current=(1.0, [1.0]), parting=None, labels=L)
    assert not fig.layout.shapes and [a.text for a in fig.layout.annotations] == ["●"]


def test_element_compare_figure_groups_bars_per_element():
    """Test one bar trace per route over the element labels."""
    fig = element_compare_figure(["[0, 0]", "[0, 1]"], {"naive": [1.0, 100.0], "stable": [1.0, 17.6]}, labels=L)
    assert fig.layout.barmode == "group"
    assert [tr.name for tr in fig.data] == ["naive", "stable"]
    assert tuple(fig.data[0].y) == (1.0, 100.0) and tuple(fig.data[1].x) == ("[0, 0]", "[0, 1]")


def test_finite_or_nan_turns_inf_into_gaps():
    """Test that ±inf become NaN (gaps) and finite values stay."""
    out = finite_or_nan(np.array([1.0, np.inf, -np.inf, np.nan], dtype=np.float32))
    assert out[0] == 1.0 and np.isnan(out[1:]).all()


def test_logit_curves_figure_marks_saturation_and_leaves_inf_as_gaps():
    """Test the curves (inf → NaN), one dotted vertical line per mark with its text, and the current point."""
    xs = np.array([15.0, 16.0, 17.0])
    fig = logit_curves_figure(xs, {"naive": [15.0, 16.0, np.inf], "clamped": [15.0, 15.9, 100.0]},
                              marks=[(16.6355, "σ = 1")], current=(17.0, 100.0), labels=L)
    naive = fig.data[0]
    assert naive.name == "naive" and np.isnan(naive.y[2]) and naive.connectgaps is False
    assert fig.data[1].y[2] == 100.0
    assert fig.layout.shapes[0].x0 == 16.6355 and fig.layout.annotations[0].text == "σ = 1"
    assert fig.data[-1].name == "now" and fig.data[-1].x == (None,)  # the point's legend entry
    assert [(a.x, a.y) for a in fig.layout.annotations if a.text == "●"] == [(17.0, 100.0)]  # the point: an annotation


def test_logit_curves_figure_skips_a_non_finite_current_point():
    """Test that an infinite current value draws no marker rather than breaking the chart."""
    fig = logit_curves_figure([0.0, 1.0], {"a": [0.0, 1.0]}, current=(1.0, np.inf), labels=L)
    assert [tr.name for tr in fig.data] == ["a"] and not fig.layout.annotations


def test_softmax_figure_labels_nan_bars():
    """Test that NaN probabilities are drawn as empty bars labelled 'nan' beside the stable ones."""
    fig = softmax_figure(["0", "1"], [np.nan, 0.0], [0.7, 0.3], labels={**L, "naive": "naive", "stable": "stable"})
    naive, stable = fig.data
    assert tuple(naive.text) == ("nan", "0") and tuple(naive.y) == (0.0, 0.0)
    assert tuple(stable.y) == (0.7, 0.3) and fig.layout.barmode == "group"
