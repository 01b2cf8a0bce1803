"""AppTest of the frame and the Start page."""

import pytest
import torch

from tests.app.helpers import metric_pairs, open_page, texts


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_start_page_runs_in_both_languages(lang):
    """Test that the Start page runs without exception and shows its title in each language."""
    at = open_page("start", lang)
    expected = {"en": "understand PyTorch", "zh": "读懂 PyTorch"}[lang]
    assert expected in at.title[0].value


def test_start_slider_moves_the_numbers():
    """Test that moving the demo logit changes σ(x) and the losses to torch's values."""
    at = open_page("start", "en")
    at.slider(key="start_x").set_value(-3.0).run()
    assert not at.exception
    metrics = {m.label: float(m.value) for m in metric_pairs(at)}
    x = torch.tensor(-3.0, dtype=torch.float64)
    assert metrics["σ(x)"] == pytest.approx(torch.sigmoid(x).item(), rel=1e-5)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    assert metrics["loss if y = 1"] == pytest.approx(bce(x, torch.tensor(1.0, dtype=torch.float64)).item(), rel=1e-5)
    assert metrics["loss if y = 0"] == pytest.approx(bce(x, torch.tensor(0.0, dtype=torch.float64)).item(), rel=1e-5)


def test_bad_url_value_gives_a_notice_not_a_traceback():
    """Test that ?start_x=abc shows a translated notice and the page still runs."""
    at = open_page("start", "zh", start_x="abc")
    assert "链接中" in texts(at)
    assert at.slider(key="start_x").value == 2.0


def test_unknown_url_parameter_is_dropped_with_a_notice():
    """Test that ?nonsense=1 is removed from the URL with a translated notice, while known ones stay."""
    at = open_page("start", "en", nonsense="1", start_x="-1.5")
    assert any("nonsense" in str(toast.value) for toast in at.toast)
    assert "nonsense" not in at.query_params
    assert at.slider(key="start_x").value == -1.5
