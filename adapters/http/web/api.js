// The storefront's way to the node: its REST routes and WebSockets, same origin. The signed-in
// user (token, id, name) is kept in localStorage; every write carries a fresh Idempotency-Key;
// the server's clock is learnt from each answer's Date header, so that a hold's countdown runs
// on the server's time, not the visitor's.

let serverOffsetMs = 0;

export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || error.code);
    this.status = status;
    this.code = error.code;
  }
}

export function session() {
  const raw = localStorage.getItem("tt.session");
  return raw ? JSON.parse(raw) : null;
}

export function setSession(s) {
  if (s) localStorage.setItem("tt.session", JSON.stringify(s));
  else localStorage.removeItem("tt.session");
}

/// Now on the server's clock, in milliseconds since the epoch.
export function serverNow() {
  return Date.now() + serverOffsetMs;
}

/// A v4 UUID; crypto.randomUUID exists only in secure contexts.
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/// Calls a route; resolves to the parsed body, rejects with an ApiError (code "network" when the
/// server could not be reached).
export async function call(method, path, body) {
  const headers = {};
  const s = session();
  if (s) headers.Authorization = "Bearer " + s.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const write = path.startsWith("/api/v1/reservations") || path.startsWith("/api/v1/payment");
  if (method === "POST" && write) headers["Idempotency-Key"] = uuid();
  let res;
  try {
    res = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { code: "network", message: "network" });
  }
  const date = res.headers.get("Date");
  if (date) serverOffsetMs = Date.parse(date) + 500 - Date.now(); // Date has whole seconds
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!res.ok) {
    if (res.status === 401 && s) setSession(null);
    throw new ApiError(res.status, parsed?.error || { code: String(res.status) });
  }
  return parsed;
}

/// Opens a WebSocket on this node; `onMessage(json)` for each frame, `onClose(code)` once.
export function live(path, onMessage, onClose) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const s = session();
  const protocols = s ? ["tt.v1", "bearer." + s.token] : [];
  const ws = new WebSocket(url, protocols);
  ws.onmessage = (e) => onMessage(JSON.parse(e.data));
  ws.onclose = (e) => onClose && onClose(e.code);
  return ws;
}
