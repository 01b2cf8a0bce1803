"""AppTest of lesson 11, From log-odds to likelihood: the page's numbers are torch's, the two sliders stay together."""

import math

import pytest
import torch
import torch.nn.functional as F

from lossviz.lessons import log_odds as L
from lossviz.text.i18n import translate
from tests.app.helpers import (
    chart_summaries,
    charts,
    metrics,
    open_page,
    open_view,
    show_view,
    tables,
    texts,
    view_labels,
)

TITLES = {"en": "From log-odds to likelihood", "zh": "从对数几率到似然"}
X = torch.tensor([-2.1, -1.3, -0.7, -0.2, 0.4, 0.9, 1.5, 2.2], dtype=torch.float64)
Y = torch.tensor([0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0], dtype=torch.float64)


def torch_fit(w, b):
    p = torch.sigmoid(w * X + b)
    return torch.prod(torch.where(Y == 1, p, 1 - p)).item(), F.binary_cross_entropy_with_logits(w * X + b, Y).item()


def tab(view: str, lang: str = "en") -> str:
    return translate(lang, f"log_odds.tab_{view}")


def _check_pair(at, p, x):
    m = metrics(at)
    assert float(m["p"]) == pytest.approx(p, rel=1e-5)
    assert float(m["logit(p) = log odds"]) == pytest.approx(x, rel=1e-5, abs=1e-9)
    assert float(m["odds p / (1 − p)"]) == pytest.approx(p / (1 - p), rel=1e-5)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_in_both_languages(lang):
    """Test that the page runs in each language with its title and its three parts as views: the logit's chart, the
    likelihood's three, the cross-entropy's metrics, every torch check green."""
    at = open_page("log_odds", lang)
    assert at.title[0].value == TITLES[lang]
    assert view_labels(at) == [tab(v, lang) for v in L.VIEWS] and open_view(at) == tab("logit", lang)
    assert len(charts(at)) == 1 and len(at.success) >= 1 and not at.error
    show_view(at, "lo_view", "likelihood")
    assert open_view(at) == tab("likelihood", lang) and len(charts(at)) == 3 and at.success and not at.error
    show_view(at, "lo_view", "ce")
    assert open_view(at) == tab("ce", lang) and not charts(at) and at.success and not at.error


def test_defaults_are_torchs_numbers():
    at = open_page("log_odds")
    _check_pair(at, 0.8, torch.logit(torch.tensor(0.8, dtype=torch.float64)).item())
    m = metrics(show_view(at, "lo_view", "likelihood"))
    lik, bce = torch_fit(0.0, 0.0)
    assert float(m["likelihood L"]) == pytest.approx(lik, rel=1e-3) and float(m["mean BCE (BCEWithLogitsLoss)"]) == pytest.approx(bce, rel=1e-5)
    assert float(m["−log L / N"]) == pytest.approx(math.log(2), rel=1e-5)


@pytest.mark.parametrize("p", [0.001, 0.27, 0.5, 0.999])
def test_p_slider_moves_the_logit_and_the_x_slider(p):
    """Test that moving p gives torch.logit(p) and puts the x slider on logit(p) rounded to 0.01."""
    at = open_page("log_odds")
    at.slider(key="lo_p").set_value(p).run()
    assert not at.exception
    x = torch.logit(torch.tensor(p, dtype=torch.float64)).item()
    _check_pair(at, p, x)
    assert at.slider(key="lo_x").value == pytest.approx(round(x, 2))
    assert "back: σ(logit(p))" in metrics(at)


@pytest.mark.parametrize("x", [-7.0, -1.5, 0.0, 6.5])
def test_x_slider_moves_p_and_the_p_slider(x):
    """Test that moving x gives p = torch.sigmoid(x), puts the p slider on σ(x) rounded to 0.001, and the
    way back logit(σ(x)) = x."""
    at = open_page("log_odds")
    at.slider(key="lo_x").set_value(x).run()
    assert not at.exception
    p = torch.sigmoid(torch.tensor(x, dtype=torch.float64)).item()
    _check_pair(at, p, x)
    assert at.slider(key="lo_p").value == pytest.approx(min(max(round(p, 3), 0.001), 0.999))
    assert float(metrics(at)["back: logit(σ(x))"]) == pytest.approx(x, abs=1e-6)
    at.slider(key="lo_p").set_value(0.3).run()  # and p leads again
    _check_pair(at, 0.3, torch.logit(torch.tensor(0.3, dtype=torch.float64)).item())


@pytest.mark.parametrize(("params", "p", "x"), [({"lo_x": "6.5", "lo_p": "0.998"}, None, 6.5), ({"lo_p": "0.1"}, 0.1, None),
                                                ({"lo_x": "-2"}, None, -2.0)])
def test_deep_link_sets_the_pair(params, p, x):
    """Test that a link keeps the value that was set: x when p is x's rounded σ (a link copied after moving x)."""
    at = open_page("log_odds", **params)
    if x is None:
        x = torch.logit(torch.tensor(p, dtype=torch.float64)).item()
    else:
        p = torch.sigmoid(torch.tensor(x, dtype=torch.float64)).item()
    _check_pair(at, p, x)


@pytest.mark.parametrize(("w", "b"), [(1.0, 0.0), (-2.0, 2.0), (3.5, -1.25)])
def test_w_and_b_move_likelihood_and_bce(w, b):
    """Test that the weight and bias sliders change L, −log L / N, the mean BCE and the point table to torch's."""
    at = open_page("log_odds", lo_view="likelihood")
    at.slider(key="lo_w").set_value(w).run()
    at.slider(key="lo_b").set_value(b).run()
    assert not at.exception
    lik, bce = torch_fit(w, b)
    m = metrics(at)
    assert float(m["likelihood L"]) == pytest.approx(lik, rel=1e-3)
    assert float(m["mean BCE (BCEWithLogitsLoss)"]) == pytest.approx(bce, rel=1e-5)
    assert float(m["−log L / N"]) == pytest.approx(bce, rel=1e-5)
    table = next(t for t in tables(at) if "p_i = σ(w·x_i + b)" in t.columns)
    probs = torch.sigmoid(w * X + b)
    assert [float(v) for v in table["p_i = σ(w·x_i + b)"]] == pytest.approx(probs.tolist(), rel=1e-5)
    assert any(s.startswith(f"At b = {b:g} ") for s in chart_summaries(at))


def test_best_point_and_ce_are_torchs():
    m = metrics(open_page("log_odds", lo_view="likelihood"))
    assert float(m["smallest mean BCE"]) == pytest.approx(0.5131916057, rel=1e-5)
    m = metrics(open_page("log_odds", lo_view="ce"))
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 1.2, 0.3]], dtype=torch.float64)
    ce = F.cross_entropy(logits, torch.tensor([0, 2])).item()
    assert float(m["F.cross_entropy(logits, target)"]) == pytest.approx(ce, rel=1e-5)
    assert float(m["−log(product) / 2"]) == pytest.approx(ce, rel=1e-5)


def test_a_closed_part_keeps_its_sliders_in_the_link():
    """Test that w and b set on part 2 stay in the link on part 1 (not dropped as unknown) and are there again on
    part 2; and that a link to part 3 with p and w keeps both."""
    at = open_page("log_odds", lo_view="likelihood")
    at.slider(key="lo_w").set_value(1.0).run()
    show_view(at, "lo_view", "logit")
    at.slider(key="lo_p").set_value(0.3).run()
    assert not at.exception and (at.query_params["lo_w"], at.query_params["lo_p"]) == ("1.0", "0.3")
    show_view(at, "lo_view", "likelihood")
    assert at.slider(key="lo_w").value == 1.0 and at.query_params["lo_p"] == "0.3"
    assert float(metrics(at)["mean BCE (BCEWithLogitsLoss)"]) == pytest.approx(torch_fit(1.0, 0.0)[1], rel=1e-5)
    at = open_page("log_odds", lo_view="ce", lo_p="0.3", lo_w="1.0")
    assert not at.toast and (at.query_params["lo_p"], at.query_params["lo_w"]) == ("0.3", "1.0")
    _check_pair(show_view(at, "lo_view", "logit"), 0.3, torch.logit(torch.tensor(0.3, dtype=torch.float64)).item())


@pytest.mark.parametrize(("qid", "right"), [("q1", "b"), ("q2", "a"), ("q3", "a")])
def test_quiz_keyed_answers(qid, right):
    """Test that each question's keyed answer is praised and every distractor gets the hint."""
    for option in ("a", "b", "c"):
        at = open_page("log_odds")
        at.radio(key=f"quiz_log_odds_{qid}").set_value(option).run()
        assert not at.exception
        praised = any(s.value.startswith("Right.") for s in at.success)
        hinted = any(w.value.startswith("Not quite.") for w in at.warning)
        assert (praised, hinted) == ((True, False) if option == right else (False, True))


@pytest.mark.parametrize(("key", "value"), [("lo_p", "abc"), ("lo_p", "1"), ("lo_x", "99"), ("lo_w", "nan"),
                                            ("lo_b", "1e9")])
def test_bad_url_value_gives_a_notice(key, value):
    """Test that a refused link value gets the notice (in Chinese too) and the defaults."""
    view = {"lo_view": "likelihood"} if key in ("lo_w", "lo_b") else {}  # the notice shows under its slider
    at = open_page("log_odds", "zh", **{key: value}, **view)
    assert not at.exception and "链接中" in texts(at)
    at = open_page("log_odds", "en", **{key: value}, **view)
    assert "is not usable here" in texts(at) and key not in at.query_params
    _check_pair(show_view(at, "lo_view", "logit"), 0.8, torch.logit(torch.tensor(0.8, dtype=torch.float64)).item())
