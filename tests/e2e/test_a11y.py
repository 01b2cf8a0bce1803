"""Accessibility audit: axe-core with the WCAG 2.1 A/AA rules on every page, in English and Chinese, on a
desktop (1280 px) and a phone (375 px, where formulas and tables scroll sideways).

axe-core comes with ``axe-playwright-python`` (its ``axe.min.js``; nothing is downloaded). A page
fails on any serious or critical violation of the app's own. A violation that a bare Streamlit app
with the same kinds of widgets also has is Streamlit's: the test lists those apart and does not
fail on them. "The same" means the same rule on the same kind of element: the node's tag and the
two nearest ``data-testid`` values around it (and, for colour contrast, the same two colours).
The bare app (``BASELINE`` below) is served by a second server in this module.
"""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict
from urllib.parse import urlparse

import pytest

from lossviz.text.i18n import translate
from tests.e2e.conftest import RUN_TIMEOUT, ScriptServer, assert_no_exception, log_mark, open_app, wait_finished

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
LANGS = ("en", "zh")
WIDTHS = (1280, 375)
TABS = 3  # pages loading at once


def _pages():
    """The syllabus (its module moved from lossviz.lessons to lossviz.lessons.syllabus)."""
    try:
        from lossviz.lessons.syllabus import all_pages
    except ImportError:
        from lossviz.lessons import all_pages
    return all_pages()


PAGES = _pages()

# A bare Streamlit app with the kinds of widgets LossViz uses (sectioned navigation, the sidebar's
# segmented control and toggle, sliders, inputs, radio, expander, alerts, captions, code, progress,
# page links) and nothing of LossViz: what axe finds here is Streamlit's.
BASELINE = textwrap.dedent(
    """
    import streamlit as st

    st.set_page_config(page_title="baseline", layout="wide")
    st.sidebar.segmented_control("Language", ["English", "简体中文"], key="lang", required=True,
                                 selection_mode="single", default="English")
    st.sidebar.toggle("Presenter mode", key="present", help="Large type for a projector")


    def main():
        st.title("Baseline")
        st.markdown("Some text with **bold**, `code` and a [link](#x).")
        st.caption("A caption under the text.")
        st.markdown("## A section")
        a, b = st.columns(2)
        a.slider("x", -10.0, 10.0, 2.0, 0.1, key="x", help="A help tooltip")
        b.number_input("n", -10.0, 10.0, 1.0, 0.1, key="n")
        st.text_input("tensor", "0.8, 0.2", key="t", max_chars=60)
        st.radio("reduction", ["mean", "sum", "none"], key="r", horizontal=True)
        st.radio("answer", ["a", "b", "c"], key="q", index=None)
        st.toggle("soft targets", key="soft")
        with st.expander("Code", icon="🐍"):
            st.code("print(1)", language="python")
        with st.expander("Quiz", expanded=True):
            st.progress(0.5, text="1 of 2 done")
        st.info("Info", icon="🎯")
        st.success("Right", icon="✅")
        st.warning("Careful", icon="💡")
        st.error("Wrong", icon="❌")
        l, r = st.columns(2)
        l.page_link(FIRST, label="← Back", icon="📈")
        r.page_link(FIRST, label="Next →", icon="📊")


    def other():
        st.title("Other")
        st.caption("Another caption.")


    def page(title, path):
        return st.Page(other, title=title, url_path=path)


    FIRST = page("Sigmoid", "a")
    nav = st.navigation({
        "Start": [st.Page(main, title="Start here", icon="🏠", default=True)],
        "Binary losses": [FIRST, page("BCE", "b"), page("Stability", "c")],
        "Multi-class losses": [page("Softmax", "d"), page("CE vs BCE", "e")],
        "Reference": [page("Glossary", "f")],
    })
    nav.run()
    """
)

# The page has finished drawing: charts drawn, every component's script has filled in its markup (the
# frame's button, the drag views), the language switch shows its selection. A component's markup is
# there before its script runs: axe once saw the link button still empty, ~0.5 s after the run ended.
READY_JS = """(app) => {
  if (![...document.querySelectorAll('[data-testid=lv-chart]')].every((c) => c.querySelector('.main-svg'))) return false;
  if (app && !document.querySelector('.st-key-lv_frame [data-testid=stBidiComponentIsolated]')) return false;
  for (const host of document.querySelectorAll('[data-testid=stBidiComponentIsolated]')) {
    const root = host.shadowRoot;
    if (!root || !root.querySelector('[data-testid]')) return false;  // its markup is not there yet
    const copy = root.querySelector('[data-testid=lv-copy-link]');
    const drag = root.querySelector('.lv-drag');
    if (copy && !copy.textContent.trim()) return false;
    if (drag && !drag.hidden && !drag.dataset.mode) return false;
  }
  const buttons = '[data-testid=stSidebar] [data-testid=stButtonGroup] button';
  return !!document.querySelector(`${buttons}[aria-checked=true], ${buttons}[aria-pressed=true]`);
}"""

# Each violation's nodes as {rule, impact, help, target, pattern}; `pattern` names the kind of element.
AXE_JS = """async (tags) => {
  const results = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  const find = (target) => {  // axe's target: a selector per shadow root on the way down
    let scope = document, node = null;
    for (const sel of target) {
      node = scope.querySelector(sel);
      if (!node) return null;
      scope = node.shadowRoot || node;
    }
    return node;
  };
  const up = (node) => node.parentElement || (node.getRootNode && node.getRootNode().host) || null;
  const kind = (node) => {
    if (!node) return '?';
    const ids = [];
    for (let n = node; n && ids.length < 2; n = up(n)) if (n.dataset && n.dataset.testid) ids.push(n.dataset.testid);
    return [node.tagName.toLowerCase(), ...ids].join('<');
  };
  const out = [];
  for (const v of results.violations) {
    for (const n of v.nodes) {
      let pattern = kind(find(Array.isArray(n.target[0]) ? n.target[0] : [n.target[0]]));
      if (v.id === 'color-contrast') {
        const d = (n.any[0] || {}).data || {};
        pattern += ` ${d.fgColor}/${d.bgColor}`;
      }
      out.push({ rule: v.id, impact: n.impact || v.impact, help: v.help, target: JSON.stringify(n.target), pattern });
    }
  }
  return out;
}"""


# lossviz/ui/web/frame.js marks a box that scrolls sideways from a ResizeObserver callback, a frame or two
# after the box is drawn: give it up to 3 s (a box still unmarked then is reported by axe below).
SCROLLERS_MARKED_JS = """() => [...document.querySelectorAll('.katex-display, .lv-table, [data-testid=stCode] pre')]
  .every((box) => box.scrollWidth <= box.clientWidth || box.dataset.lvScrolls === '1')"""


def audit(page, axe_script: str, *, app: bool = True) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations on the page once drawn, one entry per node (``app``: a LossViz page)."""
    page.wait_for_function(READY_JS, arg=app, timeout=RUN_TIMEOUT)
    if app:
        try:
            page.wait_for_function(SCROLLERS_MARKED_JS, timeout=3_000)
        except Exception:  # playwright TimeoutError: axe reports the unmarked box
            pass
    page.evaluate(axe_script)
    return page.evaluate(AXE_JS, TAGS)


@pytest.fixture(scope="module")
def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


@pytest.fixture(scope="module")
def report(request):
    """Collects what every page found; prints Streamlit's violations and the app's own at the end."""
    found: dict[str, list[dict]] = {}
    yield found
    if not found:
        return
    lines = ["", f"axe-core (WCAG 2.1 A/AA) on {len(found)} page(s) (URL and language):"]
    for owner in ("streamlit", "app"):
        rows: dict[tuple, list] = defaultdict(list)
        for url, nodes in found.items():
            for n in nodes:
                if n["owner"] == owner:
                    rows[(n["rule"], n["impact"], n["pattern"])].append(url)
        title = ("Streamlit's (the bare Streamlit app has them too)" if owner == "streamlit"
                 else "the app's own")
        lines.append(f"  {title}: {len(rows)} kind(s)")
        for (rule, impact, pattern), urls in sorted(rows.items()):
            lines.append(f"    {rule} ({impact}) {pattern}: {len(urls)} node(s) on {len(set(urls))} page(s)")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print("\n".join(lines))
        return
    with capture.global_and_fixture_disabled():  # shown on every run, not only on a failure
        for line in lines:
            reporter.write_line(line)


@pytest.fixture(scope="module")
def streamlits_own(browser, axe_script, tmp_path_factory) -> set[tuple[str, str]]:
    """(rule, pattern) of every violation of the bare Streamlit app (its start page and another, both widths)."""
    script = tmp_path_factory.mktemp("a11y") / "baseline_app.py"
    script.write_text(BASELINE, encoding="utf-8")
    srv = ScriptServer(script, cwd=script.parent)
    srv.start()
    seen = set()
    try:
        for width in WIDTHS:
            ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
            ctx.set_default_timeout(RUN_TIMEOUT)
            try:
                page = ctx.new_page()
                for path in ("", "a"):
                    open_app(page, f"{srv.base_url}/{path}", page_css=False)
                    seen |= {(n["rule"], n["pattern"]) for n in audit(page, axe_script, app=False)}
            finally:
                ctx.close()
        return seen
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def audits(request, server, browser, axe_script, streamlits_own, report) -> dict[str, list[dict] | Exception]:
    """The selected pages in both languages and at both widths audited, each node marked as Streamlit's or the
    app's own; keyed ``<url> @<width>``.

    Three tabs: while one page is audited the next ones load. A page that fails to load keeps its
    exception, for its own test to raise.
    """
    selected = {item.callspec.params["lesson"].url_path for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")}
    results: dict[str, list[dict] | Exception] = {}
    for width in WIDTHS:
        urls = [f"/{lesson.url_path}?lang={lang}" for lesson in PAGES if lesson.url_path in selected for lang in LANGS]
        _audit_at(width, urls, server, browser, axe_script, streamlits_own, report, results)
    return results


def _audit_at(width, queue, server, browser, axe_script, streamlits_own, report, results) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    ctx.set_default_timeout(RUN_TIMEOUT)
    try:
        loading = []
        for _ in range(min(TABS, len(queue))):
            tab = ctx.new_page()
            url = queue.pop(0)
            tab.goto(server.base_url + url, wait_until="commit")
            loading.append((tab, url))
        while loading:
            tab, url = loading.pop(0)
            try:
                mark = log_mark()
                tab.wait_for_selector("[data-testid=stAppViewContainer]")
                wait_finished(tab)
                assert_no_exception(tab, mark)
                nodes = audit(tab, axe_script)
                for n in nodes:
                    n["owner"] = "streamlit" if (n["rule"], n["pattern"]) in streamlits_own else "app"
                results[f"{url} @{width}"] = report[f"{url} @{width}"] = nodes
            except Exception as exc:  # raised by the page's own test
                results[f"{url} @{width}"] = exc
            if queue:
                url = queue.pop(0)
                tab.goto(server.base_url + url, wait_until="commit")
                loading.append((tab, url))
    finally:
        ctx.close()


@pytest.mark.parametrize("lesson", PAGES, ids=[p.id for p in PAGES])
def test_no_serious_or_critical_violation_of_the_apps_own(audits, lesson):
    """Test that axe finds no serious or critical WCAG 2.1 A/AA violation of the app's own, in either language,
    on a desktop or a phone."""
    failures = []
    for lang, width in ((lang, width) for lang in LANGS for width in WIDTHS):
        url = f"/{lesson.url_path}?lang={lang} @{width}"
        nodes = audits[url]
        if isinstance(nodes, Exception):
            raise nodes
        failures += [f"{url}: {n['rule']} ({n['impact']}): {n['help']} — {n['target']}"
                     for n in nodes if n["owner"] == "app" and n["impact"] in FAILING]
        print(url, json.dumps([(n["owner"], n["rule"], n["impact"], n["pattern"]) for n in nodes], ensure_ascii=False))
    assert not failures, "\n".join(failures)


def test_a_display_formula_that_scrolls_is_reached_and_scrolled_by_keyboard(server, page):
    """Test that a display formula wider than its box gets tabindex=0, role=region and a name, scrolls with →
    (also in presenter mode, where → otherwise turns the page), and loses them once it fits (frame.js)."""
    open_app(page, f"{server.base_url}/softmax-ce?lang=zh&present=1")
    box = page.locator("[data-testid=stMain] .katex-display").first
    box.wait_for()
    assert box.get_attribute("tabindex") is None  # it fits: no tab stop
    page.add_style_tag(content=".lv-test-narrow { max-width: 120px; }")  # as on a phone: too wide for its box
    box.evaluate("(e) => e.classList.add('lv-test-narrow')")
    page.wait_for_function("(e) => e.getAttribute('tabindex') === '0'", arg=box.element_handle())
    assert box.get_attribute("role") == "region"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in box.get_attribute("aria-label"))  # named, in Chinese
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(e) => e.scrollLeft > 0", arg=box.element_handle())
    assert urlparse(page.url).path.rstrip("/").endswith("/softmax-ce")  # presenter mode did not turn the page
    box.evaluate("(e) => e.classList.remove('lv-test-narrow')")
    page.wait_for_function("(e) => !e.hasAttribute('tabindex') && !e.hasAttribute('role')", arg=box.element_handle())


def test_a_table_that_scrolls_on_a_phone_is_reached_and_scrolled_by_keyboard(server, browser):
    """Test that on a phone a table wider than the screen gets tabindex=0, role=region and a name, scrolls with →,
    and loses them on a desktop, where it fits (frame.js)."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, locale="en-US")
    ctx.set_default_timeout(RUN_TIMEOUT)
    try:
        page = ctx.new_page()
        open_app(page, f"{server.base_url}/softmax-ce?lang=en")
        box = page.locator("[data-testid=stMain] .lv-table").first
        box.wait_for()
        assert box.evaluate("(e) => e.scrollWidth > e.clientWidth")  # wider than the phone
        page.wait_for_function("(e) => e.getAttribute('tabindex') === '0'", arg=box.element_handle())
        assert box.get_attribute("role") == "region"
        assert box.get_attribute("aria-label") == translate("en", "common.frame_table")
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("(e) => e.scrollLeft > 0", arg=box.element_handle())
        page.set_viewport_size({"width": 1280, "height": 800})
        page.wait_for_function("(e) => !e.hasAttribute('tabindex') && !e.hasAttribute('role')", arg=box.element_handle())
    finally:
        ctx.close()
