"""Seven common loss mistakes, each run the wrong way and the right way in real torch.

This lesson is about what torch really does, so nothing here is emulated: every function
builds a small tensor, calls ``torch.nn.functional`` and returns the value, the gradient
norm and per-element numbers torch gave, or the exception it raised (kind + message).
:func:`code` writes the same two calls as a runnable snippet; its printed output is the
numbers :func:`run` returns. No streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lossviz.core.torch_ref import torch_module

MISTAKES = (
    "softmax_ce",
    "sigmoid_twice",
    "float_target",
    "channels_last",
    "index_range",
    "autocast_bce",
    "sigmoid_bce",
)
# Language-neutral option labels: the mistaken call itself. Streamlit 1.67 writes a bound radio's
# *displayed* string into the URL, so these (not translated names) keep links language-independent.
LABELS = {
    "softmax_ce": "CrossEntropyLoss(softmax(x), y)",
    "sigmoid_twice": "BCEWithLogitsLoss(sigmoid(x), y)",
    "float_target": "CrossEntropyLoss(x, y.float())",
    "channels_last": "CrossEntropyLoss(x[N, d, C], y)",
    "index_range": "CrossEntropyLoss(x, y = 1..C)",
    "autocast_bce": "autocast: BCELoss(sigmoid(z), y)",
    "sigmoid_bce": "BCELoss(sigmoid(x), y)",
}
# Mistakes whose wrong version gives a number (not an error) at every scale: they get a sweep plot.
SWEEPABLE = ("softmax_ce", "sigmoid_twice", "autocast_bce", "sigmoid_bce")

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


def run(mistake: str, *, scale: float = 1.0, label: int = 5, positions: int = 4, amp_dtype: str = "bfloat16") -> Case:
    """Run ``mistake`` both ways on the live example; see the module docstring.

    Args:
        scale: multiplies the example's logits (or the weights, for autocast).
        label: the 4th label of the 1-based dataset (``index_range``).
        positions: d, the number of positions per image (``channels_last``).
        amp_dtype: the autocast dtype (``autocast_bce``).
    """
    if mistake not in MISTAKES:
        raise KeyError(mistake)
    torch = torch_module()
    torch.set_num_threads(1)
    fn = torch.nn.functional
    if not math.isfinite(scale):
        scale = 1.0
    if mistake == "softmax_ce":
        y = torch.tensor(TARGET_MC)
        x = _logits_mc(scale)
        wrong = _measure(lambda v, r: fn.cross_entropy(torch.softmax(v, dim=1), y, reduction=r), x, grad_of="rows")
        right = _measure(lambda v, r: fn.cross_entropy(v, y, reduction=r), x, grad_of="rows")
        c = x.shape[1]
        return Case(mistake, wrong, right, {"floor": math.log1p((c - 1) / math.e), "classes": c})
    if mistake in ("sigmoid_twice", "sigmoid_bce"):
        y = torch.tensor(TARGET_BIN)
        x = _logits_bin(scale)
        if mistake == "sigmoid_twice":
            wrong_fn = lambda v, r: fn.binary_cross_entropy_with_logits(torch.sigmoid(v), y, reduction=r)  # noqa: E731
        else:
            wrong_fn = lambda v, r: fn.binary_cross_entropy(torch.sigmoid(v), y, reduction=r)  # noqa: E731
        wrong = _measure(wrong_fn, x, grad_of="elements")
        right = _measure(lambda v, r: fn.binary_cross_entropy_with_logits(v, y, reduction=r), x, grad_of="elements")
        # sigmoid twice: the "logit" σ(x) lies in (0, 1), so y=1 costs ≥ softplus(-1), y=0 ≥ log 2
        floor = float(np.mean([math.log1p(math.exp(-1.0)) if t == 1.0 else math.log(2.0) for t in TARGET_BIN]))
        info = {"max_logit": float(x.abs().max().item()), "floor": floor}
        return Case(mistake, wrong, right, info)
    if mistake == "float_target":
        y = torch.tensor(TARGET_MC)
        x = _logits_mc(scale)
        wrong = _measure(lambda v, r: fn.cross_entropy(v, y.float(), reduction=r), x, grad_of="rows")
        right = _measure(lambda v, r: fn.cross_entropy(v, y, reduction=r), x, grad_of="rows")
        return Case(mistake, wrong, right)
    if mistake == "channels_last":
        d = int(positions)
        x = _channels_logits(d, scale)
        y = _channels_target(d)
        wrong = _measure(lambda v, r: fn.cross_entropy(v, y, reduction=r), x, grad_of="rows")
        right = _measure(lambda v, r: fn.cross_entropy(v.permute(0, 2, 1), y, reduction=r), x, grad_of="rows")
        return Case(mistake, wrong, right, {"shape": list(x.shape), "classes": x.shape[2], "positions": d})
    if mistake == "index_range":
        labels = torch.tensor([*LABELS_1BASED, int(label)])
        x = _logits_mc(scale)
        wrong = _measure(lambda v, r: fn.cross_entropy(v, labels, reduction=r), x, grad_of="rows")
        right = _measure(lambda v, r: fn.cross_entropy(v, labels - 1, reduction=r), x, grad_of="rows")
        return Case(mistake, wrong, right, {"classes": x.shape[1], "labels": labels.tolist()})
    return _autocast_case(scale, amp_dtype)


def _autocast_case(scale: float, amp_dtype: str) -> Case:
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


def sweep(mistake: str, scales, **params) -> dict[str, np.ndarray]:
    """Loss and gradient norm of both versions over ``scales`` (NaN where a version raised)."""
    out = {k: np.full(len(scales), np.nan) for k in ("wrong", "right", "wrong_grad", "right_grad")}
    for i, s in enumerate(scales):
        case = run(mistake, scale=float(s), **params)
        for side in ("wrong", "right"):
            r: Run = getattr(case, side)
            if r.ok:
                out[side][i] = r.value
                out[side + "_grad"][i] = r.grad_norm
    return out


def torch_call(mistake: str, wrong: bool, *, scale: float = 1.0, label: int = 5, positions: int = 4, amp_dtype: str = "bfloat16"):
    """The main ``torch.nn.functional`` call of a version, as ``(name, input, target)`` numpy arrays.

    For :func:`lossviz.ui.torch_check`: the same call through :mod:`lossviz.core.functional`.
    """
    torch = torch_module()
    if mistake in ("softmax_ce", "float_target", "index_range"):
        x = _logits_mc(scale)
        if mistake == "softmax_ce":
            return "cross_entropy", (torch.softmax(x, 1) if wrong else x).numpy(), np.array(TARGET_MC)
        if mistake == "float_target":
            return "cross_entropy", x.numpy(), np.array(TARGET_MC, dtype=np.float32 if wrong else np.int64)
        labels = np.array([*LABELS_1BASED, int(label)])
        return "cross_entropy", x.numpy(), labels if wrong else labels - 1
    if mistake == "channels_last":
        x = _channels_logits(int(positions), scale)
        x = x if wrong else x.permute(0, 2, 1)
        return "cross_entropy", x.contiguous().numpy(), _channels_target(int(positions)).numpy()
    y = np.array(TARGET_BIN, dtype=np.float32)
    if mistake == "autocast_bce":
        z = np.array(run(mistake, scale=scale, amp_dtype=amp_dtype).info["logits"], dtype=np.float32)
        if wrong:  # sigmoid in the low-precision dtype, then BCE (autocast runs it in float32)
            amp = getattr(torch, amp_dtype if amp_dtype in AMP_DTYPES else "bfloat16")
            return "binary_cross_entropy", torch.sigmoid(torch.from_numpy(z).to(amp)).float().numpy(), y
        return "binary_cross_entropy_with_logits", z, y
    x = _logits_bin(scale)
    if mistake == "sigmoid_twice":
        return "binary_cross_entropy_with_logits", (torch.sigmoid(x) if wrong else x).numpy(), y
    return ("naive_bce_from_logits" if wrong else "binary_cross_entropy_with_logits"), x.numpy(), y


# The formula of each version (LaTeX, language-neutral): the mistake, then the fix, one per line
# (the page wraps them in ``gathered`` so they fit a phone).
FORMULAS = {
    "softmax_ce": r"\ell = -\log \operatorname{softmax}\big(\operatorname{softmax}(x)\big)_y "
    r"\;\ge\; \log\!\Big(1 + \tfrac{C-1}{e}\Big) \\ \ell = -\log \operatorname{softmax}(x)_y",
    "sigmoid_twice": r"\ell = \operatorname{softplus}\big(-\sigma(x)\big) \ge \operatorname{softplus}(-1)\;(y=1)"
    r"\\ \ell = \operatorname{softplus}(-x)\;(y=1)",
    "float_target": r"\ell_n = -\log \operatorname{softmax}(x_n)_{y_n} \\ y_n \in \{0,\dots,C-1\}"
    r"\ \text{(torch.long)}",
    "channels_last": r"x \in \mathbb{R}^{N\times C\times d_1\cdots d_k} \\ y \in \{0..C-1\}^{N\times d_1\cdots d_k}",
    "index_range": r"0 \le y_n \le C-1 \;\lor\; y_n = \texttt{ignore\_index}",
    "autocast_bce": r"\sigma_{\text{bf16}}(z) = 1 \text{ for } z \ge 6.25 \\ \Rightarrow "
    r"\max(\log(1-\sigma), -100) = -100",
    "sigmoid_bce": r"\ell = -\max\big(\log(1-\sigma_{32}(x)), -100\big) \\ "
    r"\ell = \operatorname{softplus}(x) \quad (y = 0)",
}


# ------------------------------------------------------------------ snippets --

_MC = "x = torch.tensor({x}, requires_grad=True)  # logits: 4 samples, 5 classes\n"
_BIN = "x = torch.tensor({x}, requires_grad=True)  # logits\ny = torch.tensor({y})\n"
_TAIL = (
    "print('loss', loss.item())\n"
    "loss.backward()\n"
    "print('grad norm', {leaf}.grad.norm().item())\n"
)
_LINES = {
    ("softmax_ce", True): "loss = F.cross_entropy(torch.softmax(x, dim=1), y)  # softmax twice",
    ("softmax_ce", False): "loss = F.cross_entropy(x, y)  # raw logits",
    ("sigmoid_twice", True): "loss = F.binary_cross_entropy_with_logits(torch.sigmoid(x), y)  # sigmoid twice",
    ("sigmoid_twice", False): "loss = F.binary_cross_entropy_with_logits(x, y)",
    ("float_target", True): "loss = F.cross_entropy(x, y.float())  # float class indices",
    ("float_target", False): "loss = F.cross_entropy(x, y)  # y is torch.long",
    ("channels_last", True): "loss = F.cross_entropy(x, y)  # x is (N, d, C)",
    ("channels_last", False): "loss = F.cross_entropy(x.permute(0, 2, 1), y)  # (N, C, d)",
    ("index_range", True): "loss = F.cross_entropy(x, labels)  # labels numbered 1..C",
    ("index_range", False): "loss = F.cross_entropy(x, labels - 1)  # 0..C-1",
    ("autocast_bce", True): "    loss = F.binary_cross_entropy(torch.sigmoid(z), y)",
    ("autocast_bce", False): "    loss = F.binary_cross_entropy_with_logits(z, y)",
    ("sigmoid_bce", True): "loss = F.binary_cross_entropy(torch.sigmoid(x), y)  # naive",
    ("sigmoid_bce", False): "loss = F.binary_cross_entropy_with_logits(x, y)  # stable",
}


def key_line(mistake: str, wrong: bool) -> str:
    """The one line that differs between the two versions."""
    return _LINES[(mistake, wrong)].strip()


def _lit(a) -> str:
    return repr(np.asarray(a, dtype=np.float64).round(9).tolist())


def code(mistake: str, wrong: bool, *, scale: float = 1.0, label: int = 5, positions: int = 4, amp_dtype: str = "bfloat16") -> str:
    """A runnable snippet of one version; it prints the loss and the gradient norm (or the error)."""
    head = "import torch\nimport torch.nn.functional as F\n"
    line = _LINES[(mistake, wrong)] + "\n"
    if mistake in ("softmax_ce", "float_target"):
        body = _MC.format(x=_lit(_logits_mc(scale).numpy())) + f"y = torch.tensor({TARGET_MC})\n"
    elif mistake == "index_range":
        body = _MC.format(x=_lit(_logits_mc(scale).numpy())) + f"labels = torch.tensor({[*LABELS_1BASED, int(label)]})\n"
    elif mistake == "channels_last":
        body = (
            f"g = torch.Generator().manual_seed(0)\n"
            f"x = (torch.randn({CHANNELS_N}, {int(positions)}, 5, generator=g) * {float(scale)!r}).requires_grad_()"
            "  # (N, d, C)\n"
            f"y = torch.randint(5, ({CHANNELS_N}, {int(positions)}), generator=torch.Generator().manual_seed(1))\n"
        )
    elif mistake == "autocast_bce":
        amp = amp_dtype if amp_dtype in AMP_DTYPES else "bfloat16"
        body = (
            f"feats = torch.tensor({FEATURES_AMP})\n"
            f"w = (torch.tensor({WEIGHT_AMP}) * {float(scale)!r}).requires_grad_()\n"
            f"y = torch.tensor({TARGET_BIN})\n"
            f"with torch.autocast('cpu', dtype=torch.{amp}):\n"
            "    z = feats @ w  # logits in " + amp + "\n"
        )
        return head + body + line + "print('logits dtype', z.dtype)\n" + _TAIL.format(leaf="w")
    else:
        body = _BIN.format(x=_lit(_logits_bin(scale).numpy()), y=TARGET_BIN)
    return head + body + line + _TAIL.format(leaf="x")
