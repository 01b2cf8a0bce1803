"""bench/run.py's report: the results table as Markdown (bench/results.md)."""

from __future__ import annotations

import statistics

from bench.harness import quantile


def fmt_ms(x: float | None) -> str:
    return "—" if x is None or x != x else f"{x:.0f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or a != a or b != b or b <= 0:
        return "—"
    return f"{a / b:.2f}×"


def report(info: dict, rows: list[dict], comp: list[dict], mem: dict, drag: str | None, args) -> str:
    base = rows[0]
    lines = ["# LossViz benchmark", "",
             f"Machine: {info['nproc']} cores, {info['cpu']}, {info['memory']} RAM; {info['date']}.  ",
             f"Python {info['python']}, streamlit {info['streamlit']}, plotly {info['plotly']}, numpy {info['numpy']}, "
             f"torch {info['torch']}, playwright {info['playwright']}, {info['chromium']}.  ",
             "Command: `make bench` (`.venv/bin/python bench/run.py`"
             + (f" {' '.join(args.pages)}" if args.pages else "") + f"), {args.steps} steps, {args.renders} renders.",
             "",
             "## Interaction and first render (headless Chromium, server on 127.0.0.1)",
             "",
             ("Baseline: the minimal app with LossViz's own .streamlit/config.toml (`--baseline-as-shipped`).  "
              if args.baseline_as_shipped else
              "Baseline: the minimal app with bare Streamlit's server settings (`runner.postScriptGC = true`, "
              "Streamlit's default; LossViz's config turns it off).  "),
             "Step = keyboard arrow on the main slider (or the control in bench/harness.py MAIN_CONTROL) → "
             "a chart changed (any attribute of its traces but plotly's uid, its shapes or annotations). Render = navigation start → first chart drawn (fresh context). "
             "Each page is measured in alternation with the minimal app (blocks of 5 steps; one render each), "
             "and its ratios divide by that paired baseline. Goals: step p50 ≤ 1.20×, render ≤ 1.10×.  ",
             ("" if args.baseline_as_shipped else
              "The last column divides by the same minimal app run with LossViz's own config (no gc.collect() "
              "after each run), stepped in the same alternation: a stricter baseline that no goal refers to. "
              "With bare Streamlit's collection after every run the minimal app's step messages reached the browser "
              "~60 ms later in a websocket probe (bench/README.md).  "),
             f"Machine load (1-min loadavg) at start/end: {info['load_start']} / {info.get('load_end', '?')}.",
             "",
             "| page | step p50 ms | step p95 ms | p50 ratio | p95 ratio | first render ms | render ratio | goals "
             "| p50 ratio vs minimal with LossViz's config |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        p50 = statistics.median(r["steps"]) if r["steps"] else None
        p95 = quantile(r["steps"], 0.95) if r["steps"] else None
        rend = statistics.median(r["render"]) if r["render"] else None
        if r is base:
            verdict = "baseline"
        elif r.get("untimed"):
            verdict = "not timed"
        else:
            ok_step = p50 is not None and p50 <= 1.2 * r["base_p50"]
            ok_render = rend is not None and rend <= 1.1 * r["base_render"]
            parts = []
            parts.append("step ✅" if ok_step else ("step —" if p50 is None else "step ❌"))
            parts.append("render ✅" if ok_render else ("render —" if rend is None else "render ❌"))
            verdict = ", ".join(parts)
        note = f" ({r['note']})" if r.get("note") else ""
        miss = f" [{r['misses']} timeouts]" if r.get("misses") else ""
        if r is base:
            same = f"its p50: {fmt_ms(statistics.median(r['same_steps']))} ms" if r.get("same_steps") else "—"
        else:
            same = ratio(p50, r.get("same_p50"))
        lines.append(f"| {r['name']}{note}{miss} | {fmt_ms(p50)} | {fmt_ms(p95)} | "
                     f"{ratio(p50, r.get('base_p50')) if r is not base else '1.00×'} | "
                     f"{ratio(p95, r.get('base_p95')) if r is not base else '1.00×'} | {fmt_ms(rend)} | "
                     f"{ratio(rend, r.get('base_render')) if r is not base else '1.00×'} | {verdict} | {same} |")
    lines += ["", "## lossviz compute per interaction (in-process AppTest, median per step)", "",
              "Code panel and quiz open (the most work per rerun). Each page's control of the step column above "
              "is stepped; what the step reruns is counted: the fragment that holds the control (\"reruns\"), as "
              "in the browser, or the whole page. numbers = lossviz.core.functional/tables/fmt/…; plots = figure "
              "builders in lossviz.plots; torch = real torch runs (live check, code-panel snippet, Common "
              "mistakes' runs, training runs); whole page = numbers of a full rerun, for comparison; script = "
              "whole AppTest rerun. Goal: numbers < 1 ms.",
              "", "| page | control | reruns | numbers ms | plots ms | torch ms | whole page: numbers ms | script ms "
              "| slowest lossviz calls (ms/rerun, whole page) |",
              "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for c in comp:
        if "note" in c:
            lines.append(f"| {c['page']} ({c['note']}) | — | — | — | — | — | — | — | |")
            continue
        top = ", ".join(f"{k} {v:.1f}" for k, v in c.get("top", [])[:3])
        lines.append(f"| {c['page']} | {c['control']} | {c['scope']} | {c['core_ms']:.2f} | {c['plots_ms']:.2f} | "
                     f"{c['torch_ms']:.2f} | {c['page_core_ms']:.2f} | {c['script_ms']:.1f} | {top} |")
    lines += ["", "## Server memory per session", "",
              f"{mem['k']} extra browser sessions over the lesson pages: server RSS {mem['before_mib']:.0f} → "
              f"{mem['after_mib']:.0f} MiB, **{mem['per_session_mib']:.2f} MiB per session** (goal < 5 MB); "
              f"/_stcore/metrics active_sessions {mem['active_sessions'][0]} → {mem['active_sessions'][1]}.", ""]
    lines += ["## Drag preview frame time", ""]
    lines += [f"```\n{drag}\n```" if drag else "bench/drag_frames.py not present: not measured.", ""]
    return "\n".join(lines)
