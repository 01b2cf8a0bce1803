"""Tests of ``lossviz.explain``: torch's value, the reduction's parts, the worst elements, and
every finding — each triggered by its own case, and none by clean random inputs."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import lossviz
from lossviz.doctor import explain, parse_loss_call
from lossviz.doctor.explain import MAX_ROWS


@pytest.fixture(autouse=True)
def seeded():
    """Every test draws the same numbers, whatever ran before it."""
    torch.manual_seed(0)


def codes(e) -> list[str]:
    return [f.code for f in e.findings]


CALLS = [
    (nn.BCELoss(), lambda: (torch.rand(4, 3) * 0.9 + 0.05, torch.randint(0, 2, (4, 3)).float())),
    (nn.BCELoss(weight=torch.tensor([1.0, 2.0, 0.5])), lambda: (torch.rand(4, 3) * 0.9 + 0.05, torch.rand(4, 3))),
    (nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0, 1.0, 0.5])),
     lambda: (torch.randn(4, 3) * 3, torch.randint(0, 2, (4, 3)).float())),
    (nn.BCEWithLogitsLoss(reduction="sum"), lambda: (torch.randn(5) * 3, torch.rand(5))),
    (nn.CrossEntropyLoss(), lambda: (torch.randn(6, 4) * 3, torch.randint(0, 4, (6,)))),
    (nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 3.0, 0.5]), ignore_index=1, label_smoothing=0.1),
     lambda: (torch.randn(6, 4, 2) * 3, torch.randint(0, 4, (6, 2)))),
    (nn.CrossEntropyLoss(), lambda: (torch.randn(6, 4) * 3, torch.softmax(torch.randn(6, 4), 1))),
    (nn.NLLLoss(weight=torch.tensor([1.0, 2.0, 3.0])), lambda: (torch.log_softmax(torch.randn(5, 3) * 3, 1),
                                                               torch.randint(0, 3, (5,)))),
    (nn.CrossEntropyLoss(reduction="none"), lambda: (torch.randn(6, 4) * 3, torch.randint(0, 4, (6,)))),
]


@pytest.mark.parametrize(("module", "make"), CALLS, ids=[f"{i}-{type(m).__name__}" for i, (m, _) in enumerate(CALLS)])
def test_value_and_gradient_equal_torch(module, make):
    """Test that explain's value and gradient are torch's own for each loss kind and option."""
    x, y = make()
    xg = x.clone().requires_grad_(True)
    want = module(xg, y)
    (g,) = torch.autograd.grad(want.sum(), xg)
    e = explain(module, x, y)
    assert e.error is None
    np.testing.assert_array_equal(e.value, want.detach().numpy())
    np.testing.assert_array_equal(e.grad, g.numpy())
    smoothing_with_weights = getattr(module, "label_smoothing", 0) > 0 and module.weight is not None
    assert codes(e) == (["smoothing_with_weights"] if smoothing_with_weights else [])


@pytest.mark.parametrize(("module", "make"), CALLS[:8], ids=[f"{i}-{type(m).__name__}" for i, (m, _) in enumerate(CALLS[:8])])
def test_numerator_over_denominator_is_the_value(module, make):
    """Test that the reduction's numerator / denominator reproduces torch's value."""
    x, y = make()
    e = explain(module, x.numpy(), y.numpy())
    r = e.reduction
    assert r.numerator / r.denominator == pytest.approx(float(e.value), rel=1e-5)


def test_lossviz_cross_check_agrees():
    """Test that lossviz's own value is computed and agrees with torch for the losses it has."""
    e = explain("binary_cross_entropy_with_logits", np.float32([0.5, 0.3, 1.2]), np.float32([0, 1, 1]))
    assert e.lossviz_note == "agrees with torch"
    np.testing.assert_allclose(e.lossviz_value, e.value, rtol=1e-6)


def test_seed_002_exactly():
    """Test that seed 002 gives BCELoss 0.3190375864505768 and CrossEntropyLoss 0.7971159815788269."""
    pred, label = torch.tensor([0.8, 0.2, 0.4]), torch.tensor([1.0, 0.0, 0.0])
    assert float(explain(nn.BCELoss(), pred, label).value) == pytest.approx(0.3190375864505768, abs=1e-7)
    e = explain(nn.CrossEntropyLoss(), pred, label)
    assert float(e.value) == pytest.approx(0.7971159815788269, abs=1e-7)
    assert codes(e) == ["probabilities_to_ce"]
    assert e.findings[0].fixed_value == pytest.approx(0.3190375864505768, abs=1e-7)


def test_a_fix_in_another_loss_does_not_inherit_options():
    """Test that seed 002's BCELoss fix ignores the CrossEntropyLoss class weight (it is no BCE weight)."""
    e = explain(nn.CrossEntropyLoss(weight=torch.tensor([1.0, 5.0, 1.0])), torch.tensor([0.8, 0.2, 0.4]),
                torch.tensor([1.0, 0.0, 0.0]))
    assert e.findings[0].fixed_value == pytest.approx(0.3190375864505768, abs=1e-7)


def test_torch_error_is_reported_exactly():
    """Test that torch's exception type and message are kept word for word."""
    x, y = torch.randn(3, 4), torch.randint(0, 4, (5,))
    with pytest.raises(ValueError) as info:
        F.cross_entropy(x, y)
    e = explain("cross_entropy", x, y)
    assert e.error == f"ValueError: {info.value}"
    assert e.value is None and e.rows == () and e.reduction is None


def test_worst_elements_first_and_capped():
    """Test that the table lists the worst elements first, at most MAX_ROWS of them."""
    x, y = torch.randn(300) * 3, torch.randint(0, 2, (300,)).float()
    e = explain("binary_cross_entropy_with_logits", x, y)
    losses = F.binary_cross_entropy_with_logits(x, y, reduction="none").numpy()
    assert len(e.rows) == MAX_ROWS
    assert [r.loss for r in e.rows] == pytest.approx(sorted(losses, reverse=True)[:MAX_ROWS])
    assert e.rows[0].index == (int(np.argmax(losses)),)


def test_ignored_elements_are_counted():
    """Test that ignored targets are counted and marked in the table."""
    e = explain("cross_entropy", torch.randn(4, 3) * 3, torch.tensor([0, -100, 2, -100]))
    assert (e.reduction.ignored, e.reduction.counted, e.reduction.denominator) == (2, 2, 2.0)
    assert sum(r.ignored for r in e.rows) == 2


def test_module_attributes_and_kwargs_are_read():
    """Test that a module's options are read, keywords override them, and a pasted line works too."""
    x, y = torch.randn(4, 3) * 3, torch.randint(0, 3, (4,))
    w = torch.tensor([1.0, 2.0, 3.0])
    want = F.cross_entropy(x, y, weight=w, label_smoothing=0.2)
    assert float(explain(nn.CrossEntropyLoss(weight=w, label_smoothing=0.2), x, y).value) == float(want)
    assert float(explain("CrossEntropyLoss", x, y, weight=w, label_smoothing=0.2).value) == float(want)
    call = parse_loss_call("nn.CrossEntropyLoss(weight=torch.tensor([1., 2., 3.]), label_smoothing=0.2)")
    assert float(explain(call, x, y).value) == float(want)
    with pytest.raises(TypeError):
        explain("binary_cross_entropy", x, y, label_smoothing=0.1)


def test_lossviz_explain_is_exposed_and_import_stays_light():
    """Test that lossviz.explain is the doctor's explain and `import lossviz` imports neither it nor torch."""
    assert lossviz.explain is explain
    code = "import sys, lossviz; print('torch' in sys.modules, 'lossviz.doctor' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_text_and_html():
    """Test that str() and _repr_html_ show the value, the findings and the lesson; HTML escapes user text."""
    e = explain(nn.BCEWithLogitsLoss(), torch.tensor([0.5, 0.3]), torch.tensor([2.0, -1.0]))
    text = str(e)
    assert "target_outside_01" in text and "negative-loss" in text and f"{float(e.value):.8g}" in text
    bad = explain("cross_entropy", torch.randn(2, 3), torch.tensor([0, 1]), reduction="<script>x</script>")
    assert bad.error is not None and "<script>" in bad.error
    page = bad._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="http://localhost:8501/negative-loss"' in e._repr_html_()


# ------------------------------------------------------------ one per finding ----

def test_finds_probabilities_passed_to_cross_entropy():
    """Test that softmaxed rows passed to CrossEntropyLoss are found, with the NLL-of-log fix."""
    logits, y = torch.randn(8, 5) * 3, torch.randint(0, 5, (8,))
    e = explain(nn.CrossEntropyLoss(), torch.softmax(logits, 1), y)
    assert codes(e) == ["probabilities_to_ce"]
    assert e.findings[0].fixed_value == pytest.approx(float(F.cross_entropy(logits, y)), rel=1e-5)


def test_finds_inputs_all_in_0_1_passed_to_cross_entropy():
    """Test that CrossEntropyLoss inputs all in [0, 1] (sigmoid outputs, say) are questioned."""
    e = explain(nn.CrossEntropyLoss(), torch.rand(4, 5), torch.randint(0, 5, (4,)))
    assert codes(e) == ["probabilities_to_ce"] and e.findings[0].lesson == "softmax-ce"


def test_finds_a_sigmoid_applied_twice():
    """Test that σ(σ(z)) passed to BCELoss, and probabilities passed to BCEWithLogitsLoss, are found."""
    z, y = (torch.randn(16) * 2).clamp(-4, 4), torch.randint(0, 2, (16,)).float()
    e = explain(nn.BCELoss(), torch.sigmoid(torch.sigmoid(z)), y)
    assert codes(e) == ["sigmoid_twice"]
    # undoing a sigmoid in float32 loses digits near σ(z) = 0 or 1: hence rel=1e-3
    assert e.findings[0].fixed_value == pytest.approx(float(F.binary_cross_entropy(torch.sigmoid(z), y)), rel=1e-3)
    assert codes(explain(nn.BCEWithLogitsLoss(), torch.sigmoid(z), y)) == ["sigmoid_twice"]


def test_finds_bce_with_logits_targets_outside_0_1():
    """Test that ±1 labels are found (negative loss) with the (y+1)/2 fix."""
    x, y = torch.tensor([3.0, -2.0, 4.0, 0.5]), torch.tensor([1.0, -1.0, 1.0, -1.0])
    e = explain(nn.BCEWithLogitsLoss(), x, y)
    assert float(e.value) < 0 and codes(e) == ["target_outside_01"]
    assert "negative" in e.findings[0].message
    assert e.findings[0].fixed_value == pytest.approx(float(F.binary_cross_entropy_with_logits(x, (y + 1) / 2)))


def test_finds_saturated_inputs_to_bce():
    """Test that probabilities at exactly 0 or 1 (loss 100, zero gradient upstream) are found."""
    p = torch.sigmoid(torch.tensor([20.0, -2.0, 0.5, 1.0]))
    e = explain(nn.BCELoss(), p, torch.tensor([0.0, 0.0, 1.0, 1.0]))
    assert codes(e) == ["saturated_bce"] and e.rows[0].loss == 100.0


def test_finds_the_class_dimension_last():
    """Test that (B, T, V) logits with (B, T) targets are found, with the permute fix's value."""
    x, y = torch.randn(4, 7, 5) * 3, torch.randint(0, 5, (4, 7))
    e = explain(nn.CrossEntropyLoss(), x, y)
    assert e.error is not None and codes(e) == ["class_dim_last"]
    assert "permute(0, 2, 1)" in e.findings[0].fix
    assert e.findings[0].fixed_value == pytest.approx(float(F.cross_entropy(x.permute(0, 2, 1), y)))


def test_finds_classes_out_of_range():
    """Test that labels numbered 1..C are found, with the target - 1 fix."""
    x, y = torch.randn(6, 3) * 3, torch.tensor([1, 2, 3, 1, 2, 3])
    e = explain(nn.CrossEntropyLoss(), x, y)
    assert e.error.startswith("IndexError") and codes(e) == ["class_out_of_range"]
    assert e.findings[0].fixed_value == pytest.approx(float(F.cross_entropy(x, y - 1)))


def test_finds_every_target_ignored():
    """Test that a batch where every target is ignored (NaN mean) is found."""
    e = explain(nn.CrossEntropyLoss(), torch.randn(4, 3) * 3, torch.full((4,), -100))
    assert math.isnan(float(e.value)) and codes(e) == ["all_ignored"]
    assert e.findings[0].fixed_value == 0.0


def test_finds_float16_inputs_to_bce():
    """Test that float16 probabilities passed to BCELoss are found."""
    p = (torch.rand(6) * 0.9 + 0.05).half()
    e = explain(nn.BCELoss(), p, torch.randint(0, 2, (6,)).half())
    assert codes(e) == ["half_precision_bce"]


def test_finds_label_smoothing_with_class_weights():
    """Test that label smoothing with class weights is found, with the probability-target value."""
    x, y, w = torch.randn(6, 3) * 3, torch.randint(0, 3, (6,)), torch.tensor([1.0, 2.0, 4.0])
    e = explain(nn.CrossEntropyLoss(weight=w, label_smoothing=0.1), x, y)
    assert codes(e) == ["smoothing_with_weights"]
    onehot = F.one_hot(y, 3).float()
    assert e.findings[0].fixed_value == pytest.approx(float(F.cross_entropy(x, onehot, weight=w, label_smoothing=0.1)))


def test_finds_a_loss_stuck_at_ln_c():
    """Test that untrained logits (loss ≈ ln C, ln 2) are found."""
    e = explain(nn.CrossEntropyLoss(), torch.randn(8, 10) * 0.01, torch.randint(0, 10, (8,)))
    assert codes(e) == ["untrained"] and "ln 10" in e.findings[0].message
    e = explain(nn.BCEWithLogitsLoss(), torch.randn(8) * 0.01, torch.randint(0, 2, (8,)).float())
    assert codes(e) == ["untrained"]


# --------------------------------------------------------- clean inputs: none ----

@settings(max_examples=120, deadline=None, derandomize=True)
@given(kind=st.sampled_from(["bce", "bce_logits", "ce_index", "ce_prob", "ce_kdim", "nll"]),
       n=st.integers(1, 12), c=st.integers(2, 6), scale=st.floats(2.0, 6.0), seed=st.integers(0, 2**31 - 1),
       reduction=st.sampled_from(["mean", "sum"]))
def test_clean_random_inputs_trigger_no_finding(kind, n, c, scale, seed, reduction):
    """Test that well-formed random inputs of every loss kind produce no finding."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=g) * scale
    if kind == "bce":
        p = torch.sigmoid(logits.clamp(-15, 15))  # σ rounds to exactly 1.0 from 16.64: that is saturation, not clean
        e = explain(nn.BCELoss(reduction=reduction), p, torch.randint(0, 2, (n, c), generator=g).float())
    elif kind == "bce_logits":
        e = explain(nn.BCEWithLogitsLoss(reduction=reduction), logits, torch.rand(n, c, generator=g))
    elif kind == "ce_index":
        e = explain(nn.CrossEntropyLoss(reduction=reduction), logits, torch.randint(0, c, (n,), generator=g))
    elif kind == "ce_prob":
        e = explain(nn.CrossEntropyLoss(reduction=reduction), logits, torch.softmax(torch.randn(n, c, generator=g), 1))
    elif kind == "ce_kdim":
        x = torch.randn(n, c, 3, generator=g) * scale
        e = explain(nn.CrossEntropyLoss(reduction=reduction), x, torch.randint(0, c, (n, 3), generator=g))
    else:
        e = explain(nn.NLLLoss(reduction=reduction), torch.log_softmax(logits, 1), torch.randint(0, c, (n,), generator=g))
    assert e.error is None
    assert e.findings == (), str(e)
