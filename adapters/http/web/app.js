// The storefront: one page, a view per hash route.
//   #/               the events on sale
//   #/login          sign in or register
//   #/event/:id      the event: waiting room (live over /ws/queue), then the seat map
//   #/hold/:id       a held reservation: countdown on the server's clock, extend, pay
//   #/done/:id       the confirmation: order id and seats
//   #/mine           my reservations, with cancel
// Every view registers what to stop (timers, sockets) when the visitor leaves it.

import { call, live, serverNow, session, setSession } from "./api.js";
import { errorText, language, money, setLanguage, t, translate } from "./i18n.js";
import { SeatMap } from "./seat_map.js";
import { el, toast } from "./ui.js";

const view = document.getElementById("view");
let stops = [];

function onLeave(stop) {
  stops.push(stop);
}

function fail(e) {
  toast(errorText(e));
  if (e.code === "UNAUTHENTICATED") location.hash = "#/login?next=" + encodeURIComponent(location.hash);
}

function button(id, key, onClick, cls = "") {
  const b = el("button", cls, t(key));
  b.type = "button";
  b.id = id;
  b.addEventListener("click", onClick);
  return b;
}

function link(href, key) {
  const a = el("a", "back", t(key));
  a.href = href;
  return a;
}

/// A titled page listing what GET `path` answers under `field`, or that there is none.
async function listPage(titleKey, listClass, path, field, emptyKey) {
  view.append(el("h1", "", t(titleKey)));
  const list = el("div", listClass);
  view.append(list);
  const items = (await call("GET", path))[field];
  if (!items.length) list.append(el("p", "muted", t(emptyKey)));
  return { list, items };
}

// --- #/ ---

async function eventsView() {
  const { list, items } = await listPage("events.title", "cards", "/api/v1/events", "events",
    "events.empty");
  for (const e of items) {
    const card = el("a", "card");
    card.href = "#/event/" + encodeURIComponent(e.event_id);
    card.dataset.event = e.event_id;
    card.append(el("h2", "", e.name), el("p", "muted", e.venue));
    const from = Math.min(...e.price_tiers.map((p) => p.price));
    card.append(el("p", "", `${money(from, e.currency)}~ · ${t("events.seats", { n: e.total_seats })}`));
    if (e.waiting_room) card.append(el("span", "badge", t("events.queue")));
    list.append(card);
  }
}

// --- #/login ---

function loginView(params) {
  view.append(el("h1", "", t("login.title")));
  const form = el("form", "stack");
  const field = (id, key, type = "text") => {
    const label = el("label", "", t(key));
    const input = el("input");
    input.id = id;
    input.type = type;
    input.autocomplete = "off";
    label.append(input);
    form.append(label);
    return input;
  };
  const username = field("username", "login.username");
  const password = field("password", "login.password", "password");
  const email = field("email", "login.email", "email");
  const display = field("display", "login.display");
  const done = (s) => {
    setSession({ token: s.token, user_id: s.user_id, username: s.username, role: s.role });
    location.hash = params.get("next") || "#/";
  };
  const row = el("div", "buttons");
  row.append(
    button("do-login", "login.login", () =>
      call("POST", "/api/v1/auth/login", { username: username.value, password: password.value })
        .then(done, fail)),
    button("do-register", "login.register", () =>
      call("POST", "/api/v1/auth/register", {
        username: username.value, password: password.value,
        email: email.value, display_name: display.value || username.value,
      }).then(done, fail), "secondary"));
  form.append(row);
  form.addEventListener("submit", (e) => e.preventDefault());
  view.append(form);
}

// --- #/event/:id ---

async function eventView(eventId) {
  const { events } = await call("GET", "/api/v1/events");
  const event = events.find((e) => e.event_id === eventId);
  if (!event) {
    toast(errorText({ code: "NOT_FOUND", message: "no such event" }));
    return;
  }
  view.append(el("h1", "", event.name), el("p", "muted", event.venue));
  const tiers = el("ul", "tiers");
  for (const p of event.price_tiers) tiers.append(el("li", "", `${p.name} · ${money(p.price, event.currency)}`));
  view.append(tiers);

  const admissionKey = "tt.admission." + eventId;
  const gate = el("div", "panel");
  gate.id = "queue-panel";
  // Anyone may look at the map; a hold needs a signed-in buyer, admitted if a room guards it.
  const pick = el("div", "picker");
  const mayHold = () => !!session() && (!event.waiting_room || !!sessionStorage.getItem(admissionKey));
  view.append(gate, pick);

  if (!session()) {
    gate.append(el("p", "", t("event.login_first")), link("#/login?next=" + encodeURIComponent(location.hash), "nav.login"));
  } else if (event.waiting_room && !sessionStorage.getItem(admissionKey)) {
    gate.append(button("join", "event.join", () => joinQueue(eventId, gate, admissionKey, () => map.paintSelection())));
  }

  // The seat map, refreshed every 2 s: other buyers' holds appear without a reload.
  const summary = el("p", "summary", t("map.none_selected"));
  summary.id = "selection";
  const mapBox = el("div", "seat-map");
  mapBox.id = "seat-map";
  const map = new SeatMap(mapBox, (seats) => {
    summary.textContent = seats.length
      ? t("map.selected", { seats: seats.map((s) => s.seat_id).join(", ") }) + " · " +
        money(seats.reduce((sum, s) => sum + s.price, 0), event.currency)
      : t("map.none_selected");
    hold.disabled = !seats.length || !mayHold();
  });
  const legend = el("div", "legend");
  for (const s of ["available", "selected", "taken", "blocked"])
    legend.append(el("span", "seat " + s, ""), el("span", "", t("map.legend." + s)));
  const count = el("input");
  count.id = "best-count";
  count.type = "number";
  count.min = "1";
  count.max = "10";
  count.value = "2";
  const best = button("best", "map.best", () => {
    const n = Number(count.value) || 1;
    if (!map.best(n)) toast(t("map.no_adjacent", { n }));
  }, "secondary");
  const hold = button("hold", "map.hold", () => holdSeats(event, map, admissionKey));
  hold.disabled = true;
  const tools = el("div", "buttons");
  const countLabel = el("label", "inline", t("map.best_count"));
  countLabel.append(count);
  tools.append(countLabel, best, hold);
  pick.append(legend, mapBox, summary, tools);

  const refresh = () => call("GET", `/api/v1/events/${encodeURIComponent(eventId)}/seats`)
    .then((m) => map.draw(m), () => {});
  await refresh();
  const timer = setInterval(refresh, 2000);
  onLeave(() => clearInterval(timer));
}

async function joinQueue(eventId, gate, admissionKey, admitted) {
  let joined;
  try {
    joined = await call("POST", "/api/v1/queue/join", { event_id: eventId });
  } catch (e) {
    return fail(e);
  }
  gate.replaceChildren(el("h2", "", t("queue.title")));
  const position = el("p", "big", t("queue.position", { n: joined.position_hint }));
  position.id = "queue-position";
  const eta = el("p", "muted", t("queue.eta", { n: joined.eta_sec ?? 0 }));
  eta.id = "queue-eta";
  const leave = button("leave", "queue.leave", () => {
    call("DELETE", "/api/v1/queue/leave?token=" + encodeURIComponent(joined.waiting_token)).catch(() => {});
    route();
  }, "secondary");
  gate.append(position, eta, leave);
  const token = joined.waiting_token;
  let ready = false;
  const enter = async () => {
    try {
      const granted = await call("POST", "/api/v1/queue/enter", { waiting_token: token, event_id: eventId });
      sessionStorage.setItem(admissionKey, granted.reservation_token);
      const note = el("p", "ok", t("queue.ready"));
      note.id = "admitted";
      gate.replaceChildren(note);
      admitted();
    } catch (e) {
      fail(e);
    }
  };
  const ws = live("/ws/queue?token=" + encodeURIComponent(token), (msg) => {
    const u = msg.queue_update;
    if (!u) return;
    position.textContent = t("queue.position", { n: u.position });
    eta.textContent = t("queue.eta", { n: u.eta_seconds });
    if (u.admission_ready && !ready) {
      ready = true;
      enter();
    } else if (u.event_type === "QUEUE_EVENT_TYPE_TOKEN_EXPIRED") {
      toast(t("err.TOKEN_EXPIRED"));
    }
  });
  onLeave(() => ws.close());
}

async function holdSeats(event, map, admissionKey) {
  const seats = map.selection();
  try {
    const r = await call("POST", "/api/v1/reservations", {
      event_id: event.event_id,
      seat_ids: seats.map((s) => s.seat_id),
      quantity: seats.length,
      reservation_token: sessionStorage.getItem(admissionKey) || "",
    });
    sessionStorage.removeItem(admissionKey); // an admission is good for one hold
    location.hash = "#/hold/" + encodeURIComponent(r.reservation_id);
  } catch (e) {
    fail(e);
    if (e.code === "TOKEN_EXPIRED" || e.code === "TOKEN_NOT_FOUND") sessionStorage.removeItem(admissionKey);
  }
}

// --- #/hold/:id ---

async function holdView(id) {
  let r = await call("GET", "/api/v1/reservations/" + encodeURIComponent(id));
  if (r.status === "CONFIRMED") return (location.hash = "#/done/" + encodeURIComponent(id));
  view.append(el("h1", "", t("hold.title")));
  view.append(el("p", "seats-line", r.seat_ids.join(", ")));
  view.append(el("p", "", t("hold.total", { amount: money(r.total_amount, r.currency) })));
  const countdown = el("p", "countdown");
  countdown.id = "countdown";
  view.append(countdown);
  let expiresAt = Date.parse(r.hold_expires_at);
  const tick = () => {
    const left = Math.max(0, Math.round((expiresAt - serverNow()) / 1000));
    countdown.textContent = left > 0
      ? t("hold.left", { t: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` })
      : t("hold.expired");
    countdown.classList.toggle("urgent", left < 30);
  };
  tick();
  const timer = setInterval(tick, 250);
  onLeave(() => clearInterval(timer));

  const extend = button("extend", "hold.extend", async () => {
    try {
      const x = await call("POST", `/api/v1/reservations/${encodeURIComponent(id)}/extend`, {});
      expiresAt = Date.parse(x.hold_expires_at);
      tick();
      toast(t("hold.extended"), "ok");
    } catch (e) {
      fail(e);
    }
  }, "secondary");

  const outcome = el("select");
  outcome.id = "outcome";
  for (const o of ["approve", "fail"]) {
    const opt = el("option", "", t("pay." + o));
    opt.value = o;
    outcome.append(opt);
  }
  const outcomeLabel = el("label", "inline", t("pay.outcome"));
  outcomeLabel.append(outcome);
  const status = el("p", "muted");
  status.id = "pay-status";
  const pay = button("pay", "pay.pay", () => payFor(r, outcome.value, status, pay));
  const row = el("div", "buttons");
  row.append(outcomeLabel, pay, extend);
  view.append(row, status, link("#/event/" + encodeURIComponent(r.event_id), "back.event"));

  // The reservation's changes arrive live: paid (confirmed), failed, expired.
  const ws = live("/ws/reservations?reservation_ids=" + encodeURIComponent(id), (msg) => {
    const u = msg.reservation_update;
    if (u && u.reservation_id === id) settle(id, u.new_status, status, pay);
  });
  onLeave(() => ws.close());
}

async function payFor(r, scenario, status, pay) {
  pay.disabled = true;
  status.textContent = t("pay.processing");
  try {
    const intent = await call("POST", "/api/v1/payment/intent", {
      reservation_id: r.reservation_id, amount: r.total_amount, currency: r.currency, scenario,
    });
    await call("POST", "/api/v1/payment/process", {
      payment_intent_id: intent.payment_intent_id, action: scenario,
    });
    // The socket reports the outcome; a poll covers a socket that dropped meanwhile.
    const poll = setInterval(async () => {
      const now = await call("GET", "/api/v1/reservations/" + encodeURIComponent(r.reservation_id)).catch(() => null);
      if (now) settle(r.reservation_id, "RESERVATION_STATUS_" + now.status, status, pay);
    }, 1500);
    onLeave(() => clearInterval(poll));
  } catch (e) {
    pay.disabled = false;
    status.textContent = "";
    fail(e);
  }
}

function settle(id, newStatus, status, pay) {
  if (newStatus === "RESERVATION_STATUS_CONFIRMED") {
    location.hash = "#/done/" + encodeURIComponent(id);
  } else if (newStatus === "RESERVATION_STATUS_FAILED" || newStatus === "RESERVATION_STATUS_EXPIRED" ||
             newStatus === "RESERVATION_STATUS_CANCELLED") {
    status.textContent = newStatus === "RESERVATION_STATUS_FAILED" ? t("pay.failed") : t("hold.expired");
    status.className = "error";
    status.dataset.outcome = newStatus;
    pay.disabled = true;
    // The hold is over: no countdown, nothing to extend.
    document.getElementById("countdown").hidden = true;
    document.getElementById("extend").disabled = true;
  }
}

// --- #/done/:id ---

async function doneView(id) {
  const r = await call("GET", "/api/v1/reservations/" + encodeURIComponent(id));
  view.append(el("h1", "", t("done.title")));
  const dl = el("dl", "facts");
  const order = el("dd", "", r.order_id);
  order.id = "order-id";
  const seats = el("dd", "", r.seat_ids.join(", "));
  seats.id = "done-seats";
  dl.append(el("dt", "", t("done.order")), order, el("dt", "", t("done.seats")), seats);
  view.append(dl, el("p", "", money(r.total_amount, r.currency)), link("#/", "back.events"));
}

// --- #/mine ---

async function mineView() {
  const { list, items } = await listPage("mine.title", "stack", "/api/v1/reservations?page_size=50",
    "reservations", "mine.empty");
  for (const r of items) {
    const item = el("div", "reservation");
    item.dataset.id = r.reservation_id;
    item.dataset.status = r.status;
    const text = el("a", "", `${r.event_id} · ${r.seat_ids.join(", ")} · ${r.status}`);
    text.href = (r.status === "CONFIRMED" ? "#/done/" : "#/hold/") + encodeURIComponent(r.reservation_id);
    item.append(text);
    if (r.status === "HOLD" || r.status === "CONFIRMED") {
      const cancel = el("button", "secondary cancel", t("mine.cancel"));
      cancel.type = "button";
      cancel.addEventListener("click", async () => {
        try {
          await call("POST", `/api/v1/reservations/${encodeURIComponent(r.reservation_id)}/cancel`, {});
          toast(t("mine.cancelled"), "ok");
          route();
        } catch (e) {
          fail(e);
        }
      });
      item.append(cancel);
    }
    list.append(item);
  }
}

// --- the frame ---

function header() {
  const s = session();
  document.getElementById("who").textContent = s ? s.username : "";
  document.getElementById("nav-login").hidden = !!s;
  document.getElementById("nav-mine").hidden = !s;
  document.getElementById("logout").hidden = !s;
  document.getElementById("lang").textContent = language() === "ko" ? "EN" : "한국어";
  translate(document.body);
}

async function route() {
  for (const stop of stops) stop();
  stops = [];
  view.replaceChildren();
  header();
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = (path || "/").split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || "");
  const needsUser = ["hold", "done", "mine"].includes(parts[0]);
  if (needsUser && !session()) {
    location.hash = "#/login?next=" + encodeURIComponent(location.hash);
    return;
  }
  view.dataset.view = parts[0] || "events";
  try {
    if (parts[0] === "login") loginView(params);
    else if (parts[0] === "event") await eventView(parts[1]);
    else if (parts[0] === "hold") await holdView(parts[1]);
    else if (parts[0] === "done") await doneView(parts[1]);
    else if (parts[0] === "mine") await mineView();
    else await eventsView();
  } catch (e) {
    fail(e);
  }
}

document.getElementById("logout").addEventListener("click", () => {
  setSession(null);
  location.hash = "#/";
});
document.getElementById("lang").addEventListener("click", () => {
  setLanguage(language() === "ko" ? "en" : "ko");
  route();
});
window.addEventListener("hashchange", route);
setLanguage(language());
route();
