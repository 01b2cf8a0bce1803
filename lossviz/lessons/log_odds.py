"""From log-odds to likelihood: the logit as σ's inverse, and BCE / CE as negative log-likelihoods.

* :func:`from_p` / :func:`from_x` — one point on the sigmoid: a probability p, its odds p/(1 − p), its
  logit log(p/(1 − p)) (``F.logit``, as ``torch.logit``) and the way back (σ of the logit, the logit of
  σ). :func:`x_step` / :func:`p_step` put the other slider on its own grid.
* :func:`fit` — a fixed data set of eight labelled points (:data:`DATA_X`, :data:`DATA_Y`) under the model
  p_i = σ(w·x_i + b): each point's likelihood factor p_i^{y_i}(1 − p_i)^{1 − y_i}, their product L, and
  the mean BCE from ``F.binary_cross_entropy_with_logits``, which is −log L / N.
* :func:`surface`, :func:`along_w`, :func:`best` — L and the mean BCE over (w, b): the argmax of one is
  the argmin of the other; :func:`best` finds it by Newton's method on the core's gradients.
* :func:`ce_example` — CrossEntropyLoss as the negative log-likelihood of a categorical model.

No streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F

P_RANGE, P_STEP = (0.001, 0.999), 0.001
X_RANGE, X_STEP = (-7.0, 7.0), 0.01  # σ(±7) rounds to 0.999 / 0.001: every x has a p on its slider
W_RANGE, B_RANGE, WB_STEP = (-2.0, 4.0), (-2.0, 2.0), 0.05
EDGE_P = (0.0, 1e-7, 0.5, 1.0)  # torch.logit's edge cases, in float32
EPS = 1e-6
# Eight labelled points on one feature, the classes overlapping (x = −0.7 is a 1, x = 0.9 a 0), so no line
# separates them and the likelihood has a finite maximum.
DATA_X = np.array([-2.1, -1.3, -0.7, -0.2, 0.4, 0.9, 1.5, 2.2])
DATA_Y = np.array([0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0])
N = DATA_X.size
CE_LOGITS = np.array([[2.0, 0.5, -1.0], [0.1, 1.2, 0.3]])
CE_TARGET = np.array([0, 2])
VIEWS = ("logit", "likelihood", "ce")  # ui.views: parts 1, 2 and 3
FORMULAS = (  # one formula per line: they fit a phone's width
    r"\begin{gathered}"
    r"\operatorname{logit}(p) = \log\frac{p}{1-p} \\ \sigma(\operatorname{logit}(p)) = p \\[8pt]"
    r"L(w, b) = \prod_{i=1}^{N} p_i^{\,y_i}\,(1-p_i)^{1-y_i} \\ p_i = \sigma(w x_i + b) \\[8pt]"
    r"\text{BCE}(w, b) = -\frac{1}{N}\sum_{i=1}^{N}\big[y_i\log p_i \\ + (1-y_i)\log(1-p_i)\big] \\"
    r"= -\frac{1}{N}\log L(w, b)"
    r"\end{gathered}"
)


# ------------------------------------------------------------- the logit --


@dataclass(frozen=True)
class Odds:
    """One point on the sigmoid: ``src`` ("p" or "x") is the value set, the others follow from it."""

    src: str
    p: float
    odds: float  # p / (1 − p) = exp(x)
    x: float  # logit(p)
    back: float  # σ(logit(p)) when p was set, logit(σ(x)) when x was


def from_p(p: float) -> Odds:
    """A probability and its logit: ``from_p(0.8).x`` = log 4 ≈ 1.386."""
    x = float(F.logit(float(p)))
    return Odds("p", float(p), float(p) / (1.0 - float(p)), x, float(F.sigmoid(x)))


def from_x(x: float) -> Odds:
    """A logit and its probability: ``from_x(0.0).p`` = 0.5."""
    p = float(F.sigmoid(float(x)))
    return Odds("x", p, math.exp(float(x)), float(x), float(F.logit(p)))


def x_step(p: float) -> float:
    """logit(p) on the x slider's grid (within :data:`X_RANGE`)."""
    return min(max(round(float(F.logit(float(p))), 2), X_RANGE[0]), X_RANGE[1])


def p_step(x: float) -> float:
    """σ(x) on the p slider's grid (within :data:`P_RANGE`)."""
    return min(max(round(float(F.sigmoid(float(x))), 3), P_RANGE[0]), P_RANGE[1])


def grid_p(n: int = 999) -> np.ndarray:
    """The probabilities the logit curve is drawn at: :data:`P_RANGE` in steps of 0.001."""
    return np.linspace(*P_RANGE, n)


def edge_rows(eps: float = EPS) -> list[tuple[float, float, float]]:
    """(p, torch.logit(p), torch.logit(p, eps)) in float32 for :data:`EDGE_P`."""
    p = np.array(EDGE_P, dtype=np.float32)
    return list(zip(EDGE_P, F.logit(p).tolist(), F.logit(p, eps).tolist(), strict=True))


# -------------------------------------------------- likelihood and BCE --


@dataclass(frozen=True)
class Fit:
    """The data set under σ(w·x + b): per point z, p and its likelihood factor; L, log L and the mean BCE."""

    w: float
    b: float
    z: np.ndarray
    p: np.ndarray
    factors: np.ndarray  # p_i if y_i = 1, 1 − p_i if y_i = 0
    losses: np.ndarray  # −log of each factor: BCEWithLogits with reduction="none"
    likelihood: float
    log_likelihood: float
    bce: float  # F.binary_cross_entropy_with_logits(z, y), reduction="mean"

    @property
    def nll_mean(self) -> float:
        """−log L / N: the same number as :attr:`bce`."""
        return -self.log_likelihood / N


def fit(w: float, b: float) -> Fit:
    """``fit(0, 0)``: every p_i = 0.5, L = 0.5⁸ = 1/256 and the mean BCE = ln 2."""
    z = float(w) * DATA_X + float(b)
    p = F.sigmoid(z)
    factors = np.where(DATA_Y == 1.0, p, 1.0 - p)
    losses = F.binary_cross_entropy_with_logits(z, DATA_Y, reduction="none")
    log_l = float(-losses.sum())  # log L = Σ log p_i^{y_i}(1 − p_i)^{1 − y_i} = −Σ ℓ_i, stable
    return Fit(float(w), float(b), z, p, factors, losses, float(np.prod(factors)), log_l,
               float(F.binary_cross_entropy_with_logits(z, DATA_Y)))


def _mean_bce(ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    """The mean BCE for every (w, b) of two broadcastable arrays, through the core."""
    z = ws[..., None] * DATA_X + bs[..., None]
    return F.binary_cross_entropy_with_logits(z, np.broadcast_to(DATA_Y, z.shape), reduction="none").mean(axis=-1)


@dataclass(frozen=True)
class Surface:
    """L and the mean BCE on a (b, w) grid (rows: b), and the grid cells of the max of L and the min of BCE."""

    ws: np.ndarray
    bs: np.ndarray
    likelihood: np.ndarray
    bce: np.ndarray
    argmax_l: tuple[float, float]  # (w, b)
    argmin_bce: tuple[float, float]


def surface(n_w: int = 31, n_b: int = 21) -> Surface:
    ws, bs = np.linspace(*W_RANGE, n_w), np.linspace(*B_RANGE, n_b)
    bce = _mean_bce(ws[None, :], bs[:, None])
    lik = np.exp(-N * bce)  # L = exp(−N · mean BCE)
    i, j = np.unravel_index(np.argmax(lik), lik.shape)
    k, m = np.unravel_index(np.argmin(bce), bce.shape)
    return Surface(ws, bs, lik, bce, (float(ws[j]), float(bs[i])), (float(ws[m]), float(bs[k])))


@dataclass(frozen=True)
class Slice:
    """L and the mean BCE along w for one b, and the w where L peaks (= where BCE bottoms) on it."""

    b: float
    ws: np.ndarray
    likelihood: np.ndarray
    bce: np.ndarray
    best_w: float


def along_w(b: float, n: int = 241) -> Slice:
    ws = np.linspace(*W_RANGE, n)
    bce = _mean_bce(ws, np.full_like(ws, float(b)))
    lik = np.exp(-N * bce)
    return Slice(float(b), ws, lik, bce, float(ws[np.argmax(lik)]))


def best(steps: int = 25) -> tuple[float, float]:
    """(w*, b*) maximising L, i.e. minimising the mean BCE: Newton's method from (0, 0), the gradient
    from ``binary_cross_entropy_with_logits_grad`` and the Hessian Σ p(1 − p)[x, 1][x, 1]ᵀ / N."""
    theta = np.zeros(2)
    design = np.stack([DATA_X, np.ones(N)], axis=1)
    for _ in range(steps):
        z = design @ theta
        gz = F.binary_cross_entropy_with_logits_grad(z, DATA_Y)  # (σ(z) − y) / N
        s = F.sigmoid(z)
        hessian = (design * (s * (1.0 - s))[:, None]).T @ design / N
        theta = theta - np.linalg.solve(hessian, design.T @ gz)
    return float(theta[0]), float(theta[1])


# ------------------------------------------------------------------- CE --


@dataclass(frozen=True)
class CategoricalNLL:
    """Cross-entropy of two rows of logits: the probability of each true class, their product, −log of it / N."""

    p_true: np.ndarray
    likelihood: float
    nll_mean: float
    ce: float  # F.cross_entropy(CE_LOGITS, CE_TARGET)


def ce_example() -> CategoricalNLL:
    p_true = F.softmax(CE_LOGITS)[np.arange(len(CE_TARGET)), CE_TARGET]
    likelihood = float(np.prod(p_true))
    return CategoricalNLL(p_true, likelihood, -math.log(likelihood) / len(CE_TARGET),
                          float(F.cross_entropy(CE_LOGITS, CE_TARGET)))


# ------------------------------------------------------------------- snippets --


def odds_code(o: Odds) -> str:
    """The logit and the way back in torch (float64), and torch.logit's edge cases with and without eps."""
    if o.src == "p":
        first = f"p = torch.tensor({o.p!r}, dtype=torch.float64)\nx = torch.logit(p)\n"
        back = "print('back', torch.sigmoid(x).item())  # sigmoid(logit(p)) = p\n"
    else:
        first = f"x = torch.tensor({o.x!r}, dtype=torch.float64)\np = torch.sigmoid(x)\n"
        back = "print('back', torch.logit(p).item())  # logit(sigmoid(x)) = x\n"
    return (
        "import torch\n" + first
        + "print('p', p.item(), 'odds', (p / (1 - p)).item(), 'logit', x.item())\n" + back
        + f"edge = torch.tensor({list(EDGE_P)!r})  # float32\n"
        + "print(torch.logit(edge).tolist())\n"
        + f"print(torch.logit(edge, eps={EPS!r}).tolist())  # clamps p to [eps, 1 - eps] first\n"
    )


def fit_code(w: float, b: float) -> str:
    """The data set's likelihood and mean BCE at (w, b) in torch, and the categorical example."""
    return (
        "import torch\nimport torch.nn.functional as F\n"
        f"x = torch.tensor({DATA_X.tolist()!r}, dtype=torch.float64)\n"
        f"y = torch.tensor({DATA_Y.tolist()!r}, dtype=torch.float64)\n"
        f"w, b = {float(w)!r}, {float(b)!r}\n"
        "p = torch.sigmoid(w * x + b)\n"
        "likelihood = torch.prod(torch.where(y == 1, p, 1 - p))\n"
        "bce = F.binary_cross_entropy_with_logits(w * x + b, y)\n"
        "print('likelihood', likelihood.item())\n"
        "print('-log(likelihood) / N', (-torch.log(likelihood) / len(x)).item())\n"
        "print('mean BCE', bce.item())\n"
        f"logits = torch.tensor({CE_LOGITS.tolist()!r}, dtype=torch.float64)\n"
        f"target = torch.tensor({CE_TARGET.tolist()!r})\n"
        "p_true = torch.softmax(logits, dim=1)[torch.arange(2), target]\n"
        "print('CE', F.cross_entropy(logits, target).item(), '-log(prod) / N', (-p_true.prod().log() / 2).item())\n"
    )


# ------------------------------------------------------ the two sliders --
P_DEFAULT = 0.8


def pair_from_link(p: float | None, x: float | None) -> tuple[str, float, float]:
    """(source, p, x) for a first visit, from the link's valid values (None: absent or refused).

    x is the source when the link has only x, or when its p is x's rounded σ while x is not p's rounded logit
    (a link copied after moving x); otherwise p is, and x follows it."""
    if x is not None and (p is None or (p == p_step(x) and x != x_step(p))):
        return "x", p_step(x), float(x)
    p = P_DEFAULT if p is None else float(p)
    return "p", p, x_step(p)


def pair_after(seen: tuple[float, float], p: float, x: float, src: str) -> tuple[str, float, float]:
    """(source, p, x) after a step: the slider that moved since ``seen`` = (p, x) leads, the other follows."""
    if x != seen[1]:
        return "x", p_step(x), float(x)
    if p != seen[0]:
        return "p", float(p), x_step(p)
    return src, float(p), float(x)
