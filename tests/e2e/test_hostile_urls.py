"""Hostile URL values show a message or are ignored: never a traceback, never injected markup."""

from __future__ import annotations

import pytest

from lossviz.text.i18n import translate
from tests.e2e.conftest import h1, open, wait_finished

pytestmark = pytest.mark.e2e

LONG = "9" * 5000
# (query string, what the start slider should show): bad values are ignored (default 2.0)
CASES = {
    "lang-xx": ("lang=xx&start_x=1", 1.0),
    "lang-long": ("lang=" + "x" * 5000, 2.0),
    "x-abc": ("lang=en&start_x=abc", 2.0),
    "x-1e309": ("lang=en&start_x=1e309", 2.0),
    "x-nan": ("lang=en&start_x=nan", 2.0),
    "x-minus-inf": ("lang=en&start_x=-inf", 2.0),
    "x-out-of-range": ("lang=en&start_x=1e6", 2.0),
    "x-5000-chars": (f"lang=en&start_x={LONG}", 2.0),
    "present-script": ("lang=en&present=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E", 2.0),
    "x-script": ("lang=en&start_x=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E", 2.0),
    "unknown-param": ("lang=en&zzz=%3Cb%3Ehi%3C%2Fb%3E", 2.0),
}


@pytest.mark.parametrize("query", [c[0] for c in CASES.values()], ids=list(CASES))
def test_hostile_url_value(server, page, query):
    """Test that a hostile value leaves the page running, titled, with the slider at a sane value."""
    expected_x = {q: x for q, x in CASES.values()}[query]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open(page, f"{server.base_url}/?{query}")
    assert h1(page) == translate("en", "start.title")  # an unknown language falls back to English
    x = float(page.locator("[data-testid=stMain] [data-testid=stSlider] input[type=range]").first.input_value())
    assert x == expected_x
    assert page.evaluate("() => window.__pwned === undefined"), "markup from the URL ran"
    assert not dialogs, dialogs
    assert page.locator("img[src=x]").count() == 0, "markup from the URL was rendered"


@pytest.mark.parametrize("query", ["start_x=abc", "start_x=1e309", "start_x=nan"])
def test_bad_number_gives_a_notice(server, page, query):
    """Test that a bad number in the URL is named in a visible notice (not silently dropped)."""
    open(page, f"{server.base_url}/?lang=en&{query}")
    value = query.split("=", 1)[1]
    assert value in page.locator("[data-testid=stMain]").inner_text()


def test_hostile_values_on_a_lesson_page(server, page):
    """Test that a lesson deep link with an unknown language and junk parameters still runs."""
    open(page, f"{server.base_url}/softmax-ce?lang=xx&smx_c=abc&smx_x0=nan&smx_t=-inf&present=%3Cscript%3E")
    assert h1(page) == translate("en", "softmax_ce.title")


@pytest.mark.parametrize("path, key, default", [("weights-reduction", "wt_npos", "100"), ("weights-reduction", "wt_nneg", "300"),
                                                ("train-it", "tr_seed", "0")])
@pytest.mark.parametrize("value", ["1e309", "-inf"])
def test_infinite_value_for_a_whole_number_input(server, page, path, key, default, value):
    """Test that an infinite URL value for a whole-number input (Streamlit's int(inf) raised
    OverflowError on every run) gives the notice and the default, and the page goes on."""
    open(page, f"{server.base_url}/{path}?lang=zh&{key}={value}")
    wait_finished(page)
    assert page.locator("[data-testid=stException]").count() == 0
    assert value in page.locator("[data-testid=stMain]").inner_text()  # the translated notice names it
    assert page.locator(f".st-key-{key} input").input_value() == default
    page.locator(f".st-key-{key} [data-testid=stNumberInputStepUp]").click()  # the session goes on
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('{key}') === '{int(default) + 1}'")
    wait_finished(page)
    assert page.locator("[data-testid=stException]").count() == 0
