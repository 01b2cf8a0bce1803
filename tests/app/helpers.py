"""AppTest helpers: run the real frame (app.py) and open one page in a chosen language."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lossviz.lessons import by_id

ROOT = Path(__file__).resolve().parents[2]

TIMEOUT = 60


# The lazy panels (ui.code_panel, ui.quiz): their content runs only while they are open.
PANEL_KEYS = ("lv_code", "lv_code_toy", "lv_code_softmax", "lv_code_bridge")


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


def texts(at: AppTest) -> str:
    """All visible text of markdown, captions, metrics, alerts and titles, joined."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "error", "warning", "info"):
        parts += [str(el.value) for el in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def charts(at: AppTest) -> list[dict]:
    """The plotly figures (as plotly.js JSON) of the page's charts (lossviz.ui_chart), in page order."""
    return [json.loads(json.loads(el.proto.json)["spec"]) for el in at.get("bidi_component")
            if el.proto.component_name.endswith("lossviz_chart")]


def raw_messages(at: AppTest) -> list[str]:
    """The texts shown with ``ui.raw_message`` (torch's own messages), unescaped."""
    return [html.unescape(re.sub(r"<[^>]+>", "", el.proto.body)) for el in at.get("html")
            if 'data-testid="lv-raw-message"' in el.proto.body]
