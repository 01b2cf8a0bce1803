"""The language (English / 简体中文): kept in ``?lang=``, chosen in the sidebar, used by ``t``."""

from __future__ import annotations

import streamlit as st

from lossviz.text.i18n import DEFAULT_LANG, LANGS, normalize_lang, translate
from lossviz.text.i18n import prose as _prose
from lossviz.ui import _internals

LANG_KEY = "ui_lang"  # session key of the language selector widget
LANG_MEMORY = "lv_lang"  # plain session key: the language last in use


def lang() -> str:
    """The current language: ``?lang=`` if valid, else the last choice, else the browser's.

    Worked out once per script run (every ``t()`` asks; ~14 µs each through Streamlit's proxies,
    ~120 times per rerun on a lesson). It cannot change within a run: the language switch's
    callback runs before the script, and ``sync_language`` only writes back this same value."""
    return _internals.per_run("_lv_lang", _resolve_lang)


def _resolve_lang() -> str:
    from_url = normalize_lang(st.query_params.get("lang"))
    if from_url:
        return from_url
    chosen = st.session_state.get(LANG_MEMORY)
    if chosen in LANGS:
        return chosen
    try:
        locale = st.context.locale
    except Exception:  # no browser context (AppTest, bare script run)
        locale = None
    return normalize_lang(locale) or DEFAULT_LANG


def t(key: str, /, **fmt_args: object) -> str:
    """Translate ``key`` into the current language."""
    return translate(lang(), key, **fmt_args)


def prose(name: str) -> None:
    """Render the Markdown prose file ``name`` in the current language."""
    text = _prose(lang(), name)
    if text:
        st.markdown(text)


def _on_language_change() -> None:
    st.query_params["lang"] = st.session_state[LANG_MEMORY] = st.session_state[LANG_KEY]


def sync_language() -> str:
    """Resolve the language, keep it in the URL and in the selector's state; return it."""
    current = lang()
    bad = st.query_params.get("lang")
    if bad is not None and normalize_lang(bad) is None:
        st.toast(translate(current, "common.bad_lang", value=str(bad)[:40]))
    if st.query_params.get("lang") != current:
        st.query_params["lang"] = current
    st.session_state[LANG_MEMORY] = current
    return current


def language_selector() -> None:
    """The English / 简体中文 switch (in the sidebar); the choice goes into ``?lang=``."""
    current = sync_language()
    if st.session_state.get(LANG_KEY) != current:
        st.session_state[LANG_KEY] = current  # before the widget exists: allowed
    with _internals.main_script_widget_ids():
        st.sidebar.segmented_control(
            "Language · 语言",
            options=list(LANGS),
            format_func=LANGS.__getitem__,
            key=LANG_KEY,
            on_change=_on_language_change,
            selection_mode="single",
            required=True,
        )


def presenting() -> bool:
    """``?present=1``: classroom presenter mode."""
    return st.query_params.get("present") in ("1", "true", "yes")


def _on_presenter_change() -> None:
    if st.session_state["ui_present"]:
        st.query_params["present"] = "1"
    else:
        st.query_params.pop("present", None)


def presenter_toggle() -> None:
    """The sidebar switch for ``?present=1`` (kept in the URL as ``1``, so teachers can link it)."""
    st.session_state["ui_present"] = presenting()
    with _internals.main_script_widget_ids():
        st.sidebar.toggle(
            t("common.present"), key="ui_present", help=t("common.present_help"), on_change=_on_presenter_change
        )
