"""lossviz.lessons.mistakes and its sweep figure, against torch computed here."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossviz.lessons import mistakes as M
from lossviz.plots.mistakes import sweep_figure
from lossviz.text import codegen

X = torch.tensor(M.LOGITS_MC)
Y = torch.tensor(M.TARGET_MC)
XB = torch.tensor(M.LOGITS_BIN)
YB = torch.tensor(M.TARGET_BIN)


def _value_and_norm(fn, leaf):
    leaf = leaf.clone().requires_grad_(True)
    loss = fn(leaf)
    (g,) = torch.autograd.grad(loss, leaf)
    return loss.item(), g.norm().item()


@pytest.mark.parametrize("scale", [0.5, 1.0, 7.0])
def test_softmax_before_ce_matches_torch(scale):
    """Test that both versions give torch's loss and gradient norm, and the mistake's gradient is smaller."""
    case = M.run("softmax_ce", scale=scale)
    x = X * scale
    assert (case.wrong.value, case.wrong.grad_norm) == pytest.approx(
        _value_and_norm(lambda v: F.cross_entropy(torch.softmax(v, 1), Y), x), rel=1e-6
    )
    assert (case.right.value, case.right.grad_norm) == pytest.approx(_value_and_norm(lambda v: F.cross_entropy(v, Y), x), rel=1e-6)
    assert case.wrong.value > case.info["floor"]
    assert case.shrink > 1


def test_softmax_before_ce_floor_and_vanishing_gradient_at_large_scale():
    """Test that each correct sample's double-softmax loss approaches log(1 + (C-1)/e) from above, and
    that the gradient vanishes although the last sample is still misclassified."""
    case = M.run("softmax_ce", scale=50.0)
    floor = math.log(1 + 4 / math.e)
    assert case.info["floor"] == pytest.approx(floor)
    for value in case.wrong.elements[:3]:
        assert floor - 1e-6 <= value < floor + 1e-3  # float32 rounding
    assert case.wrong.grad_norm < 1e-5 < 0.3 < case.right.grad_norm
    assert case.right.value > case.wrong.value  # the mistake's loss even looks better


def test_sigmoid_twice_matches_torch():
    case = M.run("sigmoid_twice", scale=2.0)
    expected = F.binary_cross_entropy_with_logits(torch.sigmoid(XB * 2), YB, reduction="none")
    assert case.wrong.elements == pytest.approx(expected.tolist(), rel=1e-6)
    assert case.wrong.value >= case.info["floor"]


def test_float_target_error_is_torchs():
    """Test that the error kind and message are exactly what torch raises."""
    case = M.run("float_target")
    with pytest.raises(RuntimeError) as exc:
        F.cross_entropy(X, Y.float())
    assert (case.wrong.error_kind, case.wrong.message) == ("RuntimeError", str(exc.value))
    assert case.right.ok


def test_channels_last_size_error_and_silent_case():
    """Test the target-size error for d != C, and that d == C runs silently with a different loss."""
    case = M.run("channels_last", positions=4)
    assert case.wrong.error_kind == "RuntimeError"
    assert case.wrong.message == "Expected target size [2, 5], got [2, 4]"
    silent = M.run("channels_last", positions=5)
    assert silent.wrong.ok and silent.right.ok and not silent.agree


@pytest.mark.parametrize(("label", "wrong_msg", "right_msg"), [(5, "Target 5 is out of bounds.", None), (0, None, "Target -1 is out of bounds."), (6, "Target 6 is out of bounds.", "Target 5 is out of bounds.")])
def test_index_range(label, wrong_msg, right_msg):
    case = M.run("index_range", label=label)
    assert case.wrong.message == wrong_msg
    assert case.right.message == right_msg
    if right_msg is None:
        labels = torch.tensor([*M.LABELS_1BASED, label]) - 1
        assert case.right.value == pytest.approx(F.cross_entropy(X, labels).item(), rel=1e-6)


def test_autocast_runs_on_cpu_and_saturates_in_bfloat16():
    """Test what CPU autocast really does: no error, bfloat16 logits, and BCELoss clamped at large scale."""
    case = M.run("autocast_bce", scale=5.0)
    assert case.wrong.ok and case.info["logits_dtype"] == "bfloat16"
    w = torch.tensor(M.WEIGHT_AMP) * 5.0
    with torch.autocast("cpu", dtype=torch.bfloat16):
        z = torch.tensor(M.FEATURES_AMP) @ w
        naive = F.binary_cross_entropy(torch.sigmoid(z), YB)
    assert case.wrong.value == pytest.approx(naive.item(), rel=1e-6)
    assert max(case.wrong.elements) == 100.0  # σ(7.5) is exactly 1 in bfloat16
    assert "unsafe to autocast" in M.CUDA_AUTOCAST_ERROR


def test_sigmoid_bce_agrees_small_and_parts_large():
    assert M.run("sigmoid_bce", scale=1.0).agree
    big = M.run("sigmoid_bce", scale=14.0)  # 1.2 · 14 = 16.8 ≥ 16.6355 with target 0
    assert not big.agree
    assert big.wrong.elements[3] == 100.0 and big.wrong.element_grads[3] == 0.0
    assert big.right.element_grads[3] == pytest.approx(0.25)  # σ(x) − y = 1, ÷ 4 for the mean


@pytest.mark.parametrize("mistake", M.MISTAKES)
@pytest.mark.parametrize("wrong", [True, False])
def test_code_snippet_prints_the_same_numbers(mistake, wrong):
    """Test that the generated snippet, run in torch, prints run()'s loss or error."""
    out = codegen.run(M.code(mistake, wrong, scale=3.0))
    r = getattr(M.run(mistake, scale=3.0), "wrong" if wrong else "right")
    if r.ok:
        assert f"loss {r.value!r}" in out
    else:
        assert f"{r.error_kind}: {r.message}" in out


@pytest.mark.parametrize("mistake", M.MISTAKES)
def test_torch_call_agrees_with_lossviz(mistake):
    """Test that the page's torch_check call gives the same outcome as lossviz.core.functional."""
    from lossviz.core import torch_ref

    for wrong in (True, False):
        name, x, y = M.torch_call(mistake, wrong, scale=2.0)
        kw = M.torch_kwargs(mistake)
        assert torch_ref.agrees(torch_ref.ours(name, x, y, **kw), torch_ref.reference(name, x, y, **kw))


def test_sweep_and_figure_as_data():
    """Test the sweep (NaN where torch raised) and the figure's traces."""
    scales = [0.5, 1.0, 20.0]
    s = M.sweep("sigmoid_bce", scales)
    assert s.wrong[2] == pytest.approx(25.0)
    err = M.sweep("float_target", scales)
    assert np.all(np.isnan(err.wrong)) and np.all(np.isfinite(err.right))
    labels = {k: k for k in ("title", "x", "loss", "grad", "wrong", "right", "current")}
    fig = sweep_figure(scales, s, current=(20.0, 25.0, 6.0), labels=labels)
    names = [tr.name for tr in fig.data]
    assert names.count("wrong") == 2 and names.count("right") == 2
    # the live example: two points on the top panel, as annotations (log x axis: plotly places them at log10)
    marks = [(a.x, a.y, a.xref, a.yref, a.font.color) for a in fig.layout.annotations if a.text == "●"]
    colours = [tr.line.color for tr in fig.data[:4:2]]  # the loss curves: with the mistake, fixed
    assert marks == [(pytest.approx(np.log10(20.0)), 25.0, "x", "y", colours[0]), (pytest.approx(np.log10(20.0)), 6.0, "x", "y", colours[1])]
    assert fig.data[-1].name == "current" and list(fig.data[-1].x) == [None]  # its legend entry
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis2.type == "log"
