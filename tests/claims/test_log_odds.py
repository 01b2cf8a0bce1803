"""Claims of lesson 11, From log-odds to likelihood (catalog log_odds, its prose, page l11), computed in torch.

General claims ("always", "the same (w, b)", "without bound") are hypothesis properties over the page's whole
range: p in [0.001, 0.999] and x in [−7, 7] (the sliders), w in [−2, 4] and b in [−2, 2]."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lossviz.lessons import log_odds as L
from lossviz.text.i18n import LOCALES, catalog
from tests.app.helpers import chart_summaries, metric_pairs, open_page

torch.set_num_threads(1)  # tiny tensors: on a loaded 2-core machine threads made each call ~70× slower
LANGS = ("en", "zh")
PS = st.floats(*L.P_RANGE)
XS = st.floats(*L.X_RANGE)
WS = st.floats(*L.W_RANGE)
BS = st.floats(*L.B_RANGE)
X = torch.tensor(L.DATA_X, dtype=torch.float64)
Y = torch.tensor(L.DATA_Y, dtype=torch.float64)


def both(key: str) -> list[str]:
    return [catalog(lang)[f"log_odds.{key}"] for lang in LANGS]


def both_prose(name: str) -> list[str]:
    return [(LOCALES / lang / "prose" / f"{name}.md").read_text(encoding="utf-8") for lang in LANGS]


def t64(v) -> torch.Tensor:
    return torch.as_tensor(v, dtype=torch.float64)


def likelihood_and_bce(w: float, b: float) -> tuple[float, float, torch.Tensor, torch.Tensor]:
    """(L as the product of p_i or 1 − p_i, mean BCEWithLogits, the factors, the per-point BCEs) in torch."""
    z = w * X + b
    p = torch.sigmoid(z)
    factors = torch.where(Y == 1, p, 1 - p)
    losses = F.binary_cross_entropy_with_logits(z, Y, reduction="none")
    return factors.prod().item(), F.binary_cross_entropy_with_logits(z, Y).item(), factors, losses


def torch_best() -> tuple[float, float]:
    theta = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([theta], max_iter=200, tolerance_grad=1e-14, tolerance_change=1e-16)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(theta[0] * X + theta[1], Y)
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    return theta[0].item(), theta[1].item()


# ---------------------------------------------------------------- the logit --


@settings(max_examples=300, deadline=None)
@given(p=PS, x=XS)
def test_logit_is_sigmas_inverse(p, x):
    """Test that logit(p) = log(p / (1 − p)) and σ undo each other over both sliders' ranges, and that the odds
    are exp(logit) (teaser, intro, m_back_*, logit_summary, takeaway)."""
    lp = torch.logit(t64(p))
    assert lp.item() == pytest.approx(math.log(p / (1 - p)), rel=1e-12, abs=1e-15)
    assert torch.sigmoid(lp).item() == pytest.approx(p, rel=1e-12)
    assert torch.logit(torch.sigmoid(t64(x))).item() == pytest.approx(x, abs=1e-9)
    assert math.exp(lp.item()) == pytest.approx(p / (1 - p), rel=1e-12)


def test_intro_numbers():
    """Test p = 0.5 → logit 0, p = 0.8 → odds 4 and logit log 4 ≈ 1.386, and ±∞ at the ends (intro)."""
    assert torch.logit(t64(0.5)).item() == 0.0
    assert 0.8 / 0.2 == pytest.approx(4) and round(torch.logit(t64(0.8)).item(), 3) == 1.386 == round(math.log(4), 3)
    assert torch.logit(t64([0.0, 1.0])).tolist() == [-math.inf, math.inf]
    assert all("1.386" in s and "4 : 1" in s for s in both_prose("log_odds_intro"))


@settings(max_examples=200, deadline=None)
@given(a=st.floats(1e-12, 1 - 1e-12), b=st.floats(1e-12, 1 - 1e-12))
def test_logit_is_increasing_and_zero_at_half(a, b):
    """Test that the logit increases with p and is negative exactly below p = 0.5 (logit_summary)."""
    lo, hi = sorted((a, b))
    la, lb = torch.logit(t64([lo, hi])).tolist()
    assert la <= lb and (la < 0) == (lo < 0.5) and (lb > 0) == (hi > 0.5)


def test_logit_grows_without_bound():
    """Test that p = 10⁻ᵏ and 1 − 10⁻ᵏ give logits beyond ∓k·ln 10 − 1: no bound as p → 0 or 1 (logit_summary)."""
    k = torch.arange(1, 16, dtype=torch.float64)
    low, high = torch.logit(10.0 ** -k), torch.logit(1 - 10.0 ** -k)
    assert bool((low < -k * math.log(10) + 1).all()) and bool((high > k * math.log(10) - 1).all())


def test_the_sliders_stay_on_their_grids():
    """Test that every x on its slider has σ(x) rounded to 0.001 inside the p slider and every p a rounded logit
    inside the x slider (pair_help)."""
    xs = torch.arange(-700, 701, dtype=torch.float64) / 100
    ps = torch.sigmoid(xs)
    assert float(ps.min()) >= 0.0005 and float(ps.max()) <= 0.9995  # rounds into [0.001, 0.999]
    grid = torch.arange(1, 1000, dtype=torch.float64) / 1000
    assert float(torch.logit(grid).abs().max()) < 6.91 + 0.005
    assert all(L.P_RANGE[0] <= L.p_step(float(x)) <= L.P_RANGE[1] for x in xs[::50])


def test_torch_logit_at_the_edges():
    """Test edge_note and edge table: float32 logit(0) = −inf, logit(1) = inf, with eps=1e-6 −13.8155 and
    13.8023 (1 − 1e-6 rounds in float32), and 13.8155 where it does not (float64)."""
    p = torch.tensor([0.0, 1e-7, 0.5, 1.0])
    assert torch.logit(p).tolist()[::3] == [-math.inf, math.inf]
    eps = torch.logit(p, eps=1e-6)
    assert round(eps[0].item(), 4) == -13.8155 and round(eps[3].item(), 4) == 13.8023
    assert float(torch.tensor(1.0) - torch.tensor(1e-6)) != 1 - 1e-6
    assert round(torch.logit(t64(1.0), eps=1e-6).item(), 4) == 13.8155
    assert all("13.8023" in s and "13.8155" in s for s in both("edge_note"))


@settings(max_examples=200, deadline=None)
@given(x=XS)
def test_bce_of_label_one_is_minus_log_p(x):
    """Test BCEWithLogitsLoss(x, 1) = −log σ(x) = −log p over the x slider (check_note)."""
    loss = F.binary_cross_entropy_with_logits(t64(x), t64(1.0)).item()
    assert loss == pytest.approx(-math.log(torch.sigmoid(t64(x)).item()), rel=1e-12)


def test_quiz_q1_numbers():
    """Test σ(ln 9) = 0.9 (ln 9 ≈ 2.197), log 0.9 ≈ −0.105 and σ(−0.105) ≈ 0.474: only ln 9 is the logit."""
    assert torch.logit(t64(0.9)).item() == pytest.approx(math.log(9)) and round(math.log(9), 3) == 2.197
    assert torch.sigmoid(t64(2.197)).item() == pytest.approx(0.9, abs=1e-4)
    assert round(math.log(0.9), 3) == -0.105 and round(torch.sigmoid(t64(-0.105)).item(), 3) == 0.474
    assert torch.sigmoid(t64(0.9)).item() != pytest.approx(0.9, abs=0.1)


def test_quiz_q3_torch_logit_of_zero():
    """Test torch.logit(0.) = −inf (not NaN, not −100), NaN only outside [0, 1] or for NaN, and that −100 is
    BCELoss's clamp: BCELoss(0, 1) = 100."""
    assert torch.logit(torch.tensor(0.0)).item() == -math.inf
    assert torch.isnan(torch.logit(torch.tensor([-0.1, 1.1, math.nan]))).all()
    assert round(torch.logit(torch.tensor(0.0), eps=1e-6).item(), 4) == -13.8155
    assert F.binary_cross_entropy(torch.tensor(0.0), torch.tensor(1.0)).item() == 100.0


# ------------------------------------------------------- likelihood and BCE --


@settings(max_examples=300, deadline=None)
@given(w=WS, b=BS)
def test_mean_bce_is_minus_log_likelihood_over_n(w, b):
    """Test that the product of the factors is L, the per-point BCE is −log of its factor, and the mean BCE is
    −log L / 8 anywhere on the sliders (teaser, likelihood prose, table_caption, nll_mean, takeaway)."""
    lik, bce, factors, losses = likelihood_and_bce(w, b)
    torch.testing.assert_close(losses, -factors.log(), rtol=1e-9, atol=1e-12)
    assert bce == pytest.approx(-math.log(lik) / 8, rel=1e-9)
    assert bce == pytest.approx(losses.mean().item(), rel=1e-12)


@settings(max_examples=300, deadline=None)
@given(w1=WS, b1=BS, w2=WS, b2=BS)
def test_higher_likelihood_always_means_lower_bce(w1, b1, w2, b2):
    """Test quiz q2 and "maximising the likelihood and minimising BCE choose the same (w, b)": for any two
    settings on the sliders, the one with the higher L has the lower mean BCE."""
    l1, c1, _, _ = likelihood_and_bce(w1, b1)
    l2, c2, _, _ = likelihood_and_bce(w2, b2)
    if l1 > l2 * (1 + 1e-9):
        assert c1 < c2
    elif l2 > l1 * (1 + 1e-9):
        assert c2 < c1


def test_best_point_is_the_same_for_both():
    """Test best_note: torch's maximum-likelihood (w*, b*) ≈ (1.09, −0.1026) minimises the mean BCE, L there is
    0.01648 and the BCE 0.513192 = −log(L) / 8; on the page's grid both pick the cell (1, 0); it is inside the
    sliders' range."""
    w, b = torch_best()
    assert (round(w, 4), round(b, 4)) == (1.0898, -0.1026)
    lik, bce, _, _ = likelihood_and_bce(w, b)
    assert round(lik, 5) == 0.01648 and round(bce, 6) == 0.513192 and bce == pytest.approx(-math.log(lik) / 8)
    ws = torch.linspace(*L.W_RANGE, 31, dtype=torch.float64)
    bs = torch.linspace(*L.B_RANGE, 21, dtype=torch.float64)
    grid = torch.tensor([[likelihood_and_bce(wi.item(), bi.item())[:2] for wi in ws] for bi in bs])
    i_l, i_b = int(grid[..., 0].argmax()), int(grid[..., 1].argmin())
    assert i_l == i_b and (round(ws[i_l % 31].item(), 6), round(bs[i_l // 31].item(), 6)) == (1.0, 0.0)
    assert L.W_RANGE == (-2.0, 4.0) and L.B_RANGE == (-2.0, 2.0)  # heat_l_summary's ranges


@settings(max_examples=40, deadline=None)
@given(b=BS)
def test_along_w_likelihood_peaks_where_bce_bottoms(b):
    """Test slice_summary for every b on the slider: along w the likelihood's argmax is the BCE's argmin."""
    ws = torch.linspace(*L.W_RANGE, 241, dtype=torch.float64)
    z = ws[:, None] * X + b
    bce = F.binary_cross_entropy_with_logits(z, Y.expand_as(z), reduction="none").mean(1)
    p = torch.sigmoid(z)
    lik = torch.where(Y == 1, p, 1 - p).prod(1)
    assert int(lik.argmax()) == int(bce.argmin())


def test_data_are_not_separable():
    """Test the likelihood prose's premise: no threshold on x separates the labels, so L has a finite maximum."""
    order = torch.argsort(X)
    labels = Y[order].tolist()
    assert not any(labels == sorted(labels, reverse=r) for r in (False, True))


# --------------------------------------------------------------------- CE --


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(1, 6), c=st.integers(2, 6))
def test_cross_entropy_is_categorical_nll(data, n, c):
    """Test that CrossEntropyLoss is −log of the product of the true classes' softmax probabilities, / N (ce prose)."""
    logits = t64(data.draw(st.lists(st.lists(st.floats(-20, 20), min_size=c, max_size=c), min_size=n, max_size=n)))
    target = torch.tensor(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    p_true = torch.softmax(logits, 1)[torch.arange(n), target]
    assert F.cross_entropy(logits, target).item() == pytest.approx(-p_true.log().sum().item() / n, rel=1e-9, abs=1e-12)


def test_ce_example_on_the_page():
    """Test the page's two rows: true classes 0 and 2, −log(product) / 2 = F.cross_entropy, as shown."""
    at = open_page("log_odds", "en", lo_view="ce")
    m = {p.label: float(p.value) for p in metric_pairs(at) if p.label.startswith(("F.cross", "−log(product)"))}
    logits = t64(L.CE_LOGITS)
    ce = F.cross_entropy(logits, torch.tensor([0, 2])).item()
    assert m["F.cross_entropy(logits, target)"] == pytest.approx(ce, rel=1e-5) == m["−log(product) / 2"]
    assert any("L = 0.01648" in s for s in chart_summaries(open_page("log_odds", "en", lo_view="likelihood")))
