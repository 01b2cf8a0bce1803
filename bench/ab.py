"""Side-by-side step times of two or more checkouts of LossViz (a probe for one change at a time).

    git clone -q . /tmp/b && ln -s "$PWD/.venv" /tmp/b/.venv     # then make the change in /tmp/b
    .venv/bin/python bench/ab.py softmax_ce softmax-ce . /tmp/b
    .venv/bin/python bench/ab.py softmax_ce softmax-ce /tmp/b .  # and the other way round

Each checkout is served by its own server (``python -m lossviz.ui.launch`` in that directory, on
127.0.0.1), and one browser steps the page's main control (bench/harness.py MAIN_CONTROL) in
blocks of 6 steps, taking the checkouts in turn, ``--rounds`` times; prints p50/p95 per
checkout. The first-listed checkout has measured a few ms faster in such runs: run both orders.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import CHROMIUM, CHROMIUM_ARGS, Server, control_for, quantile  # noqa: E402
from bench.run import Stepper  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page_id")
    ap.add_argument("url_path")
    ap.add_argument("checkouts", nargs="+")
    ap.add_argument("--rounds", type=int, default=8)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack, sync_playwright() as p:
        servers = {d: stack.enter_context(Server(root=Path(d).resolve())) for d in args.checkouts}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        steppers = {
            d: Stepper(browser, f"{servers[d].url}/{args.url_path}", control_for(args.page_id)) for d in args.checkouts
        }
        for _ in range(args.rounds):
            for d in args.checkouts:
                steppers[d].block(6)
        browser.close()
    for d in args.checkouts:
        out = steppers[d].out
        note = f"  ({steppers[d].note})" if steppers[d].note else ""
        p50 = statistics.median(out) if out else float("nan")
        print(f"{d:30s} n={len(out)} p50={p50:.0f} p95={quantile(out, 0.95):.0f}{note}")


if __name__ == "__main__":
    main()
