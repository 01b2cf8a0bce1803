"""Shared pieces of the benchmark, the load test and the replica test.

Servers listen on 127.0.0.1 only, on free ports picked at runtime. Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
if not Path(PY).exists():  # run with whatever interpreter started us
    PY = sys.executable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# The "main control" of a page: the control whose keyboard step the benchmark times, and
# the chart whose change ends the measurement. Pages not listed use DEFAULT_CONTROL: the
# first slider thumb (role=slider) and the first plotly chart in the main area. A page with neither is
# reported as "no slider" / "no chart" instead of failing. A page without any chart is listed with
# _untimed(reason): bench/run.py and bench/compute.py then time nothing on it and report the reason.
# A chart's container: Streamlit's st.plotly_chart (the minimal app) or LossViz's in-place chart
# component (lossviz/ui/chart.py); both hold a plotly.js plot (.js-plotly-plot).
CHART = ":is([data-testid=stPlotlyChart], [data-testid=lv-chart])"
DEFAULT_CONTROL = {
    # Streamlit 1.67's slider thumb is a react-aria <input type=range> (implicit role=slider)
    "slider": "[data-testid=stMain] :is([role=slider], input[type=range])",
    "chart": "[data-testid=stMain] " + CHART,
}
# Streamlit gives a keyed widget's container the class st-key-<key>. Actions: "key" (focus
# "slider", press ArrowRight/ArrowLeft), "stepper" (click a number input's "up"/"down" buttons
# alternately), "cycle" (click the next option of "options": a segmented control's buttons, ui.choice), "none" (the page has no
# chart: nothing to step or to time, "note" says why; see _untimed). The default "chart" is
# every plotly chart in the main area: the step ends when the first of them has new data
# (or, with "watch": "metric", when the main area's metric values change). "widget" is the
# control's key, for bench/compute.py, which steps the same control in AppTest.
def _slider(key: str) -> dict[str, str]:
    return {"widget": key, "slider": f".st-key-{key} input[type=range]"}


def _stepper(key: str) -> dict[str, str]:
    return {"widget": key, "action": "stepper", "up": f".st-key-{key} [data-testid=stNumberInputStepUp]",
            "down": f".st-key-{key} [data-testid=stNumberInputStepDown]"}


def _choice(key: str) -> dict[str, str]:
    return {"widget": key, "action": "cycle", "options": f".st-key-{key} button[role=radio]"}


def _untimed(reason: str) -> dict[str, str]:
    return {"action": "none", "note": reason}


MAIN_CONTROL: dict[str, dict[str, str]] = {
    "start": _slider("start_x"),
    "sigmoid_bce": _slider("sb_x"),
    "bce_vs_logits": _slider("bl_scale"),
    "stability": _stepper("st_x"),
    # no slider: the reduction choice; "none"/"mean"/"sum" changes the metrics, not the charts
    "weights": {**_choice("wt_red"), "watch": "metric"},
    "negative": _slider("ng_x"),
    "softmax_ce": _slider("smx_x0"),
    "ce_vs_bce": _slider("cvb_p0"),
    "ce_options": _slider("ceo_eps"),
    "mistakes": _slider("mis_scale"),
    "train": _slider("tr_epochs"),
    # the logit (the lesson's subject; the drag curve moves it too); the p slider follows it
    "log_odds": _slider("lo_x"),
    # the first logit, as on softmax_ce (the first slider, ek_c, changes the number of classes)
    "entropy_kl": _slider("ek_x0"),
    "why_mse": _slider("wm_x"),
    # no slider: sample 0's target (classes 0-3, then ignore_index); every option moves the
    # pipeline, gradient and mistakes charts
    "nll_pipeline": _choice("nl_y0"),
    # the epoch (the reliability diagram's data and the epoch line move); the first slider, rl_c,
    # changes metrics and a table only, so a step on it never changes a chart
    "reading_loss": _slider("rl_epoch"),
    "doctor": _untimed("no chart, no step: text fields; parse + diagnosis speed is bench/doctor_speed.py"),
    "glossary": _untimed("no chart, no step: a search field over a table"),
    "classroom": _untimed("no chart, no step: the class poll's join form"),
}


def control_for(page_id: str) -> dict[str, str]:
    return {**DEFAULT_CONTROL, **MAIN_CONTROL.get(page_id, {})}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            status, _, body = get(url, timeout=2.0)
            if status == 200:
                return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} not healthy after {timeout:.0f} s ({last})")


@dataclass
class Server:
    """One server process on 127.0.0.1:<port>: ``python -m lossviz.ui.launch`` for app.py, else ``streamlit run``."""

    script: str = "app.py"
    root: Path = ROOT  # the checkout to serve (bench/ab.py serves several)
    port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    proc: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> Server:
        self.port = self.port or free_port()
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"lossviz_server_{self.port}.log"
        opts = ["--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true",
                "--browser.gatherUsageStats", "false", *self.extra]
        # LossViz starts like `make run`: lossviz.ui.launch turns Streamlit's legacy pages/ route
        # off before the first session (no "Page not found" dialog on a cold deep link).
        launch = ["-m", "lossviz.ui.launch"] if self.script == "app.py" else ["-m", "streamlit", "run", self.script]
        cmd = [PY, *launch, *opts]
        with open(self.log, "wb") as fh:
            self.proc = subprocess.Popen(cmd, cwd=self.root, env={**os.environ, **self.env}, stdout=fh,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_http(self.url + "/_stcore/health", timeout)
        except TimeoutError:
            self.stop()
            raise
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` in KiB, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def active_sessions(base_url: str) -> float | None:
    """``active_sessions`` from Streamlit's OpenMetrics endpoint (None if absent)."""
    try:
        status, _, body = get(base_url + "/_stcore/metrics", timeout=5.0)
    except Exception:
        return None
    if status != 200:
        return None
    total = None
    for line in body.decode().splitlines():
        if line.startswith("active_sessions"):
            total = (total or 0.0) + float(line.split()[-1])
    return total


def machine() -> dict[str, str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1048576:.1f} GiB"
    versions = {}
    for mod in ("streamlit", "plotly", "numpy", "torch", "playwright"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod)
        except Exception:
            versions[mod] = "?"
    try:
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        chromium = "?"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": sys.version.split()[0],
        "chromium": chromium,
        **versions,
    }


def quantile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)
