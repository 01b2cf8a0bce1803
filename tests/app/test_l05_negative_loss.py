"""AppTest of lesson 5: why did my loss go negative?"""

import pytest
import torch

from tests.app.helpers import charts, metric_pairs, metrics, open_page, texts

F = torch.nn.functional


def _t(v):
    return torch.tensor([v], dtype=torch.float64)


def _bcel(x, y, w=1.0, p=1.0) -> float:
    return F.binary_cross_entropy_with_logits(_t(x), _t(y), weight=_t(w), pos_weight=_t(p)).item()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_negative_page_runs_in_both_languages(lang):
    """Test that the page runs in each language and shows the seed's −0.0259 at x = 0.5, y = 2."""
    at = open_page("negative", lang)
    assert {"en": "negative", "zh": "负数"}[lang] in at.title[0].value
    assert metric_pairs(at)[0].value == "-0.025923"
    assert len(charts(at)) == 1


def test_default_bcelogits_is_negative_and_bceloss_raises():
    """Test that y = 2 gives torch's negative value while BCELoss shows its real error, explained."""
    at = open_page("negative", "en")
    assert metrics(at, as_float=True)["BCEWithLogitsLoss"] == pytest.approx(_bcel(0.5, 2.0), rel=1e-5)
    with pytest.raises(RuntimeError) as err:
        F.binary_cross_entropy(torch.sigmoid(_t(0.5)), _t(2.0))
    shown = texts(at)
    assert str(err.value) in shown
    assert "BCELoss checks its targets" in shown
    assert "has no lower bound" in shown


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [("ng_x", 3.0, "slider"), ("ng_y", -1.0, "number_input"), ("ng_w", -2.0, "number_input"),
     ("ng_p", 4.0, "number_input")],
)
def test_each_control_moves_the_loss_and_gradient(key, value, kind):
    """Test that each control changes the loss and gradient to torch's values."""
    at = open_page("negative", "en")
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception
    state = {"ng_x": 0.5, "ng_y": 2.0, "ng_w": 1.0, "ng_p": 1.0, key: value}
    x = _t(state["ng_x"]).requires_grad_(True)
    loss = F.binary_cross_entropy_with_logits(x, _t(state["ng_y"]), weight=_t(state["ng_w"]),
                                              pos_weight=_t(state["ng_p"]))
    (g,) = torch.autograd.grad(loss, x)
    m = metrics(at, as_float=True)
    assert m["BCEWithLogitsLoss"] == pytest.approx(loss.item(), rel=1e-5, abs=1e-6)
    assert m["gradient ∂loss/∂x"] == pytest.approx(g.item(), rel=1e-5, abs=1e-6)


def test_soft_target_in_range_is_fine_and_bceloss_agrees():
    """Test that a soft target 0.3 gives a non-negative loss and BCELoss's value equals torch's."""
    at = open_page("negative", "en")
    at.number_input(key="ng_y").set_value(0.3).run()
    assert not at.exception
    bce = F.binary_cross_entropy(torch.sigmoid(_t(0.5)), _t(0.3)).item()
    assert f"BCELoss accepts it: {bce:.6g}" in texts(at)
    assert metrics(at, as_float=True)["BCEWithLogitsLoss"] >= 0
    assert at.success and not at.warning


def test_ce_scale_slider_matches_torch():
    """Test that CE with the target k·p equals torch's cross_entropy and k times CE(x, p)."""
    at = open_page("negative", "en")
    at.slider(key="ng_k").set_value(-1.5).run()
    assert not at.exception
    x = torch.tensor([2.0, 0.5, -1.0], dtype=torch.float64)
    p = torch.tensor([0.7, 0.2, 0.1], dtype=torch.float64)
    m = metrics(at, as_float=True)
    assert m["CE(x, -1.5·p)"] == pytest.approx(F.cross_entropy(x, -1.5 * p).item(), rel=1e-5)
    assert m["CE(x, -1.5·p)"] < 0
    assert m["ratio (= k)"] == pytest.approx(-1.5)


def test_bad_url_value_gives_a_notice():
    """Test that ?ng_y=abc gives a translated notice and the default target."""
    at = open_page("negative", "zh", ng_y="abc")
    assert "链接中" in texts(at)
    assert at.number_input(key="ng_y").value == 2.0
