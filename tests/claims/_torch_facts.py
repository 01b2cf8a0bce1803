"""Facts computed with real torch, and the app's text to hold them against (for the claim tests of
sigmoid_bce, bce_vs_logits, stability, weights, negative, start, common, drag, error, nav).

Nothing here calls lossviz's numeric code: a claim is checked against torch, never against the app."""

from __future__ import annotations

import functools
import re

import torch
import torch.nn.functional as F

from lossviz.text.i18n import LOCALES, catalog

LANGS = ("en", "zh")
TORCH_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64}
_BITS = {torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float32: torch.int32, torch.float64: torch.int64}


def text(lang: str, key: str) -> str:
    """The catalog string ``<section>.<name>`` of ``lang`` (unformatted)."""
    return catalog(lang)[key]


def prose(lang: str, name: str) -> str:
    return (LOCALES / lang / "prose" / f"{name}.md").read_text(encoding="utf-8")


def both(key: str) -> list[str]:
    """The string in every language."""
    return [text(lang, key) for lang in LANGS]


def both_prose(name: str) -> list[str]:
    return [prose(lang, name) for lang in LANGS]


def numbers(s: str) -> list[float]:
    """Every decimal number written in ``s`` (a leading − or - counts as the sign)."""
    return [float(m.replace("−", "-")) for m in re.findall(r"[−-]?\d+(?:\.\d+)?", s)]


def _value(bits: int, dtype: torch.dtype) -> float:
    return torch.tensor(bits, dtype=_BITS[dtype]).view(dtype).item()


def _first_positive(pred, dtype: torch.dtype) -> float:
    """Smallest positive finite ``x`` of ``dtype`` with ``pred(tensor x)``, bisecting over bit patterns."""
    lo, hi = 0, torch.tensor(torch.finfo(dtype).max, dtype=dtype).view(_BITS[dtype]).item()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pred(torch.tensor(_value(mid, dtype), dtype=dtype)):
            hi = mid
        else:
            lo = mid
    return _value(hi, dtype)


@functools.cache
def saturation(dtype: str) -> dict[str, float]:
    """Where torch's sigmoid and exp give up in ``dtype``: ``one`` (smallest x with σ(x) == 1),
    ``zero`` (largest x with σ(x) == 0), ``exp_inf`` (smallest x with exp(x) == inf)."""
    dt = TORCH_DTYPES[dtype]
    one = _first_positive(lambda x: torch.sigmoid(x).item() == 1.0, dt)
    zero = -_first_positive(lambda m: torch.sigmoid(-m).item() == 0.0, dt)
    exp_inf = _first_positive(lambda x: torch.isinf(torch.exp(x)).item(), dt)
    return {"one": one, "zero": zero, "exp_inf": exp_inf}


def naive_bce(x, y, dtype=torch.float32, reduction="none"):
    """``F.binary_cross_entropy(torch.sigmoid(x), y)`` and its gradient w.r.t. x (torch autograd)."""
    xt = torch.as_tensor(x, dtype=dtype).clone().requires_grad_(True)
    yt = torch.as_tensor(y, dtype=dtype)
    loss = F.binary_cross_entropy(torch.sigmoid(xt), yt, reduction=reduction)
    (grad,) = torch.autograd.grad(loss.sum(), xt)
    return loss.detach(), grad


def stable_bce(x, y, dtype=torch.float32, reduction="none", weight=None, pos_weight=None):
    """``F.binary_cross_entropy_with_logits(x, y)`` and its gradient w.r.t. x (torch autograd)."""
    xt = torch.as_tensor(x, dtype=dtype).clone().requires_grad_(True)
    yt = torch.as_tensor(y, dtype=dtype)
    w = None if weight is None else torch.as_tensor(weight, dtype=dtype)
    p = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=dtype)
    loss = F.binary_cross_entropy_with_logits(xt, yt, weight=w, pos_weight=p, reduction=reduction)
    (grad,) = torch.autograd.grad(loss.sum(), xt)
    return loss.detach(), grad
