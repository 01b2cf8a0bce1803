"""House rules a tool checks: file sizes here; ruff the streamlit boundary (TID251) and line length (E501)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400


def _python_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.py"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    return [ROOT / f for f in out if not f.startswith("tests/") and (ROOT / f).is_file()]


def test_no_python_file_outside_tests_passes_400_lines():
    """Test that every Python file outside tests/ has at most 400 lines (split along its seams instead)."""
    files = _python_files()
    assert len(files) > 50, "the file listing found too few files to mean anything"
    long = {str(f.relative_to(ROOT)): n for f in files if (n := len(f.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"over {MAX_LINES} lines: {long}"


def test_streamlit_boundary_is_checked_by_ruff():
    """Test that ruff's banned-api rule flags a streamlit import in lossviz/core (and not in lossviz/ui)."""
    probe = "import streamlit as st\nfrom streamlit.runtime import Runtime\n"
    ruff = [str(ROOT / ".venv" / "bin" / "ruff"), "check", "--no-cache", "--stdin-filename"]
    core = subprocess.run([*ruff, "lossviz/core/probe.py", "-"], cwd=ROOT, input=probe, capture_output=True, text=True)
    ui = subprocess.run([*ruff, "lossviz/ui/probe.py", "-"], cwd=ROOT, input=probe, capture_output=True, text=True)
    assert core.stdout.count("TID251") == 2, core.stdout
    assert "TID251" not in ui.stdout, ui.stdout


def test_line_length_is_checked_by_ruff_in_the_app_code():
    """Test that ruff's E501 flags a 121-column line in pages/, lossviz/ and app.py, and not in tests/ or bench/."""
    probe = "X = '" + "x" * 115 + "'\n"
    assert len(probe.rstrip("\n")) == 121
    ruff = [str(ROOT / ".venv" / "bin" / "ruff"), "check", "--no-cache", "--select", "E501", "--stdin-filename"]

    def flagged(path: str) -> bool:
        out = subprocess.run([*ruff, path, "-"], cwd=ROOT, input=probe, capture_output=True, text=True).stdout
        return "E501" in out

    assert all(flagged(p) for p in ("pages/probe.py", "lossviz/lessons/probe.py", "lossviz/ui/probe.py", "app.py"))
    assert not any(flagged(p) for p in ("tests/unit/probe.py", "bench/probe.py"))
