"""Class poll under load: 300 students answer one poll within 10 s through 4 replicas (deploy/run.sh 4).

    .venv/bin/python bench/poll_load.py                        # 300 students, 10 s, 4 replicas, 6 in Chromium
    .venv/bin/python bench/poll_load.py --students 300 --window 10 --replicas 4 --browsers 6 --out bench/poll_load_results.md

What is real and what is simulated (bench/README.md, "Class poll under load"):

- REAL: ``deploy/run.sh N`` (N LossViz replicas behind nginx with sticky sessions), all sharing one SQLite
  file in a temp ``LOSSVIZ_DATA_DIR`` (WAL, busy timeout, BEGIN IMMEDIATE: the store's own engine set-up).
- REAL: the presenter: headless Chromium on ``/negative-loss?present=1`` through nginx clicks "Ask the class"
  and keeps the page open; its live fragment (``st.fragment(run_every=1)``) reads the store once a second and
  redraws the count. A MutationObserver in that page stamps (``Date.now()``, the same clock as Python's
  ``time.time()`` on this machine) the first moment each count is on screen.
- REAL (a sample): ``--browsers`` students in Chromium, each its own browser context, opening the join link
  through nginx (so they land on the replicas nginx picks), answering through the page's form.
- SIMULATED: the other students. 300 Chromium pages do not fit on 2 cores, so they answer through the poll
  store itself: one worker process per replica (the replica's share of students), each with its own
  ``PollStore`` on that replica's database path, calling ``PollStore.answer`` — exactly what the /join page
  calls on "Send" — at a random moment within the window, from a thread per student. Left out for them:
  Streamlit's websocket, the rerun of the join page and nginx (a few ms of CPU each, measured in
  bench/load.py for lesson pages).
- Also measured: a store reader in this process that reads the count once a second (what the fragment does),
  as a second, browser-free observer.

Latency "submit → presenter's count": a student's answer is the k-th to commit (the store counts under the
write lock, so commit order = count order; for a browser student k is the rank of its row), and it shows once
the presenter's screen shows a count >= k. Lost answers: answers acknowledged to a student that are missing
from the database, and the difference between the database's count and the presenter's final count.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LESSON = "negative-loss"  # its predict-first card is a choice: pos / zero / neg
OPTIONS = ("pos", "zero", "neg")

_OBSERVE_JS = r"""() => {
  window.__lvSeen = [];
  let last = -1;
  const re = /(\d+)/;
  const tick = () => {
    for (const el of document.querySelectorAll('[data-testid=stMarkdownContainer]')) {
      const text = el.textContent || '';
      if (!text.includes(window.__lvCountPrefix)) continue;
      const m = text.slice(text.indexOf(window.__lvCountPrefix)).match(re);
      if (m && +m[1] !== last) { last = +m[1]; window.__lvSeen.push([last, Date.now()]); }
    }
  };
  new MutationObserver(tick).observe(document.body, {subtree: true, childList: true, characterData: true});
  tick();
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster(n: int, data_dir: Path, timeout: float = 300.0):
    """``deploy/run.sh n`` with ``LOSSVIZ_DATA_DIR=data_dir``; returns (process, url, {replica: pid}, store line)."""
    if not (shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK)):
        sys.exit("nginx is missing: apt-get install -y nginx")
    port = _free_port()
    env = {**os.environ, "LOSSVIZ_DATA_DIR": str(data_dir), "LOSSVIZ_DATABASE_URL": ""}
    proc = subprocess.Popen(["bash", str(ROOT / "deploy" / "run.sh"), str(n), str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    replicas, store, out = {}, "", []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            if proc.poll() is not None:
                sys.exit("deploy/run.sh exited:\n" + "".join(out))
            continue
        out.append(line)
        if m := re.match(r"replica \d+: http://(127\.0\.0\.1:\d+) pid (\d+)", line):
            replicas[m.group(1)] = int(m.group(2))
        if line.startswith("poll store: "):
            store = line.strip()
        if line.startswith("LossViz: "):
            return proc, f"http://127.0.0.1:{port}", replicas, store
    stop_cluster(proc)
    sys.exit(f"deploy/run.sh not up after {timeout} s:\n" + "".join(out))


def stop_cluster(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


# ------------------------------------------------------------------ simulated students (store) --

def _worker(replica: int, data_dir: str, code: str, schedule: list[tuple[float, str, str]], ready, start,
            results) -> None:
    """One replica's share of students: each answers through PollStore.answer at t0 + its offset (t0 comes
    from ``start`` once every worker is ready, so a slow process start does not bunch the answers up)."""
    from lossviz.classroom import PollError, PollStore

    store = PollStore.from_env({"LOSSVIZ_DATA_DIR": data_dir})
    store.histogram(code)  # open a connection before the window, as a running replica has
    ready.put(replica)
    t0 = start.get(timeout=600)
    out = []
    lock = threading.Lock()

    def student(offset: float, voter: str, value: str) -> None:
        delay = t0 + offset - time.time()
        if delay > 0:
            time.sleep(delay)
        sent = time.time()
        try:
            r = store.answer(code, voter, value)
            row = {"replica": replica, "sent": sent, "done": time.time(), "status": r.status.value, "k": r.total}
        except PollError as exc:
            row = {"replica": replica, "sent": sent, "done": time.time(), "status": "error", "error": exc.reason}
        except Exception as exc:  # every failure is counted, none hidden
            row = {"replica": replica, "sent": sent, "done": time.time(), "status": "error",
                   "error": f"{type(exc).__name__}: {str(exc)[:100]}"}
        with lock:
            out.append(row)

    threads = [threading.Thread(target=student, args=s) for s in schedule]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    store.close()
    results.put(out)


def _store_reader(data_dir: str, code: str, stop: threading.Event, seen: list) -> None:
    """A browser-free observer: the count once a second, as the presenter's fragment reads it."""
    from lossviz.classroom import PollStore

    store = PollStore.from_env({"LOSSVIZ_DATA_DIR": data_dir})
    try:
        while not stop.is_set():
            n = store.histogram(code).total
            seen.append((n, time.time() * 1000))
            stop.wait(1.0)
    finally:
        store.close()


# --------------------------------------------------------------------------------- the run --

def _shown_at(seen: list[tuple[int, float]], k: int) -> float | None:
    """When (epoch ms) the observer first showed a count >= k."""
    for n, t in seen:
        if n >= k:
            return t
    return None


def _q(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p * (len(xs) - 1))))]


def run(args) -> dict:
    from playwright.sync_api import sync_playwright

    from lossviz.classroom import PollStore
    from lossviz.classroom import db as poll_db
    from lossviz.text.i18n import translate

    data_dir = Path(tempfile.mkdtemp(prefix="lossviz_poll_load_"))
    proc, url, replicas, store_line = start_cluster(args.replicas, data_dir)
    print(f"{len(replicas)} replicas behind {url}; {store_line}", flush=True)
    rng = random.Random(args.seed)
    result: dict = {"replicas": len(replicas), "students": args.students, "window_s": args.window,
                    "browsers": args.browsers}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
            presenter = pctx.new_page()
            presenter.set_default_timeout(120_000)
            resp = presenter.goto(f"{url}/{LESSON}?lang=en&present=1", wait_until="domcontentloaded")
            result["presenter_replica"] = resp.headers.get("x-upstream")
            presenter.get_by_role("button", name=translate("en", "classroom.poll_ask")).wait_for()
            presenter.get_by_role("button", name=translate("en", "classroom.poll_ask")).click()
            prefix = translate("en", "classroom.poll_count", n=0).split("**")[0]
            presenter.wait_for_function("t => document.body.innerText.includes(t)", arg=prefix.strip())
            text = presenter.locator("[data-testid=stMain]").inner_text()
            link = re.search(r"https?://\S+/join\?code=([A-Z0-9]{5})", text)
            code = link.group(1)
            presenter.evaluate(f"window.__lvCountPrefix = {prefix!r}")
            presenter.evaluate(_OBSERVE_JS)

            # Chromium students: open the join link (nginx picks their replica), wait for the form.
            bstudents = []
            for i in range(args.browsers):
                ctx = browser.new_context(viewport={"width": 400, "height": 800}, locale="en-US")
                page = ctx.new_page()
                page.set_default_timeout(120_000)
                r = page.goto(link.group(0) + "&lang=en", wait_until="domcontentloaded")
                page.locator("[data-testid=stFormSubmitButton] button").wait_for()
                bstudents.append({"ctx": ctx, "page": page, "replica": (r.headers.get("x-upstream") or "").split(",")[-1].strip(),
                                  "value": OPTIONS[i % 3]})
            # The schedule: every student answers at a random moment within the window.
            n_sim = args.students - args.browsers
            offsets = [rng.uniform(0, args.window) for _ in range(n_sim)]
            per = [[] for _ in range(args.replicas)]
            for i, off in enumerate(offsets):
                per[i % args.replicas].append((off, secrets.token_hex(16), rng.choice(OPTIONS)))
            b_offsets = sorted(rng.uniform(0.5, args.window - 0.5) for _ in bstudents)
            reader_seen: list = []
            stop = threading.Event()
            reader = threading.Thread(target=_store_reader, args=(str(data_dir), code, stop, reader_seen), daemon=True)
            spawn = mp.get_context("spawn")
            results, ready = spawn.Queue(), spawn.Queue()
            starts = [spawn.Queue() for _ in range(args.replicas)]
            workers = [spawn.Process(target=_worker, args=(i, str(data_dir), code, per[i], ready, starts[i], results))
                       for i in range(args.replicas)]
            for w in workers:
                w.start()
            for _ in workers:
                ready.get(timeout=300)
            t0 = time.time() + 1.0
            for q in starts:
                q.put(t0)
            reader.start()
            load0 = Path("/proc/loadavg").read_text().split()[0]
            # the Chromium students click "Send" at their moments (this thread; the workers run meanwhile)
            for b, off in zip(bstudents, b_offsets, strict=True):
                delay = t0 + off - time.time()
                if delay > 0:
                    time.sleep(delay)
                page = b["page"]
                page.locator("[data-testid=stRadio] label", has_text=translate("en", f"predict.negative_sign_{b['value']}")).first.click()
                b["sent"] = time.time()
                page.locator("[data-testid=stFormSubmitButton] button").click()
            rows = []
            for _ in workers:
                rows += results.get(timeout=180)
            for w in workers:
                w.join(30)
            for b in bstudents:
                try:
                    b["page"].wait_for_function("t => document.body.innerText.includes(t)",
                                                arg=translate("en", "classroom.thanks"), timeout=60_000)
                    b["status"] = "accepted"
                except Exception as exc:
                    b["status"] = "error"
                    b["error"] = type(exc).__name__
                b["exceptions"] = b["page"].locator("[data-testid=stException]").count()
            # wait until the presenter shows every answer the database holds (bounded)
            st = PollStore.from_env({"LOSSVIZ_DATA_DIR": str(data_dir)})
            db_count = st.count(code)
            deadline = time.time() + 30
            while time.time() < deadline:
                seen = presenter.evaluate("window.__lvSeen")
                if seen and seen[-1][0] >= db_count:
                    break
                time.sleep(0.25)
            time.sleep(1.2)
            stop.set()
            reader.join(5)
            seen = presenter.evaluate("window.__lvSeen")
            load1 = Path("/proc/loadavg").read_text().split()[0]
            presenter_exceptions = presenter.locator("[data-testid=stException]").count()
            # where each browser student's answer is in the commit order: the rank of its row
            import sqlalchemy as sa

            with st.engine.connect() as conn:
                salt = conn.scalar(sa.select(poll_db.polls.c.salt).where(poll_db.polls.c.code == code))
                ids = list(conn.scalars(sa.select(poll_db.answers.c.voter_hash).where(
                    poll_db.answers.c.poll_code == code).order_by(poll_db.answers.c.id)))
            for b in bstudents:
                token = b["page"].evaluate("localStorage.getItem('lossviz-voter')")
                h = hashlib.sha256(f"{salt}:{token}".encode()).hexdigest()
                b["k"] = ids.index(h) + 1 if h in ids else None
            st.close()
            browser.close()
    finally:
        stop_cluster(proc)
        shutil.rmtree(data_dir, ignore_errors=True)

    accepted = [r for r in rows if r["status"] == "accepted"]
    errors = [r for r in rows if r["status"] != "accepted"] + [b for b in bstudents if b["status"] != "accepted"]
    acked = len(accepted) + sum(1 for b in bstudents if b["status"] == "accepted" and b["k"])
    lat_sim = [(_shown_at(seen, r["k"]) or float("nan")) / 1000 - r["sent"] for r in accepted]
    lat_reader = [(_shown_at(reader_seen, r["k"]) or float("nan")) / 1000 - r["sent"] for r in accepted]
    lat_b = [(_shown_at(seen, b["k"]) or float("nan")) / 1000 - b["sent"] for b in bstudents if b.get("k")]
    store_ms = [1000 * (r["done"] - r["sent"]) for r in accepted]
    after_commit = [(_shown_at(seen, r["k"]) or float("nan")) / 1000 - r["done"] for r in accepted]
    sends = sorted([r["sent"] for r in rows] + [b["sent"] for b in bstudents])
    all_lat = lat_sim + lat_b
    result.update({
        "answers_sent": len(rows) + len(bstudents),
        "answers_acknowledged": acked,
        "db_count": db_count,
        "presenter_final": seen[-1][0] if seen else 0,
        # acknowledged to a student but not in the database, plus in the database but never on the presenter's screen
        "lost": max(0, acked - db_count) + max(0, db_count - (seen[-1][0] if seen else 0)),
        "errors": len(errors), "error_samples": [e.get("error") for e in errors[:3]],
        "exceptions_shown": presenter_exceptions + sum(b["exceptions"] for b in bstudents),
        "send_span_s": sends[-1] - sends[0] if sends else float("nan"),
        "store_answer_ms_p50": _q(store_ms, 0.5), "store_answer_ms_p95": _q(store_ms, 0.95), "store_answer_ms_max": max(store_ms, default=float("nan")),
        "lat_p50": _q(all_lat, 0.5), "lat_p95": _q(all_lat, 0.95), "lat_max": max(all_lat, default=float("nan")),
        "lat_browser": sorted(round(x, 2) for x in lat_b),
        "lat_reader_p50": _q(lat_reader, 0.5), "lat_reader_p95": _q(lat_reader, 0.95),
        "commit_to_screen_p50": _q(after_commit, 0.5), "commit_to_screen_p95": _q(after_commit, 0.95),
        "presenter_updates": len(seen),
        "per_replica": {i: sum(1 for r in rows if r["replica"] == i) for i in range(args.replicas)},
        "browser_replicas": sorted(b["replica"] for b in bstudents),
        "loadavg": f"{load0} → {load1}",
        "nan_latencies": sum(1 for x in all_lat if x != x),
    })
    return result


def report(r: dict) -> str:
    ok = r["lost"] == 0 and r["errors"] == 0 and r["lat_p95"] < 2.0 and r["nan_latencies"] == 0
    return "\n".join([
        f"| {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} | {r['replicas']} | {r['students']} "
        f"({r['students'] - r['browsers']} store + {r['browsers']} Chromium) | {r['send_span_s']:.1f} s | "
        f"{r['answers_acknowledged']} / {r['db_count']} / {r['presenter_final']} | {r['lost']} | {r['errors']} | "
        f"{r['lat_p50']:.2f} / {r['lat_p95']:.2f} / {r['lat_max']:.2f} s | {r['lat_reader_p95']:.2f} s | "
        f"{r['store_answer_ms_p50']:.0f} / {r['store_answer_ms_p95']:.0f} / {r['store_answer_ms_max']:.0f} ms | "
        f"{r['commit_to_screen_p50']:.2f} / {r['commit_to_screen_p95']:.2f} s | "
        f"{r['loadavg']} | {'met' if ok else 'NOT met'} |",
        "",
        f"Chromium students' submit → presenter latencies (s): {r['lat_browser']}; their replicas: "
        f"{r['browser_replicas']}; the presenter's replica: {r['presenter_replica']}; simulated students per "
        f"replica: {r['per_replica']}; presenter count updates seen: {r['presenter_updates']}; exceptions shown: "
        f"{r['exceptions_shown']}; errors: {r['error_samples']}",
    ])


HEADER = ("| run | replicas | students | sends spread over | acknowledged / in database / presenter's final count | "
          "lost | errors | submit → presenter's count p50 / p95 / max | same, 1 Hz store reader p95 | "
          "submit → committed (PollStore.answer) p50 / p95 / max | committed → presenter's screen p50 / p95 | "
          "loadavg (1 min) start → end | goals |\n"
          "|---|---:|---|---:|---|---:|---:|---|---:|---|---|---|---|")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--window", type=float, default=10.0, help="seconds over which the answers arrive")
    ap.add_argument("--replicas", type=int, default=4)
    ap.add_argument("--browsers", type=int, default=6, help="students in real Chromium (the rest through the store)")
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--out", default="", help="append the result row to this Markdown file")
    args = ap.parse_args()
    r = run(args)
    row = report(r)
    print(HEADER)
    print(row)
    print({k: v for k, v in r.items() if k not in ("lat_browser",)})
    if args.out:
        path = Path(args.out)
        if not path.is_file():
            path.write_text("# Class poll under load (bench/poll_load.py)\n\nWritten by `bench/poll_load.py --out`, one "
                            "block per run; bench/README.md says what is real and what is simulated.\n", encoding="utf-8")
        cmd = " ".join(["bench/poll_load.py", *sys.argv[1:]])
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"\n## `{cmd}`\n\n{HEADER}\n{row}\n")


if __name__ == "__main__":
    main()
