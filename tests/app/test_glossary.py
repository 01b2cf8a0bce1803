"""AppTest of the glossary page."""

import pytest

from lossviz.lessons.glossary import AVOID_ZH, TERMS
from lossviz.text.i18n import catalog
from tests.app.helpers import open_page, texts


def _table(at) -> str:
    return "\n".join(m.value for m in at.markdown if m.value.startswith("| "))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_glossary_runs_and_lists_every_term_in_both_languages(lang):
    """Test that every term appears with its English and Chinese name and a definition in the page's language."""
    at = open_page("glossary", lang)
    table = _table(at)
    assert table.count("\n") == len(TERMS) + 1  # header, rule, one row per term
    for term, _ in TERMS:
        assert catalog("en")[f"glossary.term_{term}"] in table
        assert catalog("zh")[f"glossary.term_{term}"] in table
        assert catalog(lang)[f"glossary.def_{term}"].replace("|", "\\|") in table
    for en, zh in [("logit", "logit（对数几率）"), ("binary cross-entropy", "二元交叉熵"), ("label smoothing", "标签平滑")]:
        assert f"**{en}**<br>{zh}" in table
    avoid = catalog(lang)["glossary.avoid"].format(variants="、".join(AVOID_ZH["logit"]))
    assert f"**logit**<br>logit（对数几率）<br><small>{avoid}</small> |" in table  # the variants not to use


def test_search_filters_the_table():
    """Test that the search box keeps only matching terms, in either language."""
    at = open_page("glossary", "en")
    at.text_input(key="gl_q").set_value("归约").run()
    assert not at.exception
    rows = [r for r in _table(at).splitlines()[2:]]
    assert len(rows) == 1 and "**reduction**" in rows[0]
    assert f"1 of {len(TERMS)} terms" in texts(at)


def test_search_finds_a_term_by_a_variant_it_replaces():
    """Test that a learner who searches an avoided variant (逻辑值) finds the term that replaces it (logit)."""
    at = open_page("glossary", "zh", gl_q="逻辑值")
    rows = _table(at).splitlines()[2:]
    assert len(rows) == 1 and "**logit**<br>logit（对数几率）" in rows[0]


def test_search_without_match_says_so():
    """Test that a search with no match gives a translated hint instead of an empty table."""
    at = open_page("glossary", "zh", gl_q="zzzz")
    assert not _table(at)
    assert "没有术语匹配" in texts(at)


def test_search_text_from_a_link_is_shown_as_plain_text():
    """Test that a crafted ?gl_q= cannot put a Markdown link on the page."""
    at = open_page("glossary", "en", gl_q="[click](http://example.com)")
    info = " ".join(i.value for i in at.info)
    assert "click http://example.com" in info and "](" not in info
