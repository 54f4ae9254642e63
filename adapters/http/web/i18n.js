// The storefront's words in Korean and English. The language is the visitor's choice (kept in
// localStorage), else the browser's.

const words = {
  ko: {
    "nav.mine": "내 예매",
    "nav.login": "로그인",
    "nav.logout": "로그아웃",
    "events.title": "공연 목록",
    "events.empty": "판매 중인 공연이 없습니다.",
    "events.queue": "대기열 있음",
    "events.seats": "{n}석",
    "login.title": "로그인 / 회원가입",
    "login.username": "아이디",
    "login.password": "비밀번호",
    "login.email": "이메일",
    "login.display": "이름",
    "login.login": "로그인",
    "login.register": "회원가입",
    "event.join": "대기열 입장",
    "event.login_first": "예매하려면 먼저 로그인하세요.",
    "queue.title": "대기실",
    "queue.position": "내 앞 대기 인원: {n}명",
    "queue.eta": "예상 대기 시간: 약 {n}초",
    "queue.ready": "입장 가능합니다. 좌석을 선택하세요.",
    "queue.leave": "대기열 나가기",
    "map.legend.available": "선택 가능",
    "map.legend.selected": "선택함",
    "map.legend.taken": "판매됨/예약됨",
    "map.legend.blocked": "판매 불가",
    "map.row": "{n}열",
    "map.best": "자동 배정",
    "map.best_count": "매수",
    "map.selected": "선택한 좌석: {seats}",
    "map.none_selected": "좌석을 선택하세요.",
    "map.hold": "좌석 잡기",
    "map.no_adjacent": "나란히 남은 좌석 {n}개가 없습니다.",
    "hold.title": "좌석 확보됨",
    "hold.left": "남은 시간 {t}",
    "hold.expired": "좌석 확보 시간이 끝났습니다.",
    "hold.extend": "시간 연장",
    "hold.extended": "시간이 연장되었습니다.",
    "hold.total": "합계 {amount}",
    "pay.outcome": "결제 결과 (시뮬레이션)",
    "pay.approve": "승인",
    "pay.fail": "실패",
    "pay.pay": "결제하기",
    "pay.processing": "결제 처리 중…",
    "pay.failed": "결제에 실패했습니다. 좌석이 반환되었습니다.",
    "done.title": "예매 완료",
    "done.order": "주문 번호",
    "done.seats": "좌석",
    "mine.title": "내 예매",
    "mine.empty": "예매 내역이 없습니다.",
    "mine.cancel": "취소",
    "mine.cancelled": "취소되었습니다.",
    "back.events": "공연 목록으로",
    "back.event": "좌석 선택으로",
    "err.INSUFFICIENT_INVENTORY": "이미 선택된 좌석입니다. 다른 좌석을 고르세요.",
    "err.INVENTORY_CONFLICT": "이미 선택된 좌석입니다. 다른 좌석을 고르세요.",
    "err.SOLD_OUT": "매진되었습니다.",
    "err.RESERVATION_EXPIRED": "좌석 확보 시간이 끝났습니다.",
    "err.TOKEN_EXPIRED": "대기열 토큰이 만료되었습니다. 다시 입장하세요.",
    "err.TOKEN_NOT_FOUND": "대기열 토큰이 없습니다. 다시 입장하세요.",
    "err.NOT_READY": "아직 입장 차례가 아닙니다.",
    "err.UNAUTHENTICATED": "다시 로그인하세요.",
    "err.INVALID_CREDENTIALS": "아이디 또는 비밀번호가 틀렸습니다.",
    "err.USERNAME_EXISTS": "이미 있는 아이디입니다.",
    "err.RATE_LIMITED": "요청이 너무 많습니다. 잠시 후 다시 시도하세요.",
    "err.UNAVAILABLE": "잠시 후 다시 시도하세요.",
    "err.network": "서버에 연결할 수 없습니다.",
  },
  en: {
    "nav.mine": "My reservations",
    "nav.login": "Sign in",
    "nav.logout": "Sign out",
    "events.title": "Events",
    "events.empty": "Nothing on sale.",
    "events.queue": "Waiting room",
    "events.seats": "{n} seats",
    "login.title": "Sign in / register",
    "login.username": "Username",
    "login.password": "Password",
    "login.email": "Email",
    "login.display": "Name",
    "login.login": "Sign in",
    "login.register": "Register",
    "event.join": "Enter the waiting room",
    "event.login_first": "Sign in to buy tickets.",
    "queue.title": "Waiting room",
    "queue.position": "People ahead of you: {n}",
    "queue.eta": "Estimated wait: about {n} s",
    "queue.ready": "It is your turn. Pick your seats.",
    "queue.leave": "Leave the queue",
    "map.legend.available": "Available",
    "map.legend.selected": "Selected",
    "map.legend.taken": "Sold / held",
    "map.legend.blocked": "Not for sale",
    "map.row": "Row {n}",
    "map.best": "Best available",
    "map.best_count": "Seats",
    "map.selected": "Selected: {seats}",
    "map.none_selected": "Pick your seats.",
    "map.hold": "Hold these seats",
    "map.no_adjacent": "No {n} adjacent seats left.",
    "hold.title": "Your seats are held",
    "hold.left": "Time left {t}",
    "hold.expired": "Your hold has ended.",
    "hold.extend": "Extend",
    "hold.extended": "Hold extended.",
    "hold.total": "Total {amount}",
    "pay.outcome": "Payment outcome (simulated)",
    "pay.approve": "Approve",
    "pay.fail": "Fail",
    "pay.pay": "Pay",
    "pay.processing": "Processing the payment…",
    "pay.failed": "The payment failed. Your seats were released.",
    "done.title": "You're going!",
    "done.order": "Order",
    "done.seats": "Seats",
    "mine.title": "My reservations",
    "mine.empty": "No reservations yet.",
    "mine.cancel": "Cancel",
    "mine.cancelled": "Cancelled.",
    "back.events": "Back to events",
    "back.event": "Back to the seats",
    "err.INSUFFICIENT_INVENTORY": "Those seats were just taken. Pick others.",
    "err.INVENTORY_CONFLICT": "Those seats were just taken. Pick others.",
    "err.SOLD_OUT": "Sold out.",
    "err.RESERVATION_EXPIRED": "Your hold has ended.",
    "err.TOKEN_EXPIRED": "Your place in the queue expired. Please queue again.",
    "err.TOKEN_NOT_FOUND": "Your place in the queue is gone. Please queue again.",
    "err.NOT_READY": "It is not your turn yet.",
    "err.UNAUTHENTICATED": "Please sign in again.",
    "err.INVALID_CREDENTIALS": "Wrong username or password.",
    "err.USERNAME_EXISTS": "That username is taken.",
    "err.RATE_LIMITED": "Too many requests; try again in a moment.",
    "err.UNAVAILABLE": "Please try again in a moment.",
    "err.network": "Cannot reach the server.",
  },
};

let lang = localStorage.getItem("tt.lang") ||
  ((navigator.language || "ko").toLowerCase().startsWith("ko") ? "ko" : "en");
if (!words[lang]) lang = "en";

export function language() {
  return lang;
}

export function setLanguage(next) {
  lang = words[next] ? next : "en";
  localStorage.setItem("tt.lang", lang);
  document.documentElement.lang = lang;
}

/// The phrase `key` with {name} placeholders filled from `vars`; the key itself when unknown.
export function t(key, vars = {}) {
  const text = words[lang][key] ?? words.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/// The message for an API error: ours for the codes a buyer meets, else the server's.
export function errorText(error) {
  const key = "err." + error.code;
  return words[lang][key] ? t(key) : error.message || error.code;
}

/// Fills every [data-t] element under `root` with its phrase.
export function translate(root) {
  for (const el of root.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
}

export function money(amount, currency) {
  try {
    return new Intl.NumberFormat(lang === "ko" ? "ko-KR" : "en-US",
      { style: "currency", currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}
