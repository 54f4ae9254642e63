"""End to end for ops/tools/client.py, run as a user runs it (its own process, JSON on stdout)
against a real tacosd: the README's tour needs no other tool. services and the health commands
answer; events lists the catalog; a hold paid with the approve outcome is watched until
CONFIRMED; a failed payment releases the seats; an event with a waiting room refuses a plain hold
with a hint and takes one made with --join; a failed call prints the contract's error and exits 1.

The node settles simulated payments after 200 ms; waits are the client's own bounded ones."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from node_process import NodeProcess  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLIENT = os.path.join(ROOT, "ops", "tools", "client.py")
OPEN_EVENT = "client-hall"
QUEUED_EVENT = "client-arena"
PRICE = 40000
EVENT_YAML = """event_id: %s
name: %s
venue: Hall
sale_starts_at: 2020-01-01T00:00:00Z
sale_ends_at: 2099-01-01T00:00:00Z
sections:
  - {section: A, name: Floor, price: %d, rows: [{rows: "1-2", seats: "1-10"}]}
  - {section: B, name: Balcony, price: 20000, rows: [{row: "1", seats: "1-5"}]}
"""
WAITING_ROOM = "waiting_room: {admissions_per_second: 100, max_active: 10}\n"


class Client(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.catalog = tempfile.TemporaryDirectory(prefix="client-catalog-")
        with open(os.path.join(cls.catalog.name, "hall.yaml"), "w") as f:
            f.write(EVENT_YAML % (OPEN_EVENT, "Open Hall", PRICE))
        with open(os.path.join(cls.catalog.name, "arena.yaml"), "w") as f:
            f.write(EVENT_YAML % (QUEUED_EVENT, "Queued Arena", PRICE) + WAITING_ROOM)
        cls.node = NodeProcess(TACOSD, "--catalog.dir", cls.catalog.name,
                               "--payment.settle_delay_ms", "200").start()

    @classmethod
    def tearDownClass(cls):
        cls.node.stop()
        cls.node.close()
        cls.catalog.cleanup()

    def client(self, *args, expect=0):
        """Runs the client; returns (stdout, stderr) after checking its exit status."""
        done = subprocess.run([CLIENT, "--target", "127.0.0.1:%d" % self.node.port, *args],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, expect, "client %s:\n%s%s" % (
            " ".join(args), done.stdout, done.stderr))
        return done.stdout, done.stderr

    def json_of(self, *args):
        return json.loads(self.client(*args)[0])

    def hold(self, user, *seats):
        seat_args = [a for s in seats for a in ("--seat", s)] or ["--quantity", "2"]
        held = self.json_of("hold", "--event", OPEN_EVENT, "--user", user, *seat_args)
        self.assertEqual(held["status"], "RESERVATION_STATUS_HOLD")
        return held

    def watch(self, held, user):
        """The watch's lines, parsed; the last one holds the final status."""
        out, _ = self.client("watch", "--reservation", held["reservation_id"], "--user", user,
                             "--timeout", "30")
        return [json.loads(line) for line in out.splitlines()]

    def final_status(self, lines):
        last = lines[-1]
        if "reservation" in last:  # final already when the watch began: GetReservation's reply
            return last["reservation"]["status"]
        return last["reservation_update"]["new_status"]

    def test_services_and_health(self):
        services = self.client("services")[0].split()
        self.assertIn("reservation.v1.ReservationService", services)
        self.assertIn("payment.v1.PaymentService", services)
        self.assertEqual(self.json_of("health")["status"], "HEALTH_STATUS_HEALTHY")
        self.assertIn("overall_status", self.json_of("system-health"))

    def test_events_lists_the_catalog_as_the_node_reports_it(self):
        listed = {e["id"]: e for e in self.json_of("events", "--catalog", self.catalog.name)
                  ["events"]}
        self.assertEqual(set(listed), {OPEN_EVENT, QUEUED_EVENT})
        hall = listed[OPEN_EVENT]
        self.assertEqual(
            (hall["name"], hall["total_seats"], hall["sections"], hall["waiting_room"]),
            ("Open Hall", 25, ["A", "B"], False))
        self.assertTrue(listed[QUEUED_EVENT]["waiting_room"])

    def test_a_paid_hold_is_watched_until_confirmed(self):
        held = self.hold("ann")
        self.assertEqual(held["total_amount"]["amount"], str(2 * PRICE))
        # The watch starts before the payment, so the confirmation reaches it on the stream.
        watcher = subprocess.Popen(
            [CLIENT, "--target", "127.0.0.1:%d" % self.node.port, "watch", "--reservation",
             held["reservation_id"], "--user", "ann", "--timeout", "30"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first = json.loads(watcher.stdout.readline())
            self.assertEqual(first["reservation"]["status"], "RESERVATION_STATUS_HOLD")
            paid = self.json_of("pay", "--reservation", held["reservation_id"], "--user", "ann")
            self.assertEqual(paid["intent"]["status"], "PAYMENT_STATUS_PENDING")
            self.assertEqual(paid["payment"]["status"], "PAYMENT_STATUS_PROCESSING")
            rest, err = watcher.communicate(timeout=60)
        finally:
            watcher.kill()
            watcher.wait()
        self.assertEqual(watcher.returncode, 0, err)
        updates = [json.loads(line)["reservation_update"] for line in rest.splitlines()]
        self.assertEqual(updates[-1]["new_status"], "RESERVATION_STATUS_CONFIRMED")
        self.assertEqual({u["reservation_id"] for u in updates}, {held["reservation_id"]})
        got = self.json_of("reservation", held["reservation_id"], "--user", "ann")["reservation"]
        self.assertEqual(got["status"], "RESERVATION_STATUS_CONFIRMED")
        self.assertEqual(got["payment_intent_id"], paid["intent"]["payment_intent_id"])
        self.assertTrue(got["order_id"])
        # Watching a reservation that is already final prints it and ends at once.
        self.assertEqual(self.final_status(self.watch(held, "ann")), "RESERVATION_STATUS_CONFIRMED")

    def test_a_failed_payment_releases_the_seats(self):
        held = self.hold("bob", "B-1-1", "B-1-2")
        paid = self.json_of("pay", "--reservation", held["reservation_id"], "--user", "bob",
                            "--outcome", "fail")
        self.assertEqual(paid["payment"]["status"], "PAYMENT_STATUS_PROCESSING")
        self.assertEqual(self.final_status(self.watch(held, "bob")), "RESERVATION_STATUS_FAILED")
        # Released: another user holds the very same seats.
        again = self.hold("cid", "B-1-1", "B-1-2")
        self.assertEqual(sorted(s["id"] for s in again["reserved_seats"]), ["B-1-1", "B-1-2"])

    def test_a_queued_event_needs_join(self):
        out, err = self.client("hold", "--event", QUEUED_EVENT, "--user", "dan", "--quantity",
                               "1", expect=1)
        self.assertIn("error: PERMISSION_DENIED", err)
        self.assertIn("add --join", err)
        self.assertEqual(json.loads(out)["code"], "ERROR_CODE_FORBIDDEN")
        out, err = self.client("hold", "--event", QUEUED_EVENT, "--user", "dan", "--quantity",
                               "1", "--join")
        self.assertIn("queue: admitted", err)
        self.assertEqual(json.loads(out)["status"], "RESERVATION_STATUS_HOLD")

    def test_a_failed_call_prints_the_contract_error(self):
        out, err = self.client("reservation", "r-nonexistent", "--user", "eve", expect=1)
        self.assertIn("error: INVALID_ARGUMENT malformed reservation_id", err)
        error = json.loads(out)
        self.assertEqual((error["code"], error["details"][0]["field"]),
                         ("ERROR_CODE_INVALID_ARGUMENT", "reservation_id"))

    def test_a_watch_that_sees_no_final_status_gives_up_at_its_timeout(self):
        held = self.hold("fay")  # a 60 s hold: not final within the watch's 1 s
        out, err = self.client("watch", "--reservation", held["reservation_id"], "--user", "fay",
                               "--timeout", "1", expect=1)
        self.assertIn("is not final after 1 s", err)
        self.assertEqual(json.loads(out.splitlines()[0])["reservation"]["status"],
                         "RESERVATION_STATUS_HOLD")


if __name__ == "__main__":
    unittest.main()
