"""One Chinese term per concept: the glossary's table is the single source, and no zh text uses a variant it lists."""

from __future__ import annotations

import pytest

from lossviz.lessons.glossary import AVOID_ZH, TERMS, zh_variants
from lossviz.text.i18n import LOCALES, catalog

ZH = catalog("zh")
TERM_IDS = [term for term, _ in TERMS]
ZH_TERMS = {term: ZH[f"glossary.term_{term}"] for term in TERM_IDS}
PROSE = sorted((LOCALES / "zh" / "prose").glob("*.md"))


def test_every_variant_list_belongs_to_a_glossary_term():
    """Test that each list of avoided variants names a term of the glossary, so the table shows it."""
    assert sorted(set(AVOID_ZH) - set(TERM_IDS)) == []


def test_the_glossary_gives_each_concept_its_own_term():
    """Test that no two concepts share a Chinese term and no term is a variant avoided for another concept."""
    assert len(set(ZH_TERMS.values())) == len(ZH_TERMS)
    clash = {(term, v) for term, zh in ZH_TERMS.items() for other, vs in AVOID_ZH.items() if other != term for v in vs if v in zh}
    assert not clash, clash


@pytest.mark.parametrize("key", sorted(ZH))
def test_no_catalog_string_uses_an_avoided_variant(key):
    """Test that the zh catalog string uses the glossary's term, never a variant the glossary lists."""
    assert zh_variants(ZH[key], ZH_TERMS) == []


@pytest.mark.parametrize("path", PROSE, ids=lambda p: p.name)
def test_no_prose_file_uses_an_avoided_variant(path):
    """Test that the zh prose file uses the glossary's terms, never a variant the glossary lists."""
    assert zh_variants(path.read_text(encoding="utf-8"), ZH_TERMS) == []


def test_the_check_catches_a_planted_variant():
    """Test that the checker flags a variant planted in real text, and only there."""
    real = ZH["glossary.def_sigmoid"]
    assert "logit" in real and zh_variants(real, ZH_TERMS) == []
    assert zh_variants(real.replace("logit", "逻辑值"), ZH_TERMS) == [("logit", "逻辑值")]
    assert zh_variants("它们都属于多类别问题，用独热编码", ZH_TERMS) == [("one_hot", "独热"), ("multi_class", "多类别"), ("multi_class", "多类")]
    assert zh_variants("这样正样本的总分量与负样本相当", ZH_TERMS) == [("weight", "分量")]
    assert zh_variants("把 logits 交给损失", ZH_TERMS) == [("logit", "logits")]


def test_the_check_leaves_code_placeholders_and_the_term_itself_alone():
    """Test that `code`, code blocks, {placeholders}, longer English words and the term's own text are not variants."""
    assert zh_variants("logit（对数几率）是原始得分", ZH_TERMS) == []
    assert zh_variants("`torch.softmax(logits, 1)` 与 {logits_dtype}，`nn.Sigmoid()`", ZH_TERMS) == []
    assert zh_variants("```python\nlogits = model(x)\n```\n用 BCEWithLogitsLoss", ZH_TERMS) == []
