// LossViz frame: "copy link to this view" and, in presenter mode, ←/→ to move between lessons.
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
    url.search = new URLSearchParams({ lang: data.lang, present: "1" }).toString();
    window.location.assign(url.toString());
  };
  const onKey = (event) => {
    if (!data.present || event.altKey || event.ctrlKey || event.metaKey) return;
    // The real target may sit in a component's shadow root: look along the composed path.
    const path = event.composedPath ? event.composedPath() : [event.target];
    const busy = path.some((el) => el && el.getAttribute && (
      ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) ||
      ["slider", "textbox", "spinbutton", "combobox", "radio"].includes(el.getAttribute("role"))));
    if (busy) return;
    if ((event.key === "ArrowRight" || event.key === "PageDown") && data.next !== null) { event.preventDefault(); go(data.next); }
    if ((event.key === "ArrowLeft" || event.key === "PageUp") && data.prev !== null) { event.preventDefault(); go(data.prev); }
  };
  // Streamlit runs this function again when `data` changes without calling the last cleanup:
  // keep exactly one listener per page by replacing the previous one.
  if (window.__lvFrameKeys) document.removeEventListener("keydown", window.__lvFrameKeys);
  window.__lvFrameKeys = onKey;
  document.addEventListener("keydown", onKey);
  return () => {
    document.removeEventListener("keydown", onKey);
    if (window.__lvFrameKeys === onKey) window.__lvFrameKeys = null;
  };
}
