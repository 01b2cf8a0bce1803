"""The class poll in real browsers: a presenter, three students (en, zh, en), one answer per browser,
the live count without a reload, the reveal on every phone, bad and expired codes.

The session's server (conftest ``server``) keeps its poll store in a temp ``LOSSVIZ_DATA_DIR``; this
test opens the same SQLite file to make an expired poll.
"""

from __future__ import annotations

import re
import time

from lossviz.classroom import PollStore
from lossviz.lessons.predict import questions
from lossviz.text.i18n import translate
from tests.e2e.conftest import assert_no_exception, log_mark, main_text, open_app, wait_finished, wait_text

P = questions("negative")[0]  # a choice: "what is the sign of the loss?"


def _plain(markdown: str) -> str:
    return markdown.replace("**", "")


def _answer(page, lang: str, option: str) -> None:
    """Pick ``option`` on the student's page and send it."""
    label = translate(lang, f"{P.key}_{option}", **P.text_params())
    wait_text(page, translate(lang, "classroom.send"), 30_000)  # the form shows once the voter token is in
    page.locator("[data-testid=stRadio] label", has_text=label).first.click()
    page.locator("[data-testid=stFormSubmitButton] button").click()
    wait_finished(page)


def test_presenter_and_three_students(server, browser):
    mark = log_mark()
    contexts = []

    def ctx(locale: str):
        c = browser.new_context(viewport={"width": 400, "height": 800}, locale=locale)
        c.set_default_timeout(60_000)
        contexts.append(c)
        return c

    try:
        # The presenter opens the lesson in presenter mode and asks the class.
        presenter_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        contexts.append(presenter_ctx)
        presenter = open_app(presenter_ctx.new_page(), f"{server.base_url}/negative-loss?lang=en&present=1")
        presenter.get_by_role("button", name=translate("en", "classroom.poll_ask")).click()
        wait_finished(presenter)
        url = presenter.url  # the count must move without the presenter's page reloading
        wait_text(presenter, _plain(translate("en", "classroom.poll_count", n=0)))
        m = re.search(r"https?://\S+/join\?code=([A-Z0-9]{5})", main_text(presenter))
        assert m, main_text(presenter)
        link, code = m.group(0), m.group(1)
        assert presenter.locator(f"img[alt*='{link}']").count() == 1  # the QR code, with the link as alt text
        assert _plain(translate("en", "classroom.poll_join", code=code)) in main_text(presenter)
        assert_no_exception(presenter, mark)

        # Three students open the join link on their phones: English, Chinese (from the browser's
        # language: the link has no ?lang=), English with a second tab open.
        students = []
        for locale, lang in (("en-US", "en"), ("zh-CN", "zh"), ("en-GB", "en")):
            page = open_app(ctx(locale).new_page(), link)
            wait_text(page, translate(lang, P.key, **P.text_params()))
            students.append((page, lang))
            assert_no_exception(page, mark)
        second_tab = open_app(contexts[-1].new_page(), link)
        wait_text(second_tab, translate("en", "classroom.send"), 30_000)

        # Each answers once; the presenter's count follows without a reload.
        for n, ((page, lang), option) in enumerate(zip(students, ("neg", "neg", "pos"), strict=True), start=1):
            _answer(page, lang, option)
            wait_text(page, translate(lang, "classroom.thanks"))
            assert_no_exception(page, mark)
            t0 = time.monotonic()
            wait_text(presenter, _plain(translate("en", "classroom.poll_count", n=n)), 5_000)
            assert time.monotonic() - t0 < 5
            assert_no_exception(presenter, mark)

        # The same browser again: the open second tab sends an answer, a reload of the first tab shows
        # the form no more; both are told this browser already answered. The count stays 3.
        _answer(second_tab, "en", "zero")
        wait_text(second_tab, translate("en", "classroom.already"))
        assert_no_exception(second_tab, mark)
        first = students[0][0]
        first.reload(wait_until="domcontentloaded")
        wait_finished(first)
        wait_text(first, translate("en", "classroom.already"))
        assert first.locator("[data-testid=stFormSubmitButton]").count() == 0
        assert_no_exception(first, mark)
        presenter.wait_for_timeout(1500)  # at least one more live refresh
        assert _plain(translate("en", "classroom.poll_count", n=3)) in main_text(presenter)
        assert presenter.url == url and presenter.evaluate("performance.getEntriesByType('navigation').length") == 1

        # Reveal: the projector and every student's page show the answer (the phones poll every 2 s).
        presenter.get_by_role("button", name=translate("en", "classroom.poll_reveal")).click()
        truth = {lang: translate(lang, f"{P.key}_{P.truth}", **P.text_params()) for lang in ("en", "zh")}
        wait_text(presenter, translate("en", "classroom.poll_revealed", truth=truth["en"]))
        assert_no_exception(presenter, mark)
        for page, lang in [*students, (second_tab, "en")]:
            wait_text(page, translate(lang, "classroom.poll_revealed", truth=truth[lang]))
            assert_no_exception(page, mark)
    finally:
        for c in contexts:
            c.close()


def test_bad_and_expired_codes_get_a_message(server, page):
    mark = log_mark()
    # an expired poll: made in the server's own database, three hours and more ago
    store = PollStore.from_env({"LOSSVIZ_DATA_DIR": str(server.data_dir)}, clock=lambda: time.time() - 4 * 3600)
    try:
        expired = store.create_poll(P.key, lesson=P.page, options=P.options, params=dict(P.params))
    finally:
        store.close()
    cases = [
        (f"code={expired}", "classroom.poll_error_expired"),
        (f"code={expired.lower()}", "classroom.poll_error_expired"),  # typed in lower case: the same poll
        ("code=ZZZZZ", "classroom.poll_error_unknown_code"),
        ("code=%3Cscript%3E", "classroom.poll_error_unknown_code"),
        ("", "classroom.enter_code"),
    ]
    for query, key in cases:
        open_app(page, f"{server.base_url}/join?lang=en&{query}")
        wait_text(page, translate("en", key))
        assert page.locator("[data-testid=stFormSubmitButton]").count() == 0
        assert_no_exception(page, mark)
