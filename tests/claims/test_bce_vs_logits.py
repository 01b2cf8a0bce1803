"""Claims of lesson 2, BCELoss vs BCEWithLogitsLoss, computed with torch (catalog bce_vs_logits, its prose, page l02)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.app.helpers import open_page
from tests.claims._torch_facts import LANGS, both, both_prose, naive_bce, numbers, saturation, stable_bce, text

SEED_X = [[0.4, 0.7, 1.2, 0.3], [1.1, 0.6, 0.9, 1.6]]
SEED_Y = [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]]
F32 = saturation("float32")


def test_seed_means_are_the_same_bits():
    """Test that on the seed tensor both float32 means are 0.8354646563529968, the same bits (intro, teaser, quiz q1)."""
    naive, _ = naive_bce(SEED_X, SEED_Y, reduction="mean")
    stable, _ = stable_bce(SEED_X, SEED_Y, reduction="mean")
    assert repr(naive.item()) == repr(stable.item()) == "0.8354646563529968"
    assert naive.view(torch.int32).item() == stable.view(torch.int32).item()
    for s in (*both("bce_vs_logits.quiz_q1_yes"), *both_prose("bce_vs_logits_intro")):
        assert "0.8354646563529968" in s
    assert all("0.8355" in s for s in both("bce_vs_logits.teaser"))


def test_small_logits_agree_only_to_float_precision():
    """Test that small logits do not agree bit for bit element by element: at x = 0.7, y = 0 the float32
    values differ in the 7th digit, although the seed's means coincide (takeaway, quiz q1, "identical")."""
    naive, _ = naive_bce([0.7], [0.0])
    stable, _ = stable_bce([0.7], [0.0])
    assert naive.item() != stable.item()
    a, b = repr(naive.item()), repr(stable.item())  # 1.1031858921051025, 1.103186011314392
    assert a[:7] == b[:7] and a[7] != b[7]  # the 7th significant digit
    n_seed, _ = naive_bce(SEED_X, SEED_Y)
    s_seed, _ = stable_bce(SEED_X, SEED_Y)
    assert (n_seed != s_seed).any()
    for s in both_prose("bce_vs_logits_takeaway"):
        first = s.split("\n- ")[1]
        assert f"{naive.item():.8f}" in first and f"{stable.item():.8f}" in first, first
    for key in ("quiz_q1_yes_why", "identical"):
        en, zh = both(f"bce_vs_logits.{key}")
        assert "last digit" in en or "0.7" in en, en
        assert "最后" in zh or "0.7" in zh, zh


@pytest.mark.parametrize("y", [0.0, 0.5, 1.0])
def test_naive_reports_the_clamp_only_on_the_wrong_side(y):
    """Test that once σ(x) == 1 BCELoss(σ(x), y) is 100·(1 − y): 100 only for y = 0, 50 for 0.5 and 0 for y = 1,
    whatever the true loss (takeaway, parted_clamp, why_clamp_one, sweep_summary)."""
    naive, _ = naive_bce([20.0, 50.0], [y, y])
    assert naive.tolist() == [pytest.approx(100 * (1 - y), abs=0)] * 2
    assert F.binary_cross_entropy(torch.tensor(0.0), torch.tensor(0.5)).item() == 50.0
    for key in ("why_clamp_one", "parted_clamp", "sweep_summary"):
        for s in both(f"bce_vs_logits.{key}"):
            assert "100·(1 − y)" in s, s
    for s in both("bce_vs_logits.why_clamp_zero"):
        assert "100·y" in s, s
    for s in both_prose("bce_vs_logits_takeaway"):
        assert "100·(1 − y)" in s and "whatever the true loss is" not in s and "不管真实损失是多少" not in s


def test_negative_logits_with_label_1_break_only_at_the_exp_limit():
    """Test that a large negative logit with y = 1 costs the same 20.0 with gradient −1 both ways in float32,
    and that the routes part there only at x ≤ −88.72, where σ(x) == 0 (quiz q3, takeaway)."""
    naive, gn = naive_bce([-20.0], [1.0])
    stable, gs = stable_bce([-20.0], [1.0])
    assert naive.item() == stable.item() == 20.0 and gn.item() == gs.item() == -1.0
    zero = F32["zero"]
    assert torch.sigmoid(torch.tensor(zero)).item() == 0.0
    below, _ = naive_bce([zero], [1.0])
    assert below.item() == 100.0
    for s in (*both("bce_vs_logits.quiz_q3_naive_why"), *both_prose("bce_vs_logits_takeaway")):
        assert f"{F32['one']:.4f}" in s and f"−{-zero:.2f}" in s, s
        assert "|x|" not in s, s


def test_takeaway_numbers_are_torchs():
    """Test that the takeaway's thresholds (16.6355, −88.72; float16 8.32, bfloat16 6.25) and its
    "1 % low at x = 15" are what torch gives."""
    low = (naive_bce([15.0], [0.0])[0] / stable_bce([15.0], [0.0])[0]).item() - 1
    assert round(low * 100) == -1
    for s in both_prose("bce_vs_logits_takeaway"):
        for v in (f"{F32['one']:.4f}", f"{saturation('float16')['one']:.2f}", f"{saturation('bfloat16')['one']:.2f}"):
            assert v in s
        assert "15" in s and "1 %" in s


def test_quiz_q2_keyed_100_and_distractors_false():
    """Test that BCELoss(sigmoid(20), 0) in float32 is exactly 100, not inf and not NaN, and the true loss is 20."""
    naive, grad = naive_bce([20.0], [0.0])
    stable, _ = stable_bce([20.0], [0.0])
    assert naive.item() == 100.0 and not math.isinf(naive.item()) and not math.isnan(naive.item())
    assert stable.item() == 20.0 and torch.sigmoid(torch.tensor(20.0)).item() == 1.0
    assert grad.item() == 0.0


def test_quiz_q3_stable_route_does_not_saturate():
    """Test that BCEWithLogitsLoss at x = ±1000 gives 1000 with gradient ±1, where the naive route gives 100 and 0."""
    stable, gs = stable_bce([1000.0, -1000.0], [0.0, 1.0])
    naive, gn = naive_bce([1000.0, -1000.0], [0.0, 1.0])
    assert stable.tolist() == [1000.0, 1000.0] and gs.tolist() == [1.0, -1.0]
    assert naive.tolist() == [100.0, 100.0] and [abs(g) for g in gn.tolist()] == [0.0, 0.0]


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-1e4, 1e4), y=st.sampled_from([0.0, 1.0]))
def test_stable_gradient_never_vanishes_wrongly(x, y):
    """Test that for any finite float32 logit and a hard label the gradient of BCEWithLogitsLoss is
    σ(x) − y to float32 precision (quiz q3 stable), and its loss is softplus to float32 precision."""
    loss, grad = stable_bce([x], [y])
    loss64, grad64 = stable_bce([float(torch.tensor(x, dtype=torch.float32))], [y], dtype=torch.float64)
    assert abs(grad.item() - grad64.item()) <= 2 * torch.finfo(torch.float32).eps
    assert abs(loss.item() - loss64.item()) <= 4 * torch.finfo(torch.float32).eps * max(1.0, loss64.item())


@settings(max_examples=200, deadline=None)
@given(scale=st.floats(0.0, 60.0), dtype=st.sampled_from(["float16", "bfloat16", "float32", "float64"]))
def test_clamped_elements_cost_100_times_the_wrong_side(scale, dtype):
    """Test that on the seed at any slider scale and dtype, every element whose σ(x) rounded to 1 (or 0)
    costs exactly 100·(1 − y) (or 100·y) through BCELoss (why_clamp_one / why_clamp_zero)."""
    from tests.claims._torch_facts import TORCH_DTYPES
    dt = TORCH_DTYPES[dtype]
    x = torch.tensor(SEED_X, dtype=dt) * scale
    y = torch.tensor(SEED_Y, dtype=dt)
    s = torch.sigmoid(x)
    naive = F.binary_cross_entropy(s, y, reduction="none")
    one, zero = s == 1, s == 0
    assert torch.equal(naive[one].double(), (100 * (1 - y[one])).double())
    assert torch.equal(naive[zero].double(), (100 * y[zero]).double())


@pytest.mark.parametrize("lang", LANGS)
def test_parting_caption_names_the_limit_that_breaks(lang):
    """Test that when a negative logit with y = 1 breaks first, the parting caption names σ == 0 at −88.72
    (and that the positive case still names 16.6355, σ == 1)."""
    at = open_page("bce_vs_logits", lang, bl_x="-2, 0.1", bl_y="1, 0", bl_scale="45")
    limit = F32["zero"] / -2.0  # element [0] breaks first: −2 · 44.36 reaches σ == 0
    assert limit < F32["one"] / 0.1
    caption = next(c.value for c in at.caption if f"{limit:.4g}" in c.value)
    assert repr(F32["zero"]) in caption and "σ(x) == 0.0" in caption and "16.6355" not in caption, caption
    naive, _ = naive_bce(torch.tensor([-2.0, 0.1]) * 45, [1.0, 0.0])
    assert naive[0].item() == 100.0 and torch.sigmoid(torch.tensor(-90.0)).item() == 0.0
    at = open_page("bce_vs_logits", lang, bl_scale="20")
    caption = next(c.value for c in at.caption if "σ(x) == 1.0" in c.value)
    assert repr(F32["one"]) in caption, caption


def test_task_t2_done_names_float16s_limit():
    """Test that task t2's done message names torch's float16 limit: σ(x) == 1 from x = 8.3203125."""
    assert torch.sigmoid(torch.tensor(8.3203125, dtype=torch.float16)).item() == 1.0
    assert torch.sigmoid(torch.tensor(8.3125, dtype=torch.float16)).item() < 1.0
    for s in both("bce_vs_logits.task_t2_done"):
        assert any(abs(v - saturation("float16")["one"]) < 5e-3 for v in numbers(s)), s


def test_texts_exist_in_both_languages():
    """Test that every key tested here exists in both catalogs."""
    assert text("zh", "bce_vs_logits.parting") and text("en", "bce_vs_logits.parting")


def test_seed_elements_differ_only_within_float_rounding():
    """Test that on the seed every element's two float32 routes differ by at most 16 units in the last place, while
    some differ at all, so "0 of 8 differ by more than float rounding" and "same to float rounding" are true
    (elements_summary, table_hint, why_same, parted_rounding)."""
    naive, _ = naive_bce(SEED_X, SEED_Y)
    stable, _ = stable_bce(SEED_X, SEED_Y)
    eps = torch.finfo(torch.float32).eps
    assert ((naive - stable).abs() <= 16 * eps * stable.abs().clamp(min=1)).all() and (naive != stable).any()
    for s in both("bce_vs_logits.elements_summary"):
        assert "16" in s


def test_routes_part_past_scale_10_4_in_float32():
    """Test quiz q3 "same"'s hint and task t1: scaling the seed past ≈10.4 in float32 makes its largest logit 1.6 reach
    16.6355, where σ == 1 and the y = 0 element costs 100 (the parting caption's 10.4)."""
    lim = F32["one"] / 1.6
    assert 10.39 < lim < 10.41
    x = (torch.tensor(SEED_X) * 10.5)
    naive, _ = naive_bce(x, SEED_Y)
    stable, _ = stable_bce(x, SEED_Y)
    assert naive[1, 3].item() == 100.0 and stable[1, 3].item() == pytest.approx(16.8, rel=1e-6)
    x = (torch.tensor(SEED_X) * 10.3)
    assert (naive_bce(x, SEED_Y)[0] < 100).all()


def test_takeaway_advice_sigmoid_only_for_reporting():
    """Test the takeaway's advice: BCEWithLogitsLoss(x, y) equals BCELoss(sigmoid(x), y) to float precision where σ does
    not saturate (so dropping the final sigmoid changes nothing there) and stays finite where it does."""
    x = torch.linspace(-15, 15, 301, dtype=torch.float64)
    y = (torch.arange(301) % 2).double()
    torch.testing.assert_close(stable_bce(x, y, torch.float64)[0], naive_bce(x, y, torch.float64)[0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("params", "done"), [({"bl_scale": "5.3"}, True), ({"bl_scale": "6"}, False),
                                              ({"bl_scale": "5.1"}, False),
                                              ({"bl_scale": "9", "bl_x": "-2, 0.1", "bl_y": "1, 0"}, False)])
def test_task_t2_only_at_the_smallest_float16_scale(params, done):
    """Test that task t2 ("float16: σ(x) == 1 from x = 8.3203") is accepted only within one slider step above the scale
    where the seed's largest logit 1.6 reaches 8.3203125 (5.2002), not beyond, not before, and not when a negative logit
    breaks first (at σ == 0)."""
    one = saturation("float16")["one"]
    assert one == 8.3203125 and 5.2 < one / 1.6 < 5.3
    x = torch.tensor([[float(v) for v in r.split(",")] for r in params.get("bl_x", "0.4, 0.7, 1.2, 0.3; 1.1, 0.6, 0.9, 1.6").split(";")],
                     dtype=torch.float16) * float(params["bl_scale"])
    y = torch.tensor([[float(v) for v in r.split(",")] for r in params.get("bl_y", "1, 0, 1, 0; 0, 1, 1, 0").split(";")], dtype=torch.float16)
    if "bl_x" not in params:  # the seed: an element saturates from scale 5.3 on (its 1.6 · 5.3 ≥ 8.3203)
        assert bool(((torch.sigmoid(x) == 1) & (y < 1)).any()) == (float(params["bl_scale"]) >= 5.3)
    else:
        assert not bool((torch.sigmoid(x) == 1).any()) and bool((torch.sigmoid(x) == 0).any())
    at = open_page("bce_vs_logits", bl_dtype="float16", **params)
    assert ("task_bce_vs_logits_t2" in at.session_state["quiz_done"]) == done
