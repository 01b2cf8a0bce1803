"""lossviz.ui.chart: the figure JSON sent to the browser and the plotly.js it is drawn with."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.utils
from plotly.offline import get_plotlyjs_version

from lossviz.plots.sigmoid_bce import sigmoid_figure
from lossviz.ui import chart as ui_chart


def test_spec_json_keeps_the_data_and_drops_streamlits_placeholder_template():
    """Test that the spec has the figure's x values and title but no template (its colours are placeholders)."""
    xs = np.linspace(-3.0, 3.0, 7)
    fig = sigmoid_figure(xs, 1.0 / (1.0 + np.exp(-xs)), current=(0.5, 0.62),
                         labels={"title": "T", "x": "x", "y": "y", "curve": "c", "current": "now"})
    spec = json.loads(ui_chart.spec_json(fig))
    assert "template" not in spec["layout"]
    assert spec["layout"]["title"]["text"] == "T"
    x = spec["data"][0]["x"]
    got = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]) if isinstance(x, dict) else np.array(x)
    np.testing.assert_array_equal(got, xs)


def test_spec_json_is_plotlys_own_json_and_leaves_the_figure_as_it_was():
    """Test that the spec equals the JSON of plotly's fig.to_dict() (typed arrays included) and that making it changes nothing in the figure."""
    xs = np.linspace(-3.0, 3.0, 7)
    fig = sigmoid_figure(xs, 1.0 / (1.0 + np.exp(-xs)), current=(0.5, 0.62),
                         labels={"title": "T", "x": "x", "y": "y", "curve": "c", "current": "now"})
    fig.update_layout(shapes=[{"type": "line", "x0": 0, "x1": 1, "y0": 0, "y1": 1}])  # a change after the builder
    ref = fig.to_dict()
    ref["layout"].pop("template", None)
    ref["layout"].setdefault("colorway", json.loads(ui_chart.spec_json(fig))["layout"]["colorway"])
    assert json.loads(ui_chart.spec_json(fig)) == json.loads(json.dumps(ref, cls=plotly.utils.PlotlyJSONEncoder))
    assert isinstance(fig.data[0].x, np.ndarray)  # the figure keeps its numpy arrays
    assert isinstance(json.loads(ui_chart.spec_json(fig))["data"][0]["x"], dict)  # typed array: {"dtype", "bdata"}


def test_served_plotly_js_is_the_python_packages_version():
    """Test that static/ holds plotly.js's basic bundle of the version plotly.py writes figures for, with its licence."""
    js = ui_chart.STATIC_DIR / ui_chart.PLOTLY_JS
    head = js.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in head
    assert "MIT" in (ui_chart.STATIC_DIR / "plotly-basic.LICENSE.txt").read_text(encoding="utf-8")


def test_preload_script_points_at_the_same_file():
    """Test that the early <script> loads exactly the URL the charts wait for, under the id chart.js looks for."""
    html = ui_chart.preload_html()
    assert html.startswith("<script>") and html.endswith("</script>")
    assert json.dumps(ui_chart.script_url()) in html and '"lv-plotly-js"' in html
    chart_js = (ui_chart._DIR / "chart.js").read_text(encoding="utf-8")
    assert '"lv-plotly-js"' in chart_js


def test_script_url_follows_the_base_url_path(monkeypatch):
    """Test that behind server.baseUrlPath the browser is sent to that prefix's static route."""
    monkeypatch.setattr(ui_chart.st, "get_option", lambda name: "/lossviz/")
    assert ui_chart.script_url() == "/lossviz/app/static/plotly-basic.min.js"
    monkeypatch.setattr(ui_chart.st, "get_option", lambda name: "")
    assert ui_chart.script_url() == "/app/static/plotly-basic.min.js"
