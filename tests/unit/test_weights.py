"""Tables and derived numbers of lessons 4, 5 and the glossary, against torch; the HTML of ``ui.table``."""

from html.parser import HTMLParser

import numpy as np
import pytest
import torch

from lossviz.core.errors import LossRuntimeError, LossValueError
from lossviz.lessons import glossary, negative, weights
from lossviz.lessons.syllabus import by_id
from lossviz.ui import html as ui_html

BCEL = torch.nn.functional.binary_cross_entropy_with_logits
X = np.array([[0.4, -1.2, 2.0, 0.3], [1.1, 0.6, -0.9, -1.6], [-0.5, 1.5, 0.2, 0.8]])
Y = np.array([[1.0, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1]])
W = np.array([[2.0], [1.0], [1.0]])
P = np.array([3.0, 1, 1, 1])


def _t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def test_bce_logits_rows_match_torch_element_by_element():
    """Test that each row's loss and gradient are torch's, and the formula holds the multipliers."""
    rows = weights.bce_logits_rows(X, Y, W, P, digits=10)
    x = _t(X).requires_grad_(True)
    none = BCEL(x, _t(Y), weight=_t(W), pos_weight=_t(P), reduction="none")
    (g,) = torch.autograd.grad(none.sum(), x)
    assert len(rows) == 12 and tuple(rows[0]) == weights.BCE_LOGITS_COLUMNS
    for row, ref, gr in zip(rows, none.detach().ravel(), g.ravel(), strict=True):
        assert float(row["loss"]) == pytest.approx(ref.item(), rel=1e-9)
        assert float(row["grad"]) == pytest.approx(gr.item(), rel=1e-9)
    assert rows[0]["formula"].startswith("2·[3·1·")
    assert rows[1]["formula"].startswith("2·[1·0·") and rows[4]["element"] == "[1, 0]"


def test_bce_logits_rows_without_multipliers_write_ones():
    """Test that None weight and pos_weight appear as 1 in the formula."""
    row = weights.bce_logits_rows([0.0], [0.0])[0]
    assert row["formula"] == "1·[1·0·0.6931 + 1·0.6931] = 0.6931"


def test_reduction_summary_divides_by_numel_not_by_sum_of_weights():
    """Test that mean = Σ w·l / numel as torch, and that Σ w·l / Σ w is a different number."""
    s = weights.reduction_summary(X, Y, W, P)
    ref_sum = BCEL(_t(X), _t(Y), weight=_t(W), pos_weight=_t(P), reduction="sum").item()
    ref_mean = BCEL(_t(X), _t(Y), weight=_t(W), pos_weight=_t(P)).item()
    assert s.numel == 12 and s.weight_sum == 16.0
    assert s.sum == pytest.approx(ref_sum, rel=1e-12)
    assert s.mean == pytest.approx(ref_mean, rel=1e-12) == pytest.approx(ref_sum / 12, rel=1e-12)
    assert s.normalised == pytest.approx(ref_sum / 16) != pytest.approx(ref_mean)


def test_bad_weight_raises_like_torch():
    """Test that a (3,) weight on (3, 4) raises a LossRuntimeError where torch raises RuntimeError."""
    with pytest.raises(RuntimeError):
        BCEL(_t(X), _t(Y), weight=_t([2.0, 1, 1]))
    with pytest.raises(LossRuntimeError):
        weights.bce_logits_rows(X, Y, np.array([2.0, 1, 1]))


def test_relabel_renames_and_drops():
    """Test that relabel maps ids to headers and drops unnamed columns."""
    assert weights.relabel([{"x": "1", "y": "2"}], {"x": "logit"}) == [{"logit": "1"}]


@pytest.mark.parametrize(("pw", "pos", "neg"), [(1.0, 100, 300), (3.0, 100, 300), (0.5, 7, 93), (10.0, 40, 60)])
def test_optimal_constant_minimises_torchs_loss(pw, pos, neg):
    """Test that σ* = pP/(pP+N) is where torch's gradient for one shared logit vanishes."""
    star = float(weights.optimal_constant(pw, pos, neg))
    y = torch.cat([torch.ones(pos), torch.zeros(neg)]).double()
    z = torch.full_like(y, torch.logit(torch.tensor(star, dtype=torch.float64)).item(), requires_grad=True)
    (g,) = torch.autograd.grad(BCEL(z, y, pos_weight=torch.tensor(pw, dtype=torch.float64)), z)
    assert abs(g.sum().item()) < 1e-12
    assert abs(weights.constant_prediction_grad(pw, pos, neg)) < 1e-12


def test_recipe_and_threshold():
    """Test the docs' example (300/100 → 3, σ* = 0.5) and the 1/(1+p) probability bar."""
    assert weights.recommended_pos_weight(100, 300) == 3.0
    assert float(weights.optimal_constant(3.0, 100, 300)) == 0.5
    assert float(weights.threshold_on_probability(3.0)) == 0.25
    q = 0.25 + 1e-9  # just above the bar: the pos-weighted optimum is above 0.5
    assert float(weights.weighted_optimum(q, 3.0)) > 0.5
    with pytest.raises(LossValueError):
        weights.recommended_pos_weight(0, 10)


def test_pos_weight_cases_behave_as_torch():
    """Test that (C,) on (N, C) and (C, 1, 1) on NCHW work and (C,) on NCHW fails — in torch too."""
    from lossviz.core import functional as F

    for case in weights.pos_weight_cases(np.array([3.0, 1.0, 2.0]), 3):
        args = (case.input, case.target)
        if case.id == "nchw_flat":
            with pytest.raises(RuntimeError):
                BCEL(*map(_t, args), pos_weight=_t(case.pos_weight))
            with pytest.raises(LossRuntimeError):
                F.binary_cross_entropy_with_logits(*args, pos_weight=case.pos_weight)
        else:
            ref = BCEL(*map(_t, args), pos_weight=_t(case.pos_weight)).item()
            assert float(F.binary_cross_entropy_with_logits(*args, pos_weight=case.pos_weight)) == pytest.approx(ref)
    assert weights.pos_weight_cases(None, 2)[0].pos_weight_shape == [2]


def test_weighted_snippet_prints_the_page_numbers():
    """Test that the generated torch code prints torch's mean and the numel denominator."""
    from lossviz.text import codegen

    out = codegen.run(weights.bce_logits_snippet(X, Y, W, P, "mean"))
    ref = BCEL(_t(X), _t(Y), weight=_t(W), pos_weight=_t(P)).item()
    assert out.splitlines()[0] == repr(ref)
    assert "mean = sum / 12" in out


@pytest.mark.parametrize(("x", "y"), [(0.5, 2.0), (0.3, 2.0), (0.3, -1.0), (-4.0, 0.7)])
def test_negative_curve_matches_torch(x, y):
    """Test the seed's values: BCEWithLogits(0.5, 2) = −0.0259, (0.3, 2) = 0.2544, (0.3, −1) = 1.1544."""
    ours = float(negative.curve([x], y)[0])
    assert ours == pytest.approx(BCEL(_t([x]), _t([y])).item(), rel=1e-12)


def test_problems_and_unbounded():
    """Test the diagnosis codes and the no-minimum condition."""
    assert negative.problems([0.0, 1.0, 0.5]) == []
    assert negative.problems([2.0, -1.0], [-1.0], [-2.0]) == list(negative.PROBLEMS)
    assert negative.unbounded_below(2.0) and negative.unbounded_below(-1.0)
    assert negative.unbounded_below(1.0, weight=-1.0) and negative.unbounded_below(1.0, pos_weight=-1.0)
    assert not negative.unbounded_below(0.0) and not negative.unbounded_below(1.0, pos_weight=5.0)
    xs = torch.tensor([40.0], dtype=torch.float64)  # far right: y = 2 keeps falling
    assert BCEL(xs, torch.tensor([2.0], dtype=torch.float64)).item() < -39


@pytest.mark.parametrize("k", [2.0, -1.0, 0.5])
def test_ce_scaled_is_linear_in_the_target(k):
    """Test CE(x, k·p) = k·CE(x, p) against torch, negative for k < 0."""
    x, p = np.array([2.0, 0.5, -1.0]), np.array([0.7, 0.2, 0.1])
    ce = negative.ce_scaled(x, p, k)
    ref = torch.nn.functional.cross_entropy(_t(x), _t(k * p)).item()
    assert ce.scaled == pytest.approx(ref, rel=1e-12)
    assert ce.ratio == pytest.approx(k, rel=1e-12)


def test_negative_snippet_runs():
    """Test that the lesson-5 snippet prints torch's negative loss and BCELoss's error."""
    from lossviz.text import codegen

    out = codegen.run(negative.snippet(0.5, 2.0, 1.0, 1.0))
    assert "-0.0259" in out and "all elements of target should be between 0 and 1" in out and "False" in out


def test_glossary_terms_have_lessons_and_filter():
    """Test that every glossary term points to an existing lesson and the filter is case-insensitive."""
    for _, lesson in glossary.TERMS:
        by_id(lesson)
    entries = [{"en": "Logit", "zh": "逻辑值", "definition": "raw | score", "lesson": "L", "url": "a?lang=en"}]
    assert glossary.matching(entries, "LOG") == entries and glossary.matching(entries, "x") == []
    assert "raw \\| score → [L](/a?lang=en)" in glossary.markdown_table(entries, ("a", "b"))


class _Cells(HTMLParser):
    """The cells of an HTML table as the browser reads them: (tag, class, text) per cell, rows' classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, str, str]]] = []
        self.row_class: list[str] = []
        self.tags: list[str] = []
        self._cell: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        cls = dict(attrs).get("class") or ""
        if tag == "tr":
            self.rows.append([])
            self.row_class.append(cls)
        elif tag in ("td", "th"):
            self._cell = (tag, cls, [])

    def handle_data(self, data):
        if self._cell:
            self._cell[2].append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell:
            self.rows[-1].append((self._cell[0], self._cell[1], "".join(self._cell[2])))
            self._cell = None


def _parse(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    return p


def test_html_table_right_aligns_the_numeric_columns_only():
    """Test that a column of numbers (nan, inf, 1e-05 and a dash for a missing cell included) is right-aligned, text is not."""
    t = _parse(ui_html.html_table({"element": ["[0, 0]", "[0, 1]", "[0, 2]"], "loss": ["0.5130", "nan", "—"],
                                  "grad": ["-inf", "1e-05", "−0.25"], "why": ["same", "—", "σ(x) == 1.0"], "gap": ["—", "—", "—"]}))
    assert [c[2] for c in t.rows[0]] == ["element", "loss", "grad", "why", "gap"]
    for row in t.rows:
        assert [c[1] for c in row] == ["", "num", "num", "", ""]
    assert [c[0] for c in t.rows[0]] == ["th"] * 5 and {c[0] for r in t.rows[1:] for c in r} == {"td"}


def test_html_table_cells_read_back_as_typed_and_never_become_markup():
    """Test that cells with HTML, Markdown and math characters come back as the same text, with no element added."""
    nasty = ['<script>alert("x")</script>', "a | b", "$x$ **bold** [link](http://x)", "&amp; <br>", "2·[3·1·0.3133 + 0·1.313] = 1.88"]
    html = ui_html.html_table([{"cell": c, "n": str(i)} for i, c in enumerate(nasty)])
    t = _parse(html)
    assert [r[0][2] for r in t.rows[1:]] == nasty
    assert set(t.tags) == {"div", "table", "thead", "tbody", "tr", "th", "td"}
    assert "\n\n" not in html  # one HTML block for Markdown


def test_html_table_takes_rows_or_columns_and_tints_the_flagged_rows():
    """Test that rows and columns give the same table and that exactly the flagged rows carry the tint class."""
    cols = {"i": ["0", "1", "2"], "x": ["a", "b", "c"]}
    rows = [{"i": "0", "x": "a"}, {"i": "1", "x": "b"}, {"i": "2", "x": "c"}]
    assert ui_html.html_table(cols) == ui_html.html_table(rows)
    t = _parse(ui_html.html_table(rows, highlight=[True, False, True]))
    assert t.row_class == ["", "hl", "", "hl"]


def test_html_table_refuses_ragged_columns_and_wrong_highlight_length():
    """Test that columns of different lengths or a highlight list of the wrong length raise instead of drawing a wrong table."""
    with pytest.raises(ValueError, match="same number"):
        ui_html.html_table({"a": ["1", "2"], "b": ["1"]})
    with pytest.raises(ValueError, match="2 flags for 3 rows"):
        ui_html.html_table({"a": ["1", "2", "3"]}, highlight=[True, False])


class _Pairs(HTMLParser):
    """(tag path, text) of every text node in an HTML string, and every tag seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.texts, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.tags.append((tag, dict(attrs).get("class")))

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag

    def handle_data(self, data):
        self.texts.append(("/".join(self.stack), data))


def test_html_metrics_pairs_each_label_with_its_value_as_typed():
    """Test that a metric row is one description list whose dt/dd pairs give back the labels and values as typed, markup included."""
    items = [("loss (reduction = none)", "[0.5, nan]"), ('<img src=x onerror="alert(1)">', "a & b"), ("$x$ **y**", "−inf")]
    html = ui_html.html_metrics(items)
    p = _Pairs()
    p.feed(html)
    assert not p.stack  # every tag closed
    assert p.tags[0] == ("dl", "lv-metrics") and {t for t, _ in p.tags[1:]} == {"div", "dt", "dd"}
    assert p.texts == [(path, text) for label, value in items for path, text in (("dl/div/dt", label), ("dl/div/dd", value))]
    assert "\n" not in html  # one HTML block for Markdown


def test_html_metrics_refuses_an_empty_row():
    """Test that an empty metric row raises instead of drawing an empty grid."""
    with pytest.raises(ValueError, match="at least one"):
        ui_html.html_metrics([])


@pytest.mark.parametrize(("value", "prose"), [
    ("0.449313", False), ("-inf", False), ("nan", False), ("1e-05", False), ("4 / 4", False), ("[0.241311, nan, -inf]", False),
    ("a tensor of shape [3, 4] (the table's last columns)", True), ("形状为 [3, 4] 的张量", True), ("NaN here", True),
])
def test_html_metrics_draws_a_value_in_words_at_text_size(value, prose):
    """Test that only a value in words (not a number, nan, inf or a list of them) carries the text-size class."""
    p = _Pairs()
    p.feed(ui_html.html_metrics([("loss", value)]))
    assert (("div", "text") in p.tags) is prose


@pytest.mark.parametrize(("value", "long"), [
    ("0.449313", False), ("-0.119203", False), ("4 / 4", False), ("2.78e-17", False), ("-0.1234567", False), ("0.83546466", False),
    ("0.8354646563529968", True), ("16.639999389648438", True), ("[0.241311, nan, -inf]", True), ("a tensor of shape [3, 4]", False),
])
def test_html_metrics_marks_a_long_number(value, long):
    """Test that a number longer than ten characters (full float64 digits, a list) is marked long, words and short numbers are not."""
    p = _Pairs()
    p.feed(ui_html.html_metrics([("loss", value)]))
    assert (("div", "long") in p.tags) is long
