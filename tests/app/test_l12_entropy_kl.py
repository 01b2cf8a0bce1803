"""AppTest of lesson 12, Entropy, cross-entropy, KL: the controls move the numbers, and they are torch's."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as TF

from lossviz.lessons import entropy_kl as E
from lossviz.text.i18n import translate
from tests.app.helpers import (
    chart_summaries,
    charts,
    metric_pairs,
    open_page,
    open_view,
    raw_messages,
    show_view,
    tables,
    texts,
    view_labels,
)

TITLES = {"en": "Entropy, cross-entropy, KL", "zh": "熵、交叉熵与 KL 散度"}


def metrics(at) -> dict[str, float]:
    return {m.label: float(m.value) for m in metric_pairs(at)}


def torch_split(x, y):
    """(H(y), KL(y‖p), CE) in float64 torch for one sample."""
    xt, yt = torch.tensor([x], dtype=torch.float64), torch.tensor([y], dtype=torch.float64)
    kl = TF.kl_div(TF.log_softmax(xt, 1), yt, reduction="batchmean").item()
    return torch.special.entr(yt).sum().item(), kl, TF.cross_entropy(xt, yt).item()


def check_split(at, x, y):
    h, kl, ce = torch_split(x, y)
    m = metrics(at)
    assert m["H(y): entropy of the target"] == pytest.approx(h, rel=1e-5, abs=1e-9)
    assert m["KL(y‖p)"] == pytest.approx(kl, rel=1e-5, abs=1e-9)
    assert m["F.cross_entropy(x, y)"] == pytest.approx(ce, rel=1e-5)
    assert m["H(y) + KL(y‖p)"] == pytest.approx(ce, rel=1e-5)


def tab(view: str, lang: str = "en") -> str:
    return translate(lang, f"entropy_kl.view_{view}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_in_both_languages(lang):
    """Test that the page runs in each language with its title and three views; the first, open, has its two charts
    and green torch checks; a link opens the "mean" trap view (torch's warning shown) or the soft-target view (its chart)."""
    at = open_page("entropy_kl", lang)
    assert at.title[0].value == TITLES[lang]
    assert view_labels(at) == [tab(v, lang) for v in E.VIEWS] and open_view(at) == tab("split", lang)
    assert len(charts(at)) == 2 and len(at.success) >= 2 and not at.error
    at = open_page("entropy_kl", lang, ek_view="trap")
    assert open_view(at) == tab("trap", lang) and not charts(at) and not at.error
    assert any("divides the total loss by both the batch size" in m for m in raw_messages(at))
    at = open_page("entropy_kl", lang, ek_view="soft")
    assert open_view(at) == tab("soft", lang) and len(charts(at)) == 1 and not at.error


def test_defaults_are_torchs_numbers():
    """Test the default view (C = 4) against torch, and that the "mean" row is the batchmean row / 4."""
    at = open_page("entropy_kl")
    check_split(at, list(E.LOGITS[:4]), list(E.TARGET[:4]))
    show_view(at, "ek_view", "trap")
    col = tables(at)[0]["value"].astype(float).tolist()
    assert col[2] == pytest.approx(col[1] / 4, rel=1e-5)
    assert any("The factor is C = 4" in w.value for w in at.warning)


def test_logits_classes_and_target_move_the_numbers():
    """Test that a logit slider, the class count and a target entry change every number to torch's."""
    at = open_page("entropy_kl")
    at.slider(key="ek_x2").set_value(3.0).run()
    check_split(at, [2.0, 1.0, 3.0, -1.0], [0.7, 0.2, 0.1, 0.0])
    at.slider(key="ek_c").set_value(3).run()
    at.number_input(key="ek_y0").set_value(0.5).run()
    at.number_input(key="ek_y1").set_value(0.4).run()
    assert not at.exception
    check_split(at, [2.0, 1.0, 3.0], [0.5, 0.4, 0.1])
    assert "normalised" not in texts(at) and "divides them by" not in texts(at)


def test_target_not_summing_to_one_is_normalised_visibly():
    """Test that entries summing to 1.5 get a note and are divided by 1.5 (torch's numbers for y / 1.5)."""
    at = open_page("entropy_kl")
    at.number_input(key="ek_y3").set_value(0.5).run()
    assert not at.exception
    assert "sum to 1.5, not 1" in texts(at)
    check_split(at, list(E.LOGITS[:4]), [0.7 / 1.5, 0.2 / 1.5, 0.1 / 1.5, 0.5 / 1.5])


def test_all_zero_target_becomes_uniform():
    """Test that a target of zeros gets a note and the uniform distribution."""
    at = open_page("entropy_kl", ek_c="2", ek_y0="0", ek_y1="0")
    assert "uniform" in texts(at)
    check_split(at, [2.0, 1.0], [0.5, 0.5])


def test_batch_and_soft_controls_move_their_numbers():
    """Test that N changes the "sum" row to N·KL, and ε and T move label smoothing and distillation to torch's."""
    at = open_page("entropy_kl", ek_view="trap")
    at.slider(key="ek_n").set_value(10).run()
    _, kl, _ = torch_split(list(E.LOGITS[:4]), list(E.TARGET[:4]))
    assert float(tables(at)[0]["value"][0]) == pytest.approx(10 * kl, rel=1e-5)
    show_view(at, "ek_view", "soft")
    at.slider(key="ek_eps").set_value(0.3).run()
    at.button_group(key="ek_k").set_value(2).run()
    at.slider(key="ek_t").set_value(8.0).run()
    assert not at.exception
    x = torch.tensor([E.LOGITS[:4]], dtype=torch.float64)
    m = metrics(at)
    assert m["F.cross_entropy(x, k, label_smoothing=ε)"] == pytest.approx(
        TF.cross_entropy(x, torch.tensor([2]), label_smoothing=0.3).item(), rel=1e-5)
    y_t = torch.softmax(torch.tensor([E.TEACHER[:4]], dtype=torch.float64) / 8.0, 1)
    hinton = 64 * TF.kl_div(TF.log_softmax(x / 8.0, 1), y_t, reduction="batchmean").item()
    assert m["T² · KL at T = 8"] == pytest.approx(hinton, rel=1e-5)
    assert "ε = 0.3" in chart_summaries(at)[0] and "T = 8" in chart_summaries(at)[0]


def test_closed_tabs_keep_their_values_in_the_link_and_the_code():
    """Test that values set in a view stay in the link and in the code panel's snippet once another view is open,
    and that the view opened again starts from them."""
    at = open_page("entropy_kl", ek_view="trap")
    at.slider(key="ek_n").set_value(10).run()
    show_view(at, "ek_view", "soft")
    at.slider(key="ek_eps").set_value(0.3).run()
    show_view(at, "ek_view", "split")
    assert not at.exception and "ek_view" not in at.query_params
    assert (at.query_params["ek_n"], at.query_params["ek_eps"]) == ("10", "0.3")
    code = at.code[0].value
    assert ".repeat(10, 1)" in code and "k, eps, T = torch.tensor([0]), 0.3, 4.0" in code
    assert "ek_n" not in [s.key for s in at.slider]
    show_view(at, "ek_view", "trap")
    assert at.slider(key="ek_n").value == 10
    assert float(tables(at)[0]["value"][0]) == pytest.approx(10 * torch_split(list(E.LOGITS[:4]),
                                                                              list(E.TARGET[:4]))[1], rel=1e-5)


def test_a_linked_value_of_a_closed_tab_is_kept_and_used():
    """Test that a link with a soft-target value, opened on the first view, keeps it (no "unknown" notice), uses it in
    the code, and that the soft view opens with it."""
    at = open_page("entropy_kl", ek_eps="0.25", ek_t="2.5")
    assert not at.toast and at.query_params["ek_eps"] == "0.25"
    assert "k, eps, T = torch.tensor([0]), 0.25, 2.5" in at.code[0].value
    show_view(at, "ek_view", "soft")
    assert (at.slider(key="ek_eps").value, at.slider(key="ek_t").value) == (0.25, 2.5)
    assert "ε = 0.25" in chart_summaries(at)[0]


def test_the_open_tab_survives_a_language_switch():
    """Test that the soft-target view opened in English is the open view once the page is Chinese, and in the link."""
    at = open_page("entropy_kl", "en")
    show_view(at, "ek_view", "soft")
    assert at.query_params["ek_view"] == "soft"
    at.query_params["lang"] = "zh"  # what the language switch's callback writes
    at.run()
    assert not at.exception and open_view(at) == tab("soft", "zh") and at.query_params["ek_view"] == "soft"


def test_one_hot_target_says_the_floor_is_zero():
    """Test that a one-hot target shows the zero floor and equal logits with a uniform target show KL = 0."""
    at = open_page("entropy_kl", ek_y0="1", ek_y1="0", ek_y2="0", ek_y3="0")
    assert "y is one-hot" in texts(at)
    at = open_page("entropy_kl", ek_c="2", ek_x0="0", ek_x1="0", ek_y0="0.5", ek_y1="0.5")
    assert metrics(at)["KL(y‖p)"] == 0.0
    show_view(at, "ek_view", "trap")
    assert "every reduction gives 0" in texts(at)


@pytest.mark.parametrize(("key", "value", "view"), [
    ("ek_x0", "abc", "split"), ("ek_x1", "99", "split"), ("ek_y0", "2", "split"), ("ek_c", "9", "split"),
    ("ek_n", "nan", "trap"), ("ek_k", "7", "soft"), ("ek_t", "0", "soft"), ("ek_view", "bogus", None)])
def test_bad_url_value_gives_a_notice(key, value, view):
    """Test that a bad link value gets a notice (a view's control: once its view is open) and the page still runs."""
    at = open_page("entropy_kl", "zh", **{key: value}, **({"ek_view": view} if view else {}))
    assert not at.exception
    assert "链接中" in texts(at)
    assert key not in at.query_params
    assert open_view(at) == tab(view or "split", "zh")


@pytest.mark.parametrize(("qid", "right"), [("q1", "b"), ("q2", "c"), ("q3", "a")])
def test_quiz_keyed_answers(qid, right):
    """Test that each question's keyed answer is praised and every distractor gets the hint."""
    for option in ("a", "b", "c"):
        at = open_page("entropy_kl", "en")
        at.radio(key=f"quiz_entropy_kl_{qid}").set_value(option).run()
        assert not at.exception
        praised = any(s.value.startswith("Right.") for s in at.success)
        hinted = any(w.value.startswith("Not quite.") for w in at.warning)
        assert (praised, hinted) == ((True, False) if option == right else (False, True))
