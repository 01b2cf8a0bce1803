"""Frame time of the drag-to-learn component while the pointer moves, in headless Chromium.

    .venv/bin/python bench/drag_frames.py http://localhost:8501 [url_path]

``measure_drag_frames(base_url)`` opens a page holding a ``lossviz.ui.drag`` curve (the Start
page by default), presses the mouse on the logit handle, moves it ``moves`` times (one move per
animation frame) and releases. The component records, for every redraw it does in
``requestAnimationFrame``, the redraw's script time, the frame timestamp and the time from the
first pointer event of that frame to the end of the redraw; this function returns their median
and p95 in milliseconds (goal: ≤ 16 ms, one frame at 60 Hz).
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

_PERF_JS = """(root) => {
  const p = root.lvPerf;
  return { draws: p.draws.slice(), frames: p.frames.slice(), lags: p.lags.slice() };
}"""
_NEXT_FRAME_JS = "() => new Promise((r) => requestAnimationFrame(() => r(null)))"
# A drag driven from inside the page: one pointermove per animation frame, so the frame
# intervals show whether the component keeps up with the display (16.7 ms at 60 Hz).
_IN_PAGE_JS = """async (root, moves) => {
  const handle = root.querySelector('[data-testid=lv-handle-x]');
  const svg = root.querySelector('.lv-stage svg').getBoundingClientRect();
  const hb = handle.getBoundingClientRect();
  const y = hb.top + hb.height / 2;
  const left = svg.left + 50, right = svg.right - 60;
  const ev = (type, x) => handle.dispatchEvent(new PointerEvent(type, {
    pointerId: 77, pointerType: 'mouse', isPrimary: true, clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0, buttons: type === 'pointerup' ? 0 : 1 }));
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  root.lvPerf.reset();
  ev('pointerdown', hb.left + hb.width / 2);
  for (let i = 0; i < moves; i++) {
    await frame();
    const f = (i % 60) / 59;
    ev('pointermove', left + (right - left) * ((Math.floor(i / 60) % 2) ? 1 - f : f));
  }
  await frame();
  await frame();
  ev('pointerup', left);
  const p = root.lvPerf;
  return { draws: p.draws.slice(), frames: p.frames.slice(), lags: p.lags.slice() };
}"""


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None, "max": None, "n": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 3), "p95": round(p95, 3), "max": round(ordered[-1], 3), "n": len(ordered)}


def measure_on_page(page, *, moves: int = 120, timeout: float = 60_000) -> dict[str, Any]:
    """Drag the curve's logit handle on an already opened ``page``; return the timing stats."""
    root = page.locator(".lv-drag[data-mode=curve]").first
    handle = root.get_by_test_id("lv-handle-x")
    try:
        handle.wait_for(timeout=timeout)
    except Exception as exc:  # Playwright's TimeoutError: say what is missing
        raise RuntimeError(f"no drag-to-learn curve (lossviz.ui.drag.logit_curve) on {page.url}") from exc
    handle.scroll_into_view_if_needed()
    stage = root.locator(".lv-stage svg").first.bounding_box()
    box = handle.bounding_box()
    if stage is None or box is None:
        raise RuntimeError("the drag component is not visible")
    root.evaluate("(r) => r.lvPerf.reset()")
    x0, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    left, right = stage["x"] + 50, stage["x"] + stage["width"] - 60
    page.mouse.move(x0, y)
    page.mouse.down()
    for i in range(moves):
        frac = (i % 60) / 59
        leg = (i // 60) % 2
        target = left + (right - left) * (frac if leg == 0 else 1 - frac)
        page.mouse.move(target, y)
        page.evaluate(_NEXT_FRAME_JS)
    page.mouse.up()
    mouse = root.evaluate(_PERF_JS)
    page.wait_for_timeout(1500)  # let the release's rerun finish
    in_page = root.evaluate(_IN_PAGE_JS, moves)

    def summary(perf: dict) -> dict[str, Any]:
        frames = perf["frames"]
        return {
            "redraws": len(perf["draws"]),
            "redraw_ms": _stats(perf["draws"]),
            "input_to_redraw_ms": _stats(perf["lags"]),
            "frame_interval_ms": _stats([b - a for a, b in zip(frames, frames[1:], strict=False)]),
        }

    # Playwright's mouse goes through the real input pipeline but paces frames by its own round
    # trips (so its frame interval measures the driver); the in-page drag paces by the display.
    return {"moves": moves, "playwright_mouse": summary(mouse), "in_page": summary(in_page)}


def measure_drag_frames(
    base_url: str, *, path: str = "", lang: str = "en", moves: int = 120, browser=None, timeout: float = 60_000
) -> dict[str, Any]:
    """Open ``base_url/path?lang=..`` and measure the drag redraws (see the module docstring).

    ``browser``: a Playwright Browser to reuse; without it Debian's Chromium is launched.
    """
    url = f"{base_url.rstrip('/')}/{path.lstrip('/')}?lang={lang}"

    def run(b) -> dict[str, Any]:
        ctx = b.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = ctx.new_page()
            page.goto(url, wait_until="domcontentloaded", timeout=timeout)
            result = measure_on_page(page, moves=moves, timeout=timeout)
            result["url"] = url
            return result
        finally:
            ctx.close()

    if browser is not None:
        return run(browser)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return run(b)
        finally:
            b.close()


if __name__ == "__main__":
    base = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8501"
    print(json.dumps(measure_drag_frames(base, path=sys.argv[2] if len(sys.argv) > 2 else ""), indent=2))
