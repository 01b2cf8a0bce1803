"""Two LossViz replicas behind nginx (deploy/run.sh): sticky sessions, deep links, failover.

Loopback only. Needs Debian's nginx (`apt-get install -y nginx`; `make dev-setup` installs it):
without it this test FAILS on purpose, it does not skip.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 240  # two Streamlit servers + nginx on a busy 2-core machine

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with run_cluster(2, env={"LOSSVIZ_DATA_DIR": str(tmp_path_factory.mktemp("lossviz_data"))}) as c:
        yield c


@contextlib.contextmanager
def run_cluster(n: int = 2, env: dict[str, str] | None = None):
    """``deploy/run.sh n`` on a free port (``env`` added to its environment), until the block ends.

    Yields ``{"url", "replicas": {"127.0.0.1:port": pid}, "access_log", "store"}`` (``store``: the
    poll store line run.sh printed)."""
    assert shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK), (
        "nginx is missing: apt-get install -y nginx")
    port = _free_port()
    proc = subprocess.Popen(["bash", str(ROOT / "deploy" / "run.sh"), str(n), str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            env={**os.environ, "LOSSVIZ_DATABASE_URL": "", **(env or {})})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    replicas: dict[str, int] = {}  # "127.0.0.1:port" → pid
    access_log = None
    store = ""
    out: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                assert proc.poll() is None, "deploy/run.sh exited:\n" + "".join(out)
                continue
            out.append(line)
            if m := re.match(r"replica \d+: http://(127\.0\.0\.1:\d+) pid (\d+)", line):
                replicas[m.group(1)] = int(m.group(2))
            if m := re.search(r"access log (\S+)", line):
                access_log = Path(m.group(1))
            if line.startswith("poll store: "):
                store = line.strip()
            if line.startswith("LossViz: "):
                break
        else:
            pytest.fail(f"deploy/run.sh not up after {START_TIMEOUT} s:\n" + "".join(out))
        assert len(replicas) == n, out
        yield {"url": f"http://127.0.0.1:{port}", "replicas": replicas, "access_log": access_log, "store": store}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _open(ctx, url: str):
    """Open ``url`` in a new tab; wait until the page ran; return (page, replica of the HTML)."""
    page = ctx.new_page()
    response = page.goto(url, timeout=90000)
    assert response is not None and response.ok, url
    page.wait_for_selector("[data-testid=stMain] h1", timeout=90000)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=90000)
    assert page.locator("[data-testid=stException]").count() == 0
    return page, response.headers.get("x-upstream")


def _slider_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input[type=range]").input_value()


def test_sticky_sessions_deep_links_and_failover(cluster, browser):
    url, replicas = cluster["url"], cluster["replicas"]
    assert set(replicas) == {"127.0.0.1:" + a.split(":")[1] for a in replicas}

    # 1. Sessions stay on their replica: every request of one browser (cookie) hits one upstream,
    #    and different browsers are spread over both replicas.
    seen: dict[str, object] = {}
    contexts = []
    for _ in range(16):  # bounded: 16 browsers, 2 replicas (all on one: p = 2^-15)
        ctx = browser.new_context()
        contexts.append(ctx)
        page, first = _open(ctx, f"{url}/sigmoid-bce?lang=en&sb_x=3.5")
        assert first in replicas, first
        cookie = {c["name"]: c["value"] for c in ctx.cookies()}.get("lv_route")
        assert cookie, "nginx did not set the lv_route cookie"
        page.reload(timeout=90000)
        page.wait_for_selector("[data-testid=stMain] h1", timeout=90000)
        again = ctx.request.get(f"{url}/_stcore/health").headers.get("x-upstream")
        assert again == first, (first, again)
        seen.setdefault(first, (ctx, page, cookie))
        if len(seen) == 2:
            break
    assert len(seen) == 2, f"every browser landed on {set(seen)}"

    # 2. Deep links work through the proxy: the lesson renders its title and the URL state.
    for _replica, (_ctx, page, _) in seen.items():
        assert "Sigmoid" in page.locator("[data-testid=stMain] h1").first.inner_text()
        assert float(_slider_value(page, "sb_x")) == 3.5

    # The websocket of each browser went to the same replica as its pages (nginx access log).
    log = cluster["access_log"].read_text()
    for replica, (_ctx, _page, cookie) in seen.items():
        ws = [ln for ln in log.splitlines() if "/_stcore/stream" in ln and f"route={cookie}" in ln]
        assert ws, f"no websocket for {cookie}"
        assert all(f"upstream={replica}" in ln for ln in ws), ws

    # 3. Stop one replica: its user reloads, lands on the other one, and sees the same values,
    #    because the shareable state lives in the URL.
    victim = next(iter(seen))
    ctx, page, _ = seen[victim]
    page.locator(".st-key-sb_x input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.search.includes('sb_x=3.6')", timeout=60000)
    # the URL changes before the rerun: wait until the page shows σ(3.6) (torch's value), then read it
    sigma = f"{torch.sigmoid(torch.tensor(3.6, dtype=torch.float64)).item():.6g}"
    page.wait_for_function(
        "s => [...document.querySelectorAll('[data-testid=stMain] .lv-metrics dd')]"
        ".some(e => e.innerText.trim() === s)", arg=sigma, timeout=60000)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60000)
    metrics_before = page.locator("[data-testid=stMain] .lv-metrics dd").all_inner_texts()
    shared = page.url
    os.kill(replicas[victim], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until the replica's port is closed
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", int(victim.split(":")[1]))) != 0:
                break
        time.sleep(0.2)
    page.close()
    page2, tried = _open(ctx, shared)
    # nginx tried the dead replica first, then the other one: X-Upstream lists both ("A, B")
    now = tried.split(",")[-1].strip()
    assert now in replicas and now != victim, (victim, tried)
    # and keeps serving this browser from the live replica
    assert ctx.request.get(f"{url}/_stcore/health").headers.get("x-upstream").split(",")[-1].strip() == now
    assert float(_slider_value(page2, "sb_x")) == 3.6
    assert page2.locator("[data-testid=stMain] .lv-metrics dd").all_inner_texts() == metrics_before
    # a new visitor with the shared link gets the same view too
    fresh = browser.new_context()
    contexts.append(fresh)
    page3, _ = _open(fresh, shared)
    assert float(_slider_value(page3, "sb_x")) == 3.6
    for c in contexts:
        c.close()
