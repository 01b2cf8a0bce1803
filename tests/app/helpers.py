"""AppTest helpers: run the real frame (app.py) and open one page in a chosen language."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from streamlit.testing.v1 import AppTest

from lossviz.lessons.syllabus import by_id

ROOT = Path(__file__).resolve().parents[2]

TIMEOUT = 60


# The lazy panels (ui.code_panel, ui.quiz): their content runs only while they are open.
PANEL_KEYS = ("lv_code", "lv_code_toy", "lv_code_softmax", "lv_code_bridge", "nl_x_panel")


def open_page(page_id: str, lang: str = "en", *, panels: bool = True, **params: str) -> AppTest:
    """Open ``page_id`` the way a deep link does: ``app.py`` runs once, on that page, with the params.

    ``panels``: open the code panel(s) and the quiz first, as a learner who clicked them."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if panels:
        for key in (*PANEL_KEYS, f"quiz_{page_id}"):
            at.session_state[key] = True
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    lesson = by_id(page_id)
    if lesson.url_path:
        at.switch_page(lesson.file)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def view_control(at: AppTest):
    """The page's view control (``ui.views``: a segmented control keyed ``<prefix>_view``)."""
    found = [bg for bg in at.button_group if (bg.key or "").endswith("_view")]
    assert len(found) == 1, [bg.key for bg in found]
    return found[0]


def view_labels(at: AppTest) -> list[str]:
    """The labels on the view control's buttons, in order."""
    return list(view_control(at).options)


def open_view(at: AppTest) -> str:
    """The label of the view control's selected button."""
    control = view_control(at)
    (index,) = control.indices
    return control.options[index]


def show_view(at: AppTest, key: str, view: str) -> AppTest:
    """Open the lazy view ``view`` (its id, ``ui.views``) as a learner's click on its button does, and rerun."""
    return at.button_group(key=key).set_value(view).run()


def texts(at: AppTest) -> str:
    """All visible text of markdown, captions, metrics, alerts, titles and chart summaries, joined."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "error", "warning", "info"):
        parts += [str(el.value) for el in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in metric_pairs(at)]
    parts += chart_summaries(at)
    return "\n".join(parts)


class _TableParser(HTMLParser):
    """Collects the tables of an HTML string: header, rows of cell texts, the indexes of rows with class "hl"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"head": [], "rows": [], "hl": []})
        elif tag == "tr" and self.tables:
            rows = self.tables[-1]["rows"]
            if "hl" in (dict(attrs).get("class") or "").split():
                self.tables[-1]["hl"].append(len(rows) - 1)  # the header row is rows[0] until it moves to "head"
            rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append("".join(self._cell))
            self._cell = None


def tables(at: AppTest) -> list[pd.DataFrame]:
    """The tables on the page (``ui.table``), in page order, as a learner reads them (unescaped);
    ``df.attrs["highlighted"]`` holds the indexes of the tinted rows."""
    out = []
    for el in at.markdown:
        if "<table" not in str(el.value):
            continue
        parser = _TableParser()
        parser.feed(str(el.value))
        for tb in parser.tables:
            head, *rows = tb["rows"]
            df = pd.DataFrame(rows, columns=head)
            df.attrs["highlighted"] = tb["hl"]
            out.append(df)
    return out


class Metric(NamedTuple):
    label: str
    value: str


class _MetricParser(HTMLParser):
    """Collects the (label, value) pairs of ``<dl class="lv-metrics">`` rows: ``<dt>`` label, ``<dd>`` value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[Metric] = []
        self._in_row = False
        self._text: list[str] | None = None
        self._label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "dl":
            self._in_row = "lv-metrics" in (dict(attrs).get("class") or "").split()
        elif tag in ("dt", "dd") and self._in_row:
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "dt" and self._text is not None:
            self._label, self._text = "".join(self._text), None
        elif tag == "dd" and self._text is not None:
            self.pairs.append(Metric(self._label, "".join(self._text)))
            self._text = None
        elif tag == "dl":
            self._in_row = False


def metric_pairs(at: AppTest) -> list[Metric]:
    """The metric rows' (label, value) pairs (``ui.metric_row``), in page order, unescaped."""
    parser = _MetricParser()
    for el in at.markdown:
        if "lv-metrics" in str(el.value):
            parser.feed(str(el.value))
    return parser.pairs


def metrics(at: AppTest, *, as_float: bool = False) -> dict[str, str] | dict[str, float]:
    """The metric rows as {label: value text} (``as_float``: the values as numbers)."""
    return {m.label: float(m.value) if as_float else m.value for m in metric_pairs(at)}


def headings(at: AppTest) -> list[str]:
    """The texts of the page's section headings (``ui.header``, ``ui.subheader``: Markdown ``##``/``###``)."""
    return [m.group(1) for el in at.markdown if (m := re.match(r"#{2,3} (.+)", str(el.value)))]


def _chart_data(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.json) for el in at.get("bidi_component") if el.proto.component_name.endswith("lossviz_chart")]


def charts(at: AppTest) -> list[dict]:
    """The plotly figures (as plotly.js JSON) of the page's charts (lossviz.ui.chart), in page order."""
    return [json.loads(data["spec"]) for data in _chart_data(at)]


def chart_summaries(at: AppTest) -> list[str]:
    """The text summaries shown below the page's charts (``ui.plot``), in page order."""
    return [data.get("summary", "") for data in _chart_data(at)]


def raw_messages(at: AppTest) -> list[str]:
    """The texts shown with ``ui.raw_message`` (torch's own messages), unescaped."""
    return [html.unescape(re.sub(r"<[^>]+>", "", el.proto.body)) for el in at.get("html")
            if 'data-testid="lv-raw-message"' in el.proto.body]
