"""lossviz.lessons.train and its figures, against training loops written out in torch here."""

import base64
import io
import math
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from lossviz.lessons import train as T
from lossviz.plots.base import PALETTE
from lossviz.plots.train import curves_figure, epoch_loss_figure, probability_map_figure, probability_png
from lossviz.text import codegen
from tests.torch_loops import seed_loop, toy_loop


@pytest.mark.parametrize(("lr", "epochs", "seed"), [(0.1, 10, 0), (0.5, 25, 7), (0.01, 3, 123)])
def test_linear_matches_the_seed_loop_exactly(lr, epochs, seed):
    """Test that the private-generator run prints the same losses as torch.manual_seed + the seed's code."""
    run = T.train_linear(lr=lr, epochs=epochs, seed=seed)
    losses, final = seed_loop(lr, epochs, seed)
    assert run.losses == losses
    assert run.final_loss == final


@pytest.mark.parametrize("loss", T.TOY_LOSSES)
@pytest.mark.parametrize("scale", [1.0, 25.0])
def test_toy_matches_a_plain_torch_loop(loss, scale):
    run = T.train_toy(loss, scale=scale)
    losses, z, y = toy_loop(loss, scale=scale)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-5, atol=1e-6)
    assert run.final_loss == pytest.approx(F.binary_cross_entropy_with_logits(z, y).item(), rel=1e-5)


def test_naive_equals_stable_for_small_logits():
    a, b = T.train_toy("bce_logits", scale=1.0), T.train_toy("naive_bce", scale=1.0)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-5)
    assert not a.stalled and not b.stalled


def test_naive_and_mse_stall_when_sigmoid_saturates():
    """Test that at scale 25 the naive route and MSE stall while BCEWithLogits learns (float32 saturation)."""
    runs = {k: T.train_toy(k, scale=25.0) for k in T.TOY_LOSSES}
    assert not runs["bce_logits"].stalled
    assert runs["naive_bce"].stalled and runs["mse_prob"].stalled
    assert runs["naive_bce"].grad_norms[0] < runs["bce_logits"].grad_norms[0] / 5


def test_stuck_count_is_confident_wrong_points():
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(40, 2, generator=g) - 1.2, torch.randn(40, 2, generator=g) + 1.2])
    z = x @ (torch.tensor([0.5, -0.5]) * 25.0) + 1.5 * 25.0
    expected = int((torch.sigmoid(z[:40]) == 1.0).sum())  # class-0 points with σ exactly 1
    assert T.train_toy("naive_bce", scale=25.0).stuck_start == expected > 0
    assert T.train_toy("naive_bce", scale=1.0).stuck_start == 0


def test_training_uses_one_thread_and_is_fast():
    """Test that a default-size page (linear + three toy runs) trains in well under 2 s on one thread."""
    start = time.perf_counter()
    T.train_linear()
    for k in T.TOY_LOSSES:
        T.train_toy(k)
    assert time.perf_counter() - start < 2.0
    assert torch.get_num_threads() == 1


def test_limits_are_enforced():
    with pytest.raises(ValueError):
        T.train_toy("bce_logits", lr=math.nan)
    with pytest.raises(KeyError):
        T.train_toy("hinge")
    assert len(T.train_toy("bce_logits", epochs=10_000).losses) == T.LIMITS["epochs"][1]


def test_huge_learning_rate_gives_numbers_not_exceptions():
    run = T.train_toy("naive_bce", lr=10.0, epochs=500, scale=30.0)
    assert len(run.losses) == 500


def test_cross_check_with_lossviz_functional():
    run = T.train_toy("bce_logits", scale=3.0)
    _, y = T.blobs()
    ref, ours, ok = T.cross_check(run, y.numpy())
    assert ok and ref == pytest.approx(ours, rel=1e-6)


def test_probability_map_and_boundary():
    w, b = [1.5, -0.5], 0.25
    xs = np.linspace(-2, 2, 5)
    prob = T.probability_map(w, b, xs, xs)
    gx, gy = np.meshgrid(xs, xs)
    expected = torch.sigmoid(torch.tensor(w[0] * gx + w[1] * gy + b, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(prob, expected, rtol=1e-6)
    by = T.boundary(w, b, xs)
    on_line = T.probability_map(w, b, [xs[1]], [by[1]])
    assert on_line[0, 0] == pytest.approx(0.5, abs=1e-6)
    assert T.boundary([1.0, 0.0], 0.0, xs) is None


def test_code_snippets_print_the_same_numbers():
    out = codegen.run(T.linear_code(lr=0.3, epochs=4, seed=5))
    run = T.train_linear(lr=0.3, epochs=4, seed=5)
    assert out.splitlines()[-1] == f"3 {run.losses[-1]!r}"
    out = codegen.run(T.toy_code("naive_bce", epochs=20, scale=25.0))
    run = T.train_toy("naive_bce", epochs=20, scale=25.0)
    assert f"19 {run.losses[-1]!r}" in out
    assert f"final log loss {run.final_loss!r}" in out


def test_figures_as_data():
    fig = epoch_loss_figure([3.0, 2.0, 1.0], labels={"title": "T", "x": "e", "y": "l", "curve": "c"})
    assert list(fig.data[0].y) == [3.0, 2.0, 1.0] and fig.layout.xaxis.title.text == "e"
    fig = curves_figure({"a": ([1.0, 0.5], [2.0, 0.0]), "b": ([4.0, 4.0], [0.1, 0.1])},
                        labels={"title": "T", "x": "s", "loss": "L", "grad": "G"})
    assert [tr.name for tr in fig.data] == ["a", "a", "b", "b"]
    assert np.isnan(fig.data[1].y[1])  # an exactly-zero gradient is a gap on the log axis
    assert fig.layout.yaxis2.type == "log"
    xs = np.linspace(-1, 1, 3)
    fig = probability_map_figure(xs, xs, np.full((3, 3), 0.5), np.array([[0, 0], [1, 1]]), np.array([0, 1]),
                                 boundary_y=xs, labels={k: k for k in ("title", "x", "y", "prob", "class0", "class1", "boundary")})
    assert {tr.type for tr in fig.data} == {"scatter"}  # plotly's basic bundle draws it (no heatmap trace)
    bar = fig.data[0].marker
    assert bar.showscale and (bar.cmin, bar.cmax) == (0, 1) and bar.colorbar.title.text == "prob"
    assert [tr.name for tr in fig.data[2:] if tr.showlegend is not False] == ["class0", "class1", "boundary"]
    # each class's marker has a light and a dark part: it shows on blue, white and orange, and in the
    # legend on a light page and on a dark one
    for tr in fig.data[2:4]:
        assert {tr.marker.color.lower(), tr.marker.line.color.lower()} == {"#ffffff", "#000000"}, tr.name
    assert fig.layout.yaxis.showgrid is False and fig.layout.yaxis.zeroline is False  # they would show through the map
    image = fig.layout.images[0]  # the map covers the grid cells: half a cell beyond the first and last point
    assert (image.x, image.y, image.sizex, image.sizey) == (-1.5, 1.5, 3.0, 3.0)


def test_probability_png_puts_high_y_on_top_and_uses_the_scale():
    """Test that row 0 of the PNG is the largest y and σ = 0 / 0.5 / 1 get blue / white / orange."""
    prob = np.array([[0.0, 0.5, 1.0], [1.0, 1.0, 1.0]])  # row 0 = lowest y
    uri = probability_png(prob)
    assert uri.startswith("data:image/png;base64,")
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"))
    assert img.shape == (2, 3, 3)
    def hexes(row):
        return ["#" + "".join(f"{int(c):02X}" for c in px) for px in row]

    assert hexes(img[1]) == [PALETTE["blue"], "#FFFFFF", PALETTE["orange"]]
    assert hexes(img[0]) == [PALETTE["orange"]] * 3
