"""AppTest of lesson 7, CrossEntropy vs BCE on the same tensor: seed 002 and the 2-class bridge (vs torch)."""

import pytest
import torch
import torch.nn.functional as F

from tests.app.helpers import metrics, open_page, texts


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_and_shows_seed_002(lang):
    """Test that the page opens on seed 002 with loss.item()'s exact digits in each language."""
    at = open_page("ce_vs_bce", lang)
    m = metrics(at)
    pred = torch.tensor([0.8, 0.2, 0.4])
    label = torch.tensor([1.0, 0.0, 0.0])
    assert m["nn.BCELoss()"] == repr(torch.nn.BCELoss()(pred, label).item()) == "0.3190375864505768"
    assert m["nn.CrossEntropyLoss()"] == repr(torch.nn.CrossEntropyLoss()(pred, label).item()) == "0.7971159815788269"
    assert "0.45063, 0.24731, 0.30206" in texts(at)


def test_moving_pred_and_label_moves_both_losses():
    """Test that pred[1] = 0.9 and label[1] = 1 give torch's float32 BCELoss, CE and BCEWithLogits."""
    at = open_page("ce_vs_bce")
    at.slider(key="cvb_p1").set_value(0.9).run()
    at.number_input(key="cvb_y1").set_value(1.0).run()
    assert not at.exception
    pred = torch.tensor([0.8, 0.9, 0.4])
    label = torch.tensor([1.0, 1.0, 0.0])
    m = metrics(at)
    assert m["nn.BCELoss()"] == repr(F.binary_cross_entropy(pred, label).item())
    # float32: lossviz rounds the float64 result once, torch accumulates in float32 — within 1 ulp
    assert float(m["nn.CrossEntropyLoss()"]) == pytest.approx(F.cross_entropy(pred, label).item(), rel=2e-7)
    assert float(m["BCEWithLogitsLoss (independent sigmoids)"]) == pytest.approx(
        F.binary_cross_entropy_with_logits(pred, label).item(), rel=1e-5
    )
    assert float(m["Σ sigmoid"]) == pytest.approx(torch.sigmoid(pred).sum().item(), rel=1e-5)


def test_bridge_sliders_keep_ce_equal_to_bce_on_the_difference():
    """Test that a, b and the class move 2-class CE, and it equals BCEWithLogits(b − a) from torch."""
    at = open_page("ce_vs_bce")
    at.slider(key="cvb_a").set_value(-1.5).run()
    at.slider(key="cvb_b").set_value(0.7).run()
    at.button_group(key="cvb_c").set_value(0).run()
    assert not at.exception
    ab = torch.tensor([-1.5, 0.7], dtype=torch.float64)
    ce = F.cross_entropy(ab, torch.tensor(0)).item()
    bce = F.binary_cross_entropy_with_logits(ab[1] - ab[0], torch.tensor(0.0, dtype=torch.float64)).item()
    m = metrics(at)
    assert float(m["CE on [a, b]"]) == pytest.approx(ce, rel=1e-11)
    d_label = [k for k in m if k.startswith("BCEWithLogits on b − a")][0]
    assert float(m[d_label]) == pytest.approx(bce, rel=1e-11)
    assert "2.2" in d_label


def test_bad_url_values_give_notices():
    """Test that ?cvb_p0=2 and ?cvb_c=5 give notices and the seed defaults."""
    at = open_page("ce_vs_bce", "zh", cvb_p0="2", cvb_c="5")
    assert texts(at).count("链接中") >= 2
    assert metrics(at)["nn.BCELoss()"] == "0.3190375864505768"
