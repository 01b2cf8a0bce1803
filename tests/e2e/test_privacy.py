"""Privacy: visiting every page makes no request to any host but this server."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from lossviz.lessons.syllabus import all_pages
from tests.e2e.conftest import open

pytestmark = pytest.mark.e2e

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}


def test_no_request_leaves_this_machine(server, page):
    """Test that every request (incl. websockets) while visiting every page goes to localhost."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.on("websocket", lambda ws: seen.append(ws.url))
    for lesson in all_pages():
        open(page, f"{server.base_url}/{lesson.url_path}?lang=en")
        page.wait_for_timeout(500)  # charts, fonts and components load after the script finished
    open(page, f"{server.base_url}/?lang=zh")
    page.wait_for_timeout(500)
    assert len(seen) > len(all_pages())
    outside = sorted(
        {u for u in seen if urlsplit(u).scheme not in LOCAL_SCHEMES and urlsplit(u).hostname not in LOCAL_HOSTS}
    )
    assert not outside, outside
