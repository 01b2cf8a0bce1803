"""AppTest: predict-then-reveal cards, the presenter's class poll and the students' /join page."""

from __future__ import annotations

import pytest

from lossviz.lessons.predict import questions
from lossviz.lessons.syllabus import LESSONS
from lossviz.text.i18n import translate
from lossviz.ui.classroom import poll_store
from tests.app.helpers import open_page, texts


def _submit(at):
    (button,) = [b for b in at.button if b.label in (translate("en", "classroom.predict_commit"),
                                                       translate("zh", "classroom.predict_commit"))]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_number_prediction_is_revealed_only_after_it_is_committed(lang):
    """Test that the true value appears only after the learner commits a guess, goes into the URL, and the
    result says how far off the guess was."""
    p = questions("sigmoid_bce")[0]
    at = open_page("sigmoid_bce", lang, panels=False)
    truth = translate(lang, "classroom.predict_number_result", guess="3", truth=p.truth_text(), diff="x", rel="y")
    assert translate(lang, p.key, **p.text_params()) in texts(at)
    assert p.truth_text() not in " ".join(str(s.value) for s in (*at.success, *at.info))
    at.number_input(key="pr_sigmoid_bce_wrong_in").set_value(3.0)
    _submit(at)
    shown = texts(at)
    assert truth.split(p.truth_text())[0] in shown and p.truth_text() in shown
    assert at.query_params["pr_sigmoid_bce_wrong"] == "3.0"


def test_a_link_with_a_committed_guess_reopens_the_reveal():
    """Test that ?pr_<page>_<qid>= reopens the card revealed (a teacher's or a forum link)."""
    p = questions("weights")[0]
    at = open_page("weights", "en", panels=False, pr_weights_recipe="2")
    assert translate("en", "classroom.predict_number_result", guess="2", truth=p.truth_text(), diff="1",
                     rel="33.3 %") in texts(at)


@pytest.mark.parametrize("raw", ["abc", "1e309", "nan", "-5"])
def test_a_bad_guess_in_a_link_gets_a_notice_and_the_card_asks(raw):
    """Test that a guess in a link that is not a number in range is refused with a notice, not a traceback."""
    at = open_page("weights", "en", panels=False, pr_weights_recipe=raw)
    assert any(raw[:40] in str(c.value) for c in at.caption)
    assert "pr_weights_recipe_in" in [n.key for n in at.number_input]


def test_a_choice_prediction_says_right_or_wrong():
    """Test that a wrong option is called wrong with the right one named, then Predict again resets."""
    p = questions("negative")[0]
    at = open_page("negative", "en", panels=False)
    at.radio(key="pr_negative_sign_in").set_value("pos")
    _submit(at)
    label = translate("en", f"{p.key}_neg", **p.text_params())
    assert translate("en", "classroom.predict_choice_wrong", guess=translate("en", f"{p.key}_pos"), truth=label) in texts(at)
    again = [b for b in at.button if b.label == translate("en", "classroom.predict_again")][0]
    again.click().run()
    assert "pr_negative_sign" not in at.query_params and "pr_negative_sign_in" in [r.key for r in at.radio]


def test_empty_commit_asks_for_a_prediction():
    """Test that committing nothing shows a message, not the answer."""
    at = open_page("softmax_ce", "en", panels=False)
    _submit(at)
    assert translate("en", "classroom.predict_empty") in [str(w.value) for w in at.warning]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_presenter_asks_the_class_and_students_see_the_question(lang):
    """Test that in presenter mode "Ask the class" opens a poll with a code and a QR code, and that /join with
    that code shows the same question in the student's language; after Reveal the student sees the answer."""
    at = open_page("softmax_ce", lang, panels=False, present="1")
    ask = [b for b in at.button if b.label == translate(lang, "classroom.poll_ask")][0]
    ask.click().run()
    assert not at.exception
    code = at.session_state["lv_poll_softmax_ce_uniform"]
    assert translate(lang, "classroom.poll_join", code=code) in texts(at)
    assert translate(lang, "classroom.poll_count", n=0) in texts(at)
    p = questions("softmax_ce")[0]
    student = open_page("classroom", "zh" if lang == "en" else "en", panels=False, code=code)
    other = "zh" if lang == "en" else "en"
    assert "**" + translate(other, p.key, **p.text_params()) + "**" in [str(m.value) for m in student.markdown]
    poll_store().reveal(code)
    student = open_page("classroom", other, panels=False, code=code)
    assert translate(other, "classroom.poll_revealed", truth=p.truth_text()) in texts(student)


@pytest.mark.parametrize("code", ["", "ZZZZZ", "<script>", "A" * 12])
def test_join_with_no_or_a_bad_code_says_so(code):
    """Test that /join without a code asks for one and with an unknown or malformed code says so."""
    at = open_page("classroom", "en", panels=False, **({"code": code} if code else {}))
    shown = texts(at)
    assert translate("en", "classroom.enter_code") in shown or translate("en", "classroom.poll_error_unknown_code") in shown
    if code:
        assert translate("en", "classroom.poll_error_unknown_code") in shown


@pytest.mark.parametrize("page", [lesson.id for lesson in LESSONS if questions(lesson.id)])
def test_every_lesson_with_a_question_shows_its_predict_first_card(page):
    """Test that each lesson whose syllabus entry has predict-first questions shows them on its page."""
    at = open_page(page, "en", panels=False)
    shown = texts(at)
    for p in questions(page):
        assert translate("en", p.key, **p.text_params()) in shown, p.key
