"""For slides: a lesson inside an iframe of a plain local HTML page (``?embed=true``, ``?hide=``), and every
chart saved as PNG and SVG from its toolbar, offline (plotly.js draws the files in the browser)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading

import pytest

from lossviz.text.i18n import translate
from tests.e2e.conftest import assert_no_exception, log_mark, open_app, wait_finished


@contextlib.contextmanager
def _static_site(directory):
    """python's http.server on 127.0.0.1 (a free port) serving ``directory``, until the block ends."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_lesson_renders_inside_an_iframe_of_a_plain_html_page(server, page, tmp_path):
    mark = log_mark()
    app = f"{server.base_url}/sigmoid-bce?embed=true&lang=en&hide=code,quiz,links"
    (tmp_path / "slides.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Slides</title></head><body>"
        "<h1>My lecture</h1>"
        f"<iframe id='lv' src='{app}' width='1200' height='850' style='border:0'></iframe>"
        "</body></html>", encoding="utf-8")
    with _static_site(tmp_path) as site:
        page.goto(f"{site}/slides.html", wait_until="domcontentloaded")
        frame = page.frame_locator("#lv")
        title = frame.locator("[data-testid=stMain] h1").first
        title.wait_for(timeout=90_000)
        assert "Sigmoid" in title.inner_text()
        # the lesson's chart is drawn (plotly.js from the app's own origin) and its controls are there
        frame.locator(".lv-chart .main-svg").first.wait_for(timeout=60_000)
        inner = next(f for f in page.frames if f.url.startswith(server.base_url))
        inner.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
        frame.locator(".st-key-sb_x input[type=range]").wait_for(timeout=30_000)
        # embed mode: no Streamlit toolbar; ?hide= kept and honoured inside the frame
        assert "embed=true" in inner.url and "hide=code" in inner.url
        assert inner.locator("[data-testid=stToolbar]").count() == 0
        labels = " ".join(inner.locator("[data-testid=stExpander] summary").all_inner_texts())
        assert translate("en", "common.code_panel") not in labels and translate("en", "common.quiz") not in labels
        assert inner.locator("[data-testid=stPageLink]").count() == 0
        # a step on the slider inside the frame reruns the lesson there
        inner.locator(".st-key-sb_x input[type=range]").focus()
        page.keyboard.press("ArrowRight")
        inner.wait_for_function("() => location.search.includes('sb_x=')", timeout=30_000)
        inner.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
        assert inner.locator("[data-testid=stException]").count() == 0
    assert_no_exception(page, mark)


@pytest.mark.parametrize(("lang", "path"), [("en", "sigmoid-bce"), ("zh", "softmax-ce")])
def test_every_chart_saves_as_png_and_svg(server, context, lang, path):
    mark = log_mark()
    page = open_app(context.new_page(), f"{server.base_url}/{path}?lang={lang}")
    charts = page.locator("[data-testid=stMain] .lv-chart")
    page.wait_for_function(
        "() => { const c = document.querySelectorAll('[data-testid=stMain] .lv-chart');"
        " return c.length > 0 && [...c].every(e => e.querySelector('.modebar'))}", timeout=60_000)
    n = charts.count()
    png, svg = translate(lang, "common.chart_png"), translate(lang, "common.chart_svg")
    for title in (png, svg):
        assert page.locator(f".lv-chart .modebar-btn[data-title='{title}']").count() == n, title
    assert page.locator(".lv-chart .modebar-btn[data-title='Download plot as a png']").count() == 0
    first = charts.first
    first.scroll_into_view_if_needed()
    for title, ext, magic in ((png, ".png", b"\x89PNG\r\n\x1a\n"), (svg, ".svg", b"<svg")):
        first.locator(".lv-plot").hover()
        with page.expect_download(timeout=30_000) as info:
            first.locator(f".modebar-btn[data-title='{title}']").click()
        download = info.value
        assert download.suggested_filename.startswith("lossviz-") and download.suggested_filename.endswith(ext)
        body = open(download.path(), "rb").read()  # noqa: SIM115 - a test reading a temp file
        assert body.startswith(magic), body[:80]
        assert len(body) > 2000
        wait_finished(page)
        assert_no_exception(page, mark)
