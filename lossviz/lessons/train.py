"""Tiny live training runs in real torch (CPU, one thread): pure functions, plain results.

* :func:`train_linear` — the seed's loop: ``nn.Linear(5, 5)``, ``CrossEntropyLoss``, SGD,
  ``x = randn(10, 5)``, ``y = randint(5, (10,))``, seeded; the loss of every epoch.
* :func:`train_toy` — logistic regression on two seeded 2-D Gaussian blobs with one of
  three losses: ``BCEWithLogitsLoss`` (stable), ``BCELoss(sigmoid(z))`` (naive) or MSE on
  probabilities. ``scale`` multiplies the initial weights and bias: large enough and the
  float32 sigmoid saturates, so the naive route and MSE get an exactly-zero gradient and stall.

Every run is deterministic (a private ``torch.Generator``, no global RNG) and sets
``torch.set_num_threads(1)`` so it cannot starve other sessions of the server. No streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F
from lossviz.core.torch_ref import torch_module

TOY_LOSSES = ("bce_logits", "naive_bce", "mse_prob")
# Language-neutral option labels (the call itself): Streamlit writes a bound radio's displayed string into the URL.
TOY_LABELS = {"bce_logits": "BCEWithLogitsLoss(z, y)", "naive_bce": "BCELoss(sigmoid(z), y)",
              "mse_prob": "MSELoss(sigmoid(z), y)"}
N_PER_CLASS = 40
CENTRE = 1.2  # blob centres at ±(CENTRE, CENTRE)
W_INIT = (0.5, -0.5)  # initial direction: orthogonal to the true one, so it carries no information
B_INIT = 1.5  # initial bias: everything starts out predicted "class 1"
STALL = 0.25  # a run that removes less than a quarter of its starting loss has stalled
LIMITS = {"lr": (1e-4, 10.0), "epochs": (1, 500), "scale": (0.1, 30.0), "seed": (0, 9999)}


# The three objectives of the toy and their gradients w.r.t. the logit z (LaTeX, language-neutral).
FORMULAS = (
    r"\begin{gathered}"
    r"\ell_{\text{logits}} = \operatorname{softplus}(z) - y z \\"
    r"\partial_z \ell_{\text{logits}} = \sigma(z) - y \\[6pt]"
    r"\ell_{\text{naive}} = -\big[y \max(\log \sigma(z), -100) \\ + (1-y)\max(\log(1-\sigma(z)), -100)\big] \\"
    r"\partial_z \ell_{\text{naive}} = \sigma(z) - y \text{ until } \sigma(z) \in \{0, 1\}, \text{ then } 0 \\[6pt]"
    r"\ell_{\text{MSE}} = (\sigma(z) - y)^2 \\"
    r"\partial_z \ell_{\text{MSE}} = 2(\sigma(z) - y)\,\sigma(z)(1 - \sigma(z))"
    r"\end{gathered}"
)


@dataclass(frozen=True)
class LinearRun:
    """The seed's loop: ``losses[i]`` is the loss printed in epoch i (before its step)."""

    losses: list[float]
    final_loss: float  # CrossEntropyLoss of the trained model on x
    final_logits: np.ndarray  # (10, 5) float32
    target: np.ndarray  # (10,) int64
    accuracy: float


@dataclass(frozen=True)
class ToyRun:
    """One logistic-regression run; per-step lists have ``epochs`` entries (before each step)."""

    loss: str
    losses: list[float]  # the objective this run minimises
    log_losses: list[float]  # the stable BCE (log loss) of the same logits, for comparison
    grad_norms: list[float]
    w: list[float]
    b: float
    final_logits: np.ndarray  # (2·N_PER_CLASS,) float32, after the last step
    final_loss: float  # the stable BCEWithLogits of the final logits, from torch
    accuracy: float
    stuck_start: int  # points whose float32 σ(z) is exactly 1 for y=0 (or 0 for y=1) before training
    stuck_end: int  # ... and after: the naive routes get an exactly-zero gradient from them

    @property
    def progress(self) -> float:
        """How much of its starting loss the run removed: 1 − last / first (NaN if undefined)."""
        first, last = self.losses[0], self.losses[-1]
        return 1.0 - last / first if first > 0 and math.isfinite(first) and math.isfinite(last) else math.nan

    @property
    def stalled(self) -> bool:
        """Removed less than :data:`STALL` of its starting loss."""
        return not (self.progress >= STALL)


def _clamp(name: str, value: float) -> float:
    lo, hi = LIMITS[name]
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return min(max(value, lo), hi)


def linear_data(seed: int = 0):
    """The seed's ``nn.Linear(5, 5)`` (default init), x = randn(10, 5), y = randint(5, (10,)).

    Drawn from a private generator in the order ``torch.manual_seed(seed)`` followed by the
    seed's three lines would draw them, so the printed snippet gives the same numbers.
    """
    torch = torch_module()
    g = torch.Generator().manual_seed(int(seed))
    model = torch.nn.Linear(5, 5)
    with torch.no_grad():
        torch.nn.init.kaiming_uniform_(model.weight, a=math.sqrt(5), generator=g)  # nn.Linear's own init
        bound = 1 / math.sqrt(5)
        torch.nn.init.uniform_(model.bias, -bound, bound, generator=g)
    x = torch.randn(10, 5, generator=g)
    y = torch.randint(5, (10,), generator=g)
    return model, x, y


def train_linear(*, lr: float = 0.1, epochs: int = 10, seed: int = 0) -> LinearRun:
    """Run the seed's loop for ``epochs`` SGD steps at learning rate ``lr``."""
    torch = torch_module()
    torch.set_num_threads(1)
    lr, epochs, seed = _clamp("lr", lr), int(_clamp("epochs", epochs)), int(_clamp("seed", seed))
    model, x, y = linear_data(seed)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
    with torch.no_grad():
        logits = model(x)
        final = criterion(logits, y).item()
        acc = (logits.argmax(1) == y).double().mean().item()
    return LinearRun(losses, float(final), logits.numpy().copy(), y.numpy().copy(), float(acc))


def blobs(seed: int = 0):
    """Two seeded Gaussian blobs (std 1) at ±(1.2, 1.2): x (80, 2) and y (80,), float32."""
    torch = torch_module()
    g = torch.Generator().manual_seed(int(seed))
    x0 = torch.randn(N_PER_CLASS, 2, generator=g) - CENTRE
    x1 = torch.randn(N_PER_CLASS, 2, generator=g) + CENTRE
    y = torch.cat([torch.zeros(N_PER_CLASS), torch.ones(N_PER_CLASS)])
    return torch.cat([x0, x1]), y


def _objective(name: str):
    torch = torch_module()
    fn = torch.nn.functional
    if name == "bce_logits":
        return fn.binary_cross_entropy_with_logits
    if name == "naive_bce":
        return lambda z, y: fn.binary_cross_entropy(torch.sigmoid(z), y)
    return lambda z, y: fn.mse_loss(torch.sigmoid(z), y)


def train_toy(
    loss: str = "bce_logits", *, lr: float = 0.5, epochs: int = 100, scale: float = 1.0, seed: int = 0
) -> ToyRun:
    """Full-batch gradient descent on the blobs, float32; the initial (w, b) times ``scale``."""
    if loss not in TOY_LOSSES:
        raise KeyError(loss)
    torch = torch_module()
    torch.set_num_threads(1)
    lr, epochs = _clamp("lr", lr), int(_clamp("epochs", epochs))
    scale, seed = _clamp("scale", scale), int(_clamp("seed", seed))
    x, y = blobs(seed)
    w = (torch.tensor(W_INIT) * scale).requires_grad_()
    b = torch.tensor(B_INIT * scale).requires_grad_()
    objective = _objective(loss)
    stable = torch.nn.functional.binary_cross_entropy_with_logits
    optimizer = torch.optim.SGD([w, b], lr=lr)
    losses, log_losses, grads = [], [], []
    start = _stuck(x @ w.detach() + b.detach(), y)
    for _ in range(epochs):
        optimizer.zero_grad()
        z = x @ w + b
        value = objective(z, y)
        value.backward()
        losses.append(float(value.item()))
        log_losses.append(float(stable(z.detach(), y).item()))
        grads.append(float(torch.cat([w.grad.reshape(-1), b.grad.reshape(-1)]).norm().item()))
        optimizer.step()
    with torch.no_grad():
        z = x @ w + b
        final = stable(z, y).item()
        acc = ((z > 0).float() == y).double().mean().item()
    return ToyRun(
        loss, losses, log_losses, grads, w.detach().tolist(), float(b.item()), z.numpy().copy(), float(final),
        float(acc), start, _stuck(z, y),
    )


def task_t1_done(naive: ToyRun, stable: ToyRun) -> bool:
    """Task t1: the naive run stalls while BCEWithLogits learns, and some points are saturated (the
    message blames their zero gradient; a tiny learning rate alone must not count)."""
    return naive.stalled and not stable.stalled and naive.stuck_start > 0


def task_t2_done(mse: ToyRun, naive: ToyRun) -> bool:
    """Task t2: MSE on probabilities has stalled while the naive BCE still learns."""
    return mse.stalled and not naive.stalled


def _stuck(z, y) -> int:
    """Points confidently wrong beyond float32: σ(z) is exactly 1 for y = 0, or exactly 0 for y = 1.

    There BCELoss(sigmoid(z)) is clamped at 100 and its gradient, like MSE's, is exactly 0.
    """
    torch = torch_module()
    s = torch.sigmoid(z)
    return int((((s == 1) & (y == 0)) | ((s == 0) & (y == 1))).sum().item())


def cross_check(run: ToyRun, target) -> tuple[float, float, bool]:
    """torch's final BCEWithLogits loss of ``run`` vs :mod:`lossviz.core.functional` on the same float32 logits."""
    ours = float(F.binary_cross_entropy_with_logits(run.final_logits, np.asarray(target, dtype=np.float32)))
    ok = abs(ours - run.final_loss) <= 1e-5 * (1.0 + abs(run.final_loss))
    return run.final_loss, ours, ok


def probability_map(w, b: float, xs, ys) -> np.ndarray:
    """σ(w·p + b) on the grid ``xs`` × ``ys`` in float32 torch: shape (len(ys), len(xs))."""
    torch = torch_module()
    gx, gy = np.meshgrid(np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.float32))
    pts = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))
    with torch.no_grad():
        p = torch.sigmoid(pts @ torch.tensor(w, dtype=torch.float32) + float(b))
    return p.numpy().reshape(gx.shape)


def boundary(w, b: float, xs) -> np.ndarray | None:
    """y on the line w0·x + w1·y + b = 0 at ``xs`` (None when w1 is 0 or not finite)."""
    w0, w1 = float(w[0]), float(w[1])
    if not (math.isfinite(w0) and math.isfinite(w1) and math.isfinite(b)) or w1 == 0.0:
        return None
    return -(w0 * np.asarray(xs, dtype=np.float64) + b) / w1


def linear_code(*, lr: float = 0.1, epochs: int = 10, seed: int = 0) -> str:
    """The seed's loop as a runnable snippet printing the loss of each epoch."""
    return (
        "import torch\nimport torch.nn as nn\n"
        f"torch.manual_seed({int(seed)})\n"
        "model = nn.Linear(5, 5)\n"
        "x = torch.randn(10, 5)\n"
        "y = torch.randint(5, (10,))\n"
        "criterion = nn.CrossEntropyLoss()\n"
        f"optimizer = torch.optim.SGD(model.parameters(), lr={float(lr)!r})\n"
        f"for epoch in range({int(epochs)}):\n"
        "    optimizer.zero_grad()\n"
        "    loss = criterion(model(x), y)\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
        "    print(epoch, loss.item())\n"
    )


def toy_code(loss: str, *, lr: float = 0.5, epochs: int = 100, scale: float = 1.0, seed: int = 0) -> str:
    """The logistic-regression run as a snippet; prints the first and last loss and the final log loss."""
    line = {
        "bce_logits": "F.binary_cross_entropy_with_logits(z, y)",
        "naive_bce": "F.binary_cross_entropy(torch.sigmoid(z), y)",
        "mse_prob": "F.mse_loss(torch.sigmoid(z), y)",
    }[loss]
    return (
        "import torch\nimport torch.nn.functional as F\n"
        f"g = torch.Generator().manual_seed({int(seed)})\n"
        f"x = torch.cat([torch.randn({N_PER_CLASS}, 2, generator=g) - {CENTRE}, "
        f"torch.randn({N_PER_CLASS}, 2, generator=g) + {CENTRE}])\n"
        f"y = torch.cat([torch.zeros({N_PER_CLASS}), torch.ones({N_PER_CLASS})])\n"
        f"w = (torch.tensor({list(W_INIT)}) * {float(scale)!r}).requires_grad_()\n"
        f"b = torch.tensor({B_INIT} * {float(scale)!r}).requires_grad_()\n"
        f"opt = torch.optim.SGD([w, b], lr={float(lr)!r})\n"
        f"for step in range({int(epochs)}):\n"
        "    opt.zero_grad()\n"
        "    z = x @ w + b\n"
        f"    loss = {line}\n"
        "    loss.backward()\n"
        "    if step in (0, " + str(int(epochs) - 1) + "):\n"
        "        print(step, loss.item())\n"
        "    opt.step()\n"
        "print('final log loss', F.binary_cross_entropy_with_logits(x @ w + b, y).item())\n"
    )
