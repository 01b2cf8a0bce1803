"""LossViz benchmark: every page against a minimal Streamlit app, in real Chromium.

    make bench                      # = .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py [--steps 50] [--renders 10] [--sessions 10] [--out bench/results.md] [page_id ...]

Measured per page, and on bench/minimal_app.py (one slider → one plotly line chart) in the
same run so that results are ratios. The minimal app runs with bare Streamlit's server settings:
the repo's .streamlit/config.toml turns Streamlit's per-run gc.collect() off for LossViz, and the
baseline gets Streamlit's default back (--baseline-as-shipped: the same config as LossViz instead).
Without --baseline-as-shipped a second minimal app, with LossViz's config, is stepped in the same
alternation, and each page's step p50 is also divided by it (a stricter ratio no goal refers to).
- step: focus the page's main slider thumb (bench/harness.py MAIN_CONTROL, default the first
  [role=slider] in the main area), press an arrow key, and time keydown → the first plotly
  chart changed (MutationObserver + gd.data, layout shapes and annotations), median and p95 over --steps steps;
  a page listed there as without a chart (Your tensors, the glossary) is reported "not timed", with the reason;
- first render: navigation start → first plotly chart drawn (fresh browser context each time,
  median of --renders);
- lossviz compute per interaction (bench/compute.py, in-process AppTest, no browser);
- server memory per session: RSS of the server (/proc/<pid>/status) before/after opening
  --sessions extra browser sessions, divided by their number;
- drag preview frame time, if bench/drag_frames.py exists (run as `drag_frames.py <url>`).
Goals: step p50 ≤ 1.2× minimal, first render ≤ 1.1× minimal, compute < 1 ms, memory < 5 MB.
Writes bench/results.md and prints it. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PY,
    ROOT,
    Server,
    active_sessions,
    control_for,
    machine,
    quantile,
    rss_kib,
)
from bench.report import report  # noqa: E402
from lossviz.lessons.syllabus import all_pages  # noqa: E402

STEP_JS = """([chartSel, watchMetric]) => {
  // Resolves with ms from the input event (keydown/pointerdown) to the first chart whose
  // plotly data, shapes or annotations changed; -1 after 10 s.
  window.__step = new Promise((resolve) => {
    const charts = () => [...document.querySelectorAll(chartSel)].map(el => el.querySelector('.js-plotly-plot'));
    // every attribute of every trace (plotly's own per-trace uid left out) and the layout's shapes and annotations
    const omitUid = (k, v) => (k === 'uid' ? undefined : v);
    const sig = (gd) => { try { return JSON.stringify([gd.data || [], gd.layout && [gd.layout.shapes, gd.layout.annotations]], omitUid); }
                          catch (e) { return String(Math.random()); } };
    const metrics = () => [...document.querySelectorAll('[data-testid=stMain] .lv-metrics dd')].map(e => e.textContent).join('|');
    const baseMetrics = metrics();
    const base = charts().map(gd => gd ? sig(gd) : null);
    const last = charts().map(gd => gd ? gd.data : null);
    let t0 = null, done = false;
    const onInput = (e) => { if (t0 === null) t0 = e.timeStamp; };
    const kinds = ['keydown', 'pointerdown', 'mousedown'];
    kinds.forEach(k => document.addEventListener(k, onInput, true));
    const finish = (v) => {
      if (done) return; done = true; mo.disconnect(); clearTimeout(timer);
      kinds.forEach(k => document.removeEventListener(k, onInput, true)); resolve(v);
    };
    const check = () => {
      if (t0 === null) return;
      if (watchMetric && metrics() !== baseMetrics) { finish(performance.now() - t0); return; }
      charts().forEach((gd, i) => {
        if (done || !gd || !gd.data || gd.data === last[i]) return;
        last[i] = gd.data;
        if (sig(gd) !== base[i]) finish(performance.now() - t0);
      });
    };
    const mo = new MutationObserver(check);
    mo.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    const timer = setTimeout(() => finish(-1), 10000);
  });
}"""

FIRST_RENDER_INIT = """(() => {
  const chartSel = %s;
  const check = () => {
    if (window.__title === undefined && document.querySelector('[data-testid=stMain] h1')) window.__title = performance.now();
    const svg = document.querySelector(chartSel + ' .js-plotly-plot .main-svg');
    if (svg && svg.getBoundingClientRect().height > 0) { window.__first = performance.now(); mo.disconnect(); }
  };
  const mo = new MutationObserver(check);
  mo.observe(document, {subtree: true, childList: true});
})();"""

THUMB_JS = """(el) => {
  const num = (v, d) => (v === null || v === undefined || v === '' || isNaN(Number(v))) ? d : Number(v);
  const get = (a) => el.getAttribute(a);
  return [num(el.value !== undefined ? el.value : get('aria-valuenow'), 0),
          num(get('min') ?? get('aria-valuemin'), -1e9), num(get('max') ?? get('aria-valuemax'), 1e9)];
}"""
IDLE_JS = "!document.querySelector('[data-testid=stStatusWidget]')"


def settle(page, timeout_ms: int = 15000) -> None:
    try:
        page.wait_for_function(IDLE_JS, timeout=timeout_ms)
    except Exception:
        pass


def first_render(browser, url: str, chart_sel: str, n: int) -> tuple[list[float], list[float]]:
    """(chart times, title times) in ms from navigation start, one fresh context each."""
    charts, titles = [], []
    for _ in range(n):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        ctx.add_init_script(FIRST_RENDER_INIT % json.dumps(chart_sel))
        page = ctx.new_page()
        try:
            page.goto(url, wait_until="commit", timeout=30000)
            try:
                page.wait_for_function("window.__first !== undefined", timeout=20000)
                charts.append(page.evaluate("window.__first"))
            except Exception:
                pass
            try:
                page.wait_for_function("window.__title !== undefined", timeout=5000)
                titles.append(page.evaluate("window.__title"))
            except Exception:
                pass
            settle(page)
        finally:
            ctx.close()
    return charts, titles


def _act(page, ctl: dict[str, str], i: int, state: dict) -> None:
    """One interaction with the page's main control (see harness.MAIN_CONTROL)."""
    action = ctl.get("action", "key")
    if action == "key":
        thumb = page.locator(ctl["slider"]).first
        now, lo, hi = thumb.evaluate(THUMB_JS)
        key = state.setdefault("key", "ArrowRight")
        if key == "ArrowRight" and now >= hi:
            key = "ArrowLeft"
        elif key == "ArrowLeft" and now <= lo:
            key = "ArrowRight"
        state["key"] = key
        thumb.focus()
        page.evaluate(STEP_JS, [ctl["chart"], ctl.get("watch") == "metric"])
        page.keyboard.press(key)
    elif action == "stepper":  # number input: its + / − buttons, alternately
        target = page.locator(ctl["up"] if i % 2 == 0 else ctl["down"]).first
        page.evaluate(STEP_JS, [ctl["chart"], ctl.get("watch") == "metric"])
        target.click()
    elif action == "cycle":  # ui.choice: the option after the selected one (a click on the selected one changes nothing)
        opts = page.locator(ctl["options"])
        now = opts.evaluate_all("(els) => els.findIndex((e) => e.getAttribute('aria-checked') === 'true')")
        page.evaluate(STEP_JS, [ctl["chart"], ctl.get("watch") == "metric"])
        n = max(opts.count(), 1)
        opts.nth((now + 1) % n if now >= 0 else (i + 1) % n).click()
    else:
        raise ValueError(action)


class Stepper:
    """One browser session on one page, stepping its main control in blocks (so that a page
    and the minimal app can be measured alternately, under the same machine load)."""

    def __init__(self, browser, url: str, ctl: dict[str, str]):
        self.ctl, self.out, self.misses, self.note, self.i, self.state = ctl, [], 0, "", 0, {}
        self.ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = page = self.ctx.new_page()
        if ctl.get("action") == "none":  # a page without a chart (harness._untimed): nothing to step
            self.note = ctl.get("note", "no step")
            return
        ready = {"key": ctl.get("slider", ""), "stepper": ctl.get("up", ""), "cycle": ctl.get("options", "")}
        page.goto(url, timeout=60000)
        try:
            page.wait_for_selector(ready[ctl.get("action", "key")], timeout=60000)
        except Exception:
            self.note = "no slider"
            return
        try:
            page.wait_for_selector(ctl["chart"] + " .js-plotly-plot", timeout=60000)
        except Exception:
            self.note = "no chart"
            return
        settle(page)
        page.wait_for_timeout(500)
        self.block(2, count=False)  # warm-up steps, not counted

    def block(self, n: int, count: bool = True) -> None:
        deadline = time.monotonic() + 20 + 3 * n
        for _ in range(n):
            if self.note or time.monotonic() > deadline:
                return
            _act(self.page, self.ctl, self.i, self.state)
            self.i += 1
            ms = self.page.evaluate("window.__step")
            if count:
                if ms < 0:
                    self.misses += 1
                else:
                    self.out.append(ms)
            settle(self.page)
            self.page.wait_for_timeout(150)
            if self.page.locator("[data-testid=stException]").count():
                self.note = "exception on page"

    def close(self) -> None:
        self.ctx.close()


def memory_per_session(browser, server: Server, urls: list[str], k: int) -> dict:
    time.sleep(2)
    before = rss_kib(server.pid)
    sessions_before = active_sessions(server.url)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pages = []
        for i in range(k):
            page = ctx.new_page()
            page.goto(urls[i % len(urls)], timeout=30000)
            pages.append(page)
        for page in pages:
            try:
                page.wait_for_selector("[data-testid=stMain] h1", timeout=20000)
            except Exception:
                pass
            settle(page)
        time.sleep(3)
        after = rss_kib(server.pid)
        sessions_after = active_sessions(server.url)
    finally:
        ctx.close()
    return {"k": k, "before_mib": before / 1024, "after_mib": after / 1024,
            "per_session_mib": (after - before) / 1024 / k,
            "active_sessions": (sessions_before, sessions_after)}


def drag_frames(url: str) -> str | None:
    script = ROOT / "bench" / "drag_frames.py"
    if not script.exists():
        return None
    try:
        r = subprocess.run([PY, str(script), url], cwd=ROOT, capture_output=True, text=True, timeout=600)
        return (r.stdout.strip() or r.stderr.strip()[-600:]) or f"exit {r.returncode}, no output"
    except subprocess.TimeoutExpired:
        return "timed out after 600 s"


def compute(pages: list[str], reps: int) -> list[dict]:
    r = subprocess.run([PY, str(ROOT / "bench" / "compute.py"), "--reps", str(reps), *pages], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    for line in reversed(r.stdout.splitlines()):
        if line.startswith("["):
            return json.loads(line)
    return [{"page": "?", "note": (r.stderr or "no output")[-200:]}]






# bare Streamlit: the defaults our .streamlit/config.toml changes for speed
BARE_STREAMLIT = ["--runner.postScriptGC=true"]




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=50)  # 25 until 2026-12-05: bench/README.md
    ap.add_argument("--renders", type=int, default=10)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--compute-reps", type=int, default=30)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    ap.add_argument("--baseline-as-shipped", action="store_true",
                    help="run the minimal app with LossViz's .streamlit/config.toml instead of bare Streamlit's settings")
    ap.add_argument("pages", nargs="*", help="page ids (default: every page that exists)")
    args = ap.parse_args()
    args.steps = max(args.steps, 20)

    from playwright.sync_api import sync_playwright

    pages = [p for p in all_pages() if (ROOT / p.file).is_file() and (not args.pages or p.id in args.pages)]
    info = machine()
    info["load_start"] = Path("/proc/loadavg").read_text().split()[0]
    print(f"compute per interaction ({len(pages)} pages)…", flush=True)
    comp = compute([p.id for p in pages], args.compute_reps)
    rows: list[dict] = []
    baseline_opts = [] if args.baseline_as_shipped else BARE_STREAMLIT
    with contextlib.ExitStack() as stack:
        minimal = stack.enter_context(Server("bench/minimal_app.py", extra=baseline_opts))
        # the same minimal app with LossViz's own server config: a second, stricter step baseline
        same = None if args.baseline_as_shipped else stack.enter_context(Server("bench/minimal_app.py"))
        app = stack.enter_context(Server("app.py"))
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            targets = [("minimal app", minimal.url + "/", control_for("__minimal__"))]
            targets += [(p.id, f"{app.url}/{p.url_path}?lang=en", control_for(p.id)) for p in pages]
            # warm both servers (imports, caches) before timing anything
            for _, url, ctl in targets:
                if ctl.get("action") != "none":
                    first_render(browser, url, ctl["chart"], 1)
            _, base_url, base_ctl = targets[0]
            if same is not None:
                first_render(browser, same.url + "/", base_ctl["chart"], 1)
            base_all = {"name": "minimal app (all pairs)", "steps": [], "render": [], "misses": 0, "note": ""}
            same_all: list[float] = []
            for name, url, ctl in targets[1:]:
                if ctl.get("action") == "none":  # no chart on the page (harness._untimed): reported, not timed
                    print(f"{name}: not timed ({ctl.get('note', 'no step')})", flush=True)
                    rows.append({"name": name, "steps": [], "misses": 0, "note": ctl.get("note", "no step"),
                                 "render": [], "untimed": True, "base_p50": None, "base_p95": None,
                                 "base_render": None, "same_p50": None})
                    continue
                print(f"{name}: steps…", flush=True)
                mine, base = Stepper(browser, url, ctl), Stepper(browser, base_url, base_ctl)
                twin = Stepper(browser, same.url + "/", base_ctl) if same is not None else None
                try:
                    for _ in range(0, args.steps, 5):  # alternate blocks of 5
                        base.block(5)
                        if twin is not None:
                            twin.block(5)
                        mine.block(5)
                finally:
                    for stepper in (mine, base, twin):
                        if stepper is not None:
                            stepper.close()
                print(f"{name}: first render…", flush=True)
                rend, brend = [], []
                for _ in range(args.renders):  # alternate too
                    brend += first_render(browser, base_url, base_ctl["chart"], 1)[0]
                    rend += first_render(browser, url, ctl["chart"], 1)[0]
                rows.append({"name": name, "steps": mine.out, "misses": mine.misses, "note": mine.note, "render": rend,
                             "base_p50": statistics.median(base.out) if base.out else None,
                             "base_p95": quantile(base.out, 0.95) if base.out else None,
                             "base_render": statistics.median(brend) if brend else None,
                             "same_p50": statistics.median(twin.out) if twin is not None and twin.out else None})
                base_all["steps"] += base.out
                base_all["render"] += brend
                base_all["misses"] += base.misses
                same_all += twin.out if twin is not None else []
            base_all["same_steps"] = same_all
            rows.insert(0, base_all)
            print("memory per session…", flush=True)
            mem = memory_per_session(browser, app, [f"{app.url}/{p.url_path}?lang=en" for p in pages], args.sessions)
        finally:
            browser.close()
        print("drag frames…", flush=True)
        drag = drag_frames(app.url)
    info["load_end"] = Path("/proc/loadavg").read_text().split()[0]
    text = report(info, rows, comp, mem, drag, args)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
