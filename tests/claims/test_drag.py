"""Claims of the drag-to-learn component's strings (lossviz/locales/*/drag.toml), computed with torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

D64 = torch.float64


@settings(max_examples=100, deadline=None)
@given(x=st.floats(-10, 10), y=st.floats(0, 1))
def test_bce_gradient_is_sigma_minus_y(x, y):
    """Test grad, loss_title, cells_hint and the y = 1 / y = 0 branches: the slope of BCEWithLogitsLoss(x, y) is σ(x) − y
    per element, and σ(x) is the probability given to y = 1 (loss −log σ(x) for y = 1)."""
    xt = torch.tensor(x, dtype=D64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(xt, torch.tensor(y, dtype=D64))
    (g,) = torch.autograd.grad(loss, xt)
    assert g.item() == pytest.approx(torch.sigmoid(xt).item() - y, abs=1e-15)
    one = F.binary_cross_entropy_with_logits(xt.detach(), torch.tensor(1.0, dtype=D64)).item()
    assert one == pytest.approx(-torch.log(torch.sigmoid(xt.detach())).item(), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(z=st.lists(st.floats(-8, 8), min_size=2, max_size=8), data=st.data())
def test_ce_gradient_is_softmax_minus_one_hot(z, data):
    """Test probs_title, ce_loss, ce_grad and p_true: CrossEntropyLoss(z, t) = −log softmax(z)[t] and its gradient w.r.t.
    the logits is softmax(z) − one-hot(t)."""
    t = data.draw(st.integers(0, len(z) - 1))
    zt = torch.tensor(z, dtype=D64, requires_grad=True)
    loss = F.cross_entropy(zt.unsqueeze(0), torch.tensor([t]))
    (g,) = torch.autograd.grad(loss, zt)
    p = torch.softmax(zt.detach(), 0)
    assert loss.item() == pytest.approx(-torch.log(p[t]).item(), rel=1e-12)
    torch.testing.assert_close(g, p - F.one_hot(torch.tensor(t), len(z)).double())
