"""AppTest of lesson 4: weight, pos_weight and reduction."""

import pytest
import torch

from tests.app.helpers import charts, metrics, open_page, raw_messages, tables, texts

BCEL = torch.nn.functional.binary_cross_entropy_with_logits
X = [[0.4, -1.2, 2.0, 0.3], [1.1, 0.6, -0.9, -1.6], [-0.5, 1.5, 0.2, 0.8]]
Y = [[1.0, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1]]


def _t(a):
    return torch.tensor(a, dtype=torch.float64)


def _loss_metric(at, reduction="mean") -> float:
    return float(metrics(at)[f"loss (reduction = {reduction})"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_weights_page_runs_in_both_languages(lang):
    """Test that the page runs without exception and shows its title, table, chart and quiz in each language."""
    at = open_page("weights", lang)
    assert {"en": "pos_weight", "zh": "权重"}[lang] in at.title[0].value
    assert len(tables(at)) == 1
    assert len(charts(at)) == 2


def test_default_batch_matches_torch():
    """Test that the default mean, the numel denominator and element [0, 0]'s formula agree with torch."""
    at = open_page("weights", "en")
    ref = BCEL(_t(X), _t(Y), weight=_t([[2.0], [1.0], [1.0]]), pos_weight=_t([3.0, 1, 1, 1]))
    assert _loss_metric(at) == pytest.approx(ref.item(), rel=1e-5)
    assert metrics(at)["numel (the mean's denominator)"] == "12"
    assert "Σ w·l / numel" in texts(at) and "/ 12 =" in texts(at)
    row = tables(at)[0].iloc[0]
    # element [0, 0]: x = 0.4, y = 1 → w·p·(−log σ(0.4)) = 2·3·0.513 = 3.078
    none = BCEL(_t(X), _t(Y), weight=_t([[2.0], [1.0], [1.0]]), pos_weight=_t([3.0, 1, 1, 1]), reduction="none")
    assert row["w·[p·y·(−log σ(x)) + (1−y)·(−log(1−σ(x)))] = loss"] == f"2·[3·1·0.513 + 0·0.913] = {none[0, 0].item():.4g}"


def test_weight_field_moves_the_mean():
    """Test that typing a per-class weight changes the mean to torch's value (still divided by numel)."""
    at = open_page("weights", "en")
    at.text_input(key="wt_w").set_value("1, 0.5, 4, 1").run()
    assert not at.exception
    ref = BCEL(_t(X), _t(Y), weight=_t([1.0, 0.5, 4.0, 1.0]), pos_weight=_t([3.0, 1, 1, 1]))
    assert _loss_metric(at) == pytest.approx(ref.item(), rel=1e-5)


def test_pos_weight_field_and_empty_weight():
    """Test that an empty weight means None and a new pos_weight gives torch's mean."""
    at = open_page("weights", "en")
    at.text_input(key="wt_w").set_value("").run()
    at.text_input(key="wt_p").set_value("1, 5, 1, 0.5").run()
    assert not at.exception
    ref = BCEL(_t(X), _t(Y), pos_weight=_t([1.0, 5.0, 1.0, 0.5]))
    assert _loss_metric(at) == pytest.approx(ref.item(), rel=1e-5)
    assert metrics(at)["Σ w (not the denominator)"] == "12"


def test_logits_and_targets_fields_and_sum_reduction():
    """Test that new logits/targets and reduction='sum' give torch's sum."""
    at = open_page("weights", "en")
    at.text_input(key="wt_x").set_value("3, -2; 0.5, 8").run()
    at.text_input(key="wt_y").set_value("1, 1; 0, 0.25").run()
    at.text_input(key="wt_w").set_value("2; 1").run()
    at.text_input(key="wt_p").set_value("3, 1").run()
    at.button_group(key="wt_red").set_value("sum").run()
    assert not at.exception
    ref = BCEL(_t([[3.0, -2], [0.5, 8]]), _t([[1.0, 1], [0, 0.25]]), weight=_t([[2.0], [1.0]]),
               pos_weight=_t([3.0, 1.0]), reduction="sum")
    assert _loss_metric(at, "sum") == pytest.approx(ref.item(), rel=1e-5)
    assert len(tables(at)[0]) == 4


def test_weight_that_does_not_broadcast_gives_a_translated_error():
    """Test that a (3,) weight on a 3×4 batch shows the explanation, in Chinese, without a traceback."""
    at = open_page("weights", "zh")
    at.text_input(key="wt_w").set_value("2, 1, 1").run()
    assert not at.exception
    assert "无法与形状为 [3, 4] 的目标对齐" in texts(at)
    assert any("形状 (3, 1)" in s.value for s in at.success)  # the on-page task is done


@pytest.mark.parametrize("bad", ["abc", "1, 2; 3", "nan, 1, 1, 1", ""])
def test_unusable_logits_give_a_message(bad):
    """Test that unparsable, ragged, NaN or empty logits give a translated message, not a traceback."""
    at = open_page("weights", "en")
    at.text_input(key="wt_x").set_value(bad).run()
    assert not at.exception
    assert at.error, texts(at)


def test_nchw_case_shows_torchs_real_message():
    """Test that the (C,) pos_weight on (N, C, H, W) shows torch's own size error, and (C, 1, 1) works."""
    at = open_page("weights", "en")
    x = torch.zeros(2, 4, 5, 5, dtype=torch.float64)
    with pytest.raises(RuntimeError) as err:
        BCEL(x, x, pos_weight=_t([3.0, 1, 1, 1]))
    assert any(str(err.value) in text for text in raw_messages(at))
    assert texts(at).count("works: mean loss") == 2


def test_imbalance_controls_move_sigma_star():
    """Test that pos_weight, positives and negatives move σ* to the minimiser of torch's loss."""
    at = open_page("weights", "en")
    at.number_input(key="wt_npos").set_value(50).run()
    at.number_input(key="wt_nneg").set_value(450).run()
    at.slider(key="wt_pw").set_value(4.0).run()
    assert not at.exception
    m = metrics(at)
    assert float(m["recipe N / P"]) == pytest.approx(9.0)
    star = float(m["best constant prediction σ*"])
    y = torch.cat([torch.ones(50), torch.zeros(450)]).double()
    z = torch.full_like(y, torch.logit(torch.tensor(star, dtype=torch.float64)).item(), requires_grad=True)
    (g,) = torch.autograd.grad(BCEL(z, y, pos_weight=_t(4.0)), z)
    assert abs(g.sum().item()) < 1e-5  # σ* minimises torch's loss
    assert float(m["probability bar 1/(1+p)"]) == pytest.approx(0.2)


def test_balance_task_is_detected():
    """Test that setting pos_weight to N / P completes the on-page task."""
    at = open_page("weights", "en")
    at.slider(key="wt_pw").set_value(3.0).run()
    assert float(metrics(at)["best constant prediction σ*"]) == pytest.approx(0.5)
    assert any("total weight p·P now matches" in s.value for s in at.success)


@pytest.mark.parametrize("param", [{"wt_pw": "abc"}, {"wt_red": "average"}, {"wt_npos": "-5"}])
def test_bad_url_value_gives_a_notice(param):
    """Test that an unusable URL value gives a translated notice and the page still runs."""
    at = open_page("weights", "en", **param)
    assert "is not usable here" in texts(at)
