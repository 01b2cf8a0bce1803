"""The class poll across two replicas behind nginx (deploy/run.sh 2) sharing one SQLite file.

A student on the other replica than the presenter answers and the presenter's count moves; then the
presenter's replica is stopped mid-poll: the presenter reloads and gets the same poll back on the other
replica (its signed code is in the URL), the students there reload, land on the remaining replica and
answer there (or are told they already did), and the count includes every answer. Needs nginx: fails, does
not skip, without it (like test_replicas.py).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time

import pytest

from lossviz.classroom import PollStore
from lossviz.lessons.predict import questions
from lossviz.text.i18n import translate
from tests.e2e.conftest import main_text, wait_finished, wait_text
from tests.e2e.test_replicas import run_cluster

P = questions("negative")[0]


@pytest.fixture(scope="module")
def poll_cluster(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("lossviz_shared_data")
    with run_cluster(2, env={"LOSSVIZ_DATA_DIR": str(data_dir)}) as c:
        c["data_dir"] = data_dir
        yield c


def _no_exception(page) -> None:
    n = page.locator("[data-testid=stException]").count()
    assert n == 0, f"{page.url}: {n} exception(s): {page.locator('[data-testid=stException]').all_inner_texts()}"


def _goto(page, url: str) -> str:
    """Open ``url`` through nginx; return the replica that served the HTML (the last one nginx tried)."""
    response = page.goto(url, wait_until="domcontentloaded", timeout=90_000)
    assert response is not None and response.ok, url
    page.wait_for_selector("[data-testid=stAppViewContainer]", timeout=90_000)
    wait_finished(page, 90_000)
    _no_exception(page)
    return response.headers.get("x-upstream", "").split(",")[-1].strip()


def _count(n: int) -> str:
    return translate("en", "classroom.poll_count", n=n).replace("**", "")


def _answer(page, option: str) -> None:
    wait_text(page, translate("en", "classroom.send"), 30_000)
    page.locator("[data-testid=stRadio] label", has_text=translate("en", f"{P.key}_{option}")).first.click()
    page.locator("[data-testid=stFormSubmitButton] button").click()
    wait_finished(page, 60_000)
    _no_exception(page)


def test_poll_across_replicas_and_a_replica_stopped_mid_poll(poll_cluster, browser):
    url, replicas = poll_cluster["url"], poll_cluster["replicas"]
    assert "SQLite" in poll_cluster["store"] and str(poll_cluster["data_dir"]) in poll_cluster["store"]
    contexts = []
    try:
        presenter_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(presenter_ctx)
        presenter = presenter_ctx.new_page()
        home = _goto(presenter, f"{url}/negative-loss?lang=en&present=1")
        assert home in replicas
        presenter.get_by_role("button", name=translate("en", "classroom.poll_ask")).click()
        wait_finished(presenter, 60_000)
        wait_text(presenter, _count(0))
        link = re.search(r"https?://\S+/join\?code=[A-Z0-9]{5}", main_text(presenter)).group(0)
        assert link.startswith(url), (link, url)  # the link names the proxy, not a replica

        # Students arrive until two are on the presenter's replica and one on the other (bounded).
        same, other = [], []
        for _ in range(24):
            ctx = browser.new_context(viewport={"width": 400, "height": 800})
            ctx.set_default_timeout(60_000)
            page = ctx.new_page()
            where = _goto(page, link + "&lang=en")
            if (where == home and len(same) < 2) or (where != home and not other):
                contexts.append(ctx)
                (same if where == home else other).append(page)
                wait_text(page, translate("en", P.key, **P.text_params()))
            else:
                ctx.close()
            if len(same) == 2 and other:
                break
        assert len(same) == 2 and other, f"students on {home}: {len(same)}, elsewhere: {len(other)}"

        # 1. A student on the other replica answers: the presenter's count moves (shared database).
        _answer(other[0], "neg")
        wait_text(other[0], translate("en", "classroom.thanks"))
        wait_text(presenter, _count(1), 5_000)
        _answer(same[0], "pos")
        wait_text(presenter, _count(2), 5_000)

        # 2. The presenter's replica stops mid-poll; the second student there has not answered yet.
        os.kill(replicas[home], signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", int(home.split(":")[1]))) != 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail(f"replica {home} did not stop")

        # The presenter reloads: the signed poll code in its URL brings the same poll back on the other
        # replica, with both answers counted (nothing was in the stopped process).
        assert "lv_poll_negative_sign=" in presenter.url
        presenter.reload(wait_until="domcontentloaded", timeout=90_000)
        wait_finished(presenter, 90_000)
        _no_exception(presenter)
        assert presenter.context.request.get(f"{url}/_stcore/health").headers["x-upstream"].split(",")[-1].strip() != home
        wait_text(presenter, _count(2))
        assert presenter.get_by_role("button", name=translate("en", "classroom.poll_ask")).count() == 0

        # Its students reload too and land on the remaining replica (same cookie, same browser token).
        for page in same:
            page.reload(wait_until="domcontentloaded", timeout=90_000)
            wait_finished(page, 90_000)
            _no_exception(page)
        wait_text(same[0], translate("en", "classroom.already"))  # its answer is still there
        _answer(same[1], "neg")
        wait_text(same[1], translate("en", "classroom.thanks"))
        wait_text(presenter, _count(3), 5_000)

        # Every answer is in the shared file: three, one per browser.
        store = PollStore.from_env({"LOSSVIZ_DATA_DIR": str(poll_cluster["data_dir"])})
        try:
            code = link.rsplit("=", 1)[1]
            assert store.count(code) == 3
            assert store.histogram(code).counts == (1, 0, 2)  # pos, zero, neg
        finally:
            store.close()

        # Reveal on the projector: every student's page (all now on one replica) shows the answer.
        presenter.get_by_role("button", name=translate("en", "classroom.poll_reveal")).click()
        truth = translate("en", "classroom.poll_revealed", truth=translate("en", f"{P.key}_{P.truth}"))
        for page in (presenter, *other, *same):
            wait_text(page, truth)
            _no_exception(page)
    finally:
        for c in contexts:
            c.close()
