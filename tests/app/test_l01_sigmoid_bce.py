"""AppTest of lesson 1, Sigmoid & binary cross-entropy: every control moves the right numbers (torch computes the truth)."""

import pytest
import torch

from lossviz.text.i18n import catalog
from tests.app.helpers import headings, metrics, open_page, tables, texts

BCE = torch.nn.functional.binary_cross_entropy_with_logits


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_in_both_languages(lang):
    """Test that the lesson runs without exception, titled in each language, with the seed's 0.8354646563529968."""
    at = open_page("sigmoid_bce", lang)
    assert {"en": "Sigmoid & binary", "zh": "二元交叉熵"}[lang] in at.title[0].value
    assert "0.8354646563529968" in texts(at)


def test_language_changed_between_runs_of_one_session_changes_every_text():
    """Test that a second run in another language (?lang= changed, as the switch does) is wholly in
    that language: ui.lang is worked out once per run and not carried over to the next one."""
    at = open_page("sigmoid_bce", "en")
    assert "Sigmoid & binary" in at.title[0].value
    at.query_params["lang"] = "zh"
    at.run()
    assert "二元交叉熵" in at.title[0].value
    assert all("Sigmoid & binary" not in h for h in headings(at)) and any("一个" in h for h in headings(at))


def test_logit_and_label_sliders_move_sigma_loss_and_gradient():
    """Test that x = -3, y = 0.3 gives torch's σ(x), loss and σ(x) − y."""
    at = open_page("sigmoid_bce")
    at.slider(key="sb_x").set_value(-3.0).run()
    at.slider(key="sb_y").set_value(0.3).run()
    assert not at.exception
    m = metrics(at)
    x = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(0.3, dtype=torch.float64)
    loss = BCE(x, y)
    (g,) = torch.autograd.grad(loss, x)
    assert float(m["σ(x)"]) == pytest.approx(torch.sigmoid(x).item(), rel=1e-5)
    assert float(m["loss BCEWithLogitsLoss(x, y)"]) == pytest.approx(loss.item(), rel=1e-5)
    assert float(m["gradient ∂loss/∂x = σ(x) − y"]) == pytest.approx(g.item(), rel=1e-5)


def test_tensor_text_and_reduction_move_the_reduced_loss_and_the_table():
    """Test that editing x and y and choosing sum gives torch's float32 sum and per-element gradients."""
    at = open_page("sigmoid_bce")
    at.text_input(key="sb_tx").input("3, -2; 0.5, 8").run()
    at.text_input(key="sb_ty").input("0, 1; 0.25, 1").run()
    at.button_group(key="sb_red").set_value("sum").run()
    assert not at.exception
    x = torch.tensor([[3.0, -2.0], [0.5, 8.0]], requires_grad=True)
    y = torch.tensor([[0.0, 1.0], [0.25, 1.0]])
    loss = BCE(x, y, reduction="sum")
    (g,) = torch.autograd.grad(loss, x)
    assert metrics(at)["loss (reduction = sum)"] == repr(loss.item())
    df = tables(at)[0]
    grads = [float(v) for v in df[df.columns[-1]]]
    assert grads == pytest.approx(g.flatten().tolist(), rel=1e-5)
    assert "torch" in at.success[0].value  # the live check agrees


def test_reduction_none_shows_per_element_losses():
    """Test that reduction none lists torch's per-element losses of the seed."""
    at = open_page("sigmoid_bce")
    at.button_group(key="sb_red").set_value("none").run()
    df = tables(at)[0]
    expected = BCE(torch.tensor([[0.4, 0.7, 1.2, 0.3], [1.1, 0.6, 0.9, 1.6]]),
                   torch.tensor([[1.0, 0, 1, 0], [0, 1, 1, 0]]), reduction="none").flatten().tolist()
    assert [float(v) for v in df[df.columns[4]]] == pytest.approx(expected, rel=1e-5)


def test_unreadable_or_mismatched_tensor_gives_a_translated_message():
    """Test that text that is not a number, and shapes that differ, give messages, not tracebacks."""
    at = open_page("sigmoid_bce", "zh")
    at.text_input(key="sb_tx").input("0.4, abc").run()
    assert not at.exception and "abc" in at.error[0].value
    at.text_input(key="sb_tx").input("1, 2, 3").run()
    assert not at.exception and "形状" in at.error[0].value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_targets_outside_0_1_warn_about_negative_losses(lang):
    """Test that a label of 2 is accepted (as torch does) with a pointer that quotes lesson 5's real title."""
    at = open_page("sigmoid_bce", lang)
    at.text_input(key="sb_ty").input("2, 0, 1, 0; 0, 1, 1, 0").run()
    assert not at.exception and catalog(lang)["negative.title"] in at.warning[0].value


def test_infinite_logit_gives_torchs_nan():
    """Test that x = inf with y = 1 gives NaN, as torch, instead of an error."""
    at = open_page("sigmoid_bce")
    at.text_input(key="sb_tx").input("inf, 0").run()
    at.text_input(key="sb_ty").input("1, 0").run()
    assert not at.exception
    assert metrics(at)["loss (reduction = mean)"] == "nan"
    assert torch.isnan(BCE(torch.tensor([float("inf"), 0.0]), torch.tensor([1.0, 0.0])))


def test_bad_url_value_gives_a_notice():
    """Test that ?sb_x=abc shows the translated notice and the default logit."""
    at = open_page("sigmoid_bce", "en", sb_x="abc")
    assert "not usable" in texts(at)
    assert at.slider(key="sb_x").value == 2.0


def test_code_panel_output_matches_the_reduced_loss():
    """Test that the generated torch snippet prints the page's reduced loss (to float32's agreed 1e-5: torch's own
    float32 kernel is an ulp or two less accurate than lossviz's correctly rounded elements for e.g. x = -4.5)."""
    at = open_page("sigmoid_bce")
    at.text_input(key="sb_tx").input("0.1, -4.5, 12").run()
    at.text_input(key="sb_ty").input("0.9, 0, 1").run()
    output = next(c.value for c in at.code if not c.value.startswith("import torch"))
    assert float(output.splitlines()[1]) == pytest.approx(float(metrics(at)["loss (reduction = mean)"]), rel=1e-5)
