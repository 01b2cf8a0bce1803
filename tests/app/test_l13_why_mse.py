"""AppTest of lesson 13, Why not MSE for classification?: the page's numbers are torch's."""

import pytest
import torch
import torch.nn.functional as F

from tests.app.helpers import chart_summaries, charts, metrics, open_page, tables, texts

TITLES = {"en": "Why not MSE for classification?", "zh": "分类为什么不用 MSE？"}


def torch_point(x, y):
    """(σ, MSE, dMSE/dx, BCE, dBCE/dx) in float64 torch."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(float(y), dtype=torch.float64)
    mse = F.mse_loss(torch.sigmoid(xt), yt)
    (gm,) = torch.autograd.grad(mse, xt)
    bce = F.binary_cross_entropy_with_logits(xt, yt)
    (gb,) = torch.autograd.grad(bce, xt)
    return torch.sigmoid(xt).item(), mse.item(), gm.item(), bce.item(), gb.item()


def torch_race(lr=0.5, steps=100, scale=5.0):
    """Final accuracy of each run: Train it's blobs and start, full-batch SGD in torch."""
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(40, 2, generator=g) - 1.2, torch.randn(40, 2, generator=g) + 1.2])
    y = torch.cat([torch.zeros(40), torch.ones(40)])
    out = {}
    for name, objective in {"MSELoss(sigmoid(x), y)": lambda z: F.mse_loss(torch.sigmoid(z), y),
                            "BCEWithLogitsLoss(x, y)": lambda z: F.binary_cross_entropy_with_logits(z, y)}.items():
        w = (torch.tensor([0.5, -0.5]) * scale).requires_grad_()
        b = torch.tensor(1.5 * scale).requires_grad_()
        opt = torch.optim.SGD([w, b], lr=lr)
        for _ in range(steps):
            opt.zero_grad()
            objective(x @ w + b).backward()
            opt.step()
        z = (x @ w + b).detach()
        out[name] = ((z > 0).float() == y).double().mean().item()
    return out


def _check_point(at, x, y):
    s, mse, gm, bce, gb = torch_point(x, y)
    m = metrics(at, as_float=True)
    assert m["σ(x)"] == pytest.approx(s, rel=1e-5)
    assert m["σ + MSE loss"] == pytest.approx(mse, rel=1e-5)
    assert m["σ + MSE gradient"] == pytest.approx(gm, rel=1e-5, abs=1e-12)
    assert m["BCEWithLogits loss"] == pytest.approx(bce, rel=1e-5)
    assert m["BCEWithLogits gradient"] == pytest.approx(gb, rel=1e-5, abs=1e-12)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_in_both_languages(lang):
    """Test that the page runs in each language with its title, two charts and every torch check green."""
    at = open_page("why_mse", lang)
    assert at.title[0].value == TITLES[lang]
    assert len(charts(at)) == 2
    assert len(at.success) >= 3 and not at.error


def test_defaults_are_torchs_numbers():
    at = open_page("why_mse", "en")
    _check_point(at, -4.0, 1)
    assert any("Confidently wrong" in w.value for w in at.warning)


@pytest.mark.parametrize(("x", "y"), [(-10.0, 1), (2.5, 1), (6.0, 0), (-3.0, 0)])
def test_logit_and_label_move_the_numbers(x, y):
    """Test that the logit slider and the label choice change every number to torch's."""
    at = open_page("why_mse", "en")
    at.button_group(key="wm_y").set_value(y).run()
    at.slider(key="wm_x").set_value(x).run()
    assert not at.exception
    _check_point(at, x, y)
    wrong = (x > 0) != (y == 1)
    assert any("Confidently wrong" in w.value for w in at.warning) == wrong
    assert chart_summaries(at)[0].startswith(f"At x = {x:g} with y = {y}")


def test_deep_link_sets_the_view():
    at = open_page("why_mse", "en", wm_x="-10", wm_y="1")
    _check_point(at, -10.0, 1)


@pytest.mark.parametrize(("key", "value", "kwargs"), [("wm_lr", 2.0, {"lr": 2.0}), ("wm_steps", 40, {"steps": 40}),
                                                      ("wm_scale", 1.0, {"scale": 1.0})])
def test_race_controls_move_the_race(key, value, kwargs):
    """Test that learning rate, steps and scale change both runs' final accuracy to torch's."""
    at = open_page("why_mse", "en")
    at.slider(key=key).set_value(value).run()
    assert not at.exception
    table = tables(at)[0].set_index("loss trained with")
    for name, acc in torch_race(**kwargs).items():
        assert float(table.loc[name, "accuracy after training"]) == pytest.approx(acc, abs=1e-3)


def test_default_race_table():
    table = tables(open_page("why_mse", "en"))[0].set_index("loss trained with")
    for name, acc in torch_race().items():
        assert float(table.loc[name, "accuracy after training"]) == pytest.approx(acc, abs=1e-3)
    assert table.loc["MSELoss(sigmoid(x), y)", "first step at ≥ 90 % accuracy"] == "not within 100 steps"


@pytest.mark.parametrize(("pick", "scale", "right"), [("bce", 5.0, True), ("mse", 5.0, False), ("same", 5.0, False),
                                                     ("same", 1.0, True)])
def test_prediction_reveals_the_result(pick, scale, right):
    """Test that a prediction reveals both accuracies and says whether it matched torch's race
    (scale 5: BCEWithLogits wins; scale 1 after 100 steps: both within 2 points)."""
    at = open_page("why_mse", "en", wm_scale=str(scale))
    assert not any("Result:" in i.value for i in at.info)
    at.radio(key="wm_predict").set_value(pick).run()
    note = next(i.value for i in at.info if "Result:" in i.value)
    accs = torch_race(scale=scale)
    mse, bce = accs["MSELoss(sigmoid(x), y)"], accs["BCEWithLogitsLoss(x, y)"]
    truth = "same" if abs(mse - bce) <= 0.02 else ("bce" if bce > mse else "mse")
    assert (pick == truth) == right
    assert note.startswith("Your prediction matches" if right else "Not what happened")
    assert f"σ + MSE {mse:.4g}" in note and f"BCEWithLogits {bce:.4g}" in note


@pytest.mark.parametrize(("qid", "right"), [("q1", "b"), ("q2", "b"), ("q3", "a")])
def test_quiz_keyed_answers(qid, right):
    """Test that each question's keyed answer is praised and every distractor gets the hint."""
    for option in ("a", "b", "c"):
        at = open_page("why_mse", "en")
        at.radio(key=f"quiz_why_mse_{qid}").set_value(option).run()
        assert not at.exception
        praised = any(s.value.startswith("Right.") for s in at.success)
        hinted = any(w.value.startswith("Not quite.") for w in at.warning)
        assert (praised, hinted) == ((True, False) if option == right else (False, True))


@pytest.mark.parametrize(("key", "value"), [("wm_x", "abc"), ("wm_x", "99"), ("wm_y", "2"), ("wm_scale", "nan"),
                                            ("wm_steps", "1e9")])
def test_bad_url_value_gives_a_notice(key, value):
    at = open_page("why_mse", "zh", **{key: value})
    assert not at.exception
    assert "链接中" in texts(at)
