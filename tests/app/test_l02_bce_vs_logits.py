"""AppTest of lesson 2, BCELoss vs BCEWithLogitsLoss: the seed agrees, scaling and dtype make torch's routes part."""

import json

import pytest
import torch

from tests.app.helpers import metrics, open_page, tables, texts

SEED_X = torch.tensor([[0.4, 0.7, 1.2, 0.3], [1.1, 0.6, 0.9, 1.6]], dtype=torch.float64)
SEED_Y = torch.tensor([[1.0, 0, 1, 0], [0, 1, 1, 0]])
NAIVE, STABLE = "BCELoss(sigmoid(x), y)", "BCEWithLogitsLoss(x, y)"


def _routes(x, y):
    naive = torch.nn.functional.binary_cross_entropy(torch.sigmoid(x), y)
    stable = torch.nn.functional.binary_cross_entropy_with_logits(x, y)
    return naive.item(), stable.item()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_seed_gives_0_8354646563529968_both_ways(lang):
    """Test that the page opens on the seed with both headlines exactly as loss.item() prints them."""
    at = open_page("bce_vs_logits", lang)
    m = metrics(at)
    naive, stable = _routes(SEED_X.float(), SEED_Y)
    assert m[NAIVE] == m[STABLE] == repr(naive) == repr(stable) == "0.8354646563529968"
    assert len(at.success) >= 1  # "agree bit for bit" and the live torch checks


@pytest.mark.parametrize("scale", [8.0, 12.0, 40.0])
def test_scale_slider_moves_both_losses_to_torchs(scale):
    """Test that scaling the logits gives torch's two float32 means; past ×10.4 they part at element [1, 3], whose row is tinted."""
    at = open_page("bce_vs_logits")
    at.slider(key="bl_scale").set_value(scale).run()
    assert not at.exception
    m = metrics(at)
    naive, stable = _routes(SEED_X.float() * scale, SEED_Y)
    assert float(m[NAIVE]) == pytest.approx(naive, rel=1e-6)
    assert float(m[STABLE]) == pytest.approx(stable, rel=1e-6)
    df = tables(at)[0]
    parted = "σ(x) == 1.0" in df.iloc[7, -1]
    assert parted == (scale * 1.6 >= 16.6355)
    if parted:
        assert "100" in texts(at) and float(df.iloc[7, 4]) == 100.0
    # the tinted rows: the elements whose two torch losses differ by more than 16 float32 ulps
    x, y = SEED_X.float() * scale, SEED_Y
    each_naive = torch.nn.functional.binary_cross_entropy(torch.sigmoid(x), y, reduction="none").flatten().double()
    each_stable = torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none").flatten().double()
    tol = 16 * torch.finfo(torch.float32).eps
    assert df.attrs["highlighted"] == [i for i in range(8) if abs(each_naive[i] - each_stable[i]) > tol * max(1.0, abs(each_stable[i]))]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
def test_dtype_choice_moves_both_losses(dtype):
    """Test that at ×6 the chosen dtype's routes match torch in that dtype (float16/bfloat16 already parted)."""
    at = open_page("bce_vs_logits")
    at.button_group(key="bl_dtype").set_value(dtype).run()
    at.slider(key="bl_scale").set_value(6.0).run()
    assert not at.exception
    tdt = getattr(torch, dtype)
    naive, stable = _routes(SEED_X.to(tdt) * 6.0, SEED_Y.to(tdt))
    m = metrics(at)
    assert float(m[NAIVE]) == pytest.approx(naive, rel=1e-3 if dtype != "float64" else 1e-12)
    assert float(m[STABLE]) == pytest.approx(stable, rel=1e-3 if dtype != "float64" else 1e-12)
    assert (dtype == "float64") == (m[NAIVE] != "100" and not at.error)


def test_edited_tensor_and_out_of_range_target():
    """Test own logits are used, and a target of 2 gives BCELoss's translated range error (torch raises too)."""
    at = open_page("bce_vs_logits")
    at.text_input(key="bl_x").input("20, -3").run()
    at.text_input(key="bl_y").input("0, 1").run()
    naive, stable = _routes(torch.tensor([20.0, -3.0]), torch.tensor([0.0, 1.0]))
    assert float(metrics(at)[NAIVE]) == pytest.approx(naive) and float(metrics(at)[STABLE]) == pytest.approx(stable, rel=1e-6)
    at.text_input(key="bl_y").input("2, 1").run()
    assert not at.exception and "[0, 1]" in at.error[0].value
    with pytest.raises(RuntimeError):
        torch.nn.functional.binary_cross_entropy(torch.sigmoid(torch.tensor([20.0, -3.0])), torch.tensor([2.0, 1.0]))


def test_bad_url_values_give_notices():
    """Test that an unknown dtype and a non-number scale in the link give notices and the defaults."""
    at = open_page("bce_vs_logits", "en", bl_dtype="float8", bl_scale="lots")
    assert texts(at).count("not usable") == 2
    assert at.button_group(key="bl_dtype").value == "float32" and at.slider(key="bl_scale").value == 1.0


def test_code_panel_output_matches_the_headlines():
    """Test that the generated torch snippet, run for real, prints the page's two headline values (bfloat16, ×12)."""
    at = open_page("bce_vs_logits", "en", bl_scale="12", bl_dtype="bfloat16")
    m = metrics(at)
    output = next(c.value for c in at.code if not c.value.startswith("import torch"))
    assert output.splitlines()[:2] == [m[NAIVE], m[STABLE]]


def test_cells_editor_stays_mounted_and_shows_only_at_scale_1():
    """Test that the drag-a-cell view is on the page at every scale (no rebuild on a step across
    scale 1) but is shown only at scale 1, where its numbers are the page's."""
    def cells(at):
        found = [json.loads(el.proto.json) for el in at.get("bidi_component") if el.proto.component_name.endswith("lossviz_drag")]
        assert len(found) == 1
        return found[0]

    at = open_page("bce_vs_logits", "en")
    assert cells(at)["hidden"] is False and cells(at)["mode"] == "cells"
    at.slider(key="bl_scale").set_value(2.0).run()
    assert cells(at)["hidden"] is True
    at.slider(key="bl_scale").set_value(1.0).run()
    assert cells(at)["hidden"] is False
