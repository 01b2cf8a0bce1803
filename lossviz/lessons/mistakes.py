"""Nine common loss mistakes, each run the wrong way and the right way in real torch.

This lesson is about what torch really does, so nothing here is emulated: every function
builds a small tensor, calls ``torch.nn.functional`` and returns the value, the gradient
norm and per-element numbers torch gave, or the exception it raised (kind + message).
:func:`code` writes the same two calls as a runnable snippet; its printed output is the
numbers :func:`run` returns. The runs themselves, the examples and the cases that need more
than one call live in :mod:`lossviz.lessons.mistakes_cases` (re-exported here). No streamlit here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lossviz.core.torch_ref import torch_module
from lossviz.lessons.mistakes_cases import (  # noqa: F401  (re-exported: the page and tests read them here)
    AMP_DTYPES,
    CHANNELS_N,
    CUDA_AUTOCAST_ERROR,
    FEATURES_AMP,
    LABELS_1BASED,
    LOGITS_BIN,
    LOGITS_MC,
    SEQ_B,
    SEQ_T,
    SEQ_V,
    TARGET_BIN,
    TARGET_MC,
    TARGET_SOFT,
    WEIGHT_AMP,
    Case,
    Run,
    _channels_logits,
    _channels_target,
    _logits_bin,
    _logits_mc,
    _measure,
    _seq_logits,
    _seq_target,
    autocast_case,
    kl_probs_case,
    seq_logits_case,
)

MISTAKES = (
    "softmax_ce",
    "sigmoid_twice",
    "float_target",
    "channels_last",
    "index_range",
    "autocast_bce",
    "sigmoid_bce",
    "seq_logits",
    "kl_probs",
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
    "seq_logits": "CrossEntropyLoss(logits[B, T, V], y[B, T])",
    "kl_probs": "kl_div(softmax(x), q)",
}
# Mistakes whose wrong version gives a number (not an error) at every scale: they get a sweep plot.
SWEEPABLE = ("softmax_ce", "sigmoid_twice", "autocast_bce", "sigmoid_bce", "kl_probs")
# The lesson that explains a mistake (the page links it under the mistake's story: catalog key see_<mistake>).
SEE_ALSO = {"softmax_ce": "nll_pipeline", "kl_probs": "entropy_kl"}


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
    if mistake == "seq_logits":
        return seq_logits_case(scale)
    if mistake == "kl_probs":
        return kl_probs_case(scale)
    return autocast_case(scale, amp_dtype)

@dataclass(frozen=True)
class Sweep:
    """Both versions of a mistake over a range of logit scales (NaN where a version raised)."""

    wrong: np.ndarray  # the mistake's loss, (S,)
    right: np.ndarray  # the fix's loss, (S,)
    wrong_grad: np.ndarray  # the mistake's gradient norm, (S,)
    right_grad: np.ndarray  # the fix's gradient norm, (S,)


def sweep(mistake: str, scales, **params) -> Sweep:
    """Loss and gradient norm of both versions over ``scales`` (NaN where a version raised)."""
    out = {k: np.full(len(scales), np.nan) for k in ("wrong", "right", "wrong_grad", "right_grad")}
    for i, s in enumerate(scales):
        case = run(mistake, scale=float(s), **params)
        for side in ("wrong", "right"):
            r: Run = getattr(case, side)
            if r.ok:
                out[side][i] = r.value
                out[side + "_grad"][i] = r.grad_norm
    return Sweep(**out)


def torch_call(
    mistake: str, wrong: bool, *, scale: float = 1.0, label: int = 5, positions: int = 4, amp_dtype: str = "bfloat16"
):
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
    if mistake == "seq_logits":
        x = _seq_logits(scale)
        return "cross_entropy", (x if wrong else x.permute(0, 2, 1)).contiguous().numpy(), _seq_target().numpy()
    if mistake == "kl_probs":  # with torch_kwargs(mistake): reduction="batchmean"
        x = _logits_mc(scale)
        p = torch.softmax(x, 1) if wrong else torch.log_softmax(x, 1)
        return "kl_div", p.numpy(), np.array(TARGET_SOFT, dtype=np.float32)
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


def torch_kwargs(mistake: str) -> dict:
    """The keyword arguments of :func:`torch_call`'s call (kl_div: the page's "batchmean")."""
    return {"reduction": "batchmean"} if mistake == "kl_probs" else {}


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
    "seq_logits": r"(B, T, V) \xrightarrow{\ \texttt{permute(0, 2, 1)}\ } (B, V, T) \\ "
    r"(B, T, V) \xrightarrow{\ \texttt{reshape(-1, V)}\ } (B{\cdot}T, V)",
    "kl_probs": r"\texttt{kl\_div}(a, q) = \tfrac1N \sum q\,(\log q - a) \\ "
    r"a = \log p \;\Rightarrow\; \mathrm{KL}(q\,\|\,p) \ge 0 \\ a = p \;\Rightarrow\; "
    r"-H(q) - \tfrac1N \sum q\,p \\ \in \big(-H(q) - 1,\, -H(q)\big)",
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
    ("seq_logits", True): "loss = F.cross_entropy(x, y)  # x is (B, T, V), y is (B, T)",
    ("seq_logits", False): "loss = F.cross_entropy(x.permute(0, 2, 1), y)  # (B, V, T)",
    ("kl_probs", True): "loss = F.kl_div(torch.softmax(x, dim=1), q, reduction='batchmean')  # probabilities",
    ("kl_probs", False): "loss = F.kl_div(torch.log_softmax(x, dim=1), q, reduction='batchmean')",
}


def key_line(mistake: str, wrong: bool) -> str:
    """The one line that differs between the two versions."""
    return _LINES[(mistake, wrong)].strip()


def _lit(a) -> str:
    return repr(np.asarray(a, dtype=np.float64).round(9).tolist())


def code(
    mistake: str, wrong: bool, *, scale: float = 1.0, label: int = 5, positions: int = 4, amp_dtype: str = "bfloat16"
) -> str:
    """A runnable snippet of one version; it prints the loss and the gradient norm (or the error)."""
    head = "import torch\nimport torch.nn.functional as F\n"
    line = _LINES[(mistake, wrong)] + "\n"
    if mistake in ("softmax_ce", "float_target"):
        body = _MC.format(x=_lit(_logits_mc(scale).numpy())) + f"y = torch.tensor({TARGET_MC})\n"
    elif mistake == "index_range":
        body = (
            _MC.format(x=_lit(_logits_mc(scale).numpy()))
            + f"labels = torch.tensor({[*LABELS_1BASED, int(label)]})\n"
        )
    elif mistake == "channels_last":
        body = (
            f"g = torch.Generator().manual_seed(0)\n"
            f"x = (torch.randn({CHANNELS_N}, {int(positions)}, 5, generator=g) * {float(scale)!r}).requires_grad_()"
            "  # (N, d, C)\n"
            f"y = torch.randint(5, ({CHANNELS_N}, {int(positions)}), generator=torch.Generator().manual_seed(1))\n"
        )
    elif mistake == "seq_logits":
        body = (
            f"g = torch.Generator().manual_seed(2)\n"
            f"x = (torch.randn({SEQ_B}, {SEQ_T}, {SEQ_V}, generator=g) * {float(scale)!r}).requires_grad_()"
            "  # (B, T, V)\n"
            f"y = torch.randint({SEQ_V}, ({SEQ_B}, {SEQ_T}), generator=torch.Generator().manual_seed(3))  # (B, T)\n"
        )
        if not wrong:
            line += (
                f"print('reshape', F.cross_entropy(x.reshape(-1, {SEQ_V}), y.reshape(-1)).item())"
                "  # (B·T, V), (B·T,)\n"
            )
    elif mistake == "kl_probs":
        body = (
            _MC.format(x=_lit(_logits_mc(scale).numpy()))
            + f"q = torch.tensor({TARGET_SOFT})  # target probabilities\n"
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
