"""The glossary's terms (catalog keys ``glossary.term_<id>`` / ``glossary.def_<id>``) and helpers.

The glossary is the single source of the terms: ``glossary.term_<id>`` is the one Chinese term for a
concept, and ``AVOID_ZH`` lists the variants no Chinese string may use for it (``zh_variants`` finds
them; ``tests/unit/test_terms.py`` runs it on every zh catalog string and prose file).
No streamlit and no translation here: the page looks the texts up and passes them in.
"""

from __future__ import annotations

import html
import re

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
    ("batch", "weights"),
    ("class_imbalance", "weights"),
    ("precision_recall", "weights"),
    ("threshold", "weights"),
    ("target", "negative"),
    ("soft_target", "negative"),
    ("probability_target", "softmax_ce"),
    ("class", "softmax_ce"),
    ("class_index", "softmax_ce"),
    ("one_hot", "ce_vs_bce"),
    ("multi_label", "ce_vs_bce"),
    ("multi_class", "ce_vs_bce"),
    ("ignore_index", "ce_options"),
    ("label_smoothing", "ce_options"),
    ("autocast", "mistakes"),
    ("optimizer_step", "train"),
)


# Chinese variants that must not be used, per term id: each names the concept of glossary.term_<id>
# in another way (or reads as something else: 逻辑值 is "Boolean value"). Occurrences inside the
# term itself (logit（对数几率）), inside `code`, code blocks and {placeholders} do not count.
AVOID_ZH: dict[str, tuple[str, ...]] = {
    "logit": ("逻辑值", "logits"),
    "sigmoid": ("Sigmoid", "S 型函数", "S型函数"),
    "softmax": ("Softmax", "归一化指数函数"),
    "bce": ("二值交叉熵", "二分类交叉熵", "二进制交叉熵"),
    "cross_entropy": ("互熵",),
    "numerical_stability": ("数值稳定度",),
    "underflow_overflow": ("溢出",),
    "dtype": ("浮点精度",),
    "reduction": ("缩减", "规约", "约简"),
    "weight": ("权值", "分量"),
    "pos_weight": ("正类权重",),
    "batch": ("批量", "批大小", "一批"),
    "class_imbalance": ("类别不均衡", "样本不平衡"),
    "precision_recall": ("查准率", "查全率"),
    "threshold": ("门槛",),
    "soft_target": ("软标签", "硬标签"),
    "probability_target": ("概率标签",),
    "class": ("每类", "二类", "类中的第"),
    "class_index": ("类索引", "类标号"),
    "one_hot": ("独热", "onehot 编码"),
    "multi_class": ("多类别", "多类"),
    "label_smoothing": ("标签平滑化",),
    "optimizer_step": ("优化器步",),
}

_NOT_TEXT = re.compile(r"```.*?```|`[^`\n]*`|\{[A-Za-z0-9_]+\}", re.S)


def zh_variants(text: str, terms: dict[str, str]) -> list[tuple[str, str]]:
    """(term id, variant) for each variant of ``AVOID_ZH`` that ``text`` uses; ``terms``: id → zh term.

    >>> zh_variants("把逻辑值交给损失；`logits` 是代码", {"logit": "logit（对数几率）"})
    [('logit', '逻辑值')]
    """
    text = _NOT_TEXT.sub(" ", text)
    found = []
    for term_id, variants in AVOID_ZH.items():
        term = terms.get(term_id, "")
        inside = [m.span() for m in re.finditer(re.escape(term), text)] if term else []
        for variant in variants:
            ascii_word = variant.isascii() and variant.replace(" ", "").isalnum()
            pattern = rf"(?<![\w.]){re.escape(variant)}(?!\w)" if ascii_word else re.escape(variant)
            hits = (m for m in re.finditer(pattern, text))
            if any(not any(a <= m.start() and m.end() <= b for a, b in inside) for m in hits):
                found.append((term_id, variant))
    return found

def matching(entries: list[dict[str, str]], query: str) -> list[dict[str, str]]:
    """Entries whose English name, Chinese name, avoided variants or definition contain ``query`` (any case).

    >>> matching([{"en": "logit", "zh": "逻辑值", "definition": "a raw score"}], "逻辑")[0]["en"]
    'logit'
    """
    q = query.strip().casefold()
    if not q:
        return list(entries)
    return [e for e in entries if any(q in e.get(k, "").casefold() for k in ("en", "zh", "avoid", "definition"))]


def plain(text: str, limit: int = 60) -> str:
    """A learner's search text, safe to echo inside Markdown: no links, emphasis or HTML.

    >>> plain("[x](http://a) *b*")
    'x http://a b'
    """
    return " ".join(str(text)[:limit].translate({ord(c): " " for c in "[]()<>*_`#|\\~"}).split())


def _cell(text: str) -> str:
    """A table cell: HTML-escaped (html.escape), then Markdown's cell separator escaped and kept on one line."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def markdown_table(entries: list[dict[str, str]], head: tuple[str, str]) -> str:
    """A two-column Markdown table that fits a phone: "English<br>简体中文<br>variants not to use" |
    definition → lesson link (the variants line only where the entry has an ``avoid`` text).

    Render with ``unsafe_allow_html=True`` (for the ``<br>``); every cell comes from our catalogs.
    """
    lines = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    for e in entries:
        lesson = f"[{_cell(e['lesson'])}](/{e['url']})"
        avoid = f"<br><small>{_cell(e['avoid'])}</small>" if e.get("avoid") else ""
        lines.append(f"| **{_cell(e['en'])}**<br>{_cell(e['zh'])}{avoid} | {_cell(e['definition'])} → {lesson} |")
    return "\n".join(lines)
