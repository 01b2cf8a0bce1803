"""Self-check: multiple-choice questions and do-it-on-the-page tasks, progress kept in the session."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lossviz.ui import _internals
from lossviz.ui.display import panel
from lossviz.ui.lang import presenting, t
from lossviz.ui.page import hidden


def record_tasks(page_id: str, tasks: dict[str, bool]) -> None:
    """Record the do-it-on-the-page ``tasks`` achieved now (``{tid: done_now}``); progress lives
    in the session and a done task stays done.

    For a part of a page that is an ``st.fragment``, whose reruns leave the quiz below as it was:
    a task newly done in a fragment-only run, while the quiz is open, reruns the whole page once,
    so the quiz shows it."""
    done: set[str] = st.session_state.setdefault("quiz_done", set())
    new = {f"task_{page_id}_{tid}" for tid, achieved in tasks.items() if achieved} - done
    done |= new
    if new and st.session_state.get(f"quiz_{page_id}") and _internals.in_fragment_run():
        st.rerun()


def quiz(
    page_id: str,
    questions: Sequence[tuple[str, Sequence[str], str]],
    tasks: dict[str, bool] | Sequence[str] | None = None,
) -> None:
    """Self-check: multiple-choice ``questions`` and do-it-on-the-page ``tasks``.

    ``questions``: ``(qid, option_ids, correct_option_id)``; texts are catalog keys
    ``<page>.quiz_<qid>``, ``<page>.quiz_<qid>_<opt>`` and ``<page>.quiz_<qid>_<opt>_why``.
    ``tasks``: ``{tid: done_now}`` computed by the page from its current state, or only the task
    ids when the page's fragments record them (:func:`record_tasks`); texts ``<page>.task_<tid>``
    and ``<page>.task_<tid>_done``. Progress lives in the session.
    """
    if presenting() or hidden("quiz"):
        return
    done: set[str] = st.session_state.setdefault("quiz_done", set())
    if isinstance(tasks, dict):
        record_tasks(page_id, tasks)  # recorded on every run, open or not
    total = len(questions) + len(tasks or {})
    box = panel(t("common.quiz"), key=f"quiz_{page_id}", icon="✍️")
    if not box.open:  # lazy: no radios, alerts or progress bar to send while it is closed
        return
    # a closed panel drops its radios' widget state: the picks live here, across pages too
    answers: dict[str, str] = st.session_state.setdefault("quiz_answers", {})
    with box:
        for qid, options, answer in questions:
            key = f"quiz_{page_id}_{qid}"
            pick = st.radio(
                t(f"{page_id}.quiz_{qid}"),
                options,
                index=list(options).index(answers[key]) if answers.get(key) in options else None,
                format_func=lambda o, q=qid: t(f"{page_id}.quiz_{q}_{o}"),
                key=key,
            )
            if pick is None:
                answers.pop(key, None)
            else:
                answers[key] = pick
                why = t(f"{page_id}.quiz_{qid}_{pick}_why")
                if pick == answer:
                    done.add(key)
                    st.success(t("common.quiz_right") + " " + why, icon="✅")
                else:
                    st.warning(t("common.quiz_wrong") + " " + why, icon="💡")
        for tid in tasks or {}:
            key = f"task_{page_id}_{tid}"
            if key in done:
                st.success(t(f"{page_id}.task_{tid}") + " — " + t(f"{page_id}.task_{tid}_done"), icon="🎯")
            else:
                st.info(t("common.task") + " " + t(f"{page_id}.task_{tid}"), icon="🎯")
        mine = sum(1 for k in done if k.startswith((f"quiz_{page_id}_", f"task_{page_id}_")))
        st.progress(mine / total if total else 0.0, text=t("common.quiz_progress", done=mine, total=total))
