// LossViz "drag to learn": drag a logit or a label and watch σ(x) / softmax, the loss and the
// gradient follow every animation frame, computed here in the browser; the value goes to
// Python on release (setTriggerValue("commit", ...)). Three modes, chosen by data.mode:
//   "curve"  sigmoid + BCE-with-logits curves, a logit handle and a label handle
//   "bars"   softmax / cross-entropy: one draggable logit bar per class, click = true class
//   "cells"  a tensor of logits: drag a cell sideways to change its logit
// Trusted code: every value (numbers, labels) arrives through `data` and is written with
// textContent / setAttribute only, never as markup.

// ------------------------------------------------------------------ math --
// Float64 forms of lossviz.functional (itself float64 by default), stable for any finite x.

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

// The same text as lossviz.fmt.cell: Python's f"{v:.6g}", with nan / inf / -0 spelled out.
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

const MATH = { sigmoid, bceWithLogits, bceGrad, softmax, logSoftmax, crossEntropy, ceGrad, fmtCell };

// --------------------------------------------------------------- helpers --

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = { blue: "#0072B2", vermillion: "#D55E00", green: "#009E73", orange: "#E69F00", grey: "#7F7F7F" };

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

// ------------------------------------------------------------ controller --

class DragController {
  constructor(root) {
    this.root = root;
    this.stage = root.querySelector(".lv-stage");
    this.readout = root.querySelector(".lv-readout");
    this.hint = root.querySelector(".lv-hint");
    this.status = root.querySelector(".lv-status");
    this.data = null;
    this.state = null; // the values shown now (may run ahead of data while dragging)
    this.drag = null; // the active pointer gesture
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
  }

  update(data, setTriggerValue) {
    this.send = setTriggerValue;
    const first = this.data === null;
    this.data = data;
    const fresh = this.fromData(data);
    if (!this.state) this.state = fresh;
    else if (first || (!this.drag && !this.dirty)) {
      // Keep the object: the handlers built earlier hold it.
      for (const k of Object.keys(this.state)) delete this.state[k];
      Object.assign(this.state, fresh);
    }
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
    const s = this.state;
    const shape = d.mode === "bars" ? s.logits.length : d.mode === "cells" ? [s.logits.length, (s.logits[0] || []).length] : s.y === null;
    const key = JSON.stringify([d.mode, this.width, d.lo, d.hi, d.step, d.step_x, d.step_y, d.labels, d.classes, shape]);
    if (key !== this.builtKey) {
      this.build();
      this.builtKey = key;
    }
    this.draw();
  }

  fromData(d) {
    if (d.mode === "bars") return { logits: d.logits.slice(), target: d.target };
    if (d.mode === "cells") return { logits: d.logits.map((row) => row.slice()) };
    return { x: d.x, y: d.y === null || d.y === undefined ? null : d.y };
  }

  destroy() {
    this.resize.disconnect();
    if (this.raf) cancelAnimationFrame(this.raf);
    clearTimeout(this.keyTimer);
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

  commit() {
    this.dirty = false;
    const d = this.data;
    const s = this.state;
    let payload;
    if (d.mode === "bars") payload = { logits: s.logits, target: s.target };
    else if (d.mode === "cells") payload = { logits: s.logits };
    else payload = s.y === null ? { x: s.x } : { x: s.x, y: s.y };
    // Nothing new: the value equals what Python sent and what we sent last (a click without a move).
    const same = JSON.stringify(payload);
    if (!this.changedSinceData() && (this.lastSent === undefined || JSON.stringify(this.lastSent) === same)) return;
    this.lastSent = payload;
    if (this.send) this.send("commit", payload);
  }

  changedSinceData() {
    return JSON.stringify(this.fromData(this.data)) !== JSON.stringify(this.state);
  }

  commitSoon() {
    this.dirty = true;
    clearTimeout(this.keyTimer);
    this.keyTimer = setTimeout(() => this.commit(), 250);
  }

  startDrag(event, info) {
    event.preventDefault();
    if (event.currentTarget.setPointerCapture) {
      try {
        event.currentTarget.setPointerCapture(event.pointerId);
      } catch (err) {
        // a synthetic pointer id cannot be captured; the drag still works
      }
    }
    this.drag = { ...info, id: event.pointerId, x0: event.clientX, y0: event.clientY, moved: false };
    this.dirty = true;
    if (info.focus) info.focus.focus({ preventScroll: true });
    this.pending = { x: event.clientX, y: event.clientY };
    this.schedule(performance.now());
  }

  bindDrag(target) {
    target.addEventListener("pointermove", (event) => {
      if (!this.drag || event.pointerId !== this.drag.id) return;
      event.preventDefault();
      this.pending = { x: event.clientX, y: event.clientY };
      this.schedule(event.timeStamp);
    });
    const end = (event) => {
      if (!this.drag || event.pointerId !== this.drag.id) return;
      if (this.pending) {
        this.applyPointer(this.pending);
        this.pending = null;
      }
      const drag = this.drag;
      this.drag = null;
      if (drag.onClick && !drag.moved) drag.onClick();
      if (this.needsRefresh) this.refresh();
      else this.draw();
      this.commit();
    };
    target.addEventListener("pointerup", end);
    target.addEventListener("pointercancel", end);
  }

  applyPointer(pos) {
    const d = this.drag;
    if (!d) return;
    if (Math.abs(pos.x - d.x0) > 3 || Math.abs(pos.y - d.y0) > 3) d.moved = true;
    d.apply(pos);
  }

  build() {
    this.stage.replaceChildren();
    this.readout.replaceChildren();
    this.parts = {};
    if (this.data.mode === "bars") this.buildBars();
    else if (this.data.mode === "cells") this.buildCells();
    else this.buildCurve();
  }

  draw() {
    if (!this.parts) return;
    if (this.data.mode === "bars") this.drawBars();
    else if (this.data.mode === "cells") this.drawCells();
    else this.drawCurve();
  }

  readoutItem(testid, label) {
    const span = el("span", { "data-testid": testid }, this.readout, null);
    el("span", {}, span, null).textContent = label + " = ";
    const value = el("b", {}, span, null);
    return value;
  }

  // ----------------------------------------------------------- curve --

  buildCurve() {
    const d = this.data;
    const L = d.labels || {};
    const W = Math.max(this.width, 260);
    const twoBranch = this.state.y === null;
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
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": L.chart || "" }, this.stage);
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
    el("text", { x: W - MR, y: B.top + B.h + 16, class: "lv-axis-text", "text-anchor": "end", dy: 12 }, svg).textContent = "";

    // Curves.
    const n = Math.min(240, Math.max(60, Math.floor((W - ML - MR) / 3)));
    const xs = Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
    const path = (f, py) => xs.map((x, i) => `${i ? "L" : "M"}${px(x).toFixed(1)},${py(f(x)).toFixed(1)}`).join("");
    el("path", { d: path(sigmoid, pyA), class: "lv-curve", stroke: COLOURS.blue }, svg);
    const gB = el("g", { "clip-path": "url(#lv-clip-b)" }, svg);
    const branches = {
      one: el("path", { d: path((x) => bceWithLogits(x, 1), pyB), class: twoBranch ? "lv-curve" : "lv-faint", stroke: COLOURS.blue }, gB),
      zero: el("path", { d: path((x) => bceWithLogits(x, 0), pyB), class: twoBranch ? "lv-curve" : "lv-faint", stroke: COLOURS.vermillion }, gB),
    };
    const soft = twoBranch ? null : el("path", { class: "lv-curve", stroke: COLOURS.green }, gB);
    const tangents = (twoBranch ? [1, 0] : [null]).map(() => el("line", { class: "lv-tangent" }, gB));
    const lossDots = (twoBranch ? [1, 0] : [null]).map((_, i) =>
      el("circle", { r: 6, fill: twoBranch ? (i === 1 ? COLOURS.vermillion : COLOURS.blue) : COLOURS.green, stroke: "#fff", "stroke-width": 2 }, gB),
    );
    if (twoBranch) {
      el("text", { x: W - MR - 4, y: pyB(bceWithLogits(hi, 0)) + 16, class: "lv-axis-text", "text-anchor": "end", fill: COLOURS.vermillion }, svg).textContent = L.branch_y0 || "y = 0";
      el("text", { x: ML + 6, y: pyB(bceWithLogits(lo, 1)) + 16, class: "lv-axis-text", fill: COLOURS.blue }, svg).textContent = L.branch_y1 || "y = 1";
    }

    // Label line and the gap σ(x) − y (the gradient), then the handles on top.
    const targetLine = twoBranch ? null : el("line", { x1: ML, x2: W - MR / 2, class: "lv-target-line" }, svg);
    const gap = twoBranch ? null : el("line", { class: "lv-gap" }, svg);

    // Drag areas: the whole plot of each panel moves x.
    const hit = el("rect", { x: ML - 8, y: A.top - 6, width: W - ML - MR + 16, height: B.top + B.h - A.top + 12, class: "lv-hit" }, svg);
    const xHandle = el("g", { class: "lv-handle", tabindex: 0, role: "slider", "data-testid": "lv-handle-x",
      "aria-label": L.logit || "x", "aria-valuemin": lo, "aria-valuemax": hi, "aria-orientation": "horizontal" }, svg);
    const xRing = el("circle", { r: 13, class: "lv-ring" }, xHandle);
    const xKnob = el("circle", { r: 9, class: "lv-knob", fill: COLOURS.blue }, xHandle);
    const xGrab = el("circle", { r: 22, fill: "transparent" }, xHandle);

    let yHandle = null;
    let yParts = null;
    if (!twoBranch) {
      const tx = W - MR / 2;
      el("line", { x1: tx, x2: tx, y1: pyA(0), y2: pyA(1), class: "lv-track" }, svg);
      el("text", { x: tx, y: A.top + A.h + 18, class: "lv-axis-text", "text-anchor": "middle" }, svg).textContent = L.label_short || "y";
      yHandle = el("g", { class: "lv-handle", tabindex: 0, role: "slider", "data-testid": "lv-handle-y",
        "aria-label": L.label || "y", "aria-valuemin": 0, "aria-valuemax": 1, "aria-orientation": "vertical" }, svg);
      yParts = {
        ring: el("circle", { cx: tx, r: 13, class: "lv-ring" }, yHandle),
        knob: el("circle", { cx: tx, r: 9, class: "lv-knob", fill: COLOURS.green }, yHandle),
        grab: el("rect", { x: tx - 20, y: A.top - 10, width: 40, height: A.h + 20, fill: "transparent" }, yHandle),
      };
    }

    // Readouts (data-testid for tests and for anyone reading the DOM).
    const R = {
      x: this.readoutItem("lv-readout-x", L.logit_short || "x"),
      y: twoBranch ? null : this.readoutItem("lv-readout-y", L.label_short || "y"),
      sigma: this.readoutItem("lv-readout-sigma", "σ(x)"),
    };
    if (twoBranch) {
      R.loss1 = this.readoutItem("lv-readout-loss1", L.loss_y1 || "loss (y=1)");
      R.loss0 = this.readoutItem("lv-readout-loss0", L.loss_y0 || "loss (y=0)");
      R.grad1 = this.readoutItem("lv-readout-grad1", L.grad_y1 || "grad (y=1)");
      R.grad0 = this.readoutItem("lv-readout-grad0", L.grad_y0 || "grad (y=0)");
    } else {
      R.loss = this.readoutItem("lv-readout-loss", L.loss || "loss");
      R.grad = this.readoutItem("lv-readout-grad", L.grad || "σ(x) − y");
    }

    const s = this.state;
    const stepX = d.step_x || 0.1;
    const stepY = d.step_y || 0.05;
    const xFromPointer = (pos) => {
      const r = svg.getBoundingClientRect();
      const sx = ((pos.x - r.left) * W) / (r.width || W);
      return snap(lo + ((sx - ML) / (W - ML - MR)) * (hi - lo), stepX, lo, hi);
    };
    const yFromPointer = (pos) => {
      const r = svg.getBoundingClientRect();
      const sy = ((pos.y - r.top) * H) / (r.height || H);
      const raw = Math.min(1, Math.max(0, 1 - (sy - A.top) / A.h));
      if (raw < 0.04) return 0; // snap to the hard labels
      if (raw > 0.96) return 1;
      return snap(raw, stepY, 0, 1);
    };
    const onDown = (event, which) => {
      if (event.button !== undefined && event.button > 0) return;
      if (which === "y") this.startDrag(event, { focus: yHandle, apply: (pos) => { s.y = yFromPointer(pos); } });
      else this.startDrag(event, { focus: xHandle, apply: (pos) => { s.x = xFromPointer(pos); } });
    };
    for (const target of [hit, xHandle]) {
      target.addEventListener("pointerdown", (e) => onDown(e, "x"));
      this.bindDrag(target);
    }
    if (yHandle) {
      yHandle.addEventListener("pointerdown", (e) => onDown(e, "y"));
      this.bindDrag(yHandle);
    }
    xHandle.addEventListener("keydown", (event) => {
      const v = keyDelta(event, stepX, lo, hi, s.x);
      if (v === null) return;
      event.preventDefault();
      event.stopPropagation(); // the arrow keys are ours (not, say, the presenter's page keys)
      s.x = snap(v, stepX, lo, hi);
      this.draw();
      this.commitSoon();
    });
    if (yHandle) {
      yHandle.addEventListener("keydown", (event) => {
        const v = keyDelta(event, stepY, 0, 1, s.y);
        if (v === null) return;
        event.preventDefault();
        event.stopPropagation();
        s.y = snap(v, stepY, 0, 1);
        this.draw();
        this.commitSoon();
      });
    }
    this.parts = { W, px, pyA, pyB, lo, hi, lmax, soft, branches, tangents, lossDots, targetLine, gap, xHandle, xRing, xKnob, xGrab, yHandle, yParts, R, xs, twoBranch, drawnY: undefined };
  }

  drawCurve() {
    const P = this.parts;
    const s = this.state;
    const L = this.data.labels || {};
    const x = s.x;
    const sig = sigmoid(x);
    const cx = P.px(x);
    const cy = P.pyA(sig);
    for (const node of [P.xRing, P.xKnob, P.xGrab]) {
      node.setAttribute("cx", cx.toFixed(1));
      node.setAttribute("cy", cy.toFixed(1));
    }
    const half = (P.hi - P.lo) / 10;
    const ys = P.twoBranch ? [1, 0] : [s.y];
    ys.forEach((y, i) => {
      const l = bceWithLogits(x, y);
      const g = bceGrad(x, y);
      P.lossDots[i].setAttribute("cx", cx.toFixed(1));
      P.lossDots[i].setAttribute("cy", P.pyB(l).toFixed(1));
      const t = P.tangents[i];
      t.setAttribute("x1", P.px(x - half).toFixed(1));
      t.setAttribute("x2", P.px(x + half).toFixed(1));
      t.setAttribute("y1", P.pyB(l - g * half).toFixed(1));
      t.setAttribute("y2", P.pyB(l + g * half).toFixed(1));
    });
    const R = P.R;
    R.x.textContent = fmtCell(x);
    R.sigma.textContent = fmtCell(sig);
    const valueText = [`${L.logit_short || "x"} = ${fmtCell(x)}`, `σ(x) = ${fmtCell(sig)}`];
    if (P.twoBranch) {
      R.loss1.textContent = fmtCell(bceWithLogits(x, 1));
      R.loss0.textContent = fmtCell(bceWithLogits(x, 0));
      R.grad1.textContent = fmtCell(bceGrad(x, 1));
      R.grad0.textContent = fmtCell(bceGrad(x, 0));
    } else {
      const y = s.y;
      if (P.drawnY !== y) {
        P.soft.setAttribute("d", P.xs.map((v, i) => `${i ? "L" : "M"}${P.px(v).toFixed(1)},${P.pyB(bceWithLogits(v, y)).toFixed(1)}`).join(""));
        P.drawnY = y;
      }
      const loss = bceWithLogits(x, y);
      R.y.textContent = fmtCell(y);
      R.loss.textContent = fmtCell(loss);
      R.grad.textContent = fmtCell(bceGrad(x, y));
      const ty = P.pyA(y);
      P.targetLine.setAttribute("y1", ty.toFixed(1));
      P.targetLine.setAttribute("y2", ty.toFixed(1));
      P.gap.setAttribute("x1", cx.toFixed(1));
      P.gap.setAttribute("x2", cx.toFixed(1));
      P.gap.setAttribute("y1", cy.toFixed(1));
      P.gap.setAttribute("y2", ty.toFixed(1));
      for (const node of [P.yParts.ring, P.yParts.knob]) node.setAttribute("cy", ty.toFixed(1));
      P.yHandle.setAttribute("aria-valuenow", String(y));
      P.yHandle.setAttribute("aria-valuetext", `${L.label_short || "y"} = ${fmtCell(y)}, ${L.loss || "loss"} = ${fmtCell(loss)}`);
      valueText.push(`${L.loss || "loss"} = ${fmtCell(loss)}`);
    }
    P.xHandle.setAttribute("aria-valuenow", String(x));
    P.xHandle.setAttribute("aria-valuetext", valueText.join(", "));
  }

  // ------------------------------------------------------------ bars --

  buildBars() {
    const d = this.data;
    const L = d.labels || {};
    const s = this.state;
    const C = s.logits.length;
    const W = Math.max(this.width, 260);
    const ML = 44;
    const MR = 10;
    const A = { top: 24, h: 170 };
    const B = { top: A.top + A.h + 58, h: 110 };
    const H = B.top + B.h + 40;
    const lo = d.lo;
    const hi = d.hi;
    const step = d.step || 0.1;
    const slot = (W - ML - MR) / C;
    const bw = Math.min(slot * 0.62, 90);
    const cxOf = (c) => ML + slot * (c + 0.5);
    const pyA = (v) => A.top + ((hi - v) / (hi - lo)) * A.h;
    const pyB = (p) => B.top + (1 - p) * B.h;
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "group", "aria-label": L.chart || "" }, this.stage);
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
    const names = d.classes || s.logits.map((_, i) => String(i));
    const bars = [];
    s.logits.forEach((_, c) => {
      const g = el("g", { class: "lv-handle", tabindex: 0, role: "slider", "data-testid": `lv-bar-${c}`,
        "aria-label": (L.class_aria && L.class_aria[c]) || `class ${c}`, "aria-valuemin": lo, "aria-valuemax": hi,
        "aria-orientation": "vertical" }, svg);
      const hitRect = el("rect", { x: cxOf(c) - slot / 2, y: A.top - 10, width: slot, height: B.top + B.h - A.top + 10, fill: "transparent", style: "cursor: ns-resize" }, g);
      const ring = el("rect", { x: cxOf(c) - bw / 2 - 4, width: bw + 8, rx: 4, class: "lv-ring" }, g);
      const logit = el("rect", { x: cxOf(c) - bw / 2, width: bw, rx: 2, class: "lv-bar-logit" }, g);
      const knob = el("rect", { x: cxOf(c) - bw / 2 - 3, width: bw + 6, height: 8, rx: 4, class: "lv-knob", fill: COLOURS.blue }, g);
      const vText = el("text", { x: cxOf(c), class: "lv-bar-label", "text-anchor": "middle" }, g);
      const prob = el("rect", { x: cxOf(c) - bw / 2, width: bw, class: "lv-bar-prob" }, g);
      const pText = el("text", { x: cxOf(c), class: "lv-bar-label", "text-anchor": "middle" }, g);
      const nameText = el("text", { x: cxOf(c), y: B.top + B.h + 16, class: "lv-bar-label", "text-anchor": "middle", "font-weight": 600 }, g);
      const gText = el("text", { x: cxOf(c), y: B.top + B.h + 32, class: "lv-axis-text", "text-anchor": "middle" }, g);
      bars.push({ g, hitRect, ring, logit, knob, vText, prob, pText, nameText, gText });
      const scale = (hi - lo) / A.h;
      g.addEventListener("pointerdown", (event) => {
        if (event.button !== undefined && event.button > 0) return;
        const v0 = s.logits[c];
        const y0 = event.clientY;
        const r = svg.getBoundingClientRect();
        const k = H / (r.height || H);
        this.startDrag(event, {
          focus: g,
          apply: (pos) => {
            if (!this.drag.moved) return;
            s.logits[c] = snap(v0 - (pos.y - y0) * k * scale, step, lo, hi);
          },
          onClick: () => {
            s.target = c;
          },
        });
      });
      this.bindDrag(g);
      g.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          event.stopPropagation();
          s.target = c;
          this.draw();
          this.commitSoon();
          return;
        }
        const v = keyDelta(event, step, lo, hi, s.logits[c]);
        if (v === null) return;
        event.preventDefault();
        event.stopPropagation();
        s.logits[c] = snap(v, step, lo, hi);
        this.draw();
        this.commitSoon();
      });
    });
    const R = {
      loss: this.readoutItem("lv-readout-loss", L.ce_loss || "−log p[target]"),
      ptrue: this.readoutItem("lv-readout-ptrue", L.p_true || "p[target]"),
      grad: this.readoutItem("lv-readout-grad", L.ce_grad || "softmax − onehot"),
    };
    this.parts = { pyA, pyB, bars, R, names, A };
  }

  drawBars() {
    const P = this.parts;
    const s = this.state;
    const L = this.data.labels || {};
    const p = softmax(s.logits);
    const g = ceGrad(s.logits, s.target);
    const zero = P.pyA(Math.min(Math.max(0, this.data.lo), this.data.hi));
    P.bars.forEach((b, c) => {
      const v = s.logits[c];
      const top = P.pyA(v);
      const y1 = Math.min(top, zero);
      const h = Math.max(Math.abs(zero - top), 1);
      const isTrue = c === s.target;
      b.logit.setAttribute("y", y1.toFixed(1));
      b.logit.setAttribute("height", h.toFixed(1));
      b.logit.setAttribute("class", isTrue ? "lv-bar-logit lv-true" : "lv-bar-logit");
      b.ring.setAttribute("y", (y1 - 4).toFixed(1));
      b.ring.setAttribute("height", (h + 8).toFixed(1));
      b.knob.setAttribute("y", (top - 4).toFixed(1));
      b.knob.setAttribute("fill", isTrue ? COLOURS.green : COLOURS.blue);
      b.vText.setAttribute("y", (v >= 0 ? top - 8 : top + 18).toFixed(1));
      b.vText.textContent = fmtCell(v);
      const py = P.pyB(p[c]);
      b.prob.setAttribute("y", py.toFixed(1));
      b.prob.setAttribute("height", Math.max(P.pyB(0) - py, 0.5).toFixed(1));
      b.prob.setAttribute("class", isTrue ? "lv-bar-true" : "lv-bar-prob");
      b.pText.setAttribute("y", (py - 4).toFixed(1));
      b.pText.textContent = fmtCell(p[c], 4);
      b.nameText.textContent = (isTrue ? "✓ " : "") + P.names[c];
      b.gText.textContent = `∂ ${fmtCell(g[c], 4)}`;
      b.g.setAttribute("aria-valuenow", String(v));
      b.g.setAttribute("aria-valuetext", `${fmtCell(v)}; p = ${fmtCell(p[c])}${isTrue ? "; " + (L.is_target || "target") : ""}`);
      b.g.setAttribute("aria-pressed", String(isTrue));
    });
    P.R.loss.textContent = fmtCell(crossEntropy(s.logits, s.target));
    P.R.ptrue.textContent = fmtCell(p[s.target]);
    P.R.grad.textContent = "[" + g.map((v) => fmtCell(v)).join(", ") + "]";
  }

  // ----------------------------------------------------------- cells --

  buildCells() {
    const d = this.data;
    const L = d.labels || {};
    const s = this.state;
    const rows = s.logits.length;
    const cols = rows ? s.logits[0].length : 0;
    const lo = d.lo;
    const hi = d.hi;
    const step = d.step || 0.1;
    const pxPerUnit = 24;
    const grid = el("div", { class: "lv-cells", role: "group", "aria-label": L.chart || "" }, this.stage, null);
    grid.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
    const cells = [];
    for (let r = 0; r < rows; r++) {
      cells.push([]);
      for (let c = 0; c < cols; c++) {
        const cell = el("div", { class: "lv-cell", tabindex: 0, role: "slider", "data-testid": `lv-cell-${r}-${c}`,
          "aria-label": fill(L.cell_aria, { r, c }), "aria-valuemin": lo, "aria-valuemax": hi, "aria-orientation": "horizontal" }, grid, null);
        const parts = {
          cell,
          x: el("div", { class: "lv-cell-x" }, cell, null),
          y: el("div", {}, cell, null),
          l: el("div", {}, cell, null),
          g: el("div", {}, cell, null),
          bar: el("div", { class: "lv-cell-bar" }, cell, null),
        };
        cells[r].push(parts);
        cell.addEventListener("pointerdown", (event) => {
          if (event.button !== undefined && event.button > 0) return;
          const v0 = s.logits[r][c];
          const x0 = event.clientX;
          this.startDrag(event, { focus: cell, apply: (pos) => { s.logits[r][c] = snap(v0 + (pos.x - x0) / pxPerUnit, step, lo, hi); } });
        });
        this.bindDrag(cell);
        cell.addEventListener("keydown", (event) => {
          const v = keyDelta(event, step, lo, hi, s.logits[r][c]);
          if (v === null) return;
          event.preventDefault();
          s.logits[r][c] = snap(v, step, lo, hi);
          this.draw();
          this.commitSoon();
        });
      }
    }
    const R = {
      mean: this.readoutItem("lv-readout-mean", L.mean || "mean"),
      sum: this.readoutItem("lv-readout-sum", L.sum || "sum"),
    };
    const lmax = Math.max(bceWithLogits(lo, 1), bceWithLogits(hi, 0), 1);
    this.parts = { cells, R, lmax };
  }

  drawCells() {
    const P = this.parts;
    const s = this.state;
    const L = this.data.labels || {};
    const targets = this.data.targets;
    let total = 0;
    let n = 0;
    P.cells.forEach((row, r) =>
      row.forEach((p, c) => {
        const x = s.logits[r][c];
        const y = targets[r][c] ?? NaN;
        const l = bceWithLogits(x, y);
        total += l;
        n += 1;
        p.x.textContent = `${L.x_short || "x"} ${fmtCell(x)}`;
        p.y.textContent = `${L.y_short || "y"} ${fmtCell(y)}`;
        p.l.textContent = `${L.l_short || "ℓ"} ${fmtCell(l, 4)}`;
        p.g.textContent = `∂ ${fmtCell(bceGrad(x, y), 4)}`;
        p.bar.style.width = `${Math.min(100, (100 * l) / P.lmax).toFixed(1)}%`;
        p.cell.setAttribute("aria-valuenow", String(x));
        p.cell.setAttribute("aria-valuetext", `${fmtCell(x)}; ${L.loss || "loss"} = ${fmtCell(l)}`);
      }),
    );
    const digits = this.data.digits || 6;
    P.R.mean.textContent = fmtCell(n ? total / n : NaN, digits);
    P.R.sum.textContent = fmtCell(total, digits);
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
  root.hidden = Boolean(data.hidden);  // kept mounted, not shown: no rebuild when it shows again
  if (!data.hidden) ctl.update(data, setTriggerValue);
  return () => {
    ctl.destroy();
    root.lvCtl = undefined;
  };
}
