"""The runs behind "Common mistakes": what torch returned (:class:`Run`, :class:`Case`), the small
live examples, and the cases that need more than one call (autocast, (B, T, V) logits, kl_div).

Split from :mod:`lossviz.lessons.mistakes` (which re-exports all of it) to keep both under 400 lines.
Nothing here is emulated: every number is torch's own. No streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from lossviz.core.torch_ref import torch_module

# The small live examples (float32, as a model would produce them).
LOGITS_MC = [
    [2.0, 0.5, -1.0, 0.3, -0.4],
    [0.1, 1.5, 0.3, -0.8, 0.6],
    [-0.5, 0.2, 1.8, 0.4, -1.1],
    [0.7, -0.3, 0.0, 1.2, 0.9],
]  # 4 samples, 5 classes
TARGET_MC = [0, 1, 2, 4]  # the last sample is misclassified (its largest logit is class 3)
LABELS_1BASED = [1, 3, 2]  # the first three labels of a dataset numbered 1..C; the learner picks the 4th
LOGITS_BIN = [2.0, -1.5, 0.8, 1.2]  # the last one is a confident wrong answer (target 0)
TARGET_BIN = [1.0, 0.0, 1.0, 0.0]
FEATURES_AMP = [[1.0, 0.5], [-0.8, 0.3], [0.4, 0.9], [0.6, -0.2]]
WEIGHT_AMP = [2.0, -1.0]
CHANNELS_N = 2
AMP_DTYPES = ("bfloat16", "float16")
SEQ_B, SEQ_T, SEQ_V = 2, 4, 8  # a language model's output: B sequences, T tokens each, a vocabulary of V
# A teacher's (or a smoothed) target distribution over the 5 classes, one row per sample of LOGITS_MC.
TARGET_SOFT = [
    [0.70, 0.10, 0.05, 0.10, 0.05],
    [0.10, 0.60, 0.10, 0.10, 0.10],
    [0.05, 0.05, 0.80, 0.05, 0.05],
    [0.10, 0.05, 0.05, 0.30, 0.50],
]

# Not run here (this server has no GPU): the error torch raises for BCELoss under CUDA autocast,
# from aten/src/ATen/autocast_mode.cpp (the same text sits in this torch build's libtorch_cpu.so).
CUDA_AUTOCAST_ERROR = (
    "RuntimeError: torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits\n"
    "or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are\n"
    "safe to autocast."
)


@dataclass(frozen=True)
class Run:
    """What torch returned for one version: the mean loss and its gradient, or the error."""

    value: float | None = None
    grad_norm: float | None = None
    elements: list[float] = field(default_factory=list)  # per-element losses (reduction="none")
    element_grads: list[float] = field(default_factory=list)  # per element (or per row: its norm)
    dtype: str | None = None  # dtype of the loss tensor
    error_kind: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_kind is None


@dataclass(frozen=True)
class Case:
    """One mistake on the live example: the ``wrong`` and the ``right`` version."""

    mistake: str
    wrong: Run
    right: Run
    info: dict = field(default_factory=dict)  # extra facts for the explanation (floor, dtypes, ...)

    @property
    def agree(self) -> bool:
        """Both versions ran and give the same loss (to float32 precision)."""
        w, r = self.wrong, self.right
        return w.ok and r.ok and abs(w.value - r.value) <= 1e-5 * (1.0 + abs(r.value))

    @property
    def shrink(self) -> float | None:
        """How many times smaller the mistake's gradient is than the fix's (None if either raised)."""
        w, r = self.wrong, self.right
        if not (w.ok and r.ok) or w.grad_norm == 0.0:
            return None if not (w.ok and r.ok) else math.inf
        return r.grad_norm / w.grad_norm


def _name(dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _measure(loss_fn: Callable, leaf, *, grad_of=None) -> Run:
    """Run ``loss_fn(leaf, reduction)`` twice (mean and none) and autograd the mean."""
    torch = torch_module()
    leaf = leaf.detach().clone().requires_grad_(True)
    try:
        mean = loss_fn(leaf, "mean")
        per = loss_fn(leaf, "none")
        (g,) = torch.autograd.grad(mean, leaf)
    except (RuntimeError, ValueError, IndexError) as exc:
        return Run(error_kind=type(exc).__name__, message=str(exc))
    g64 = g.detach().double()
    if grad_of == "rows":  # (N, ..., C) logits: one gradient norm per row of class scores
        rows = g64.reshape(-1, g64.shape[-1]).norm(dim=-1)
        per_grads = rows.tolist()
    elif grad_of == "elements":
        per_grads = g64.reshape(-1).tolist()
    else:
        per_grads = []
    return Run(
        value=float(mean.item()),
        grad_norm=float(g.norm().item()),  # in the leaf's dtype, as `x.grad.norm()` prints it
        elements=[float(v) for v in per.detach().double().reshape(-1).tolist()],
        element_grads=per_grads,
        dtype=_name(mean.dtype),
    )


def _logits_mc(scale: float):
    torch = torch_module()
    return torch.tensor(LOGITS_MC, dtype=torch.float32) * float(scale)


def _logits_bin(scale: float):
    torch = torch_module()
    return torch.tensor(LOGITS_BIN, dtype=torch.float32) * float(scale)


def _channels_logits(positions: int, scale: float):
    """(N, d, C) logits: N=2 images, d positions, C=5 classes — laid out channels-last."""
    torch = torch_module()
    g = torch.Generator().manual_seed(0)
    return torch.randn(CHANNELS_N, positions, len(LOGITS_MC[0]), generator=g) * float(scale)


def _channels_target(positions: int):
    torch = torch_module()
    g = torch.Generator().manual_seed(1)
    return torch.randint(len(LOGITS_MC[0]), (CHANNELS_N, positions), generator=g)


def autocast_case(scale: float, amp_dtype: str) -> Case:
    torch = torch_module()
    fn = torch.nn.functional
    amp = getattr(torch, amp_dtype if amp_dtype in AMP_DTYPES else "bfloat16")
    feats = torch.tensor(FEATURES_AMP)
    y = torch.tensor(TARGET_BIN)
    w0 = torch.tensor(WEIGHT_AMP) * float(scale)
    seen: dict[str, object] = {}

    def under_autocast(loss):
        def f(w, r):
            with torch.autocast("cpu", dtype=amp):
                z = feats @ w  # a matmul: autocast runs it in the low-precision dtype
                seen["logits"] = z.detach().float()
                seen["logits_dtype"] = _name(z.dtype)
                return loss(z, r)

        return f

    wrong = _measure(under_autocast(lambda z, r: fn.binary_cross_entropy(torch.sigmoid(z), y, reduction=r)), w0)
    right = _measure(under_autocast(lambda z, r: fn.binary_cross_entropy_with_logits(z, y, reduction=r)), w0)
    exact = fn.binary_cross_entropy_with_logits(feats @ w0, y).item()  # float32, no autocast
    logits = seen.get("logits")
    return Case(
        "autocast_bce",
        wrong,
        right,
        {
            "amp_dtype": _name(amp),
            "logits_dtype": seen.get("logits_dtype"),
            "logits": [] if logits is None else logits.tolist(),
            "float32_loss": float(exact),
        },
    )


def _seq_logits(scale: float):
    """(B, T, V) logits, as a language model returns them."""
    torch = torch_module()
    g = torch.Generator().manual_seed(2)
    return torch.randn(SEQ_B, SEQ_T, SEQ_V, generator=g) * float(scale)


def _seq_target():
    torch = torch_module()
    g = torch.Generator().manual_seed(3)
    return torch.randint(SEQ_V, (SEQ_B, SEQ_T), generator=g)


def seq_logits_case(scale: float) -> Case:
    """(B, T, V) logits with (B, T) targets: torch's size error; fixed by permute, or by flattening."""
    torch = torch_module()
    fn = torch.nn.functional
    x, y = _seq_logits(scale), _seq_target()
    wrong = _measure(lambda v, r: fn.cross_entropy(v, y, reduction=r), x, grad_of="rows")
    right = _measure(lambda v, r: fn.cross_entropy(v.permute(0, 2, 1), y, reduction=r), x, grad_of="rows")
    flat = _measure(lambda v, r: fn.cross_entropy(v.reshape(-1, SEQ_V), y.reshape(-1), reduction=r), x)
    info = {"shape": list(x.shape), "batch": SEQ_B, "steps": SEQ_T, "vocab": SEQ_V, "tokens": SEQ_B * SEQ_T,
            "reshape_value": flat.value}
    return Case("seq_logits", wrong, right, info)


def kl_probs_case(scale: float) -> Case:
    """``F.kl_div`` given probabilities (wrong) or log-probabilities (right), both with "batchmean".

    Per element: reduction="none" summed over the classes, i.e. each sample's KL (or what stands for it)."""
    torch = torch_module()
    fn = torch.nn.functional
    x, q = _logits_mc(scale), torch.tensor(TARGET_SOFT)

    def kl(prep):
        def f(v, r):
            out = fn.kl_div(prep(v), q, reduction="none" if r == "none" else "batchmean")
            return out.sum(dim=1) if r == "none" else out
        return f

    wrong = _measure(kl(lambda v: torch.softmax(v, dim=1)), x, grad_of="rows")
    right = _measure(kl(lambda v: torch.log_softmax(v, dim=1)), x, grad_of="rows")
    logged = fn.kl_div(torch.softmax(x, dim=1).log(), q, reduction="batchmean").item()
    entropy = float(-(q * q.log()).sum(dim=1).mean().item())  # H(q), the targets' mean entropy
    info = {"log_value": float(logged), "entropy": entropy, "lo": -entropy - 1.0, "hi": -entropy}
    return Case("kl_probs", wrong, right, info)
