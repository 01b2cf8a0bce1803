"""AppTest: the code panel and the quiz are lazy — closed, they send nothing; opened, they work."""

from __future__ import annotations

from lossviz.lessons.syllabus import by_id
from lossviz.text.i18n import translate
from tests.app.helpers import open_page


def _expander_labels(at) -> list[str]:
    return [e.label for e in at.expander]


def test_closed_panels_send_no_code_and_no_quiz():
    """Test that a first visit shows both panel headers but neither the snippet nor the questions."""
    at = open_page("sigmoid_bce", "en", panels=False)
    labels = _expander_labels(at)
    assert translate("en", "common.code_panel") in labels and translate("en", "common.quiz") in labels
    assert len(at.code) == 0
    assert not [r for r in at.radio if r.key and r.key.startswith("quiz_")]


def test_opening_the_code_panel_runs_the_snippet():
    """Test that opening the code panel (what a click does) shows the snippet and torch's printed output."""
    at = open_page("bce_vs_logits", "en", panels=False)
    at.session_state["lv_code"] = True
    at.run()
    assert not at.exception
    assert at.code[0].value.startswith("import torch")
    assert "0.8354646" in at.code[1].value  # the seed's mean, printed by torch itself


def test_quiz_answer_survives_closing_and_reopening():
    """Test that a picked answer and its feedback are still there after the quiz is closed and opened again."""
    at = open_page("ce_vs_bce", "en")
    at.radio(key="quiz_ce_vs_bce_q1").set_value("a").run()
    feedback = [a.value for a in at.success] + [a.value for a in at.warning]
    assert feedback
    at.session_state["quiz_ce_vs_bce"] = False
    at.run()
    assert not [r for r in at.radio if r.key == "quiz_ce_vs_bce_q1"]
    at.session_state["quiz_ce_vs_bce"] = True
    at.run()
    assert at.radio(key="quiz_ce_vs_bce_q1").value == "a"
    assert [a.value for a in at.success] + [a.value for a in at.warning] == feedback


def test_task_done_while_the_quiz_is_closed_counts():
    """Test that a task completed with the quiz closed shows as done when the quiz is opened."""
    at = open_page("weights", "en", panels=False)
    done = translate("en", "weights.task_balance_done")
    at.slider(key="wt_pw").set_value(3.0).run()
    assert not any(done in s.value for s in at.success)
    at.session_state["quiz_weights"] = True
    at.run()
    assert any(done in s.value for s in at.success)


def test_task_recorded_inside_a_fragment_shows_in_the_quiz_below_it():
    """Test that lesson 1's task t1, recorded by its one-logit fragment, shows as done in the quiz
    (which is outside the fragment) once the gradient vanishes for a soft label."""
    at = open_page("sigmoid_bce", "en")
    done = translate("en", "sigmoid_bce.task_t1_done")
    assert not any(done in s.value for s in at.success)
    at.slider(key="sb_y").set_value(0.5).run()
    at.slider(key="sb_x").set_value(0.0).run()
    assert not at.exception
    assert any(done in s.value for s in at.success)


def _open_panels(at) -> dict[str, bool]:
    return {e.label: e.proto.expanded for e in at.expander}


def test_open_panels_stay_open_through_a_language_switch_and_closed_ones_closed():
    """Test that the code panel and the quiz, opened in English, are still open (snippet run, questions
    shown) once the page is Chinese, and that a panel closed afterwards stays closed through the next step."""
    at = open_page("bce_vs_logits", "en", panels=False)
    at.session_state["lv_code"] = True
    at.session_state["quiz_bce_vs_logits"] = True
    at.run()
    at.query_params["lang"] = "zh"  # what the language switch's callback writes
    at.run()
    assert not at.exception
    assert _open_panels(at) == {translate("zh", "common.code_panel"): True, translate("zh", "common.quiz"): True}
    assert at.code[0].value.startswith("import torch")
    assert [r for r in at.radio if r.key and r.key.startswith("quiz_")]
    at.session_state["lv_code"] = False
    at.run()
    at.slider(key="bl_scale").set_value(3.0).run()
    assert _open_panels(at)[translate("zh", "common.code_panel")] is False and len(at.code) == 0


def test_a_panel_is_remembered_per_page():
    """Test that the code panel opened on one page is closed on the next page and still open back on the first."""
    at = open_page("sigmoid_bce", "en", panels=False)
    at.session_state["lv_code"] = True
    at.run()
    at.switch_page(by_id("bce_vs_logits").file).run()
    assert not at.exception and len(at.code) == 0
    at.switch_page(by_id("sigmoid_bce").file).run()
    assert not at.exception and at.code[0].value.startswith("import torch")
