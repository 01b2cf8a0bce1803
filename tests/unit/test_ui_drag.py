"""The drag component's Python side: validation of what the browser sends, the data it is given."""

import json
import math
import re
from pathlib import Path

import pytest

from lossviz.core.parse import parse_matrix
from lossviz.ui import drag as ui_drag

COMPONENT = Path(ui_drag.__file__).parent / "components" / "drag"


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({"x": 1.25, "y": 0.3}, (1.25, 0.3)),  # off the step grid: kept (typed values survive)
        ({"x": -10, "y": 1}, (-10.0, 1.0)),
        ({"x": 3.0000000001, "y": 0.50000001}, (3.0, 0.5)),
    ],
)
def test_valid_curve_accepts_finite_in_range_values(payload, expected):
    """Test that a finite x in range and y in [0, 1] come back rounded to their steps."""
    assert ui_drag.valid_curve(payload, (-10.0, 10.0), with_label=True) == pytest.approx(expected)


@pytest.mark.parametrize(
    "payload",
    [None, "x", [], {}, {"x": None}, {"x": "1"}, {"x": True, "y": 0}, {"x": math.nan, "y": 0},
     {"x": math.inf, "y": 0}, {"x": 10.5, "y": 0}, {"x": 1, "y": 1.5}, {"x": 1, "y": -0.1}, {"x": 1}],
)
def test_valid_curve_rejects_anything_else(payload):
    """Test that NaN, inf, out-of-range, wrong types and missing keys give None (ignored, no crash)."""
    assert ui_drag.valid_curve(payload, (-10.0, 10.0), with_label=True) is None


def test_valid_curve_without_label_ignores_y():
    """Test that the two-branch view (no label handle) only needs x."""
    assert ui_drag.valid_curve({"x": 2}, (-10.0, 10.0), with_label=False) == (2.0, None)


def test_bars_and_cells_ranges_stretch_to_hold_current_values():
    """Test that a typed logit outside the default range widens the range instead of being clamped."""
    assert ui_drag._widen((-10.0, 10.0), [[1.0, 25.5], [None, -3.0]]) == (-10.0, 25.5)
    assert ui_drag._widen((-10.0, 10.0), [0.8, 0.2]) == (-10.0, 10.0)


def test_valid_bars():
    """Test the bars payload: right length, finite logits in range, an int target in [0, C)."""
    ok = ui_drag.valid_bars({"logits": [0.8, -0.2, 1000], "target": 2}, 3, (-1000.0, 1000.0))
    assert ok == ([0.8, -0.2, 1000.0], 2)
    for bad in ({"logits": [1, 2], "target": 0}, {"logits": [1, 2, 3], "target": 3}, {"logits": [1, 2, 3], "target": True},
                {"logits": [1, 2, 3], "target": 1.0}, {"logits": [1, 2, 2000], "target": 0}, {"logits": "1,2,3", "target": 0}):
        assert ui_drag.valid_bars(bad, 3, (-1000.0, 1000.0)) is None


def test_valid_cells():
    """Test the cells payload: the exact shape, every value finite and in range."""
    assert ui_drag.valid_cells({"logits": [[1, 2], [3, -4]]}, (2, 2), (-10.0, 10.0)) == [[1.0, 2.0], [3.0, -4.0]]
    for bad in ({"logits": [[1, 2]]}, {"logits": [[1, 2], [3]]}, {"logits": [[1, 2], [3, None]]}, {"logits": [[1, 2], [3, 11]]}):
        assert ui_drag.valid_cells(bad, (2, 2), (-10.0, 10.0)) is None


@pytest.mark.parametrize("values", [[0.8, 0.2, 0.4], [[1.0, -2.5], [0.1, 3.0]], [-1000.0, 1e-5]])
def test_as_text_round_trips_through_parse(values):
    """Test that the text written into a tensor input is read back by lossviz.core.parse to the same values."""
    assert parse_matrix(ui_drag.as_text(values)).tolist() == values


def test_component_files_are_local_and_carry_no_data():
    """Test that the html/css/js load nothing from the network and hold no template placeholders."""
    text = "\n".join((COMPONENT / name).read_text(encoding="utf-8") for name in ("drag.html", "drag.css", "drag.js"))
    urls = set(re.findall(r"https?://[^\s\"')]+", text))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "innerHTML" not in text and "{{" not in text
    assert "requestAnimationFrame" in text and "touch-action: none" in text


def _component_data(at):
    """The ``data`` JSON of every drag component on an AppTest page."""
    out = []
    for node in at.get("bidi_component"):
        proto = node.proto
        if proto.component_name == "lossviz_drag":
            out.append(json.loads(proto.json or proto.mixed.json))
    return out


@pytest.mark.parametrize("lang, word", [("en", "logit"), ("zh", "拖动")])
def test_start_page_mounts_the_curve_with_the_slider_value(lang, word):
    """Test that the Start page gives the component the slider's x, its range and translated labels."""
    from tests.app.helpers import open_page

    at = open_page("start", lang, start_x="-3.5")
    (data,) = _component_data(at)
    assert data["mode"] == "curve" and data["x"] == -3.5 and data["y"] is None
    assert (data["lo"], data["hi"]) == (-10.0, 10.0)
    assert word in data["labels"]["logit"]
    at.slider(key="start_x").set_value(4.0).run()
    (data,) = _component_data(at)
    assert data["x"] == 4.0


def _mount_script():
    import math

    import streamlit as st

    from lossviz.ui import drag as ui_drag

    bad = st.query_params.get("bad") == "1"
    ui_drag.logit_bars("t_bars", logits=[0.5, math.inf if bad else 25.0], target=1)
    ui_drag.logit_cells("t_cells", logits=[[1.0, math.nan if bad else 2.0]], targets=[[1.0, 0.0]], digits=4)


@pytest.mark.parametrize("bad", [False, True])
def test_views_with_non_finite_logits_are_not_mounted(bad):
    """Test that inf/NaN logits give no view (nothing to drag, nothing clamped on commit), finite ones a stretched range."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_mount_script)
    at.query_params["bad"] = "1" if bad else "0"
    at.run()
    assert not at.exception
    data = _component_data(at)
    if bad:
        assert data == []
    else:
        bars, cells = data
        assert bars["logits"] == [0.5, 25.0] and bars["hi"] == 25.0 and bars["target"] == 1
        assert cells["logits"] == [[1.0, 2.0]] and cells["digits"] == 4
