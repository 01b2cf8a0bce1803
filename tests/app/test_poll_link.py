"""AppTest: the presenter's open poll lives in the URL too (signed), so a reload on any replica shows it again."""

from __future__ import annotations

from lossviz.lessons.predict import questions
from lossviz.text.i18n import translate
from lossviz.ui.classroom import _signed, poll_store
from tests.app.helpers import open_page, texts

KEY = "lv_poll_softmax_ce_uniform"


def _ask(at):
    [b for b in at.button if b.label == translate("en", "classroom.poll_ask")][0].click().run()
    assert not at.exception
    return at.session_state[KEY]


def _asks(at) -> bool:
    return any(b.label == translate("en", "classroom.poll_ask") for b in at.button)


def test_a_reload_of_the_presenters_link_shows_the_same_poll():
    """Test that "Ask the class" puts CODE.<signature> in the URL, and a new session with that URL (a reload,
    perhaps on another replica) shows the same poll with its count instead of the Ask button."""
    at = open_page("softmax_ce", "en", panels=False, present="1")
    code = _ask(at)
    link = at.query_params[KEY]
    link = link[0] if isinstance(link, list) else link
    assert link.startswith(code + ".") and len(link) > len(code) + 10
    poll_store().answer(code, "voter-token-1", 1.5)
    again = open_page("softmax_ce", "en", panels=False, present="1", **{KEY: link})
    assert not _asks(again)
    assert again.session_state[KEY] == code
    shown = texts(again)
    assert translate("en", "classroom.poll_join", code=code) in shown
    assert translate("en", "classroom.poll_count", n=1) in shown


def test_a_code_without_the_signature_or_of_another_question_is_not_adopted():
    """Test that a student who knows the code from the projector cannot open the presenter's view of it (no or a
    wrong signature), and that a signed link of another question's poll is ignored: the Ask button shows."""
    at = open_page("softmax_ce", "en", panels=False, present="1")
    code = _ask(at)
    link = at.query_params[KEY]
    link = link[0] if isinstance(link, list) else link
    other = poll_store().create_poll(questions("train")[0].key, lesson="train", min_value=0.0, max_value=5.0)
    assert _signed(code) == link  # the same server secret in this process
    for raw in (code, code + ".0000", code + "." + "f" * 20, link.replace(code, other), _signed(other), "<b>x</b>"):
        fresh = open_page("softmax_ce", "en", panels=False, present="1", **{KEY: raw})
        assert _asks(fresh), raw
        assert KEY not in fresh.session_state or fresh.session_state[KEY] is None
        assert not fresh.exception
