"""The glossary's terms (catalog keys ``glossary.term_<id>`` / ``glossary.def_<id>``) and helpers.

No streamlit and no translation here: the page looks the texts up and passes them in.
"""

from __future__ import annotations

# (term id, lesson id where it is taught), in reading order
TERMS: tuple[tuple[str, str], ...] = (
    ("logit", "sigmoid_bce"),
    ("sigmoid", "sigmoid_bce"),
    ("softmax", "softmax_ce"),
    ("probability", "sigmoid_bce"),
    ("bce", "sigmoid_bce"),
    ("cross_entropy", "softmax_ce"),
    ("nll", "softmax_ce"),
    ("gradient", "sigmoid_bce"),
    ("numerical_stability", "stability"),
    ("log_sum_exp", "stability"),
    ("softplus", "stability"),
    ("saturation", "stability"),
    ("underflow_overflow", "stability"),
    ("dtype", "stability"),
    ("reduction", "weights"),
    ("weight", "weights"),
    ("pos_weight", "weights"),
    ("broadcasting", "weights"),
    ("class_imbalance", "weights"),
    ("precision_recall", "weights"),
    ("threshold", "weights"),
    ("target", "negative"),
    ("soft_target", "negative"),
    ("probability_target", "softmax_ce"),
    ("class_index", "softmax_ce"),
    ("one_hot", "ce_vs_bce"),
    ("multi_label", "ce_vs_bce"),
    ("multi_class", "ce_vs_bce"),
    ("ignore_index", "ce_options"),
    ("label_smoothing", "ce_options"),
    ("autocast", "mistakes"),
    ("optimizer_step", "train"),
)


def matching(entries: list[dict[str, str]], query: str) -> list[dict[str, str]]:
    """Entries whose English name, Chinese name or definition contains ``query`` (case-insensitive).

    >>> matching([{"en": "logit", "zh": "逻辑值", "definition": "a raw score"}], "逻辑")[0]["en"]
    'logit'
    """
    q = query.strip().casefold()
    if not q:
        return list(entries)
    return [e for e in entries if any(q in e.get(k, "").casefold() for k in ("en", "zh", "definition"))]


def plain(text: str, limit: int = 60) -> str:
    """A learner's search text, safe to echo inside Markdown: no links, emphasis or HTML.

    >>> plain("[x](http://a) *b*")
    'x http://a b'
    """
    return " ".join(str(text)[:limit].translate({ord(c): " " for c in "[]()<>*_`#|\\~"}).split())


def _cell(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|").replace("\n", " ")


def markdown_table(entries: list[dict[str, str]], head: tuple[str, str]) -> str:
    """A two-column Markdown table that fits a phone: "English<br>简体中文" | definition → lesson link.

    Render with ``unsafe_allow_html=True`` (for the ``<br>``); every cell comes from our catalogs.
    """
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    for e in entries:
        lesson = f"[{_cell(e['lesson'])}](/{e['url']})"
        lines.append(f"| **{_cell(e['en'])}**<br>{_cell(e['zh'])} | {_cell(e['definition'])} → {lesson} |")
    return "\n".join(lines)
