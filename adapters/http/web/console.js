// The operator console: sign in with an operator's token (a JWT carrying the node's
// auth.admin_role, from the organisation's identity provider) or an operator account, pick an
// event, watch its seats by section (sold / held / available / blocked) and its waiting room
// (waiting, admitted, rate) refresh every 2 s, and switch STOP_ADMISSIONS (this event) or
// MAINTENANCE_MODE (every room) on or off.

import { call, session, setSession } from "./api.js";
import { errorText, language, setLanguage } from "./i18n.js";
import { el, toast } from "./ui.js";

const words = {
  ko: {
    title: "운영 콘솔", token: "운영자 토큰", use: "토큰으로 시작", or: "또는 운영자 계정",
    username: "아이디", password: "비밀번호", login: "로그인", event: "공연",
    section: "구역", total: "전체", sold: "판매", held: "예약 중", available: "남음",
    blocked: "판매 불가", all: "합계", queue: "대기열", waiting: "대기", admitted: "입장",
    rate: "분당 입장", stop: "입장 중단", resume: "입장 재개", maint_on: "점검 모드 켜기",
    maint_off: "점검 모드 끄기", confirm: "정말 실행할까요?",
  },
  en: {
    title: "Operator console", token: "Operator token", use: "Use this token",
    or: "or an operator account", username: "Username", password: "Password", login: "Sign in",
    event: "Event", section: "Section", total: "Total", sold: "Sold", held: "Held",
    available: "Available", blocked: "Blocked", all: "All", queue: "Waiting room",
    waiting: "Waiting", admitted: "Admitted", rate: "Admitted / min", stop: "Stop admissions",
    resume: "Resume admissions", maint_on: "Maintenance mode on", maint_off: "Maintenance mode off",
    confirm: "Really do this?",
  },
};
const w = (key) => words[language()][key] ?? words.en[key];
const view = document.getElementById("view");
{
  const brand = el("a", "", "Traffic Tacos · Console");
  brand.id = "brand";
  brand.href = "/console.html";
  const nav = el("nav");
  for (const id of ["logout", "lang"]) {
    const b = el("button");
    b.type = "button";
    b.id = id;
    nav.append(b);
  }
  document.getElementById("top").append(brand, nav);
}
let timer = null;

function signInView() {
  const form = el("form", "stack");
  const token = el("textarea");
  token.id = "operator-token";
  token.rows = 4;
  const tokenLabel = el("label", "", w("token"));
  tokenLabel.append(token);
  const use = el("button", "", w("use"));
  use.type = "button";
  use.id = "use-token";
  use.addEventListener("click", () => {
    setSession({ token: token.value.trim(), username: "operator" });
    show();
  });
  const user = el("input");
  user.id = "username";
  const pass = el("input");
  pass.id = "password";
  pass.type = "password";
  const userLabel = el("label", "", w("username"));
  userLabel.append(user);
  const passLabel = el("label", "", w("password"));
  passLabel.append(pass);
  const login = el("button", "secondary", w("login"));
  login.type = "button";
  login.addEventListener("click", () =>
    call("POST", "/api/v1/auth/login", { username: user.value, password: pass.value })
      .then((s) => { setSession(s); show(); }, (e) => toast(errorText(e))));
  form.append(tokenLabel, use, el("p", "muted", w("or")), userLabel, passLabel, login);
  form.addEventListener("submit", (e) => e.preventDefault());
  view.append(el("h1", "", w("title")), form);
}

async function consoleView() {
  view.append(el("h1", "", w("title")));
  const picker = el("select");
  picker.id = "event";
  const pickLabel = el("label", "inline", w("event"));
  pickLabel.append(picker);
  const { events } = await call("GET", "/api/v1/events");
  for (const e of events) {
    const o = el("option", "", `${e.name} (${e.event_id})`);
    o.value = e.event_id;
    picker.append(o);
  }
  const table = el("table", "figures");
  table.id = "sections";
  const queue = el("p", "summary");
  queue.id = "queue";
  const result = el("p", "muted");
  result.id = "action-result";
  const act = (id, label, body) => {
    const b = el("button", id.startsWith("maint") ? "secondary" : "", w(label));
    b.type = "button";
    b.id = id;
    b.addEventListener("click", async () => {
      if (!confirm(w("confirm"))) return;
      try {
        const r = await call("POST", "/api/v1/admin/emergency", { ...body(), reason: "console" });
        result.textContent = r.result;
      } catch (e) {
        toast(errorText(e));
      }
    });
    return b;
  };
  const buttons = el("div", "buttons");
  buttons.append(
    act("stop", "stop", () => ({ action: "STOP_ADMISSIONS", mode: "on", event_id: picker.value })),
    act("resume", "resume", () => ({ action: "STOP_ADMISSIONS", mode: "off", event_id: picker.value })),
    act("maint-on", "maint_on", () => ({ action: "MAINTENANCE_MODE", mode: "on" })),
    act("maint-off", "maint_off", () => ({ action: "MAINTENANCE_MODE", mode: "off" })));
  view.append(pickLabel, table, el("h2", "", w("queue")), queue, buttons, result);

  const refresh = async () => {
    if (!picker.value) return;
    try {
      const o = await call("GET", "/api/v1/admin/events/" + encodeURIComponent(picker.value));
      const head = el("tr");
      for (const k of ["section", "total", "sold", "held", "available", "blocked"])
        head.append(el("th", "", w(k)));
      const rows = [head];
      for (const s of [...o.sections, { ...o.totals, section: w("all"), name: "" }]) {
        const tr = el("tr");
        tr.dataset.section = s.section;
        tr.append(el("td", "", s.name ? `${s.name} (${s.section})` : s.section));
        for (const k of ["total", "sold", "held", "available", "blocked"]) {
          const td = el("td", "", String(s[k]));
          td.dataset.figure = k;
          tr.append(td);
        }
        rows.push(tr);
      }
      table.replaceChildren(...rows);
      queue.textContent = `${w("waiting")} ${o.queue.waiting} · ${w("admitted")} ${o.queue.admitted}` +
        ` · ${w("rate")} ${o.queue.admission_rate_per_minute}`;
    } catch (e) {
      toast(errorText(e));
      if (e.status === 401 || e.status === 403) {
        setSession(null);
        show();
      }
    }
  };
  picker.addEventListener("change", refresh);
  await refresh();
  timer = setInterval(refresh, 2000);
}

function show() {
  clearInterval(timer);
  view.replaceChildren();
  document.getElementById("lang").textContent = language() === "ko" ? "EN" : "한국어";
  document.getElementById("logout").hidden = !session();
  document.getElementById("logout").textContent = language() === "ko" ? "로그아웃" : "Sign out";
  if (session()) consoleView().catch((e) => toast(errorText(e)));
  else signInView();
}

document.getElementById("logout").addEventListener("click", () => {
  setSession(null);
  show();
});
document.getElementById("lang").addEventListener("click", () => {
  setLanguage(language() === "ko" ? "en" : "ko");
  show();
});
setLanguage(language());
show();
