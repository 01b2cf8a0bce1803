"""lossviz.ui_chart: the figure JSON sent to the browser and the served copy of plotly.js."""

from __future__ import annotations

import base64
import json
import os

import numpy as np
import plotly

from lossviz import ui_chart
from lossviz.plots.binary import sigmoid_figure


def _package_js() -> bytes:
    return (ui_chart.Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


def test_spec_json_keeps_the_data_and_drops_streamlits_placeholder_template():
    """Test that the spec has the figure's x values and title but no template (its colours are placeholders)."""
    xs = np.linspace(-3.0, 3.0, 7)
    fig = sigmoid_figure(xs, 1.0 / (1.0 + np.exp(-xs)), current=(0.5, 0.62),
                         labels={"title": "T", "x": "x", "y": "y", "curve": "c", "current": "now"})
    assert "template" in fig.to_plotly_json()["layout"]  # what st.plotly_chart would have sent
    spec = json.loads(ui_chart.spec_json(fig))
    assert "template" not in spec["layout"]
    assert spec["layout"]["title"]["text"] == "T"
    x = spec["data"][0]["x"]
    got = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]) if isinstance(x, dict) else np.array(x)
    np.testing.assert_array_equal(got, xs)


def test_ensure_plotly_js_copies_the_packages_file_once(tmp_path):
    """Test that plotly.min.js lands in the static dir byte for byte and an intact copy is left alone."""
    dst = ui_chart.ensure_plotly_js(tmp_path / "static")
    assert dst.read_bytes() == _package_js()
    os.utime(dst, (1, 1))
    ui_chart.ensure_plotly_js(tmp_path / "static")
    assert dst.stat().st_mtime == 1  # not rewritten
    assert [p.name for p in (tmp_path / "static").iterdir()] == ["plotly.min.js"]  # no temp files left


def test_ensure_plotly_js_replaces_a_broken_copy(tmp_path):
    """Test that a truncated plotly.min.js (an interrupted copy) is replaced by the whole file."""
    (tmp_path / "plotly.min.js").write_bytes(b"/* half a file */")
    ui_chart.ensure_plotly_js(tmp_path)
    assert (tmp_path / "plotly.min.js").read_bytes() == _package_js()


def test_script_url_follows_the_base_url_path(monkeypatch):
    """Test that behind server.baseUrlPath the browser is sent to that prefix's static route."""
    monkeypatch.setattr(ui_chart.st, "get_option", lambda name: "/lossviz/")
    assert ui_chart._src() == "/lossviz/app/static/plotly.min.js"
    monkeypatch.setattr(ui_chart.st, "get_option", lambda name: "")
    assert ui_chart._src() == "/app/static/plotly.min.js"
