"""Speed of the loss doctor on 100,000 elements: parse the pasted text, then explain the call.

Run: ``.venv/bin/python bench/doctor_speed.py``. Prints milliseconds (median of the runs) for
parsing torch's full print of (1000, 100) float32 logits and their (1000,) targets, and for
``explain`` with CrossEntropyLoss and BCEWithLogitsLoss on them. Goal: parse + explain ≤ 200 ms.
Both wall time and this process's CPU time are shown: on a busy machine the CPU time is the
server's own share. torch runs on one thread, as in the app (``lossviz.core.torch_ref``).
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


def median_ms(fn) -> tuple[float, float]:
    """Median (wall, CPU) milliseconds of ``fn()``."""
    wall, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - start_cpu) * 1e3)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    torch.set_num_threads(1)
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

    cases = {
        "CrossEntropyLoss  (1000, 100) + (1000,)    ": (("cross_entropy", x, y), (x_text, y_text)),
        "BCEWithLogitsLoss (1000, 100) + (1000, 100)": (("binary_cross_entropy_with_logits", x, p), (x_text, p_text)),
    }
    print(f"1-min load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; median of {RUNS} runs; "
          f"text: {len(x_text):,} + {len(y_text):,} / {len(p_text):,} chars")
    for label, (call, texts) in cases.items():
        parse = median_ms(lambda texts=texts: [parse_tensor(t) for t in texts])
        expl = median_ms(lambda call=call: explain(*call))
        print(f"{label}: parse {parse[0]:6.1f} ms (cpu {parse[1]:6.1f})  explain {expl[0]:6.1f} ms "
              f"(cpu {expl[1]:6.1f})  total {parse[0] + expl[0]:6.1f} ms (cpu {parse[1] + expl[1]:6.1f})")

if __name__ == "__main__":
    main()
