"""Claims of lesson 3, the numerical stability lab, computed with torch (catalog stability, its prose, page l03)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import stability as S
from tests.claims._torch_facts import TORCH_DTYPES, both, both_prose, naive_bce, saturation, stable_bce

DTYPES = tuple(TORCH_DTYPES)


def _torch_naive_softmax(z: torch.Tensor) -> torch.Tensor:
    return torch.exp(z) / torch.exp(z).sum()


def _same(a: np.ndarray, b: torch.Tensor, ulps: int = 0) -> bool:
    """Same NaNs, zeros and infs; finite values equal, or within ``ulps`` units in the last place of b's dtype."""
    eps = torch.finfo(b.dtype).eps
    b = b.double().numpy()
    if not (np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(a == 0, b == 0) and np.array_equal(np.isinf(a), np.isinf(b))):
        return False
    ok = ~np.isnan(a)
    return bool(np.all(np.abs(a[ok] - b[ok]) <= ulps * eps * np.abs(b[ok])) or np.array_equal(a[ok], b[ok]))


@pytest.mark.parametrize(("dtype", "row"), [("float16", [10.5, 10.5, 1.0]), ("float32", [88.5, 88.5, 1.0]),
                                            ("bfloat16", [88.5, 88.5, 1.0])])
def test_naive_softmax_is_all_zero_when_only_the_sum_overflows(dtype, row):
    """Test that torch's exp(x) / exp(x).sum() is silently [0, 0, 0] when every exp is finite but their sum
    overflows (float16 [10.5, 10.5, 1], float32 [88.5, 88.5, 1]), that the lab's naive column shows it,
    and that the prose and the chart summary name this all-zero case besides inf / inf = NaN."""
    z = torch.tensor(row, dtype=TORCH_DTYPES[dtype])
    ref = _torch_naive_softmax(z)
    assert torch.isfinite(torch.exp(z)).all() and torch.isinf(torch.exp(z).sum())
    assert ref.tolist() == [0.0, 0.0, 0.0]
    sm = S.softmax_shift(row, 0.0, dtype)
    assert _same(sm.naive.astype(np.float64), ref)
    for s in (*both_prose("stability_softmax"), *both("stability.sm_summary")):
        assert "inf / inf = NaN" in s and "/ inf = 0" in s, s


@settings(max_examples=400, deadline=None)
@given(row=st.lists(st.floats(-30.0, 30.0).map(lambda v: round(v, 1)), min_size=1, max_size=6),
       shift=st.integers(-1000, 1000), dtype=st.sampled_from(DTYPES))
def test_naive_softmax_column_is_torchs(row, shift, dtype):
    """Test that the lab's naive softmax column is torch's exp(z) / exp(z).sum() in every dtype, over the page's
    whole range of the shift c (−1000 … 1000) and short rows of logits: the same NaNs and zeros, exact in the
    16-bit types, within 8 ulps in float32 and float64 (where torch's own sum order depends on the CPU)."""
    sm = S.softmax_shift(row, float(shift), dtype)
    z = torch.tensor(sm.z.astype(np.float64)).to(TORCH_DTYPES[dtype])
    assert _same(sm.naive.astype(np.float64), _torch_naive_softmax(z), 0 if dtype in ("float16", "bfloat16") else 8)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_shows_torchs_all_zero_naive_softmax(lang):
    """Test that the lab shows torch's [0, 0, 0] for float16 [10.5, 10.5, 1] (not [0.5, 0.5, 3.7e-5]) and its
    chart summary counts the three classes that are wrongly 0."""
    from tests.app.helpers import chart_summaries, open_page, tables
    at = open_page("stability", lang, st_dtype="float16", st_z="10.5, 10.5, 1")
    df = tables(at)[-1]
    ref = _torch_naive_softmax(torch.tensor([10.5, 10.5, 1.0], dtype=torch.float16))
    assert [float(v) for v in df.iloc[:, 3]] == ref.tolist() == [0.0, 0.0, 0.0]
    summary = next(s for s in chart_summaries(at) if "x / inf = 0" in s)
    assert ("3 are wrongly 0" in summary) if lang == "en" else ("3 个被错误地算成 0" in summary)


@pytest.mark.parametrize(("params", "done"), [({"st_shift": "90"}, True),
                                              ({"st_dtype": "float16", "st_z": "100000, 1"}, False),
                                              ({"st_dtype": "float16", "st_z": "10.5, 10.5, 1"}, False)])
def test_task_t2_only_when_naive_is_nan_and_stable_sums_to_1(params, done):
    """Test that task t2 ("naive NaN while the stable softmax still sums to 1") is accepted only in such a state:
    float32 c = 90 yes; float16 [1e5, 1], where x is inf and torch.softmax is NaN too, no; the all-zero row, no."""
    from tests.app.helpers import open_page
    z = torch.tensor([float(v) for v in params.get("st_z", "2, 1, 0.1").split(",")], dtype=TORCH_DTYPES[params.get("st_dtype", "float32")])
    z = z + float(params.get("st_shift", 0))
    stable = torch.softmax(z, 0)
    truth = bool(torch.isnan(_torch_naive_softmax(z)).any()) and bool(torch.isfinite(stable).all()) and abs(stable.double().sum().item() - 1) < 0.01
    assert truth == done
    at = open_page("stability", **params)
    assert ("task_stability_t2" in at.session_state["quiz_done"]) == done


FLOOR = math.log(float(torch.tensor(1e-12, dtype=torch.float32)))  # σ(x) < 1e−12 below x ≈ −27.631


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_naive_gradient_fades_from_minus_27_63_for_label_1(dtype):
    """Test that for y = 1 the gradient of BCELoss(sigmoid(x), 1) leaves −1 from x ≈ −27.63, where σ(1 − σ) drops below
    BCELoss's 1e−12 floor (x = −30: −0.094), long before σ(x) underflows — while the loss is still right
    (grad_summary_1; bce_vs_logits quiz q3 and takeaway)."""
    assert -27.64 < FLOOR < -27.63
    assert naive_bce([-27.0], [1.0], dtype)[1].item() == pytest.approx(-1.0, abs=1e-6)
    loss, g = naive_bce([-30.0], [1.0], dtype)
    assert round(g.item(), 2) == -0.09 and stable_bce([-30.0], [1.0], dtype)[1].item() == pytest.approx(-1.0)
    assert loss.item() == pytest.approx(30.0, rel=1e-2)
    texts = (*both("stability.grad_summary_1"), *both("bce_vs_logits.quiz_q3_naive_why"), *both_prose("bce_vs_logits_takeaway"))
    for s in texts:
        assert "27.6" in s, s
    for s in both("stability.grad_summary_1"):
        assert "1e−12" in s and "−0.094" in s, s


def test_float64_gradient_fades_from_27_63_for_label_0():
    """Test that in float64 the naive gradient for y = 0 also fades before σ(x) == 1 (x ≥ 36.74): from x ≈ 27.63
    (grad_summary_0)."""
    assert naive_bce([27.0], [0.0], torch.float64)[1].item() == pytest.approx(1.0, abs=1e-9)
    assert round(naive_bce([30.0], [0.0], torch.float64)[1].item(), 2) == 0.09
    for s in both("stability.grad_summary_0"):
        assert "27.63" in s and "float64" in s, s


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-1000.0, 1000.0), y=st.sampled_from([0.0, 1.0]), dtype=st.sampled_from(DTYPES))
def test_clamped_message_is_true_whenever_shown(x, y, dtype):
    """Test that whenever BCELoss(sigmoid(x), y) reads exactly 100 (the page's condition for clamped_now_y), σ(x) is
    exactly 1.0 for y = 0, σ(x) ≤ e⁻¹⁰⁰ for y = 1 (exactly 0 in all but float64), and the gradient is not σ(x) − y."""
    dt = TORCH_DTYPES[dtype]
    xv = torch.tensor(x, dtype=dt).item()
    loss, g = naive_bce([xv], [y], dt)
    if loss.item() != 100.0:
        return
    s = torch.sigmoid(torch.tensor(xv, dtype=dt)).item()
    if y == 0:
        assert s == 1.0
    else:
        assert s <= math.exp(-100) and (s == 0.0 or dtype == "float64")
    assert math.isnan(g.item()) or abs(g.item() - (s - y)) > 0.5


def test_clamped_now_1_does_not_claim_an_exact_zero_in_float64():
    """Test that at x = −101, y = 1 in float64 BCELoss reads 100 although σ(x) = 1.4e−44 is not 0, so clamped_now_1
    must not say σ(x) rounded to exactly 0.0 without a condition."""
    loss, _ = naive_bce([-101.0], [1.0], torch.float64)
    assert loss.item() == 100.0 and torch.sigmoid(torch.tensor(-101.0, dtype=torch.float64)).item() > 0
    for s in both("stability.clamped_now_1"):
        assert "e⁻¹⁰⁰" in s, s


def test_saturation_table_and_takeaway_thresholds_are_torchs():
    """Test the searched thresholds the text quotes: float32 σ == 1 from 16.6355 (≈ 24·ln 2), float16 8.32, bfloat16
    6.25, float64 36.74 (≈ 53·ln 2), exp overflow from 88.72 in float32, and the jump from ≈15.94 to 100
    (sat_caption, loss_summary_0, takeaway, softmax prose)."""
    f32, f64 = saturation("float32"), saturation("float64")
    assert round(f32["one"], 4) == 16.6355 and abs(f32["one"] - 24 * math.log(2)) < 0.002
    assert round(f64["one"], 2) == 36.74 and abs(f64["one"] - 53 * math.log(2)) < 0.02
    assert round(saturation("float16")["one"], 2) == 8.32 and saturation("bfloat16")["one"] == 6.25
    assert round(f32["exp_inf"], 2) == 88.72
    before = torch.nextafter(torch.tensor(f32["one"]), torch.tensor(0.0))
    jump = naive_bce([before.item()], [0.0])[0].item()
    assert round(jump, 2) == 15.94 and naive_bce([f32["one"]], [0.0])[0].item() == 100.0
    for s in both_prose("stability_takeaway"):
        for v in ("16.6355", "8.32", "6.25", "36.74", "15.94"):
            assert v in s
    for s in both("stability.sat_caption"):
        assert "16.6355" in s and "24·ln 2" in s and "36.74" in s and "53·ln 2" in s


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_collapses_to_0_or_nan_at_sigma_1(dtype):
    """Test the takeaway and quiz q2: at σ(x) == 1 (y = 0) the naive gradient is exactly 0 (NaN in float16) while the
    loss reads 100; BCELoss's own backward there is ≈ 1e12 (not clamped); the stable gradient is 1 (still 1 at 1000)."""
    dt = TORCH_DTYPES[dtype]
    one = saturation(dtype)["one"]
    loss, g = naive_bce([one], [0.0], dt)
    assert loss.item() == 100.0
    assert math.isnan(g.item()) if dtype == "float16" else g.item() == 0.0
    s = torch.tensor([1.0], dtype=torch.float32, requires_grad=True)
    (gs,) = torch.autograd.grad(torch.nn.functional.binary_cross_entropy(s, torch.tensor([0.0])), s)
    assert gs.item() == pytest.approx(1e12, rel=1e-3)
    assert stable_bce([1000.0], [0.0], dt)[1].item() == 1.0


def test_quiz_q1_x_20_float32_reads_100():
    """Test stability quiz q1: float32 x = 20, y = 0: BCELoss(sigmoid(x)) is exactly 100, not 20 and not inf; the plain
    −log(1 − σ(x)) is inf."""
    assert naive_bce([20.0], [0.0])[0].item() == 100.0 and stable_bce([20.0], [0.0])[0].item() == 20.0
    assert math.isinf(-torch.log(1 - torch.sigmoid(torch.tensor(20.0))).item())


def test_quiz_q3_softmax_max_shift():
    """Test quiz q3: torch.softmax([1000, 999]) is finite and equals softmax([0, −1]); exp(1000) overflows in float64 too
    (from ≈709.78); clipping to ±88 would change the answer ([88, 88] gives 0.5, 0.5)."""
    x = torch.tensor([1000.0, 999.0])
    torch.testing.assert_close(torch.softmax(x, 0), torch.softmax(x - 1000, 0))
    assert torch.isinf(torch.exp(torch.tensor(1000.0, dtype=torch.float64))).item()
    assert round(saturation("float64")["exp_inf"], 2) == 709.78
    assert torch.softmax(torch.clamp(x, -88, 88), 0).tolist() == [0.5, 0.5] != torch.softmax(x, 0).tolist()


def test_probe_help_16_64_is_stored_as_16_640625_in_float16():
    """Test probe_help's example: torch stores 16.64 as 16.640625 in float16."""
    assert torch.tensor(16.64, dtype=torch.float16).item() == 16.640625
    assert "16.640625" in both("stability.probe_help")[0]


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-1000.0, 1000.0), dtype=st.sampled_from(DTYPES))
def test_stable_loss_keeps_growing_like_the_true_loss(x, dtype):
    """Test loss_summary_0/1 and the takeaway: BCEWithLogitsLoss in every dtype stays within a few units in the last
    place of |x| of softplus(±x) for every probe logit (it never jumps to 100). Not relative to a tiny loss: torch
    computes (1 − y)·x − log σ(x), which cancels for y = 0 and x ≪ 0 (see the test below)."""
    dt = TORCH_DTYPES[dtype]
    xv = torch.tensor(x, dtype=dt)
    zero = torch.zeros((), dtype=torch.float64)  # softplus(±x) as logaddexp: F.softplus turns linear above 20
    for y, true in ((0.0, torch.logaddexp(zero, xv.double())), (1.0, torch.logaddexp(zero, -xv.double()))):
        got = stable_bce([xv.item()], [y], dt)[0].item()
        assert abs(got - true.item()) <= 8 * torch.finfo(dt).eps * max(1.0, abs(x), true.item())


def test_takeaway_torch_computes_one_minus_y_times_x_minus_log_sigma():
    """Test the takeaway's formula: torch 2.13's BCEWithLogitsLoss is (1 − y)·x − log σ(x) as computed (x = −33,
    y = 0 gives x − logsigmoid(x) = 7.1e-15, not log1p(exp(−33)) = 4.7e-15), the same on paper as max(x, 0) − x·y +
    log(1 + exp(−|x|)) (agreeing to 1e-12 over a grid), and finite with gradient σ(x) − y up to x = 1000."""
    x = torch.tensor(-33.0, dtype=torch.float64)
    got = torch.nn.functional.binary_cross_entropy_with_logits(x, torch.tensor(0.0, dtype=torch.float64))
    assert got.item() == (x - torch.nn.functional.logsigmoid(x)).item() != torch.log1p(torch.exp(x)).item()
    xs = torch.linspace(-50, 50, 2001, dtype=torch.float64)
    for y in (0.0, 0.3, 1.0):
        yt = torch.full_like(xs, y)
        a = torch.nn.functional.binary_cross_entropy_with_logits(xs, yt, reduction="none")
        b = xs.clamp(min=0) - xs * yt + torch.log1p(torch.exp(-xs.abs()))
        assert torch.allclose(a, b, rtol=0, atol=1e-12)
    big = torch.tensor(1000.0, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(big, torch.tensor(0.0))
    loss.backward()
    assert torch.isfinite(loss).item() and big.grad.item() == 1.0


@pytest.mark.parametrize("shift", [0.0, 90.0, -120.0, 1000.0])
def test_stable_softmax_never_moves_with_c(shift):
    """Test sm_summary and the softmax prose: softmax(x + c) = softmax(x) for the page's logits in float32."""
    z = torch.tensor([2.0, 1.0, 0.1], dtype=torch.float64)
    torch.testing.assert_close(torch.softmax(z + shift, 0), torch.softmax(z, 0))


@pytest.mark.parametrize("dtype", DTYPES)
def test_label_1_loss_clamps_at_underflow_or_at_minus_100(dtype):
    """Test loss_summary_1: for y = 1 BCELoss(σ(x), 1) reads 100 at σ's underflow point in every dtype, and in float64
    already from x ≈ −100 (x = −100.5), where σ(x) > 0 but log σ(x) < −100; the stable loss keeps growing like −x."""
    dt = TORCH_DTYPES[dtype]
    zero = saturation(dtype)["zero"]
    assert naive_bce([zero], [1.0], dt)[0].item() == 100.0
    assert stable_bce([zero], [1.0], dt)[0].item() == pytest.approx(-zero, rel=1e-2)
    if dtype == "float64":
        assert naive_bce([-100.5], [1.0], dt)[0].item() == 100.0 and naive_bce([-99.5], [1.0], dt)[0].item() < 100.0
    for s in both("stability.loss_summary_1"):
        assert "−100" in s and "float64" in s


def test_probe_table_which_dtype_breaks_first():
    """Test probe_table: float16 clamps wherever float32 does (both signs), bfloat16 clamps earlier for positive logits
    (x = 7) but not for negative ones: at x = −88.73 float32 reads 100 while bfloat16 stores −88.5 and reads 88.5."""
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    assert naive_bce([7.0], [0.0], bf)[0].item() == 100.0 and naive_bce([7.0], [0.0], f32)[0].item() < 100.0
    assert torch.tensor(-88.73, dtype=bf).item() == -88.5
    assert naive_bce([-88.73], [1.0], f32)[0].item() == 100.0 and naive_bce([-88.73], [1.0], bf)[0].item() == 88.5
    xs = torch.linspace(-1000, 1000, 20001, dtype=torch.float64)
    for y, sign in ((0.0, xs > 0), (1.0, xs < 0)):
        part = xs[sign].tolist()
        clamped = {dt: naive_bce(part, [y] * len(part), dt)[0] == 100 for dt in (f32, f16)}
        assert not (clamped[f32] & ~clamped[f16]).any()
    for s in both("stability.probe_table"):
        assert "−88.73" in s and "6.25" in s


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_core_naive_softmax_rounds_each_rows_sum_like_torch(dtype):
    """Test that lossviz.core.functional.naive_softmax, row by row along the last dimension, is exactly torch's
    exp(x) / exp(x).sum(-1, keepdim=True) in the 16-bit types, the all-zero row included."""
    from lossviz.core import functional as LF
    rows = [[10.5, 10.5, 1.0], [2.0, 1.0, 0.1], [88.5, 88.5, 1.0], [-20.0, -20.0, -20.0]]
    z = torch.tensor(rows, dtype=TORCH_DTYPES[dtype])
    ref = torch.exp(z) / torch.exp(z).sum(-1, keepdim=True)
    got = LF.naive_softmax(np.asarray(rows, dtype=np.float64), dtype=dtype)
    assert _same(got.astype(np.float64).ravel(), ref.ravel())
