"""What happens in the browser during one keyboard step on a page (a probe, not a benchmark).

    .venv/bin/python bench/probe_step.py softmax_ce softmax-ce               # event timeline
    .venv/bin/python bench/probe_step.py softmax_ce softmax-ce --commits     # + components per commit
    .venv/bin/python bench/probe_step.py minimal - --server-opt=--runner.postScriptGC=true
    .venv/bin/python bench/probe_step.py softmax_ce softmax-ce --root /tmp/variant   # another checkout

Prints one line per step (the page's main control, bench/harness.py MAIN_CONTROL, stepped as bench/run.py does):
the step time as `bench/run.py` measures it, then the events after the key or pointer press in ms:
``C`` a React commit (a stub React DevTools hook), ``SEND`` the rerun request leaving the
websocket, ``mN`` N websocket messages handled, ``R<``/``R>`` a ``Plotly.react`` call's start and
return. With ``--commits``, each commit also lists how many components rendered, grouped by the
element (index in the main area and its data-testid) or the frame part (``outside:<testid>``)
they belong to. Instrumented steps are ~20 % slower than in ``make bench``: compare variants
with each other, not with the benchmark's table. Loopback only, bounded: 6 steps, 10 s each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HOOK = """(() => { window.__ev = [];
 const ev = (k) => { if (window.__t0 !== undefined) window.__ev.push([Math.round(performance.now() - window.__t0), k]); };
 window.__evf = ev;
 const name = (f) => {
   let h = f; while (h && h.tag !== 5) h = h.child;
   if (!h || !h.stateNode || !h.stateNode.closest) { h = f.return; while (h && h.tag !== 5) h = h.return; }
   if (!h || !h.stateNode || !h.stateNode.closest) return '?';
   const ec = h.stateNode.closest('[data-testid=stElementContainer]');
   if (!ec) { const b = h.stateNode.closest('[data-testid]'); return 'outside:' + (b ? b.getAttribute('data-testid') : '?'); }
   const all = [...document.querySelectorAll('[data-testid=stMain] [data-testid=stElementContainer]')];
   const inner = ec.firstElementChild;
   return all.indexOf(ec) + ':' + ((inner && inner.getAttribute('data-testid')) || '?');
 };
 window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {supportsFiber: true, renderers: new Map(), isDisabled: false, checkDCE() {},
   inject() { return 1; }, onScheduleFiberRoot() {}, onCommitFiberUnmount() {}, onPostCommitFiberRoot() {},
   onCommitFiberRoot(id, root) {
     if (window.__t0 === undefined) return;
     if (!window.__countCommits) { ev('C'); return; }
     // components that rendered in this commit (React DevTools' test: the PerformedWork flag),
     // skipping subtrees React did not visit
     const counts = {}; let n = 0; const stack = [root.current.child];
     while (stack.length) { const f = stack.pop(); if (!f) continue;
       if ((!f.alternate || (f.flags & 1)) && [0, 1, 11, 14, 15].includes(f.tag)) { const k = name(f); counts[k] = (counts[k] || 0) + 1; n++; }
       if (f.sibling) stack.push(f.sibling);
       if (f.child && !(f.alternate && f.alternate.child === f.child)) stack.push(f.child); }
     ev('C' + n); window.__counts.push(counts); } };
 const WS = window.WebSocket;
 window.WebSocket = function (...a) { const w = new WS(...a); w.addEventListener('message', () => ev('m'));
   const send = w.send.bind(w); w.send = (d) => { ev('SEND'); return send(d); }; return w; };
 window.WebSocket.prototype = WS.prototype; Object.assign(window.WebSocket, WS);
 const start = (e) => { window.__t0 = e.timeStamp; window.__ev = []; window.__counts = []; };
 document.addEventListener('keydown', start, true);
 document.addEventListener('pointerdown', start, true);
})();"""
WRAP_REACT = """() => { if (!window.Plotly || window.Plotly.__wrapped) return; const r = window.Plotly.react;
  window.Plotly.react = function (...a) { window.__evf('R<'); const p = r.apply(this, a); window.__evf('R>'); return p; };
  window.Plotly.__wrapped = true; }"""


def compress(events: list[list]) -> str:
    out: list[list] = []
    for t, k in events:
        if k == "m" and out and out[-1][1].startswith("m"):
            out[-1][1] = f"m{int(out[-1][1][1:]) + 1}"
            out[-1][2] = t
        else:
            out.append([t, "m1" if k == "m" else k, t])
    return " ".join(f"{k}@{t}" + (f"-{t2}" if t2 != t else "") for t, k, t2 in out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page_id", help="a page id of lossviz.lessons.syllabus, or 'minimal' for bench/minimal_app.py")
    ap.add_argument("url_path", help="the page's URL path ('-' for the app's root)")
    ap.add_argument("--commits", action="store_true", help="count the components each commit renders")
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--top", type=int, default=12, help="with --commits: how many elements to list per commit")
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help="the checkout to serve")
    ap.add_argument("--server-opt", action="append", default=[], help="a `streamlit run` option (repeatable)")
    args = ap.parse_args()
    sys.path.insert(0, args.root)
    from playwright.sync_api import sync_playwright

    from bench.harness import CHROMIUM, CHROMIUM_ARGS, Server, control_for
    from bench.run import _act

    script = "bench/minimal_app.py" if args.page_id == "minimal" else "app.py"
    ctl = control_for(args.page_id)
    with Server(script, extra=args.server_opt) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        ctx.add_init_script(HOOK)
        page = ctx.new_page()
        page.goto(server.url + "/" + ("" if args.url_path == "-" else args.url_path), timeout=60000)
        ready = {"key": ctl.get("slider", ""), "stepper": ctl.get("up", ""), "cycle": ctl.get("options", "")}
        page.wait_for_selector(ready[ctl.get("action", "key")], timeout=60000)
        page.wait_for_timeout(4000)
        page.evaluate(WRAP_REACT)
        page.evaluate(f"window.__countCommits = {str(args.commits).lower()}")
        state: dict = {}
        for i in range(args.steps):
            _act(page, ctl, i, state)
            step = page.evaluate("window.__step")
            page.wait_for_timeout(800)
            print(round(step), compress(page.evaluate("window.__ev")))
            if args.commits:
                for counts in page.evaluate("window.__counts"):
                    top = sorted(counts.items(), key=lambda kv: -kv[1])[:args.top]
                    print("   ", sum(counts.values()), ", ".join(f"{k} {v}" for k, v in top))
        browser.close()


if __name__ == "__main__":
    main()
