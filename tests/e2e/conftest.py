"""Real-browser fixtures: one Streamlit server on a free port, one headless Debian Chromium.

Never ``playwright install``: the browser is Debian's ``/usr/bin/chromium`` (``make test``
installs it). A missing browser is a failure, not a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT = 90.0  # seconds until /_stcore/health answers
RUN_TIMEOUT = 60_000  # ms until a page has finished running

E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e is a real-browser test: mark it ``e2e``."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LOGS: list[Path] = []  # server logs, newest last: failures quote the last traceback


def log_mark() -> int:
    """The newest server log's current size (pass to ``last_traceback``)."""
    return _LOGS[-1].stat().st_size if _LOGS and _LOGS[-1].is_file() else 0


def last_traceback(since: int = 0) -> str:
    """The last Python traceback in the newest server log after byte ``since`` ('' if none)."""
    if not _LOGS or not _LOGS[-1].is_file():
        return ""
    with _LOGS[-1].open("rb") as fh:
        fh.seek(since)
        text = fh.read().decode("utf-8", errors="replace")
    i = text.rfind("Traceback (most recent call last)")
    return "" if i < 0 else text[i : i + 3000]


class StreamlitServer:
    """The app as ``make run`` starts it (``lossviz.ui.launch``), in a subprocess; ``restart()`` keeps the port."""

    def __init__(self, port: int | None = None, log_path: Path | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.env = dict(env or {})  # extra environment, e.g. LOSSVIZ_DATA_DIR (the poll store's temp dir)
        self.base_url = f"http://localhost:{self.port}"
        self.log_path = log_path or Path(f"/tmp/lossviz_e2e_{self.port}.log")
        self.proc: subprocess.Popen | None = None
        _LOGS.append(self.log_path)

    def start(self) -> None:
        log = self.log_path.open("ab")
        cmd = [
            sys.executable, "-m", "lossviz.ui.launch",  # what `make run` starts
            "--server.port", str(self.port),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        self.wait_healthy()

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        url = f"{self.base_url}/_stcore/health"
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{url} did not answer within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        """Terminate and start again on the same port; return once healthy."""
        self.stop()
        self.start()


class ScriptServer(StreamlitServer):
    """The shared server class running another script (``streamlit run``) from ``cwd``: a test harness from the
    project root (its config and package), or a bare baseline app from its own folder (Streamlit's defaults)."""

    def __init__(self, script: Path, cwd: Path = ROOT) -> None:
        super().__init__()
        self.script, self.cwd = script, cwd

    def start(self) -> None:
        log = self.log_path.open("ab")
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(self.port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        self.wait_healthy()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One LossViz server for the whole e2e session; its poll store is a SQLite file in a temp dir
    (``server.data_dir``), never the checkout's ``./data``."""
    data_dir = tmp_path_factory.mktemp("lossviz_data")
    srv = StreamlitServer(env={"LOSSVIZ_DATA_DIR": str(data_dir), "LOSSVIZ_DATABASE_URL": ""})
    srv.data_dir = data_dir
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, shared by every e2e test."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make dev-setup` (apt-get install chromium); never `playwright install`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def context(browser):
    """A fresh browser context (own cookies and storage) per test, desktop size."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    ctx.set_default_timeout(RUN_TIMEOUT)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context):
    """A fresh tab in a fresh context."""
    return context.new_page()


_FINISHED_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || !document.querySelector('[data-testid=stAppViewContainer]')) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  return !document.querySelector('[data-testid=stStatusWidget]');
}"""


def wait_finished(page, timeout: float = RUN_TIMEOUT, settle_ms: int = 300) -> None:
    """Wait until the app has finished running (again ``settle_ms`` later: a rerun can follow)."""
    page.wait_for_function(_FINISHED_JS, timeout=timeout)
    page.wait_for_timeout(settle_ms)
    page.wait_for_function(_FINISHED_JS, timeout=timeout)


def main_text(page) -> str:
    """The visible text of the page's main area."""
    return page.locator("[data-testid=stMain]").inner_text()


def wait_text(page, text: str, timeout: float = 8_000) -> None:
    """Wait until the main area shows ``text``, without a reload (fragments rerun on their own)."""
    try:
        page.wait_for_function(
            "t => (document.querySelector('[data-testid=stMain]') || {innerText: ''}).innerText.includes(t)",
            arg=text, timeout=timeout)
    except Exception as exc:  # playwright TimeoutError
        raise AssertionError(f"{page.url}: {text!r} not shown within {timeout} ms; shown:\n{main_text(page)[:1500]}") from exc


def assert_no_exception(page, since: int = 0) -> None:
    """No Streamlit exception box on the page (quoting the server's traceback if there is one)."""
    n = page.locator("[data-testid=stException]").count()
    if n:
        shown = " | ".join(page.locator("[data-testid=stException]").all_inner_texts())[:500]
        raise AssertionError(f"{page.url}: {n} exception(s) shown: {shown}\nserver log:\n{last_traceback(since)}")


# LossViz's own stylesheet is in the page (ui.page_setup's st.html, lossviz/ui/style.css)
_PAGE_CSS_JS = "() => [...document.querySelectorAll('style')].some((s) => s.textContent.includes('.lv-metrics{'))"


def open(page, url: str, *, timeout: float = RUN_TIMEOUT, page_css: bool = True):  # noqa: A001 - the brief's name
    """Navigate to ``url``, wait until the app has finished running, assert no exception.

    ``page_css``: also wait for LossViz's stylesheet. It comes in an ``st.html`` element that runs
    scripts, which Streamlit inserts a moment after the run has finished on a fresh tab: a test that
    measured computed styles at once saw unstyled metric rows about one run in five (off for apps
    that are not LossViz: the bare Streamlit baseline, the drag harness)."""
    mark = log_mark()
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    page.wait_for_selector("[data-testid=stAppViewContainer]", timeout=timeout)
    wait_finished(page, timeout)
    if page_css:
        page.wait_for_function(_PAGE_CSS_JS, timeout=timeout)
    assert_no_exception(page, mark)
    return page


open_app = open


def h1(page) -> str:
    """The page title's text ('' if none)."""
    loc = page.locator("[data-testid=stMain] h1")
    return loc.first.inner_text().strip() if loc.count() else ""


def nav_labels(page) -> list[str]:
    """The sidebar navigation link labels, in order (lossviz.ui.page.sidebar_nav's page links).

    Streamlit loads its page-link component on first use: on a fresh tab the links appear a moment
    (~250 ms) after the run has finished, so wait for the first one (none at all: [])."""
    loc = page.locator("[data-testid=stSidebar] .st-key-lv_nav [data-testid=stPageLink-NavLink] [data-testid=stMarkdownContainer]")
    if page.locator("[data-testid=stSidebar] .st-key-lv_nav").count():
        try:
            loc.first.wait_for(state="attached", timeout=5_000)
        except Exception:  # playwright TimeoutError: no links
            return []
    return [loc.nth(i).inner_text().strip() for i in range(loc.count())]


def selected_language(page, timeout: float = 3_000) -> str:
    """The label of the selected option of the language switch ('' if none within ``timeout`` ms).

    Right after a run the switch can show no selection for a moment (measured < 200 ms) while
    the frontend applies the widget's value; a selection that never appears reads as ''.
    """
    buttons = "[data-testid=stSidebar] [data-testid=stButtonGroup] button"
    checked = f"{buttons}[aria-checked=true], {buttons}[aria-pressed=true]"
    try:
        page.wait_for_selector(checked, timeout=timeout)
    except Exception:  # playwright TimeoutError: nothing selected
        return ""
    return page.locator(checked).first.inner_text().strip()


def switch_language(page, label: str, lang: str, timeout: float = 15_000) -> None:
    """Click ``label`` on the sidebar language switch; wait for ``?lang=<lang>``, the rerun and the selection.

    Fails (timeout) if the switch never shows ``label`` as selected.
    """
    page.locator("[data-testid=stSidebar] [data-testid=stButtonGroup] button", has_text=label).click()
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('lang') === '{lang}'", timeout=timeout)
    wait_finished(page)
    try:
        page.wait_for_function(
            """(label) => [...document.querySelectorAll('[data-testid=stSidebar] [data-testid=stButtonGroup] button')]
                 .some(b => (b.getAttribute('aria-checked') === 'true' || b.getAttribute('aria-pressed') === 'true')
                            && b.innerText.trim() === label)""",
            arg=label,
            timeout=timeout,
        )
    except Exception as exc:  # playwright TimeoutError
        raise AssertionError(f"the language switch does not show {label!r} as selected after the click") from exc
    assert_no_exception(page)
