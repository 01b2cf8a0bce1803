"""AppTest runs the app in this process: its class-poll store goes to a temporary SQLite file."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _poll_database(tmp_path_factory):
    os.environ["LOSSVIZ_DATA_DIR"] = str(tmp_path_factory.mktemp("polls"))
    os.environ.pop("LOSSVIZ_DATABASE_URL", None)
    from lossviz.ui.classroom import poll_store

    poll_store.clear()
    yield
    poll_store.clear()
