"""The model of lesson 12, Entropy, cross-entropy, KL (lossviz/lessons/entropy_kl.py), against torch."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from lossviz.lessons import entropy_kl as E
from lossviz.plots.entropy_kl import split_figure
from lossviz.text import codegen

CASES = [
    (E.LOGITS[:4], E.TARGET[:4]),
    ([0.0, 0.0], [0.5, 0.5]),
    ([10.0, -10.0, 3.0], [1.0, 0.0, 0.0]),
    ([-2.5, 4.0, 0.3, 1.1, -7.0, 9.9], [0.1, 0.0, 0.35, 0.25, 0.1, 0.2]),
]


def torch_parts(x, y):
    """(p, H(y), KL by kl_div batchmean, CE) in float64 torch, for one sample shaped (1, C)."""
    xt = torch.tensor([x], dtype=torch.float64)
    yt = torch.tensor([y], dtype=torch.float64)
    kl = TF.kl_div(TF.log_softmax(xt, 1), yt, reduction="batchmean")
    return torch.softmax(xt, 1)[0], torch.special.entr(yt).sum().item(), kl.item(), TF.cross_entropy(xt, yt).item()


@pytest.mark.parametrize(("x", "y"), CASES)
def test_split_matches_torch(x, y):
    """Test that p, H(y), KL(y‖p) and the cross-entropy are torch's, and that they add up."""
    s = E.split(x, y)
    p, h, kl, ce = torch_parts(x, y)
    np.testing.assert_allclose(s.p, p.numpy(), rtol=1e-13, atol=1e-300)
    assert s.entropy == pytest.approx(h, rel=1e-13, abs=1e-15)
    assert s.kl == pytest.approx(kl, rel=1e-12, abs=1e-15)
    assert s.ce == pytest.approx(ce, rel=1e-13)
    assert abs(s.gap) < 1e-13


def test_entropy_is_torch_entr_and_never_minus_zero():
    """Test H against torch.special.entr, and that a one-hot target's entropy prints as 0, not −0."""
    for y in ([0.7, 0.2, 0.1, 0.0], [0.25] * 4, [1.0, 0.0]):
        assert E.entropy(y) == pytest.approx(torch.special.entr(torch.tensor(y, dtype=torch.float64)).sum().item(), rel=1e-14)
    assert math.copysign(1.0, E.entropy([1.0, 0.0])) == 1.0


def test_target_is_made_a_distribution():
    """Test that a target summing to 1 is kept, others divided by their sum, all zeros made uniform."""
    assert E.target([0.7, 0.2, 0.1]).fix == "" and E.target([0.7, 0.2, 0.1]).y.tolist() == [0.7, 0.2, 0.1]
    t = E.target([0.5, 0.5, 0.5, 0.5])
    assert t.fix == "normalised" and t.raw_sum == 2.0 and t.y.tolist() == [0.25] * 4
    z = E.target([0.0, 0.0])
    assert z.fix == "uniform" and z.y.tolist() == [0.5, 0.5]


@pytest.mark.parametrize("n", [1, 3, 16])
@pytest.mark.parametrize(("x", "y"), CASES)
def test_reductions_match_torch(x, y, n):
    """Test each reduction, the probabilities-as-input call and the warning against torch's, for N copies."""
    r = E.reductions(x, y, n)
    logp = TF.log_softmax(torch.tensor([x] * n, dtype=torch.float64), 1)
    yt = torch.tensor([y] * n, dtype=torch.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ref = {red: TF.kl_div(logp, yt, reduction=red).item() for red in E.REDUCTIONS}
    for red in E.REDUCTIONS:
        assert r.values[red] == pytest.approx(ref[red], rel=1e-12, abs=1e-15)
    assert r.probs == pytest.approx(TF.kl_div(logp.exp(), yt, reduction="batchmean").item(), rel=1e-12)
    assert r.warning == str(caught[0].message) and (r.n, r.c) == (n, len(x))


@pytest.mark.parametrize(("k", "eps", "temp"), [(0, 0.1, 4.0), (2, 0.0, 1.0), (3, 0.5, 10.0)])
def test_softened_matches_torch(k, eps, temp):
    """Test label smoothing (built in and as a probability target) and distillation against torch."""
    x = list(E.LOGITS[:4])
    s = E.softened(x, k, eps, temp)
    xt = torch.tensor([x], dtype=torch.float64)
    builtin = TF.cross_entropy(xt, torch.tensor([k]), label_smoothing=eps).item()
    y_eps = (1 - eps) * TF.one_hot(torch.tensor([k]), 4).double() + eps / 4
    assert s.builtin == pytest.approx(builtin, rel=1e-13)
    assert s.smoothed.ce == pytest.approx(TF.cross_entropy(xt, y_eps).item(), rel=1e-13)
    y_t = torch.softmax(torch.tensor([E.TEACHER[:4]], dtype=torch.float64) / temp, 1)
    kl = TF.kl_div(TF.log_softmax(xt / temp, 1), y_t, reduction="batchmean").item()
    assert s.teacher.kl == pytest.approx(kl, rel=1e-12, abs=1e-15)
    assert s.teacher.ce == pytest.approx(TF.cross_entropy(xt / temp, y_t).item(), rel=1e-13)
    assert s.hinton == pytest.approx(temp * temp * kl, rel=1e-12, abs=1e-15)
    assert (s.k, s.eps, s.temperature) == (k, eps, temp)


def test_snippets_print_the_page_numbers():
    """Test that both PyTorch snippets run and print the model's numbers."""
    x, y = list(E.LOGITS[:4]), list(E.TARGET[:4])
    out = codegen.run(E.split_code(x, y, 4))
    s, r = E.split(x, y), E.reductions(x, y, 4)
    assert f"CE {s.ce!r}" in out and f"mean {r.values['mean']!r}" in out and f"batchmean {r.values['batchmean']!r}" in out
    soft = E.softened(x, 0, 0.1, 4.0)
    out = codegen.run(E.softened_code(x, 0, 0.1, 4.0))
    assert f"label_smoothing {soft.builtin!r}" in out and f"T² · KL {soft.hinton!r}" in out


def test_split_figure_stacks_entropy_and_kl_under_the_cross_entropy():
    """Test the figure as data: two stacked bar traces and the cross-entropy diamonds at H + KL."""
    s = E.split(E.LOGITS[:4], E.TARGET[:4])
    fig = split_figure(["a", "b"], [s.entropy, s.entropy], [s.kl, 0.0], [s.ce, None],
                       labels={"title": "T", "y": "nats", "entropy": "H", "kl": "KL", "ce": "CE"})
    bars = [tr for tr in fig.data if tr.type == "bar"]
    (dia,) = [tr for tr in fig.data if tr.type == "scatter"]
    assert fig.layout.barmode == "stack" and [b.name for b in bars] == ["H", "KL"]
    assert list(dia.x) == ["a"] and dia.y[0] == pytest.approx(bars[0].y[0] + bars[1].y[0], rel=1e-13)
