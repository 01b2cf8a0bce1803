"""AppTest of lesson 6, Softmax & cross-entropy: every control moves the right numbers (vs torch)."""

import pytest
import torch
import torch.nn.functional as F

from tests.app.helpers import metrics, open_page, tables, texts

LOGITS = [2.0, 1.0, 0.1, -1.0, 0.5, -0.5, 1.5, -2.0, 0.0, 0.8]


def ce(x, y, temp=1.0):
    z = torch.tensor(x, dtype=torch.float64) / temp
    return F.cross_entropy(z, torch.tensor(y)).item(), torch.softmax(z, 0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_in_both_languages(lang):
    """Test that the page runs without exception and agrees with torch in each language."""
    at = open_page("softmax_ce", lang)
    assert "✅" in "".join(str(s.icon) for s in at.success)
    assert len(tables(at)) == 1 and len(tables(at)[0]) == 4


def test_defaults_match_torch():
    """Test that the default view (4 classes, true class 0) shows torch's loss and p[y]."""
    at = open_page("softmax_ce")
    loss, p = ce(LOGITS[:4], 0)
    m = metrics(at)
    assert float(m["CrossEntropyLoss"]) == pytest.approx(loss, rel=1e-5)
    assert float(m["p of the true class"]) == pytest.approx(p[0].item(), rel=1e-5)
    assert float(m["logsumexp(z) − z[y]"]) == pytest.approx(loss, rel=1e-5)


def test_moving_a_logit_and_the_true_class_moves_the_loss():
    """Test that x1 and y change the loss and the gradient column to torch's values."""
    at = open_page("softmax_ce")
    at.slider(key="smx_x1").set_value(3.0).run()
    at.button_group(key="smx_y").set_value(2).run()
    assert not at.exception
    x = [2.0, 3.0, 0.1, -1.0]
    loss, p = ce(x, 2)
    assert float(metrics(at)["CrossEntropyLoss"]) == pytest.approx(loss, rel=1e-5)
    z = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(F.cross_entropy(z, torch.tensor(2)), z)
    col = tables(at)[0]["gradient p·Σ target − target"].astype(float).tolist()
    assert col == pytest.approx(g.tolist(), rel=1e-5, abs=1e-6)


def test_class_count_adds_sliders():
    """Test that C = 7 shows seven logit sliders and the 7-class loss."""
    at = open_page("softmax_ce")
    at.slider(key="smx_c").set_value(7).run()
    assert not at.exception
    assert len(tables(at)[0]) == 7
    assert float(metrics(at)["CrossEntropyLoss"]) == pytest.approx(ce(LOGITS[:7], 0)[0], rel=1e-5)


def test_temperature_divides_the_logits():
    """Test that T = 2.5 gives CE(x / 2.5) and flattens p[y]."""
    at = open_page("softmax_ce")
    at.slider(key="smx_t").set_value(2.5).run()
    loss, p = ce(LOGITS[:4], 0, 2.5)
    m = metrics(at)
    assert float(m["CrossEntropyLoss"]) == pytest.approx(loss, rel=1e-5)
    assert float(m["p of the true class"]) == pytest.approx(p[0].item(), rel=1e-5)


def test_shift_changes_nothing():
    """Test that shifting every logit by 7.5 leaves the loss unchanged (change ≈ 0)."""
    at = open_page("softmax_ce")
    at.slider(key="smx_s").set_value(7.5).run()
    m = metrics(at)
    shifted = [v for k, v in m.items() if k.startswith("loss after shift")][0]
    assert float(shifted) == pytest.approx(ce(LOGITS[:4], 0)[0], rel=1e-9)
    assert abs(float(m["change in the loss"])) < 1e-12


def test_probability_target():
    """Test that a soft target [0.5, 0.25, 0.25, 0] gives torch's soft-target CE, and an unnormalised one a note."""
    at = open_page("softmax_ce")
    at.toggle(key="smx_soft").set_value(True).run()
    at.number_input(key="smx_p0").set_value(0.5).run()
    at.number_input(key="smx_p1").set_value(0.25).run()
    at.number_input(key="smx_p2").set_value(0.25).run()
    x = torch.tensor(LOGITS[:4], dtype=torch.float64)
    ref = F.cross_entropy(x, torch.tensor([0.5, 0.25, 0.25, 0.0], dtype=torch.float64)).item()
    assert float(metrics(at)["CrossEntropyLoss"]) == pytest.approx(ref, rel=1e-5)
    at.number_input(key="smx_p3").set_value(0.5).run()
    assert "does not check" in texts(at)


def test_bad_url_values_give_notices():
    """Test that ?smx_t=0 and ?smx_y=9 (with 4 classes) show a notice and the page still runs."""
    at = open_page("softmax_ce", "zh", smx_t="0", smx_y="9", smx_x0="nan")
    assert texts(at).count("链接中") >= 3
    assert at.slider(key="smx_t").value == 1.0
