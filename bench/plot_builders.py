"""Time every lossviz.plots builder on page-sized inputs (and optionally compare its JSON with a
reference copy of the package): ``python bench/plot_builders.py [--compare DIR_WITH_oldplots]``."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import timeit

import numpy as np
import plotly.io as pio

from lossviz.lessons.mistakes import Sweep

L = {k: k for k in ("title", "x", "y", "curve", "current", "slope", "parting", "ce", "bce", "naive", "stable",
                    "loss", "grad", "wrong", "right", "prob", "class0", "class1", "boundary", "plain", "weighted",
                    "sigma_star", "threshold", "recommended", "negative")}
XS = np.linspace(-12, 12, 481)
SC = np.geomspace(0.1, 100, 200)


def cases(pkg: str):
    b = importlib.import_module(f"{pkg}.binary")
    m = importlib.import_module(f"{pkg}.multiclass")
    s = importlib.import_module(f"{pkg}.stability")
    t = importlib.import_module(f"{pkg}.train")
    w = importlib.import_module(f"{pkg}.weights")
    mi = importlib.import_module(f"{pkg}.mistakes")
    sig = 1 / (1 + np.exp(-XS))
    grid = np.linspace(-3, 3, 41)
    return {
        "binary.sigmoid_figure": lambda: b.sigmoid_figure(XS, sig, current=(1.0, 0.73), labels=L),
        "binary.loss_curves_figure": lambda: b.loss_curves_figure(XS, {"y=1": -np.log(sig), "y=0": -np.log1p(-sig)},
                                                                  current=(1.0, 0.31), slope=-0.27, labels=L, log_y=True),
        "binary.sigmoid_figure legend below": lambda: b.sigmoid_figure(XS, sig, current=(1.0, 0.73), labels=L, legend="below"),
        "binary.scale_sweep_figure": lambda: b.scale_sweep_figure(SC, {"a": SC, "b": SC * 2, "c": SC * 3},
                                                                  current=(10.0, [1.0, 2.0, 3.0]), parting=20.0, labels=L),
        "binary.element_compare_figure": lambda: b.element_compare_figure(["a", "b", "c", "d"],
                                                                          {"n": [1, 2, 3, 4.0], "s": [1, 2, 3, 5.0]}, labels=L),
        "multiclass.class_bars_figure": lambda: m.class_bars_figure(["0", "1", "2", "3"],
                                                                    {"p": np.array([.1, .2, .3, .4]), "g": np.array([np.nan, .2, -.3, .4])},
                                                                    labels=L, highlight=1, y_range=(0, 1)),
        "multiclass.bridge_figure": lambda: m.bridge_figure(XS, XS, XS, current=(1.0, 2.0), labels=L),
        "stability.logit_curves_figure": lambda: s.logit_curves_figure(XS, {"a": XS, "b": np.where(XS > 5, np.inf, XS), "c": XS * 2},
                                                                       marks=[(5.0, "m1"), (9.0, "m2")], current=(1.0, 1.0), labels=L),
        "stability.softmax_figure": lambda: s.softmax_figure(["0", "1", "2"], [np.nan, 0.0, 1.0], [0.2, 0.3, 0.5], labels=L),
        "train.epoch_loss_figure": lambda: t.epoch_loss_figure(list(np.linspace(3, 1, 50)), labels=L),
        "train.curves_figure": lambda: t.curves_figure({n: (list(np.linspace(3, 1, 200)), list(np.linspace(1, 0, 200)))
                                                        for n in ("a", "b", "c")}, labels=L),
        "train.probability_map_figure": lambda: t.probability_map_figure(
            grid, grid, np.full((41, 41), 0.5), np.array([[0, 0], [1, 1], [2, -1]]), np.array([0, 1, 1]),
            boundary_y=grid * 0.5, labels=L),
        "weights.element_bars_figure": lambda: w.element_bars_figure(["a", "b"], np.array([1.0, 2.0]), np.array([2.0, 4.0]), labels=L),
        "weights.imbalance_figure": lambda: w.imbalance_figure(SC, SC / (SC + 3), 1 / (1 + SC), current=(1.0, 0.25),
                                                               recommended=(3.0, 0.5), labels=L),
        "weights.signed_loss_figure": lambda: w.signed_loss_figure(XS, {"mine": XS - 1, "ref": np.abs(XS)},
                                                                   current=(0.5, -0.5), labels=L),
        "mistakes.sweep_figure": lambda: mi.sweep_figure(SC, Sweep(wrong=SC, right=SC / 2, wrong_grad=SC - 1,
                                                                   right_grad=SC), current=(20.0, 25.0, 6.0), labels=L),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare", help="directory holding a package 'oldplots' (a copy of lossviz/plots before a change)")
    ap.add_argument("-n", type=int, default=30)
    a = ap.parse_args()
    new = cases("lossviz.plots")
    old = None
    if a.compare:
        sys.path.insert(0, a.compare)
        old = cases("oldplots")
    print("| builder | " + ("before ms | " if old else "") + "ms | same JSON |")
    print("|---|" + ("---:|" if old else "") + "---:|---|")
    for name, fn in new.items():
        ms = min(timeit.repeat(fn, number=a.n, repeat=3)) / a.n * 1000
        row = f"| {name} | "
        same = ""
        if old:
            oms = min(timeit.repeat(old[name], number=a.n, repeat=3)) / a.n * 1000
            row += f"{oms:.2f} | "
            jn = json.loads(pio.to_json(fn(), validate=False))
            jo = json.loads(pio.to_json(old[name](), validate=False))
            same = "yes" if jn == jo else "NO"
        print(row + f"{ms:.2f} | {same} |")


if __name__ == "__main__":
    main()
