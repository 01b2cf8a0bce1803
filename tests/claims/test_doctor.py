"""Claims of the Your tensors page (section doctor): every computable sentence, checked in torch.

The findings' texts are filled from the same cases the page shows; each test below computes the
fact a sentence states (registry: tests/claims/registry/doctor.toml)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.doctor import explain
from lossviz.text.i18n import LOCALES, translate

SIG1 = 1 / (1 + math.exp(-1))


def both(key: str, **params) -> list[str]:
    return [translate(lang, key, **params) for lang in ("en", "zh")]


def test_intro_names_torch_213_and_the_explain_call():
    """Test that the intro's torch version is this torch's, and its one-line call prints an explanation."""
    assert torch.__version__.startswith("2.13")
    for lang in ("en", "zh"):
        assert "2.13" in (LOCALES / lang / "prose" / "doctor_intro.md").read_text(encoding="utf-8")
    import lossviz

    text = str(lossviz.explain(torch.nn.CrossEntropyLoss(), torch.randn(4, 3), torch.tensor([0, 1, 2, 1])))
    assert "torch 2.13" in text and "findings" in text


@settings(max_examples=200, deadline=None)
@given(z=st.floats(-1e6, 1e6))
def test_sigmoid_twice_stays_in_half_to_sigma_1(z):
    """Test f_sigmoid_twice_bce/_logits: σ(σ(z)) lies in [0.5, σ(1) = 0.7311] for every z (float64)."""
    s = torch.sigmoid(torch.sigmoid(torch.tensor(z, dtype=torch.float64))).item()
    assert 0.5 <= s <= SIG1 + 1e-12
    assert f"{SIG1:.4f}" == "0.7311"


def test_saturated_sigmoid_costs_100_and_zero_gradient():
    """Test f_saturated_bce: float32 σ(x) == 1 from x = 16.64 (not at 16.6), BCELoss clamps log at −100 (cost 100),
    and the gradient back through the saturated sigmoid is exactly 0."""
    assert torch.sigmoid(torch.tensor(16.64)).item() == 1.0 and torch.sigmoid(torch.tensor(16.6)).item() < 1.0
    x = torch.tensor([20.0], requires_grad=True)
    loss = F.binary_cross_entropy(torch.sigmoid(x), torch.tensor([0.0]))
    loss.backward()
    assert loss.item() == 100.0 and x.grad.item() == 0.0


def test_half_precision_sigmoid_rounds_to_one():
    """Test f_half_precision_bce: σ(x) is exactly 1.0 from x = 8.32 in float16 and 6.25 in bfloat16 (not just below),
    where BCELoss with target 0 jumps to 100; the float32 fix computes the finite loss."""
    for dtype, edge, below in ((torch.float16, 8.32, 8.3), (torch.bfloat16, 6.25, 6.2)):
        assert torch.sigmoid(torch.tensor(edge, dtype=dtype)).item() == 1.0
        assert torch.sigmoid(torch.tensor(below, dtype=dtype)).item() < 1.0
        p = torch.sigmoid(torch.tensor([edge], dtype=dtype))
        assert F.binary_cross_entropy(p.float(), torch.tensor([0.0])).item() == 100.0


def test_probabilities_to_cross_entropy_cannot_reach_zero():
    """Test f_probabilities_to_ce_rows and its fix: softmaxed twice, the loss stays ≥ −log(e / (e + C − 1)) > 0 even
    for a perfect one-hot input, and F.nll_loss(torch.log(p), y) equals CrossEntropyLoss on the logits."""
    for c in (2, 5, 10):
        p = torch.eye(c)
        floor = -math.log(math.e / (math.e + c - 1))
        assert F.cross_entropy(p, torch.arange(c)).item() == pytest.approx(floor, rel=1e-6) and floor > 0
    x, y = torch.randn(6, 4) * 3, torch.randint(0, 4, (6,))
    assert F.nll_loss(torch.log(torch.softmax(x, 1)), y).item() == pytest.approx(F.cross_entropy(x, y).item(), rel=1e-5)
    e = explain("cross_entropy", torch.softmax(x, 1), y)
    assert e.findings[0].key == "probabilities_to_ce_rows"


def test_bce_with_logits_targets_outside_01_go_negative():
    """Test f_target_outside_01(_negative) and fix_target_pm1: targets outside [0, 1] give a loss without lower bound
    (negative, falling as the logit grows), and (y + 1) / 2 maps ±1 labels into [0, 1] where it is ≥ 0."""
    y = torch.tensor([2.0])
    values = [F.binary_cross_entropy_with_logits(torch.tensor([v]), y).item() for v in (1.0, 10.0, 100.0)]
    assert values[0] > values[1] > values[2] and values[2] < -90
    x, pm = torch.randn(8) * 3, torch.tensor([1.0, -1.0] * 4)
    assert F.binary_cross_entropy_with_logits(x, (pm + 1) / 2).item() >= 0
    e = explain("binary_cross_entropy_with_logits", torch.tensor([3.0, -2.0, 4.0, 0.5]), torch.tensor([1.0, -1.0, 1.0, -1.0]))
    assert e.findings[0].key == "target_outside_01_negative" and float(e.value) < 0
    assert e.findings[0].params["value"] in translate("en", "doctor.f_target_outside_01_negative", **e.findings[0].params)


def test_class_dimension_and_range_errors():
    """Test f_class_dim_last, f_class_out_of_range and their fixes: (B, T, V) logits with (B, T) targets raise, the
    permute(0, 2, 1) call runs; labels 1..C raise IndexError and target − 1 runs; a negative marker works as ignore_index."""
    x, y = torch.randn(2, 7, 5), torch.randint(0, 5, (2, 7))
    with pytest.raises(RuntimeError):
        F.cross_entropy(x, y)
    assert math.isfinite(F.cross_entropy(x.permute(0, 2, 1), y).item())
    x, y = torch.randn(6, 3), torch.tensor([1, 2, 3, 1, 2, 3])
    with pytest.raises(IndexError):
        F.cross_entropy(x, y)
    assert math.isfinite(F.cross_entropy(x, y - 1).item())
    y = torch.tensor([0, 1, -1, 2, -1, 0])
    assert F.cross_entropy(x, y, ignore_index=-1).item() == pytest.approx(F.cross_entropy(x[y >= 0], y[y >= 0]).item())


def test_all_ignored_is_nan_and_sum_is_zero():
    """Test f_all_ignored and its fix: every target ignored gives NaN with 'mean', 0 with 'sum'."""
    x, y = torch.randn(4, 3), torch.full((4,), -100)
    assert math.isnan(F.cross_entropy(x, y).item()) and F.cross_entropy(x, y, reduction="sum").item() == 0.0


def test_smoothing_with_weights_index_and_probability_targets_differ():
    """Test f_smoothing_with_weights and fix_smoothing_onehot: with class weights and ε > 0 index targets and the same
    targets one-hot give different means; without weights (or without ε) they agree."""
    x, y, w = torch.randn(6, 3) * 3, torch.tensor([0, 1, 2, 0, 1, 2]), torch.tensor([1.0, 2.0, 4.0])
    hot = F.one_hot(y, 3).float()
    a, b = F.cross_entropy(x, y, weight=w, label_smoothing=0.1), F.cross_entropy(x, hot, weight=w, label_smoothing=0.1)
    assert abs(a.item() - b.item()) > 1e-3
    assert F.cross_entropy(x, y, label_smoothing=0.1).item() == pytest.approx(F.cross_entropy(x, hot, label_smoothing=0.1).item(), rel=1e-5)


def test_uniform_logits_give_ln_c():
    """Test f_untrained: logits that give every class the same score make the loss exactly ln C (ln 2 for BCE)."""
    for c in (2, 3, 10):
        assert F.cross_entropy(torch.zeros(5, c), torch.randint(0, c, (5,))).item() == pytest.approx(math.log(c), rel=1e-6)
    assert F.binary_cross_entropy_with_logits(torch.zeros(4), torch.tensor([0.0, 1.0, 1.0, 0.0])).item() == pytest.approx(math.log(2))


def test_reductions_divide_as_said():
    """Test red_weighted, red_counted, red_numel, red_prob, red_sum: what 'mean' divides by, per loss and target kind."""
    x, y, w = torch.randn(5, 3), torch.tensor([0, 2, -100, 1, 2]), torch.tensor([1.0, 2.0, 0.5])
    keep = y != -100
    ln = F.cross_entropy(x, y, reduction="none")
    assert F.cross_entropy(x, y, weight=w).item() == pytest.approx((w[y[keep]] * ln[keep]).sum().item() / w[y[keep]].sum().item(), rel=1e-5)
    assert F.cross_entropy(x, y).item() == pytest.approx(ln[keep].sum().item() / int(keep.sum()), rel=1e-5)
    assert F.cross_entropy(x, y, reduction="sum").item() == pytest.approx(ln.sum().item(), rel=1e-5)
    p, t, bw = torch.rand(4, 3) * 0.9 + 0.05, torch.rand(4, 3), torch.tensor([1.0, 3.0, 0.5])
    assert F.binary_cross_entropy(p, t, weight=bw).item() == pytest.approx(
        F.binary_cross_entropy(p, t, weight=bw, reduction="sum").item() / p.numel(), rel=1e-5)
    soft = torch.softmax(torch.randn(5, 3), 1)
    assert F.cross_entropy(x, soft, weight=w).item() == pytest.approx(F.cross_entropy(x, soft, weight=w, reduction="sum").item() / 5, rel=1e-5)


def test_bce_needs_the_same_shape():
    """Test size_mismatch: BCELoss and BCEWithLogitsLoss refuse a target with a different number of elements."""
    with pytest.raises(ValueError):
        F.binary_cross_entropy(torch.rand(8), torch.rand(7))
    with pytest.raises(ValueError):
        F.binary_cross_entropy_with_logits(torch.randn(8), torch.rand(7))
    e = explain("binary_cross_entropy", torch.rand(8), torch.rand(7))
    assert e.error and "7 elements" in translate("en", "doctor.size_mismatch", target=7, input=8)


def test_clean_inputs_show_no_finding_text():
    """Test no_findings: the page's default example (4 × 3 logits, class indices) triggers none of the ten checks."""
    from lossviz.doctor.findings import CHECKS
    from lossviz.lessons import doctor

    x = doctor.read_text(doctor.EXAMPLE_X)
    assert len(CHECKS) == 10 and explain("cross_entropy", x, doctor.read_text(doctor.EXAMPLE_T, target_of=x)).findings == ()



def test_upload_refusals_have_their_codes():
    """Test error.doctor_file_*: too many values, neither .npy nor .pt, a .npy of strings, a .pt holding a non-tensor,
    each refused with its own code (and the too_big / refused cases in tests/unit/test_doctor_parse.py)."""
    import io

    import numpy as np

    from lossviz.doctor import ParseError, load_tensors

    def npy(a) -> bytes:
        buf = io.BytesIO()
        np.save(buf, a)
        return buf.getvalue()

    def pt(obj) -> bytes:
        buf = io.BytesIO()
        torch.save(obj, buf)
        return buf.getvalue()

    cases = [(npy(np.zeros(100)), {"max_elements": 10}, "doctor_file_too_many"), (b"hello", {}, "doctor_file_kind"),
             (npy(np.array(["a", "b"])), {}, "doctor_file_content"), (pt({"x": torch.zeros(2), "n": 3}), {}, "doctor_file_content")]
    for data, kw, code in cases:
        with pytest.raises(ParseError) as info:
            load_tensors(data, **kw)
        assert info.value.code == code


def test_class_dim_last_is_not_also_called_out_of_range():
    """Test f_class_dim_last alone: (B, T, V) logits whose labels reach V − 1 ≥ T are not also reported as out of range."""
    x, y = torch.randn(6, 4, 5) * 3, torch.tensor([[0, 4, 1, 2]] * 6)
    e = explain("cross_entropy", x, y)
    assert [f.code for f in e.findings] == ["class_dim_last"]
    assert math.isfinite(F.cross_entropy(x.permute(0, 2, 1), y).item())


def _page_default():
    from lossviz.doctor import parse_tensor

    x = parse_tensor("tensor([[ 2.0, -1.0,  0.5], [ 0.1,  1.2, -0.3], [-1.5,  0.3,  2.2], [ 0.7,  0.7, -2.0]])")
    y = parse_tensor("tensor([0, 1, 2, 1])")
    return explain("cross_entropy", x, y)


def test_lossviz_note_says_agrees_only_for_the_same_number_and_close_otherwise():
    """Test lv_agrees / lv_close: "agrees with torch" is said only when lossviz's value is torch's to the bit; the
    page's default float32 case is 1 ulp apart, so it says "to within float32 rounding: the last digits differ"."""
    from lossviz.lessons.doctor import lossviz_key

    e = _page_default()
    ours, theirs = float(e.lossviz_value), float(e.value)
    assert lossviz_key(e) == "doctor.lv_close" and ours != theirs
    assert abs(ours - theirs) <= 4 * torch.finfo(torch.float32).eps * abs(theirs)
    assert e.input_dtype == "float32"
    e64 = explain("binary_cross_entropy_with_logits", torch.tensor([0.3, -1.2], dtype=torch.float64),
                  torch.tensor([1.0, 0.0], dtype=torch.float64))
    same = float(e64.value) == float(e64.lossviz_value)
    assert lossviz_key(e64) == ("doctor.lv_agrees" if same else "doctor.lv_close")
