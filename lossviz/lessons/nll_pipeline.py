"""log_softmax + NLLLoss = CrossEntropyLoss: a small batch through the pipeline, tensor by tensor.

* :func:`pipeline` — logits x (N, C) → ``log_softmax(x, 1)`` → ``nll_loss(·, y, weight, ignore_index,
  reduction)``, every intermediate tensor, beside ``cross_entropy(x, y, …)`` on the same logits; the
  gradient chained by hand (``nll_loss_grad`` w.r.t. the log-probabilities, then ``log_softmax_grad``)
  beside ``cross_entropy_grad``, and w[y]·(softmax − onehot) scaled as the reduction scales it.
* :func:`mistakes` — the same batch through the two classic wrong pipelines and one harmless one:
  log_softmax applied twice, softmax fed to NLLLoss, CrossEntropyLoss fed log_softmax's output.

Every number comes from :mod:`lossviz.core.functional` (float64); the tests replay each in torch.
No streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossviz.core import functional as F
from lossviz.text import codegen

N, C = 3, 4
IGNORE = -100  # NLLLoss's and CrossEntropyLoss's default ignore_index
LOGITS = ((2.0, 1.0, 0.1, -1.0), (0.5, 2.5, -0.5, 0.0), (-1.0, 0.0, 1.5, 0.3))
TARGETS = (0, 3, 2)  # sample 2's target is not its largest logit: a large loss
WEIGHTS = (1.0, 1.0, 1.0, 1.0)
X_RANGE = (-20.0, 20.0)  # a logit's number input
W_RANGE = (0.0, 10.0)  # a class weight's number input
REDUCTIONS = ("mean", "sum", "none")
ROUTES = ("right", "twice", "ce_on_logp", "on_probs")  # see :class:`Mistakes`
VIEWS = ("tensors", "gradient", "mistakes")  # ui.views: the pipeline, one row's gradient, the mistakes
# Language-neutral names (the call itself), for legends and tables.
CALLS = {
    "right": "CrossEntropyLoss(x, y)",
    "twice": "NLLLoss(log_softmax(log_softmax(x)), y)",
    "ce_on_logp": "CrossEntropyLoss(log_softmax(x), y)",
    "on_probs": "NLLLoss(softmax(x), y)",
}
NLL_CALL = "NLLLoss(log_softmax(x), y)"
GRAD_ROWS = ("probs", "onehot", "p_minus_onehot", "grad_log_probs", "chain", "ce")  # see :func:`grad_rows`
FORMULAS = (  # one formula per line: they fit a phone's width
    r"\begin{gathered}"
    r"\operatorname{log\_softmax}(x)_{n,c} = x_{n,c} - \log\textstyle\sum_k e^{x_{n,k}} \\"
    r"\ell_n = -w_{y_n}\,\operatorname{log\_softmax}(x)_{n,y_n} \\"
    r"\text{mean} = \frac{\sum_{n:\,y_n\neq-100} \ell_n}{\sum_{n:\,y_n\neq-100} w_{y_n}} \\[8pt]"
    r"\frac{\partial \ell_n}{\partial x_n} = "
    r"w_{y_n}\big(\operatorname{softmax}(x_n) - \operatorname{onehot}(y_n)\big) \\"
    r"\operatorname{log\_softmax}(\operatorname{log\_softmax}(x)) = \operatorname{log\_softmax}(x)"
    r"\end{gathered}"
)


@dataclass(frozen=True)
class Pipeline:
    """One batch through log_softmax → NLLLoss and through CrossEntropyLoss (float64; ignored rows: NaN
    in ``picked`` and ``w_y``, 0 in ``nll_none`` and in every gradient)."""

    logits: np.ndarray  # x, (N, C)
    targets: np.ndarray  # y, (N,) int64, IGNORE allowed
    weight: np.ndarray  # w, (C,)
    reduction: str
    log_probs: np.ndarray  # log_softmax(x, 1), (N, C)
    probs: np.ndarray  # softmax(x, 1) = exp(log_probs), (N, C)
    logsumexp: np.ndarray  # logsumexp(x, 1): log_softmax(x) = x − logsumexp(x), (N,)
    keep: np.ndarray  # y_n != ignore_index, (N,)
    picked: np.ndarray  # log_probs[n, y_n], (N,)
    w_y: np.ndarray  # w[y_n], (N,)
    nll_none: np.ndarray  # nll_loss(log_probs, y, w, reduction="none") = −w[y_n]·log_probs[n, y_n], (N,)
    numerator: float  # Σ over kept n of w[y_n]·l_n
    denominator: float  # Σ over kept n of w[y_n]
    nll: np.ndarray  # nll_loss(log_probs, y, w, reduction=…): () or (N,)
    ce: np.ndarray  # cross_entropy(x, y, w, reduction=…): () or (N,)
    grad_log_probs: np.ndarray  # ∂nll/∂log_probs: −w[y_n]/Σw[y] at (n, y_n) for mean, (N, C)
    grad_chain: np.ndarray  # log_softmax_grad(x, grad_log_probs): ∂nll/∂x by the chain rule, (N, C)
    grad_ce: np.ndarray  # cross_entropy_grad(x, …), (N, C)
    softmax_minus_onehot: np.ndarray  # softmax(x) − onehot(y) (0 in ignored rows), (N, C)
    row_scale: np.ndarray  # w[y_n] (÷ Σ w[y] for mean): grad = row_scale · (softmax − onehot), (N,)

    @property
    def n_kept(self) -> int:
        return int(self.keep.sum())


@dataclass(frozen=True)
class Mistakes:
    """The batch through each route of :data:`ROUTES`, with the page's weight and reduction (values: () or
    (N,)), and per sample (reduction="none") for the chart."""

    values: dict[str, np.ndarray]
    per_sample: dict[str, np.ndarray]
    calls: dict[str, tuple[str, np.ndarray]]  # route → (the loss function's name, the input it is given)
    twice_change: float  # max |log_softmax(log_softmax(x)) − log_softmax(x)|: 0 up to rounding


def _arrays(logits, targets, weight):
    x = np.asarray(logits, dtype=np.float64).reshape(-1, C)
    y = np.asarray(targets, dtype=np.int64).reshape(-1)
    w = np.asarray(weight, dtype=np.float64).reshape(C)
    return x, y, w


def pipeline(logits=LOGITS, targets=TARGETS, weight=WEIGHTS, reduction: str = "mean") -> Pipeline:
    """The batch through ``nll_loss(log_softmax(x, 1), y, weight=w, reduction=…)`` and ``cross_entropy``.

    >>> p = pipeline()
    >>> round(float(p.nll), 6) == round(float(p.ce), 6)
    True
    """
    x, y, w = _arrays(logits, targets, weight)
    kw = {"weight": w, "ignore_index": IGNORE, "reduction": reduction}
    logp = F.log_softmax(x, 1)
    keep = y != IGNORE
    safe = np.where(keep, y, 0)
    rows = np.arange(y.size)
    picked = np.where(keep, logp[rows, safe], np.nan)
    w_y = np.where(keep, w[safe], np.nan)
    nll_none = F.nll_loss(logp, y, weight=w, ignore_index=IGNORE, reduction="none")
    probs = F.softmax(x, 1)
    grad_logp = F.nll_loss_grad(logp, y, **kw)
    onehot = (np.arange(C) == safe[:, None]) & keep[:, None]
    den = float(np.sum(np.where(keep, w_y, 0.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(keep, w_y / den if reduction == "mean" else w_y, 0.0)
    return Pipeline(
        logits=x, targets=y, weight=w, reduction=reduction, log_probs=logp, probs=probs,
        logsumexp=F.logsumexp(x, 1), keep=keep,
        picked=picked, w_y=w_y, nll_none=nll_none, numerator=float(np.sum(nll_none[keep])), denominator=den,
        nll=nll_none if reduction == "none" else F.nll_loss(logp, y, **kw), ce=F.cross_entropy(x, y, **kw),
        grad_log_probs=grad_logp,
        grad_chain=F.log_softmax_grad(x, grad_logp, 1), grad_ce=F.cross_entropy_grad(x, y, **kw),
        softmax_minus_onehot=np.where(keep[:, None], probs - onehot, 0.0), row_scale=scale,
    )


def grad_rows(p: Pipeline, n: int) -> dict[str, np.ndarray]:
    """Sample ``n``'s rows of the gradient table, by :data:`GRAD_ROWS` id: softmax, onehot(y) (zeros when
    ignored), their difference, ∂loss/∂log_softmax, ∂loss/∂x chained through log_softmax, and CrossEntropyLoss's."""
    onehot = (np.arange(C) == p.targets[n]).astype(np.float64) if p.keep[n] else np.zeros(C)
    return {"probs": p.probs[n], "onehot": onehot, "p_minus_onehot": p.softmax_minus_onehot[n],
            "grad_log_probs": p.grad_log_probs[n], "chain": p.grad_chain[n], "ce": p.grad_ce[n]}


def _calls(x, logp, probs) -> dict[str, tuple[str, np.ndarray]]:
    return {"right": ("cross_entropy", x), "twice": ("nll_loss", F.log_softmax(logp, 1)),
            "ce_on_logp": ("cross_entropy", logp), "on_probs": ("nll_loss", probs)}


def _routes(calls, y, w, reduction: str, known: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    kw = {"weight": w, "ignore_index": IGNORE, "reduction": reduction}
    return {route: known[route] if route in known else getattr(F, name)(inp, y, **kw)
            for route, (name, inp) in calls.items()}


def mistakes(logits=LOGITS, targets=TARGETS, weight=WEIGHTS, reduction: str = "mean", *,
             pipe: Pipeline | None = None) -> Mistakes:
    """The batch through the right pipeline and the three others of :data:`ROUTES`. ``pipe``: this same
    batch's :func:`pipeline`, if computed already: its log_softmax, softmax and CrossEntropyLoss are reused.

    >>> m = mistakes()
    >>> -1 <= float(m.values["on_probs"]) <= 0
    True
    """
    if pipe is None:
        x, y, w = _arrays(logits, targets, weight)
        calls, right = _calls(x, F.log_softmax(x, 1), F.softmax(x, 1)), {}
    else:
        x, y, w = pipe.logits, pipe.targets, pipe.weight
        calls, right = _calls(x, pipe.log_probs, pipe.probs), {"right": pipe.ce}
    per_sample = _routes(calls, y, w, "none", {})
    values = per_sample if reduction == "none" else _routes(calls, y, w, reduction, right)
    return Mistakes(values, per_sample, calls, float(np.max(np.abs(calls["twice"][1] - calls["ce_on_logp"][1]))))


def code(logits, targets, weight, reduction: str) -> str:
    """The page's view as a torch snippet: the pipeline, CrossEntropyLoss, both gradients, the three other routes."""
    x, y, w = _arrays(logits, targets, weight)
    kw = f"weight=w, reduction={reduction!r}"
    return (
        "import torch\nimport torch.nn.functional as F\n"
        + codegen.tensor("x", x, "float64", requires_grad=True) + "\n"
        + codegen.tensor("y", y) + "\n"
        + codegen.tensor("w", w, "float64") + "\n"
        "logp = F.log_softmax(x, dim=1)\n"
        "print('log_softmax', logp.tolist())\n"
        f"nll = F.nll_loss(logp, y, {kw})\n"
        f"ce = F.cross_entropy(x, y, {kw})\n"
        "print('NLLLoss(log_softmax(x))', nll.tolist())\n"
        "print('CrossEntropyLoss(x)    ', ce.tolist())\n"
        "(g_nll,) = torch.autograd.grad(nll.sum(), x)\n"
        "(g_ce,) = torch.autograd.grad(ce.sum(), x)\n"
        "print('same gradient:', torch.equal(g_nll, g_ce), g_ce.tolist())\n"
        "with torch.no_grad():\n"
        f"    print('log_softmax twice', F.nll_loss(F.log_softmax(logp, 1), y, {kw}).tolist())\n"
        f"    print('CE on log_softmax', F.cross_entropy(logp, y, {kw}).tolist())\n"
        f"    print('NLL on softmax   ', F.nll_loss(F.softmax(x, 1), y, {kw}).tolist())\n"
    )
