"""The class poll's sentences (locales/*/classroom.toml, prose classroom_join): what the poll promises a
student and a presenter, checked on the real store (SQLite in a temp dir)."""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa

from lossviz.classroom import DEFAULT_TTL_S, AnswerStatus, PollClosed, PollExpired, PollStore
from lossviz.lessons.predict import questions


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    clock = Clock()
    s = PollStore(f"sqlite:///{tmp_path / 'polls.sqlite3'}", clock=clock)
    s.clock = clock
    yield s
    s.close()


def _poll(store) -> str:
    p = questions("weights")[0]
    return store.create_poll(p.key, lesson=p.page, min_value=p.lo, max_value=p.hi, params={**p.params, "truth": p.truth})


def test_a_poll_closes_after_three_hours(store):
    """Test "a poll closes after three hours" / "it was open for three hours": answers are taken until 3 h,
    refused after, and the code is then unknown."""
    assert DEFAULT_TTL_S == 3 * 3600
    code = _poll(store)
    store.clock.now += 3 * 3600 - 1
    assert store.answer(code, "voter-aaaaaaaa", 2.0).status is AnswerStatus.ACCEPTED
    store.clock.now += 2
    with pytest.raises(PollExpired):
        store.answer(code, "voter-bbbbbbbb", 2.0)
    assert store.get_poll(code) is None


def test_nothing_about_a_student_is_stored(store):
    """Test "nobody sees who answered what, and nothing about you is stored": the answers table holds the
    poll code, a salted hash and the value — not the browser's token, no name, no address."""
    code = _poll(store)
    token = "the-browser-token-123456"
    store.answer(code, token, 3.0)
    with store.engine.connect() as conn:
        cols = [c["name"] for c in sa.inspect(conn).get_columns("lossviz_answers")]
        rows = [tuple(r) for r in conn.execute(sa.text("SELECT * FROM lossviz_answers"))]
    assert not {"name", "ip", "address", "user", "email"} & {c.lower() for c in cols}, cols
    assert rows and all(token not in str(v) for row in rows for v in row)


def test_the_first_answer_counts(store):
    """Test "this browser has already answered this poll: the first answer counts"."""
    code = _poll(store)
    assert store.answer(code, "voter-cccccccc", 3.0).status is AnswerStatus.ACCEPTED
    assert store.answer(code, "voter-cccccccc", 7.0).status is AnswerStatus.ALREADY_ANSWERED
    hist = store.histogram(code)
    assert hist.total == 1 and math.isclose(hist.mean, 3.0)


def test_a_revealed_poll_takes_no_more_answers(store):
    """Test "the answer has been revealed, so this poll takes no more answers"."""
    code = _poll(store)
    store.reveal(code)
    with pytest.raises(PollClosed):
        store.answer(code, "voter-dddddddd", 3.0)


def test_a_guess_is_judged_by_its_distance_to_the_truth():
    """Test "Off by {diff} ({rel} of the true value)": diff = |guess − truth|, rel = diff / |truth|."""
    p = questions("softmax_ce")[0]
    diff, rel = p.off_by(1.0)
    assert math.isclose(diff, math.log(4) - 1.0) and math.isclose(rel, (math.log(4) - 1.0) / math.log(4))
    assert p.is_right(1.39) and not p.is_right(1.0)
