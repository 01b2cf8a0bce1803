"""lossviz.lessons.nll_pipeline and its figures, against torch: log_softmax → NLLLoss beside CrossEntropyLoss,
tensor by tensor, both gradients, and the three other pipelines."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossviz.lessons import nll_pipeline as P
from lossviz.plots.nll_pipeline import gradient_figure, mistakes_figure, pipeline_figure
from lossviz.text import codegen

TOL = {"rtol": 1e-12, "atol": 1e-14}
BATCHES = [  # (logits, targets, weights)
    (P.LOGITS, P.TARGETS, P.WEIGHTS),
    (P.LOGITS, (0, P.IGNORE, 3), (1.0, 2.0, 0.5, 4.0)),
    (((20.0, -20.0, 0.0, 1.0), (-20.0, -20.0, -20.0, 20.0), (0.1, 0.1, 0.1, 0.1)), (1, 3, 2), (0.0, 1.0, 3.5, 10.0)),
    (P.LOGITS, (P.IGNORE, P.IGNORE, P.IGNORE), P.WEIGHTS),
    (P.LOGITS, (0, 0, 1), (0.0, 0.0, 1.0, 1.0)),  # counted weights all 0: 0/0
]


def torch_pipeline(logits, targets, weight, reduction):
    """(log_softmax, nll value, ce value, ∂nll/∂x, ∂ce/∂x, ∂nll/∂log_softmax) in float64 torch, by autograd."""
    x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    y, w = torch.tensor(targets), torch.tensor(weight, dtype=torch.float64)
    logp = F.log_softmax(x, 1)
    nll = F.nll_loss(logp, y, weight=w, reduction=reduction)
    ce = F.cross_entropy(x, y, weight=w, reduction=reduction)
    g_nll, g_logp = torch.autograd.grad(nll.sum(), [x, logp], retain_graph=True)
    (g_ce,) = torch.autograd.grad(ce.sum(), x)
    return logp.detach(), nll.detach(), ce.detach(), g_nll, g_ce, g_logp


@pytest.mark.parametrize("reduction", P.REDUCTIONS)
@pytest.mark.parametrize("batch", range(len(BATCHES)))
def test_pipeline_matches_torch(batch, reduction):
    """Test every tensor of the pipeline and both gradients against torch, NaN where torch gives NaN."""
    logits, targets, weight = BATCHES[batch]
    p = P.pipeline(logits, targets, weight, reduction)
    logp, nll, ce, g_nll, g_ce, g_logp = torch_pipeline(logits, targets, weight, reduction)
    close = dict(TOL, equal_nan=True)
    np.testing.assert_allclose(p.log_probs, logp.numpy(), **close)
    np.testing.assert_allclose(p.probs, torch.softmax(torch.tensor(logits, dtype=torch.float64), 1).numpy(), **close)
    np.testing.assert_allclose(p.nll, nll.numpy(), **close)
    np.testing.assert_allclose(p.ce, ce.numpy(), **close)
    np.testing.assert_allclose(p.grad_log_probs, g_logp.numpy(), **close)
    np.testing.assert_allclose(p.grad_chain, g_nll.numpy(), **close)
    np.testing.assert_allclose(p.grad_ce, g_ce.numpy(), **close)
    np.testing.assert_allclose(p.logsumexp, torch.logsumexp(torch.tensor(logits, dtype=torch.float64), 1).numpy(), **TOL)
    none = F.nll_loss(logp, torch.tensor(targets), weight=torch.tensor(weight, dtype=torch.float64), reduction="none")
    np.testing.assert_allclose(p.nll_none, none.numpy(), **TOL)
    assert p.numerator == pytest.approx(float(none.sum()), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("batch", range(len(BATCHES) - 1))
def test_gradient_is_row_scale_times_softmax_minus_onehot(batch):
    """Test that CrossEntropyLoss's torch gradient is ``row_scale · (softmax − onehot)`` for every reduction."""
    logits, targets, weight = BATCHES[batch]
    for reduction in P.REDUCTIONS:
        p = P.pipeline(logits, targets, weight, reduction)
        *_, g_ce, _ = torch_pipeline(logits, targets, weight, reduction)
        if p.n_kept:
            np.testing.assert_allclose(p.row_scale[:, None] * p.softmax_minus_onehot, g_ce.numpy(), **TOL)
        rows = P.grad_rows(p, 0)
        assert list(rows) == list(P.GRAD_ROWS)
        np.testing.assert_allclose(rows["p_minus_onehot"], rows["probs"] - rows["onehot"] if p.keep[0] else 0.0, **TOL)


@pytest.mark.parametrize("reduction", P.REDUCTIONS)
@pytest.mark.parametrize("batch", range(len(BATCHES)))
def test_mistakes_match_torch(batch, reduction):
    """Test the three other pipelines' values (the page's reduction and per sample) and their inputs against torch."""
    logits, targets, weight = BATCHES[batch]
    m = P.mistakes(logits, targets, weight, reduction)
    x, y, w = torch.tensor(logits, dtype=torch.float64), torch.tensor(targets), torch.tensor(weight, dtype=torch.float64)
    logp = F.log_softmax(x, 1)
    for red, got in ((reduction, m.values), ("none", m.per_sample)):
        kw = {"weight": w, "reduction": red}
        want = {"right": F.cross_entropy(x, y, **kw), "twice": F.nll_loss(F.log_softmax(logp, 1), y, **kw),
                "ce_on_logp": F.cross_entropy(logp, y, **kw), "on_probs": F.nll_loss(torch.softmax(x, 1), y, **kw)}
        for route in P.ROUTES:
            np.testing.assert_allclose(got[route], want[route].numpy(), rtol=1e-12, atol=1e-14, equal_nan=True)
    assert m.calls["on_probs"][0] == "nll_loss" and m.calls["ce_on_logp"][0] == "cross_entropy"
    np.testing.assert_allclose(m.calls["twice"][1], F.log_softmax(logp, 1).numpy(), **TOL)
    assert m.twice_change == pytest.approx(float((F.log_softmax(logp, 1) - logp).abs().max()), abs=1e-14)


def test_snippet_prints_torchs_numbers():
    """Test that the code panel's snippet runs in torch and prints the same losses and an equal gradient."""
    out = codegen.run(P.code(P.LOGITS, (0, P.IGNORE, 3), (1.0, 2.0, 0.5, 4.0), "mean"))
    p = P.pipeline(P.LOGITS, (0, P.IGNORE, 3), (1.0, 2.0, 0.5, 4.0), "mean")
    assert "same gradient: True" in out
    assert float(out.split("NLLLoss(log_softmax(x))")[1].split()[0]) == pytest.approx(float(p.nll), rel=1e-15)
    assert float(out.split("NLL on softmax")[1].split()[0]) == pytest.approx(float(P.mistakes(
        P.LOGITS, (0, P.IGNORE, 3), (1.0, 2.0, 0.5, 4.0)).values["on_probs"]), rel=1e-15)


def test_figures_are_data():
    """Test the figures: bars only, the target outlined, values written on the bars, one series per pipeline."""
    p = P.pipeline()
    labels = {"title": "t", "x": "class", "y": "v", "logits": "x", "log_probs": "log_softmax(x)"}
    fig = pipeline_figure(p.logits[1], p.log_probs[1], target=3, labels=labels)
    assert [tr.type for tr in fig.data] == ["bar", "bar"]
    assert list(fig.data[1].y) == pytest.approx(list(p.log_probs[1]))
    assert list(fig.data[0].marker.line.width) == [0, 0, 0, 3]
    assert fig.data[0].text[1] == "2.5"
    g = gradient_figure(p.grad_chain[0], p.grad_ce[0], target=0, labels={"title": "g", "x": "c", "y": "d",
                                                                         "chain": "a", "ce": "b"})
    assert [tr.name for tr in g.data] == ["a", "b"]
    m = P.mistakes()
    mf = mistakes_figure({P.CALLS[r]: m.per_sample[r] for r in P.ROUTES}, labels={"title": "m", "x": "n", "y": "l"})
    assert len(mf.data) == 4 and list(mf.data[0].x) == ["0", "1", "2"]
    assert all(v < 0 for v in mf.data[3].y) and mf.layout.barmode == "group"
    assert {tr.type for fig_ in (fig, g, mf) for tr in fig_.data} == {"bar"}


def test_default_batch():
    """Test the default batch: three counted samples, the mean of the three −log p[y], ≈ 1.22."""
    p = P.pipeline()
    assert p.n_kept == 3 and p.denominator == 3.0
    assert float(p.ce) == pytest.approx(sum(-math.log(float(torch.softmax(torch.tensor(r, dtype=torch.float64), 0)[y]))
                                            for r, y in zip(P.LOGITS, P.TARGETS, strict=True)) / 3, rel=1e-12)
