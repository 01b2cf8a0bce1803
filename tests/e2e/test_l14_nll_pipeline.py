"""Real-browser tests of lesson 14, log_softmax + NLLLoss = CrossEntropyLoss: its three views, opened by a deep link
and by a click on the view control, each with its chart and torch's numbers in the text beneath, the link following."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import torch
import torch.nn.functional as F

from lossviz.lessons import nll_pipeline as P
from lossviz.text import fmt
from lossviz.text.i18n import translate
from tests.e2e.conftest import assert_no_exception, open_app, wait_finished


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def caption(page) -> str:
    """The text beneath the one chart of the open view."""
    loc = page.locator("[data-testid=stMain] [data-testid=lv-chart] figcaption")
    loc.first.wait_for()
    assert loc.count() == 1
    return loc.first.text_content()


VIEW_BUTTONS = ".st-key-nl_view [role=radiogroup] [role=radio]"


def selected_view(page) -> str:
    """The label of the view control's selected button."""
    return page.locator(f"{VIEW_BUTTONS}[aria-checked=true]").inner_text().strip()


def test_deep_link_to_the_gradient_view_then_a_click_to_the_mistakes(server, page):
    """Test that ?nl_view=gradient&nl_n=2 opens, cold and in Chinese, the gradient view on sample 2 with torch's gradient
    row in the chart's text; that a click on the mistakes view's button shows torch's per-sample NLLLoss(softmax(x), y) and keeps
    nl_n in the link; and that the first view leaves the link without nl_view."""
    open_app(page, f"{server.base_url}/log-softmax-nll?lang=zh&nl_view=gradient&nl_n=2")
    assert selected_view(page) == translate("zh", "nll_pipeline.view_gradient")
    x = torch.tensor(P.LOGITS, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(P.TARGETS)
    (g,) = torch.autograd.grad(F.cross_entropy(x, y), x)
    assert caption(page).startswith(translate("zh", "nll_pipeline.grad_summary", n=2, chain=fmt.array(g[2].numpy(), 4),
                                              ce=fmt.array(g[2].numpy(), 4)))
    page.locator(VIEW_BUTTONS).filter(has_text=translate("zh", "nll_pipeline.view_mistakes")).click()
    page.wait_for_function("() => new URL(location.href).searchParams.get('nl_view') === 'mistakes'")
    wait_finished(page)
    assert_no_exception(page)
    with torch.no_grad():
        probs = F.nll_loss(torch.softmax(x, 1), y, reduction="none")
        right = F.cross_entropy(x, y, reduction="none")
    assert caption(page) == translate("zh", "nll_pipeline.mistakes_summary", probs=fmt.array(probs.numpy(), 4),
                                      right=fmt.array(right.numpy(), 4))
    assert query(page)["nl_n"] == "2"
    page.locator(VIEW_BUTTONS).filter(has_text=translate("zh", "nll_pipeline.view_tensors")).click()
    page.wait_for_function("() => !new URL(location.href).searchParams.has('nl_view')")
    wait_finished(page)
    assert selected_view(page) == translate("zh", "nll_pipeline.view_tensors")
    assert caption(page).startswith("样本 2")
