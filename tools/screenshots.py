"""Screenshot every page in headless Chromium: both languages, desktop and phone width.

    .venv/bin/python tools/screenshots.py http://localhost:8501 out/ [url_path ...] [--lang en] [--width 1280]

Writes <out>/<page>_<lang>_<width>.png and prints any page that showed an exception.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lossviz.lessons.syllabus import all_pages  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


HEIGHT_JS = ("Math.max(...[...document.querySelectorAll('[data-testid=stMain], section.main')]"
             ".map(e => e.scrollHeight), document.body.scrollHeight)")
CHARTS_DRAWN_JS = "[...document.querySelectorAll('[data-testid=lv-chart]')].every(c => c.querySelector('.main-svg'))"


def _settled_height(page, *, timeout_s: float = 20.0) -> int:
    """The page's full height once every chart is drawn and the height is the same for 1 s."""
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=timeout_s * 1000)
    last, same_since, waited = -1, 0.0, 0.0
    while waited < timeout_s:
        tall = int(page.evaluate(HEIGHT_JS))
        same_since = same_since + 0.25 if tall == last else 0.0
        if same_since >= 1.0:
            break
        last = tall
        page.wait_for_timeout(250)
        waited += 0.25
    return last


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("out", type=Path)
    ap.add_argument("only", nargs="*", help="url paths (default: every page)")
    ap.add_argument("--query", default="", help="more URL parameters for every page, e.g. ek_c=6&ek_view=soft")
    ap.add_argument("--lang", action="append", choices=("en", "zh"), help="default: both")
    ap.add_argument("--width", action="append", type=int, choices=(1280, 375), help="default: both")
    args = ap.parse_args()
    base, out, only = args.base.rstrip("/"), args.out, set(args.only)
    sizes = [(w, h) for w, h in ((1280, 900), (375, 800)) if not args.width or w in args.width]
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for page_def in all_pages():
            if only and page_def.url_path not in only:
                continue
            for lang in args.lang or ("en", "zh"):
                for width, height in sizes:
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(f"{base}/{page_def.url_path}?lang={lang}" + (f"&{args.query}" if args.query else ""))
                    page.wait_for_selector("[data-testid=stAppViewContainer]")
                    page.wait_for_timeout(500)
                    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=30000)
                    # Streamlit scrolls inside its main container: grow the viewport to its full height,
                    # once that height has settled (a long page was once measured half-drawn).
                    tall = _settled_height(page)
                    page.set_viewport_size({"width": width, "height": min(tall + 40, 12000)})
                    page.wait_for_timeout(1500)
                    name = f"{page_def.id}_{lang}_{width}.png"
                    page.screenshot(path=str(out / name), full_page=True)
                    if page.locator("[data-testid=stException]").count():
                        print("EXCEPTION on", name)
                    page.close()
        browser.close()


if __name__ == "__main__":
    main()
