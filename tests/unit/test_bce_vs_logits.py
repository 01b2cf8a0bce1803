"""lossviz.bce_lab against torch: element tables, the two routes, where they part."""

import math

import numpy as np
import pytest
import torch

from lossviz.core import functional as F
from lossviz.core.dtypes import finfo
from lossviz.core.errors import LossValueError
from lossviz.lessons import bce_vs_logits, sigmoid_bce
from lossviz.text import codegen

SEED_X = torch.tensor(bce_vs_logits.SEED_X, dtype=torch.float32)
SEED_Y = torch.tensor(bce_vs_logits.SEED_Y, dtype=torch.float32)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_logits_rows_match_torch(reduction):
    """Test σ(x), per-element loss and the gradient of the reduced loss against torch autograd."""
    x = SEED_X.clone().requires_grad_(True)
    rows = sigmoid_bce.logits_rows(SEED_X.numpy(), SEED_Y.numpy(), reduction)
    per = torch.nn.functional.binary_cross_entropy_with_logits(x, SEED_Y, reduction="none")
    red = torch.nn.functional.binary_cross_entropy_with_logits(x, SEED_Y, reduction=reduction)
    (g,) = torch.autograd.grad(red.sum(), x)
    assert [r["element"] for r in rows[:2]] == ["[0, 0]", "[0, 1]"]
    np.testing.assert_allclose([float(r["loss"]) for r in rows], per.detach().flatten().numpy(), rtol=1e-5)
    np.testing.assert_allclose([float(r["grad"]) for r in rows], g.flatten().numpy(), rtol=1e-5)
    np.testing.assert_allclose([float(r["sigma"]) for r in rows], torch.sigmoid(SEED_X).flatten().numpy(), rtol=1e-5)


def test_logits_rows_shape_mismatch_raises_like_torch():
    """Test that differing shapes raise the translated size error (torch: ValueError)."""
    with pytest.raises(LossValueError) as err:
        sigmoid_bce.logits_rows(np.zeros((2, 4), np.float32), np.zeros((2, 3), np.float32))
    assert err.value.code == "size_mismatch"


def test_seed_routes_are_bit_identical():
    """Test seed 003: every element is 'same' and both means are 0.8354646563529968 (float32)."""
    rows = bce_vs_logits.compare_rows(SEED_X.numpy(), SEED_Y.numpy())
    assert {r["reason"] for r in rows} == {"same"}
    sweep = bce_vs_logits.scale_sweep(SEED_X.numpy(), SEED_Y.numpy(), [1.0], "float32")
    assert sweep.naive[0] == sweep.stable[0] == 0.8354646563529968


def test_routes_part_where_sigma_rounds_to_one():
    """Test that at scale 11 element [1, 3] (x = 17.6, y = 0) costs 100 through BCELoss, 17.6 with logits."""
    x = bce_vs_logits.scaled(SEED_X.numpy(), 11.0, "float32")
    rows = bce_vs_logits.compare_rows(x, SEED_Y.numpy())
    r = {row["element"]: row for row in rows}["[1, 3]"]
    xt = torch.tensor(x)
    naive = torch.nn.functional.binary_cross_entropy(torch.sigmoid(xt), SEED_Y, reduction="none")
    stable = torch.nn.functional.binary_cross_entropy_with_logits(xt, SEED_Y, reduction="none")
    assert r["reason"] == "clamp_one" and float(r["naive"]) == naive[1, 3].item() == 100.0
    assert float(r["stable"]) == pytest.approx(stable[1, 3].item(), rel=1e-5)
    assert r["sigma"] == "1.0"


def test_rounding_reason_before_the_jump():
    """Test that x = 15, y = 0 in float32 is flagged as rounding (BCELoss 1 % low), not as a clamp."""
    rows = bce_vs_logits.compare_rows(np.array([15.0], np.float32), np.array([0.0], np.float32))
    assert rows[0]["reason"] == "rounding"
    assert float(rows[0]["naive"]) == pytest.approx(14.8437729, rel=1e-5)


def test_clamp_zero_reason_for_positive_label():
    """Test that x = -100, y = 1 (σ underflows to 0) is flagged clamp_zero and costs 100."""
    rows = bce_vs_logits.compare_rows(np.array([-100.0], np.float32), np.array([1.0], np.float32))
    assert rows[0]["reason"] == "clamp_zero" and float(rows[0]["naive"]) == 100.0


@pytest.mark.parametrize("dtype,limit", [("float32", 16.63553237915039), ("float16", 8.3203125), ("bfloat16", 6.25)])
def test_parting_scale_is_the_saturation_point_over_the_largest_negative_label_logit(dtype, limit):
    """Test that the seed first parts at element [1, 3] (x = 1.6, y = 0), at scale = limit / 1.6."""
    scale, element = bce_vs_logits.parting_scale(SEED_X.numpy(), SEED_Y.numpy(), dtype)
    assert element == (1, 3)
    assert scale == pytest.approx(limit / 1.6, rel=1e-6)


def test_parting_scale_none_when_nothing_can_saturate():
    """Test that labels equal to their logits' side never part (y = 1 on positive logits)."""
    assert bce_vs_logits.parting_scale(np.array([1.0, 2.0]), np.array([1.0, 1.0]), "float32") is None


def test_scale_sweep_matches_torch():
    """Test the mean loss both ways across scales in float16 against torch."""
    scales = [0.0, 3.0, 6.0, 12.0]
    sweep = bce_vs_logits.scale_sweep(SEED_X.numpy(), SEED_Y.numpy(), scales, "float16")
    for i, s in enumerate(scales):
        x = SEED_X.to(torch.float16) * s
        np.testing.assert_array_equal(bce_vs_logits.scaled(SEED_X.numpy(), s, "float16"), x.numpy())
        y = SEED_Y.to(torch.float16)
        assert sweep.naive[i] == pytest.approx(torch.nn.functional.binary_cross_entropy(torch.sigmoid(x), y).item(), rel=2e-3)
        assert sweep.stable[i] == pytest.approx(torch.nn.functional.binary_cross_entropy_with_logits(x, y).item(), rel=2e-3)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("scale", [0.1, 1.0, 7.3, 10.4, 59.9])
def test_scaled_is_torchs_tensor_times_scalar(dtype, scale):
    """Test that scaled() holds exactly the numbers of torch.tensor(x, dtype=dtype) * scale."""
    tdt = getattr(torch, dtype)
    x = torch.tensor(bce_vs_logits.SEED_X, dtype=torch.float64).to(tdt) * scale
    got = bce_vs_logits.scaled(bce_vs_logits.SEED_X, scale, dtype)
    assert got.dtype.name == dtype
    np.testing.assert_array_equal(got.astype(np.float64), x.double().numpy())


def _printed(line: str):
    """A line the snippet printed (a number, a list or two lists), read back with nan and inf."""
    return eval(f"({line.replace('] [', '], [')})", {"__builtins__": {}, "nan": math.nan, "inf": math.inf})


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_small_tensor_code_prints_lossviz_numbers(reduction):
    """Test that lesson 1's torch code, run, prints lossviz's σ(x), reduced loss and gradient in float32."""
    x, y = np.array(bce_vs_logits.SEED_X), np.array(bce_vs_logits.SEED_Y)
    sig, loss, grad = codegen.run(sigmoid_bce.small_tensor_code(x, y, reduction)).splitlines()
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    tol = 4 * np.finfo(np.float32).eps
    np.testing.assert_allclose(_printed(sig), F.sigmoid(x32), rtol=tol)
    ours = F.binary_cross_entropy_with_logits(x32, y32, reduction=reduction)
    np.testing.assert_allclose(_printed(loss), ours, rtol=tol)
    np.testing.assert_allclose(_printed(grad), F.binary_cross_entropy_with_logits_grad(x32, y32, reduction=reduction),
                               rtol=tol)


@pytest.mark.parametrize(("dtype", "scale", "parted"),
                         [("float32", 1.0, False), ("float32", 12.0, True), ("float16", 6.0, True), ("float64", 20.0, False)])
def test_scaled_code_prints_lossviz_numbers(dtype, scale, parted):
    """Test that lesson 2's torch code, run, prints lossviz's two means and both per-element losses, the
    clamped 100 of element [1, 3] (y = 0) included once σ(scale · 1.6) rounds to 1 in that dtype."""
    x, y = bce_vs_logits.SEED_X, bce_vs_logits.SEED_Y
    out = [_printed(line) for line in codegen.run(bce_vs_logits.scaled_code(x, y, scale, dtype)).splitlines()]
    xs = bce_vs_logits.scaled(x, scale, dtype)
    ys = np.asarray(y, dtype=xs.dtype)
    means = F.naive_bce_from_logits(xs, ys), F.binary_cross_entropy_with_logits(xs, ys)
    naive = F.naive_bce_from_logits(xs, ys, reduction="none")
    stable = F.binary_cross_entropy_with_logits(xs, ys, reduction="none")
    tol = 4 * float(finfo(xs.dtype).eps)
    for printed, ours in zip(out, (*means, naive, stable), strict=True):
        np.testing.assert_allclose(printed, ours.astype(np.float64), rtol=tol)
    assert (out[2][1][3] == 100.0) == parted
