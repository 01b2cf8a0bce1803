"""Entropy, cross-entropy, KL: for a target distribution y and a prediction p = softmax(x) over C classes,
H(y, p) = H(y) + KL(y‖p), so no logits bring the loss below the floor H(y).

* :func:`target` — the learner's target entries made a distribution (divided by their sum, visibly).
* :func:`split` — H(y), KL(y‖p) by ``F.kl_div(F.log_softmax(x), y, reduction="batchmean")`` and the
  cross-entropy by ``F.cross_entropy(x, y)`` (probability target), for one sample shaped (1, C).
* :func:`reductions` — the ``"mean"`` trap: a batch of N copies of the sample, ``F.kl_div`` with each
  reduction (``"mean"`` divides by N·C, so it is KL / C), and with probabilities fed as input.
* :func:`softened` — label smoothing and distillation as cross-entropy to a softened target.

All numbers come from :mod:`lossviz.core.functional`; each view builds its own PyTorch snippet. No streamlit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F

LIMITS = {"c": (2, 6), "logit": (-10.0, 10.0), "y": (0.0, 1.0), "n": (1, 16), "eps": (0.0, 0.5), "t": (1.0, 10.0)}
LOGITS = (2.0, 1.0, 0.1, -1.0, 0.5, -0.5)
TARGET = (0.7, 0.2, 0.1, 0.0, 0.0, 0.0)
TEACHER = (4.0, 2.0, 0.5, -1.0, 1.0, -2.0)  # a fixed teacher's logits for distillation
REDUCTIONS = ("sum", "batchmean", "mean")
VIEWS = ("split", "trap", "soft")  # ui.views: H + KL = CE, the kl_div "mean" trap, softened targets
FORMULAS = (  # one formula per line: they fit a phone's width
    r"\begin{gathered}"
    r"H(y) = -\sum_c y_c \log y_c \\"
    r"\mathrm{KL}(y\,\|\,p) = \sum_c y_c \log \frac{y_c}{p_c} \;\ge\; 0 \\"
    r"H(y, p) = -\sum_c y_c \log p_c \\"
    r"= H(y) + \mathrm{KL}(y\,\|\,p) \;\ge\; H(y) \\[8pt]"
    r"y^{\varepsilon} = (1 - \varepsilon)\,\mathrm{onehot}(k) + \varepsilon / C \\"
    r"y^{T} = \mathrm{softmax}(t / T)"
    r"\end{gathered}"
)


def entropy(y) -> float:
    """H(y) = −Σ_c y_c log y_c, with 0·log 0 = 0 (torch.special.entr summed).

    >>> round(entropy([0.5, 0.5]), 6)
    0.693147
    """
    y = np.asarray(y, dtype=np.float64)
    return float(-np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0))) + 0.0  # + 0.0: no −0


@dataclass(frozen=True)
class Target:
    """The target as typed (``raw``) and as used (``y``, a distribution); ``fix``: "" when it already
    summed to 1, "normalised" when divided by its sum, "uniform" when every entry was 0."""

    raw: np.ndarray
    y: np.ndarray
    raw_sum: float
    fix: str


def target(raw) -> Target:
    """``raw`` (entries in [0, 1]) as a distribution: divided by its sum, or uniform when all are 0.

    >>> target([0.5, 0.5, 0.5]).y.tolist(), target([0.5, 0.5, 0.5]).fix
    ([0.3333333333333333, 0.3333333333333333, 0.3333333333333333], 'normalised')
    """
    r = np.asarray(raw, dtype=np.float64)
    s = float(np.sum(r))
    if s <= 0.0:
        return Target(r, np.full(r.size, 1.0 / r.size), s, "uniform")
    if abs(s - 1.0) <= 1e-9:
        return Target(r, r, s, "")
    return Target(r, r / s, s, "normalised")


@dataclass(frozen=True)
class Split:
    """One sample: p = softmax(x), H(y), KL(y‖p) and the cross-entropy H(y, p)."""

    y: np.ndarray
    p: np.ndarray
    entropy: float
    kl: float
    ce: float
    logp: np.ndarray  # F.log_softmax(x): what F.kl_div takes as input (the page's torch check feeds it)

    @property
    def gap(self) -> float:
        """H(y, p) − (H(y) + KL(y‖p)): zero up to float64 rounding."""
        return self.ce - (self.entropy + self.kl)


def split(logits, y) -> Split:
    """H(y, p) = H(y) + KL(y‖p) for one sample, each side computed on its own through the core.

    >>> s = split([2.0, 1.0, 0.1], [0.7, 0.3, 0.0])
    >>> round(s.ce, 6), round(s.entropy + s.kl, 6)
    (0.71703, 0.71703)
    """
    x = np.asarray(logits, dtype=np.float64)[None]
    t = np.asarray(y, dtype=np.float64)[None]
    logp = F.log_softmax(x, 1)
    return Split(t[0], F.softmax(x, 1)[0], entropy(t), float(F.kl_div(logp, t, reduction="batchmean")),
                 float(F.cross_entropy(x, t)), logp[0])


@dataclass(frozen=True)
class Reductions:
    """``F.kl_div(log p, y)`` over N copies of one (C,) sample, per reduction; ``probs`` feeds p itself."""

    n: int
    c: int
    values: dict[str, float]
    probs: float  # F.kl_div(p, y, reduction="batchmean"): probabilities where log-probabilities belong
    warning: str  # what the "mean" call warned (torch's own text)
    logp: np.ndarray  # the batch's log-probabilities (N, C), the input of every call
    target: np.ndarray  # the batch's targets (N, C)

    @property
    def factor(self) -> float:
        """batchmean / mean: C (NaN when both are 0)."""
        m = self.values["mean"]
        return self.values["batchmean"] / m if m else float("nan")


def batch(logits, y, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(log_softmax of the logits, the target), each repeated in N rows: shape (N, C)."""
    x = np.tile(np.asarray(logits, dtype=np.float64), (int(n), 1))
    return F.log_softmax(x, 1), np.tile(np.asarray(y, dtype=np.float64), (int(n), 1))


def reductions(logits, y, n: int) -> Reductions:
    """KL per reduction: sum = N·KL, batchmean = KL, mean = Σ / (N·C) = KL / C (torch warns)."""
    logp, t = batch(logits, y, n)
    values = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for r in REDUCTIONS:
            values[r] = float(F.kl_div(logp, t, reduction=r))
    probs = float(F.kl_div(np.exp(logp), t, reduction="batchmean"))
    return Reductions(int(n), t.shape[1], values, probs, "; ".join(str(w.message) for w in caught), logp, t)


@dataclass(frozen=True)
class Softened:
    """The same student logits x against three targets: one-hot k, smoothed by ε, a teacher at T."""

    k: int
    eps: float
    temperature: float
    onehot: Split
    smoothed: Split
    teacher: Split  # student x / T against softmax(TEACHER / T)
    builtin: float  # F.cross_entropy(x, k, label_smoothing=ε)
    hinton: float  # T² · KL(teacher_T ‖ student_T), the distillation loss of Hinton et al. (2015)


def softened(logits, k: int, eps: float, temperature: float) -> Softened:
    """Label smoothing as cross-entropy to (1 − ε)·onehot(k) + ε/C; distillation as cross-entropy
    (or KL, which differs by the constant H(teacher)) to the teacher's softmax at temperature T."""
    x = np.asarray(logits, dtype=np.float64)
    c, temp = x.size, float(temperature)
    hard = np.eye(c)[int(k)]
    soft = (1.0 - eps) * hard + eps / c
    teach = F.softmax(np.asarray(TEACHER[:c], dtype=np.float64) / temp)
    distil = split(x / temp, teach)
    onehot, smoothed = _splits(x, (hard, soft))
    builtin = float(F.cross_entropy(x[None], np.array([int(k)]), label_smoothing=float(eps)))
    return Softened(int(k), float(eps), temp, onehot, smoothed, distil, builtin, temp * temp * distil.kl)


def _splits(logits: np.ndarray, targets) -> list[Split]:
    """:func:`split` of the same logits against several targets, a row each: one core call per quantity instead
    of one per target (a row's KL is its ``reduction="none"`` terms summed, as ``batchmean`` over one row)."""
    t = np.asarray(targets, dtype=np.float64)
    x = np.tile(logits, (len(t), 1))
    logp, p = F.log_softmax(x, 1), F.softmax(logits[None], 1)[0]
    kl = np.sum(F.kl_div(logp, t, reduction="none"), axis=1)
    ce = F.cross_entropy(x, t, reduction="none")
    return [Split(t[i], p, entropy(t[i]), float(kl[i]), float(ce[i]), logp[i]) for i in range(len(t))]


def _row(a) -> str:
    return repr([round(float(v), 10) for v in np.ravel(a)])


def split_code(logits, y, n: int) -> str:
    """The PyTorch snippet of the decomposition and the reductions (it prints the page's numbers)."""
    return (
        "import torch\nimport torch.nn.functional as F\n"
        f"x = torch.tensor([{_row(logits)}], dtype=torch.float64)  # logits, shape (1, C)\n"
        f"y = torch.tensor([{_row(y)}], dtype=torch.float64)  # the target distribution\n"
        "H = torch.special.entr(y).sum()  # -Σ y log y, 0·log 0 = 0\n"
        "KL = F.kl_div(F.log_softmax(x, dim=1), y, reduction='batchmean')  # log-probabilities in!\n"
        "CE = F.cross_entropy(x, y)\n"
        "print('H(y)', H.item(), ' KL', KL.item(), ' H + KL', (H + KL).item(), ' CE', CE.item())\n"
        f"logp, t = F.log_softmax(x, 1).repeat({int(n)}, 1), y.repeat({int(n)}, 1)  # a batch (N, C)\n"
        "for r in ('sum', 'batchmean', 'mean'):  # 'mean' warns: it divides by N·C\n"
        "    print(r, F.kl_div(logp, t, reduction=r).item())\n"
        "print('probabilities as input', F.kl_div(logp.exp(), t, reduction='batchmean').item())"
    )


def softened_code(logits, k: int, eps: float, temperature: float) -> str:
    """The PyTorch snippet of label smoothing and distillation."""
    c = len(logits)
    return (
        "import torch\nimport torch.nn.functional as F\n"
        f"x = torch.tensor([{_row(logits)}], dtype=torch.float64)  # the student's logits\n"
        f"k, eps, T = torch.tensor([{int(k)}]), {float(eps)!r}, {float(temperature)!r}\n"
        f"y_eps = (1 - eps) * F.one_hot(k, {c}).double() + eps / {c}\n"
        "print('label_smoothing', F.cross_entropy(x, k, label_smoothing=eps).item())\n"
        "print('CE to y_eps     ', F.cross_entropy(x, y_eps).item())\n"
        f"teacher = torch.tensor([{_row(TEACHER[:c])}], dtype=torch.float64)\n"
        "y_T = F.softmax(teacher / T, dim=1)\n"
        "kl = F.kl_div(F.log_softmax(x / T, dim=1), y_T, reduction='batchmean')\n"
        "print('CE to y_T', F.cross_entropy(x / T, y_T).item(), ' H(y_T)', torch.special.entr(y_T).sum().item())\n"
        "print('KL', kl.item(), ' T² · KL', (T * T * kl).item())"
    )
