"""AppTest of lesson 14, log_softmax + NLLLoss = CrossEntropyLoss: the page's numbers are torch's."""

import pytest
import torch
import torch.nn.functional as F

from lossviz.lessons import nll_pipeline as P
from lossviz.text.i18n import translate
from tests.app.helpers import (
    chart_summaries,
    charts,
    metric_pairs,
    open_page,
    open_view,
    show_view,
    tables,
    texts,
    view_labels,
)

NLL, CE = "NLLLoss(log_softmax(x), y)", "CrossEntropyLoss(x, y)"


def torch_losses(logits=P.LOGITS, targets=P.TARGETS, weight=P.WEIGHTS, reduction="mean"):
    """(NLLLoss(log_softmax(x)), CrossEntropyLoss(x), NLLLoss(softmax(x))) in float64 torch, as lists."""
    x, y, w = torch.tensor(logits, dtype=torch.float64), torch.tensor(targets), torch.tensor(weight, dtype=torch.float64)
    kw = {"weight": w, "reduction": reduction}
    return tuple(torch.atleast_1d(v).tolist() for v in (F.nll_loss(F.log_softmax(x, 1), y, **kw),
                                                        F.cross_entropy(x, y, **kw), F.nll_loss(torch.softmax(x, 1), y, **kw)))


def _values(text: str) -> list[float]:
    return [float(v) for v in text.strip("[]").split(", ")]


def tab(view: str, lang: str = "en") -> str:
    return translate(lang, f"nll_pipeline.view_{view}")


def _check(at, **kwargs):
    """The pipeline view's two losses and the mistakes view's softmax route are torch's; the pipeline view is left open."""
    nll, ce, on_probs = torch_losses(**kwargs)
    show_view(at, "nl_view", "tensors")
    m = {k: v for k, v in metric_pairs(at)}
    assert _values(m[NLL]) == pytest.approx(nll, rel=1e-9, nan_ok=True)
    assert _values(m[CE]) == pytest.approx(ce, rel=1e-9, nan_ok=True)
    assert m[NLL] == m[CE]  # side by side, the same text: torch's two numbers are bit-for-bit equal
    assert not at.error
    show_view(at, "nl_view", "mistakes")
    routes = tables(at)[0]
    routes = routes.set_index(routes.columns[0])  # "pipeline" / "流水线"
    assert _values(routes.loc["NLLLoss(softmax(x), y)"].iloc[0]) == pytest.approx(on_probs, rel=1e-9, nan_ok=True)
    assert not at.error
    show_view(at, "nl_view", "tensors")


@pytest.mark.parametrize(("lang", "title"), [("en", "log_softmax + NLLLoss = CrossEntropyLoss"),
                                             ("zh", "log_softmax + NLLLoss = CrossEntropyLoss")])
def test_page_runs_in_both_languages(lang, title):
    """Test that the page runs in each language with its title and three views, each with its chart; the pipeline's
    two torch checks and the mistakes' three are green."""
    at = open_page("nll_pipeline", lang)
    assert at.title[0].value == title
    assert view_labels(at) == [tab(v, lang) for v in P.VIEWS] and open_view(at) == tab("tensors", lang)
    assert len(charts(at)) == 1 and len(at.success) >= 2 and not at.error
    show_view(at, "nl_view", "gradient")
    assert open_view(at) == tab("gradient", lang) and len(charts(at)) == 1 and not at.error
    show_view(at, "nl_view", "mistakes")
    assert open_view(at) == tab("mistakes", lang) and len(charts(at)) == 1 and not at.error
    assert len(at.success) >= 3
    assert ("logit（对数几率）" in texts(at)) == (lang == "zh")


def test_defaults_are_torchs_numbers():
    """Test the default batch's losses, the table of tensors and the predict-first question."""
    at = open_page("nll_pipeline", "en")
    _check(at)
    table = tables(at)[0]
    assert list(table["sample n"]) == ["0", "1", "2"]
    logp = F.log_softmax(torch.tensor(P.LOGITS, dtype=torch.float64), 1)
    assert float(table["log_softmax(x)[n, y]"][1]) == pytest.approx(logp[1, 3].item(), rel=1e-5)
    assert "softmax(x) goes into NLLLoss" in texts(at) or any("softmax(x) goes into NLLLoss" in str(m.value)
                                                                for m in at.markdown)


@pytest.mark.parametrize(("key", "value", "kwargs"), [
    ("nl_y1", -100, {"targets": (0, -100, 2)}),
    ("nl_y2", 0, {"targets": (0, 3, 0)}),
    ("nl_red", "sum", {"reduction": "sum"}),
    ("nl_red", "none", {"reduction": "none"}),
])
def test_choices_move_the_numbers(key, value, kwargs):
    """Test that the target and reduction choices change both pipelines' losses to torch's."""
    at = open_page("nll_pipeline", "en")
    at.button_group(key=key).set_value(value).run()
    assert not at.exception
    _check(at, **kwargs)


@pytest.mark.parametrize(("key", "value", "kwargs"), [
    ("nl_w0", 3.0, {"weight": (3.0, 1.0, 1.0, 1.0)}),
    ("nl_x13", -4.0, {"logits": (P.LOGITS[0], (0.5, 2.5, -0.5, -4.0), P.LOGITS[2])}),
])
def test_numbers_move_the_numbers(key, value, kwargs):
    """Test that a class weight and a logit change both pipelines' losses to torch's."""
    at = open_page("nll_pipeline", "en")
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    _check(at, **kwargs)


def test_closed_logits_panel_reads_the_link():
    """Test that with the logits panel closed (no input on the page) a linked logit still drives torch's numbers,
    and that the link keeps it (it is not dropped as unknown)."""
    at = open_page("nll_pipeline", "en", panels=False, nl_x13="-4.0")
    assert not at.exception
    assert "nl_x13" not in [w.key for w in at.number_input]
    _check(at, logits=(P.LOGITS[0], (0.5, 2.5, -0.5, -4.0), P.LOGITS[2]))
    assert at.query_params["nl_x13"] == "-4.0"
    assert not at.toast


def test_logits_panel_edit_goes_to_the_link_and_survives_closing():
    """Test that an edit in the open panel lands in the link, back to the default leaves it, and closing the
    panel keeps the edited numbers."""
    at = open_page("nll_pipeline", "en")
    at.number_input(key="nl_x13").set_value(-4.0).run()
    assert at.query_params["nl_x13"] == "-4.0"
    edited = (P.LOGITS[0], (0.5, 2.5, -0.5, -4.0), P.LOGITS[2])
    at.session_state["nl_x_panel"] = False
    at.run()
    assert "nl_x13" not in [w.key for w in at.number_input]
    _check(at, logits=edited)
    at.session_state["nl_x_panel"] = True
    at.run()
    assert at.number_input(key="nl_x13").value == -4.0  # reopened: the inputs start from the link
    at.number_input(key="nl_x13").set_value(P.LOGITS[1][3]).run()
    assert "nl_x13" not in at.query_params
    _check(at)


@pytest.mark.parametrize("value", ["abc", "99", "inf", "nan"])
def test_bad_linked_logit_with_the_panel_closed(value):
    """Test that a bad logit in a link gets the notice above the closed panel and its default, and leaves the link."""
    at = open_page("nll_pipeline", "zh", panels=False, nl_x21=value)
    assert not at.exception
    assert "链接中" in texts(at)
    assert "nl_x21" not in at.query_params
    _check(at)


def test_all_ignored_is_nan_with_a_warning():
    """Test that with every target ignored both means are NaN, as in torch, and the page says why."""
    at = open_page("nll_pipeline", "en", nl_y0="-100", nl_y1="-100", nl_y2="-100")
    _check(at, targets=(-100, -100, -100))
    assert any("0 / 0 = NaN" in w.value for w in at.warning)


def test_inspected_sample_moves_the_charts():
    """Test that the sample choice moves the pipeline and gradient charts to that sample (torch's logsumexp)."""
    at = open_page("nll_pipeline", "en")
    at.button_group(key="nl_n").set_value(2).run()
    lse = torch.logsumexp(torch.tensor(P.LOGITS[2], dtype=torch.float64), 0).item()
    assert chart_summaries(at)[0].startswith(f"Sample 2: log_softmax(x) = x − logsumexp(x) = x − {lse:.6g}")
    show_view(at, "nl_view", "gradient")
    assert at.button_group(key="nl_n").value == 2 and at.query_params["nl_n"] == "2"
    assert chart_summaries(at)[0].startswith("Sample 2:")


def test_the_inspected_sample_stays_in_the_link_on_the_mistakes_tab():
    """Test that a link to the mistakes view with a sample to inspect keeps it (no "unknown" notice), and that the
    gradient view then opens on that sample; back on the first view the view leaves the link."""
    at = open_page("nll_pipeline", "zh", nl_view="mistakes", nl_n="2")
    assert not at.exception and not at.toast and open_view(at) == tab("mistakes", "zh")
    assert at.query_params["nl_n"] == "2" and at.query_params["nl_view"] == "mistakes"
    show_view(at, "nl_view", "gradient")
    assert at.button_group(key="nl_n").value == 2 and chart_summaries(at)[0].startswith("样本 2")
    show_view(at, "nl_view", "tensors")
    assert "nl_view" not in at.query_params and at.query_params["nl_n"] == "2"


def test_ignored_sample_has_zero_gradient():
    """Test that an ignored sample, inspected, shows torch's zero gradient row on both routes and says so."""
    at = open_page("nll_pipeline", "en", nl_y1="-100", nl_red="none", nl_n="1")
    _check(at, targets=(0, -100, 2), reduction="none")
    show_view(at, "nl_view", "gradient")
    x = torch.tensor(P.LOGITS, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(F.cross_entropy(x, torch.tensor([0, -100, 2]), reduction="none").sum(), x)
    assert g[1].tolist() == [0.0] * P.C
    grads = tables(at)[0].set_index("per class")
    assert [float(v) for v in grads.loc["∂loss/∂x of CrossEntropyLoss"]] == [0.0] * P.C
    assert any("Sample 1 is ignored" in c.value and "gradient is 0" in c.value for c in at.caption)
    show_view(at, "nl_view", "mistakes")
    cells = [e for v in tables(at)[0].iloc[:, 1] for e in v.strip("[]").split(", ")]
    assert "0" in cells and "-0" not in cells  # +0 for the ignored sample, as torch gives it


@pytest.mark.parametrize(("qid", "right"), [("q1", "b"), ("q2", "a"), ("q3", "c")])
def test_quiz_keyed_answers(qid, right):
    """Test that each question's keyed answer is praised and every distractor gets the hint."""
    for option in ("a", "b", "c"):
        at = open_page("nll_pipeline", "en")
        at.radio(key=f"quiz_nll_pipeline_{qid}").set_value(option).run()
        assert not at.exception
        praised = any(s.value.startswith("Right.") for s in at.success)
        hinted = any(w.value.startswith("Not quite.") for w in at.warning)
        assert (praised, hinted) == ((True, False) if option == right else (False, True))


@pytest.mark.parametrize(("key", "value"), [("nl_x00", "abc"), ("nl_x21", "99"), ("nl_y0", "7"), ("nl_w2", "-1"),
                                            ("nl_red", "avg"), ("nl_w0", "nan"), ("nl_n", "5"), ("nl_view", "x")])
def test_bad_url_value_gives_a_notice(key, value):
    """Test that a bad value in a link gets the notice and the default, never an exception."""
    at = open_page("nll_pipeline", "zh", **{key: value})
    assert not at.exception
    assert "链接中" in texts(at)
    _check(at)
