"""bench/load.py --check: the load client's deltas are equivalent to a real browser session's."""

from __future__ import annotations

import asyncio
import hashlib
import re

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench.load import Client, load_targets  # noqa: E402


def _norm(msgs: list[ForwardMsg]) -> list[tuple]:
    """Rerun stream → comparable records: (delta path, element kind, digest of the content)."""
    out = []
    for m in msgs:
        kind = m.WhichOneof("type")
        if kind != "delta":
            continue
        path = tuple(m.metadata.delta_path)
        d = m.delta
        if d.WhichOneof("type") == "new_element":
            el = d.new_element
            ek = el.WhichOneof("type")
            body = getattr(el, ek).SerializeToString(deterministic=True)
            body = re.sub(rb"react-aria[\w:-]*|\$\$ID-[0-9a-f]{32}", b"", body)
            out.append((path, ek, hashlib.sha1(body).hexdigest()[:10]))
        else:
            out.append((path, d.WhichOneof("type"), ""))
    return out


def check(base: str) -> bool:
    """Compare one keyboard step from Chromium with the same step from the protocol client, on the
    Start page (a full rerun) and on lesson 1 (its slider is in an st.fragment: a fragment rerun)."""
    targets = load_targets()
    return all([_check_one(base, *targets[0]), _check_one(base, *next(t for t in targets if t[0] == "sigmoid-bce"))])


def _check_one(base: str, path: str, key: str) -> bool:
    from playwright.sync_api import sync_playwright

    from bench.harness import CHROMIUM, CHROMIUM_ARGS

    frames: list[bytes] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("websocket", lambda ws: ws.on("framereceived", lambda d: frames.append(d)))
            page.goto(f"{base}/{path}?lang=en", timeout=60000)
            page.wait_for_selector(".js-plotly-plot", timeout=60000)
            page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60000)
            page.wait_for_timeout(1000)
            n0 = len(frames)
            page.locator(f".st-key-{key} input[type=range]").focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"location.search.includes('{key}=')", timeout=30000)
            page.wait_for_timeout(500)
            page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=60000)
            page.wait_for_timeout(1500)
            value = page.locator(f".st-key-{key} input[type=range]").input_value()
        finally:
            browser.close()
    browser_msgs = []
    for f in frames[n0:]:
        m = ForwardMsg()
        m.ParseFromString(f)
        browser_msgs.append(m)
    refs = sum(1 for m in browser_msgs if m.WhichOneof("type") == "ref_hash")

    async def client_side():
        c = Client(base, path, key)
        await c.connect()
        msgs, _, _, new = await c.step(+1.0)
        await c.close()
        return msgs, new, c.fragment

    client_msgs, new, fragment = asyncio.run(client_side())
    a, b = _norm(browser_msgs), _norm(client_msgs)
    same = a == b
    print(f"page /{path}, slider {key}: browser value {value}, client value {new}"
          + (f"; the slider is in fragment {fragment}: the client reran only it" if fragment else "; a full rerun"))
    print(f"browser rerun: {len(browser_msgs)} ForwardMsgs ({refs} cached refs), {len(a)} deltas; "
          f"client rerun: {len(client_msgs)} ForwardMsgs, {len(b)} deltas")
    if not same:
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                print(f"  first difference at delta {i}: browser {x} vs client {y}")
                break
        if len(a) != len(b):
            print(f"  lengths differ: {len(a)} vs {len(b)}")
    print("EQUIVALENT: the same deltas with the same contents" if same else "NOT EQUIVALENT")
    return same
