// A plotly chart that stays mounted: each rerun calls Plotly.react on the same element, and
// sets the chart's text summary below it (its <figcaption>).
//
// Streamlit's own st.plotly_chart gives a chart a new identity whenever its figure changes, so
// every slider step tears the plot down and builds it again (~45 ms of main thread per chart).
// Here the element is keyed, the data arrives as the figure's JSON, and plotly.js (the basic
// bundle in static/, served by Streamlit's static file serving) updates it in place.
// Colours that depend on the light/dark theme come from Streamlit's --st-* CSS variables.

// One <script id="lv-plotly-js"> per page; the top of the page (ui_chart.preload_html) has
// usually started it already. A failed load is retried by the next chart update.
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__lvPlotly) {
    window.__lvPlotly = new Promise((resolve, reject) => {
      let s = document.getElementById("lv-plotly-js");
      if (s && s.dataset.failed) { s.remove(); s = null; }
      if (!s) {
        s = document.createElement("script");
        Object.assign(s, { id: "lv-plotly-js", src, async: true });
        document.head.appendChild(s);
      }
      s.addEventListener("load", () => (window.Plotly ? resolve(window.Plotly) : reject(new Error("no Plotly"))));
      s.addEventListener("error", () => { s.dataset.failed = "1"; reject(new Error("load failed")); });
      if (window.Plotly) resolve(window.Plotly);
    }).catch((e) => { window.__lvPlotly = undefined; throw e; });
  }
  return window.__lvPlotly;
}

function cssVar(el, name, fallback) {
  const v = getComputedStyle(el).getPropertyValue(name).trim();
  return v || fallback;
}

function merge(dst, src) {
  for (const [k, v] of Object.entries(src)) {
    if (v && typeof v === "object" && !Array.isArray(v) && dst[k] && typeof dst[k] === "object" && !Array.isArray(dst[k])) {
      dst[k] = merge({ ...dst[k] }, v);
    } else {
      dst[k] = v;
    }
  }
  return dst;
}

// Streamlit's own plotly theme (frontend PlotlyChart/CustomTheme.tsx, the part these charts use),
// merged over the figure's layout the way st.plotly_chart does, with the page's theme colours
// (``text``: the page's text colour, read once per draw).
function themed(layout, el, text) {
  const heading = cssVar(el, "--st-heading-color", text);
  const grid = cssVar(el, "--st-border-color-light", cssVar(el, "--st-border-color", "#e6eaf1"));
  const bg = cssVar(el, "--st-background-color", "#ffffff");
  const border = cssVar(el, "--st-border-color", "rgba(49, 51, 63, 0.2)");
  const font = cssVar(el, "--st-font", "sans-serif");
  const headingFont = cssVar(el, "--st-heading-font", font);
  const axis = (title, extra) => ({
    zerolinecolor: grid, gridcolor: grid, tickcolor: grid, automargin: true,
    tickfont: { color: text, size: 12 }, title: { font: { color: text, size: 14 }, standoff: title }, ...extra,
  });
  const theme = {
    font: { color: text, family: font, size: 12 },
    title: { font: { family: headingFont, size: 16, color: heading }, pad: { l: 4 }, xanchor: "left", x: 0 },
    legend: { valign: "top", bordercolor: "rgba(0,0,0,0)", borderwidth: 0, font: { size: 12, color: text },
              title: { font: { size: 12, color: text } } },
    paper_bgcolor: bg,
    plot_bgcolor: bg,
    hoverlabel: { bgcolor: bg, bordercolor: border, font: { color: text, family: font, size: 12 } },
  };
  const out = merge({ ...layout }, theme);
  // the figure's own margins win (Streamlit's r: 0 cuts the last x tick label on a phone)
  out.margin = { pad: 8, r: 0, l: 0, ...(layout.margin || {}) };
  const axes = new Set(["xaxis", "yaxis", ...Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k))]);
  for (const k of axes) {
    const extra = k.startsWith("x") ? { showgrid: false, zeroline: false } : { ticklabelposition: "outside" };
    out[k] = merge({ ...(layout[k] || {}) }, axis(k.startsWith("x") ? 20 : 24, extra));
  }
  return out;
}

// Black outlines on bars (the true class) and black reference lines (shapes, e.g. y = 0) are
// drawn in the theme's text colour: black on a light page, light on a dark one. Black lines and
// markers of traces stay black: they sit on coloured areas (the training map) that need them.
const BLACK = "#000000";
function inked(fig, ink) {
  for (const t of fig.data || []) {
    const line = t.type === "bar" && t.marker && t.marker.line;
    if (line && line.color === BLACK) line.color = ink;
  }
  for (const s of (fig.layout && fig.layout.shapes) || []) {
    if (s.line && s.line.color === BLACK) s.line.color = ink;
  }
  return fig;
}

// The toolbar's full-screen button (when the browser can show an element full screen). The
// config object is built once per chart and label: Plotly.react replots the whole figure when
// its config changes, and a new click function would be a change.
const FULLSCREEN_ICON = { width: 24, height: 24, path: "M3 3h7v2H5v5H3zm11 0h7v7h-2V5h-5zM3 14h2v5h5v2H3zm16 0h2v7h-7v-2h5z" };

// Save as PNG / SVG: Plotly.downloadImage draws the figure in the browser (no server, no network).
// The PNG at twice the size on screen (sharp on a projector); the SVG as vectors, for slides.
const SVG_ICON = { width: 24, height: 24, path: "M11 3h2v9.2l3.3-3.3 1.4 1.4L12 16 6.3 10.3l1.4-1.4 3.3 3.3zM4 18h16v3H4z" };

function chartConfig(root, job) {
  const key = JSON.stringify([job.config || {}, job.fullscreen || "", job.download || null]);
  if (root.lvConfig && root.lvConfig[0] === key) return root.lvConfig[1];
  const config = { ...(job.config || {}) };
  const add = [];
  const dl = job.download;
  if (dl && window.Plotly && window.Plotly.downloadImage) {
    const save = (format) => (gd) => window.Plotly.downloadImage(gd, { format, filename: dl.filename, scale: format === "png" ? 2 : 1 })
      .catch((e) => console.error("lossviz chart download:", e));
    add.push({ name: "lv-png", title: dl.png, icon: window.Plotly.Icons.camera, click: save("png") });
    add.push({ name: "lv-svg", title: dl.svg, icon: SVG_ICON, click: save("svg") });
  }
  if (job.fullscreen && document.fullscreenEnabled && root.requestFullscreen) {
    add.push({
      name: "lv-fullscreen", title: job.fullscreen, icon: FULLSCREEN_ICON,
      click: () => (document.fullscreenElement === root ? document.exitFullscreen() : root.requestFullscreen()),
    });
  }
  if (add.length) config.modeBarButtonsToAdd = add;
  root.lvConfig = [key, config];
  return config;
}

// Entering full screen redraws the last figure at the screen's size. Leaving it draws the figure
// afresh: plotly keeps the last width it was given, and Plots.resize would also drop the
// figure's own height.
function watchFullscreen(root, Plotly) {
  if (root.lvWatching) return;
  root.lvWatching = true;
  // In full screen the figure is sized to the screen: when the window changes size (a tablet
  // turned round), draw it again at the new size, once per frame at most. The listener is on the
  // window only while this chart is full screen, so a chart that leaves the page is not kept.
  let pending = false;
  const onResize = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (document.fullscreenElement !== root) return;
      root.lvNext = root.lvNext || root.lvLast;
      if (!root.lvBusy) draw(root, Plotly);
    });
  };
  root.addEventListener("fullscreenchange", () => {
    const full = document.fullscreenElement === root;
    if (full) window.addEventListener("resize", onResize);
    else window.removeEventListener("resize", onResize);
    Promise.resolve(root.lvBusy).then(() => {
      if (!full) {
        Plotly.purge(root.querySelector(".lv-plot"));
        root.lvTraces = [];
      }
      root.lvNext = root.lvNext || root.lvLast;
      if (!root.lvBusy) draw(root, Plotly);
    });
  });
}

function draw(root, Plotly) {
  const job = root.lvNext;
  if (!job) return;
  root.lvNext = undefined;
  root.lvLast = job;
  const gd = root.querySelector(".lv-plot");
  let fig;
  try {
    fig = JSON.parse(job.spec);
  } catch (e) {
    return;
  }
  // One drawing at a time: a step that arrives while plotly is busy waits for it, and only the
  // newest figure is drawn. A figure plotly rejects leaves the previous drawing in place.
  // A trace whose JSON is the same as last time is passed as the same object: plotly compares
  // data arrays by reference, so when a step moves only a point drawn as a layout annotation
  // (lossviz.plots.base.point_mark) it redraws that annotation instead of replotting the figure.
  const text = cssVar(root, "--st-text-color", "#31333f");
  inked(fig, text);
  const prev = root.lvTraces || [];
  const keys = (fig.data || []).map((t) => JSON.stringify(t));
  const data = (fig.data || []).map((t, i) => (prev[i] && prev[i][0] === keys[i] ? prev[i][1] : t));
  root.lvTraces = keys.map((k, i) => [k, data[i]]);
  root.lvBusy = Promise.resolve()
    .then(() => {
      const layout = themed(fig.layout || {}, root, text);
      if (document.fullscreenElement === root) {  // the whole screen inside the padding, above the summary
        const pad = getComputedStyle(root);
        const summary = root.querySelector(".lv-chart-summary");
        const below = summary.textContent ? summary.offsetHeight + parseFloat(getComputedStyle(summary).marginTop) : 0;
        layout.height = root.clientHeight - parseFloat(pad.paddingTop) - parseFloat(pad.paddingBottom) - below;
        layout.width = root.clientWidth - parseFloat(pad.paddingLeft) - parseFloat(pad.paddingRight);
      }
      return Plotly.react(gd, data, layout, chartConfig(root, job));
    })
    .catch((e) => console.error("lossviz chart:", e))
    .then(() => {
      root.lvBusy = undefined;
      if (root.lvNext) draw(root, Plotly);
    });
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".lv-chart");
  if (!root || !data || typeof data.spec !== "string") return undefined;
  const status = root.querySelector(".lv-chart-status");
  // the text summary is there at once, before plotly.js has loaded or drawn
  const summary = root.querySelector(".lv-chart-summary");
  if (summary.textContent !== (data.summary || "")) summary.textContent = data.summary || "";
  root.lvNext = data;
  loadPlotly(data.src)
    .then((Plotly) => {
      status.textContent = "";
      watchFullscreen(root, Plotly);
      if (!root.lvBusy) draw(root, Plotly);
    })
    .catch(() => {
      status.textContent = data.failed || "";
    });
  return () => {
    const gd = root.querySelector(".lv-plot");
    if (window.Plotly && gd) window.Plotly.purge(gd);
  };
}
