"""AppTest of lesson 15, Reading a loss value: the page's numbers are torch's."""

import math

import pytest
import torch
import torch.nn.functional as F

from tests.app.helpers import chart_summaries, charts, metrics, open_page, tables, texts

TITLES = {"en": "Reading a loss value", "zh": "读懂损失值"}
LOGITS = [-2.1, -1.5, -0.8, -0.2, 0.1, 0.3, 0.45, 0.7, 1.2, 2.4]
LABELS = [0, 0, 1, 0, 1, 1, 1, 1, 1, 1]


def torch_val(epoch: int) -> tuple[float, float]:
    """(validation loss, validation accuracy) after ``epoch`` SGD steps of the lesson's run, in torch."""
    from lossviz.lessons import reading_loss as R

    torch.set_num_threads(1)
    xt, yt, xv, yv = (torch.from_numpy(a) for a in R.toy_data())
    w = torch.zeros(xt.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=2.0)
    for _ in range(epoch):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(xt @ w + b, yt).backward()
        opt.step()
    with torch.no_grad():
        zv = xv @ w + b
        return F.binary_cross_entropy_with_logits(zv, yv).item(), ((zv > 0).double() == yv).double().mean().item()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_in_both_languages(lang):
    """Test that the page runs in each language with its title, four charts and every torch check green."""
    at = open_page("reading_loss", lang)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    assert len(charts(at)) == 4
    assert len(at.success) >= 4 and not at.error


@pytest.mark.parametrize("c", [2, 10, 37, 1000])
def test_classes_move_the_first_loss(c):
    at = open_page("reading_loss", "en", rl_c=str(c))
    m = metrics(at)
    ref = F.cross_entropy(torch.zeros(1, c, dtype=torch.float64), torch.tensor([0])).item()
    assert float(m["CrossEntropyLoss, equal logits"]) == pytest.approx(ref, rel=1e-5) == pytest.approx(math.log(c), rel=1e-5)
    assert float(m["chance accuracy 1/C"]) == pytest.approx(1 / c, rel=1e-5)


@pytest.mark.parametrize("cut", [0.5, 0.0, 0.25, -1.0, 1.5])
def test_cut_moves_the_flips(cut):
    """Test that the wrong threshold changes the flipped count and the accuracy to torch's, and the table tints them."""
    at = open_page("reading_loss", "en")
    at.slider(key="rl_cut").set_value(cut).run()
    assert not at.exception
    x, y = torch.tensor(LOGITS, dtype=torch.float64), torch.tensor(LABELS)
    right, wrong = (x > 0).long(), (x > cut).long()
    m = metrics(at)
    n = int((right != wrong).sum())
    assert m["predictions flipped"] == f"{n} / 10"
    assert float(m["accuracy, logit > 0"]) == pytest.approx((right == y).double().mean().item())
    assert float(m[f"accuracy, logit > {cut:g}"]) == pytest.approx((wrong == y).double().mean().item())
    assert float(m["probability threshold really used σ(cut)"]) == pytest.approx(torch.sigmoid(torch.tensor(cut)).item(), abs=1e-4)
    assert len(tables(at)[1].attrs["highlighted"]) == n


@pytest.mark.parametrize("epoch", [0, 8, 50, 200])
def test_epoch_moves_the_numbers(epoch):
    at = open_page("reading_loss", "en")
    at.slider(key="rl_epoch").set_value(epoch).run()
    assert not at.exception
    loss, acc = torch_val(epoch)
    m = metrics(at)
    assert float(m[f"validation loss, epoch {epoch}"]) == pytest.approx(loss, rel=1e-3)
    assert float(m[f"validation accuracy, epoch {epoch}"]) == pytest.approx(acc, rel=1e-3)
    assert m["epoch of the lowest validation loss"] == "8"
    rising = any("yet the validation accuracy rose too" in w.value for w in at.warning)
    assert rising == (epoch > 8 and acc > torch_val(8)[1])


def test_default_shows_both_rising():
    at = open_page("reading_loss", "en")
    warning = next(w.value for w in at.warning if "rose too" in w.value)
    (bl, ba), (el, ea) = torch_val(8), torch_val(200)
    assert f"from {bl:.4g} to {el:.4g}" in warning and f"from {ba:.4g} to {ea:.4g}" in warning
    assert any(s.startswith("Validation predictions binned by confidence") for s in chart_summaries(at))


@pytest.mark.parametrize("p", [0.5, 3.0, 9.0])
def test_pos_weight_moves_the_crossing(p):
    at = open_page("reading_loss", "en", rl_pw=str(p))
    m = metrics(at)
    assert float(m["crosses 0.5 at q = 1/(1 + p)"]) == pytest.approx(1 / (1 + p), rel=1e-3)
    assert float(m["logit shift ln p"]) == pytest.approx(math.log(p), rel=1e-3, abs=1e-3)
    assert float(m["trained σ where q = 0.5"]) == pytest.approx(p / (1 + p), rel=1e-3)


@pytest.mark.parametrize(("qid", "right"), [("q1", "a"), ("q2", "b"), ("q3", "c")])
def test_quiz_keyed_answers(qid, right):
    """Test that each question's keyed answer is praised and every distractor gets the hint."""
    for option in ("a", "b", "c"):
        at = open_page("reading_loss", "en")
        at.radio(key=f"quiz_reading_loss_{qid}").set_value(option).run()
        assert not at.exception
        praised = any(s.value.startswith("Right.") for s in at.success)
        hinted = any(w.value.startswith("Not quite.") for w in at.warning)
        assert (praised, hinted) == ((True, False) if option == right else (False, True))


@pytest.mark.parametrize(("key", "value"), [("rl_c", "abc"), ("rl_c", "1"), ("rl_cut", "9"), ("rl_epoch", "1e9"),
                                            ("rl_pw", "nan"), ("rl_pw", "0")])
def test_bad_url_value_gives_a_notice(key, value):
    at = open_page("reading_loss", "zh", **{key: value})
    assert not at.exception
    assert "链接中" in texts(at)
