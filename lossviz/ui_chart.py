"""Charts that update in place: a plotly figure drawn by a keyed custom component (v2).

``st.plotly_chart`` derives a chart's identity from its figure, so each slider step replaces the
chart and the browser builds the plot from scratch (bench/README.md: ~45 ms of main thread per
chart; most lessons move two linked charts per step). This component keeps its key as identity
and calls ``Plotly.react`` on the same element, which redraws only what changed.

plotly.js is the copy shipped inside the plotly Python package (the one that built the figure),
served by Streamlit's static file serving (``server.enableStaticServing`` in
``.streamlit/config.toml``) from ``static/`` next to ``app.py``; :func:`ensure_plotly_js` puts it
there. Nothing is fetched from the internet. The figure travels as plotly's own JSON (numpy
arrays as typed arrays); Streamlit's placeholder template is dropped and the browser side sets
the theme colours from Streamlit's CSS variables, so light and dark themes both read well.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import plotly
import plotly.io as pio
import streamlit as st

from lossviz.plots.base import SERIES, colour

_logger = logging.getLogger(__name__)
_DIR = Path(__file__).parent / "components" / "chart"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"  # next to app.py
PLOTLY_JS = "plotly.min.js"
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}

_component = st.components.v2.component(
    "lossviz_chart",
    html=(_DIR / "chart.html").read_text(encoding="utf-8"),
    css=(_DIR / "chart.css").read_text(encoding="utf-8"),
    js=(_DIR / "chart.js").read_text(encoding="utf-8"),
    isolate_styles=False,  # plotly.js styles its plots from <head>: no shadow DOM
)


def _package_plotly_js() -> Path:
    return Path(plotly.__file__).parent / "package_data" / PLOTLY_JS


def ensure_plotly_js(static_dir: Path = STATIC_DIR) -> Path:
    """Copy the plotly package's plotly.min.js into ``static_dir`` unless the same file is there.

    Written to a temporary file and renamed, so replicas starting together never serve half a file.
    """
    src = _package_plotly_js()
    dst = static_dir / PLOTLY_JS
    if dst.is_file() and dst.stat().st_size == src.stat().st_size:
        return dst
    static_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=static_dir, prefix=".plotly-", suffix=".js")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dst


try:
    ensure_plotly_js()
except OSError as exc:  # a read-only checkout: the chart says so in the page instead of drawing
    _logger.warning("could not copy plotly.min.js into %s: %s", STATIC_DIR, exc)


def _src() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/{PLOTLY_JS}" if base else f"/app/static/{PLOTLY_JS}"


def spec_json(fig) -> str:
    """The figure as plotly.js JSON, without the placeholder template Streamlit registers."""
    d = fig.to_plotly_json()
    layout = dict(d.get("layout") or {})
    layout.pop("template", None)
    layout.setdefault("colorway", [colour(i) for i in range(len(SERIES))])
    return pio.to_json({"data": d.get("data") or [], "layout": layout}, validate=False)


def chart(fig, *, key: str, failed: str) -> None:
    """Draw ``fig``; ``failed`` is the message shown if plotly.js cannot be loaded."""
    _component(key=key, data={"spec": spec_json(fig), "config": CONFIG, "src": _src(), "failed": failed})
