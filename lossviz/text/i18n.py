"""Translations: per-language keyed catalogs and prose files, and ``translate``.

Layout (one folder per language, identical file names in each)::

    lossviz/locales/<lang>/<section>.toml   short UI strings; key "<section>.<name>"
    lossviz/locales/<lang>/prose/<name>.md  lesson prose (Markdown, may hold LaTeX)

A section per lesson keeps each lesson's strings together; all sections of a language
form its one catalog. Missing keys fall back to English, then to the key itself, so a
gap is visible but never crashes a page. No streamlit here: pages use ``lossviz.ui.t``.
"""

from __future__ import annotations

import functools
import string
import tomllib
from pathlib import Path

LOCALES = Path(__file__).parent.parent / "locales"
LANGS: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANG = "en"


def normalize_lang(value: object) -> str | None:
    """``"zh-CN"`` → ``"zh"``, ``"en_US"`` → ``"en"``; None for anything unsupported."""
    if not isinstance(value, str) or not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGS else None


def _flatten(table: dict, prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full))
        else:
            out[full] = str(value)
    return out


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """Every short string of ``lang``, keyed ``"<section>.<name>"``."""
    out: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.toml")):
        with path.open("rb") as fh:
            out.update(_flatten(tomllib.load(fh), path.stem))
    return out


def placeholders(template: str) -> set[str]:
    """The ``{named}`` fields of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def translate(lang: str, key: str, /, **fmt: object) -> str:
    """The string for ``key`` in ``lang`` (English, then the key, as fallbacks), formatted.

    >>> translate("en", "no.such.key")
    'no.such.key'
    """
    template = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    if not fmt:
        return template
    try:
        return template.format(**fmt)
    except (KeyError, IndexError, ValueError):
        return template


@functools.cache
def prose(lang: str, name: str) -> str:
    """The Markdown of ``prose/<name>.md`` in ``lang`` (English as fallback, else empty)."""
    for code in (lang, DEFAULT_LANG):
        path = LOCALES / code / "prose" / f"{name}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""
