"""AppTest of lesson 3, the numerical stability lab: probe, dtype, label and softmax shift against torch."""

import base64
import math

import numpy as np
import pytest
import torch

from tests.app.helpers import charts, metrics, open_page, tables, texts


def _torch_probe(x: float, y: float, dtype):
    xt = torch.tensor(x, dtype=torch.float64).to(dtype).requires_grad_(True)
    yt = torch.tensor(y, dtype=dtype)
    naive = torch.nn.functional.binary_cross_entropy(torch.sigmoid(xt), yt)
    stable = torch.nn.functional.binary_cross_entropy_with_logits(xt, yt)
    (gn,) = torch.autograd.grad(naive, xt)
    (gs,) = torch.autograd.grad(stable, xt)
    return xt.item(), naive.item(), stable.item(), gn.item(), gs.item()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_and_shows_the_searched_saturation_points(lang):
    """Test that the lab runs in each language and its table holds torch's float32 threshold 16.63553237915039."""
    at = open_page("stability", lang)
    sat = tables(at)[0]
    row = sat[sat.iloc[:, 0] == "float32"].iloc[0]
    x = torch.tensor(float(row.iloc[1]), dtype=torch.float32)
    assert torch.sigmoid(x).item() == 1.0
    assert torch.sigmoid(torch.nextafter(x, torch.tensor(0.0))).item() < 1.0
    assert row.iloc[1] == "16.63553237915039"


def test_default_probe_shows_the_jump_and_the_gradient_collapse():
    """Test x = 16.64 in float32: BCELoss route 100 with gradient 0, the stable one 16.64 with gradient 1."""
    at = open_page("stability")
    m = metrics(at)
    x, naive, stable, gn, gs = _torch_probe(16.64, 0.0, torch.float32)
    assert m["x as stored in float32"] == repr(x)
    assert float(m["BCELoss(σ(x), y)"]) == naive == 100.0
    assert float(m["BCEWithLogitsLoss"]) == pytest.approx(stable, rel=1e-6)
    assert float(m["gradient of BCELoss(σ(x), y)"]) == gn == 0.0
    assert float(m["gradient of BCEWithLogitsLoss"]) == gs == 1.0
    assert at.error  # the "σ(x) has rounded to exactly 1.0" explanation


@pytest.mark.parametrize("x,y,dtype", [(16.6, 0, "float32"), (8.32, 0, "float16"), (6.0, 0, "bfloat16"),
                                       (-95.0, 1, "float32"), (40.0, 0, "float64"), (-1000.0, 1, "float64")])
def test_probe_dtype_and_label_move_the_numbers(x, y, dtype):
    """Test that the logit, the label and the dtype each move the metrics to torch's values."""
    at = open_page("stability")
    at.button_group(key="st_dtype").set_value(dtype).run()
    at.button_group(key="st_y").set_value(str(y)).run()
    at.number_input(key="st_x").set_value(x).run()
    assert not at.exception
    m = metrics(at)
    tx, naive, stable, gn, gs = _torch_probe(x, float(y), getattr(torch, dtype))
    assert m[f"x as stored in {dtype}"] == repr(tx)
    tol = 1e-12 if dtype == "float64" else 1e-5 if dtype == "float32" else 1e-2
    assert float(m["BCELoss(σ(x), y)"]) == pytest.approx(naive, rel=tol)
    assert float(m["BCEWithLogitsLoss"]) == pytest.approx(stable, rel=tol)
    for label, ref in (("gradient of BCELoss(σ(x), y)", gn), ("gradient of BCEWithLogitsLoss", gs)):
        got = float(m[label])
        assert (math.isnan(got) and math.isnan(ref)) or got == pytest.approx(ref, rel=tol, abs=1e-30)


@pytest.mark.parametrize("span", ["50", "1000"])
def test_span_choice_changes_the_plotted_axis(span):
    """Test that the range selector reaches ±1000 on the logit axis of the loss chart."""
    at = open_page("stability")
    at.button_group(key="st_span").set_value(span).run()
    assert not at.exception
    fig = charts(at)[0]
    xs = np.frombuffer(base64.b64decode(fig["data"][0]["x"]["bdata"]), dtype=fig["data"][0]["x"]["dtype"])
    assert min(xs) == -float(span) and max(xs) == float(span)


def test_softmax_shift_overflows_only_the_naive_softmax():
    """Test that c = 90 in float32 makes exp(x)/Σexp(x) NaN like torch while the shifted softmax stays torch's."""
    at = open_page("stability")
    at.slider(key="st_shift").set_value(90.0).run()
    assert not at.exception
    df = tables(at)[-1]
    z = torch.tensor([2.0, 1.0, 0.1]) + 90.0
    naive = torch.exp(z) / torch.exp(z).sum()
    assert [v == "nan" for v in df.iloc[:, 3]] == torch.isnan(naive).tolist()
    assert [float(v) for v in df.iloc[:, 4]] == pytest.approx(torch.softmax(z, 0).tolist(), rel=1e-5)


def test_softmax_logits_text_errors_are_translated():
    """Test that unreadable logits and a matrix give messages, not tracebacks."""
    at = open_page("stability", "zh")
    at.text_input(key="st_z").input("1, x").run()
    assert not at.exception and at.error
    at.text_input(key="st_z").input("1, 2; 3, 4").run()
    assert not at.exception and "一行" in at.warning[0].value


def test_bad_url_value_gives_a_notice():
    """Test that ?st_x=1e9 (out of range) and ?st_dtype=int8 give notices and defaults."""
    at = open_page("stability", "en", st_x="1e9", st_dtype="int8")
    assert texts(at).count("not usable") == 2
    assert at.number_input(key="st_x").value == 16.64 and at.button_group(key="st_dtype").value == "float32"


def test_code_panel_output_shows_the_jump_and_the_zero_gradient():
    """Test that the snippet's real torch output holds 100.0 and the last finite 15.942384719848633 (float32)."""
    at = open_page("stability")
    output = next(c.value for c in at.code if not c.value.startswith("import torch"))
    first, second = output.splitlines()[:2]
    assert first.startswith("[100.0, 15.942384719848633, 100.0")
    assert second.startswith("[0.0, ")


def test_task_finding_the_float16_jump_is_recognised():
    """Test that choosing float16 and typing 8.32 (stored as 8.3203125, torch's first σ == 1) completes task t1."""
    at = open_page("stability")
    at.button_group(key="st_dtype").set_value("float16").run()
    at.number_input(key="st_x").set_value(8.32).run()
    assert torch.sigmoid(torch.tensor(8.32, dtype=torch.float16)).item() == 1.0
    assert any("gradient is NaN" in s.value for s in at.success)


def test_empty_softmax_row_gives_a_message():
    """Test that separators without numbers (full-width ，；) give a translated message, not a traceback."""
    at = open_page("stability")
    at.text_input(key="st_z").input("，；").run()
    assert not at.exception and (at.error or at.warning)
