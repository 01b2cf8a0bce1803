// LossViz frame: "copy link to this view", in presenter mode ←/→ to move between lessons, and
// keyboard access to display formulas, tables and code that scroll sideways (watchScrollers below).
// All values arrive through `data`; nothing from the URL is written into the markup.
export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".lv-frame");
  const button = root.querySelector(".lv-copy");
  const field = root.querySelector(".lv-url");
  const status = root.querySelector(".lv-status");
  const help = root.querySelector(".lv-present-help");
  button.textContent = data.labels.copy;
  help.textContent = data.present ? data.labels.keys : "";
  const exit = root.querySelector(".lv-exit");
  exit.hidden = !data.present;
  exit.textContent = data.labels.exit;
  exit.onclick = () => {
    const url = new URL(window.location.href);
    url.searchParams.delete("present");
    window.location.assign(url.toString());
  };

  const say = (text) => { status.textContent = text; };
  button.onclick = async () => {
    const href = window.location.href;
    field.value = href;
    try {
      await navigator.clipboard.writeText(href);
      field.classList.remove("lv-visible");
      say(data.labels.copied);
    } catch (err) {
      // Not a secure context (plain http on a LAN): show the link selected for Ctrl+C.
      field.classList.add("lv-visible");
      field.removeAttribute("aria-hidden");
      field.focus();
      field.select();
      say(data.labels.select);
    }
  };

  const go = (path) => {
    if (!path && path !== "") return;
    const url = new URL("./" + path, window.location.href);
    // The next lesson starts from its defaults; only the view flags go along (the panels hidden for slides).
    const params = new URLSearchParams({ lang: data.lang, present: "1" });
    const hide = new URL(window.location.href).searchParams.get("hide");
    if (hide) params.set("hide", hide);
    url.search = params.toString();
    window.location.assign(url.toString());
  };
  const onKey = (event) => {
    if (!data.present || event.altKey || event.ctrlKey || event.metaKey) return;
    // The real target may sit in a component's shadow root: look along the composed path.
    const path = event.composedPath ? event.composedPath() : [event.target];
    const busy = path.some((el) => el && el.getAttribute && (
      ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) ||
      ["slider", "textbox", "spinbutton", "combobox", "radio"].includes(el.getAttribute("role")) ||
      el.dataset.lvScrolls === "1")); // a focused formula, table or code block that scrolls: ← → scroll it
    if (busy) return;
    if ((event.key === "ArrowRight" || event.key === "PageDown") && data.next !== null) { event.preventDefault(); go(data.next); }
    if ((event.key === "ArrowLeft" || event.key === "PageUp") && data.prev !== null) { event.preventDefault(); go(data.prev); }
  };
  // Streamlit runs this function again when `data` changes without calling the last cleanup:
  // keep exactly one listener per page by replacing the previous one.
  if (window.__lvFrameKeys) document.removeEventListener("keydown", window.__lvFrameKeys);
  window.__lvFrameKeys = onKey;
  document.addEventListener("keydown", onKey);
  if (window.__lvNav) window.__lvNav.disconnect();
  const nav = watchNav(data.labels.nav);
  window.__lvNav = nav;
  // Display formulas and tables: one watcher per page, replaced like the key listener.
  if (window.__lvScrollers) window.__lvScrollers.disconnect();
  const scrollers = watchScrollers({
    ".katex-display": data.labels.formula, ".lv-table": data.labels.table, "[data-testid=stCode] pre": data.labels.code,
  });
  window.__lvScrollers = scrollers;
  return () => {
    document.removeEventListener("keydown", onKey);
    if (window.__lvFrameKeys === onKey) window.__lvFrameKeys = null;
    scrollers.disconnect();
    if (window.__lvScrollers === scrollers) window.__lvScrollers = null;
    nav.disconnect();
    if (window.__lvNav === nav) window.__lvNav = null;
  };
}

// The sidebar's syllabus (lossviz.ui.page.sidebar_nav: page links in a keyed container) gets what
// st.navigation's own menu has: a navigation landmark with a name, aria-current on the link of this
// page, and on a phone (Streamlit's mobile width, 640 px) the sidebar closes after a link is tapped.
// React may redraw the container (a rerun, a language switch): a MutationObserver marks it again.
function watchNav(name) {
  const sidebar = document.querySelector("[data-testid=stSidebar]");
  const mark = () => {
    const nav = document.querySelector(".st-key-lv_nav");
    if (!nav) return;
    if (nav.getAttribute("role") !== "navigation") nav.setAttribute("role", "navigation");
    if (nav.getAttribute("aria-label") !== name) nav.setAttribute("aria-label", name);
    // Streamlit writes each link's url path relative to the app ("" for the start page)
    const base = new URL("./", window.location.href);
    const here = window.location.pathname.replace(/\/+$/, "");
    for (const link of nav.querySelectorAll("a[href]")) {
      const path = new URL(link.getAttribute("href"), base).pathname.replace(/\/+$/, "");
      if (path === here) {
        if (link.getAttribute("aria-current") !== "page") link.setAttribute("aria-current", "page");
      } else if (link.hasAttribute("aria-current")) link.removeAttribute("aria-current");
    }
  };
  const onClick = (event) => {
    const link = event.target.closest && event.target.closest(".st-key-lv_nav a[href]");
    if (!link || window.innerWidth > 640) return;
    const close = document.querySelector("[data-testid=stSidebar] [data-testid=stSidebarCollapseButton] button");
    if (close) setTimeout(() => close.click(), 0);
  };
  const changed = new MutationObserver(mark);
  if (sidebar) changed.observe(sidebar, { childList: true, subtree: true });
  document.addEventListener("click", onClick, true);
  mark();
  return {
    disconnect() {
      changed.disconnect();
      document.removeEventListener("click", onClick, true);
    },
  };
}

// A display formula (st.latex), a table (ui.table's .lv-table) or a code block (st.code) wider than
// its column scrolls sideways (Streamlit gives .katex-display and code overflow-x: auto, style.css the
// tables; on a phone most tables do), and a scrolling box must be reachable by keyboard (WCAG 2.1.1; axe's
// scrollable-region-focusable). Each such box gets tabindex="0", role="region" and a name while it
// scrolls, and loses them when it fits again (wider window, other content). The boxes are in the
// page's own DOM (this component's markup is in a shadow root, its script runs in the page): a
// MutationObserver finds new ones, a ResizeObserver per box says when its size changed.
// `names`: CSS selector → accessible name (common.frame_formula, common.frame_table, common.frame_code).
function watchScrollers(names) {
  const selector = Object.keys(names).join(", ");
  const mark = (box) => {
    const label = names[Object.keys(names).find((s) => box.matches(s))];
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls) {
      if (box.dataset.lvScrolls !== "1") {
        box.dataset.lvScrolls = "1";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
      }
      if (box.getAttribute("aria-label") !== label) box.setAttribute("aria-label", label);
    } else if (box.dataset.lvScrolls === "1") {
      delete box.dataset.lvScrolls;
      for (const name of ["tabindex", "role", "aria-label"]) box.removeAttribute(name);
    }
  };
  const sizes = new ResizeObserver((entries) => { for (const entry of entries) mark(entry.target); });
  const watched = new WeakSet();
  const scan = () => {
    for (const box of document.querySelectorAll(selector)) {
      if (watched.has(box)) continue;
      watched.add(box);
      sizes.observe(box); // its first notification comes at once: mark() runs with fresh layout
    }
  };
  let queued = 0;
  const added = new MutationObserver((records) => {
    if (queued || !records.some((r) => r.addedNodes.length)) return;
    queued = requestAnimationFrame(() => { queued = 0; scan(); });
  });
  added.observe(document.body, { childList: true, subtree: true });
  scan();
  return {
    disconnect() {
      added.disconnect();
      sizes.disconnect();
      if (queued) cancelAnimationFrame(queued);
    },
  };
}
