"""AppTest of Your tensors (the loss doctor's page): torch's value for a paste, every finding's text, bad input,
the link, hostile input — in English and Chinese."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F

from lossviz.text.i18n import translate
from tests.app.helpers import metric_pairs, open_page, raw_messages, tables, texts

LANGS = ["en", "zh"]


def torch_value(at) -> str:
    return next(m.value for m in metric_pairs(at) if m.label.startswith("torch "))


def paste(at, x: str | None = None, y: str | None = None, loss: str | None = None, **radios):
    if x is not None:
        at.text_area(key="dr_x").input(x)
    if y is not None:
        at.text_area(key="dr_t").input(y)
    if loss is not None:
        at.run()
        at.button_group(key="dr_loss").set_value(loss)
    for key, value in radios.items():
        at.run()
        at.button_group(key=key).set_value(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_paste_shows_torchs_value(lang):
    """Test that the default paste and a numpy print without commas give torch's value, digit for digit."""
    at = open_page("doctor", lang)
    x = torch.tensor([[2.0, -1.0, 0.5], [0.1, 1.2, -0.3], [-1.5, 0.3, 2.2], [0.7, 0.7, -2.0]])
    assert torch_value(at) == repr(F.cross_entropy(x, torch.tensor([0, 1, 2, 1])).item())
    assert translate(lang, "doctor.no_findings") in texts(at)
    paste(at, "[[ 1.5 -0.3]\n [ 0.2  2. ]\n [-1.  0.5]]", "[1 0 1]", dr_xd="float64")
    want = F.cross_entropy(torch.tensor([[1.5, -0.3], [0.2, 2.0], [-1.0, 0.5]], dtype=torch.float64), torch.tensor([1, 0, 1]))
    assert torch_value(at) == repr(want.item())
    table = tables(at)[0]
    assert list(table.iloc[:, 0]) == ["[0]", "[1]", "[2]"]  # worst first: sample 0 and 1 are the wrong ones


FINDINGS = {  # key → (prediction, target, loss, extra radios)
    "probabilities_to_ce_rows": ("[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]", "[0, 2]", "CrossEntropyLoss"),
    "probabilities_to_ce_binary": ("[[0.9, 0.2], [0.3, 0.8]]", "[[1., 0.], [0., 1.]]", "CrossEntropyLoss"),
    "probabilities_to_ce_range": ("[[0.1, 0.2], [0.3, 0.1], [0.2, 0.2], [0.4, 0.1]]", "[0, 1, 0, 1]", "CrossEntropyLoss"),
    "sigmoid_twice_bce": ("[0.51, 0.7, 0.6, 0.55, 0.72, 0.5, 0.65, 0.69]", "[0., 1., 1., 0., 1., 0., 1., 0.]", "BCELoss"),
    "sigmoid_twice_logits": ("[0.1, 0.7, 0.6, 0.55, 0.9, 0.5, 0.05, 0.69]", "[0., 1., 1., 0., 1., 0., 0., 1.]", "BCEWithLogitsLoss"),
    "target_outside_01_negative": ("[3.0, -2.0, 4.0, 0.5]", "[1.0, -1.0, 1.0, -1.0]", "BCEWithLogitsLoss"),
    "saturated_bce": ("[1.0, 0.2, 0.5, 0.9]", "[0., 0., 1., 1.]", "BCELoss"),
    "class_out_of_range": ("[[2.0, -1.0, 0.5], [0.1, 1.2, -0.3], [-1.5, 0.3, 2.2], [0.7, 0.7, -2.0]]", "[1, 2, 3, 1]",
                           "CrossEntropyLoss"),
    "all_ignored": ("[[2.0, -1.0, 0.5], [0.1, 1.2, -0.3]]", "[-100, -100]", "CrossEntropyLoss"),
    "half_precision_bce": ("tensor([0.2, 0.7], dtype=torch.float16)", "tensor([0., 1.], dtype=torch.float16)", "BCELoss"),
    "untrained": ("[[0.01, 0.0, 0.0], [0.0, 0.01, 0.0], [0.0, 0.0, 0.01], [0.01, 0.01, 0.0]]", "[0, 1, 2, 0]",
                  "CrossEntropyLoss"),
}
CASES = [(key, lang) for key in FINDINGS for lang in LANGS]


def finding_shown(at, key: str, lang: str) -> None:
    warnings = " ".join(w.value for w in at.warning)
    head = max(re.split(r"\{\w+\}", translate(lang, f"doctor.f_{key}")), key=len)[:16]
    assert head and head in warnings, (head, warnings)
    links = [el for el in at.get("page_link")]
    assert links, "no link to the lesson"


@pytest.mark.parametrize(("key", "lang"), CASES, ids=[f"{k}-{lang}" for k, lang in CASES])
def test_each_finding_shows_its_text_fix_and_lesson(key, lang):
    """Test that each finding the page can reach shows its translated text, its fix and a link to its lesson."""
    x, y, loss = FINDINGS[key]
    at = paste(open_page("doctor", lang), x, y, loss)
    finding_shown(at, key, lang)
    assert translate(lang, "doctor.fix", fix="")[:3] in texts(at)


@pytest.mark.parametrize("lang", LANGS)
def test_class_dim_last_from_a_shape_spec(lang):
    """Test that shapes and dtypes only ((2, 3, 4) logits, (2, 3) targets) show torch's error and the class_dim_last finding."""
    at = open_page("doctor", lang)
    at.button_group(key="dr_src").set_value("spec").run()
    at.text_input(key="dr_xs").input("(2, 3, 4) float32").run()
    at.text_input(key="dr_ts").input("(2, 3) long").run()
    assert not at.exception
    assert raw_messages(at) and raw_messages(at)[0].startswith("RuntimeError")
    finding_shown(at, "class_dim_last", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_smoothing_with_weights_from_the_controls(lang):
    """Test that class weights and label smoothing set with the controls show that finding and torch's value."""
    at = open_page("doctor", lang)
    at.text_input(key="dr_w").input("1, 2, 0.5").run()
    at.number_input(key="dr_ls").set_value(0.1).run()
    x = torch.tensor([[2.0, -1.0, 0.5], [0.1, 1.2, -0.3], [-1.5, 0.3, 2.2], [0.7, 0.7, -2.0]])
    want = F.cross_entropy(x, torch.tensor([0, 1, 2, 1]), weight=torch.tensor([1.0, 2.0, 0.5]), label_smoothing=0.1)
    assert torch_value(at) == repr(want.item())
    finding_shown(at, "smoothing_with_weights", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_bad_paste_says_where_and_keeps_the_last_good_state(lang):
    """Test that an unreadable token is reported with its line and column in the learner's language, and the
    results of the last good input stay on the page."""
    at = open_page("doctor", lang)
    before = torch_value(at)
    paste(at, "[[1.0, 2.0],\n [3.0, x]]")
    errors = " ".join(e.value for e in at.error)
    assert translate(lang, "doctor.where", line=2, col=8) in errors
    assert translate(lang, "error.doctor_token", token="x").split("“")[0] in errors
    assert torch_value(at) == before
    assert translate(lang, "doctor.last_good") in [w.value for w in at.warning]


@pytest.mark.parametrize("lang", LANGS)
def test_different_sizes_are_named(lang):
    """Test that 8 predictions and 7 targets for BCELoss show torch's ValueError and "the target has 7 elements, the prediction 8"."""
    at = paste(open_page("doctor", lang), "(8,) float32", "(7,) float32", "BCELoss")
    at.button_group(key="dr_src").set_value("spec").run()
    at.text_input(key="dr_xs").input("[0.5] * 8").run()  # refused: not a tensor
    assert at.error
    at.text_input(key="dr_xs").input("[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]").run()
    at.text_input(key="dr_ts").input("[0., 1., 0., 1., 0., 1., 0.]").run()
    assert raw_messages(at)[0].startswith("ValueError")
    assert translate(lang, "doctor.size_mismatch", target=7, input=8) in [e.value for e in at.error]


def test_url_round_trip():
    """Test that a small paste and the loss options live in the link, and the link reopens the same result."""
    at = paste(open_page("doctor"), "[0.2, -1.5, 3.0]", "[0., 1., 1.]", "BCEWithLogitsLoss", dr_red="sum")
    at.text_input(key="dr_pw").input("2.0").run()
    params = {k: at.query_params[k] for k in at.query_params if k.startswith("dr_")}
    params = {k: v[0] if isinstance(v, list) else v for k, v in params.items()}
    assert {"dr_x", "dr_t", "dr_loss", "dr_red"} <= set(params), params
    params["dr_pw"] = "2.0"  # bound by Streamlit itself (bind="query-params"), which AppTest does not mirror; e2e checks it
    want = F.binary_cross_entropy_with_logits(torch.tensor([0.2, -1.5, 3.0]), torch.tensor([0.0, 1.0, 1.0]), reduction="sum",
                                              pos_weight=torch.tensor([2.0]))
    assert torch_value(at) == repr(want.item())
    again = open_page("doctor", **params)
    assert torch_value(again) == repr(want.item())


def test_a_large_paste_is_not_in_the_link():
    """Test that an input of more than 64 values stays out of the link, and the page says so."""
    big = "[" + ", ".join(["0.5"] * 100) + "]"
    at = paste(open_page("doctor"), big, big, "BCELoss")
    assert "dr_x" not in at.query_params
    assert translate("en", "doctor.not_in_link", n=100, limit=64) in texts(at)


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_input_is_refused_and_not_run(lang, tmp_path):
    """Test that code pasted as a tensor or as the loss line is refused with a message, and nothing runs."""
    marker = tmp_path / "ran"
    hostile = f"__import__('os').system('touch {marker}')"
    at = paste(open_page("doctor", lang), hostile)
    assert at.error and not marker.exists()
    at.button_group(key="dr_how").set_value("line").run()
    at.text_input(key="dr_line").input(f"nn.CrossEntropyLoss(weight={hostile})").run()
    assert not at.exception and not marker.exists()
    assert any(translate(lang, "error.doctor_call")[:10] in e.value for e in at.error)
