"""Pure HTML builders for ``ui.table`` and ``ui.metric_row`` (no streamlit): styled by ``style.css``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape

_NUMBER = re.compile(r"[-−+]?(\d[\d,]*\.?\d*(e[-+]?\d+)?|\.\d+(e[-+]?\d+)?|inf|nan)", re.IGNORECASE)


EMPTY = ("", "—", "-")


CLASS = "lv-table"  # styled by lossviz.ui (_HTML_CSS): right-aligned numbers, tinted rows, a sideways scroll on a phone


def _numeric(cells: Sequence[str]) -> bool:
    filled = [c for c in cells if c not in EMPTY]
    return bool(filled) and all(_NUMBER.fullmatch(c) for c in filled)


def html_table(data: Mapping[str, Sequence[object]] | Sequence[Mapping[str, object]],
               *, highlight: Sequence[bool] | None = None) -> str:
    """A table of strings as one HTML ``<table>`` for ``st.markdown(..., unsafe_allow_html=True)``.

    ``data`` is either columns (header → cells) or rows (one dict per row, headers as keys).
    Columns whose cells are all numbers (``nan``, ``inf`` and ``—`` included) get ``class="num"``
    (right-aligned, so digits line up); rows where ``highlight`` is true get ``class="hl"``
    (tinted). Every header and cell is HTML-escaped. Inside Streamlit's Markdown the table takes
    the theme's table style, light or dark.

    HTML, not ``st.table``: a DataFrame costs the server 3–9 ms per rerun (pandas → Arrow, or a
    Styler for the tint) and the browser an Arrow decode; on lesson 2 that was a sixth of a
    step (bench/README.md).

    >>> print(html_table({"class": ["0", "1"], "p": ["0.7", "<b>"]}, highlight=[False, True]))
    <div class="lv-table"><table><thead><tr><th class="num">class</th><th>p</th></tr></thead><tbody>
    <tr><td class="num">0</td><td>0.7</td></tr>
    <tr class="hl"><td class="num">1</td><td>&lt;b&gt;</td></tr>
    </tbody></table></div>
    """
    if isinstance(data, Mapping):
        headers = [str(h) for h in data]
        columns = [[str(c) for c in data[h]] for h in data]
    else:
        headers = [str(h) for h in (data[0] if data else {})]
        columns = [[str(row.get(h, "")) for row in data] for h in headers]
    n = max((len(c) for c in columns), default=0)
    if any(len(c) != n for c in columns):
        raise ValueError("every column needs the same number of cells")
    if highlight is not None and len(highlight) != n:
        raise ValueError(f"highlight has {len(highlight)} flags for {n} rows")
    num = [' class="num"' if _numeric(c) else "" for c in columns]
    head = "".join(f"<th{k}>{escape(h)}</th>" for h, k in zip(headers, num, strict=True))
    body = [("<tr class=\"hl\">" if highlight is not None and highlight[i] else "<tr>")
            + "".join(f"<td{k}>{escape(c[i])}</td>" for c, k in zip(columns, num, strict=True)) + "</tr>"
            for i in range(n)]
    # one line per row and no blank line: Markdown keeps it one HTML block
    return "\n".join([f'<div class="{CLASS}"><table><thead><tr>{head}</tr></thead><tbody>', *body,
                      "</tbody></table></div>"])


METRICS_CLASS = "lv-metrics"  # styled by lossviz.ui (_HTML_CSS): a grid of label over big value, two a row on a phone


LONG_VALUE = 10  # characters: a longer number (full float64 digits, a list) is drawn smaller, on its own row on a phone


def html_metrics(items: Sequence[tuple[str, str]]) -> str:
    """A row of (label, value) pairs as one HTML description list, for ``st.markdown``.

    What ``st.metric`` in ``st.columns`` showed (a small label over a big number), but one
    element per row instead of a column block plus a column and a metric per pair (a softmax
    step: 53 → 39 websocket messages), and two pairs a row on a phone instead of one. The
    pairs are a ``<dl>``, so a screen reader reads each label with its value. Labels and values
    are HTML-escaped and arrive as typed. A pair whose value is in words rather than numbers
    gets ``class="text"`` (text size); one whose number is longer than ``LONG_VALUE`` characters
    ``class="long"`` (smaller, and a row of its own on a phone): a full float64 such as
    0.8354646563529968 would otherwise break in the middle of its digits.

    >>> print(html_metrics([("loss", "0.449313"), ("p[y]", "<1")]))
    <dl class="lv-metrics"><div><dt>loss</dt><dd>0.449313</dd></div><div><dt>p[y]</dt><dd>&lt;1</dd></div></dl>
    """
    if not items:
        raise ValueError("a metric row needs at least one (label, value) pair")
    pairs = "".join(f"<div{_size_class(str(value))}><dt>{escape(str(label))}</dt><dd>{escape(str(value))}</dd></div>"
                    for label, value in items)
    return f'<dl class="{METRICS_CLASS}">{pairs}</dl>'


def _size_class(value: str) -> str:
    if _is_prose(value):
        return ' class="text"'
    return ' class="long"' if len(value) > LONG_VALUE else ""


_WORD = re.compile(r"[^\W\d_]{2,}")


def _is_prose(value: str) -> bool:
    """A value in words ("a tensor of shape [3, 4]", "形状为 [3, 4] 的张量"), drawn in text size, not
    as a big number: any run of letters other than ``nan`` / ``inf``."""
    return any(w.lower() not in ("nan", "inf") for w in _WORD.findall(value))
