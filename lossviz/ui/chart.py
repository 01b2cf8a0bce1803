"""Charts that update in place: a plotly figure drawn by a keyed custom component (v2).

``st.plotly_chart`` derives a chart's identity from its figure, so each slider step replaces the
chart and the browser builds the plot from scratch (bench/README.md: ~45 ms of main thread per
chart; most lessons move two linked charts per step). This component keeps its key as identity
and calls ``Plotly.react`` on the same element, which redraws only what changed.

plotly.js is plotly's "basic" bundle (scatter, bar, pie: every trace these lessons draw), the same
version as the plotly Python package's, kept in ``static/`` next to ``app.py`` and served by
Streamlit's static file serving (``server.enableStaticServing``). It evaluates in a fifth of the
time of the full bundle that ``st.plotly_chart`` loads, which is most of a cold page's wait for its
first chart. Nothing is fetched from the internet. The figure travels as plotly's own JSON (numpy
arrays as typed arrays); Streamlit's placeholder template is dropped and the browser applies
Streamlit's chart theme with the page's colours, so light and dark themes both read well.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
from plotly.io.json import to_json_plotly

from lossviz.plots.base import SERIES, colour
from lossviz.ui._internals import figure_dicts, is_homogeneous_array, is_skipped_key, to_typed_array_spec
from lossviz.ui.lang import t

_DIR = Path(__file__).parent / "components" / "chart"
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"  # next to app.py
PLOTLY_JS = "plotly-basic.min.js"
TRACE_TYPES = frozenset({"scatter", "bar", "pie"})  # what the basic bundle can draw
# plotly's own "toImage" (PNG only, an English tooltip) gives way to our PNG and SVG buttons (chart.js):
# both made in the browser by Plotly.downloadImage, offline, with translated tooltips.
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d", "toImage"]}

_component = st.components.v2.component(
    "lossviz_chart",
    html=(_DIR / "chart.html").read_text(encoding="utf-8"),
    css=(_DIR / "chart.css").read_text(encoding="utf-8"),
    js=(_DIR / "chart.js").read_text(encoding="utf-8"),
    isolate_styles=False,  # plotly.js styles its plots from <head>: no shadow DOM
)


def script_url() -> str:
    """Where the browser loads plotly.js from (under ``server.baseUrlPath``)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/{PLOTLY_JS}" if base else f"/app/static/{PLOTLY_JS}"


_PRELOAD = """<script>(() => {{ if (window.Plotly || document.getElementById("lv-plotly-js")) return;
const s = document.createElement("script"); s.id = "lv-plotly-js"; s.src = {src}; s.async = true;
s.addEventListener("error", () => {{ s.dataset.failed = "1"; }}); document.head.appendChild(s); }})();</script>"""


def preload_html() -> str:
    """A <script> for the top of every page that starts loading plotly.js before any chart exists.

    On a cold page load the chart component's code runs only after the element kinds above it
    have loaded; chart.js waits for this same <script id="lv-plotly-js">. Static text: the URL
    comes from the server's config, never from the user.
    """
    return _PRELOAD.format(src=json.dumps(script_url()))


def spec_json(fig) -> str:
    """The figure as plotly.js JSON (numpy arrays as typed arrays), without a template.

    The same JSON as ``fig.to_dict()`` gives, read from the figure's own data and layout dicts
    (plotly's ``_data``/``_layout``, kept in step with every change to the figure): to_dict's
    deep copy cost ten times the encoding. ``_typed`` copies what it converts, so the figure
    is left as it was."""
    data, layout = figure_dicts(fig)
    layout = {k: _typed(v) for k, v in layout.items() if k != "template"}
    layout.setdefault("colorway", [colour(i) for i in range(len(SERIES))])
    return to_json_plotly({"data": _typed(data), "layout": layout})


def _typed(obj):
    """plotly's ``convert_to_base64`` on a copy: numpy arrays become typed-array specs."""
    if isinstance(obj, dict):
        return {k: v if is_skipped_key(k) else to_typed_array_spec(v) if is_homogeneous_array(v) else _typed(v)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_typed(v) if isinstance(v, (dict, list, tuple)) else v for v in obj]
    return obj


def chart(fig, *, key: str, failed: str, fullscreen: str = "", summary: str = "") -> None:
    """Draw ``fig``; ``failed`` is the message shown if plotly.js cannot be loaded; ``fullscreen``
    the tooltip of the toolbar button that shows the chart full screen (none if empty, or if the
    browser cannot: an iPhone shows only videos full screen); ``summary`` the chart's text summary,
    plain text shown below it as its caption (a ``<figcaption>``, also in full screen). The toolbar
    also saves the chart as PNG and as SVG (``lossviz-<key>.png`` / ``.svg``), drawn in the browser."""
    download = {"png": t("common.chart_png"), "svg": t("common.chart_svg"), "filename": download_name(key)}
    _component(key=key, data={"spec": spec_json(fig), "config": CONFIG, "src": script_url(), "failed": failed,
                              "fullscreen": fullscreen, "summary": summary, "download": download})


def download_name(key: str) -> str:
    """The saved file's name without extension: ``lossviz-<chart key>`` (letters, digits, - and _ only)."""
    return "lossviz-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in key)[:80]
