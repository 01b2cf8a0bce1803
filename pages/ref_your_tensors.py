"""Your tensors — paste or upload what your model produced: torch's real answer, and a diagnosis."""

import streamlit as st

from lossviz import ui
from lossviz.doctor import ParseError, explain, parse_loss_call
from lossviz.lessons import doctor as dr
from lossviz.text import fmt

t = ui.t
ui.page_setup("doctor")
ui.prose("doctor_intro")
LAST = "dr_last_good"  # plain session key: the last case that could be read (shown while a paste is refused)


def labels(group: str, *options: str):
    """A format_func from labels translated now (AppTest calls it after the run, outside the language's context)."""
    return {o: t(f"doctor.{group}_{o}") for o in options}.get


def refused(field: str, exc: ParseError) -> None:
    key, params = dr.error_text(exc)
    where = params.pop("where")
    at = t("doctor.where", line=where[0], col=where[1]) if where else ""
    st.error(t("doctor.refused", field=field, where=at) + " " + t(key, **params), icon="🚫")
    st.caption(t("doctor.details", message=str(exc)[:300]))


def pasted(key: str, label: str, default: str, *, target_of=None, seed: int = 0, spec: bool = False):
    """One input field (text or shape spec) → (array or None, the text)."""
    if spec:
        text = ui.text(key, label, default, help=t("doctor.spec_help"), max_chars=60)
    else:
        text = ui.text_area(key, label, default, help=t("doctor.paste_help"), height=140)
        dtype_names = {**{d: d for d in dr.DTYPES}, "auto": t("doctor.auto")}
        dtype = ui.choice(key + "d", t("doctor.dtype"), dr.DTYPES, "auto", format_func=dtype_names.get)
    try:
        arr = dr.read_text(text, "auto" if spec else dtype, target_of=target_of, seed=seed)
    except ParseError as exc:
        refused(label, exc)
        arr = None
    if not spec:
        ui.link_text(key, text if dr.fits_link(text, arr) else None, default)
        if arr is not None and not dr.fits_link(text, arr):
            st.caption(t("doctor.not_in_link", n=arr.size, limit=dr.LINK_VALUES))
    return arr


def inputs():
    """(prediction, target, where they came from, their names) or None while something is refused."""
    src = ui.choice("dr_src", t("doctor.source"), ["text", "spec", "file"], "text",
                    format_func=labels("src", "text", "spec", "file"))
    if src == "file":
        files = st.file_uploader(t("doctor.upload", mib=dr.MAX_MIB), type=["npy", "pt"], accept_multiple_files=True,
                                 key="dr_up", max_upload_size=dr.MAX_MIB)
        if not files:
            st.info(t("doctor.upload_hint"))
            return None
        try:
            arrays = dr.read_files([(f.name, f.getvalue()) for f in files])
        except ParseError as exc:
            refused(t("doctor.file"), exc)
            return None
        names = list(arrays)
        left, right = st.columns(2)
        xn = left.selectbox(t("doctor.prediction"), names, key="dr_fx")
        tn = right.selectbox(t("doctor.target"), names, index=min(1, len(names) - 1), key="dr_ft")
        st.caption(t("doctor.upload_no_link"))
        return arrays[xn], arrays[tn], "file", (xn, tn)
    spec = src == "spec"
    left, right = st.columns(2)
    with left:
        x = pasted("dr_xs" if spec else "dr_x", t("doctor.prediction"), "(8, 5) float32" if spec else dr.EXAMPLE_X,
                   spec=spec)
    with right:
        y = pasted("dr_ts" if spec else "dr_t", t("doctor.target"), "(8,) long" if spec else dr.EXAMPLE_T,
                   target_of=x, seed=1, spec=spec)
    return None if x is None or y is None else (x, y, "text", ("", ""))


def the_call():
    """The loss call from the controls or from a pasted line; None while refused."""
    how = ui.choice("dr_how", t("doctor.how"), ["controls", "line"], "controls",
                    format_func=labels("how", "controls", "line"))
    try:
        if how == "line":
            return parse_loss_call(ui.text("dr_line", t("doctor.line"), "nn.CrossEntropyLoss()",
                                           help=t("doctor.line_help"), max_chars=2000))
        module = ui.choice("dr_loss", t("doctor.loss"), dr.MODULES, "CrossEntropyLoss")
        has = dr.LOSSES[module][1]
        cols = iter(st.columns(len(has)))
        red = ui.choice("dr_red", t("common.reduction"), dr.REDUCTIONS, "mean", container=next(cols))
        kw = {"weight": ui.text("dr_w", t("doctor.weight"), "", help=t("doctor.weight_help"), container=next(cols),
                                max_chars=400)}
        if "pos_weight" in has:
            kw["pos_weight"] = ui.text("dr_pw", "pos_weight", "", help=t("doctor.weight_help"), container=next(cols),
                                       max_chars=400)
        if "ignore_index" in has:
            kw["ignore_index"] = ui.number("dr_ii", "ignore_index", -1000, 1000, -100, 1, container=next(cols))
        if "label_smoothing" in has:
            kw["label_smoothing"] = ui.number("dr_ls", "label_smoothing", 0.0, 1.0, 0.0, 0.05, container=next(cols))
        return dr.loss_call(module, reduction=red, **kw)
    except ParseError as exc:
        refused(t("doctor.loss"), exc)
        return None


ui.subheader(t("doctor.inputs"))
got = inputs()
ui.subheader(t("doctor.the_loss"))
call = the_call()
for key in dr.unused_params(st.session_state.get("dr_src"), st.session_state.get("dr_how"),
                            st.session_state.get("dr_loss")):
    ui.link_text(key, None)  # controls this run does not show stay out of the link
if got is not None and call is not None:
    st.session_state[LAST] = dr.Case(got[0], got[1], call, got[2], got[3])
elif st.session_state.get(LAST) is not None:
    st.warning(t("doctor.last_good"), icon="↩️")
case = st.session_state.get(LAST)
if case is not None:
    e = explain(case.call, case.x, case.t)
    ui.subheader(t("doctor.result"))
    st.caption(t("doctor.shapes", x=str(e.input_shape), xd=e.input_dtype, y=str(e.target_shape), yd=e.target_dtype))
    ui.metric_row([(t("doctor.torch_value", version=e.torch_version),
                    t("doctor.raises") if e.error else dr.value_text(e.value)),
                   (t("doctor.lossviz_value"), dr.value_text(e.lossviz_value))])
    st.caption(t(dr.lossviz_key(e), note=e.lossviz_note, dtype=e.input_dtype))
    if e.error:
        ui.raw_message(e.error)
        if (note := dr.size_note(e)) is not None:
            st.error(t("doctor.size_mismatch", **note), icon="📏")
    g = dr.grad_params(e)
    st.markdown(t("doctor.grad", **g) + (" " + t("doctor.grad_nan", nan=g["nan"]) if g["nan"] else "") if g
                else t("doctor.no_grad"))
    if e.grad_error:
        ui.raw_message(e.grad_error)
    if e.rows:
        ui.subheader(t("doctor.elements", shown=len(e.rows), total=e.elements.size))
        rows = dr.rows(e)
        heads = [t(f"doctor.col_{c}") for c in ("index", "input", "target", "prob", "loss")]
        ui.table({h: [t("doctor.ignored") if r[i] is None else r[i] for r in rows] for i, h in enumerate(heads)})
    if (r := e.reduction) is not None:
        st.markdown(t(dr.reduction_key(e)))
        if r.numerator is not None:
            ui.metric_row([(t("doctor.numerator"), fmt.cell(r.numerator, 8)),
                           (t("doctor.denominator"), fmt.cell(r.denominator, 8)),
                           (t("doctor.counted"), str(r.counted)), (t("doctor.ignored_n"), str(r.ignored))])
    ui.subheader(t("doctor.findings"))
    if not e.findings:
        st.success(t("doctor.no_findings"), icon="✅")
    for f in e.findings:
        st.warning(t(f"doctor.f_{f.key}", **f.params), icon="🩺")
        fixed = "" if f.fixed_value is None else " " + t("doctor.fixed_value", value=fmt.value(f.fixed_value))
        st.markdown(t("doctor.fix", fix=t(f"doctor.fix_{f.fix_key}", **f.params)) + fixed)
        file, page_id = dr.lesson_file(f.lesson)
        st.page_link(file, label=t("doctor.lesson", lesson=t(f"{page_id}.nav")), icon="📘")
    code, runs = dr.snippet(case)
    ui.code_panel(code, run=runs)
ui.page_links("doctor")
