"""AppTest of lesson 9, Common mistakes: every number and error is torch's own."""

import pytest
import torch
import torch.nn.functional as F

from lossviz.lessons.mistakes import (
    FEATURES_AMP,
    LABELS,
    LABELS_1BASED,
    LOGITS_BIN,
    LOGITS_MC,
    MISTAKES,
    SEQ_B,
    SEQ_T,
    SEQ_V,
    TARGET_BIN,
    TARGET_MC,
    TARGET_SOFT,
    WEIGHT_AMP,
)
from lossviz.text.i18n import translate
from tests.app.helpers import metrics, open_page, raw_messages, texts

X = torch.tensor(LOGITS_MC)
Y = torch.tensor(TARGET_MC)
XB = torch.tensor(LOGITS_BIN)
YB = torch.tensor(TARGET_BIN)


def _codes(at) -> str:
    return "\n".join([str(c.value) for c in at.code] + raw_messages(at))


def _open(**params):
    at = open_page("mistakes", "en", **params)
    assert not at.exception
    return at


def _set(at, **values):
    for key, value in values.items():
        widget = {"mis_which": at.radio, "mis_amp": at.button_group, "mis_on": at.toggle}.get(key, at.slider)
        value = LABELS[value] if key == "mis_which" else value
        widget(key=key).set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def _loss_and_grad(fn, leaf):
    leaf = leaf.clone().requires_grad_(True)
    loss = fn(leaf)
    (g,) = torch.autograd.grad(loss, leaf)
    return loss.item(), g.norm().item()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_mistakes_page_runs_in_both_languages(lang):
    """Test that the page runs without exception in each language and shows its title."""
    at = open_page("mistakes", lang)
    assert at.title[0].value == {"en": "Common mistakes", "zh": "常见错误"}[lang]
    assert "✅" in texts(at) or at.success


@pytest.mark.parametrize("mistake", MISTAKES)
def test_every_mistake_runs_both_ways(mistake):
    """Test that each mistake, on and off, renders without exception and checks live against torch."""
    at = _open()
    for on in (True, False):
        _set(at, mis_which=mistake, mis_on=on)
        assert "different result" not in texts(at)


def test_softmax_before_ce_shows_both_losses_and_gradients():
    """Test that the softmax mistake shows torch's loss and gradient norm, and the fix shows its own."""
    at = _set(_open(), mis_which="softmax_ce", mis_on=True)
    wrong = _loss_and_grad(lambda v: F.cross_entropy(torch.softmax(v, 1), Y), X)
    m = metrics(at)
    assert float(m["loss"]) == pytest.approx(wrong[0], rel=1e-5)
    assert float(m["gradient norm"]) == pytest.approx(wrong[1], rel=1e-5)
    _set(at, mis_on=False)
    right = _loss_and_grad(lambda v: F.cross_entropy(v, Y), X)
    m = metrics(at)
    assert float(m["loss"]) == pytest.approx(right[0], rel=1e-5)
    assert float(m["gradient norm"]) == pytest.approx(right[1], rel=1e-5)


def test_scale_slider_moves_the_numbers():
    """Test that the logit scale changes the loss to torch's value at that scale (sigmoid + BCELoss jumps)."""
    at = _set(_open(), mis_which="sigmoid_bce", mis_on=True, mis_scale=20.0)
    naive = F.binary_cross_entropy(torch.sigmoid(XB * 20.0), YB).item()
    assert float(metrics(at)["loss"]) == pytest.approx(naive, rel=1e-5)
    assert naive == pytest.approx(25.0)  # one element clamped at 100
    _set(at, mis_on=False)
    stable = F.binary_cross_entropy_with_logits(XB * 20.0, YB).item()
    assert float(metrics(at)["loss"]) == pytest.approx(stable, rel=1e-5)


def test_sigmoid_twice_loss_matches_torch():
    """Test that sigmoid-then-BCEWithLogits shows torch's (wrong) loss."""
    at = _set(_open(), mis_which="sigmoid_twice", mis_on=True, mis_scale=3.0)
    expected = F.binary_cross_entropy_with_logits(torch.sigmoid(XB * 3.0), YB).item()
    assert float(metrics(at)["loss"]) == pytest.approx(expected, rel=1e-5)


def test_float_targets_show_torchs_dtype_error():
    """Test that float class targets show torch's exact RuntimeError message."""
    at = _set(_open(), mis_which="float_target", mis_on=True)
    with pytest.raises(RuntimeError) as exc:
        F.cross_entropy(X, Y.float())
    assert f"RuntimeError: {exc.value}" in _codes(at)
    assert at.error  # the translated explanation


def test_positions_slider_channels_last():
    """Test that d changes the shape error, and d = C runs silently with torch's wrong loss."""
    at = _set(_open(), mis_which="channels_last", mis_on=True, mis_d=3)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 5, generator=g)
    y = torch.randint(5, (2, 3), generator=torch.Generator().manual_seed(1))
    with pytest.raises(RuntimeError) as exc:
        F.cross_entropy(x, y)
    assert str(exc.value) in _codes(at)
    _set(at, mis_d=5)
    x = torch.randn(2, 5, 5, generator=torch.Generator().manual_seed(0))
    y = torch.randint(5, (2, 5), generator=torch.Generator().manual_seed(1))
    assert float(metrics(at)["loss"]) == pytest.approx(F.cross_entropy(x, y).item(), rel=1e-5)
    assert at.warning
    _set(at, mis_on=False)
    assert float(metrics(at)["loss"]) == pytest.approx(F.cross_entropy(x.permute(0, 2, 1), y).item(), rel=1e-5)


def test_label_slider_index_out_of_range():
    """Test that label 5 of 5 classes raises torch's IndexError, and an in-range label gives torch's loss."""
    at = _set(_open(), mis_which="index_range", mis_on=True)
    assert "IndexError: Target 5 is out of bounds." in _codes(at)
    _set(at, mis_label=3)
    labels = torch.tensor([*LABELS_1BASED, 3])
    assert float(metrics(at)["loss"]) == pytest.approx(F.cross_entropy(X, labels).item(), rel=1e-5)
    _set(at, mis_on=False)
    assert float(metrics(at)["loss"]) == pytest.approx(F.cross_entropy(X, labels - 1).item(), rel=1e-5)


@pytest.mark.parametrize("amp", ["bfloat16", "float16"])
def test_autocast_dtype_choice(amp):
    """Test that BCELoss under CPU autocast shows torch's measured loss, and the CUDA text is quoted."""
    at = _set(_open(), mis_which="autocast_bce", mis_on=True, mis_amp=amp, mis_scale=5.0)
    w = torch.tensor(WEIGHT_AMP) * 5.0
    with torch.autocast("cpu", dtype=getattr(torch, amp)):
        z = torch.tensor(FEATURES_AMP) @ w
        expected = F.binary_cross_entropy(torch.sigmoid(z), YB).item()
    assert float(metrics(at)["loss"]) == pytest.approx(expected, rel=1e-5)
    assert "unsafe to autocast" in _codes(at)
    assert "Quoted, not run here" in texts(at)


@pytest.mark.parametrize(("key", "value"), [("mis_scale", "abc"), ("mis_which", "nope"), ("mis_scale", "1e9")])
def test_bad_url_value_gives_a_notice(key, value):
    """Test that a bad value in the link shows a translated notice, not a traceback."""
    at = open_page("mistakes", "zh", **{key: value})
    assert not at.exception
    assert "链接中" in texts(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_link_to_a_mistake_opens_it_in_either_language(lang):
    """Test that the URL value the app writes for a mistake (its code label) reopens it, with no notice."""
    at = open_page("mistakes", lang, mis_which=LABELS["index_range"])
    assert not at.exception
    assert "IndexError: Target 5 is out of bounds." in _codes(at)
    assert "链接中" not in texts(at) and "link's value" not in texts(at)


def test_key_line_is_plain_text_not_a_code_block():
    """Test that the mistaken call is shown as preformatted text, not st.code (whose syntax
    highlighter a cold visit would load before the first chart), in both states of the toggle."""
    at = open_page("mistakes", "en", panels=False)
    assert len(at.code) == 0
    assert any("torch.softmax(x, dim=1)" in m for m in raw_messages(at))
    _set(at, mis_on=False)
    assert len(at.code) == 0
    assert any(m.startswith("loss = F.cross_entropy(x, y)") for m in raw_messages(at))


def _links(at) -> list[tuple[str, str]]:
    """(label, page script stem) of each st.page_link on the page."""
    return [(el.proto.label, el.proto.page) for el in at.get("page_link")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_seq_logits_show_torchs_size_error_and_the_fix(lang):
    """Test that (B, T, V) logits with (B, T) targets show torch's exact size error and the translated
    explanation; fixed, the permuted call shows torch's loss and the reshape route's equal value."""
    at = open_page("mistakes", lang, mis_which=LABELS["seq_logits"])
    assert not at.exception
    x = torch.randn(SEQ_B, SEQ_T, SEQ_V, generator=torch.Generator().manual_seed(2))
    y = torch.randint(SEQ_V, (SEQ_B, SEQ_T), generator=torch.Generator().manual_seed(3))
    with pytest.raises(RuntimeError) as exc:
        F.cross_entropy(x, y)
    assert f"RuntimeError: {exc.value}" in _codes(at)
    assert "Expected target size [2, 8], got [2, 4]" in _codes(at)
    assert at.error and "permute(0, 2, 1)" in at.error[0].value
    at.toggle(key="mis_on").set_value(False).run()
    assert not at.exception
    right = F.cross_entropy(x.permute(0, 2, 1), y).item()
    flat = F.cross_entropy(x.reshape(-1, SEQ_V), y.reshape(-1)).item()
    shown = metrics(at)
    assert float(next(v for k, v in shown.items() if k in ("loss", "损失"))) == pytest.approx(right, rel=1e-5)
    assert "reshape(-1, 8)" in texts(at) and f"{flat:.4f}"[:5] in texts(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_kl_div_on_probabilities_shows_torchs_negative_number(lang):
    """Test that kl_div on softmax probabilities shows torch's own (negative) number, the fix with log_softmax
    shows torch's KL, and the mistake links lesson 12 by its name."""
    at = open_page("mistakes", lang, mis_which=LABELS["kl_probs"])
    assert not at.exception
    q = torch.tensor(TARGET_SOFT)
    wrong = F.kl_div(torch.softmax(X, 1), q, reduction="batchmean").item()
    shown = metrics(at)
    loss = float(next(v for k, v in shown.items() if k in ("loss", "损失")))
    assert loss == pytest.approx(wrong, rel=1e-5) and loss < 0
    assert at.warning and "log_softmax" in at.warning[0].value
    assert (translate(lang, "entropy_kl.nav"), "l12_entropy_kl") in _links(at)
    assert "different result" not in texts(at) and "不同" not in " ".join(e.value for e in at.error)
    at.toggle(key="mis_on").set_value(False).run()
    right = F.kl_div(torch.log_softmax(X, 1), q, reduction="batchmean").item()
    shown = metrics(at)
    assert float(next(v for k, v in shown.items() if k in ("loss", "损失"))) == pytest.approx(right, rel=1e-5)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_softmax_before_ce_links_lesson_14(lang):
    """Test that the softmax-before-CrossEntropyLoss mistake links lesson 14 (log_softmax + NLLLoss) by its name."""
    at = open_page("mistakes", lang)
    assert (translate(lang, "nll_pipeline.nav"), "l14_nll_pipeline") in _links(at)
    assert translate(lang, "mistakes.see_softmax_ce") in texts(at)
