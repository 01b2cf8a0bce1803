"""The class poll on a student's phone: the code from the projector, one answer, then the reveal."""

import streamlit as st

from lossviz import ui
from lossviz.classroom import AnswerStatus, PollError
from lossviz.lessons.predict import Prediction, questions
from lossviz.ui import classroom

t = ui.t
ui.page_setup("classroom")
ui.prose("classroom_join")
code = classroom.read_code(ui.text("code", t("classroom.code_label"), max_chars=12))
raw = st.query_params.get("code")


ANSWERED_HERE = "cj_answered"  # session key: the code this session answered


def find_poll(code: str):
    """The live poll, or the store's error saying why not (unknown code, expired, unavailable)."""
    store = classroom.poll_store()
    poll = store.get_poll(code)
    if poll is None:
        store.is_revealed(code)  # raises PollNotFound or PollExpired: the reason the student reads
        raise PollError(f"poll {code} went away", code)
    return poll


def question(poll) -> Prediction | None:
    """The poll's question as its lesson defines it: texts from the catalogs and the true value from
    lossviz, never from the request or the database."""
    return next((q for q in questions(poll.lesson) if q.key == poll.question_key), None)


@st.fragment(run_every=2.0)
def wait_for_reveal(p: Prediction, code: str) -> None:
    try:
        revealed = classroom.poll_store().is_revealed(code)
    except PollError as exc:
        st.warning(t(f"classroom.poll_error_{exc.reason}"))
        return
    if revealed:
        st.success(t("classroom.poll_revealed", truth=classroom.truth_label(p)), icon="🎯")
        st.markdown(t(f"{p.key}_why", truth=p.truth_text(), **p.text_params()))
    else:
        st.caption("⏳ " + t("classroom.waiting"))


def answer_form(p: Prediction, code: str, voter: str) -> None:
    with st.form("cj_form", border=False):
        if p.is_choice:
            value = st.radio(t("classroom.predict_pick"), p.options, index=None, key="cj_pick",
                             format_func=lambda o: classroom.option_label(p, o))
        else:
            value = st.number_input(t("classroom.predict_number"), min_value=p.lo, max_value=p.hi, value=None,
                                    step=0.01, format="%g", key="cj_number")
        if not st.form_submit_button(t("classroom.send")):
            return
    if value is None:
        st.warning(t("classroom.predict_empty"))
        return
    try:
        result = classroom.poll_store().answer(code, voter, value)
    except PollError as exc:
        st.warning(t(f"classroom.poll_error_{exc.reason}"))
        return
    if result.status is AnswerStatus.ALREADY_ANSWERED:
        st.info(t("classroom.already"))
    else:
        st.session_state[ANSWERED_HERE] = code  # this session sent it: "thanks", not "already"
        st.rerun()


if code is None:
    if raw:
        st.warning(t("classroom.poll_error_unknown_code"))
    st.info(t("classroom.enter_code"))
else:
    try:
        poll = find_poll(code)
        p = question(poll)
        if p is None:
            st.error(t("classroom.poll_error_unknown_code"))
    except PollError as exc:  # unknown, expired, database down: a message, never a traceback
        poll = p = None
        st.warning(t(f"classroom.poll_error_{exc.reason}"))
    if p is not None:
        st.markdown("**" + t(p.key, **p.text_params()) + "**")
        voter = classroom.voter_id()
        try:
            answered = voter is not None and classroom.poll_store().has_answered(code, voter)
        except PollError as exc:
            answered = None
            st.warning(t(f"classroom.poll_error_{exc.reason}"))
        if voter is None:
            st.caption(t("classroom.connecting"))
        elif answered is None:
            pass
        elif answered:
            if st.session_state.get(ANSWERED_HERE) == code:
                st.success(t("classroom.thanks"), icon="✅")
            else:  # a reload or another tab of a browser that answered: its first answer counts
                st.info(t("classroom.already"), icon="✅")
        elif not poll.revealed:
            answer_form(p, code, voter)
        wait_for_reveal(p, code)
