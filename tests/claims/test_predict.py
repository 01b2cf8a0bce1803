"""The predict-first questions (locales/*/predict.toml, lossviz/lessons/predict.py): every true value
and every number in a reveal computed in torch; the general claims over their whole range."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons.predict import questions
from lossviz.lessons.syllabus import LESSONS
from lossviz.text.i18n import catalog
from tests.torch_loops import reading_loss_run

LESSON_IDS = [lesson.id for lesson in LESSONS if lesson.section != "why"]


def q(page):
    (first,) = questions(page)[:1]
    return first


def close(a, b, rel=1e-9):
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-12)


@pytest.mark.parametrize("page", LESSON_IDS)
def test_every_lesson_has_a_predict_first_question_with_its_texts(page):
    """Test that each of lessons 1-10 has at least one question, with its question, reveal and options
    in both languages."""
    assert questions(page), page
    for lang in ("en", "zh"):
        cat = catalog(lang)
        for p in questions(page):
            keys = [p.key, p.key + "_why", *(f"{p.key}_{o}" for o in p.options)]
            assert all(k in cat for k in keys), [k for k in keys if k not in cat]


def test_sigmoid_bce_wrong_truth_and_growth():
    """Test the value −log σ(−3) in torch, and that a confidently wrong logit costs more the more
    confident it is, with no fixed maximum (≈ |x| for large |x|)."""
    p = q("sigmoid_bce")
    ref = TF.binary_cross_entropy_with_logits(torch.tensor(-3.0, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64))
    assert close(p.truth, ref)
    xs = torch.linspace(-1000, 0, 20001, dtype=torch.float64)
    loss = TF.binary_cross_entropy_with_logits(xs, torch.ones_like(xs), reduction="none")
    assert bool((loss[:-1] > loss[1:]).all())
    assert abs(float(loss[0]) - 1000.0) < 1e-9 and abs(float(loss[xs == -3.0][0]) - 3.0) < 0.05


def test_bce_vs_logits_x20_reports_the_clamp():
    """Test that float32 BCELoss(sigmoid(20), 0) is 100 (σ(20) == 1.0), and that softplus(20) ≈ 20 is what
    BCEWithLogitsLoss gives."""
    x = torch.tensor(20.0)
    assert float(torch.sigmoid(x)) == 1.0
    bce = TF.binary_cross_entropy(torch.sigmoid(x), torch.tensor(0.0))
    assert float(bce) == q("bce_vs_logits").truth == 100.0
    assert abs(float(TF.binary_cross_entropy_with_logits(x, torch.tensor(0.0))) - 20.0) < 1e-6


@pytest.mark.parametrize(("param", "dtype"), [("a", torch.bfloat16), ("b", torch.float32), ("c", torch.float64)])
def test_stability_one_options_are_where_each_dtype_saturates(param, dtype):
    """Test that each option is (to 2 decimals) the smallest x of that dtype with torch.sigmoid(x) == 1."""
    x0 = q("stability").params[param]
    xs = torch.arange(int((x0 - 0.05) * 10000), int((x0 + 0.05) * 10000), dtype=torch.float64) / 10000
    xs = xs.to(dtype)
    ones = torch.sigmoid(xs) == 1
    first = float(xs[ones.nonzero()[0, 0]])
    assert round(first, 2) == x0 and not bool(ones[: ones.nonzero()[0, 0]].any())


def test_stability_one_mechanism_and_the_right_option():
    """Test that float32 1 + exp(−x) rounds to 1 exactly when exp(−x) ≤ 2⁻²⁴ (around 24·ln 2), and that the
    keyed option is float32's."""
    one = torch.tensor(1.0)
    assert float(one + torch.tensor(2.0**-24)) == 1.0 and float(one + torch.tensor(2.0**-23)) > 1.0
    assert abs(24 * math.log(2) - q("stability").params["b"]) < 0.01
    assert q("stability").truth == "b"


def test_weights_recipe_is_negatives_over_positives():
    """Test the docs' recipe value (300 / 100 = 3, "three negatives") and that with it a positive's loss weighs
    three times a negative's in torch."""
    p = q("weights")
    assert p.truth == p.params["neg"] / p.params["pos"] == 3
    x = torch.tensor([0.3, 0.3], dtype=torch.float64)
    per = TF.binary_cross_entropy_with_logits(x, torch.tensor([1.0, 1.0], dtype=torch.float64), reduction="none",
                                              pos_weight=torch.tensor(3.0, dtype=torch.float64))
    plain = TF.binary_cross_entropy_with_logits(x, torch.tensor([1.0, 1.0], dtype=torch.float64), reduction="none")
    assert torch.allclose(per, 3 * plain)


def test_negative_sign_numbers():
    """Test −0.5 + softplus(−0.5) = −0.5 + 0.474 = −0.0259 in torch, and the keyed option."""
    x, y = torch.tensor(0.5, dtype=torch.float64), torch.tensor(2.0, dtype=torch.float64)
    loss = float(TF.binary_cross_entropy_with_logits(x, y))
    assert round(float(TF.softplus(-x)), 3) == 0.474 and round(loss, 4) == -0.0259
    assert q("negative").truth == "neg"


@settings(max_examples=60, deadline=None)
@given(y=st.floats(1.0001, 10.0), big=st.floats(10.0, 1e6))
def test_negative_target_above_one_has_no_lower_bound(y, big):
    """Test that for any target y > 1 the loss goes below any bound as x grows (here: below −(y−1)·big/2)."""
    loss = TF.binary_cross_entropy_with_logits(torch.tensor(big, dtype=torch.float64), torch.tensor(y, dtype=torch.float64))
    assert float(loss) < -(y - 1) * big / 2


def test_softmax_ce_uniform_is_ln_c():
    """Test CE([2, 2, 2, 2], 0) = ln 4 in torch."""
    x = torch.full((4,), 2.0, dtype=torch.float64)
    assert close(TF.cross_entropy(x, torch.tensor(0)), math.log(4)) and close(q("softmax_ce").truth, math.log(4))


@settings(max_examples=60, deadline=None)
@given(x=st.lists(st.floats(-50, 50), min_size=2, max_size=6), c=st.floats(-1e3, 1e3))
def test_adding_a_constant_to_every_logit_changes_nothing(x, c):
    """Test that CE is unchanged by adding the same number to every logit (in float64, to rounding)."""
    t = torch.tensor(x, dtype=torch.float64)
    a = TF.cross_entropy(t, torch.tensor(0))
    b = TF.cross_entropy(t + c, torch.tensor(0))
    assert abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(c))


def test_ce_vs_bce_larger_numbers():
    """Test the seed's 0.7971 / 0.3190 and softmax's 0.4506 for class 0 in torch, and the keyed option."""
    pred, label = torch.tensor([0.8, 0.2, 0.4]), torch.tensor([1.0, 0.0, 0.0])
    assert round(float(TF.cross_entropy(pred, label)), 4) == 0.7971
    assert round(float(TF.binary_cross_entropy(pred, label)), 4) == 0.3190
    assert round(float(torch.softmax(pred, 0)[0]), 4) == 0.4506
    assert q("ce_vs_bce").truth == "ce"


def test_ce_options_floor_is_the_smoothed_targets_entropy():
    """Test that the smoothed target is (0.925, 0.025, 0.025, 0.025), that its entropy is the keyed value, and
    that torch's loss with label_smoothing=0.1 reaches that value when the prediction equals the target and
    not below it (random logits never go lower)."""
    target = torch.tensor([0.925, 0.025, 0.025, 0.025], dtype=torch.float64)
    entropy = float(-(target * target.log()).sum())
    assert close(q("ce_options").truth, entropy)
    best = TF.cross_entropy(target.log()[None], torch.tensor([0]), label_smoothing=0.1)
    assert close(best, entropy)
    gen = torch.Generator().manual_seed(0)
    for _ in range(200):
        x = torch.randn(1, 4, generator=gen, dtype=torch.float64) * 5
        assert float(TF.cross_entropy(x, torch.tensor([0]), label_smoothing=0.1)) >= entropy - 1e-12


def test_mistakes_softmax_twice_numbers():
    """Test CE(softmax([10, 0, 0]), 0) in torch, the first softmax ≈ [0.9999, 0.00005, 0.00005] and the
    second ≈ [0.58, 0.21, 0.21]."""
    x = torch.tensor([10.0, 0.0, 0.0], dtype=torch.float64)
    p = torch.softmax(x, 0)
    assert close(q("mistakes").truth, TF.cross_entropy(p, torch.tensor(0)))
    assert [round(float(v), 4) for v in p] == [0.9999, 0.0, 0.0] and round(float(p[1]), 5) == 0.00005
    assert [round(float(v), 2) for v in torch.softmax(p, 0)] == [0.58, 0.21, 0.21]


@settings(max_examples=60, deadline=None)
@given(c=st.integers(2, 1000), scale=st.floats(0, 1e-3))
def test_train_init_near_zero_logits_give_about_ln_c(c, scale):
    """Test that logits within 1e-3 of 0 give a CE within 2e-3 of ln C, for any number of classes."""
    x = (torch.rand(c, dtype=torch.float64, generator=torch.Generator().manual_seed(c)) * 2 - 1) * scale
    assert abs(float(TF.cross_entropy(x, torch.tensor(0))) - math.log(c)) <= 2e-3
    assert close(q("train").truth, math.log(5))


def test_numbers_of_a_guess_are_read_strictly():
    """Test that a guess from a link is a finite number in range or an option id, else refused."""
    p = q("sigmoid_bce")
    assert p.read("3.05") == 3.05 and p.read("−1") is None and p.read("11") is None and p.read("nan") is None and p.read("1e309") is None
    assert p.read("x") is None and q("negative").read("neg") == "neg" and q("negative").read("NEG") is None
    diff, rel = p.off_by(3.0)
    assert close(diff, abs(3.0 - p.truth)) and close(rel, diff / p.truth)
    assert np.isfinite(p.truth)


def test_log_odds_nll_is_minus_log_likelihood_over_n():
    """Test that eight labels with likelihood 0.01 have mean BCE −log(0.01) / 8 = ln 100 / 8 ≈ 0.5756 in torch, that
    a probability 0.01^(1/8) ≈ 0.562 on every true label gives it, and that any eight probabilities with product
    0.01 give the same mean BCE."""
    p = q("log_odds")
    assert p.params == {"n": 8, "lik": 0.01}
    per_label = torch.full((8,), 0.01 ** (1 / 8), dtype=torch.float64)
    bce = TF.binary_cross_entropy(per_label, torch.ones(8, dtype=torch.float64))
    assert close(bce, math.log(100) / 8) and close(p.truth, bce) and round(0.01 ** (1 / 8), 3) == 0.562
    gen = torch.Generator().manual_seed(0)
    for _ in range(50):
        raw = torch.rand(8, generator=gen, dtype=torch.float64) + 0.1
        probs = raw * (0.01 / raw.prod()) ** (1 / 8)  # rescaled: product exactly 0.01
        if bool((probs < 1).all()):
            labels = (torch.rand(8, generator=gen) < 0.5).double()
            model = torch.where(labels == 1, probs, 1 - probs)  # σ's output: probs on the true labels
            assert close(TF.binary_cross_entropy(model, labels), math.log(100) / 8, rel=1e-12)


def test_entropy_kl_mean_is_batchmean_over_c():
    """Test, with torch's kl_div on the lesson's default sample in a batch of 2 × 4, that "batchmean" is the KL per
    sample and "mean" is it divided by C = 4 (Σ / (N·C)), that torch warns about "mean", and the keyed truth."""
    p = q("entropy_kl")
    x = torch.tensor([[2.0, 1.0, 0.1, -1.0]] * 2, dtype=torch.float64)
    y = torch.tensor([[0.7, 0.2, 0.1, 0.0]] * 2, dtype=torch.float64)
    logp = TF.log_softmax(x, 1)
    bm = TF.kl_div(logp, y, reduction="batchmean")
    with pytest.warns(UserWarning, match="divides the total loss by both the batch size and the support size"):
        mean = TF.kl_div(logp, y, reduction="mean")
    kl = (torch.special.entr(y[0]).sum().neg() - (y[0] * logp[0]).sum())  # Σ y log y − Σ y log p
    assert p.params == {"n": 2, "c": 4, "bm": pytest.approx(float(bm), rel=1e-12)}
    assert close(bm, kl) and close(mean, bm / 4) and close(mean, TF.kl_div(logp, y, reduction="sum") / 8)
    assert close(p.truth, mean) and p.is_right(float(mean)) and not p.is_right(float(bm))


def test_nll_pipeline_probs_is_minus_p_y():
    """Test that NLLLoss on softmax([2, 1, 0.1]) with target 0 is −p[0] ≈ −0.659 in torch, between −1 and 0, that
    CrossEntropyLoss on the same logits is −log 0.659 (the reveal's {ce}), and the keyed truth."""
    p = q("nll_pipeline")
    x, y = torch.tensor([[2.0, 1.0, 0.1]], dtype=torch.float64), torch.tensor([0])
    probs = torch.softmax(x, 1)
    wrong = TF.nll_loss(probs, y)
    assert close(wrong, -probs[0, 0]) and -1 < float(wrong) < 0 and round(float(probs[0, 0]), 3) == 0.659
    ce = TF.cross_entropy(x, y)
    assert close(ce, -math.log(float(probs[0, 0]))) and close(p.params["ce"], ce)
    assert close(p.truth, wrong) and p.is_right(float(wrong)) and not p.is_right(float(ce))


def test_reading_loss_val_acc_rises_with_the_val_loss():
    """Test, replaying lesson 15's run in torch (float64, SGD from zero), that the validation loss is lowest at the
    question's epoch {best} and higher at the last epoch while validation accuracy is higher too: the keyed "up"."""
    torch.set_num_threads(1)
    from lossviz.lessons import reading_loss as R

    run = reading_loss_run(R.toy_data(), lr=R.LR, epochs=R.EPOCHS)
    losses, accs = run["val_loss"], run["val_acc"]
    p = q("reading_loss")
    best = int(np.argmin(losses))
    assert p.params["best"] == best and p.params["epochs"] == R.EPOCHS
    assert close(p.params["bl"], losses[best], 1e-9) and close(p.params["el"], losses[-1], 1e-9)
    assert losses[-1] > losses[best] and accs[-1] > accs[best]
    assert p.truth == "up" and p.params["ba"] == accs[best] and p.params["ea"] == accs[-1]
