"""nll_loss, kl_div and log_softmax_grad against ``torch.nn.functional`` + ``torch.autograd.grad``.

Same oracle and dtype-derived tolerances as ``test_functional_vs_torch`` (conftest), same helpers.
Grid: NLL over reductions × weight × ignore_index (none / some / custom / all) × shapes (1-D, 2-D,
3-D, 4-D, 5-D: torch checks and computes each rank on its own path) × float32/float64, plus
float16/bfloat16; KL over reductions (incl. batchmean) × log_target × shapes × broadcasting × dtypes,
targets with zeros throughout. Errors: torch's own exception type AND message.
"""

from __future__ import annotations

import itertools
import warnings

import ml_dtypes
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_functional_vs_torch import _check, _ignored_targets, _rng

from lossviz.core import functional as F
from lossviz.core import torch_ref
from lossviz.core.divergence import KL_MEAN_WARNING
from lossviz.core.errors import LossVizError
from lossviz.text.i18n import LANGS, translate

MEAN_WARNING = "ignore:reduction. 'mean' divides the total loss:UserWarning"
REDUCTIONS = ("none", "mean", "sum")
SHAPES = {"1d": (5,), "2d": (4, 3), "3d": (2, 3, 4), "4d": (2, 3, 4, 5), "5d": (2, 3, 2, 2, 2)}
DTYPES = (np.float32, np.float64)
HALF = (np.float16, ml_dtypes.bfloat16)
IGNORE = ("none", "some", "custom", "all")  # -100 unused / some -100 / ignore_index=1 / all -100


# ------------------------------------------------------------------ NLLLoss ----


def _nll_inputs(rng, shape: str, ignore: str, dtype):
    """log_softmax of random logits (rounded to ``dtype``), index targets; returns (x, t, ignore_index)."""
    size = SHAPES[shape]
    class_dim = 0 if len(size) == 1 else 1
    x = F.log_softmax(rng.standard_normal(size) * 3.0, class_dim).astype(dtype)
    t = rng.integers(0, size[class_dim], size=size[:class_dim] + size[class_dim + 1 :])
    t, ignore_index = _ignored_targets(t, ignore)
    return x, t, ignore_index


def _nll_cases():
    for reduction, weight, ignore, shape, dtype in itertools.product(REDUCTIONS, (None, "class"), IGNORE, SHAPES, DTYPES):
        if shape == "1d" and ignore in ("some", "custom"):
            continue  # a 1-D input has a single 0-d target: all or nothing
        yield reduction, weight, ignore, shape, dtype


@pytest.mark.parametrize(("reduction", "weight", "ignore", "shape", "dtype"), list(_nll_cases()))
def test_nll_loss_matches_torch(oracle, close, reduction, weight, ignore, shape, dtype):
    """Test that nll_loss and its gradient match torch over reductions, weights, ignore_index and ranks."""
    rng = _rng("nll", reduction, weight, ignore, shape, np.dtype(dtype).name)
    x, t, ignore_index = _nll_inputs(rng, shape, ignore, dtype)
    w = None if weight is None else rng.uniform(0.2, 3.0, size=x.shape[0 if x.ndim == 1 else 1])
    _check(oracle, close, "nll_loss", x, t, dtype, weight=w, ignore_index=ignore_index, reduction=reduction)


@pytest.mark.parametrize("dtype", HALF, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", ("2d", "4d"))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_half_matches_torch(oracle, close, dtype, shape, reduction):
    """Test that nll_loss matches torch in float16 and bfloat16, weighted, with some targets ignored."""
    rng = _rng("nll-half", np.dtype(dtype).name, shape, reduction)
    x, t, ignore_index = _nll_inputs(rng, shape, "some", dtype)
    w = rng.uniform(0.5, 2.0, size=x.shape[1])
    _check(oracle, close, "nll_loss", x, t, dtype, weight=w, ignore_index=ignore_index, reduction=reduction)


@pytest.mark.parametrize("dtype", (np.float16, ml_dtypes.bfloat16, np.float32), ids=lambda d: np.dtype(d).name)
def test_nll_loss_sums_in_the_input_dtype_as_torchs_kernel(oracle, dtype):
    """Test that nll_loss's sum over 200 targets is torch's own number, bit for bit: torch's kernel adds in the
    input's dtype (float16 too), cascading partial sums every 16 elements, and so does nll_loss."""
    rng = _rng("nll-cascade", np.dtype(dtype).name)
    x = F.log_softmax(rng.standard_normal((200, 4)) * 3.0, 1).astype(dtype)
    t = rng.integers(0, 4, size=200)
    t[::7] = -100
    w = rng.uniform(0.2, 3.0, size=4)
    for reduction in ("sum", "mean"):
        want_value, want_grad = oracle("nll_loss", x, t, weight=w, reduction=reduction)
        assert F.nll_loss(x, t, weight=w, reduction=reduction).tolist() == want_value.tolist()
        assert F.nll_loss_grad(x, t, weight=w, reduction=reduction).tolist() == want_grad.tolist()


def test_nll_loss_all_ignored_mean_is_nan_sum_is_zero(oracle):
    """Test that with every target ignored the mean is NaN and the sum 0, with a zero gradient (pytorch issue 70348)."""
    x, t = np.log(np.full((3, 4), 0.25)), np.full(3, -100)
    assert np.isnan(F.nll_loss(x, t)) and np.isnan(oracle("nll_loss", x, t)[0])
    assert float(F.nll_loss(x, t, reduction="sum")) == 0.0 == float(oracle("nll_loss", x, t, reduction="sum")[0])
    assert not F.nll_loss_grad(x, t).any() and not oracle("nll_loss", x, t)[1].any()


def test_nll_loss_zero_weights_give_nan_mean_and_nan_gradient(oracle, close):
    """Test that when every present class weighs 0 the weighted mean is 0/0 = NaN, and its gradient 0·inf = NaN."""
    x, t, w = np.log(np.full((2, 3), 1 / 3)), np.array([0, 0]), np.array([0.0, 1.0, 1.0])
    _check(oracle, close, "nll_loss", x, t, np.float64, weight=w)
    assert np.isnan(F.nll_loss(x, t, weight=w)) and np.isnan(F.nll_loss_grad(x, t, weight=w)[:, 0]).all()


def test_nll_loss_1d_input_with_a_1_element_target_runs_forward_only(oracle):
    """Test torch's quirk: a (1,) target for 1-D input passes the forward (a 0-d loss) but autograd raises."""
    x, t = np.log(np.array([0.2, 0.3, 0.5])), np.array([2])
    want = torch.nn.functional.nll_loss(torch.from_numpy(x), torch.from_numpy(t), reduction="none")
    assert F.nll_loss(x, t, reduction="none").shape == tuple(want.shape) == ()
    assert float(F.nll_loss(x, t)) == want.item()
    with pytest.raises(RuntimeError) as torch_error:
        oracle("nll_loss", x, t)
    with pytest.raises(RuntimeError) as ours:
        F.nll_loss_grad(x, t)
    assert str(ours.value) == str(torch_error.value)


def test_nll_loss_of_probabilities_runs_silently_and_is_wrong():
    """Test the softmax-then-NLL mistake: nll_loss does not check that its input is log-probabilities (as torch):
    probabilities give -p[y], a negative "loss", where cross_entropy gives -log p[y]."""
    logits, y = np.array([[2.0, 0.5, -1.0]]), np.array([0])
    p = F.softmax(logits, 1)
    wrong = F.nll_loss(p, y)
    want = torch.nn.functional.nll_loss(torch.from_numpy(p), torch.from_numpy(y))
    assert float(wrong) == pytest.approx(-p[0, 0]) and float(wrong) == pytest.approx(want.item(), rel=1e-15)
    assert float(F.nll_loss(F.log_softmax(logits, 1), y)) == pytest.approx(float(F.cross_entropy(logits, y)), rel=1e-15)


# ---------------------------------------------------------------- KLDivLoss ----

KL_REDUCTIONS = ("none", "batchmean", "sum", "mean")
KL_SHAPES = {"1d": (5,), "2d": (4, 3), "4d": (2, 3, 4, 5)}


def _kl_inputs(rng, shape, log_target: bool, dtype):
    """Log-probabilities q and a target p with zeros in it (log p for ``log_target``, where p > 0)."""
    size = KL_SHAPES[shape] if isinstance(shape, str) else shape
    q = F.log_softmax(rng.standard_normal(size) * 2.0, -1).astype(dtype)
    p = F.softmax(rng.standard_normal(size) * 2.0, -1)
    if log_target:
        return q, F.log_softmax(np.log(p), -1).astype(dtype)
    p.flat[::3] = 0.0  # zero targets: xlogy(0, 0) = 0
    return q, p.astype(dtype)


@pytest.mark.filterwarnings(MEAN_WARNING)
@pytest.mark.parametrize("dtype", DTYPES + HALF, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", KL_SHAPES)
@pytest.mark.parametrize("log_target", (False, True))
@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
def test_kl_div_matches_torch(oracle, close, reduction, log_target, shape, dtype):
    """Test that kl_div and its gradient match torch over reductions (batchmean too), log_target, shapes, dtypes."""
    rng = _rng("kl", reduction, log_target, shape, np.dtype(dtype).name)
    q, p = _kl_inputs(rng, shape, log_target, dtype)
    _check(oracle, close, "kl_div", q, p, dtype, reduction=reduction, log_target=log_target)


BROADCAST = {"target_row": ((4, 3), (3,)), "input_row": ((3,), (4, 3)), "column": ((4, 1), (4, 3)), "outer": ((4, 1), (1, 3))}


@pytest.mark.filterwarnings(MEAN_WARNING)
@pytest.mark.parametrize("log_target", (False, True))
@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
@pytest.mark.parametrize("shapes", BROADCAST)
def test_kl_div_broadcasts_like_torch(oracle, close, shapes, reduction, log_target):
    """Test that input and target broadcast as in torch: "mean" divides by the broadcast numel, "batchmean" by
    input.size(0) (not the broadcast's), and the gradient is summed back to the input's shape."""
    in_shape, t_shape = BROADCAST[shapes]
    rng = _rng("kl-broadcast", shapes, reduction, log_target)
    q = rng.standard_normal(in_shape) - 1.0
    p = rng.uniform(0.0, 1.0, t_shape)
    _check(oracle, close, "kl_div", q, np.log(p) if log_target else p, np.float64, reduction=reduction, log_target=log_target)


EDGES = {  # (q, p, log_target): the points where xlogy and 0·inf decide
    "zero_target": ([-1.0, -0.5], [0.0, 1.0], False),
    "zero_target_at_minus_inf_input": ([-np.inf, 0.0], [0.0, 1.0], False),
    "nan_input_zero_target": ([np.nan, 0.0], [0.0, 1.0], False),
    "negative_target": ([-1.0, -1.0], [-0.5, 1.5], False),
    "log_target_minus_inf": ([-1.0, 0.0], [-np.inf, 0.0], True),
    "log_target_both_minus_inf": ([-np.inf, 0.0], [-np.inf, 0.0], True),
}


@pytest.mark.parametrize("reduction", ("none", "sum"))
@pytest.mark.parametrize("case", EDGES)
def test_kl_div_edge_points_match_torch(oracle, close, case, reduction):
    """Test kl_div where p = 0 (xlogy: 0), log q = -inf, NaN, p < 0 and log p = -inf (0·inf = NaN) against torch."""
    q, p, log_target = EDGES[case]
    _check(oracle, close, "kl_div", np.array(q), np.array(p), np.float64, reduction=reduction, log_target=log_target)


def test_kl_div_log_target_of_a_zero_probability_is_nan_not_zero():
    """Test torch's asymmetry: p = 0 contributes 0 with log_target=False, but the same target given as
    log p = -inf with log_target=True gives exp(-inf)·(-inf - log q) = 0·(-inf) = NaN."""
    q = np.log(np.array([0.5, 0.5]))
    assert float(F.kl_div(q, np.array([0.0, 1.0]), reduction="sum")) == pytest.approx(np.log(2.0))
    assert np.isnan(F.kl_div(q, np.array([-np.inf, 0.0]), reduction="sum", log_target=True))


def test_kl_div_mean_warns_like_torch_and_is_batchmean_over_classes():
    """Test the classic trap: "mean" divides by numel = N·C, so it is batchmean / C, and both torch and kl_div warn
    with the same words; "batchmean" is the KL divergence per sample and does not warn."""
    rng = _rng("kl-trap")
    q, p = _kl_inputs(rng, "2d", False, np.float64)
    with pytest.warns(UserWarning) as torch_warning:
        torch.nn.functional.kl_div(torch.from_numpy(q), torch.from_numpy(p))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size") as ours:
        mean = F.kl_div(q, p)
    assert str(ours[0].message) == str(torch_warning[0].message) == KL_MEAN_WARNING
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batchmean = F.kl_div(q, p, reduction="batchmean")
    assert float(mean) == pytest.approx(float(batchmean) / q.shape[1], rel=1e-15)


@pytest.mark.parametrize(
    ("shape", "reduction"), [((), "batchmean"), ((0, 3), "batchmean"), ((0, 3), "mean"), ((0, 3), "sum")]
)
@pytest.mark.filterwarnings(MEAN_WARNING)
def test_kl_div_scalar_and_empty_inputs_match_torch(oracle, close, shape, reduction):
    """Test that batchmean of a 0-d input is the sum (no size(0) to divide by) and an empty batch gives NaN (0/0)."""
    q, p = np.full(shape, -0.7), np.full(shape, 0.4)
    _check(oracle, close, "kl_div", q, p, np.float64, reduction=reduction)


# ------------------------------------------------------------- log_softmax ----


@pytest.mark.parametrize("dtype", DTYPES + HALF, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("dim", (0, 1, -1))
def test_log_softmax_grad_matches_torch(oracle, close, dim, dtype):
    """Test that log_softmax_grad(x, g, dim) is autograd's vector-Jacobian product of log_softmax, in every dtype."""
    rng = _rng("lsm-grad", dim, np.dtype(dtype).name)
    x = (rng.standard_normal((3, 4, 5)) * 4.0).astype(dtype)
    g = rng.standard_normal((3, 4, 5)).astype(dtype)
    xt = oracle.tensor(x, requires_grad=True)
    (want,) = torch.autograd.grad(torch.log_softmax(xt, dim), xt, grad_outputs=oracle.tensor(g))
    got = F.log_softmax_grad(x, g, dim)
    assert got.dtype == np.dtype(dtype)
    close(got, oracle.array(want, x.dtype), dtype, what="log_softmax_grad")


# ------------------------------------------------------------------- errors ----

X4 = np.zeros((2, 3, 4, 5))
LONG = np.int64
ERRORS = {
    "nll_scalar_input": ("nll_loss", np.array(0.5), np.array(0), {}),
    "nll_batch_mismatch": ("nll_loss", np.zeros((3, 4)), np.array([0, 1]), {}),
    "nll_0d_target_for_2d_input": ("nll_loss", np.zeros((3, 4)), np.array(0), {}),
    "nll_float_target": ("nll_loss", np.zeros((3, 4)), np.array([0.0, 1.0, 2.0]), {}),
    "nll_int32_target": ("nll_loss", np.zeros((3, 4)), np.array([0, 1, 2], np.int32), {}),
    "nll_bool_target": ("nll_loss", np.zeros((3, 4)), np.array([True, False, True]), {}),
    "nll_multi_target": ("nll_loss", np.zeros((3, 4)), np.zeros((3, 4), LONG), {}),
    "nll_1d_input_2_targets": ("nll_loss", np.zeros(3), np.array([1, 2]), {}),
    "nll_1d_input_2d_target": ("nll_loss", np.zeros(3), np.array([[1]]), {}),
    "nll_weight_length": ("nll_loss", np.zeros((3, 4)), np.array([0, 1, 2]), {"weight": np.ones(5)}),
    "nll_weight_2d": ("nll_loss", np.zeros((3, 4)), np.array([0, 1, 2]), {"weight": np.ones((2, 2))}),
    "nll_3d_target_size": ("nll_loss", np.zeros((2, 4, 3)), np.zeros((2, 4), LONG), {}),
    "nll_3d_weight": ("nll_loss", np.zeros((2, 3, 4)), np.zeros((2, 4), LONG), {"weight": np.ones(4)}),
    "nll_4d_target_rank": ("nll_loss", X4, np.zeros((2, 4), LONG), {}),
    "nll_4d_size_mismatch": ("nll_loss", X4, np.zeros((2, 4, 4), LONG), {}),
    "nll_4d_float_target": ("nll_loss", X4, np.zeros((2, 4, 4)), {}),
    "nll_4d_weight": ("nll_loss", X4, np.zeros((2, 4, 4), LONG), {"weight": np.ones(4)}),
    "nll_5d_target_size": ("nll_loss", np.zeros((2, 3, 4, 5, 6)), np.zeros((2, 4, 5, 7), LONG), {}),
    "nll_index_out_of_range": ("nll_loss", np.zeros((3, 4)), np.array([0, 1, 4]), {}),
    "nll_negative_index": ("nll_loss", np.zeros((2, 3, 4)), np.zeros((2, 4), LONG) - 1, {}),
    "nll_bad_reduction": ("nll_loss", np.zeros((3, 4)), np.array([0, 1, 2]), {"reduction": "avg"}),
    "ce_4d_size_mismatch": ("cross_entropy", X4, np.zeros((2, 4, 4), LONG), {}),
    "ce_4d_target_rank": ("cross_entropy", X4, np.zeros((2, 4, 5, 3), LONG), {}),
    "ce_1d_input_2_targets": ("cross_entropy", np.zeros(3), np.array([1, 2]), {}),
    "ce_0d_target_for_2d_input": ("cross_entropy", np.zeros((3, 4)), np.array(0), {}),
    "ce_float64_index_target": ("cross_entropy", np.zeros((3, 4)), np.array([0.0, 1.0, 2.0]), {}),
    "ce_prob_weight_2d": ("cross_entropy", np.zeros((2, 3)), np.full((2, 3), 1 / 3), {"weight": np.ones((1, 3))}),
    "kl_bad_reduction": ("kl_div", np.zeros((2, 3)), np.zeros((2, 3)), {"reduction": "avg"}),
    "kl_integer_target": ("kl_div", np.zeros((2, 3)), np.zeros((2, 3), LONG), {"reduction": "sum"}),
    "kl_integer_input": ("kl_div", np.zeros((2, 3), LONG), np.zeros((2, 3)), {"reduction": "sum"}),
    "kl_no_broadcast": ("kl_div", np.zeros((2, 3)), np.zeros((2, 2)), {"reduction": "sum"}),
    "kl_no_broadcast_log_target": ("kl_div", np.zeros((2, 3)), np.zeros((4, 3, 2)), {"log_target": True, "reduction": "sum"}),
}


@pytest.mark.parametrize("case", ERRORS)
def test_bad_input_raises_torchs_error_and_message(case):
    """Test that nll_loss / kl_div (and cross_entropy on the checks they share) raise torch's exception type with
    torch's message, word for word, from the loss and from its gradient, and a code every catalog explains."""
    name, input, target, kw = ERRORS[case]
    x = torch.from_numpy(np.array(input, copy=True))
    if x.is_floating_point():
        x.requires_grad_(True)
    with pytest.raises((IndexError, ValueError, RuntimeError)) as torch_error:
        out = getattr(torch.nn.functional, name)(x, torch.from_numpy(np.array(target, copy=True)), **{
            k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()
        })
        torch.autograd.grad(out.sum(), x)
    kind = type(torch_error.value)
    for fn in (getattr(F, name), getattr(F, name + "_grad")):
        with pytest.raises(LossVizError) as ours:
            fn(input, target, **kw)
        assert isinstance(ours.value, kind), (fn.__name__, type(ours.value).__mro__, kind)
        assert str(ours.value) == str(torch_error.value), fn.__name__
        for lang in LANGS:  # the page explains it in the learner's language: error.<code> with these params
            assert translate(lang, f"error.{ours.value.code}", **ours.value.params) != f"error.{ours.value.code}"


# -------------------------------------------------------------- torch_ref ----


@pytest.mark.filterwarnings(MEAN_WARNING)
@pytest.mark.parametrize(
    ("name", "kw"),
    [("nll_loss", {"weight": [1.0, 2.0, 0.5], "ignore_index": 1}), ("kl_div", {"reduction": "batchmean"}), ("kl_div", {})],
)
def test_torch_ref_runs_nll_and_kl_like_torch(oracle, name, kw):
    """Test that the live check (lossviz.core.torch_ref) knows the new losses and agrees with them."""
    assert name in torch_ref.LOSSES
    x = F.log_softmax(np.array([[0.3, -1.0, 2.0], [1.0, 0.0, -2.0]]), 1)
    y = np.array([2, 1]) if name == "nll_loss" else np.array([[0.2, 0.0, 0.8], [0.5, 0.5, 0.0]])
    ref = torch_ref.reference(name, x, y, **kw)
    want_value, want_grad = oracle(name, x, y, **kw)
    assert ref.value.tolist() == want_value.tolist() and ref.grad.tolist() == want_grad.tolist()
    assert torch_ref.agrees(ref, torch_ref.ours(name, x, y, **kw))


# --------------------------------------------------------------- properties ----

SETTINGS = settings(max_examples=60, deadline=None)
logit = st.floats(-30.0, 30.0, allow_nan=False, allow_infinity=False)


@st.composite
def logits_and_distribution(draw):
    """(N, C) logits and a target distribution per row, with exact zeros allowed."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 6))
    x = draw(hnp.arrays(np.float64, (n, c), elements=logit))
    raw = draw(hnp.arrays(np.float64, (n, c), elements=st.just(0.0) | st.floats(1e-3, 1.0)))
    raw[:, 0] += 1e-3  # at least one positive entry per row
    return x, raw / raw.sum(axis=1, keepdims=True)


@SETTINGS
@given(data=logits_and_distribution())
def test_kl_div_is_gibbs_nonnegative_and_zero_only_at_the_target(data):
    """Test that KL(p ‖ softmax(x)) = kl_div(log_softmax(x), p, "sum") is ≥ ½‖p - q‖₁² per row (Pinsker: so ≥ 0,
    and 0 only when p = q), and that it is 0 (to rounding) with p = softmax(x)."""
    x, p = data
    log_q = F.log_softmax(x, 1)
    kl_rows = F.kl_div(log_q, p, reduction="none").sum(axis=1)
    l1 = np.abs(p - np.exp(log_q)).sum(axis=1)
    assert np.all(kl_rows >= 0.5 * l1**2 - 1e-12)
    assert abs(float(F.kl_div(log_q, F.softmax(x, 1), reduction="sum"))) <= 1e-12 * x.size * (1 + np.abs(x).max())


@st.composite
def logits_index_and_options(draw):
    """(N, C) or (N, C, d) logits, index targets (some ignored), optional weight and a custom ignore_index."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    extra = draw(st.sampled_from([(), (3,)]))
    x = draw(hnp.arrays(np.float64, (n, c) + extra, elements=logit))
    ignore_index = draw(st.sampled_from([-100, 0]))
    t = draw(hnp.arrays(np.int64, (n,) + extra, elements=st.integers(0, c - 1) | st.just(ignore_index)))
    weight = draw(st.none() | hnp.arrays(np.float64, (c,), elements=st.floats(0.1, 3.0)))
    return x, t, {"weight": weight, "ignore_index": ignore_index}


@SETTINGS
@given(data=logits_index_and_options(), reduction=st.sampled_from(REDUCTIONS))
def test_cross_entropy_is_nll_loss_of_log_softmax(close, data, reduction):
    """Test that cross_entropy(x, y) == nll_loss(log_softmax(x, 1), y) with any weight / ignore_index / reduction,
    and that the gradients agree: log_softmax_grad carries nll_loss_grad back to the logits."""
    x, t, kw = data
    log_p = F.log_softmax(x, 1)
    close(F.nll_loss(log_p, t, reduction=reduction, **kw), F.cross_entropy(x, t, reduction=reduction, **kw), np.float64)
    via_nll = F.log_softmax_grad(x, F.nll_loss_grad(log_p, t, reduction=reduction, **kw), 1)
    close(via_nll, F.cross_entropy_grad(x, t, reduction=reduction, **kw), np.float64)
