"""AppTest: charts are keyed custom components, so a step updates the same chart instead of replacing it."""

from __future__ import annotations

import json

import pytest
from markdown_it import MarkdownIt

from lossviz.lessons.syllabus import all_pages
from lossviz.ui import chart as ui_chart
from tests.app.helpers import chart_summaries, charts, open_page


def _chart_ids(at) -> list[str]:
    return [el.proto.id for el in at.get("bidi_component") if el.proto.component_name.endswith("lossviz_chart")]


def test_a_slider_step_keeps_each_charts_identity_and_changes_its_figure():
    """Test that moving lesson 1's logit keeps both chart ids (no remount in the browser) and moves the point."""
    at = open_page("sigmoid_bce", panels=False)
    ids, before = _chart_ids(at), charts(at)
    assert len(ids) == 2
    at.slider(key="sb_x").set_value(-3.0).run()
    assert not at.exception
    assert _chart_ids(at) == ids
    after = charts(at)
    assert after != before
    marker = [t for t in after[0]["data"] if t.get("mode") == "markers"][0]
    assert marker["x"] == [-3.0]


def test_every_chart_carries_the_text_the_browser_needs():
    """Test that each chart's data has the plotly.js URL and a translated message for when it cannot load."""
    at = open_page("softmax_ce", "zh", panels=False)
    els = [el for el in at.get("bidi_component") if el.proto.component_name.endswith("lossviz_chart")]
    assert els
    for el in els:
        data = json.loads(el.proto.json)
        assert data["src"].endswith("/app/static/plotly-basic.min.js")
        assert "plotly.js" in data["failed"] and "图表" in data["failed"]


@pytest.mark.parametrize("page_id", [p.id for p in all_pages()])
def test_every_chart_uses_only_traces_the_served_plotly_bundle_draws(page_id):
    """Test that no page sends a trace type missing from plotly.js's basic bundle (it would draw nothing)."""
    at = open_page(page_id)
    used = {trace.get("type", "scatter") for fig in charts(at) for trace in fig["data"]}
    assert used <= ui_chart.TRACE_TYPES, used


_MD = MarkdownIt("commonmark")


def _as_markdown(text: str) -> str:
    """The text a Markdown element would show for ``text`` (CommonMark, as Streamlit's react-markdown)."""
    def walk(tokens):
        for tok in tokens:
            yield tok.content if tok.type in ("text", "code_inline") else "\n" if tok.type == "softbreak" else ""
            yield from walk(tok.children or [])
    return "".join(walk(_MD.parse(text)))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page_id", [p.id for p in all_pages()])
def test_every_chart_has_a_plain_text_summary(page_id, lang):
    """Test that every chart carries its translated text summary, which the browser shows as plain text under it:
    nothing in it that Markdown would have turned into formatting (emphasis, code, links, $math$)."""
    at = open_page(page_id, lang)
    summaries = chart_summaries(at)
    assert len(summaries) == len(charts(at))
    for summary in summaries:
        assert summary.strip(), page_id
        assert "$" not in summary and _as_markdown(summary) == summary, summary


def test_the_plain_text_check_sees_markdown():
    """Test that the check above fails on text Markdown would format."""
    assert _as_markdown("a **b** c") != "a **b** c"
    assert _as_markdown("x `y`") != "x `y`"
    assert _as_markdown("p = 0.5, σ(x) = 0.6") == "p = 0.5, σ(x) = 0.6"
