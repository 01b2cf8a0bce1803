"""Claims of the common-mistakes page, computed in real torch.

The page's controls: the mistake, "make the mistake" on/off, logit scale 0.1 … 50 (step 0.1), the
4th label 1 … 9 (index_range), positions d 1 … 8 (channels_last), autocast dtype bfloat16/float16.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import mistakes as M
from lossviz.text.i18n import prose, translate

LANGS = ("en", "zh")
scales = st.integers(1, 500).map(lambda k: k / 10)  # the logit-scale slider
YB = torch.tensor(M.TARGET_BIN)


def text(key: str, lang: str = "en") -> str:
    return translate(lang, f"mistakes.{key}")


def test_intro_nine_slips():
    """Test mistakes_intro: the page runs nine slips, each twice (with the mistake and fixed)."""
    assert len(M.MISTAKES) == 9 == len(M.LABELS)
    for m in M.MISTAKES:
        case = M.run(m)
        assert case.wrong is not None and case.right is not None


def test_scale_multiplies_the_logits_or_the_autocast_weights():
    """Test scale_help: the scale multiplies the example's logits, and for autocast the weights."""
    assert M._logits_mc(3.0).tolist() == (torch.tensor(M.LOGITS_MC) * 3.0).tolist()
    assert M._logits_bin(3.0).tolist() == (torch.tensor(M.LOGITS_BIN) * 3.0).tolist()
    z = M.run("autocast_bce", scale=3.0, amp_dtype="bfloat16").info["logits"]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert z == (torch.tensor(M.FEATURES_AMP) @ (torch.tensor(M.WEIGHT_AMP) * 3.0)).float().tolist()


# ------------------------------------------------------------------------ softmax before CE --

@settings(max_examples=60, deadline=None)
@given(scales)
def test_softmax_before_ce_silent_floor_and_smaller_gradient(scale):
    """Test silent_softmax_ce and quiz q1 (b): CE(softmax(x), y) raises nothing, is never below
    log(1 + (C − 1)/e), and its gradient is smaller than with raw logits, at every scale on the slider."""
    case = M.run("softmax_ce", scale=scale)
    assert case.wrong.ok and case.right.ok
    assert case.wrong.value >= case.info["floor"] * (1 - 1e-6)
    assert case.shrink > 1
    assert case.info["floor"] == pytest.approx(math.log1p(4 / math.e))


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 10), st.lists(st.floats(-30, 30), min_size=10, max_size=10), st.integers(0, 9))
def test_softmax_twice_floor_holds_for_any_probabilities(c, xs, y):
    """Test the floor log(1 + (C − 1)/e): no probability row p brings CE(p, y) below it (one-hot p reaches it)."""
    p = torch.softmax(torch.tensor(xs[:c], dtype=torch.float64), 0)
    y = torch.tensor(y % c)
    floor = math.log1p((c - 1) / math.e)
    assert F.cross_entropy(p, y).item() >= floor - 1e-12
    assert F.cross_entropy(F.one_hot(y, c).double(), y).item() == pytest.approx(floor, rel=1e-12)


def test_quiz_q1_softmax_then_ce_runs_and_differs():
    """Test quiz q1: CE on softmax outputs raises no error (not a), and its loss differs from CE on the
    raw logits (not c)."""
    x = torch.tensor(M.LOGITS_MC)
    y = torch.tensor(M.TARGET_MC)
    wrong = F.cross_entropy(torch.softmax(x, 1), y).item()
    assert not math.isclose(wrong, F.cross_entropy(x, y).item(), rel_tol=1e-3)


# -------------------------------------------------------------------------------- sigmoid twice --

@settings(max_examples=60, deadline=None)
@given(scales)
def test_sigmoid_twice_floor_and_smaller_gradient(scale):
    """Test silent_sigmoid_twice: BCEWithLogits(σ(x), y) never falls below mean(softplus(−1) for y = 1,
    log 2 for y = 0) and its gradient is smaller than the fix's, at every scale."""
    case = M.run("sigmoid_twice", scale=scale)
    assert case.wrong.ok and case.wrong.value >= case.info["floor"] * (1 - 1e-6)
    assert case.shrink > 1
    floor = np.mean([F.softplus(torch.tensor(-1.0)).item() if t == 1 else math.log(2) for t in M.TARGET_BIN])
    assert case.info["floor"] == pytest.approx(floor, rel=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e4, 1e4))
def test_sigmoid_of_sigmoid_stays_between_0_5_and_sigma_1(x):
    """Test mistakes_sigmoid_twice: σ(σ(x)) stays in [0.5, σ(1) ≈ 0.731] (so it does exceed 0.73)."""
    v = torch.sigmoid(torch.sigmoid(torch.tensor(x))).item()
    assert 0.5 <= v <= torch.sigmoid(torch.tensor(1.0)).item()
    assert torch.sigmoid(torch.tensor(1.0)).item() > 0.73
    for lang in LANGS:
        assert "0.731" in prose(lang, "mistakes_sigmoid_twice")


# --------------------------------------------------------------------------- dtype, shape, range --

def test_float_class_targets_raise_and_same_shape_float_targets_are_probabilities():
    """Test err_float_target, quiz q2 and mistakes_float_target: class targets of shape (N,) must be long
    (or uint8); float and bool raise torch's "expected target dtype to be Long or Byte"; a float target of
    the input's shape is accepted, as probabilities."""
    x = torch.randn(3, 5, generator=torch.Generator().manual_seed(0))
    for bad, name in ((torch.tensor([0.0, 2.0, 1.0]), "Float"), (torch.tensor([True, False, True]), "Bool")):
        with pytest.raises(RuntimeError, match=f"expected target dtype to be Long or Byte, but got {name}"):
            F.cross_entropy(x, bad)
    y = torch.tensor([0, 2, 1])
    assert F.cross_entropy(x, y.to(torch.uint8)).item() == F.cross_entropy(x, y).item()
    soft = F.one_hot(y, 5).float()
    assert F.cross_entropy(x, soft).item() == pytest.approx(F.cross_entropy(x, y).item(), rel=1e-6)
    case = M.run("float_target")
    assert case.wrong.error_kind == "RuntimeError" and case.right.ok


@pytest.mark.parametrize("d", range(1, 9))
def test_channels_last_raises_unless_d_equals_c(d):
    """Test err_channels_last, silent_channels_last and mistakes_channels_last, task t2: (N, d, C) logits
    raise a target-size error except when d = C = 5, where torch runs and gives a different loss."""
    case = M.run("channels_last", positions=d)
    assert case.right.ok
    if d == 5:
        assert case.wrong.ok and not case.agree
    else:
        assert not case.wrong.ok and case.wrong.error_kind in ("RuntimeError", "ValueError")
        assert "size" in case.wrong.message.lower() or "shape" in case.wrong.message.lower()


@pytest.mark.parametrize("label", range(1, 10))
def test_index_range_labels_numbered_from_1(label):
    """Test err_index_range, silent_index_range and mistakes_index_range over the label slider (1 … 9):
    a label ≥ C = 5 raises IndexError "Target … is out of bounds."; below C nothing raises, class 0 is
    never a target and every label is one class too far (labels − 1 gives the right loss)."""
    case = M.run("index_range", label=label)
    x = torch.tensor(M.LOGITS_MC)
    labels = torch.tensor([*M.LABELS_1BASED, label])
    if label >= 5:
        assert case.wrong.error_kind == "IndexError" and case.wrong.message == f"Target {label} is out of bounds."
    else:
        assert case.wrong.ok and 0 not in labels.tolist()
        assert case.wrong.value == pytest.approx(F.cross_entropy(x, labels).item(), rel=1e-6)
    if label <= 5:  # labels − 1 fits 5 classes; a larger label needs a wider output layer
        assert case.right.value == pytest.approx(F.cross_entropy(x, labels - 1).item(), rel=1e-6)
    else:
        assert case.right.error_kind == "IndexError"


def test_label_slider_starts_at_1():
    """Test that the page's label slider cannot pick 0 (no label of a dataset numbered 1…C; with it, "class 0
    is never a target" would be false)."""
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "pages" / "l09_mistakes.py").read_text(encoding="utf-8")
    assert 'ui.slider("mis_label", t("mistakes.label"), 1, 9,' in page


# ------------------------------------------------------------------------------------ autocast --

def test_autocast_float16_bce_gradient_is_nan_from_scale_10():
    """Test mistakes_autocast_bce and quiz q3 (a): in float16 autocast the gradient of BCELoss(σ(z), y) is
    not representable — NaN on this example from scale 10 (finite at 5) — while BCEWithLogitsLoss stays finite."""
    assert math.isfinite(M.run("autocast_bce", scale=5.0, amp_dtype="float16").wrong.grad_norm)
    for s in (10.0, 20.0, 50.0):
        case = M.run("autocast_bce", scale=s, amp_dtype="float16")
        assert case.wrong.ok and math.isnan(case.wrong.grad_norm)
        assert math.isfinite(case.right.grad_norm)
    # the backward of BCE w.r.t. its input at σ = 1, y = 0 is 1 / 1e-12: far beyond float16's max (65504)
    p = torch.tensor([1.0], requires_grad=True)
    (g,) = torch.autograd.grad(F.binary_cross_entropy(p, torch.tensor([0.0])), p)
    assert g.item() > torch.finfo(torch.float16).max
    for lang in LANGS:
        assert "float16" in text("quiz_q3_a", lang)
        assert "10" in prose(lang, "mistakes_autocast_bce")
    assert "rounds to exactly 1 or 0" not in text("quiz_q3_a")


def test_autocast_bfloat16_sigmoid_is_1_from_6_25_and_bce_clamps():
    """Test mistakes_autocast_bce: in bfloat16 σ(z) is exactly 1.0 from z = 6.25 (not at the float just below),
    and BCELoss then clamps log(0) to −100 (element loss 100)."""
    assert torch.sigmoid(torch.tensor(6.25, dtype=torch.bfloat16)).item() == 1.0
    below = torch.nextafter(torch.tensor(6.25, dtype=torch.bfloat16).float(), torch.tensor(0.0)).to(torch.bfloat16)
    below = torch.tensor(6.21875, dtype=torch.bfloat16) if below.item() == 6.25 else below
    assert torch.sigmoid(below).item() < 1.0
    assert F.binary_cross_entropy(torch.tensor([1.0]), torch.tensor([0.0])).item() == 100.0
    assert max(M.run("autocast_bce", scale=5.0).wrong.elements) == 100.0


def test_autocast_cpu_runs_bce_and_the_safe_losses():
    """Test amp_measured, silent_autocast_bce and quiz q3 (c): under CPU autocast BCELoss raises nothing and
    BCEWithLogitsLoss and CrossEntropyLoss run too (autocast supports losses); the quoted CUDA error names
    BCEWithLogits as safe."""
    for amp in M.AMP_DTYPES:
        case = M.run("autocast_bce", amp_dtype=amp)
        assert case.wrong.ok and case.right.ok and case.info["logits_dtype"] == amp
    with torch.autocast("cpu", dtype=torch.bfloat16):
        z = torch.randn(4, 3) @ torch.randn(3, 3)
        F.cross_entropy(z, torch.tensor([0, 1, 2, 0]))
        F.binary_cross_entropy_with_logits(z, torch.zeros(4, 3))
    assert "safe to autocast" in M.CUDA_AUTOCAST_ERROR


@settings(max_examples=40, deadline=None)
@given(scales)
def test_sweep_gap_means_gradient_zero_or_nan(scale):
    """Test sweep_summary: the bottom panel drops a point exactly where the gradient norm is 0 or NaN
    (float16 autocast gives NaN, so the text must name both)."""
    from lossviz.plots.mistakes import sweep_figure

    sw = M.sweep("autocast_bce", [scale], amp_dtype="float16")
    fig = sweep_figure([scale], sw, current=(scale, None, None), labels={k: k for k in ("title", "x", "loss", "grad", "wrong", "right", "current")})
    ys = [t.y[0] for t in fig.data if t.yaxis == "y2"]
    grads = [sw.wrong_grad[0], sw.right_grad[0]]
    for y, g in zip(ys, grads, strict=True):
        assert (y is None or np.isnan(y)) == (g == 0 or np.isnan(g))
    for lang in LANGS:
        assert "NaN" in translate(lang, "mistakes.sweep_summary")


# -------------------------------------------------------------------------------- sigmoid + BCE --

def test_sigmoid_bce_differs_before_sigma_rounds_to_1():
    """Test silent_sigmoid_bce and mistakes_sigmoid_bce: on this example the naive and stable losses agree to
    about 6 digits up to scale 5 but already differ visibly at scale 10 (largest logit 12), before σ(x) rounds
    to 1 at x ≥ 16.6355 (σ(16.6355) == 1, σ(16.6355 − ulp) < 1 in float32) — where the element is 100 with
    gradient 0."""
    for s in (0.1, 1.0, 2.0, 5.0):
        c = M.run("sigmoid_bce", scale=s)
        assert c.agree
    small = M.run("sigmoid_bce", scale=1.0)
    assert small.wrong.value != small.right.value  # not "the same number": float32 rounding differs
    c10 = M.run("sigmoid_bce", scale=10.0)
    assert not c10.agree and torch.sigmoid(torch.tensor(12.0)).item() < 1.0
    limit = torch.tensor(16.63553237915039)
    assert torch.sigmoid(limit).item() == 1.0 and torch.sigmoid(torch.nextafter(limit, torch.tensor(0.0))).item() < 1.0
    big = M.run("sigmoid_bce", scale=14.0)
    assert big.wrong.elements[3] == 100.0 and big.wrong.element_grads[3] == 0.0
    x15 = torch.tensor([15.0])
    naive = F.binary_cross_entropy(torch.sigmoid(x15), torch.tensor([0.0])).item()
    assert naive == pytest.approx(14.8437729, rel=1e-6)
    assert "while float32 σ(x) is not rounded" not in text("silent_sigmoid_bce")
    for lang in LANGS:
        assert "14.84" in text("silent_sigmoid_bce", lang)


def test_fixed_line_is_torchs_reference():
    """Test fixed_ok: every fixed line runs in torch and gives the reference loss (index_range at label 3)."""
    x = torch.tensor(M.LOGITS_MC)
    y = torch.tensor(M.TARGET_MC)
    assert M.run("softmax_ce").right.value == pytest.approx(F.cross_entropy(x, y).item(), rel=1e-6)
    assert M.run("float_target").right.value == pytest.approx(F.cross_entropy(x, y).item(), rel=1e-6)
    xb = torch.tensor(M.LOGITS_BIN)
    for m in ("sigmoid_twice", "sigmoid_bce"):
        assert M.run(m).right.value == pytest.approx(F.binary_cross_entropy_with_logits(xb, YB).item(), rel=1e-6)
    assert all(M.run(m, label=3).right.ok for m in M.MISTAKES)


@pytest.mark.parametrize(("mistake", "params"), [("float_target", {}), ("channels_last", {"positions": 4}), ("index_range", {"label": 5}),
                                                 ("seq_logits", {})])
def test_raising_mistakes_raise_at_every_scale(mistake, params):
    """Test sweep_summary_error: a mistake that raises does so at every scale of the slider, so only the
    fixed line can be drawn."""
    sw = M.sweep(mistake, [0.1, 1.0, 7.3, 50.0], **params)
    assert np.all(np.isnan(sw.wrong)) and np.all(np.isfinite(sw.right))


def test_quoted_cuda_autocast_error_is_in_this_torch_build():
    """Test amp_quoted: the quoted CUDA autocast message is in this torch build's libtorch_cpu.so."""
    from pathlib import Path

    lib = next((Path(torch.__file__).parent / "lib").glob("libtorch_cpu.so*"))
    data = lib.read_bytes()
    for line in M.CUDA_AUTOCAST_ERROR.removeprefix("RuntimeError: ").splitlines():
        assert line.encode() in data, line


@settings(max_examples=60, deadline=None)
@given(scales)
def test_task_t1_disagreement_is_torchs(scale):
    """Test task_t1_done: the page marks "disagrees" exactly when torch's naive BCELoss(σ(x)) and
    BCEWithLogitsLoss differ by more than float32 precision (1e-5 relative) on this example."""
    x = torch.tensor(M.LOGITS_BIN) * scale
    naive = F.binary_cross_entropy(torch.sigmoid(x), YB).item()
    stable = F.binary_cross_entropy_with_logits(x, YB).item()
    assert M.run("sigmoid_bce", scale=scale).agree == (abs(naive - stable) <= 1e-5 * (1 + abs(stable)))


# ----------------------------------------------------------------- (B, T, V) sequence logits --

def _seq(scale=1.0):
    x = torch.randn(M.SEQ_B, M.SEQ_T, M.SEQ_V, generator=torch.Generator().manual_seed(2)) * scale
    y = torch.randint(M.SEQ_V, (M.SEQ_B, M.SEQ_T), generator=torch.Generator().manual_seed(3))
    return x, y


@settings(max_examples=40, deadline=None)
@given(scales)
def test_seq_logits_raise_torchs_size_error_and_both_fixes_agree(scale):
    """Test err_seq_logits, silent_seq_logits (never shown: T ≠ V, so it always raises), seq_reshape and
    mistakes_seq_logits: (B, T, V) logits with (B, T) targets raise "Expected target size [B, V], got [B, T]";
    permute(0, 2, 1) and reshape(-1, V) / reshape(-1) give the same loss, the mean over the B·T tokens."""
    x, y = _seq(scale)
    with pytest.raises(RuntimeError, match=rf"Expected target size \[{M.SEQ_B}, {M.SEQ_V}\], got \[{M.SEQ_B}, {M.SEQ_T}\]"):
        F.cross_entropy(x, y)
    permuted = F.cross_entropy(x.permute(0, 2, 1), y)
    flat = F.cross_entropy(x.reshape(-1, M.SEQ_V), y.reshape(-1))
    assert permuted.item() == pytest.approx(flat.item(), rel=1e-6)
    assert flat.item() == pytest.approx(F.cross_entropy(x.permute(0, 2, 1), y, reduction="none").mean().item(), rel=1e-6)
    case = M.run("seq_logits", scale=scale)
    assert not case.wrong.ok and case.wrong.message == f"Expected target size [{M.SEQ_B}, {M.SEQ_V}], got [{M.SEQ_B}, {M.SEQ_T}]"
    assert case.right.value == pytest.approx(permuted.item(), rel=1e-6)
    assert case.info["reshape_value"] == pytest.approx(flat.item(), rel=1e-6)
    assert case.info["tokens"] == M.SEQ_B * M.SEQ_T == len(case.right.elements)
    assert M.SEQ_T != M.SEQ_V


def test_seq_logits_run_silently_when_t_equals_v():
    """Test mistakes_seq_logits ("unless T happens to equal V: then it runs silently"): with T = V torch
    returns a loss, and it differs from the permuted one."""
    x = torch.randn(2, 6, 6, generator=torch.Generator().manual_seed(0))
    y = torch.randint(6, (2, 6), generator=torch.Generator().manual_seed(1))
    assert F.cross_entropy(x, y).item() != pytest.approx(F.cross_entropy(x.permute(0, 2, 1), y).item(), rel=1e-3)


# ------------------------------------------------------------------------ kl_div on probabilities --

Q = torch.tensor(M.TARGET_SOFT)


def test_kl_target_rows_are_distributions():
    """Test mistakes_kl_probs: the target q is probabilities (every row sums to 1, all entries > 0)."""
    assert torch.allclose(Q.sum(1), torch.ones(len(Q))) and bool((Q > 0).all())


@settings(max_examples=60, deadline=None)
@given(scales)
def test_kl_probs_silent_negative_and_bounded(scale):
    """Test silent_kl_probs, err_kl_probs (never shown: it never raises), mistakes_kl_probs and quiz-free claims:
    kl_div(softmax(x), q, 'batchmean') runs without an error or a warning, is negative, lies between −H(q) − 1 and
    −H(q) (H: the targets' mean entropy); with log_softmax it is the KL, ≥ 0; softmax(x).log() is close to it
    (1e-3) until a probability underflows to 0, and inf on this example from scale 34.7."""
    import warnings

    x = torch.tensor(M.LOGITS_MC) * scale
    p = torch.softmax(x, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wrong = F.kl_div(p, Q, reduction="batchmean").item()
        right = F.kl_div(torch.log_softmax(x, 1), Q, reduction="batchmean").item()
    h = -(Q * Q.log()).sum(1).mean().item()
    assert -h - 1 < wrong < -h < 0
    assert right >= 0
    right64 = (Q.double() * (Q.double().log() - torch.log_softmax(x.double(), 1))).sum(1).mean().item()
    assert right == pytest.approx(right64, rel=1e-4, abs=1e-6)
    logged = F.kl_div(p.log(), Q, reduction="batchmean").item()
    if scale < 34.7:
        assert bool((p > 0).all()) and logged == pytest.approx(right, rel=1e-3, abs=1e-3)
    else:
        assert logged == math.inf and bool((p == 0).any())
    case = M.run("kl_probs", scale=scale)
    assert case.wrong.ok and case.wrong.value == pytest.approx(wrong, rel=1e-6)
    assert case.right.value == pytest.approx(right, rel=1e-6, abs=1e-7)
    assert case.info["lo"] == pytest.approx(-h - 1) and case.info["hi"] == pytest.approx(-h)
    assert case.info["entropy"] == pytest.approx(h)
    assert case.wrong.elements == pytest.approx(F.kl_div(p, Q, reduction="none").sum(1).tolist(), rel=1e-6)
    assert np.mean(case.wrong.elements) == pytest.approx(wrong, rel=1e-5)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 10), st.lists(st.floats(-30, 30), min_size=20, max_size=20))
def test_kl_div_of_probabilities_is_never_positive_and_kl_never_negative(c, xs):
    """Test mistakes_kl_probs and see_kl_probs: for any logits and any target distribution, kl_div given
    probabilities is ≤ 0 and stays in (−H(q) − 1, −H(q)], an interval of width 1; given log-probabilities it is
    KL(q‖p) ≥ 0."""
    x = torch.tensor(xs[:c], dtype=torch.float64)
    q = torch.softmax(torch.tensor(xs[10:10 + c], dtype=torch.float64), 0)
    p = torch.softmax(x, 0)
    h = -(q * q.log()).sum().item()
    wrong = F.kl_div(p, q, reduction="sum").item()
    assert wrong <= 0 and -h - 1 - 1e-12 < wrong <= -h + 1e-12
    assert F.kl_div(torch.log_softmax(x, 0), q, reduction="sum").item() >= -1e-12


def test_kl_probs_texts_link_lesson_12_and_say_batchmean():
    """Test see_kl_probs: lesson 12 (entropy_kl) shows the reduction='mean' trap of kl_div (torch's own
    warning): 'mean' divides by numel, not the batch size."""
    x = torch.log_softmax(torch.tensor(M.LOGITS_MC), 1)
    with pytest.warns(UserWarning, match="batchmean"):
        mean = F.kl_div(x, Q, reduction="mean").item()
    assert mean * Q.numel() == pytest.approx(F.kl_div(x, Q, reduction="batchmean").item() * len(Q), rel=1e-6)
    assert M.SEE_ALSO["kl_probs"] == "entropy_kl" and M.SEE_ALSO["softmax_ce"] == "nll_pipeline"
