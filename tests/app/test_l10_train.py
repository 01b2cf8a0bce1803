"""AppTest of lesson 10, Train it: the page's numbers are those of training loops run here in torch."""

import pytest

from lossviz.lessons.train import TOY_LABELS
from tests.app.helpers import chart_summaries, metrics, open_page, tables, texts
from tests.torch_loops import seed_loop, toy_outcome


def _table(at):
    return tables(at)[0].set_index("loss trained with")


def _set(at, key, value):
    widget = at.button_group if key == "tr_view" else at.number_input if key in ("tr_lr", "tr_seed", "tr_toy_lr") else at.slider
    widget(key=key).set_value(TOY_LABELS[value] if key == "tr_view" else value).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_train_page_runs_in_both_languages(lang):
    """Test that the page runs in each language, with both torch checks and the cross-check green."""
    at = open_page("train", lang)
    assert at.title[0].value == {"en": "Train it", "zh": "动手训练"}[lang]
    assert len(at.success) >= 3 and not at.error


def test_defaults_are_the_seed_loop():
    at = open_page("train", "en")
    losses, _ = seed_loop()
    m = metrics(at, as_float=True)
    assert m["loss, first epoch"] == pytest.approx(losses[0], rel=1e-5)
    assert m["loss, last epoch"] == pytest.approx(losses[-1], rel=1e-5)


@pytest.mark.parametrize(("key", "value", "kwargs"), [("tr_lr", 0.5, {"lr": 0.5}), ("tr_epochs", 30, {"epochs": 30}),
                                                      ("tr_seed", 42.0, {"seed": 42})])
def test_linear_controls_move_the_numbers(key, value, kwargs):
    """Test that learning rate, epochs and seed each change the per-epoch losses to torch's."""
    at = _set(open_page("train", "en"), key, value)
    losses, _ = seed_loop(**kwargs)
    assert metrics(at, as_float=True)["loss, last epoch"] == pytest.approx(losses[-1], rel=1e-5)


@pytest.mark.parametrize(("key", "value", "kwargs"), [("tr_scale", 25.0, {"scale": 25.0}), ("tr_toy_lr", 0.1, {"lr": 0.1}),
                                                      ("tr_toy_epochs", 40, {"epochs": 40})])
def test_toy_controls_move_all_three_runs(key, value, kwargs):
    """Test that scale, learning rate and epochs change the table of all three runs to torch's values."""
    at = _set(open_page("train", "en"), key, value)
    table = _table(at)
    names = {"bce_logits": "BCEWithLogitsLoss", "naive_bce": "sigmoid + BCELoss (naive)", "mse_prob": "MSE on probabilities"}
    for loss, row in names.items():
        last, log_loss, acc = toy_outcome(loss, **kwargs)
        assert float(table.loc[row, "loss, last epoch"]) == pytest.approx(last, rel=1e-5)
        assert float(table.loc[row, "final log loss (BCEWithLogits)"]) == pytest.approx(log_loss, rel=1e-5)
        assert float(table.loc[row, "accuracy"]) == pytest.approx(acc, abs=1e-3)


def test_large_scale_shows_the_naive_route_stalling():
    at = _set(open_page("train", "en"), "tr_scale", 25.0)
    table = _table(at)
    assert table.loc["sigmoid + BCELoss (naive)", "status"] == "stalled"
    assert table.loc["BCEWithLogitsLoss", "status"] == "learning"
    assert any("confidently wrong beyond float32" in w.value for w in at.warning)


def test_view_choice_switches_the_probability_map():
    """Test that choosing the loss to view changes the map's summary to that run's accuracy."""
    at = _set(_set(open_page("train", "en"), "tr_scale", 25.0), "tr_view", "naive_bce")
    _, _, acc = toy_outcome("naive_bce", scale=25.0)
    summary = next(c for c in chart_summaries(at) if c.startswith("After training with sigmoid + BCELoss"))
    assert f"accuracy {acc:.3g}" in summary


@pytest.mark.parametrize(("key", "value"), [("tr_scale", "abc"), ("tr_view", "hinge"), ("tr_epochs", "1e9")])
def test_bad_url_value_gives_a_notice(key, value):
    at = open_page("train", "zh", **{key: value})
    assert not at.exception
    assert "链接中" in texts(at)
