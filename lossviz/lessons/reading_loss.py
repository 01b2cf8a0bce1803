"""Reading a loss value: what it says at initialisation, how logits become predictions, and when a
rising validation loss does not mean falling accuracy.

* :func:`at_init` — a model that knows nothing predicts 1/C for every class: CrossEntropyLoss of
  all-equal logits is ln C whatever the target (ln 2 ≈ 0.693 for two classes, and for every element of
  BCEWithLogitsLoss at logit 0).
* :func:`thresholds` — a fixed batch of logits and labels: predict class 1 where the logit is > 0
  (σ > 0.5), against the common mistake of cutting the *logit* at 0.5 (σ > σ(0.5) ≈ 0.622).
* :func:`training` — logistic regression on a seeded toy set with 10 % of the labels flipped,
  full-batch gradient descent from zero weights (float64 numpy through :mod:`lossviz.core`; the tests
  replay it in torch): the validation loss bottoms out early and then rises while validation accuracy
  keeps rising — the model grows overconfident. :func:`reliability` bins its confidence.
* :func:`tilt` — pos_weight p moves the loss-minimising logit by ln p, so a score trained with it
  crosses 0.5 where the true probability is 1 / (1 + p) (:mod:`lossviz.lessons.weights`).

No streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from lossviz.core import functional as F
from lossviz.lessons import weights

C_RANGE = (2, 1000)
C_TABLE = (2, 10, 100, 1000, 50257)  # binary, CIFAR-10, CIFAR-100, ImageNet, GPT-2's vocabulary
# The batch of the threshold part: logits sorted, three of them between 0 and 0.5.
LOGITS = (-2.1, -1.5, -0.8, -0.2, 0.1, 0.3, 0.45, 0.7, 1.2, 2.4)
LABELS = (0, 0, 1, 0, 1, 1, 1, 1, 1, 1)
CUT_RANGE = (-2.0, 2.0)
CE_LOGITS = (1.2, 2.0, -0.5)  # one sample, three classes: argmax, no threshold
# The training run: one informative feature (scaled down, so it is learned slowly) and NOISE noise
# features the model can memorise the training labels with; FLIP of all labels flipped.
SEED, N_TRAIN, N_VAL, NOISE, SIGNAL, SHIFT, FLIP = 0, 40, 400, 10, 0.3, 2.0, 0.1
LR, EPOCHS = 2.0, 200
BINS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # confidence max(σ, 1 − σ) of a binary prediction
PW_RANGE = (0.1, 10.0)
FORMULAS = (
    r"\begin{gathered}"
    r"p_c = \tfrac{1}{C} \;\Rightarrow\; \ell = -\log \tfrac{1}{C} = \ln C \\"
    r"\hat y = [\,x > 0\,] = [\,\sigma(x) > 0.5\,] \\"
    r"x > 0.5 \iff \sigma(x) > \sigma(0.5) \approx 0.622 \\[6pt]"
    r"\text{pos\_weight } p:\; x^* = \operatorname{logit}(q) + \ln p \\"
    r"\sigma(x^*) > 0.5 \iff q > \tfrac{1}{1 + p}"
    r"\end{gathered}"
)


# ------------------------------------------------------------ at initialisation --


@dataclass(frozen=True)
class Init:
    c: int
    ce: float  # F.cross_entropy of C equal logits (any target)
    ln_c: float
    chance: float  # 1 / C: accuracy of guessing
    bce_logit0: float  # BCEWithLogits at logit 0, per element, for any C


def at_init(c: int) -> Init:
    """The loss of a model that knows nothing: ``at_init(10).ce`` ≈ 2.302585 = ln 10."""
    c = int(c)
    return Init(c, float(F.cross_entropy(np.zeros((1, c)), np.array([0]))), math.log(c), 1.0 / c,
                float(F.binary_cross_entropy_with_logits(0.0, 1.0)))


def init_table() -> list[tuple[int, float]]:
    """(C, CrossEntropyLoss of zero logits) for the classic class counts of :data:`C_TABLE`."""
    return [(c, at_init(c).ce) for c in C_TABLE]


# ------------------------------------------------------------ logits → predictions --


@dataclass(frozen=True)
class Thresholds:
    cut: float
    logits: np.ndarray
    labels: np.ndarray
    sigma: np.ndarray
    right: np.ndarray  # predictions of logit > 0 (σ > 0.5)
    wrong: np.ndarray  # predictions of logit > cut
    cut_sigma: float  # σ(cut): the probability threshold cutting the logit at ``cut`` really uses

    @property
    def flipped(self) -> np.ndarray:
        return self.right != self.wrong

    @property
    def accuracy(self) -> tuple[float, float]:
        """(accuracy at logit > 0, accuracy at logit > cut)."""
        return float(np.mean(self.right == self.labels)), float(np.mean(self.wrong == self.labels))


def thresholds(cut: float) -> Thresholds:
    """The batch cut at 0 and at ``cut``: ``thresholds(0.5).flipped.sum()`` is 3."""
    x, y = np.array(LOGITS), np.array(LABELS)
    s = F.sigmoid(x)
    return Thresholds(float(cut), x, y, s, (x > 0).astype(int), (x > cut).astype(int), float(F.sigmoid(float(cut))))


def argmax_example() -> tuple[int, np.ndarray, float]:
    """(predicted class, softmax, CrossEntropyLoss for target 1) of :data:`CE_LOGITS`: argmax of the
    logits, the same as argmax of the probabilities (softmax keeps the order)."""
    x = np.array([CE_LOGITS])
    return int(np.argmax(x)), F.softmax(x, 1)[0], float(F.cross_entropy(x, np.array([1])))


# ------------------------------------------------------------------ training --


@dataclass(frozen=True)
class Run:
    """Per-epoch lists have EPOCHS + 1 entries: epoch 0 is the untrained model (w = 0, b = 0)."""

    train_loss: list[float]
    val_loss: list[float]
    train_acc: list[float]
    val_acc: list[float]
    val_logits: np.ndarray  # (EPOCHS + 1, N_VAL)
    val_labels: np.ndarray

    @property
    def best(self) -> int:
        """The epoch of the lowest validation loss (where early stopping on the loss would stop)."""
        return int(np.argmin(self.val_loss))


def toy_data(seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_val, y_val), float64: y ~ Bernoulli(½); feature 0 = SIGNAL·((2y − 1)·SHIFT + ε),
    NOISE more features of pure noise; then FLIP of the labels flipped (in both sets)."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_VAL
    y = (rng.random(n) < 0.5).astype(np.float64)
    x = np.column_stack([SIGNAL * ((2 * y - 1) * SHIFT + rng.standard_normal(n)), rng.standard_normal((n, NOISE))])
    y = np.where(rng.random(n) < FLIP, 1.0 - y, y)
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


@cache
def training() -> Run:
    """Full-batch gradient descent on BCEWithLogits (mean) from w = 0, b = 0, lr LR, EPOCHS steps."""
    xt, yt, xv, yv = toy_data()
    w, b = np.zeros(xt.shape[1]), 0.0
    tl, vl, ta, va, logits = [], [], [], [], []
    for epoch in range(EPOCHS + 1):
        zt, zv = xt @ w + b, xv @ w + b
        tl.append(float(F.binary_cross_entropy_with_logits(zt, yt)))
        vl.append(float(F.binary_cross_entropy_with_logits(zv, yv)))
        ta.append(float(np.mean((zt > 0) == (yt == 1))))
        va.append(float(np.mean((zv > 0) == (yv == 1))))
        logits.append(zv)
        if epoch < EPOCHS:
            g = F.binary_cross_entropy_with_logits_grad(zt, yt)  # ∂loss/∂z, mean reduction
            w, b = w - LR * (xt.T @ g), b - LR * float(g.sum())  # z = x·w + b: ∂w = xᵀ ∂z, ∂b = Σ ∂z
    return Run(tl, vl, ta, va, np.array(logits), yv)


@dataclass(frozen=True)
class Reliability:
    """Validation predictions binned by confidence max(σ, 1 − σ): per bin, mean confidence, accuracy, count."""

    epoch: int
    confidence: list[float]  # NaN for an empty bin
    accuracy: list[float]
    count: list[int]
    ece: float  # Σ count/N · |accuracy − confidence|: expected calibration error
    mean_confidence: float
    overall_accuracy: float


def reliability(run: Run, epoch: int) -> Reliability:
    z, y = run.val_logits[int(epoch)], run.val_labels
    s = F.sigmoid(z)
    conf = np.maximum(s, 1.0 - s)
    hit = ((z > 0) == (y == 1)).astype(np.float64)
    idx = np.clip(np.digitize(conf, BINS[1:-1]), 0, len(BINS) - 2)
    confs, accs, counts, ece = [], [], [], 0.0
    for k in range(len(BINS) - 1):
        m = idx == k
        n = int(m.sum())
        confs.append(float(conf[m].mean()) if n else math.nan)
        accs.append(float(hit[m].mean()) if n else math.nan)
        counts.append(n)
        ece += n / len(z) * abs(accs[-1] - confs[-1]) if n else 0.0
    return Reliability(int(epoch), confs, accs, counts, ece, float(conf.mean()), float(hit.mean()))


# ------------------------------------------------------------------ pos_weight --


@dataclass(frozen=True)
class Tilt:
    pos_weight: float
    q_cross: float  # true positive probability at which the trained score crosses 0.5: 1 / (1 + p)
    shift: float  # ln p: how far every loss-minimising logit moves
    sigma_at_half: float  # the trained score of a point with q = 0.5: p / (1 + p)
    qs: np.ndarray
    calibrated: np.ndarray  # σ* with pos_weight 1: q itself
    tilted: np.ndarray  # σ* with pos_weight p


def tilt(pos_weight: float, n: int = 201) -> Tilt:
    """What pos_weight p does to a score: ``tilt(3).q_cross`` = 0.25, ``.sigma_at_half`` = 0.75."""
    p = float(pos_weight)
    qs = np.linspace(0.0, 1.0, n)
    return Tilt(p, float(weights.threshold_on_probability(p)), math.log(p), float(weights.weighted_optimum(0.5, p)),
                qs, weights.weighted_optimum(qs, 1.0), weights.weighted_optimum(qs, p))


# ------------------------------------------------------------------ snippets --


def threshold_code(cut: float) -> str:
    """The batch cut at 0 and (wrongly) at ``cut``, in torch."""
    return (
        "import torch\n"
        f"x = torch.tensor({list(LOGITS)}, dtype=torch.float64)  # logits\n"
        f"y = torch.tensor({list(LABELS)})\n"
        "right = (x > 0).long()  # the same as torch.sigmoid(x) > 0.5\n"
        f"wrong = (x > {float(cut)!r}).long()  # a probability threshold applied to a logit\n"
        "print('accuracy', (right == y).double().mean().item(), (wrong == y).double().mean().item())\n"
        "print('flipped', (right != wrong).sum().item())\n"
        f"print('sigmoid(cut)', torch.sigmoid(torch.tensor({float(cut)!r}, dtype=torch.float64)).item())\n"
        "print('CE at init, C = 10:', "
        "torch.nn.functional.cross_entropy(torch.zeros(1, 10), torch.tensor([0])).item())\n"
    )


def training_code(epoch: int = EPOCHS) -> str:
    """The run in torch (the toy set drawn with numpy as :func:`toy_data`), printing loss and accuracy."""
    return (
        "import numpy as np\nimport torch\nimport torch.nn.functional as F\n"
        f"rng = np.random.default_rng({SEED})\n"
        f"n = {N_TRAIN} + {N_VAL}\n"
        "y = (rng.random(n) < 0.5).astype(np.float64)\n"
        f"x = np.column_stack([{SIGNAL} * ((2 * y - 1) * {SHIFT} + rng.standard_normal(n)),\n"
        f"                     rng.standard_normal((n, {NOISE}))])\n"
        f"y = np.where(rng.random(n) < {FLIP}, 1.0 - y, y)  # label noise\n"
        f"x, y = torch.from_numpy(x), torch.from_numpy(y)\n"
        f"xt, yt, xv, yv = x[:{N_TRAIN}], y[:{N_TRAIN}], x[{N_TRAIN}:], y[{N_TRAIN}:]\n"
        f"w = torch.zeros({NOISE + 1}, dtype=torch.float64, requires_grad=True)\n"
        "b = torch.zeros((), dtype=torch.float64, requires_grad=True)\n"
        f"opt = torch.optim.SGD([w, b], lr={LR})\n"
        f"for epoch in range({int(epoch) + 1}):\n"
        "    with torch.no_grad():\n"
        "        zv = xv @ w + b\n"
        f"        if epoch in (0, {training().best}, {int(epoch)}):\n"
        "            acc = ((zv > 0).double() == yv).double().mean().item()\n"
        "            print(epoch, 'val loss', F.binary_cross_entropy_with_logits(zv, yv).item(), 'val accuracy', acc)\n"
        f"    if epoch < {int(epoch)}:\n"
        "        opt.zero_grad()\n"
        "        F.binary_cross_entropy_with_logits(xt @ w + b, yt).backward()\n"
        "        opt.step()\n"
    )
