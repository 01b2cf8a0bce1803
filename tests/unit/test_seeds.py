"""The seed examples, to the digit (seed-facts §5). Expected values are the literals measured
with torch 2.13 in /work/shared/seed-facts.md, re-checked against torch here.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lossviz.core import functional as F

PRED = np.array([0.8, 0.2, 0.4], dtype=np.float32)  # seed 002
LABEL = np.array([1.0, 0.0, 0.0], dtype=np.float32)
X3 = np.array([[0.4, 0.7, 1.2, 0.3], [1.1, 0.6, 0.9, 1.6]], dtype=np.float32)  # seed 003
Y3 = np.array([[1, 0, 1, 0], [0, 1, 1, 0]], dtype=np.float32)
SEED_002_BCE = 0.3190375864505768
SEED_002_CE = 0.7971159815788269
SEED_003_MEAN = 0.8354646563529968
SEED_003_NONE = np.array(
    [[0.51301527, 1.10318601, 0.26328245, 0.85435522], [1.38733530, 0.43748793, 0.34115389, 1.78390074]]
)


def test_seed_002_bce_is_exact():
    """Test that BCELoss([0.8, 0.2, 0.4], [1, 0, 0]) in float32 is exactly 0.3190375864505768, as torch."""
    value = F.binary_cross_entropy(PRED, LABEL)
    assert value.dtype == np.float32
    assert float(value) == SEED_002_BCE
    assert (
        float(torch.nn.functional.binary_cross_entropy(torch.from_numpy(PRED), torch.from_numpy(LABEL))) == SEED_002_BCE
    )


def test_seed_002_bce_is_mean_of_minus_logs():
    """Test that seed 002's BCE is mean(-log 0.8, -log 0.8, -log 0.6): three independent probabilities."""
    expected = -(2.0 * np.log(0.8) + np.log(0.6)) / 3.0
    value = F.binary_cross_entropy(PRED.astype(np.float64), LABEL.astype(np.float64))
    assert float(value) == pytest.approx(expected, rel=1e-7)  # PRED holds float32(0.8), not 0.8


def test_seed_002_cross_entropy_takes_soft_target_path_exactly():
    """Test that CrossEntropyLoss(pred, label) with equal shapes is exactly 0.7971159815788269 (soft-target path)."""
    value = F.cross_entropy(PRED, LABEL)
    assert value.dtype == np.float32
    assert float(value) == SEED_002_CE
    assert float(torch.nn.functional.cross_entropy(torch.from_numpy(PRED), torch.from_numpy(LABEL))) == SEED_002_CE


def test_seed_002_cross_entropy_equals_index_target_zero():
    """Test that the seed's CE equals CE(pred, class 0) = -log softmax(pred)[0]: pred is read as logits."""
    assert float(F.cross_entropy(PRED, np.array(0))) == SEED_002_CE
    assert float(torch.nn.functional.cross_entropy(torch.from_numpy(PRED), torch.tensor(0))) == SEED_002_CE
    np.testing.assert_allclose(F.softmax(PRED), [0.45063, 0.24731, 0.30206], atol=5e-6)
    assert float(F.logsumexp(PRED)) - 0.8 == pytest.approx(SEED_002_CE, abs=1e-6)


def test_seed_003_bce_with_logits_mean_is_exact():
    """Test that BCEWithLogitsLoss()(x, y) for seed 003 is exactly 0.8354646563529968 in float32."""
    value = F.binary_cross_entropy_with_logits(X3, Y3)
    assert value.dtype == np.float32
    assert float(value) == SEED_003_MEAN
    assert (
        float(torch.nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(X3), torch.from_numpy(Y3)))
        == SEED_003_MEAN
    )


def test_seed_003_naive_bce_from_logits_mean_is_exact():
    """Test that BCELoss()(sigmoid(x), y) for seed 003 is bit-identical to BCEWithLogits: 0.8354646563529968."""
    assert float(F.naive_bce_from_logits(X3, Y3)) == SEED_003_MEAN
    sig = torch.sigmoid(torch.from_numpy(X3))
    assert float(torch.nn.functional.binary_cross_entropy(sig, torch.from_numpy(Y3))) == SEED_003_MEAN


def test_seed_003_per_element_values():
    """Test seed 003's eight reduction="none" values: within rtol 1e-7 of the literals and 1 ulp of torch.

    Known limitation: lossviz rounds each element once from float64 (the correctly rounded
    value), while torch's float32 kernel rounds step by step. Element [0, 3] (x = 0.3, y = 0)
    comes out 1 ulp (np.spacing of float32) from torch's; the rest are bit-identical.
    """
    ours = F.binary_cross_entropy_with_logits(X3, Y3, reduction="none")
    np.testing.assert_allclose(ours, SEED_003_NONE, rtol=1e-7, atol=0)
    want = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.from_numpy(X3), torch.from_numpy(Y3), reduction="none"
    ).numpy()
    ulps = np.abs(ours.astype(np.float64) - want) / np.spacing(want)
    assert np.all(ulps <= 1.0)
    assert np.count_nonzero(ulps) <= 1


def test_seed_003_naive_per_element_values_match_torch_bitwise():
    """Test that the naive route's eight per-element values equal torch's BCELoss(sigmoid(x), y) bit for bit."""
    ours = F.naive_bce_from_logits(X3, Y3, reduction="none")
    sig = torch.sigmoid(torch.from_numpy(X3))
    want = torch.nn.functional.binary_cross_entropy(sig, torch.from_numpy(Y3), reduction="none").numpy()
    assert ours.tolist() == want.tolist()
