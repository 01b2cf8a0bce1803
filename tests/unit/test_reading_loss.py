"""lossviz.lessons.reading_loss and its figures, against torch: ln C, thresholds, the training run, pos_weight."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossviz.lessons import reading_loss as R
from lossviz.plots.reading_loss import reliability_figure, threshold_figure, tilt_figure, training_figure
from lossviz.text import codegen
from tests.torch_loops import reading_loss_run


def torch_run():
    """Per epoch (train loss, val loss, train acc, val acc), the validation logits and labels, from torch."""
    out = reading_loss_run(R.toy_data(), lr=R.LR, epochs=R.EPOCHS)
    rows = np.array(list(zip(out["train_loss"], out["val_loss"], out["train_acc"], out["val_acc"], strict=True)))
    return rows, torch.stack(out["z"]).numpy(), out["yv"].numpy()


@pytest.mark.parametrize("c", [2, 3, 10, 100, 1000, 50257])
def test_at_init_is_torchs_ln_c(c):
    i = R.at_init(c)
    ref = F.cross_entropy(torch.zeros(1, c, dtype=torch.float64), torch.tensor([0])).item()
    assert i.ce == pytest.approx(ref, rel=1e-12) == pytest.approx(math.log(c), rel=1e-12)
    assert i.bce_logit0 == pytest.approx(F.binary_cross_entropy_with_logits(torch.tensor(0.0, dtype=torch.float64),
                                                                            torch.tensor(1.0, dtype=torch.float64)).item())
    assert [c for c, _ in R.init_table()] == list(R.C_TABLE)


@pytest.mark.parametrize("cut", [-2.0, -0.5, 0.0, 0.05, 0.5, 1.0, 2.0])
def test_thresholds_match_torch(cut):
    th = R.thresholds(cut)
    x, y = torch.tensor(R.LOGITS, dtype=torch.float64), torch.tensor(R.LABELS)
    assert (th.right == (torch.sigmoid(x) > 0.5).long().numpy()).all()
    assert (th.wrong == (x > cut).long().numpy()).all()
    assert th.accuracy == (((x > 0).long() == y).double().mean().item(), ((x > cut).long() == y).double().mean().item())
    assert th.cut_sigma == pytest.approx(torch.sigmoid(torch.tensor(cut, dtype=torch.float64)).item(), rel=1e-15)


def test_argmax_example_matches_torch():
    k, probs, ce = R.argmax_example()
    x = torch.tensor([R.CE_LOGITS], dtype=torch.float64)
    assert k == int(x.argmax()) == int(torch.softmax(x, 1).argmax())
    np.testing.assert_allclose(probs, torch.softmax(x, 1)[0].numpy(), rtol=1e-14)
    assert ce == pytest.approx(F.cross_entropy(x, torch.tensor([1])).item(), rel=1e-14)


def test_training_matches_torch():
    """Test that the numpy run (through lossviz.core) replays torch's SGD epoch by epoch, in float64."""
    rows, logits, yv = torch_run()
    run = R.training()
    np.testing.assert_allclose(run.train_loss, rows[:, 0], rtol=1e-10)
    np.testing.assert_allclose(run.val_loss, rows[:, 1], rtol=1e-10)
    assert run.train_acc == list(rows[:, 2]) and run.val_acc == list(rows[:, 3])
    np.testing.assert_allclose(run.val_logits, logits, rtol=1e-9, atol=1e-10)
    assert (run.val_labels == yv).all()


def test_training_overconfidence():
    """Test the lesson's run: lowest validation loss at epoch 8, then loss and accuracy both higher at epoch 200."""
    run = R.training()
    assert run.best == 8
    assert run.val_loss[-1] > run.val_loss[8] + 0.3 and run.val_acc[-1] > run.val_acc[8] + 0.05
    early, late = R.reliability(run, 8), R.reliability(run, R.EPOCHS)
    assert late.mean_confidence > late.overall_accuracy + 0.1 and late.ece > 2 * early.ece


def test_reliability_bins_in_torch():
    """Test the bins, their accuracy and confidence, and ECE, recomputed from torch's σ of the validation logits."""
    run = R.training()
    for epoch in (0, 1, 8, 100, R.EPOCHS):
        rel = R.reliability(run, epoch)
        z = torch.from_numpy(run.val_logits[epoch])
        s = torch.sigmoid(z)
        conf = torch.maximum(s, 1 - s)
        hit = ((z > 0).double() == torch.from_numpy(run.val_labels)).double()
        ece = 0.0
        for k, (lo, hi) in enumerate(zip(R.BINS[:-1], R.BINS[1:], strict=True)):
            m = (conf >= lo) & ((conf < hi) | (hi == 1.0))
            assert rel.count[k] == int(m.sum())
            if m.any():
                assert rel.accuracy[k] == pytest.approx(hit[m].mean().item()) and rel.confidence[k] == pytest.approx(conf[m].mean().item())
                ece += m.sum().item() / len(z) * abs(hit[m].mean().item() - conf[m].mean().item())
        assert rel.ece == pytest.approx(ece, rel=1e-9, abs=1e-12)
        assert rel.mean_confidence == pytest.approx(conf.mean().item()) and rel.overall_accuracy == run.val_acc[epoch]


@pytest.mark.parametrize("p", [0.1, 0.5, 1.0, 3.0, 10.0])
def test_tilt_matches_torch(p):
    """Test that the tilted optimum is where torch's gradient of the pos-weighted loss with soft target q vanishes."""
    tl = R.tilt(p)
    assert tl.q_cross == pytest.approx(1 / (1 + p)) and tl.shift == pytest.approx(math.log(p))
    assert tl.sigma_at_half == pytest.approx(p / (1 + p))
    qs = torch.tensor([0.1, 0.3, 0.5, 0.8], dtype=torch.float64)
    z = (torch.logit(qs) + math.log(p)).requires_grad_()
    loss = F.binary_cross_entropy_with_logits(z, qs, pos_weight=torch.tensor(p, dtype=torch.float64), reduction="sum")
    (g,) = torch.autograd.grad(loss, z)
    assert g.abs().max().item() < 1e-12
    np.testing.assert_allclose(np.interp(qs.numpy(), tl.qs, tl.tilted), torch.sigmoid(z.detach()).numpy(), atol=2e-3)


def test_snippets_print_the_page_numbers():
    run = R.training()
    out = codegen.run(R.training_code(50)).splitlines()
    assert [int(line.split()[0]) for line in out] == [0, run.best, 50]
    for line in out:
        e, _, _, loss, _, _, acc = line.split()
        assert float(loss) == pytest.approx(run.val_loss[int(e)], rel=1e-12) and float(acc) == run.val_acc[int(e)]
    out = codegen.run(R.threshold_code(0.5)).splitlines()
    assert out[0] == "accuracy 0.9 0.6" and out[1] == "flipped 3"


def test_figures_as_data():
    th = R.thresholds(0.5)
    fig = threshold_figure(th.logits, th.sigma, th.labels, cut=0.5, flipped=th.flipped, labels={
        "title": "T", "x": "x", "y": "y", "curve": "s", "label0": "0", "label1": "1", "flipped": "f"})
    assert [tr.name for tr in fig.data] == ["s", "0", "1", "f"]
    assert list(fig.data[3].x) == [0.1, 0.3, 0.45]
    assert [s.x0 for s in fig.layout.shapes[:2]] == [0.0, 0.5]
    run = R.training()
    fig = training_figure(run, epoch=100, best=8, labels={"title": "T", "x": "e", "loss": "L", "accuracy": "A",
                                                           "train": "tr", "val": "va"})
    assert list(fig.data[2].y) == run.val_loss and list(fig.data[3].y) == run.val_acc
    assert [s.x0 for s in fig.layout.shapes] == [8, 100]
    early, late = R.reliability(run, 8), R.reliability(run, 200)
    fig = reliability_figure(early, late, labels={"title": "T", "x": "c", "y": "a", "early": "e", "late": "l", "ideal": "i"})
    assert {tr.type for tr in fig.data} == {"scatter", "bar"}
    assert list(fig.data[3].y) == late.accuracy
    assert list(fig.data[3].text) == [str(n) for n in late.count] and sum(late.count) == 400
    fig = tilt_figure(R.tilt(3.0), labels={"title": "T", "x": "q", "y": "s", "calibrated": "c", "tilted": "t", "cross": "x"})
    assert fig.data[2].x[0] == pytest.approx(0.25) and fig.data[2].y[0] == 0.5
