"""An :class:`~lossviz.doctor.explain.Explanation` as plain text (terminal) or HTML (Jupyter).

Every value that came from the learner is passed through ``html.escape`` in the HTML.
Lesson links point at the app: ``$LOSSVIZ_URL`` (default ``http://localhost:8501``, where
``make run`` serves it) followed by the lesson's ``url_path``.
"""

from __future__ import annotations

import html
import os

import numpy as np

DEFAULT_URL = "http://localhost:8501"


def lesson_url(url_path: str) -> str:
    """The app's address for a lesson.

    >>> lesson_url("negative-loss")
    'http://localhost:8501/negative-loss'
    """
    return os.environ.get("LOSSVIZ_URL", DEFAULT_URL).rstrip("/") + "/" + url_path


def _num(v) -> str:
    if v is None:
        return "—"
    return f"{float(v):.6g}"


def _value(a: np.ndarray | None) -> str:
    if a is None:
        return "—"
    if a.ndim == 0:
        return f"{float(a.astype(np.float64)):.8g}"
    return f"shape {tuple(a.shape)}, sum {float(a.astype(np.float64).sum()):.8g}"


def _grad(e) -> str:
    if e.grad_error:
        return e.grad_error
    if e.grad is None:
        return "— (the input is not floating)" if e.error is None else "—"
    g = e.grad.astype(np.float64)
    zeros = int((g == 0).sum())
    return (f"shape {tuple(g.shape)}, max |g| {float(np.nanmax(np.abs(g))) if g.size else 0:.4g}, "
            f"{zeros} of {g.size} exactly 0" + (", contains NaN" if np.isnan(g).any() else ""))


def _reduction(r) -> str:
    if r is None:
        return "—"
    if r.numerator is None:
        return r.formula
    line = f"{r.reduction}: {r.formula} = {_num(r.numerator)} / {_num(r.denominator)}"
    if r.ignored:
        line += f"; {r.ignored} ignored, {r.counted} counted"
    return line


def _headers() -> tuple[str, ...]:
    return ("index", "input", "target", "p(target)", "loss")


def _cells(row) -> tuple[str, ...]:
    return (str(row.index), _num(row.input), "ignored" if row.ignored else _num(row.target), _num(row.prob),
            _num(row.loss))


def render_text(e) -> str:
    """Plain text for a terminal."""
    lines = [
        e.call,
        f"  input  {e.input_shape} {e.input_dtype}, target {e.target_shape} {e.target_dtype}",
        f"torch {e.torch_version}: " + (e.error if e.error else _value(e.value)),
        f"lossviz: {_value(e.lossviz_value)} ({e.lossviz_note})",
        f"gradient w.r.t. input: {_grad(e)}",
        f"reduction {_reduction(e.reduction)}",
    ]
    if e.rows:
        lines.append(f"worst elements (first {len(e.rows)}):")
        table = [_headers(), *(_cells(r) for r in e.rows)]
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        lines += ["  " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in table]
    lines.append("findings:" if e.findings else "findings: none")
    for f in e.findings:
        lines.append(f"  [{f.code}] {f.message}")
        lines.append(f"    fix: {f.fix}" + (f" → {_num(f.fixed_value)}" if f.fixed_value is not None else ""))
        lines.append(f"    lesson: {lesson_url(f.lesson)}")
    return "\n".join(lines)


def render_html(e) -> str:
    """HTML for Jupyter; every learner-provided value escaped."""
    esc = html.escape
    out = [f"<div class='lossviz-explain'><p><code>{esc(e.call)}</code><br>",
           f"input {esc(str(e.input_shape))} {esc(e.input_dtype)}, target {esc(str(e.target_shape))} "
           f"{esc(e.target_dtype)}</p><ul>",
           f"<li><b>torch {esc(e.torch_version)}</b>: "
           + (f"<span style='color:#b00'>{esc(e.error)}</span>" if e.error else esc(_value(e.value))) + "</li>",
           f"<li>lossviz: {esc(_value(e.lossviz_value))} ({esc(e.lossviz_note)})</li>",
           f"<li>gradient w.r.t. input: {esc(_grad(e))}</li>",
           f"<li>reduction {esc(_reduction(e.reduction))}</li></ul>"]
    if e.rows:
        out.append(f"<table><caption>worst elements (first {len(e.rows)})</caption><tr>"
                   + "".join(f"<th>{esc(h)}</th>" for h in _headers()) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in _cells(r)) + "</tr>" for r in e.rows]
        out.append("</table>")
    if e.findings:
        out.append("<p><b>Findings</b></p><ul>")
        for f in e.findings:
            fixed = f" → {esc(_num(f.fixed_value))}" if f.fixed_value is not None else ""
            url = esc(lesson_url(f.lesson), quote=True)
            out.append(f"<li><code>{esc(f.code)}</code>: {esc(f.message)}<br><i>Fix:</i> {esc(f.fix)}{fixed} "
                       f"<a href=\"{url}\" target=\"_blank\">lesson</a></li>")
        out.append("</ul>")
    else:
        out.append("<p>Findings: none</p>")
    out.append("</div>")
    return "".join(out)
