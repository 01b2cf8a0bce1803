"""Claims of the Start page (catalog start, prose start_intro), computed with torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.claims._torch_facts import both

D64 = torch.float64


@settings(max_examples=100, deadline=None)
@given(x=st.floats(-10, 10))
def test_demo_losses_and_gradients(x):
    """Test demo_intro and loss_summary: BCE charges −log σ(x) for y = 1 and −log(1 − σ(x)) for y = 0, with gradient
    σ(x) − y; the label-1 tangent's slope is σ(x) − 1."""
    xt = torch.tensor(x, dtype=D64, requires_grad=True)
    s = torch.sigmoid(xt.detach()).item()
    for y, expect in ((1.0, -torch.log(torch.sigmoid(xt.detach()))), (0.0, -torch.log1p(-torch.sigmoid(xt.detach())))):
        loss = F.binary_cross_entropy_with_logits(xt, torch.tensor(y, dtype=D64))
        (g,) = torch.autograd.grad(loss, xt)
        assert loss.item() == pytest.approx(expect.item(), rel=1e-9, abs=1e-12)
        assert g.item() == pytest.approx(s - y, abs=1e-15)


def test_sigmoid_runs_from_0_through_half_to_1():
    """Test sig_summary: σ is 0.5 at x = 0, increasing, near 0 for very negative and near 1 for very positive x."""
    x = torch.linspace(-30, 30, 601, dtype=D64)
    s = torch.sigmoid(x)
    assert (s[1:] > s[:-1]).all() and s[0].item() < 1e-12 and 1 - s[-1].item() < 1e-12
    assert torch.sigmoid(torch.tensor(0.0)).item() == 0.5
    for s in both("start.sig_summary"):
        assert "0.5" in s
