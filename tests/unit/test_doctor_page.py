"""The Your tensors page's logic (lossviz.lessons.doctor): the loss call from the controls, the link rule,
the PyTorch snippet (it prints torch's own value; a file's names are quoted, never run)."""

from __future__ import annotations

import ast

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossviz.doctor import ParseError, explain
from lossviz.lessons import doctor as dr
from lossviz.text import codegen


def test_controls_give_only_the_options_the_loss_has():
    """Test that defaults are left out and options a loss lacks (pos_weight for CE, smoothing for BCE) are dropped."""
    call = dr.loss_call("CrossEntropyLoss", weight="1, 2", pos_weight="3", ignore_index=-100, label_smoothing=0.1)
    assert call.name == "cross_entropy" and set(call.kwargs) == {"weight", "label_smoothing"}
    assert dr.loss_call("BCELoss", label_smoothing=0.2, reduction="sum").kwargs == {"reduction": "sum"}
    with pytest.raises(ParseError):
        dr.loss_call("BCEWithLogitsLoss", pos_weight="__import__('os')")


def test_only_small_inputs_fit_the_link():
    """Test the link rule: at most 64 values (and 2000 characters)."""
    assert dr.fits_link("x", np.zeros(64)) and not dr.fits_link("x", np.zeros(65)) and not dr.fits_link("x", None)


@pytest.mark.parametrize("module", dr.MODULES)
def test_the_snippet_prints_torchs_value(module):
    """Test that the code panel's snippet, run in torch, prints exactly the value the page shows."""
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(5, 3, generator=g) * 0.9 + 0.05) if module == "BCELoss" else torch.randn(5, 3, generator=g) * 3
    if module == "NLLLoss":
        x = torch.log_softmax(x, 1)
    t = torch.randint(0, 3, (5,), generator=g) if module in ("CrossEntropyLoss", "NLLLoss") else torch.rand(5, 3, generator=g)
    call = dr.loss_call(module, weight="1, 2, 0.5", reduction="sum")
    code, runs = dr.snippet(dr.Case(x.numpy(), t.numpy(), call, "text"))
    assert runs
    printed = codegen.run(code).splitlines()[0]
    assert printed == repr(float(explain(call, x, t).value))


def test_an_upload_snippet_loads_the_file_and_is_not_run():
    """Test that an upload's snippet names the file and key as quoted literals and is marked not runnable."""
    name = "x'); __import__('os').system('echo hi'); ('.pt"
    case = dr.Case(np.zeros((2, 3), np.float32), np.zeros(2, np.int64), dr.loss_call("CrossEntropyLoss"), "file",
                   (f"{name}: logits", f"{name}: labels"))
    code, runs = dr.snippet(case)
    assert not runs
    calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call) and ast.unparse(n.func) == "torch.load"]
    assert [c.args[0].value for c in calls] == [name, name]


def test_bad_input_params_name_line_and_column():
    """Test that a refused paste's catalog params carry its line and column."""
    with pytest.raises(ParseError) as info:
        dr.read_text("[[1, 2],\n [3, y]]")
    key, params = dr.error_text(info.value)
    assert key == "error.doctor_token" and params["where"] == (2, 6) and params["token"] == "y"


def test_spec_target_classes_follow_the_prediction():
    """Test that a shape-spec target of class indices draws classes below the prediction's class count."""
    x = dr.read_text("(64, 7) float32")
    y = dr.read_text("(64,) long", target_of=x, seed=1)
    assert y.max() < 7 and y.min() >= 0 and F.cross_entropy(torch.from_numpy(x), torch.from_numpy(y)).isfinite()


VARIANTS = [  # (loss, prediction, target, options): together every message and fix variant of the ten findings
    ("cross_entropy", "[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]", "[0, 2]", {}),
    ("cross_entropy", "[[0.9, 0.2], [0.3, 0.8]]", "[[1., 0.], [0., 1.]]", {}),
    ("cross_entropy", "[[0.1, 0.2], [0.3, 0.1], [0.2, 0.2], [0.4, 0.1]]", "[0, 1, 0, 1]", {}),
    ("binary_cross_entropy", "[0.51, 0.7, 0.6, 0.55, 0.72, 0.5, 0.65, 0.69]", "[0., 1., 1., 0., 1., 0., 1., 0.]", {}),
    ("binary_cross_entropy_with_logits", "[0.1, 0.7, 0.6, 0.55, 0.9, 0.5, 0.05, 0.69]", "[0., 1., 1., 0., 1., 0., 0., 1.]", {}),
    ("binary_cross_entropy_with_logits", "[3.0, -2.0, 4.0, 0.5]", "[1.0, -1.0, 1.0, -1.0]", {}),
    ("binary_cross_entropy_with_logits", "[-3.0, -2.0, 4.0, 0.5]", "[0., 2., 1., 3.]", {}),
    ("binary_cross_entropy_with_logits", "[3.0, -2.0, 4.0, 0.5]", "[0.5, 1.5, 1., 0.]", {}),
    ("binary_cross_entropy", "[1.0, 0.2, 0.5, 0.9]", "[0., 0., 1., 1.]", {}),
    ("cross_entropy", "(2, 3, 4) float32", "(2, 3) long", {}),
    ("cross_entropy", "(4, 3) float32", "[1, 2, 3, 1]", {}),
    ("cross_entropy", "(4, 3) float32", "[0, -1, 2, -1]", {}),
    ("cross_entropy", "(4, 3) float32", "[0, 5, 2, 1]", {}),
    ("cross_entropy", "(2, 3) float32", "[-100, -100]", {}),
    ("binary_cross_entropy", "tensor([0.2, 0.7], dtype=torch.float16)", "tensor([0., 1.], dtype=torch.float16)", {}),
    ("cross_entropy", "(4, 3) float32", "[0, 1, 2, 1]", {"weight": np.float32([1, 2, 3]), "label_smoothing": 0.1}),
    ("cross_entropy", "(4, 3) float32", "[0, 1, -100, 1]", {"weight": np.float32([1, 2, 3]), "label_smoothing": 0.1}),
    ("cross_entropy", "[[0.01, 0.0, 0.0], [0.0, 0.01, 0.0], [0.0, 0.0, 0.01], [0.01, 0.01, 0.0]]", "[0, 1, 2, 0]", {}),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_finding_variant_translates_with_its_params(lang):
    """Test that each finding's message and fix key exist in both catalogs and fill every placeholder."""
    from lossviz.doctor.findings import CHECKS
    from lossviz.text.i18n import catalog

    seen_codes, seen_keys = set(), set()
    for name, xs, ts, opts in VARIANTS:
        x = dr.read_text(xs)
        for f in explain(name, x, dr.read_text(ts, target_of=x, seed=1), **opts).findings:
            for key in (f"doctor.f_{f.key}", f"doctor.fix_{f.fix_key}"):
                assert key in catalog(lang), key
                text = catalog(lang)[key].format(**f.params)
                assert "{" not in text, (key, text)
                seen_keys.add(key)
            seen_codes.add(f.code)
    assert seen_codes == {c.__name__ for c in CHECKS}
    assert {k for k in catalog("en") if k.startswith(("doctor.f_", "doctor.fix_"))} == seen_keys
