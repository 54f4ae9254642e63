"""Browser tests for issue #28's storefront: a real tacosd serving its pages at /, driven in
headless Chromium (Debian's chromium + chromium-driver, python3-selenium).

- A buyer registers, enters the event's waiting room (position over /ws/queue), is admitted,
  picks two adjacent seats on the seat map, holds them (a countdown runs), pays with the approve
  outcome and sees the confirmation with the order id and both seats.
- A second browser, watching the same event without signing in, sees those seats turn taken
  without reloading its page.
- A second hold paid with the fail outcome (payments settle after 5 s, so the watcher, polling
  every 2 s, sees the hold) shows the failure, and the watcher sees those seats
  available again; "my reservations" lists both, and cancels nothing that is not the buyer's.

The buyer's pages are in Korean, the watcher's in its browser's language.
- The operator console, signed in with an operator's token (role auth.admin_role), shows the
  event's seats by section (blocked ones counted) and its waiting room, and its buttons stop and
  resume admissions; a buyer's token is refused the console's routes (403).
Screenshots of each step go to TT_SCREENSHOTS (the build's tests/e2e/screenshots)."""
import base64
import hashlib
import hmac
import json
import os
import time
import shutil
import sys
import tempfile
import unittest
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from http_client import Api  # noqa: E402
from node_process import NodeProcess  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
SHOTS = os.environ.get("TT_SCREENSHOTS") or tempfile.mkdtemp(prefix="browser-shots-")
EVENT = "taco-concert"
JWT_SECRET = "browser-e2e-secret-0123456789abcdef"


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def operator_token():
    """An operator's token as an identity provider would issue it: HS256 under the node's key,
    the node's issuer and audience, role "operator" (auth.admin_role)."""
    claims = {"sub": "op-1", "iss": "traffic-tacos", "aud": "traffic-tacos-api",
              "role": "operator", "exp": int(time.time()) + 3600}
    signed = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(claims).encode())
    mac = hmac.new(JWT_SECRET.encode(), signed.encode(), hashlib.sha256).digest()
    return signed + "." + b64url(mac)


def catalog_doc():
    return {"event_id": EVENT, "name": "타코 콘서트 Taco Concert", "venue": "서울 올림픽홀",
            "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-12-31T00:00:00Z",
            "currency": "KRW",
            "waiting_room": {"admissions_per_second": 50, "max_active": 100},
            "sections": [
                {"section": "VIP", "name": "VIP석", "price": 150000,
                 "rows": [{"rows": "1-2", "seats": "1-10"}]},
                {"section": "R", "name": "R석", "price": 99000,
                 "rows": [{"rows": "1-4", "seats": "1-12"}]}],
            "blocked_seats": ["VIP-1-1", "VIP-1-2"]}


def browser(width, height):
    opts = Options()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=%d,%d" % (width, height), "--lang=ko-KR"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


class StorefrontTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(SHOTS, exist_ok=True)
        cls.catalog = tempfile.mkdtemp(prefix="browser-catalog-")
        cls.addClassCleanup(shutil.rmtree, cls.catalog)
        with open(os.path.join(cls.catalog, EVENT + ".json"), "w") as f:
            json.dump(catalog_doc(), f, ensure_ascii=False)
        cls.node = NodeProcess(TACOSD, "--catalog.dir", cls.catalog, "--queue.tick_ms", "20",
                               "--payment.settle_delay_ms", "5000",
                               "--auth.jwt_hs256_secret", JWT_SECRET,
                               "--auth.admin_role", "operator")
        cls.addClassCleanup(cls.node.close)
        cls.addClassCleanup(cls.node.stop)
        cls.node.start()
        cls.base = "http://127.0.0.1:%d/" % cls.node.http_port
        cls.buyer = browser(412, 915)  # a phone-sized screen
        cls.addClassCleanup(cls.buyer.quit)
        cls.watcher = browser(1280, 900)
        cls.addClassCleanup(cls.watcher.quit)

    def shot(self, driver, name):
        driver.save_screenshot(os.path.join(SHOTS, name + ".png"))

    def wait(self, driver, what, condition, timeout=15):
        try:
            return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
                lambda d: condition(d))
        except Exception:
            self.shot(driver, "failed-" + what.replace(" ", "-"))
            raise AssertionError("timed out waiting for " + what)

    def seat_status(self, driver, seat):
        """Read in one script: the map is redrawn every 2 s, which makes held elements stale."""
        return driver.execute_script(
            "const e = document.querySelector('[data-seat=\"' + arguments[0] + '\"]');"
            "return e ? e.dataset.status : null;", seat)

    def click_seat(self, driver, seat):
        def click(d):
            try:
                d.find_element(By.CSS_SELECTOR, '[data-seat="%s"]' % seat).click()
                return True
            except StaleElementReferenceException:  # redrawn in between: find it again
                return False
        self.wait(driver, "a click on " + seat, click)
        self.wait(driver, seat + " selected", lambda d: d.execute_script(
            "return document.querySelector('[data-seat=\"' + arguments[0] + '\"]')"
            ".classList.contains('selected')", seat))

    def register(self, driver):
        driver.get(self.base + "#/login")
        name = "buyer" + uuid.uuid4().hex[:8]
        self.wait(driver, "the login form", lambda d: d.find_elements(By.ID, "username"))
        driver.find_element(By.ID, "username").send_keys(name)
        driver.find_element(By.ID, "password").send_keys("pw-" + name)
        driver.find_element(By.ID, "email").send_keys(name + "@example.com")
        driver.find_element(By.ID, "display").send_keys("구매자 " + name)
        driver.find_element(By.ID, "do-register").click()
        self.wait(driver, "signed in", lambda d: d.find_element(By.ID, "who").text == name)
        return name

    def enter(self):
        """Goes through the waiting room (an admission is good for one hold)."""
        b = self.buyer
        b.get(self.base + "#/event/" + EVENT)
        self.wait(b, "the join button", lambda d: d.find_elements(By.ID, "join"))
        b.find_element(By.ID, "join").click()
        self.wait(b, "admission", lambda d: d.find_elements(By.ID, "admitted"))

    def hold_and_pay(self, seats, outcome):
        """Enters, picks `seats` on the buyer's map, holds them and pays with `outcome`."""
        b = self.buyer
        self.enter()
        self.wait(b, "the map", lambda d: all(self.seat_status(d, s) == "available"
                                              for s in seats))
        for s in seats:
            self.click_seat(b, s)
        self.wait(b, "the hold button", lambda d: d.find_element(By.ID, "hold").is_enabled())
        b.find_element(By.ID, "hold").click()
        self.wait(b, "the hold page", lambda d: d.find_elements(By.ID, "countdown") and
                  ":" in d.find_element(By.ID, "countdown").text)
        self.shot(b, "held-" + outcome)
        self.assertTrue(b.find_element(By.ID, "extend").is_enabled())
        Select(b.find_element(By.ID, "outcome")).select_by_value(outcome)
        b.find_element(By.ID, "pay").click()

    def test_buy_watch_and_fail(self):
        b, w = self.buyer, self.watcher
        # The watcher opens the event first and never reloads: a marker on its window would
        # vanish with a reload.
        w.get(self.base + "#/event/" + EVENT)
        self.wait(w, "the watcher's map", lambda d: self.seat_status(d, "R-2-5") == "available")
        self.assertEqual(self.seat_status(w, "VIP-1-1"), "blocked")
        w.execute_script("window.__notReloaded = true")
        self.shot(w, "watcher-before")

        self.register(b)
        b.get(self.base + "#/")
        self.wait(b, "the event list", lambda d: d.find_elements(
            By.CSS_SELECTOR, '[data-event="%s"]' % EVENT))
        self.assertIn("타코 콘서트", b.find_element(By.CSS_SELECTOR, '[data-event="%s"]' % EVENT).text)
        if b.find_element(By.TAG_NAME, "h1").text != "공연 목록":  # Korean, whatever the default
            b.find_element(By.ID, "lang").click()
        self.wait(b, "the Korean page", lambda d: d.find_element(By.TAG_NAME, "h1").text ==
                  "공연 목록")
        self.shot(b, "events")
        b.find_element(By.CSS_SELECTOR, '[data-event="%s"]' % EVENT).click()
        self.wait(b, "the join button", lambda d: d.find_elements(By.ID, "join"))
        self.assertFalse(b.find_element(By.ID, "hold").is_enabled())  # not admitted yet

        self.hold_and_pay(["R-2-5", "R-2-6"], "approve")
        self.wait(b, "the confirmation", lambda d: d.find_elements(By.ID, "order-id") and
                  d.find_element(By.ID, "order-id").text)
        self.assertTrue(b.find_element(By.ID, "order-id").text.startswith("o-"))
        self.assertEqual(b.find_element(By.ID, "done-seats").text, "R-2-5, R-2-6")
        self.shot(b, "confirmed")

        self.wait(w, "the sold seats on the watcher's map", lambda d: (
            self.seat_status(d, "R-2-5"), self.seat_status(d, "R-2-6")) == ("taken", "taken"))
        self.assertTrue(w.execute_script("return window.__notReloaded === true"))
        self.shot(w, "watcher-sold")

        # A failed payment: the page says so, and the seats come back on the watcher's map.
        self.hold_and_pay(["R-3-1", "R-3-2"], "fail")
        self.wait(w, "the held seats on the watcher's map",
                  lambda d: self.seat_status(d, "R-3-1") == "taken", timeout=10)
        self.wait(b, "the failure", lambda d: d.find_element(By.ID, "pay-status")
                  .get_attribute("data-outcome") == "RESERVATION_STATUS_FAILED")
        self.assertTrue(b.find_element(By.ID, "pay-status").text)
        self.shot(b, "payment-failed")
        self.wait(w, "the released seats on the watcher's map", lambda d: (
            self.seat_status(d, "R-3-1"), self.seat_status(d, "R-3-2")) == ("available",
                                                                            "available"))
        self.assertTrue(w.execute_script("return window.__notReloaded === true"))
        self.shot(w, "watcher-released")

        b.get(self.base + "#/mine")
        self.wait(b, "my reservations", lambda d: len(d.find_elements(
            By.CSS_SELECTOR, ".reservation")) == 2)
        statuses = sorted(e.get_attribute("data-status")
                          for e in b.find_elements(By.CSS_SELECTOR, ".reservation"))
        self.assertEqual(statuses, ["CONFIRMED", "FAILED"])
        self.shot(b, "mine")

    def test_operator_console(self):
        api = Api(self.node.http_port)
        self.addCleanup(api.close)
        name = "plain" + uuid.uuid4().hex[:8]
        buyer = api.call("POST", "/api/v1/auth/register",
                         {"username": name, "password": "pw-" + name, "email": name + "@x.io",
                          "display_name": name}).body
        r = api.call("GET", "/api/v1/admin/events/" + EVENT, token=buyer["token"])
        self.assertEqual((r.status, r.body["error"]["code"]), (403, "FORBIDDEN"))
        self.assertEqual(api.call("GET", "/api/v1/admin/events/" + EVENT).status, 401)

        w = self.watcher
        w.get(self.base + "console.html")
        self.wait(w, "the console's sign-in", lambda d: d.find_elements(By.ID, "operator-token"))
        w.find_element(By.ID, "operator-token").send_keys(operator_token())
        w.find_element(By.ID, "use-token").click()
        self.wait(w, "the section figures", lambda d: d.find_elements(
            By.CSS_SELECTOR, '#sections tr[data-section="VIP"]'))
        figures = w.execute_script(
            "const out = {};"
            "for (const tr of document.querySelectorAll('#sections tr[data-section]')) {"
            "  out[tr.dataset.section] = {};"
            "  for (const td of tr.querySelectorAll('td[data-figure]'))"
            "    out[tr.dataset.section][td.dataset.figure] = Number(td.textContent);"
            "}"
            "return out;")
        self.assertEqual((figures["VIP"]["total"], figures["VIP"]["blocked"]), (20, 2))
        self.assertEqual(figures["R"]["total"], 48)
        for f in figures.values():
            self.assertEqual(f["sold"] + f["held"] + f["available"] + f["blocked"], f["total"])
        self.assertRegex(w.find_element(By.ID, "queue").text, r"\d")
        self.assertGreaterEqual(figures["R"]["sold"], 2)  # the buyer's two seats (test_buy_...)
        self.shot(w, "console")
        w.find_element(By.ID, "stop").click()
        w.switch_to.alert.accept()
        self.wait(w, "admissions stopped", lambda d: "STOP_ADMISSIONS on" in d.find_element(
            By.ID, "action-result").text)
        self.shot(w, "console-stopped")
        w.find_element(By.ID, "resume").click()
        w.switch_to.alert.accept()
        self.wait(w, "admissions resumed", lambda d: "STOP_ADMISSIONS off" in d.find_element(
            By.ID, "action-result").text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
