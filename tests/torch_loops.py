"""Lesson 10's two training runs written out in plain torch: the references the unit tests and the AppTests
compare lossviz.lessons.train and the page with (written once here, for both)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def seed_loop(lr=0.1, epochs=10, seed=0) -> tuple[list[float], float]:
    """The seed's loop exactly as a learner writes it, with the global RNG: (loss per epoch, final loss)."""
    torch.manual_seed(seed)
    model = torch.nn.Linear(5, 5)
    x = torch.randn(10, 5)
    y = torch.randint(5, (10,))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, F.cross_entropy(model(x), y).item()


def toy_loop(loss, lr=0.5, epochs=100, scale=1.0) -> tuple[list[float], torch.Tensor, torch.Tensor]:
    """The blob logistic regression with a hand-written gradient step (not the lesson's torch.optim.SGD):
    (loss per epoch, final logits z, labels y)."""
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(40, 2, generator=g) - 1.2, torch.randn(40, 2, generator=g) + 1.2])
    y = torch.cat([torch.zeros(40), torch.ones(40)])
    w = (torch.tensor([0.5, -0.5]) * scale).requires_grad_()
    b = torch.tensor(1.5 * scale).requires_grad_()
    objective = {
        "bce_logits": lambda z: F.binary_cross_entropy_with_logits(z, y),
        "naive_bce": lambda z: F.binary_cross_entropy(torch.sigmoid(z), y),
        "mse_prob": lambda z: F.mse_loss(torch.sigmoid(z), y),
    }[loss]
    losses = []
    for _ in range(epochs):
        if w.grad is not None:
            w.grad = None
            b.grad = None
        value = objective(x @ w + b)
        value.backward()
        losses.append(value.item())
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return losses, (x @ w + b).detach(), y


def toy_outcome(loss, **kwargs) -> tuple[float, float, float]:
    """(last epoch's loss, final log loss by BCEWithLogits, accuracy) of ``toy_loop``."""
    losses, z, y = toy_loop(loss, **kwargs)
    accuracy = ((z > 0).float() == y).double().mean().item()
    return losses[-1], F.binary_cross_entropy_with_logits(z, y).item(), accuracy


def reading_loss_run(data, *, lr: float, epochs: int) -> dict[str, list]:
    """Lesson 15's run replayed in torch: float64, SGD from w = 0, b = 0 on ``data`` = (x_train, y_train, x_val,
    y_val); per epoch 0 … ``epochs`` (before that epoch's step): val/train loss and accuracy, ‖w‖, the val logits
    ``z``; and ``yv``, the val labels."""
    torch.set_num_threads(1)  # one summation order: the float64 sums match lossviz's to the last bit
    xt, yt, xv, yv = (torch.from_numpy(a) for a in data)
    w = torch.zeros(xt.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    out = {"val_loss": [], "val_acc": [], "train_loss": [], "train_acc": [], "norm": [], "z": []}
    for epoch in range(epochs + 1):
        with torch.no_grad():
            zt, zv = xt @ w + b, xv @ w + b
            out["val_loss"].append(F.binary_cross_entropy_with_logits(zv, yv).item())
            out["val_acc"].append(((zv > 0).double() == yv).double().mean().item())
            out["train_loss"].append(F.binary_cross_entropy_with_logits(zt, yt).item())
            out["train_acc"].append(((zt > 0).double() == yt).double().mean().item())
            out["norm"].append(w.norm().item())
            out["z"].append(zv.clone())
        if epoch < epochs:
            opt.zero_grad()
            F.binary_cross_entropy_with_logits(xt @ w + b, yt).backward()
            opt.step()
    out["yv"] = yv
    return out
