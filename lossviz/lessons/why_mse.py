"""Why not MSE for classification? σ + MSE against BCEWithLogits, as functions of the logit, and a race.

* :func:`point` and :func:`curves` — for a label y ∈ {0, 1} and a logit x: the loss (σ(x) − y)² and
  its gradient 2(σ(x) − y)·σ(x)(1 − σ(x)) (``mse_loss_grad`` chained with σ' = σ(1 − σ)), beside
  BCEWithLogits and its gradient σ(x) − y. All numbers come from :mod:`lossviz.core.functional`.
* :func:`peak` — where MSE's gradient is largest (σ = 1/3 for y = 1, i.e. x = −ln 2); towards the
  confidently wrong end it vanishes while BCE's stays near ±1.
* :func:`race` — logistic regression on Train it's blobs (:mod:`lossviz.lessons.train`: same data,
  same start ``W_INIT``/``B_INIT`` × scale), full-batch gradient descent with the same learning rate,
  once with σ + MSE and once with BCEWithLogits, in float32 numpy through the core (tests replay it
  in torch).

No streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F
from lossviz.lessons import train

LOSSES = ("mse", "bce")
# Language-neutral names (the call itself), for legends and tables.
NAMES = {"mse": "MSELoss(sigmoid(x), y)", "bce": "BCEWithLogitsLoss(x, y)"}
X_RANGE = (-10.0, 10.0)
LIMITS = {"lr": (0.05, 5.0), "steps": (1, 300), "scale": (0.5, 10.0)}
FORMULAS = (  # one formula per line: they fit a phone's width
    r"\begin{gathered}"
    r"\ell_{\text{MSE}}(x) = (\sigma(x) - y)^2 \\"
    r"\frac{\partial \ell_{\text{MSE}}}{\partial x} = 2(\sigma(x) - y)\,\sigma(x)\,(1 - \sigma(x)) \\[8pt]"
    r"\ell_{\text{BCE}}(x) = -\big[y \log\sigma(x) \\ + (1 - y)\log(1 - \sigma(x))\big] \\"
    r"\frac{\partial \ell_{\text{BCE}}}{\partial x} = \sigma(x) - y"
    r"\end{gathered}"
)


@dataclass(frozen=True)
class Point:
    """One logit x and one label y: σ(x), both losses and both gradients w.r.t. x (float64)."""

    x: float
    y: float
    sigma: float
    mse: float
    mse_grad: float
    bce: float
    bce_grad: float

    @property
    def ratio(self) -> float:
        """|MSE's gradient| / |BCE's gradient|: how much of BCE's push MSE keeps (NaN where BCE's is 0)."""
        return abs(self.mse_grad) / abs(self.bce_grad) if self.bce_grad != 0 else math.nan

    @property
    def wrong(self) -> bool:
        """The prediction σ(x) > 0.5 ⇔ x > 0 disagrees with the label."""
        return (self.x > 0) != (self.y == 1.0)


@dataclass(frozen=True)
class Curves:
    """Both losses and gradients over the logit grid ``xs`` for one label y."""

    y: float
    xs: np.ndarray
    mse: np.ndarray
    mse_grad: np.ndarray
    bce: np.ndarray
    bce_grad: np.ndarray


def _parts(x, y: float):
    """(σ, MSE, dMSE/dx, BCE, dBCE/dx) elementwise, in float64, through the core."""
    xs = np.asarray(x, dtype=np.float64)
    target = np.full_like(xs, float(y))
    s = F.sigmoid(xs)
    mse = F.mse_loss(s, target, reduction="none")
    mse_grad = F.mse_loss_grad(s, target, reduction="none") * (s * (1.0 - s))  # chain rule: dσ/dx = σ(1 − σ)
    bce = F.binary_cross_entropy_with_logits(xs, target, reduction="none")
    bce_grad = F.binary_cross_entropy_with_logits_grad(xs, target, reduction="none")
    return s, mse, mse_grad, bce, bce_grad


def point(x: float, y: float) -> Point:
    """Both losses at one logit: ``point(-10, 1).mse_grad`` ≈ −9.08e-5, ``.bce_grad`` ≈ −0.99995."""
    s, mse, mg, bce, bg = (float(v) for v in _parts(float(x), y))
    return Point(float(x), float(y), s, mse, mg, bce, bg)


def curves(y: float, n: int = 401) -> Curves:
    """Both losses and gradients on ``n`` logits evenly spaced over :data:`X_RANGE`."""
    xs = np.linspace(*X_RANGE, n)
    _, mse, mg, bce, bg = _parts(xs, y)
    return Curves(float(y), xs, mse, mg, bce, bg)


def peak(y: float) -> Point:
    """Where |MSE's gradient| is largest: d/ds [s(1 − s)²] = 0 at σ = 1/3 (y = 1), x = −ln 2; mirrored for y = 0."""
    return point(-math.log(2.0) if y == 1.0 else math.log(2.0), y)


# ------------------------------------------------------------------ the race --


@dataclass(frozen=True)
class Run:
    """One descent; per-step lists have ``steps`` entries, each taken before that step's update."""

    loss: str
    losses: list[float]  # the objective this run minimises
    accuracy: list[float]
    grad_norms: list[float]  # ‖(∂w, ∂b)‖
    w: list[float]
    b: float
    final_logits: np.ndarray  # float32, after the last update
    final_loss: float
    final_accuracy: float


@dataclass(frozen=True)
class Race:
    lr: float
    steps: int
    scale: float
    runs: dict[str, Run]
    target: np.ndarray  # float32 labels of the blobs


def clamp(name: str, value: float) -> float:
    """``value`` inside :data:`LIMITS`; a non-finite value raises ValueError."""
    lo, hi = LIMITS[name]
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return min(max(float(value), lo), hi)


def _objective(loss: str, z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean loss and its gradient w.r.t. the logits z, through the core (float32)."""
    if loss == "bce":
        return float(F.binary_cross_entropy_with_logits(z, y)), F.binary_cross_entropy_with_logits_grad(z, y)
    s = F.sigmoid(z)
    return float(F.mse_loss(s, y)), F.mse_loss_grad(s, y) * (s * (np.float32(1) - s))


def _descend(loss: str, x: np.ndarray, y: np.ndarray, *, lr: float, steps: int, scale: float) -> Run:
    w = np.asarray(train.W_INIT, dtype=np.float32) * np.float32(scale)
    b = np.float32(train.B_INIT) * np.float32(scale)
    lr32 = np.float32(lr)
    losses, accs, norms = [], [], []
    for _ in range(steps):
        z = x @ w + b
        value, gz = _objective(loss, z, y)
        gw, gb = x.T @ gz, gz.sum(dtype=np.float32)  # z = x·w + b: ∂w = xᵀ ∂z, ∂b = Σ ∂z
        losses.append(value)
        accs.append(float(np.mean((z > 0) == (y == 1))))
        norms.append(float(np.sqrt(np.float64(gw @ gw) + np.float64(gb) ** 2)))
        w, b = w - lr32 * gw, b - lr32 * gb  # SGD, as torch.optim.SGD without momentum
    z = x @ w + b
    return Run(loss, losses, accs, norms, w.tolist(), float(b), z.astype(np.float32), _objective(loss, z, y)[0],
               float(np.mean((z > 0) == (y == 1))))


def race(*, lr: float = 0.5, steps: int = 100, scale: float = 5.0, seed: int = 0) -> Race:
    """Both runs from the same start (Train it's ``W_INIT``, ``B_INIT`` × ``scale``) at the same ``lr``."""
    lr, steps, scale = clamp("lr", lr), int(clamp("steps", steps)), clamp("scale", scale)
    xt, yt = train.blobs(seed)
    x, y = xt.numpy(), yt.numpy()
    return Race(lr, steps, scale, {k: _descend(k, x, y, lr=lr, steps=steps, scale=scale) for k in LOSSES}, y)


def winner(race: Race, margin: float = 0.02) -> str:
    """"mse" or "bce", whichever ends with the higher accuracy, or "same" within ``margin``."""
    mse, bce = race.runs["mse"].final_accuracy, race.runs["bce"].final_accuracy
    return "same" if abs(mse - bce) <= margin else ("mse" if mse > bce else "bce")


def first_to(run: Run, accuracy: float) -> int | None:
    """The first step at which ``run`` reaches ``accuracy`` (None if it never does)."""
    return next((i for i, a in enumerate(run.accuracy) if a >= accuracy), None)


# ------------------------------------------------------------------- snippets --


def point_code(x: float, y: float) -> str:
    """Both losses and their gradients at one logit, in torch (float64, as the page's numbers)."""
    return (
        "import torch\nimport torch.nn.functional as F\n"
        f"x = torch.tensor({float(x)!r}, dtype=torch.float64, requires_grad=True)\n"
        f"y = torch.tensor({float(y)!r}, dtype=torch.float64)\n"
        "mse = F.mse_loss(torch.sigmoid(x), y)\n"
        "(mse_grad,) = torch.autograd.grad(mse, x)\n"
        "bce = F.binary_cross_entropy_with_logits(x, y)\n"
        "(bce_grad,) = torch.autograd.grad(bce, x)\n"
        "print('sigmoid', torch.sigmoid(x).item())\n"
        "print('MSE', mse.item(), 'grad', mse_grad.item())\n"
        "print('BCE', bce.item(), 'grad', bce_grad.item())\n"
    )


def race_code(*, lr: float = 0.5, steps: int = 100, scale: float = 5.0, seed: int = 0) -> str:
    """The race as a torch snippet: same data, start and learning rate; prints loss and accuracy of both."""
    n, c = train.N_PER_CLASS, train.CENTRE
    return (
        "import torch\nimport torch.nn.functional as F\n"
        f"g = torch.Generator().manual_seed({int(seed)})\n"
        f"x = torch.cat([torch.randn({n}, 2, generator=g) - {c}, torch.randn({n}, 2, generator=g) + {c}])\n"
        f"y = torch.cat([torch.zeros({n}), torch.ones({n})])\n"
        "losses = {'mse': lambda z: F.mse_loss(torch.sigmoid(z), y),\n"
        "          'bce': lambda z: F.binary_cross_entropy_with_logits(z, y)}\n"
        "for name, objective in losses.items():\n"
        f"    w = (torch.tensor({list(train.W_INIT)}) * {float(scale)!r}).requires_grad_()\n"
        f"    b = torch.tensor({train.B_INIT} * {float(scale)!r}).requires_grad_()\n"
        f"    opt = torch.optim.SGD([w, b], lr={float(lr)!r})\n"
        f"    for step in range({int(steps)}):\n"
        "        opt.zero_grad()\n"
        "        objective(x @ w + b).backward()\n"
        "        opt.step()\n"
        "    with torch.no_grad():\n"
        "        z = x @ w + b\n"
        "        acc = ((z > 0).float() == y).float().mean()\n"
        "    print(name, 'loss', objective(z).item(), 'accuracy', acc.item())\n"
    )
