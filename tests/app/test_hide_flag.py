"""AppTest: ``?hide=code,quiz,links,predict`` leaves those panels out of a lesson (a clean embed for slides)."""

from __future__ import annotations

import pytest

from lossviz.text.i18n import translate
from tests.app.helpers import open_page


def _panels(at) -> dict[str, bool]:
    labels = [e.label for e in at.expander]
    return {
        "code": any(translate(lang, "common.code_panel") in label for label in labels for lang in ("en", "zh")),
        "quiz": any(translate(lang, "common.quiz") in label for label in labels for lang in ("en", "zh")),
        "links": len(at.get("page_link")) > 0,
        "predict": "pr_sigmoid_bce_wrong_in" in [n.key for n in at.number_input],
    }


def test_every_panel_is_there_without_the_flag():
    """Test that a lesson without ?hide= shows its code panel, quiz, page links and predict-first card."""
    at = open_page("sigmoid_bce", "en", panels=False)
    assert _panels(at) == {"code": True, "quiz": True, "links": True, "predict": True}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("hide", ["code", "quiz", "links", "predict", "code,quiz,links,predict", "QUIZ, links"])
def test_hide_leaves_out_the_named_panels(lang, hide):
    """Test that each name in ?hide= (any case, commas and spaces) removes its panel and only that one, and
    that the flag stays in the URL (copy link, reload) with no notice."""
    at = open_page("sigmoid_bce", lang, panels=False, hide=hide)
    names = {n.strip().lower() for n in hide.split(",")}
    assert _panels(at) == {k: k not in names for k in ("code", "quiz", "links", "predict")}
    assert at.query_params["hide"] == [hide] or at.query_params["hide"] == hide
    assert not any("hide" in str(c.value) for c in at.caption)
    assert not at.exception


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_name_gets_a_notice_and_the_known_ones_still_hide(lang):
    """Test that ?hide=code,charts hides the code panel and says that "charts" is not usable."""
    at = open_page("sigmoid_bce", lang, panels=False, hide="code,charts")
    assert _panels(at) == {"code": False, "quiz": True, "links": True, "predict": True}
    notice = translate(lang, "common.bad_url_value", name="hide", value="charts")
    assert any(notice in str(c.value) for c in at.caption), [c.value for c in at.caption]
