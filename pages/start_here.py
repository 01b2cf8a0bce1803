"""Start here: what LossViz teaches, the lessons in order, and a one-logit demo."""

import numpy as np
import streamlit as st

from lossviz import ui
from lossviz.core import functional as F
from lossviz.lessons.syllabus import EXTRA, LESSONS
from lossviz.plots.sigmoid_bce import loss_curves_figure, sigmoid_figure
from lossviz.text import fmt
from lossviz.ui import drag as ui_drag

t = ui.t
ui.page_setup("start")
ui.prose("start_intro")

ui.header(t("start.lessons"))
for n, lesson in enumerate(LESSONS, start=1):
    st.page_link(lesson.file, label=f"{n}. {t(f'{lesson.id}.nav')} — {t(f'{lesson.id}.teaser')}", icon=lesson.icon)
for lesson in EXTRA:
    st.page_link(lesson.file, label=t(f"{lesson.id}.nav"), icon=lesson.icon)

XS = np.linspace(-10.0, 10.0, 401)  # the curves' logit grid
ui.header(t("start.demo"))
st.write(t("start.demo_intro"))


@st.fragment
def demo() -> None:
    """One logit, its σ, both losses and gradients: a step reruns this demo only, not the syllabus above."""
    x = ui.slider("start_x", t("start.logit"), -10.0, 10.0, 2.0, 0.1)
    ui_drag.logit_curve("start_drag", x=x, x_range=(-10.0, 10.0), state_keys=("start_x", None), steps=(0.1, 0.01))
    sig = float(F.sigmoid(x))
    loss1 = float(F.binary_cross_entropy_with_logits(x, 1.0))
    loss0 = float(F.binary_cross_entropy_with_logits(x, 0.0))
    grad1 = float(F.binary_cross_entropy_with_logits_grad(x, 1.0))
    grad0 = float(F.binary_cross_entropy_with_logits_grad(x, 0.0))
    ui.metric_row(
        [
            (t("start.sigma"), fmt.cell(sig)),
            (t("start.loss_y1"), fmt.cell(loss1)),
            (t("start.loss_y0"), fmt.cell(loss0)),
            (t("start.grad_y1"), fmt.cell(grad1)),
            (t("start.grad_y0"), fmt.cell(grad0)),
        ]
    )
    left, right = st.columns(2)
    with left:
        fig = sigmoid_figure(
            XS,
            F.sigmoid(XS),
            current=(x, sig),
            labels={"title": t("start.sig_title"), "x": t("common.logit_x"), "y": "σ(x)", "curve": "σ(x)",
                    "current": t("common.current")},
        )
        ui.plot(fig, "start_sigmoid", t("start.sig_summary", x=fmt.cell(x), sigma=fmt.cell(sig)))
    with right:
        fig = loss_curves_figure(
            XS,
            {t("start.curve_y1"): F.binary_cross_entropy_with_logits(XS, np.ones_like(XS), reduction="none"),
             t("start.curve_y0"): F.binary_cross_entropy_with_logits(XS, np.zeros_like(XS), reduction="none")},
            current=(x, loss1),
            slope=grad1,
            labels={"title": t("start.loss_title"), "x": t("common.logit_x"), "y": t("common.loss"),
                    "current": t("common.current"), "slope": t("common.slope")},
        )
        ui.plot(fig, "start_loss", t("start.loss_summary", x=fmt.cell(x), l1=fmt.cell(loss1), l0=fmt.cell(loss0),
                                     g1=fmt.cell(grad1)))
    ui.torch_check("binary_cross_entropy_with_logits", np.array([x, x]), np.array([1.0, 0.0]), reduction="none")
    ui.code_panel(
        "import torch\n"
        f"x = torch.tensor({x!r}, requires_grad=True)\n"
        "for y in (1.0, 0.0):\n"
        "    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, torch.tensor(y))\n"
        "    (grad,) = torch.autograd.grad(loss, x)\n"
        "    print(f'y={y}: sigmoid={torch.sigmoid(x).item():.6g} loss={loss.item():.6g} grad={grad.item():.6g}')"
    )


demo()
ui.page_links("start")
