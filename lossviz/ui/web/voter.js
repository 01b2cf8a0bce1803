// A random token per browser, kept in localStorage, so a student answers a class poll once per browser
// (the store keeps only a salted hash of it). Falls back to a token per tab when storage is blocked.
// crypto.getRandomValues, not randomUUID: a classroom server on a LAN address is not a secure context.
function token() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export default function (component) {
  const { setStateValue } = component;
  let id = null;
  try {
    id = window.localStorage.getItem("lossviz-voter");
    if (!id) {
      id = token();
      window.localStorage.setItem("lossviz-voter", id);
    }
  } catch (e) {
    id = window.__lossvizVoter || (window.__lossvizVoter = token());
  }
  setStateValue("voter", id);
}
