"""Predict-then-reveal questions: the learner (or the class) commits a guess, then sees the true value.

Language-neutral: a question's texts are catalog keys in ``locales/*/predict.toml``
(``predict.<page>_<qid>`` the question, ``…_<option>`` the options of a choice, ``…_why`` the reveal),
filled with ``params``. ``truth`` is computed by the lesson from :mod:`lossviz.core` (and checked
against torch in ``tests/claims``); it never comes from user input.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from lossviz.core import functional as F
from lossviz.text import fmt


@dataclass(frozen=True)
class Prediction:
    page: str
    qid: str
    truth: float | str  # the true number, or the id of the right option
    options: tuple[str, ...] = ()  # option ids of a choice; empty for a number
    lo: float = -1000.0  # the range a number guess may take: also the class poll's histogram range, so
    hi: float = 1000.0  # set it to where guesses fall (ten bins between lo and hi)
    params: Mapping[str, int | float | str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.options and self.truth not in self.options:
            raise ValueError(f"{self.key}: the right option {self.truth!r} is not among {self.options}")
        if not self.options and not (isinstance(self.truth, int | float) and self.lo <= self.truth <= self.hi):
            raise ValueError(f"{self.key}: the true value {self.truth!r} is outside [{self.lo}, {self.hi}]")

    @property
    def key(self) -> str:
        """The question's catalog key (also the class poll's question key)."""
        return f"predict.{self.page}_{self.qid}"

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    def text_params(self) -> dict[str, str]:
        """``params`` as the texts show them (numbers formatted like every number on the page)."""
        return {k: v if isinstance(v, str) else fmt.cell(v) for k, v in self.params.items()}

    def truth_text(self) -> str:
        return str(self.truth) if self.is_choice else fmt.cell(self.truth)

    def read(self, raw: object) -> float | str | None:
        """A guess as typed or as found in a link: a valid option id or a finite number in range, else None."""
        if self.is_choice:
            return raw if isinstance(raw, str) and raw in self.options else None
        try:
            value = float(str(raw).strip().replace("−", "-"))
        except ValueError:
            return None
        return value if math.isfinite(value) and self.lo <= value <= self.hi else None

    def off_by(self, guess: float) -> tuple[float, float | None]:
        """(|guess − truth|, that as a fraction of |truth|; None when the truth is 0)."""
        diff = abs(float(guess) - float(self.truth))
        return diff, (diff / abs(float(self.truth)) if self.truth else None)

    def is_right(self, guess: float | str) -> bool:
        """A choice: the right option. A number: within 5 % of the truth (or 0.01 of a truth of 0)."""
        if self.is_choice:
            return guess == self.truth
        diff, rel = self.off_by(float(guess))
        return rel <= 0.05 if rel is not None else diff <= 0.01


def _q(page: str, qid: str, truth, *, options: tuple[str, ...] = (), lo: float = -1000.0, hi: float = 1000.0,
       **params) -> Prediction:
    return Prediction(page, qid, truth, options, lo, hi, MappingProxyType(params))


@functools.cache
def questions(page: str) -> tuple[Prediction, ...]:
    """The predict-first questions of a lesson, each at a moment where intuition tends to fail; every
    true value computed by :mod:`lossviz.core` (``tests/claims/test_predict.py`` checks each in torch)."""
    from lossviz.lessons import ce_options, entropy_kl, reading_loss, stability, weights

    f32 = np.float32
    return {
        "sigmoid_bce": lambda: (_q("sigmoid_bce", "wrong", float(F.binary_cross_entropy_with_logits(-3.0, 1.0)),
                                   lo=0.0, hi=10.0, x=-3.0, y=1.0),),
        "bce_vs_logits": lambda: (_q("bce_vs_logits", "x20", float(F.binary_cross_entropy(
            F.sigmoid(f32(20.0)), f32(0.0))), lo=0.0, hi=120.0, x=20.0),),
        "stability": lambda: (_q("stability", "one", "b", options=("a", "b", "c", "d"),
                                 **{k: round(stability.saturation(d).sigmoid_one, 2)
                                    for k, d in (("a", "bfloat16"), ("b", "float32"), ("c", "float64"))}),),
        "weights": lambda: (_q("weights", "recipe", weights.recommended_pos_weight(100, 300), lo=0.0, hi=10.0,
                               pos=100, neg=300),),
        "negative": lambda: (_q("negative", "sign",
                                "neg" if F.binary_cross_entropy_with_logits(0.5, 2.0) < 0 else "pos",
                                options=("pos", "zero", "neg"), x=0.5, y=2.0),),
        "softmax_ce": lambda: (_q("softmax_ce", "uniform", float(F.cross_entropy(np.full(4, 2.0), 0)), lo=0.0,
                                  hi=5.0, c=4),),
        "ce_vs_bce": lambda: (_q("ce_vs_bce", "larger", "ce" if F.cross_entropy(
            np.array([0.8, 0.2, 0.4], f32), np.array([1.0, 0.0, 0.0], f32)) > F.binary_cross_entropy(
            np.array([0.8, 0.2, 0.4], f32), np.array([1.0, 0.0, 0.0], f32)) else "bce",
            options=("ce", "bce", "same")),),
        "ce_options": lambda: (_q("ce_options", "floor", _entropy(ce_options.smoothed_target(0, 4, 0.1)), lo=0.0,
                                  hi=2.0, eps=0.1, c=4),),
        "mistakes": lambda: (_q("mistakes", "softmax_twice",
                                float(F.cross_entropy(F.softmax(np.array([10.0, 0.0, 0.0])), 0)), lo=0.0, hi=2.0),),
        "train": lambda: (_q("train", "init", float(F.cross_entropy(np.zeros(5), 0)), lo=0.0, hi=5.0, c=5),),
        "log_odds": lambda: (_q("log_odds", "nll",
                                float(F.binary_cross_entropy(np.full(8, 0.01 ** (1 / 8)), np.ones(8))),
                                lo=0.0, hi=5.0, n=8, lik=0.01),),
        "entropy_kl": lambda: (lambda r: (_q("entropy_kl", "mean", r.values["mean"], lo=0.0, hi=1.0, n=r.n, c=r.c,
                                             bm=r.values["batchmean"]),))(
            entropy_kl.reductions(entropy_kl.LOGITS[:4], entropy_kl.TARGET[:4], 2)),
        "nll_pipeline": lambda: (_q("nll_pipeline", "probs", float(F.nll_loss(F.softmax(np.array([[2.0, 1.0, 0.1]]), 1),
                                                                      np.array([0]))), lo=-2.0, hi=3.0,
                                    ce=float(F.cross_entropy(np.array([[2.0, 1.0, 0.1]]), np.array([0])))),),
        "reading_loss": lambda: (lambda r: (_q("reading_loss", "val_acc", _direction(r.val_acc[r.best], r.val_acc[-1]),
                                               options=("down", "same", "up"), best=r.best, epochs=len(r.val_acc) - 1,
                                               bl=r.val_loss[r.best], el=r.val_loss[-1], ba=r.val_acc[r.best],
                                               ea=r.val_acc[-1]),))(reading_loss.training()),
    }.get(page, tuple)()


def _direction(before: float, after: float) -> str:
    """"up", "down" or "same": how a value moved."""
    return "up" if after > before else ("down" if after < before else "same")


def _entropy(p: np.ndarray) -> float:
    """H(p) as the cross-entropy of p with itself: logits log p give softmax p (0·log 0 counts as 0)."""
    with np.errstate(divide="ignore"):
        return float(F.cross_entropy(np.log(p), p))
