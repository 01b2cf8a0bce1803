"""Classroom load test: many sessions moving sliders against one LossViz server.

    .venv/bin/python bench/load.py                       # 50 sessions × 60 s (the classroom)
    .venv/bin/python bench/load.py --sessions 25 --duration 30
    .venv/bin/python bench/load.py --sweep 10,25,50,75,100 --duration 20
    .venv/bin/python bench/load.py --check               # protocol client ≡ browser (see below)
    .venv/bin/python bench/load.py --per-page 20                # server CPU per rerun, page by page
    .venv/bin/python bench/load.py --url http://127.0.0.1:8501 ...   # an already running server

Real browsers ×50 would measure the browsers, not the server (2 cores). Each session here is a
client speaking Streamlit's own websocket protocol, as the browser does: it opens
/_stcore/stream (subprotocol "streamlit"), sends a BackMsg ``rerun_script`` with the page name
and query string, reads ForwardMsgs until ``script_finished``, learns the widget ids from the
deltas, and then moves the page's main slider (bench/harness.py MAIN_CONTROL) by one step about
once a second (random think time 0.5–1.5 s), sending ``rerun_script`` with the slider's widget
state and the URL-bound query string, exactly as the browser does on a keyboard step.
Interaction latency = BackMsg sent → the rerun's first plotly chart delta received
("chart") and → ``script_finished`` ("done"). Errors = timeouts (30 s), exception elements,
unexpected closes. Server CPU and memory from /proc/<pid>/{stat,status};
active_sessions from /_stcore/metrics.

``--check`` shows the client is equivalent to a browser: headless Chromium presses ArrowRight
on a slider and its ForwardMsgs are recorded; then the client sends the same widget value and
the two rerun streams are compared (delta paths, element types and element contents, with
widget ids and cached-message references normalised). Checked on the Start page (a full rerun)
and on lesson 1, whose slider is in an ``st.fragment``: like the browser, the client then sends
the fragment's id (learnt from the slider's delta) and the server reruns only that part.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from bench.harness import MAIN_CONTROL, Server, active_sessions, cpu_seconds, quantile, rss_kib  # noqa: E402
from lossviz.lessons.syllabus import all_pages  # noqa: E402

TIMEOUT = 30.0


def load_targets() -> list[tuple[str, str]]:
    """(url_path, slider key) for every existing page whose main control is a slider."""
    root = Path(__file__).resolve().parents[1]
    out = []
    for p in all_pages():
        ctl = MAIN_CONTROL.get(p.id, {})
        m = re.search(r"st-key-(\w+) input\[type=range\]", ctl.get("slider", ""))
        if m and (root / p.file).is_file():
            out.append((p.url_path, m.group(1)))
    return out


def _is_chart(element) -> bool:
    """A chart element: st.plotly_chart or LossViz's in-place chart component."""
    kind = element.WhichOneof("type")
    return kind == "plotly_chart" or (kind == "bidi_component"
                                      and element.bidi_component.component_name.endswith("lossviz_chart"))


class Client:
    """One Streamlit session over the websocket protocol."""

    def __init__(self, base: str, path: str, key: str, lang: str = "en"):
        self.base, self.path, self.key, self.lang = base.rstrip("/"), path, key, lang
        self.ws = None
        self.page_hash = ""
        self.slider = None  # (widget id, min, max, step, value)
        self.fragment = ""  # the st.fragment the slider is in: its steps rerun only that (as in the browser)
        self.errors = 0

    async def connect(self) -> list[ForwardMsg]:
        host = self.base.split("://", 1)[1]
        self.ws = await websockets.connect(
            f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=self.base,
            max_size=None, open_timeout=TIMEOUT, ping_interval=None)
        msgs, _, _ = await self.rerun(query=f"lang={self.lang}", states=[])
        return msgs

    def _learn(self, msg: ForwardMsg) -> None:
        if msg.WhichOneof("type") == "new_session" and msg.new_session.page_script_hash:
            self.page_hash = msg.new_session.page_script_hash
        if msg.WhichOneof("type") == "page_info_changed":
            pass
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            kind = el.WhichOneof("type")
            if kind == "slider" and el.slider.id.endswith("-" + self.key):
                s = el.slider
                value = list(s.value) if s.set_value else list(s.default)
                if self.slider is not None and not s.set_value:
                    value = [self.slider[4]]
                self.slider = (s.id, s.min, s.max, s.step, value[0])
                self.fragment = msg.delta.fragment_id
            if kind == "exception":
                self.errors += 1

    async def rerun(self, query: str, states: list[WidgetState], fragment: str = "") -> tuple[list[ForwardMsg], float, float]:
        """Send one rerun_script (of ``fragment`` only, if given); return its ForwardMsgs, ms to the
        first chart, ms to finished."""
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = query
        if fragment:
            cs.fragment_id = fragment
        cs.page_name = self.path
        cs.page_script_hash = self.page_hash
        cs.widget_states.widgets.extend(states)
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        cs.context_info.url = f"{self.base}/{self.path}"
        cs.context_info.color_scheme = "light"
        t0 = time.perf_counter()
        await self.ws.send(back.SerializeToString())
        msgs: list[ForwardMsg] = []
        chart = done = float("nan")
        deadline = t0 + TIMEOUT
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no script_finished")
            data = await asyncio.wait_for(self.ws.recv(), left)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            msgs.append(msg)
            self._learn(msg)
            kind = msg.WhichOneof("type")
            if kind == "delta" and chart != chart and _is_chart(msg.delta.new_element):
                chart = (time.perf_counter() - t0) * 1000
            if kind == "script_finished" and msg.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                    ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                done = (time.perf_counter() - t0) * 1000
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.errors += 1
                return msgs, chart, done

    async def step(self, direction: float) -> tuple[list[ForwardMsg], float, float, float]:
        """Move the main slider by one step (as a keyboard arrow does)."""
        if self.slider is None:
            raise RuntimeError(f"slider {self.key} not found on /{self.path}")
        wid, lo, hi, step, value = self.slider
        new = value + direction * step
        if not lo <= new <= hi:
            new = value - direction * step
        new = round(new, 10)
        self.slider = (wid, lo, hi, step, new)
        ws = WidgetState(id=wid)
        ws.double_array_value.data.append(new)
        shown = repr(int(new)) if float(new).is_integer() and step >= 1 else repr(new)
        msgs, chart, done = await self.rerun(f"lang={self.lang}&{self.key}={shown}", [ws], self.fragment)
        return msgs, chart, done, new

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def session(base: str, target: tuple[str, str], until: float, stats: dict, seed: int) -> None:
    rng = random.Random(seed)
    client = Client(base, *target)
    try:
        await client.connect()
        direction = 1.0
        for _ in range(10_000):  # bounded; the clock below ends it first
            if time.monotonic() >= until:
                break
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            if time.monotonic() >= until:
                break
            if rng.random() < 0.1:
                direction = -direction
            _, chart, done, _ = await client.step(direction)
            stats["chart"].append(chart)
            stats["done"].append(done)
    except Exception as exc:  # every failure is counted, none hidden
        stats["errors"].append(f"{type(exc).__name__}: {str(exc)[:80]}")
    finally:
        stats["exceptions"] += client.errors
        try:
            await client.close()
        except Exception:
            pass


async def run_load(base: str, pid: int | None, n: int, duration: float) -> dict:
    targets = load_targets()
    stats: dict = {"chart": [], "done": [], "errors": [], "exceptions": 0}
    samples: list[dict] = []
    cpu0 = cpu_seconds(pid) if pid else None
    rss0 = rss_kib(pid) if pid else None
    t0 = time.monotonic()
    until = t0 + duration
    # stagger the arrivals over the first 5 s, as a class opening the link
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(session(base, targets[i % len(targets)], until, stats, i)))
        await asyncio.sleep(min(5.0 / n, 0.2))
    peak_sessions = 0.0
    while not all(t.done() for t in tasks):
        await asyncio.sleep(1.0)
        if time.monotonic() > until + 2 * TIMEOUT:
            break
        if pid:
            samples.append({"t": time.monotonic() - t0, "rss": rss_kib(pid)})
        s = await asyncio.to_thread(active_sessions, base)
        peak_sessions = max(peak_sessions, s or 0.0)
    for t in tasks:
        t.cancel()
    wall = time.monotonic() - t0
    out = {
        "sessions": n, "duration_s": duration, "pages": [p for p, _ in targets],
        "interactions": len(stats["done"]),
        "chart_p50": quantile(stats["chart"], 0.5), "chart_p95": quantile(stats["chart"], 0.95),
        "done_p50": quantile(stats["done"], 0.5), "done_p95": quantile(stats["done"], 0.95),
        "done_max": max(stats["done"], default=float("nan")),
        "errors": len(stats["errors"]) + stats["exceptions"], "error_samples": stats["errors"][:3],
        "active_sessions_peak": peak_sessions,
        "loadavg_end": Path("/proc/loadavg").read_text().split()[0],
    }
    if pid:
        used = cpu_seconds(pid) - cpu0
        out["cpu_percent"] = 100 * used / wall
        # server CPU per script run (the n first runs on connect included)
        out["cpu_ms_per_run"] = 1000 * used / max(1, len(stats["done"]) + n)
        out["rss_start_mib"] = rss0 / 1024
        out["rss_peak_mib"] = max([s["rss"] for s in samples] + [rss0]) / 1024
    return out


async def per_page(base: str, pid: int, steps: int) -> list[dict]:
    """One session per page, ``steps`` sequential slider steps: server CPU ms per rerun and latency."""
    rows = []
    for target in load_targets():
        c = Client(base, *target)
        await c.connect()
        await c.step(+1.0)  # warm
        cpu0, done = cpu_seconds(pid), []
        for i in range(steps):
            _, _, d, _ = await c.step(+1.0 if i % 10 < 5 else -1.0)
            done.append(d)
        cpu = (cpu_seconds(pid) - cpu0) * 1000 / steps
        await c.close()
        rows.append({"page": target[0] or "(start)", "cpu_ms": cpu, "done_p50": quantile(done, 0.5),
                     "capacity": 1000 / cpu if cpu > 0 else float("nan")})
    return rows


def fmt_row(r: dict) -> str:
    return (f"| {r['sessions']} | {r['duration_s']:.0f} | {r['interactions']} | {r['chart_p50']:.0f} | "
            f"{r['chart_p95']:.0f} | {r['done_p50']:.0f} | {r['done_p95']:.0f} | {r['errors']} | "
            f"{r.get('cpu_percent', float('nan')):.0f}% | {r.get('rss_start_mib', float('nan')):.0f} → "
            f"{r.get('rss_peak_mib', float('nan')):.0f} | {r.get('cpu_ms_per_run', float('nan')):.0f} | "
            f"{r['active_sessions_peak']:.0f} | {r['loadavg_end']} |")


HEADER = ("| sessions | s | interactions | chart p50 ms | chart p95 ms | done p50 ms | done p95 ms | errors | "
          "server CPU (of 1 core) | server RSS MiB | server CPU ms per run | active_sessions peak | machine loadavg |\n"
          "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


# ------------------------------------------------------------------ --check --







def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--sweep", default="", help="comma-separated session counts, e.g. 10,25,50,75,100")
    ap.add_argument("--url", default="", help="an already running server (else one is started on 127.0.0.1)")
    ap.add_argument("--check", action="store_true", help="compare the client with a real browser and exit")
    ap.add_argument("--json", default="", help="also write the results as JSON here")
    ap.add_argument("--per-page", type=int, default=0, metavar="STEPS",
                    help="one session per page, STEPS sequential steps: server CPU per rerun (what limits N)")
    ap.add_argument("--server-opt", action="append", default=[], metavar="OPT",
                    help="an extra `streamlit run` option for the server started here (repeatable), "
                         "e.g. --server-opt=--runner.postScriptGC=false")
    args = ap.parse_args()
    server = None
    if args.url:
        base, pid = args.url.rstrip("/"), None
    else:
        server = Server("app.py", extra=list(args.server_opt)).start()
        base, pid = server.url, server.pid
    try:
        if args.check:
            from bench.load_check import check

            sys.exit(0 if check(base) else 1)
        # warm the server: every target page once
        async def warm():
            for t in load_targets():
                c = Client(base, *t)
                await c.connect()
                await c.close()
        asyncio.run(warm())
        if args.per_page and pid:
            rows = asyncio.run(per_page(base, pid, args.per_page))
            print("| page | server CPU ms per rerun | rerun latency p50 ms (1 session) | reruns/s one core could serve |")
            print("|---|---:|---:|---:|")
            for r in rows:
                print(f"| {r['page']} | {r['cpu_ms']:.0f} | {r['done_p50']:.0f} | {r['capacity']:.1f} |")
            mean = sum(r["cpu_ms"] for r in rows) / len(rows)
            print(f"mean {mean:.0f} ms CPU per rerun → ≈ {1000 / mean:.1f} reruns/s on the one core a Streamlit "
                  f"process can use for scripts (GIL); at one step per second per learner that is ≈ "
                  f"{1000 / mean:.0f} learners before queueing")
            return
        counts = [int(x) for x in args.sweep.split(",") if x.strip()] or [args.sessions]
        rows = []
        print(HEADER, flush=True)
        for n in counts:
            r = asyncio.run(run_load(base, pid, n, args.duration))
            rows.append(r)
            print(fmt_row(r), flush=True)
            if r["error_samples"]:
                print("   errors:", r["error_samples"], flush=True)
            time.sleep(3)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))
        over = [r["sessions"] for r in rows if r["done_p95"] > 500]
        print(f"pages: {', '.join(rows[0]['pages'])}; p95 (done) passes 500 ms at: "
              f"{over[0] if over else 'none of ' + str(counts)} sessions")
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
