"""Figures of the weights and negative-loss lessons, read as data."""

import numpy as np
import pytest
import torch

from lossviz.plots.base import PALETTE
from lossviz.plots.negative import signed_loss_figure
from lossviz.plots.weights import element_bars_figure, imbalance_figure

LABELS = {"title": "T", "x": "X", "y": "Y", "plain": "plain", "weighted": "weighted", "current": "now",
          "sigma_star": "s*", "threshold": "bar", "recommended": "rec", "negative": "below 0"}


def test_element_bars_figure_has_two_grouped_series():
    """Test that the bar chart holds the plain and weighted losses per element, grouped."""
    x = torch.tensor([[0.4, -1.2], [1.1, 0.6]], dtype=torch.float64)
    y = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    plain = torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none").numpy()
    weighted = 2 * plain
    fig = element_bars_figure(["[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]"], plain, weighted, labels=LABELS)
    assert [t.name for t in fig.data] == ["plain", "weighted"]
    assert fig.layout.barmode == "group"
    np.testing.assert_allclose(fig.data[0].y, plain.ravel())
    np.testing.assert_allclose(fig.data[1].y, weighted.ravel())
    assert list(fig.data[0].x) == ["[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]"]
    assert fig.layout.xaxis.title.text == "X" and fig.layout.uirevision == "elements"


def test_imbalance_figure_curves_markers_and_log_axis():
    """Test that σ*, the 1/(1+p) bar and the recommended point are traces on a log x axis, and the
    current point an annotation at log10(p), in σ*'s colour and as large as the recommended point,
    with a legend entry of its colour."""
    ps = np.geomspace(0.1, 10, 5)
    fig = imbalance_figure(ps, ps / (ps + 3), 1 / (1 + ps), current=(1.0, 0.25), recommended=(3.0, 0.5), labels=LABELS)
    names = [t.name for t in fig.data]
    assert names == ["s*", "bar", "rec", "now"]
    assert fig.layout.xaxis.type == "log"
    assert (fig.data[2].x[0], fig.data[2].y[0]) == (3.0, 0.5)
    assert fig.data[2].marker.color == PALETTE["green"]
    (point,) = fig.layout.annotations
    assert (point.x, point.y, point.xref, point.yref) == (0.0, 0.25, "x", "y")  # log10(1.0) = 0
    assert fig.data[3].x == (None,)  # the legend entry carries no data
    assert fig.data[3].marker.color == point.font.color == fig.data[0].line.color  # σ*'s colour, in the legend too
    # the moving point is drawn as a glyph: at 0.6 em its disc is at least the recommended marker's 13 px
    assert 0.6 * point.font.size >= fig.data[2].marker.size
    moved = imbalance_figure(ps, ps / (ps + 3), 1 / (1 + ps), current=(10.0, 0.75), recommended=(3.0, 0.5), labels=LABELS)
    assert moved.layout.annotations[0].x == pytest.approx(1.0)
    assert moved.to_dict()["data"] == fig.to_dict()["data"]  # a step of p changes no trace


def test_signed_loss_figure_shades_the_negative_region():
    """Test that a curve going below zero gets a shaded band down to its minimum and a marker."""
    xs = np.linspace(-10, 10, 41)
    x = torch.tensor(xs)
    y2 = torch.nn.functional.binary_cross_entropy_with_logits(x, torch.full_like(x, 2.0), reduction="none").numpy()
    fig = signed_loss_figure(xs, {"mine": y2, "ref": np.abs(y2)}, current=(0.5, -0.0259), labels=LABELS)
    assert [t.name for t in fig.data] == ["below 0", "mine", "ref", "now"]
    assert min(fig.data[0].y) == min(y2) < 0
    assert fig.data[1].line.width == 3
    assert any(s.y0 == 0 and s.y1 == 0 for s in fig.layout.shapes)  # the zero line


def test_signed_loss_figure_without_negative_values_has_no_band_and_skips_nan_marker():
    """Test that a non-negative curve has no band, and a NaN current point draws no marker."""
    xs = np.linspace(-1, 1, 5)
    fig = signed_loss_figure(xs, {"mine": xs**2}, current=(0.0, float("nan")), labels=LABELS)
    assert [t.name for t in fig.data] == ["mine"]
