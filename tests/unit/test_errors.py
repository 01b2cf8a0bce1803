"""Bad input raises the same KIND of error torch raises (ValueError / RuntimeError / IndexError).

Each case is run through real torch first: the test fails if torch stops raising, so the
table cannot drift from torch's behaviour. Our error must also carry a ``code`` and a message.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lossviz.core import functional as F
from lossviz.core.errors import LossVizError

KINDS = (IndexError, ValueError, RuntimeError)  # IndexError first: it is the most specific here


def _t(a):
    return torch.from_numpy(np.array(a, copy=True))


def _torch_call(name, input, target, kw):
    kw = {k: _t(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    x = _t(input).requires_grad_(True)
    out = getattr(torch.nn.functional, name)(x, _t(target), **kw)
    torch.autograd.grad(out.sum(), x)


def _kind(exc: BaseException) -> type:
    return next(k for k in KINDS if isinstance(exc, k))


P = np.full((2, 3), 0.5)  # probabilities
Y = np.ones((2, 3))
X4 = np.zeros((2, 3, 4, 5))  # NCHW logits with C = 3 != W = 5

CASES = {
    "bce_input_above_1": ("binary_cross_entropy", np.array([0.5, 1.5]), np.array([1.0, 0.0]), {}),
    "bce_input_below_0": ("binary_cross_entropy", np.array([-0.1, 0.5]), np.array([1.0, 0.0]), {}),
    "bce_input_nan": ("binary_cross_entropy", np.array([np.nan, 0.5]), np.array([1.0, 0.0]), {}),
    "bce_target_above_1": ("binary_cross_entropy", np.array([0.5, 0.5]), np.array([2.0, 0.0]), {}),
    "bce_target_below_0": ("binary_cross_entropy", np.array([0.5, 0.5]), np.array([-1.0, 0.0]), {}),
    "bce_size_mismatch": ("binary_cross_entropy", np.array([0.5, 0.5]), np.array([[1.0, 0.0]]), {}),
    "bce_long_target": ("binary_cross_entropy", np.array([0.5, 0.5]), np.array([1, 0]), {}),
    "bce_weight_does_not_broadcast": ("binary_cross_entropy", P, Y, {"weight": np.ones(4)}),
    "bce_bad_reduction": ("binary_cross_entropy", P, Y, {"reduction": "avg"}),
    "bcel_size_mismatch": ("binary_cross_entropy_with_logits", np.zeros(2), np.ones(1), {}),
    "bcel_bad_reduction": ("binary_cross_entropy_with_logits", P, Y, {"reduction": "Mean"}),
    "bcel_pos_weight_c_on_nchw": (
        "binary_cross_entropy_with_logits",
        X4,
        np.zeros_like(X4),
        {"pos_weight": np.ones(3)},
    ),
    "bcel_weight_does_not_broadcast": ("binary_cross_entropy_with_logits", P, Y, {"weight": np.ones(2)}),
    "ce_bad_reduction": ("cross_entropy", np.zeros((2, 3)), np.array([0, 1]), {"reduction": "avg"}),
    "ce_index_out_of_range": ("cross_entropy", np.zeros((2, 3)), np.array([0, 3]), {}),
    "ce_negative_index": ("cross_entropy", np.zeros((2, 3)), np.array([0, -1]), {}),
    "ce_float_index_target_wrong_shape": ("cross_entropy", np.zeros((3, 5)), np.array([0.0, 1.0, 2.0]), {}),
    "ce_batch_mismatch": ("cross_entropy", np.zeros((3, 5)), np.array([0, 1, 2, 3]), {}),
    "ce_kdim_target_size_mismatch": ("cross_entropy", X4, np.zeros((2, 4, 4), dtype=np.int64), {}),
    "ce_channels_last": ("cross_entropy", np.zeros((2, 4, 3)), np.zeros((2, 4), dtype=np.int64), {}),
    "ce_label_smoothing_1_5": ("cross_entropy", np.zeros((2, 3)), np.array([0, 1]), {"label_smoothing": 1.5}),
    "ce_prob_label_smoothing_1_5": (
        "cross_entropy",
        np.zeros((2, 3)),
        np.full((2, 3), 1 / 3),
        {"label_smoothing": 1.5},
    ),
    "ce_weight_wrong_length": ("cross_entropy", np.zeros((2, 3)), np.array([0, 1]), {"weight": np.ones(4)}),
    "ce_prob_target_long": ("cross_entropy", np.zeros((2, 3)), np.zeros((2, 3), dtype=np.int64), {}),
    "ce_prob_target_with_ignore_index": (
        "cross_entropy",
        np.zeros((2, 3)),
        np.full((2, 3), 1 / 3),
        {"ignore_index": 1},
    ),
    "ce_scalar_input": ("cross_entropy", np.array(1.0), np.array([0]), {}),
    "ce_1d_input_2d_target": ("cross_entropy", np.zeros(3), np.array([[1]]), {}),
    "ce_1d_input_batch_target": ("cross_entropy", np.zeros(3), np.array([0, 1]), {}),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_raises_the_same_kind_of_error_as_torch(case):
    """Test that lossviz raises the same kind of error as torch, with a code and a message."""
    name, input, target, kw = CASES[case]
    with pytest.raises(KINDS) as torch_error:
        _torch_call(name, input, target, kw)
    kind = _kind(torch_error.value)
    for fn in (getattr(F, name), getattr(F, name + "_grad")):
        with pytest.raises(KINDS) as ours:
            fn(input, target, **kw)
        assert _kind(ours.value) is kind, f"{fn.__name__}: torch {kind.__name__}, ours {type(ours.value).__name__}"
        assert isinstance(ours.value, LossVizError)
        assert isinstance(ours.value.code, str) and ours.value.code
        assert str(ours.value)


def test_bce_input_out_of_range_message_is_torchs():
    """Test that the BCE domain error carries torch's own message."""
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1") as ours:
        F.binary_cross_entropy(np.array([1.5]), np.array([1.0]))
    assert ours.value.code == "input_range"


def test_ce_index_error_names_the_bad_target():
    """Test that the out-of-range class error says which index, as torch's 'Target 3 is out of bounds.'"""
    with pytest.raises(IndexError, match="Target 3 is out of bounds") as ours:
        F.cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    assert ours.value.params == {"target": 3, "classes": 3}


def test_bce_with_logits_does_not_validate_targets():
    """Test that BCEWithLogits, unlike BCELoss, accepts targets outside [0, 1] without raising (as torch)."""
    x, y = np.array([0.5, 0.3]), np.array([2.0, -1.0])
    torch.nn.functional.binary_cross_entropy_with_logits(_t(x), _t(y))
    assert np.isfinite(F.binary_cross_entropy_with_logits(x, y))


def test_deprecated_elementwise_mean_alias_is_rejected():
    """Test the documented difference: torch warns and maps "elementwise_mean" to "mean"; lossviz raises ValueError."""
    x, y = np.array([0.5]), np.array([1.0])
    with pytest.warns(UserWarning):
        torch.nn.functional.binary_cross_entropy_with_logits(_t(x), _t(y), reduction="elementwise_mean")
    with pytest.raises(ValueError) as ours:
        F.binary_cross_entropy_with_logits(x, y, reduction="elementwise_mean")
    assert ours.value.code == "bad_reduction"
