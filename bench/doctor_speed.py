"""Speed of the loss doctor on 100,000 elements: parse the pasted text, then explain the call.

Run: ``.venv/bin/python bench/doctor_speed.py``. Prints milliseconds (median of the runs) for
parsing torch's full print of (1000, 100) float32 logits and their (1000,) targets, and for
``explain`` with CrossEntropyLoss and BCEWithLogitsLoss on them. Goal: parse + explain ≤ 200 ms.
Not a timed test: numbers depend on the machine and its load (the 1-min load average is printed).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lossviz.doctor import explain, parse_tensor  # noqa: E402 - after the path, as the other benches

RUNS = 7


def median_ms(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main() -> None:
    torch.manual_seed(0)
    torch.set_printoptions(profile="full")
    logits = torch.randn(1000, 100) * 3
    classes = torch.randint(0, 100, (1000,))
    probs = torch.rand(1000, 100)
    x_text, y_text, p_text = repr(logits), repr(classes), repr(probs)
    torch.set_printoptions(profile="default")
    x, y, p = parse_tensor(x_text), parse_tensor(y_text), parse_tensor(p_text)
    assert x.shape == (1000, 100) and y.shape == (1000,) and p.shape == (1000, 100)
    explain("cross_entropy", x, y)  # warm-up: torch's first call loads kernels

    parse_ce = median_ms(lambda: (parse_tensor(x_text), parse_tensor(y_text)))
    explain_ce = median_ms(lambda: explain("cross_entropy", x, y))
    parse_bce = median_ms(lambda: (parse_tensor(x_text), parse_tensor(p_text)))
    explain_bce = median_ms(lambda: explain("binary_cross_entropy_with_logits", x, p))
    print(f"1-min load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; median of {RUNS} runs")
    print(f"text: logits {len(x_text):,} chars, probabilities {len(p_text):,} chars")
    print(f"CrossEntropyLoss  (1000, 100) + (1000,):    parse {parse_ce:6.1f} ms  explain {explain_ce:6.1f} ms  "
          f"total {parse_ce + explain_ce:6.1f} ms")
    print(f"BCEWithLogitsLoss (1000, 100) + (1000, 100): parse {parse_bce:6.1f} ms  explain {explain_bce:6.1f} ms  "
          f"total {parse_bce + explain_bce:6.1f} ms")


if __name__ == "__main__":
    main()
