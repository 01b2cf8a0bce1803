"""Predict, then reveal: a card in every lesson, and in presenter mode a class poll on a real database.

A learner commits a guess (kept in the URL as ``?pr_<page>_<qid>=``, so a link reproduces the card)
and only then sees the true value and how far off the guess was. In presenter mode the card asks the
class instead: a short code, a join link and its QR code (made on the server, offline), a live count
and histogram refreshed about once a second without rerunning the lesson, and "Reveal", which shows the
answer on the projector and on every student's phone (``pages/class_join.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import html
from pathlib import Path
from urllib.parse import urlsplit

import segno
import streamlit as st

from lossviz.classroom import PollError, PollKind, PollStore, normalize_code
from lossviz.lessons.predict import Prediction, questions
from lossviz.plots.classroom import poll_figure
from lossviz.text import fmt
from lossviz.ui.controls import bad_url_notice
from lossviz.ui.display import plot
from lossviz.ui.lang import presenting, t
from lossviz.ui.page import hidden

JOIN_PATH = "join"  # the students' page (hidden from the navigation)
_voter_component = st.components.v2.component(
    "lossviz_voter", js=(Path(__file__).parent / "web" / "voter.js").read_text(encoding="utf-8")
)


@st.cache_resource(show_spinner=False)
def poll_store() -> PollStore:
    """The poll store every session of this process shares (one engine, a pool of connections)."""
    return PollStore.from_env()


def _state_key(p: Prediction) -> str:
    return f"pr_{p.page}_{p.qid}"  # session key and URL parameter of the committed guess


def _committed(p: Prediction):
    """The committed guess: from this session, else from the link (a bad link value gets a notice)."""
    key = _state_key(p)
    if key not in st.session_state:
        raw = st.query_params.get(key)
        guess = None if raw is None else p.read(raw)
        if raw is not None and guess is None:
            bad_url_notice(raw, t("classroom.predict_title"))
            st.query_params.pop(key, None)
        st.session_state[key] = guess
    return st.session_state[key]


def _commit(p: Prediction, guess) -> None:
    key = _state_key(p)
    st.session_state[key] = guess
    st.query_params[key] = guess if p.is_choice else repr(float(guess))


def _forget(p: Prediction) -> None:
    st.session_state[_state_key(p)] = None
    st.query_params.pop(_state_key(p), None)


def option_label(p: Prediction, option: str) -> str:
    return t(f"{p.key}_{option}", **p.text_params())


def predict(p: Prediction) -> None:
    """The predict-then-reveal card of question ``p`` (in presenter mode: the class poll)."""
    with st.container(border=True, key=f"lv_predict_{p.page}_{p.qid}"):
        st.markdown("**🔮 " + t("classroom.predict_title") + "** — " + t(p.key, **p.text_params()))
        if presenting():
            _class_poll(p)
            return
        guess = _committed(p)
        if guess is None:
            _ask(p)
        else:
            _reveal(p, guess)


def _ask(p: Prediction) -> None:
    with st.form(f"lv_predict_form_{p.page}_{p.qid}", border=False):
        if p.is_choice:
            value = st.radio(t("classroom.predict_pick"), p.options, index=None, key=f"{_state_key(p)}_in",
                             format_func=lambda o: option_label(p, o))
        else:
            value = st.number_input(t("classroom.predict_number"), min_value=p.lo, max_value=p.hi, value=None,
                                    step=0.01, format="%g", key=f"{_state_key(p)}_in")
        if st.form_submit_button(t("classroom.predict_commit")):
            if value is None:
                st.warning(t("classroom.predict_empty"))
            else:
                _commit(p, value)
                st.rerun()


def _reveal(p: Prediction, guess) -> None:
    params = p.text_params()
    if p.is_choice:
        said, truth = option_label(p, guess), option_label(p, p.truth)
        text = t("classroom.predict_choice_right" if guess == p.truth else "classroom.predict_choice_wrong",
                 guess=said, truth=truth)
    else:
        diff, rel = p.off_by(guess)
        text = t("classroom.predict_number_result", guess=fmt.cell(guess), truth=p.truth_text(), diff=fmt.cell(diff),
                 rel="—" if rel is None else f"{100 * rel:.3g} %")
    (st.success if p.is_right(guess) else st.info)(text, icon="🎯" if p.is_right(guess) else "💡")
    st.markdown(t(f"{p.key}_why", truth=p.truth_text(), **params))
    st.button(t("classroom.predict_again"), key=f"{_state_key(p)}_again", on_click=_forget, args=(p,))


# ------------------------------------------------------------------------------------ class poll --


def _poll_key(p: Prediction) -> str:
    return f"lv_poll_{p.page}_{p.qid}"  # session key of the presenter's open poll code (and its URL parameter)


def _signed(code: str) -> str:
    """``CODE.<mac>`` for the presenter's URL: an HMAC of the code under the server's cookie secret (the
    same on every replica, deploy/run.sh), so a reload on another replica finds the poll again, and a
    student who knows the code from the projector cannot open the presenter's view and reveal early."""
    key = str(st.get_option("server.cookieSecret") or "").encode()
    return f"{code}.{hmac.new(key, f'lossviz-poll:{code}'.encode(), hashlib.sha256).hexdigest()[:20]}"


def _from_link(p: Prediction) -> str | None:
    """The open poll named by the presenter's URL (signed, live, this question), else None (and dropped)."""
    raw = st.query_params.get(_poll_key(p))
    if not raw:
        return None
    code = normalize_code(raw.partition(".")[0])
    try:
        poll = None if code is None or not hmac.compare_digest(_signed(code), raw) else poll_store().get_poll(code)
    except PollError:
        return None  # the database is down: keep the link, try again on the next run
    if poll is None or poll.question_key != p.key:
        st.query_params.pop(_poll_key(p), None)
        return None
    return poll.code


def join_url(code: str) -> str:
    """The students' link to ``code``: this server's address as the presenter's browser sees it."""
    parts = urlsplit(st.context.url or "")
    base = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{base}/{prefix + '/' if prefix else ''}{JOIN_PATH}?code={code}"


def _class_poll(p: Prediction) -> None:
    code = st.session_state.get(_poll_key(p)) or _from_link(p)
    if code is not None:
        st.session_state[_poll_key(p)] = code
    if code is None:
        if not st.button(t("classroom.poll_ask"), key=f"{_poll_key(p)}_ask", icon="🙋"):
            return
        try:
            code = poll_store().create_poll(
                p.key, lesson=p.page, options=p.options or None, min_value=None if p.is_choice else p.lo,
                max_value=None if p.is_choice else p.hi, params=dict(p.params))
        except PollError as exc:
            st.error(t(f"classroom.poll_error_{exc.reason}"))
            return
        st.session_state[_poll_key(p)] = code
        st.query_params[_poll_key(p)] = _signed(code)  # a reload (on any replica) shows this poll again
        st.rerun()  # the page again, without the button
    url = join_url(code)
    qr, info = st.columns([1, 2])
    uri = segno.make(url, error="m").svg_data_uri(scale=6, border=2, dark="#000", light="#fff")
    qr.html(f'<img src="{uri}" alt="{html.escape(t("classroom.poll_qr_alt", url=url), quote=True)}" '
            'style="width:100%;max-width:16rem;image-rendering:pixelated">')
    info.markdown(t("classroom.poll_join", code=code))
    info.html(f'<p style="overflow-wrap:anywhere"><code>{html.escape(url)}</code></p>')
    _poll_live(p, code)


@st.fragment(run_every=1.0)
def _poll_live(p: Prediction, code: str) -> None:
    store = poll_store()
    try:
        poll = store.get_poll(code)
        if poll is None:
            st.warning(t("classroom.poll_error_expired"))
            return
        hist = store.histogram(code)
    except PollError as exc:
        st.warning(t(f"classroom.poll_error_{exc.reason}"))
        return
    if poll.kind is PollKind.CHOICE:
        bars = [option_label(p, o) for o in hist.labels]
        truth_bar = hist.labels.index(p.truth) if poll.revealed else None
    else:
        bars = [f"{fmt.cell(a)} – {fmt.cell(b)}" for a, b in zip(hist.edges, hist.edges[1:], strict=False)]
        truth_bar = _bin_of(hist.edges, float(p.truth)) if poll.revealed else None
    st.markdown(t("classroom.poll_count", n=hist.total))
    counts = ", ".join(f"{b}: {c}" for b, c in zip(bars, hist.counts, strict=True))
    summary = t("classroom.poll_summary", n=hist.total, counts=counts)
    plot(poll_figure(bars, hist.counts, labels={"title": t("classroom.poll_chart"), "x": t("classroom.poll_answer"),
                                                   "y": t("classroom.poll_students")}, truth_bar=truth_bar),
         f"lv_poll_chart_{p.page}_{p.qid}", summary)
    if poll.revealed:
        st.success(t("classroom.poll_revealed", truth=truth_label(p)), icon="🎯")
        st.markdown(t(f"{p.key}_why", truth=p.truth_text(), **p.text_params()))
        if hist.mean is not None:
            st.caption(t("classroom.poll_mean", mean=fmt.cell(hist.mean)))
    elif st.button(t("classroom.poll_reveal"), key=f"{_poll_key(p)}_reveal", icon="👀"):
        store.reveal(code)
        st.rerun(scope="fragment")


def _bin_of(edges, value: float) -> int | None:
    for i in range(len(edges) - 1):
        if edges[i] <= value < edges[i + 1] or (i == len(edges) - 2 and value == edges[-1]):
            return i
    return None


def truth_label(p: Prediction) -> str:
    return option_label(p, p.truth) if p.is_choice else p.truth_text()


def voter_id() -> str | None:
    """This browser's random token (None on the very first run, before the browser has answered)."""
    result = _voter_component(key="lv_voter", data={}, on_voter_change=lambda: None)
    voter = getattr(result, "voter", None)
    return voter if isinstance(voter, str) and 8 <= len(voter) <= 128 else None


def read_code(raw: object) -> str | None:
    return normalize_code(raw)


def predict_first(page_id: str) -> None:
    """Every predict-first card of the lesson ``page_id`` (none for a page without questions, or with
    ``?hide=predict``)."""
    if hidden("predict"):
        return
    for p in questions(page_id):
        predict(p)
