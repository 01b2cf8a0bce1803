"""Hypothesis invariants: random inputs agree with torch, and the identities the lessons teach hold."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lossviz.core import functional as F

SETTINGS = settings(max_examples=60, deadline=None)
F64 = np.float64

logit = st.floats(-30.0, 30.0, allow_nan=False, allow_infinity=False)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)


def _logits(shape, elements=logit):
    return hnp.arrays(F64, shape, elements=elements)


@st.composite
def logits_and_targets(draw, dtype=F64):
    """Logits of a random shape and same-shape targets in [0, 1] (hard or soft)."""
    shape = draw(shapes)
    x = draw(_logits(shape)).astype(dtype)
    y = draw(hnp.arrays(F64, shape, elements=st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0))).astype(dtype)
    return x, y


@st.composite
def ce_logits_and_index(draw):
    """(N, C) or (N, C, d) logits and index targets, some set to ignore_index -100."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    extra = draw(st.sampled_from([(), (3,)]))
    x = draw(_logits((n, c) + extra))
    t = draw(hnp.arrays(np.int64, (n,) + extra, elements=st.integers(0, c - 1) | st.just(-100)))
    return x, t


@SETTINGS
@given(data=logits_and_targets(), reduction=st.sampled_from(["none", "mean", "sum"]))
def test_random_bce_with_logits_agrees_with_torch(oracle, close, data, reduction):
    """Test that binary_cross_entropy_with_logits and its gradient agree with torch on random float64 logits."""
    x, y = data
    want_value, want_grad = oracle("binary_cross_entropy_with_logits", x, y, reduction=reduction)
    close(F.binary_cross_entropy_with_logits(x, y, reduction=reduction), want_value, F64)
    close(F.binary_cross_entropy_with_logits_grad(x, y, reduction=reduction), want_grad, F64)


@SETTINGS
@given(data=logits_and_targets(np.float32), reduction=st.sampled_from(["none", "mean", "sum"]))
def test_random_bce_with_logits_float32_agrees_with_torch(oracle, close, data, reduction):
    """Test that binary_cross_entropy_with_logits agrees with torch on random float32 logits (rtol=atol=1e-5)."""
    x, y = data
    want_value, want_grad = oracle("binary_cross_entropy_with_logits", x, y, reduction=reduction)
    close(F.binary_cross_entropy_with_logits(x, y, reduction=reduction), want_value, np.float32)
    close(F.binary_cross_entropy_with_logits_grad(x, y, reduction=reduction), want_grad, np.float32)


@SETTINGS
@given(data=logits_and_targets(), reduction=st.sampled_from(["none", "mean", "sum"]))
def test_random_bce_agrees_with_torch(oracle, close, data, reduction):
    """Test that binary_cross_entropy and its gradient agree with torch on random probabilities in (0, 1)."""
    x, y = data
    p = 1.0 / (1.0 + np.exp(-np.clip(x, -10.0, 10.0)))  # keep x(1-x) away from the 1e-12 grad clamp
    want_value, want_grad = oracle("binary_cross_entropy", p, y, reduction=reduction)
    close(F.binary_cross_entropy(p, y, reduction=reduction), want_value, F64)
    close(F.binary_cross_entropy_grad(p, y, reduction=reduction), want_grad, F64)


@SETTINGS
@given(
    data=ce_logits_and_index(),
    reduction=st.sampled_from(["none", "mean", "sum"]),
    label_smoothing=st.sampled_from([0.0, 0.05, 0.3]),
    weighted=st.booleans(),
)
def test_random_cross_entropy_agrees_with_torch(oracle, close, data, reduction, label_smoothing, weighted):
    """Test that cross_entropy and its gradient agree with torch on random logits, indices, weights and ε."""
    x, t = data
    weight = np.linspace(0.5, 2.0, x.shape[1]) if weighted else None
    kw = {"weight": weight, "reduction": reduction, "label_smoothing": label_smoothing}
    want_value, want_grad = oracle("cross_entropy", x, t, **kw)
    close(F.cross_entropy(x, t, **kw), want_value, F64)
    close(F.cross_entropy_grad(x, t, **kw), want_grad, F64)


@SETTINGS
@given(x=shapes.flatmap(lambda s: _logits(s, st.floats(-500.0, 500.0))))
def test_softmax_sums_to_one(x):
    """Test that softmax along the last dim sums to 1 and is non-negative, even for logits of ±500."""
    p = F.softmax(x, -1)
    assert np.all(p >= 0.0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=0.0, atol=8 * x.shape[-1] * np.finfo(F64).eps)


@SETTINGS
@given(data=ce_logits_and_index(), shift=st.floats(-100.0, 100.0))
def test_cross_entropy_unchanged_by_adding_a_constant_to_a_row(close, data, shift):
    """Test that adding one constant to every logit of a sample leaves cross_entropy unchanged."""
    x, t = data
    shifted = x + shift  # the same constant across the class dim of every sample
    close(
        F.cross_entropy(shifted, t, reduction="none"),
        F.cross_entropy(x, t, reduction="none"),
        F64,
    )


@SETTINGS
@given(data=logits_and_targets(), reduction=st.sampled_from(["none", "mean", "sum"]))
def test_bce_with_logits_equals_bce_of_sigmoid_where_unsaturated(close, data, reduction):
    """Test that BCEWithLogits(x, y) == BCE(sigmoid(x), y) for |x| <= 10, where float64 sigmoid keeps its digits."""
    x, y = data
    x = np.clip(x, -10.0, 10.0)
    stable = F.binary_cross_entropy_with_logits(x, y, reduction=reduction)
    naive = F.binary_cross_entropy(F.sigmoid(x), y, reduction=reduction)
    # 1 - σ(10) ≈ 4.5e-5 carries σ's rounding (1e-16) as a 2e-12 relative error into the log.
    np.testing.assert_allclose(naive, stable, rtol=1e-10, atol=1e-10)
    close(F.naive_bce_from_logits(x, y, reduction=reduction), naive, F64)


@SETTINGS
@given(
    a=hnp.arrays(F64, st.integers(1, 6), elements=logit),
    d=st.data(),
)
def test_two_class_cross_entropy_equals_bce_with_logits_of_difference(close, a, d):
    """Test that 2-class CE on logits (a, b) with target [1-y, y] equals BCEWithLogits(b - a, y)."""
    b = d.draw(hnp.arrays(F64, a.shape, elements=logit))
    y = d.draw(hnp.arrays(F64, a.shape, elements=st.floats(0.0, 1.0)))
    ce = F.cross_entropy(np.stack([a, b], axis=1), np.stack([1.0 - y, y], axis=1), reduction="none")
    close(ce, F.binary_cross_entropy_with_logits(b - a, y, reduction="none"), F64)
    hard = np.round(y).astype(np.int64)  # the index-target form of the same identity
    ce_index = F.cross_entropy(np.stack([a, b], axis=1), hard, reduction="none")
    close(ce_index, F.binary_cross_entropy_with_logits(b - a, hard.astype(F64), reduction="none"), F64)
