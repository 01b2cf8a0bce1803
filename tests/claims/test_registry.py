"""Every sentence a learner reads is registered: backed by a test that computes its claim in torch,
or marked as having no computable claim, with the reason.

``tests/claims/registry/<section>.toml`` has one entry per catalog key of that section (the key without
its ``<section>.`` prefix) and one per prose file of that section (``"prose:<name>"``):

    takeaway_1 = ["tests/claims/test_bce_vs_logits.py::test_naive_reports_100_only_for_y0"]
    title = "no computable claim: a title"

A prose file belongs to the section its name starts with (``bce_vs_logits_intro`` → bce_vs_logits).
New text cannot skip this: a key or prose file without an entry fails here, and so does an entry
whose test does not exist."""

from __future__ import annotations

import ast
import tomllib
from functools import cache
from pathlib import Path

import pytest

from lossviz.text.i18n import LOCALES, catalog

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = Path(__file__).parent / "registry"
NO_CLAIM = "no computable claim"


def _sections() -> list[str]:
    return sorted(p.stem for p in (LOCALES / "en").glob("*.toml"))


def _prose_section(name: str, sections: list[str]) -> str:
    return max((s for s in sections if name == s or name.startswith(s + "_")), key=len, default="common")


def _expected(section: str) -> set[str]:
    sections = _sections()
    keys = {k[len(section) + 1:] for k in catalog("en") if k.split(".", 1)[0] == section}
    prose = {f"prose:{p.stem}" for p in (LOCALES / "en" / "prose").glob("*.md") if _prose_section(p.stem, sections) == section}
    return keys | prose


def _registry(section: str) -> dict:
    path = REGISTRY / f"{section}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


@cache
def _test_names(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test"))


@pytest.mark.parametrize("section", _sections())
def test_every_text_key_is_registered(section):
    """Test that every catalog key and prose file of a section has a registry entry, and nothing more."""
    reg = _registry(section)
    missing = sorted(_expected(section) - set(reg))
    extra = sorted(set(reg) - _expected(section))
    assert not missing, f"{section}: no registry entry for {missing[:20]} ({len(missing)} in all)"
    assert not extra, f"{section}: registry entries for text that does not exist: {extra[:20]}"


@pytest.mark.parametrize("section", _sections())
def test_every_registered_test_exists(section):
    """Test that each entry is a non-empty list of existing tests or a reasoned "no computable claim"."""
    for key, entry in _registry(section).items():
        if isinstance(entry, str):
            assert entry.startswith(NO_CLAIM + ": ") and len(entry) > len(NO_CLAIM) + 3, f"{section}.{key}: {entry!r}"
            continue
        assert isinstance(entry, list) and entry, f"{section}.{key}: empty entry"
        for node in entry:
            path, _, name = node.partition("::")
            assert (ROOT / path).is_file(), f"{section}.{key}: no file {path}"
            assert name.split("[")[0] in _test_names(path), f"{section}.{key}: no test {node}"


def test_registry_counts(capsys):
    """Test that the registry has no file for a section that does not exist; print the counts."""
    assert {p.stem for p in REGISTRY.glob("*.toml")} <= set(_sections())
    backed = sum(1 for s in _sections() for e in _registry(s).values() if isinstance(e, list))
    plain = sum(1 for s in _sections() for e in _registry(s).values() if isinstance(e, str))
    with capsys.disabled():
        print(f"\nclaims registry: {backed} keys backed by a test, {plain} with no computable claim")
