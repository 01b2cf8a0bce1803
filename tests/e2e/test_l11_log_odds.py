"""Real-browser tests of lesson 11, From log-odds to likelihood: the p and x sliders, the drag handle on the
sigmoid and the link stay one point on the curve."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import torch

from lossviz.text import fmt
from tests.e2e.conftest import assert_no_exception, open, wait_finished

pytestmark = pytest.mark.e2e


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def metric(page, label: str) -> str:
    return page.locator(".lv-metrics > div").filter(has_text=label).first.locator("dd").inner_text()


def slider(page, nth: int):
    return page.locator("[data-testid=stMain] [data-testid=stSlider] input[type=range]").nth(nth)


def sigma(x: float) -> float:
    return torch.sigmoid(torch.tensor(x, dtype=torch.float64)).item()


def test_link_copied_after_moving_x_keeps_x(server, page):
    """Test that ?lo_x=6.5&lo_p=0.998 (p is x's rounded σ) opens with x = 6.5 exact and p = σ(6.5)."""
    open(page, f"{server.base_url}/log-odds-likelihood?lang=en&lo_x=6.5&lo_p=0.998")
    assert metric(page, "logit(p) = log odds") == "6.5"
    assert metric(page, "p") == fmt.cell(sigma(6.5))


def test_keyboard_on_either_slider_moves_the_other(server, page):
    """Test that a step on x puts p on σ(x) rounded (slider and URL), and a step on p puts x on logit(p) rounded."""
    open(page, f"{server.base_url}/log-odds-likelihood?lang=en")
    slider(page, 1).focus()
    page.keyboard.press("ArrowRight")  # x: 1.39 → 1.4
    page.wait_for_function("() => new URL(location.href).searchParams.get('lo_x') === '1.4'")
    wait_finished(page)
    assert_no_exception(page)
    assert metric(page, "p") == fmt.cell(sigma(1.4)) and float(slider(page, 0).input_value()) == round(sigma(1.4), 3)
    assert query(page)["lo_p"] == str(round(sigma(1.4), 3))
    slider(page, 0).focus()
    page.keyboard.press("ArrowLeft")  # p: 0.802 → 0.801
    page.wait_for_function("() => new URL(location.href).searchParams.get('lo_p') === '0.801'")
    wait_finished(page)
    x = torch.logit(torch.tensor(0.801, dtype=torch.float64)).item()
    assert metric(page, "logit(p) = log odds") == fmt.cell(x) and float(slider(page, 1).input_value()) == round(x, 2)


def test_drag_handle_on_the_sigmoid_moves_both_sliders(server, page):
    """Test that the drag view's keyboard handle moves x and that p follows it to σ(x)."""
    open(page, f"{server.base_url}/log-odds-likelihood?lang=en&lo_x=-2")
    handle = page.locator(".lv-drag[data-mode=curve]").first.get_by_test_id("lv-handle-x")
    handle.focus()
    page.keyboard.press("ArrowRight")  # −2 → −1.99
    page.wait_for_function("() => new URL(location.href).searchParams.get('lo_x') === '-1.99'")
    wait_finished(page)
    assert_no_exception(page)
    assert metric(page, "p") == fmt.cell(sigma(-1.99))
    assert float(slider(page, 0).input_value()) == round(sigma(-1.99), 3)
