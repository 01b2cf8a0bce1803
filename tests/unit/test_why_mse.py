"""lossviz.lessons.why_mse and its figures, against torch: σ + MSE and BCEWithLogits, their gradients, the race."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossviz.lessons import train
from lossviz.lessons import why_mse as W
from lossviz.plots.why_mse import curves_figure, race_figure
from lossviz.text import codegen

TORCH_LOSS = {"mse": "mse_prob", "bce": "bce_logits"}  # the same objectives in Train it's torch runs


def torch_point(x: float, y: float) -> tuple[float, float, float, float]:
    """(MSE, dMSE/dx, BCE, dBCE/dx) of one float64 logit, by autograd."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(y, dtype=torch.float64)
    mse = F.mse_loss(torch.sigmoid(xt), yt)
    (gm,) = torch.autograd.grad(mse, xt)
    bce = F.binary_cross_entropy_with_logits(xt, yt)
    (gb,) = torch.autograd.grad(bce, xt)
    return mse.item(), gm.item(), bce.item(), gb.item()


@pytest.mark.parametrize("y", [0.0, 1.0])
@pytest.mark.parametrize("x", [-10.0, -4.0, -math.log(2), 0.0, 0.3, 7.5, 10.0])
def test_point_matches_autograd(x, y):
    p = W.point(x, y)
    want = torch_point(x, y)
    np.testing.assert_allclose([p.mse, p.mse_grad, p.bce, p.bce_grad], want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_curves_match_autograd_on_the_grid(y):
    c = W.curves(y)
    xt = torch.tensor(c.xs, requires_grad=True)
    yt = torch.full_like(xt, y)
    mse = F.mse_loss(torch.sigmoid(xt), yt, reduction="none")
    (gm,) = torch.autograd.grad(mse.sum(), xt)
    np.testing.assert_allclose(c.mse, mse.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c.mse_grad, gm.numpy(), rtol=1e-12, atol=1e-15)
    bce = F.binary_cross_entropy_with_logits(xt, yt, reduction="none")
    (gb,) = torch.autograd.grad(bce.sum(), xt)
    np.testing.assert_allclose(c.bce, bce.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c.bce_grad, gb.numpy(), rtol=1e-12, atol=1e-15)


def test_confidently_wrong_mse_gradient_vanishes():
    """Test the lesson's headline: at x = −10, y = 1, MSE's gradient ≈ −9.08e-5, BCE's ≈ −1."""
    p = W.point(-10.0, 1.0)
    assert p.wrong and p.mse_grad == pytest.approx(-9.0787e-5, rel=1e-4) and p.bce_grad == pytest.approx(-1, abs=1e-4)
    assert p.ratio < 1e-4


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_peak_is_the_largest_mse_gradient(y):
    xs = torch.linspace(-10, 10, 200_001, dtype=torch.float64, requires_grad=True)
    out = F.mse_loss(torch.sigmoid(xs), torch.full_like(xs, y), reduction="sum")
    (g,) = torch.autograd.grad(out, xs)
    i = int(g.abs().argmax())
    top = W.peak(y)
    assert top.x == pytest.approx(xs[i].item(), abs=1e-4)
    assert abs(top.mse_grad) == pytest.approx(g.abs().max().item(), rel=1e-9) == pytest.approx(8 / 27, rel=1e-9)


@pytest.mark.parametrize(("lr", "steps", "scale"), [(0.5, 100, 5.0), (2.0, 40, 1.0), (0.1, 60, 10.0)])
def test_race_matches_train_its_torch_runs(lr, steps, scale):
    """Test that the numpy race (through lossviz.core) replays Train it's float32 torch runs step by step."""
    race = W.race(lr=lr, steps=steps, scale=scale)
    for k, run in race.runs.items():
        ref = train.train_toy(TORCH_LOSS[k], lr=lr, epochs=steps, scale=scale)
        np.testing.assert_allclose(run.losses, ref.losses, rtol=2e-5)
        np.testing.assert_allclose(run.grad_norms, ref.grad_norms, rtol=2e-4)
        np.testing.assert_allclose(run.w, ref.w, rtol=2e-4, atol=1e-5)
        assert run.final_accuracy == pytest.approx(ref.accuracy, abs=1e-9)
        np.testing.assert_allclose(run.final_logits, ref.final_logits, rtol=2e-4, atol=1e-4)


def test_default_race_bce_wins():
    race = W.race()
    mse, bce = race.runs["mse"], race.runs["bce"]
    assert mse.accuracy[0] == bce.accuracy[0]  # the same start
    assert bce.final_accuracy >= 0.9 > 0.6 > mse.final_accuracy
    assert W.first_to(bce, 0.9) is not None and W.first_to(mse, 0.9) is None


def test_race_limits():
    with pytest.raises(ValueError):
        W.race(lr=math.nan)
    race = W.race(lr=100.0, steps=10_000, scale=0.0)
    assert (race.lr, race.steps, race.scale) == (W.LIMITS["lr"][1], W.LIMITS["steps"][1], W.LIMITS["scale"][0])


def test_snippets_print_the_page_numbers():
    p = W.point(-10.0, 1.0)
    out = codegen.run(W.point_code(-10.0, 1.0)).splitlines()
    assert out[1] == f"MSE {p.mse!r} grad {p.mse_grad!r}"
    assert out[2] == f"BCE {p.bce!r} grad {p.bce_grad!r}"
    race = W.race(lr=0.5, steps=30, scale=5.0)
    out = codegen.run(W.race_code(lr=0.5, steps=30, scale=5.0)).splitlines()
    for line, k in zip(out, ("mse", "bce"), strict=True):
        name, _, loss, _, acc = line.split()
        assert name == k
        assert float(loss) == pytest.approx(race.runs[k].final_loss, rel=1e-4)
        assert float(acc) == pytest.approx(race.runs[k].final_accuracy, abs=1e-6)


def test_figures_as_data():
    c = W.curves(1.0, n=5)
    labels = {"title": "T", "x": "x", "loss": "L", "grad": "G", "current": "now", "peak": "P"}
    fig = curves_figure(c.xs, {"m": (c.mse, c.mse_grad), "b": (c.bce, c.bce_grad)}, current=-2.0,
                        current_values={"m": (0.5, -0.1), "b": (2.0, -0.9)}, peak=(-0.69, -0.296), labels=labels)
    assert [(tr.name, tr.yaxis) for tr in fig.data[:4]] == [("m", "y"), ("m", "y2"), ("b", "y"), ("b", "y2")]
    assert list(fig.data[1].y) == list(c.mse_grad)
    assert [tr.x[0] for tr in fig.data[4:8]] == [-2.0] * 4 and fig.data[5].y[0] == -0.1
    assert fig.data[-1].name == "P" and fig.data[-1].y[0] == -0.296
    assert fig.layout.xaxis2.title.text == "x" and fig.layout.yaxis2.title.text == "G"
    fig = race_figure({"a": ([1.0, 0.5], [0.5, 0.75])}, labels={"title": "T", "x": "s", "accuracy": "A", "loss": "L"})
    assert list(fig.data[0].y) == [0.5, 0.75] and list(fig.data[1].y) == [1.0, 0.5]
    assert fig.layout.yaxis.range == (0.0, 1.02)
