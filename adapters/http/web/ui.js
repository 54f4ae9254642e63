// What every page builds with: elements and the one toast for messages.

export function el(tag, cls = "", text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/// Shows `text` for 6 s at the bottom of the page; `kind` "error" (red) or "ok" (green).
export function toast(text, kind = "error") {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.className = kind;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 6000);
}
