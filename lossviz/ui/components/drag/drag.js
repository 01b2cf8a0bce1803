// LossViz "drag to learn": drag a logit or a label and watch σ(x) / softmax, the loss and the
// gradient follow every animation frame, computed here in the browser; the value goes to
// Python on release (setTriggerValue("commit", ...)). Three views, chosen by data.mode:
//   "curve"  sigmoid + BCE-with-logits curves, a logit handle and a label handle
//   "bars"   softmax / cross-entropy: one draggable logit bar per class, click = true class
//   "cells"  a tensor of logits: drag a cell sideways to change its logit
// Each view is one object with the same methods (see CurveView); the controller owns the pointer
// gestures, the keyboard (one handler) and the commits.
// Trusted code: every value (numbers, labels) arrives through `data` and is written with
// textContent / setAttribute only, never as markup.

// ------------------------------------------------------------------ math --
// Float64 forms of lossviz.core.functional (itself float64 by default), stable for any finite x.

function sigmoid(x) {
  return 1 / (1 + Math.exp(-x)); // exp(1000) = Infinity gives 1/Infinity = 0, never NaN
}

// = max(x, 0) − x·y + log1p(exp(−|x|)), evaluated in torch's (and lossviz's) order:
// (1 − y)·x − log σ(x) with −log σ(x) = logaddexp(0, −x) = max(−x, 0) + log1p(exp(−|x|)).
// The order matters at the last digit: x = −100, y = 0 gives torch's 0, not 3.7e-44.
function bceWithLogits(x, y) {
  const softplusNeg = Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))); // no exp overflow
  return (1 - y) * x + softplusNeg;
}

function bceGrad(x, y) {
  return sigmoid(x) - y;
}

function logSoftmax(xs) {
  const m = Math.max(...xs); // the max shift keeps every exp ≤ 1
  let s = 0;
  for (const v of xs) s += Math.exp(v - m);
  const lse = Math.log(s);
  return xs.map((v) => v - m - lse);
}

function softmax(xs) {
  const m = Math.max(...xs);
  const e = xs.map((v) => Math.exp(v - m));
  let s = 0;
  for (const v of e) s += v;
  return e.map((v) => v / s);
}

function crossEntropy(xs, t) {
  return 0 - logSoftmax(xs)[t]; // −log p_t from log-softmax (finite when p_t underflows); 0 − 0 = +0 as torch
}

function ceGrad(xs, t) {
  return softmax(xs).map((p, i) => p - (i === t ? 1 : 0));
}

// The same text as lossviz.text.fmt.cell: Python's f"{v:.6g}", with nan / inf / -0 spelled out.
function fmtCell(v, digits = 6) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const [mant, expText] = v.toExponential(digits - 1).split("e");
  const exp = parseInt(expText, 10);
  const trim = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= digits) {
    const a = Math.abs(exp);
    return `${trim(mant)}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" + a : a}`;
  }
  return trim(v.toFixed(Math.max(digits - 1 - exp, 0)));
}

// Exposed on the root (root.lvMath) for the browser tests, which compare it with lossviz's numbers.
const MATH = { sigmoid, bceWithLogits, bceGrad, softmax, logSoftmax, crossEntropy, ceGrad, fmtCell };

// --------------------------------------------------------------- palette --
// Every colour of the component, in this one place. The first four are Okabe & Ito's, named as in
// lossviz.plots.base.PALETTE; `ink` draws the tangent, `rim` the outline of knobs and dots.
// data.palette ({name: colour}) overrides any of them. The SVG gets them as attributes, drag.css
// reads them as --lv-<name> (set on the root).
const PALETTE = { blue: "#0072B2", vermillion: "#D55E00", green: "#009E73", sky: "#56B4E9", ink: "#444", rim: "#fff" };

// --------------------------------------------------------------- helpers --

const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, parent = null, ns = SVG) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

function decimals(step) {
  const text = String(step);
  if (text.includes("e-")) return parseInt(text.split("e-")[1], 10);
  return text.includes(".") ? text.split(".")[1].length : 0;
}

function snap(v, step, lo, hi) {
  const r = Number((Math.round(v / step) * step).toFixed(decimals(step)));
  return Math.min(hi, Math.max(lo, r));
}

function niceTicks(lo, hi, count = 6) {
  const span = hi - lo;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || mag * 10;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function fill(template, values) {
  return String(template || "").replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

// A handle: the focusable ARIA slider (`el`, its value read and written on the state), its range
// and step. Every view gives the controller a list of these.
function handle(el, get, set, lo, hi, step, extra = {}) {
  return { el, get, set, lo, hi, step, ...extra };
}

// The attributes of a keyboard-operable slider (its value and value text are set on every draw).
function sliderAttrs(testid, label, lo, hi, orientation) {
  return { tabindex: 0, role: "slider", "data-testid": testid, "aria-label": label,
    "aria-valuemin": lo, "aria-valuemax": hi, "aria-orientation": orientation };
}

function setValue(node, value, text) {
  node.setAttribute("aria-valuenow", String(value));
  node.setAttribute("aria-valuetext", text);
}

// Keyboard: ±step, Shift = 10 steps, PageUp/PageDown = 10 steps, Home/End = the range ends.
function keyDelta(event, step, lo, hi, value) {
  const big = event.shiftKey ? 10 : 1;
  switch (event.key) {
    case "ArrowRight":
    case "ArrowUp":
      return value + step * big;
    case "ArrowLeft":
    case "ArrowDown":
      return value - step * big;
    case "PageUp":
      return value + step * 10;
    case "PageDown":
      return value - step * 10;
    case "Home":
      return lo;
    case "End":
      return hi;
    default:
      return null;
  }
}

// Pointer position → SVG user units (the SVG scales with the stage's width).
function svgPoint(svg, W, H, pos) {
  const r = svg.getBoundingClientRect();
  return { x: ((pos.x - r.left) * W) / (r.width || W), y: ((pos.y - r.top) * H) / (r.height || H) };
}

// ----------------------------------------------------------------- views --
// Every view has the same methods:
//   state(data)          the values it shows, fresh from Python's data
//   payload(state)       what a commit sends to Python
//   shape(state)         what, besides data, decides the DOM structure (a change rebuilds it)
//   layout(width)        build the DOM into ctl.stage / ctl.readout; set this.handles
//   draw(state)          write the state into the DOM (every animation frame while dragging)
//   pick(target)         the handle a pointer-down on `target` grabs (null: none)
//   valueAt(grip, pos)   the grabbed handle's value at pointer position `pos` (undefined: unchanged);
//                        grip = { handle, value, x0, y0, moved }: the handle and its value and the
//                        pointer where it was pressed, and whether it has moved more than 3 px
//   activate(h, state)   optional: a click without a move, or Enter / Space, on handle h

class View {
  constructor(ctl) {
    this.ctl = ctl; // the controller: data, state, palette, stage, readout
    this.handles = [];
  }

  pick(target) {
    return this.handles.find((h) => h.el.contains(target)) || null;
  }
}

class CurveView extends View {

  state(d) {
    return { x: d.x, y: d.y === null || d.y === undefined ? null : d.y };
  }

  payload(s) {
    return s.y === null ? { x: s.x } : { x: s.x, y: s.y };
  }

  shape(s) {
    return s.y === null;
  }

  layout(width) {
    const { data: d, palette: C } = this.ctl;
    const L = d.labels || {};
    const W = Math.max(width, 260);
    const twoBranch = this.ctl.state.y === null;
    const ML = 44;
    const MR = twoBranch ? 14 : 56;
    const A = { top: 24, h: 150 };
    const B = { top: A.top + A.h + 52, h: 150 };
    const H = B.top + B.h + 26;
    const lo = d.lo;
    const hi = d.hi;
    const px = (x) => ML + ((x - lo) / (hi - lo)) * (W - ML - MR);
    const lmax = Math.max(bceWithLogits(lo, 1), bceWithLogits(hi, 0), 1) * 1.08;
    const pyA = (s) => A.top + (1 - s) * A.h;
    const pyB = (l) => B.top + (1 - l / lmax) * B.h;
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": L.chart || "" }, this.ctl.stage);
    const clip = el("clipPath", { id: "lv-clip-b" }, el("defs", {}, svg));
    el("rect", { x: ML, y: B.top - 4, width: W - ML - MR, height: B.h + 8 }, clip);

    // Axes, ticks and titles.
    el("text", { x: ML, y: A.top - 8, class: "lv-title" }, svg).textContent = L.sigmoid_title || "σ(x)";
    el("text", { x: ML, y: B.top - 8, class: "lv-title" }, svg).textContent = L.loss_title || "loss";
    for (const tx of niceTicks(lo, hi, Math.max(3, Math.floor((W - ML - MR) / 70)))) {
      el("line", { x1: px(tx), x2: px(tx), y1: A.top, y2: A.top + A.h, class: "lv-grid" }, svg);
      el("line", { x1: px(tx), x2: px(tx), y1: B.top, y2: B.top + B.h, class: "lv-grid" }, svg);
      el("text", { x: px(tx), y: B.top + B.h + 16, class: "lv-axis-text", "text-anchor": "middle" }, svg).textContent = fmtCell(tx);
    }
    for (const s of [0, 0.5, 1]) {
      el("line", { x1: ML, x2: W - MR, y1: pyA(s), y2: pyA(s), class: "lv-grid" }, svg);
      el("text", { x: ML - 6, y: pyA(s) + 4, class: "lv-axis-text", "text-anchor": "end" }, svg).textContent = String(s);
    }
    for (const l of niceTicks(0, lmax, 3)) {
      el("line", { x1: ML, x2: W - MR, y1: pyB(l), y2: pyB(l), class: "lv-grid" }, svg);
      el("text", { x: ML - 6, y: pyB(l) + 4, class: "lv-axis-text", "text-anchor": "end" }, svg).textContent = fmtCell(l);
    }

    // Curves.
    const n = Math.min(240, Math.max(60, Math.floor((W - ML - MR) / 3)));
    const xs = Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
    const path = (f, py) => xs.map((x, i) => `${i ? "L" : "M"}${px(x).toFixed(1)},${py(f(x)).toFixed(1)}`).join("");
    el("path", { d: path(sigmoid, pyA), class: "lv-curve", stroke: C.blue }, svg);
    const gB = el("g", { "clip-path": "url(#lv-clip-b)" }, svg);
    const branch = twoBranch ? "lv-curve" : "lv-faint";
    el("path", { d: path((x) => bceWithLogits(x, 1), pyB), class: branch, stroke: C.blue }, gB);
    el("path", { d: path((x) => bceWithLogits(x, 0), pyB), class: branch, stroke: C.vermillion }, gB);
    const soft = twoBranch ? null : el("path", { class: "lv-curve", stroke: C.green }, gB);
    const tangents = (twoBranch ? [1, 0] : [null]).map(() => el("line", { class: "lv-tangent" }, gB));
    const lossDots = (twoBranch ? [1, 0] : [null]).map((_, i) =>
      el("circle", { r: 6, fill: twoBranch ? (i === 1 ? C.vermillion : C.blue) : C.green, stroke: C.rim, "stroke-width": 2 }, gB),
    );
    if (twoBranch) {
      el("text", { x: W - MR - 4, y: pyB(bceWithLogits(hi, 0)) + 16, class: "lv-axis-text", "text-anchor": "end", fill: C.vermillion }, svg).textContent = L.branch_y0 || "y = 0";
      el("text", { x: ML + 6, y: pyB(bceWithLogits(lo, 1)) + 16, class: "lv-axis-text", fill: C.blue }, svg).textContent = L.branch_y1 || "y = 1";
    }

    // Label line and the gap σ(x) − y (the gradient), then the drag area and the handles on top.
    const targetLine = twoBranch ? null : el("line", { x1: ML, x2: W - MR / 2, class: "lv-target-line" }, svg);
    const gap = twoBranch ? null : el("line", { class: "lv-gap" }, svg);
    // The whole plot of each panel moves x.
    const hit = el("rect", { x: ML - 8, y: A.top - 6, width: W - ML - MR + 16, height: B.top + B.h - A.top + 12, class: "lv-hit" }, svg);
    const xG = el("g", { class: "lv-handle", ...sliderAttrs("lv-handle-x", L.logit || "x", lo, hi, "horizontal") }, svg);
    const xDots = [
      el("circle", { r: 13, class: "lv-ring" }, xG),
      el("circle", { r: 9, class: "lv-knob", fill: C.blue }, xG),
      el("circle", { r: 22, fill: "transparent" }, xG),
    ];
    const xHandle = handle(xG, (s) => s.x, (s, v) => { s.x = v; }, lo, hi, d.step_x || 0.1);
    let yHandle = null;
    let yDots = null;
    if (!twoBranch) {
      const tx = W - MR / 2;
      el("line", { x1: tx, x2: tx, y1: pyA(0), y2: pyA(1), class: "lv-track" }, svg);
      el("text", { x: tx, y: A.top + A.h + 18, class: "lv-axis-text", "text-anchor": "middle" }, svg).textContent = L.label_short || "y";
      const yG = el("g", { class: "lv-handle", ...sliderAttrs("lv-handle-y", L.label || "y", 0, 1, "vertical") }, svg);
      yDots = [el("circle", { cx: tx, r: 13, class: "lv-ring" }, yG), el("circle", { cx: tx, r: 9, class: "lv-knob", fill: C.green }, yG)];
      el("rect", { x: tx - 20, y: A.top - 10, width: 40, height: A.h + 20, fill: "transparent" }, yG);
      yHandle = handle(yG, (s) => s.y, (s, v) => { s.y = v; }, 0, 1, d.step_y || 0.05);
    }

    // Readouts (data-testid for tests and for anyone reading the DOM).
    const item = (testid, label) => this.ctl.readoutItem(testid, label);
    const R = { x: item("lv-readout-x", L.logit_short || "x") };
    if (!twoBranch) R.y = item("lv-readout-y", L.label_short || "y");
    R.sigma = item("lv-readout-sigma", "σ(x)");
    if (twoBranch) {
      R.loss1 = item("lv-readout-loss1", L.loss_y1 || "loss (y=1)");
      R.loss0 = item("lv-readout-loss0", L.loss_y0 || "loss (y=0)");
      R.grad1 = item("lv-readout-grad1", L.grad_y1 || "grad (y=1)");
      R.grad0 = item("lv-readout-grad0", L.grad_y0 || "grad (y=0)");
    } else {
      R.loss = item("lv-readout-loss", L.loss || "loss");
      R.grad = item("lv-readout-grad", L.grad || "σ(x) − y");
    }

    Object.assign(this, { svg, W, H, A, ML, MR, lo, hi, px, pyA, pyB, xs, twoBranch, soft, tangents, lossDots,
      targetLine, gap, hit, xDots, yDots, xHandle, yHandle, R, drawnY: undefined });
    this.handles = yHandle ? [xHandle, yHandle] : [xHandle];
  }

  pick(target) {
    return target === this.hit ? this.xHandle : super.pick(target); // the plot area moves x too
  }

  valueAt(grip, pos) {
    const p = svgPoint(this.svg, this.W, this.H, pos);
    if (grip.handle === this.xHandle) {
      return snap(this.lo + ((p.x - this.ML) / (this.W - this.ML - this.MR)) * (this.hi - this.lo), grip.handle.step, this.lo, this.hi);
    }
    const raw = Math.min(1, Math.max(0, 1 - (p.y - this.A.top) / this.A.h));
    if (raw < 0.04) return 0; // snap to the hard labels
    if (raw > 0.96) return 1;
    return snap(raw, grip.handle.step, 0, 1);
  }

  draw(s) {
    const L = this.ctl.data.labels || {};
    const R = this.R;
    const x = s.x;
    const sig = sigmoid(x);
    const cx = this.px(x);
    const cy = this.pyA(sig);
    for (const node of this.xDots) {
      node.setAttribute("cx", cx.toFixed(1));
      node.setAttribute("cy", cy.toFixed(1));
    }
    const half = (this.hi - this.lo) / 10;
    const ys = this.twoBranch ? [1, 0] : [s.y];
    ys.forEach((y, i) => {
      const l = bceWithLogits(x, y);
      const g = bceGrad(x, y);
      this.lossDots[i].setAttribute("cx", cx.toFixed(1));
      this.lossDots[i].setAttribute("cy", this.pyB(l).toFixed(1));
      const t = this.tangents[i];
      t.setAttribute("x1", this.px(x - half).toFixed(1));
      t.setAttribute("x2", this.px(x + half).toFixed(1));
      t.setAttribute("y1", this.pyB(l - g * half).toFixed(1));
      t.setAttribute("y2", this.pyB(l + g * half).toFixed(1));
    });
    R.x.textContent = fmtCell(x);
    R.sigma.textContent = fmtCell(sig);
    const valueText = [`${L.logit_short || "x"} = ${fmtCell(x)}`, `σ(x) = ${fmtCell(sig)}`];
    if (this.twoBranch) {
      R.loss1.textContent = fmtCell(bceWithLogits(x, 1));
      R.loss0.textContent = fmtCell(bceWithLogits(x, 0));
      R.grad1.textContent = fmtCell(bceGrad(x, 1));
      R.grad0.textContent = fmtCell(bceGrad(x, 0));
    } else {
      const y = s.y;
      if (this.drawnY !== y) {
        this.soft.setAttribute("d", this.xs.map((v, i) => `${i ? "L" : "M"}${this.px(v).toFixed(1)},${this.pyB(bceWithLogits(v, y)).toFixed(1)}`).join(""));
        this.drawnY = y;
      }
      const loss = bceWithLogits(x, y);
      R.y.textContent = fmtCell(y);
      R.loss.textContent = fmtCell(loss);
      R.grad.textContent = fmtCell(bceGrad(x, y));
      const ty = this.pyA(y);
      this.targetLine.setAttribute("y1", ty.toFixed(1));
      this.targetLine.setAttribute("y2", ty.toFixed(1));
      this.gap.setAttribute("x1", cx.toFixed(1));
      this.gap.setAttribute("x2", cx.toFixed(1));
      this.gap.setAttribute("y1", cy.toFixed(1));
      this.gap.setAttribute("y2", ty.toFixed(1));
      for (const node of this.yDots) node.setAttribute("cy", ty.toFixed(1));
      setValue(this.yHandle.el, y, `${L.label_short || "y"} = ${fmtCell(y)}, ${L.loss || "loss"} = ${fmtCell(loss)}`);
      valueText.push(`${L.loss || "loss"} = ${fmtCell(loss)}`);
    }
    setValue(this.xHandle.el, x, valueText.join(", "));
  }
}

class BarsView extends View {

  state(d) {
    return { logits: d.logits.slice(), target: d.target };
  }

  payload(s) {
    return { logits: s.logits, target: s.target };
  }

  shape(s) {
    return s.logits.length;
  }

  layout(width) {
    const { data: d, palette: C, state: s } = this.ctl;
    const L = d.labels || {};
    const nClasses = s.logits.length;
    const W = Math.max(width, 260);
    const ML = 44;
    const MR = 10;
    const A = { top: 24, h: 170 };
    const B = { top: A.top + A.h + 58, h: 110 };
    const H = B.top + B.h + 40;
    const lo = d.lo;
    const hi = d.hi;
    const step = d.step || 0.1;
    const slot = (W - ML - MR) / nClasses;
    const bw = Math.min(slot * 0.62, 90);
    const cxOf = (c) => ML + slot * (c + 0.5);
    const pyA = (v) => A.top + ((hi - v) / (hi - lo)) * A.h;
    const pyB = (p) => B.top + (1 - p) * B.h;
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": L.chart || "" }, this.ctl.stage);
    el("text", { x: ML, y: A.top - 8, class: "lv-title" }, svg).textContent = L.logits_title || "logits";
    el("text", { x: ML, y: B.top - 8, class: "lv-title" }, svg).textContent = L.probs_title || "softmax";
    for (const v of niceTicks(lo, hi, 4)) {
      el("line", { x1: ML, x2: W - MR, y1: pyA(v), y2: pyA(v), class: "lv-grid", "stroke-width": v === 0 ? 2 : 1 }, svg);
      el("text", { x: ML - 6, y: pyA(v) + 4, class: "lv-axis-text", "text-anchor": "end" }, svg).textContent = fmtCell(v);
    }
    for (const p of [0, 0.5, 1]) {
      el("line", { x1: ML, x2: W - MR, y1: pyB(p), y2: pyB(p), class: "lv-grid" }, svg);
      el("text", { x: ML - 6, y: pyB(p) + 4, class: "lv-axis-text", "text-anchor": "end" }, svg).textContent = String(p);
    }
    this.names = d.classes || s.logits.map((_, i) => String(i));
    this.bars = s.logits.map((_, c) => {
      // One slider per class: its logit is the value; whether it is the true class is said in its value text.
      const g = el("g", { class: "lv-handle", ...sliderAttrs(`lv-bar-${c}`, (L.class_aria && L.class_aria[c]) || `class ${c}`, lo, hi, "vertical") }, svg);
      el("rect", { x: cxOf(c) - slot / 2, y: A.top - 10, width: slot, height: B.top + B.h - A.top + 10, fill: "transparent", style: "cursor: ns-resize" }, g);
      const ring = el("rect", { x: cxOf(c) - bw / 2 - 4, width: bw + 8, rx: 4, class: "lv-ring" }, g);
      const logit = el("rect", { x: cxOf(c) - bw / 2, width: bw, rx: 2, class: "lv-bar-logit" }, g);
      const knob = el("rect", { x: cxOf(c) - bw / 2 - 3, width: bw + 6, height: 8, rx: 4, class: "lv-knob", fill: C.blue }, g);
      const vText = el("text", { x: cxOf(c), class: "lv-bar-label", "text-anchor": "middle" }, g);
      const prob = el("rect", { x: cxOf(c) - bw / 2, width: bw, class: "lv-bar-prob" }, g);
      const pText = el("text", { x: cxOf(c), class: "lv-bar-label", "text-anchor": "middle" }, g);
      const nameText = el("text", { x: cxOf(c), y: B.top + B.h + 16, class: "lv-bar-label", "text-anchor": "middle", "font-weight": 600 }, g);
      const gText = el("text", { x: cxOf(c), y: B.top + B.h + 32, class: "lv-axis-text", "text-anchor": "middle" }, g);
      const h = handle(g, (st) => st.logits[c], (st, v) => { st.logits[c] = v; }, lo, hi, step, { index: c });
      return { h, ring, logit, knob, vText, prob, pText, nameText, gText };
    });
    this.handles = this.bars.map((b) => b.h);
    this.R = {
      loss: this.ctl.readoutItem("lv-readout-loss", L.ce_loss || "−log p[target]"),
      ptrue: this.ctl.readoutItem("lv-readout-ptrue", L.p_true || "p[target]"),
      grad: this.ctl.readoutItem("lv-readout-grad", L.ce_grad || "softmax − onehot"),
    };
    Object.assign(this, { svg, H, A, lo, hi, pyA, pyB });
  }

  // Vertical: the logit follows the pointer from where it was pressed; a press alone changes nothing.
  valueAt(grip, pos) {
    if (!grip.moved) return undefined;
    const k = this.H / (this.svg.getBoundingClientRect().height || this.H);
    return snap(grip.value - (pos.y - grip.y0) * k * ((this.hi - this.lo) / this.A.h), grip.handle.step, this.lo, this.hi);
  }

  activate(h, s) {
    s.target = h.index;
  }

  draw(s) {
    const { palette: C, data } = this.ctl;
    const L = data.labels || {};
    const p = softmax(s.logits);
    const g = ceGrad(s.logits, s.target);
    const zero = this.pyA(Math.min(Math.max(0, data.lo), data.hi));
    this.bars.forEach((b, c) => {
      const v = s.logits[c];
      const top = this.pyA(v);
      const y1 = Math.min(top, zero);
      const h = Math.max(Math.abs(zero - top), 1);
      const isTrue = c === s.target;
      b.logit.setAttribute("y", y1.toFixed(1));
      b.logit.setAttribute("height", h.toFixed(1));
      b.logit.setAttribute("class", isTrue ? "lv-bar-logit lv-true" : "lv-bar-logit");
      b.ring.setAttribute("y", (y1 - 4).toFixed(1));
      b.ring.setAttribute("height", (h + 8).toFixed(1));
      b.knob.setAttribute("y", (top - 4).toFixed(1));
      b.knob.setAttribute("fill", isTrue ? C.green : C.blue);
      b.vText.setAttribute("y", (v >= 0 ? top - 8 : top + 18).toFixed(1));
      b.vText.textContent = fmtCell(v);
      const py = this.pyB(p[c]);
      b.prob.setAttribute("y", py.toFixed(1));
      b.prob.setAttribute("height", Math.max(this.pyB(0) - py, 0.5).toFixed(1));
      b.prob.setAttribute("class", isTrue ? "lv-bar-true" : "lv-bar-prob");
      b.pText.setAttribute("y", (py - 4).toFixed(1));
      b.pText.textContent = fmtCell(p[c], 4);
      b.nameText.textContent = (isTrue ? "✓ " : "") + this.names[c];
      b.gText.textContent = `∂ ${fmtCell(g[c], 4)}`;
      setValue(b.h.el, v, `${fmtCell(v)}; p = ${fmtCell(p[c])}${isTrue ? "; " + (L.is_target || "target") : ""}`);
    });
    this.R.loss.textContent = fmtCell(crossEntropy(s.logits, s.target));
    this.R.ptrue.textContent = fmtCell(p[s.target]);
    this.R.grad.textContent = "[" + g.map((v) => fmtCell(v)).join(", ") + "]";
  }
}

class CellsView extends View {

  state(d) {
    return { logits: d.logits.map((row) => row.slice()) };
  }

  payload(s) {
    return { logits: s.logits };
  }

  shape(s) {
    return [s.logits.length, (s.logits[0] || []).length];
  }

  layout() {
    const { data: d, state: s } = this.ctl;
    const L = d.labels || {};
    const rows = s.logits.length;
    const cols = rows ? s.logits[0].length : 0;
    const lo = d.lo;
    const hi = d.hi;
    const step = d.step || 0.1;
    const grid = el("div", { class: "lv-cells", role: "group", "aria-label": L.chart || "" }, this.ctl.stage, null);
    grid.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
    this.cells = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const cell = el("div", { class: "lv-cell", ...sliderAttrs(`lv-cell-${r}-${c}`, fill(L.cell_aria, { r, c }), lo, hi, "horizontal") }, grid, null);
        this.cells.push({
          r,
          c,
          h: handle(cell, (st) => st.logits[r][c], (st, v) => { st.logits[r][c] = v; }, lo, hi, step),
          x: el("div", { class: "lv-cell-x" }, cell, null),
          y: el("div", {}, cell, null),
          l: el("div", {}, cell, null),
          g: el("div", {}, cell, null),
          bar: el("div", { class: "lv-cell-bar" }, cell, null),
        });
      }
    }
    this.handles = this.cells.map((p) => p.h);
    this.R = {
      mean: this.ctl.readoutItem("lv-readout-mean", L.mean || "mean"),
      sum: this.ctl.readoutItem("lv-readout-sum", L.sum || "sum"),
    };
    this.lmax = Math.max(bceWithLogits(lo, 1), bceWithLogits(hi, 0), 1);
  }

  // Horizontal: 24 px per unit of logit, from where it was pressed.
  valueAt(grip, pos) {
    const h = grip.handle;
    return snap(grip.value + (pos.x - grip.x0) / 24, h.step, h.lo, h.hi);
  }

  draw(s) {
    const { data } = this.ctl;
    const L = data.labels || {};
    let total = 0;
    let n = 0;
    for (const p of this.cells) {
      const x = s.logits[p.r][p.c];
      const y = data.targets[p.r][p.c] ?? NaN;
      const l = bceWithLogits(x, y);
      total += l;
      n += 1;
      p.x.textContent = `${L.x_short || "x"} ${fmtCell(x)}`;
      p.y.textContent = `${L.y_short || "y"} ${fmtCell(y)}`;
      p.l.textContent = `${L.l_short || "ℓ"} ${fmtCell(l, 4)}`;
      p.g.textContent = `∂ ${fmtCell(bceGrad(x, y), 4)}`;
      p.bar.style.width = `${Math.min(100, (100 * l) / this.lmax).toFixed(1)}%`;
      setValue(p.h.el, x, `${fmtCell(x)}; ${L.loss || "loss"} = ${fmtCell(l)}`);
    }
    const digits = data.digits || 6;
    this.R.mean.textContent = fmtCell(n ? total / n : NaN, digits);
    this.R.sum.textContent = fmtCell(total, digits);
  }
}

const VIEWS = { curve: CurveView, bars: BarsView, cells: CellsView };

// ------------------------------------------------------------ controller --

class DragController {
  constructor(root) {
    this.root = root;
    this.stage = root.querySelector(".lv-stage");
    this.readout = root.querySelector(".lv-readout");
    this.hint = root.querySelector(".lv-hint");
    this.data = null;
    this.view = null;
    this.built = false;
    this.state = null; // the values shown now (may run ahead of data while dragging)
    this.drag = null; // the active pointer gesture: { handle, id, x0, y0, value, moved }
    this.pending = null; // the latest pointer position, applied on the next frame
    this.raf = 0;
    this.keyTimer = 0;
    this.dirty = false; // a local change not yet sent to Python
    this.width = 0;
    this.perf = { draws: [], frames: [], lags: [], reset() { this.draws = []; this.frames = []; this.lags = []; } };
    root.lvPerf = this.perf;
    // The width comes from here (layout is fresh inside a ResizeObserver callback), not from
    // reading clientWidth on every update: that read in the middle of a rerun's commit forced the
    // browser to lay out the whole page once more before the charts drew.
    this.resize = new ResizeObserver(() => {
      const w = Math.round(this.root.clientWidth);
      if (!w || w === this.width || !this.data) return;
      this.width = w;
      if (this.drag) this.needsRefresh = true;
      else this.refresh();
    });
    this.resize.observe(root);
    // One listener of each kind for every handle of every view, on the stage.
    this.stage.addEventListener("pointerdown", (event) => this.onPointerDown(event));
    this.stage.addEventListener("pointermove", (event) => this.onPointerMove(event));
    this.stage.addEventListener("pointerup", (event) => this.onPointerEnd(event));
    this.stage.addEventListener("pointercancel", (event) => this.onPointerEnd(event));
    this.stage.addEventListener("keydown", (event) => this.onKey(event));
  }

  update(data, setTriggerValue) {
    this.send = setTriggerValue;
    const mode = VIEWS[data.mode] ? data.mode : "curve";
    if (!this.view || this.mode !== mode) {
      this.mode = mode;
      this.view = new VIEWS[mode](this);
      this.state = null;
      this.builtKey = undefined;
    }
    this.data = data;
    this.palette = { ...PALETTE, ...(data.palette || {}) };
    for (const [name, colour] of Object.entries(this.palette)) this.root.style.setProperty(`--lv-${name}`, colour);
    if (!this.state || (!this.drag && !this.dirty)) this.state = this.view.state(data);
    this.root.dataset.mode = data.mode || "curve";
    this.hint.textContent = (data.labels && data.labels.hint) || "";
    if (this.drag) this.needsRefresh = true; // never rebuild under a captured pointer
    else this.refresh();
  }

  // Rebuild the DOM only when its structure changes, so focus and pointer capture survive reruns.
  refresh() {
    this.needsRefresh = false;
    if (!this.width) this.width = Math.round(this.root.clientWidth) || 600; // the first draw only
    const d = this.data;
    const key = JSON.stringify([d.mode, this.width, d.lo, d.hi, d.step, d.step_x, d.step_y, d.labels, d.classes,
      this.palette, this.view.shape(this.state)]);
    if (key !== this.builtKey) {
      this.stage.replaceChildren();
      this.readout.replaceChildren();
      this.view.layout(this.width);
      this.built = true;
      this.builtKey = key;
    }
    this.draw();
  }

  draw() {
    if (this.built) this.view.draw(this.state);
  }

  readoutItem(testid, label) {
    const span = el("span", { "data-testid": testid }, this.readout, null);
    el("span", {}, span, null).textContent = label + " = ";
    return el("b", {}, span, null);
  }

  destroy() {
    this.resize.disconnect();
    if (this.raf) cancelAnimationFrame(this.raf);
    clearTimeout(this.keyTimer);
  }

  // -------------------------------------------------------------- commits --

  commit() {
    this.dirty = false;
    const payload = this.view.payload(this.state);
    // Nothing new: the value equals what Python sent and what we sent last (a click without a move).
    const same = JSON.stringify(payload);
    if (!this.changedSinceData() && (this.lastSent === undefined || JSON.stringify(this.lastSent) === same)) return;
    this.lastSent = payload;
    if (this.send) this.send("commit", payload);
  }

  changedSinceData() {
    return JSON.stringify(this.view.state(this.data)) !== JSON.stringify(this.state);
  }

  commitSoon() {
    this.dirty = true;
    clearTimeout(this.keyTimer);
    this.keyTimer = setTimeout(() => this.commit(), 250);
  }

  // ------------------------------------------------------------- keyboard --

  // The one keyboard handler: arrows / PageUp / PageDown / Home / End step the focused handle,
  // Enter / Space activate it (bars: make it the true class). Handled keys stop here, so the
  // presenter's ← → never turn the page from a focused handle.
  onKey(event) {
    const h = this.built ? this.view.handles.find((x) => x.el === event.target) : null;
    if (!h) return;
    if (event.key === "Enter" || event.key === " ") {
      if (!this.view.activate) return;
      this.view.activate(h, this.state);
    } else {
      const v = keyDelta(event, h.step, h.lo, h.hi, h.get(this.state));
      if (v === null) return;
      h.set(this.state, snap(v, h.step, h.lo, h.hi));
    }
    event.preventDefault();
    event.stopPropagation();
    this.draw();
    this.commitSoon();
  }

  // -------------------------------------------------------------- pointer --

  onPointerDown(event) {
    if (!this.built || (event.button !== undefined && event.button > 0)) return;
    const h = this.view.pick(event.target);
    if (!h) return;
    event.preventDefault();
    // Capture on what was pressed (the handle, or the curve's drag area): it keeps its cursor.
    const area = h.el.contains(event.target) ? h.el : event.target;
    if (area.setPointerCapture) {
      try {
        area.setPointerCapture(event.pointerId);
      } catch (err) {
        // a synthetic pointer id cannot be captured; the drag still works
      }
    }
    this.drag = { handle: h, id: event.pointerId, x0: event.clientX, y0: event.clientY, value: h.get(this.state), moved: false };
    this.dirty = true;
    h.el.focus({ preventScroll: true });
    this.pending = { x: event.clientX, y: event.clientY };
    this.schedule(performance.now());
  }

  onPointerMove(event) {
    if (!this.drag || event.pointerId !== this.drag.id) return;
    event.preventDefault();
    this.pending = { x: event.clientX, y: event.clientY };
    this.schedule(event.timeStamp);
  }

  onPointerEnd(event) {
    if (!this.drag || event.pointerId !== this.drag.id) return;
    if (this.pending) {
      this.applyPointer(this.pending);
      this.pending = null;
    }
    const drag = this.drag;
    this.drag = null;
    if (!drag.moved && this.view.activate) this.view.activate(drag.handle, this.state); // a click
    if (this.needsRefresh) this.refresh();
    else this.draw();
    this.commit();
  }

  applyPointer(pos) {
    const d = this.drag;
    if (!d) return;
    if (Math.abs(pos.x - d.x0) > 3 || Math.abs(pos.y - d.y0) > 3) d.moved = true;
    const v = this.view.valueAt(d, pos);
    if (v !== undefined) d.handle.set(this.state, v);
  }

  // One redraw per animation frame, however many pointer events arrive in between.
  schedule(eventTime) {
    if (eventTime !== undefined && this.firstEventTime === undefined) this.firstEventTime = eventTime;
    if (this.raf) return;
    this.raf = requestAnimationFrame((ts) => {
      this.raf = 0;
      const t0 = performance.now();
      if (this.pending) {
        this.applyPointer(this.pending);
        this.pending = null;
      }
      this.draw();
      const t1 = performance.now();
      const p = this.perf;
      p.draws.push(t1 - t0);
      p.frames.push(ts);
      if (this.firstEventTime !== undefined) p.lags.push(t1 - this.firstEventTime);
      this.firstEventTime = undefined;
      if (p.draws.length > 5000) p.reset();
    });
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".lv-drag");
  if (!root || !data) return undefined;
  root.lvMath = MATH;
  let ctl = root.lvCtl;
  if (!ctl) {
    ctl = new DragController(root);
    root.lvCtl = ctl;
  }
  root.hidden = Boolean(data.hidden); // kept mounted, not shown: no rebuild when it shows again
  if (!data.hidden) ctl.update(data, setTriggerValue);
  return () => {
    ctl.destroy();
    root.lvCtl = undefined;
  };
}
