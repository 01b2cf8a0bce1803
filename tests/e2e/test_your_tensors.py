"""Your tensors in real Chromium: a paste, an uploaded .npy, the link round trip, a finding at phone width."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.e2e.conftest import assert_no_exception, open, wait_finished

pytestmark = pytest.mark.e2e

TORCH_VALUE_JS = """() => {
  for (const div of document.querySelectorAll('[data-testid=stMain] dl.lv-metrics > div')) {
    const dt = div.querySelector('dt');
    if (dt && dt.innerText.startsWith('torch ')) return div.querySelector('dd').innerText.trim();
  }
  return null;
}"""


def torch_value(page) -> str | None:
    return page.evaluate(TORCH_VALUE_JS)


def type_into(page, label: str, text: str) -> None:
    """Replace a text area's text and commit it (Ctrl+Enter), then wait for the rerun."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Control+Enter")
    page.wait_for_timeout(300)
    wait_finished(page)
    assert_no_exception(page)


def test_paste_shows_torchs_value(server, page):
    """Test that pasting a prediction and a target shows torch's value, digit for digit, and puts them in the link."""
    open(page, f"{server.base_url}/your-tensors?lang=en")
    type_into(page, "prediction (the loss's input)", "[[1.5, -0.3], [0.2, 2.0], [-1.0, 0.5]]")
    type_into(page, "target", "tensor([1, 0, 1])")
    want = F.cross_entropy(torch.tensor([[1.5, -0.3], [0.2, 2.0], [-1.0, 0.5]]), torch.tensor([1, 0, 1])).item()
    page.wait_for_function(f"() => ({TORCH_VALUE_JS})() === {repr(repr(want))}")
    query = parse_qs(urlsplit(page.url).query)
    assert query["dr_t"] == ["tensor([1, 0, 1])"], page.url


def _npy(a: np.ndarray, path) -> str:
    buf = io.BytesIO()
    np.save(buf, a)
    path.write_bytes(buf.getvalue())
    return str(path)


def test_upload_npy_files(server, page, tmp_path):
    """Test that two uploaded .npy files (logits, class indices) give torch's CrossEntropyLoss value."""
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32) * 3
    y = np.array([0, 3, 1, 2, 2, 0])
    open(page, f"{server.base_url}/your-tensors?lang=en")
    page.get_by_text("a .npy / .pt file", exact=True).click()
    wait_finished(page)
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        [_npy(x, tmp_path / "logits.npy"), _npy(y, tmp_path / "labels.npy")])
    want = repr(F.cross_entropy(torch.from_numpy(x), torch.from_numpy(y)).item())
    page.wait_for_function(f"() => ({TORCH_VALUE_JS})() === {want!r}", timeout=30_000)
    assert_no_exception(page)


def test_link_round_trip(server, page, context):
    """Test that a link with a small paste and the loss options reopens the same result in a new tab."""
    params = {"lang": "en", "dr_x": "[0.2, -1.5, 3.0]", "dr_t": "[0., 1., 1.]", "dr_loss": "BCEWithLogitsLoss",
              "dr_red": "sum", "dr_pw": "2.0"}
    open(page, f"{server.base_url}/your-tensors?{urlencode(params)}")
    want = F.binary_cross_entropy_with_logits(torch.tensor([0.2, -1.5, 3.0]), torch.tensor([0.0, 1.0, 1.0]), reduction="sum",
                                              pos_weight=torch.tensor([2.0])).item()
    assert torch_value(page) == repr(want)
    again = context.new_page()
    open(again, page.url)
    assert torch_value(again) == repr(want)
    assert {k: v[0] for k, v in parse_qs(urlsplit(again.url).query).items() if k.startswith("dr_")} == {
        k: v for k, v in params.items() if k != "lang"}


def test_phone_width_finding(server, browser, tmp_path):
    """Test that at 375 px a case with a torch error and a finding (labels 1..C) renders without exception or sideways scroll."""
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    ctx.set_default_timeout(60_000)
    try:
        page = ctx.new_page()
        query = urlencode({"lang": "zh", "dr_x": "[[2.0, -1.0, 0.5], [0.1, 1.2, -0.3], [-1.5, 0.3, 2.2]]", "dr_t": "[1, 2, 3]"})
        open(page, f"{server.base_url}/your-tensors?{query}")
        page.wait_for_selector("[data-testid=stMain] [data-testid=stPageLink]", timeout=30_000)
        assert "IndexError" in page.locator("[data-testid=stMain]").inner_text()
        page.screenshot(path=str(tmp_path / "your_tensors_phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        assert_no_exception(page)
    finally:
        ctx.close()


class _Evil:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.marker}",)


def test_a_pickle_that_runs_code_is_refused(server, page, tmp_path):
    """Test that an uploaded .pt whose pickle would run a command is refused with the page's message, and nothing runs."""
    import pickle

    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps(_Evil(str(marker)), protocol=2))
    open(page, f"{server.base_url}/your-tensors?lang=en&dr_src=file")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files([str(evil)])
    page.wait_for_selector("[data-testid=stMain] [data-testid=stAlertContentError]", timeout=30_000)
    assert "nothing in it was run" in page.locator("[data-testid=stMain] [data-testid=stAlertContentError]").first.inner_text()
    assert not marker.exists()
    assert_no_exception(page)
