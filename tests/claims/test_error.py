"""Claims of the error catalog (lossviz/locales/*/error.toml): each message says what torch does with the same input."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

X = torch.randn(3, 4, generator=torch.Generator().manual_seed(0))
IDX = torch.tensor([0, 1, 2])


def _raises(fn, kind=Exception, match=None):
    with pytest.raises(kind, match=match):
        fn()


def test_bad_reduction():
    """Test bad_reduction: torch knows none, mean and sum, and rejects another name such as "average"."""
    for r in ("none", "mean", "sum"):
        F.binary_cross_entropy_with_logits(X, torch.zeros(3, 4), reduction=r)
    _raises(lambda: F.binary_cross_entropy_with_logits(X, torch.zeros(3, 4), reduction="average"), ValueError, "not a valid value")


def test_bce_size_mismatch():
    """Test size_mismatch: both binary losses require a target of exactly the input's shape."""
    _raises(lambda: F.binary_cross_entropy_with_logits(torch.zeros(2), torch.zeros(1)), ValueError, "must be the same as input size")
    _raises(lambda: F.binary_cross_entropy(torch.full((2,), 0.5), torch.zeros(1)), ValueError, "different to the input size")


def test_bce_target_dtype():
    """Test target_dtype: an integer target is refused by both binary losses; target.float() works."""
    _raises(lambda: F.binary_cross_entropy_with_logits(torch.tensor([0.5]), torch.tensor([1])), RuntimeError)
    _raises(lambda: F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1])), RuntimeError)
    F.binary_cross_entropy_with_logits(torch.tensor([0.5]), torch.tensor([1]).float())


def test_bce_input_and_target_range():
    """Test input_range and target_range: BCELoss raises for an input outside [0, 1] or NaN, and for a target outside
    [0, 1]; BCEWithLogitsLoss accepts such a target and can go negative."""
    for bad in (1.5, -0.1, float("nan")):
        _raises(lambda b=bad: F.binary_cross_entropy(torch.tensor([b]), torch.tensor([1.0])), RuntimeError,
                "all elements of input should be between 0 and 1")
    _raises(lambda: F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1.5])), RuntimeError,
            "all elements of target should be between 0 and 1")
    assert F.binary_cross_entropy_with_logits(torch.tensor([0.5]), torch.tensor([2.0])).item() < 0


def test_weight_broadcasts_from_the_right_or_fails():
    """Test broadcast and pos_weight_shape: weights must match the target from the right or be 1; (C, 1, 1) fits
    (N, C, H, W) where (C,) does not."""
    _raises(lambda: F.binary_cross_entropy_with_logits(X, torch.zeros(3, 4), weight=torch.ones(3)), RuntimeError, "must match")
    F.binary_cross_entropy_with_logits(X, torch.zeros(3, 4), weight=torch.ones(3, 1))
    x4 = torch.zeros(2, 3, 5, 5)
    _raises(lambda: F.binary_cross_entropy_with_logits(x4, x4, pos_weight=torch.ones(3)), RuntimeError)
    F.binary_cross_entropy_with_logits(x4, x4, pos_weight=torch.ones(3, 1, 1))


def test_cross_entropy_errors():
    """Test the CrossEntropyLoss messages: no class dimension, a class weight of the wrong length, an integer target of
    the input's shape, ignore_index with probabilities, a float index target, different batch sizes, a misplaced class
    dimension, an index out of range (−1 included); label_smoothing above 1 raises (ce_*, smoothing_range)."""
    _raises(lambda: F.cross_entropy(torch.tensor(1.0), torch.tensor(0.0)), IndexError, "no dimensions")
    _raises(lambda: F.cross_entropy(X, IDX, weight=torch.ones(3)), RuntimeError, "weight tensor should be defined")
    _raises(lambda: F.cross_entropy(X, torch.zeros(3, 4, dtype=torch.long)), RuntimeError, "Expected floating point type for target")
    _raises(lambda: F.cross_entropy(X, torch.softmax(X, 1), ignore_index=0), RuntimeError, "ignore_index is not supported")
    _raises(lambda: F.cross_entropy(X, IDX.float()), RuntimeError, "expected target dtype to be Long or Byte")
    F.cross_entropy(X, IDX.to(torch.uint8))
    _raises(lambda: F.cross_entropy(X, IDX[:2]), ValueError, "batch_size")
    _raises(lambda: F.cross_entropy(torch.randn(2, 5, 4), torch.zeros(2, 5, dtype=torch.long)), RuntimeError, "Expected target size")
    for bad in (4, 5, -1):
        _raises(lambda b=bad: F.cross_entropy(X, torch.tensor([0, 1, b])), IndexError, "out of bounds")
    F.cross_entropy(X, torch.tensor([0, 1, -100]))  # ignore_index
    _raises(lambda: F.cross_entropy(X, IDX, label_smoothing=1.5), RuntimeError, "label_smoothing must be between 0.0 and 1.0")
    F.cross_entropy(X, IDX, label_smoothing=1.0)


def test_nll_1d_target_and_kl_errors():
    """Test nll_scalar_input, target_1d_size, grad_1d_target, kl_integral and kl_shape: NLLLoss needs a dimension; a 1-D
    input takes a target of shape () or (1,), not 2 targets; the forward accepts (1,) but its backward raises while a
    0-d target works; kl_div refuses integer tensors and shapes that do not broadcast from the right."""
    _raises(lambda: F.nll_loss(torch.tensor(1.0), torch.tensor(0)), ValueError, "1 or more dimensions")
    x = torch.randn(4, requires_grad=True, generator=torch.Generator().manual_seed(1))
    _raises(lambda: F.cross_entropy(x, torch.tensor([1, 2])), ValueError, "1D target must have size 1")
    loss = F.cross_entropy(x, torch.tensor([1]))
    _raises(lambda: loss.backward(), RuntimeError, "size mismatch")
    F.cross_entropy(x, torch.tensor(1)).backward()
    _raises(lambda: F.kl_div(torch.tensor([1, 2]), torch.tensor([1, 2]), reduction="batchmean"), RuntimeError, "Integral inputs")
    _raises(lambda: F.kl_div(torch.randn(3), torch.rand(2), reduction="batchmean"), RuntimeError, "must match")
    F.kl_div(torch.randn(2, 3), torch.rand(3), reduction="batchmean")
