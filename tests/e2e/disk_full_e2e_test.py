"""End to end for issue #31's full disk, on a real tacosd whose data directory is a 400 MB tmpfs
(mounting needs root, as in CI's container; elsewhere the test is skipped and says why):

- full: a hold is refused with UNAVAILABLE, reads go on, GetSystemHealth says DEGRADED (the
  snapshot store and the storage dependency) and /metrics shows tt_storage_degraded 1;
- emptied: with no write asking for it, health is HEALTHY again and tt_storage_degraded 0 within
  seconds (the store's own watch reopens the database), and holds are taken again, the ones
  acknowledged before still there."""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.request
import uuid

import grpc

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from proto.common.v1 import admin_pb2, admin_pb2_grpc  # noqa: E402
from proto.reservation.v1 import inventory_pb2, inventory_pb2_grpc  # noqa: E402
from proto.reservation.v1 import reservation_pb2, reservation_pb2_grpc  # noqa: E402

from node_process import NodeProcess, eventually  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
A = admin_pb2
R = reservation_pb2
CALL_TIMEOUT = 10
EVENT = "disk-full-hall"
SEATS = ["A-1-%d" % n for n in range(1, 41)]
# Holds fill the disk: RocksDB preallocates its WAL (about 70 MB), so writes fail only once
# that is used up, tens of thousands of holds later (many at a time, 10 seats each).
STADIUMS = ["disk-full-stadium-%d" % n for n in range(4)]
HOLDERS = 16


def mount_tmpfs(path, size):
    """None when mounted, else why not."""
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path],
                          capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip() or "mount failed")


def fill(path):
    block = b"\0" * (1 << 16)
    with open(path, "wb") as f:
        try:
            while True:
                f.write(block)
                f.flush()
        except OSError:
            pass


class DiskFull(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.disk = tempfile.mkdtemp(prefix="tacosd-e2e-tmpfs-")
        why = mount_tmpfs(cls.disk, "400m")
        if why is not None:
            os.rmdir(cls.disk)
            raise unittest.SkipTest("cannot mount a tmpfs here (%s)" % why)
        cls.addClassCleanup(lambda: (subprocess.run(["umount", "-l", cls.disk]),
                                     os.rmdir(cls.disk)))
        cls.node = NodeProcess(TACOSD, "--metrics.listen", "127.0.0.1:0",
                               data_dir=os.path.join(cls.disk, "data")).start()
        cls.addClassCleanup(cls.node.close)
        cls.channel = cls.node.channel()
        cls.addClassCleanup(cls.channel.close)
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.channel)
        cls.res = reservation_pb2_grpc.ReservationServiceStub(cls.channel)
        cls.inv = inventory_pb2_grpc.InventoryServiceStub(cls.channel)
        cls.metrics_port = eventually("the metrics listener's line", lambda: next(
            (int(e["msg"].rsplit(" ", 1)[1]) for e in cls.node.log_entries()
             if e["msg"].startswith("metrics: serving /metrics on port ")), None))

    def define(self, event, rows, seats):
        doc = {"event_id": event, "name": "Disk full", "venue": "Hall", "currency": "KRW",
               "sale_starts_at": "2020-01-01T00:00:00Z", "sale_ends_at": "2099-01-01T00:00:00Z",
               "sections": [{"section": "A", "name": "A", "price": 1000,
                             "rows": [{"rows": rows, "seats": seats}]}]}
        self.admin.UpdateConfig(A.UpdateConfigRequest(config_key="catalog.event",
                                                      config_value=json.dumps(doc)),
                                timeout=CALL_TIMEOUT)

    def hold_until_refused(self):
        """Holds 10 stadium seats at a time, HOLDERS at once, until one is refused: its error."""
        def holder(n):
            for i in range(100000):
                try:
                    self.res.CreateReservation(R.CreateReservationRequest(
                        event_id=STADIUMS[n % len(STADIUMS)], user_id="h-%d-%d" % (n, i), quantity=10,
                        idempotency_key=uuid.uuid4().hex), timeout=CALL_TIMEOUT)
                except grpc.RpcError as e:
                    return e
            return None
        with concurrent.futures.ThreadPoolExecutor(HOLDERS) as pool:
            refusals = [r for r in pool.map(holder, range(HOLDERS)) if r is not None]
        return refusals[0] if refusals else None

    def hold(self, seat):
        return self.res.CreateReservation(R.CreateReservationRequest(
            event_id=EVENT, user_id="u-" + seat, seat_ids=[seat],
            idempotency_key=uuid.uuid4().hex), timeout=CALL_TIMEOUT)

    def degraded_gauge(self):
        url = "http://127.0.0.1:%d/metrics" % self.metrics_port
        with urllib.request.urlopen(url, timeout=CALL_TIMEOUT) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("tt_storage_degraded "):
                    return float(line.split()[1])
        return None

    def health(self):
        reply = self.admin.GetSystemHealth(A.GetSystemHealthRequest(include_dependencies=True),
                                           timeout=CALL_TIMEOUT)
        store = [s for s in reply.services if s.service_name == "snapshot_store"]
        return reply.overall_status, store[0].status if store else None

    def test_a_full_disk_degrades_the_node_and_it_resumes_by_itself(self):
        self.define(EVENT, "1", "1-40")
        for stadium in STADIUMS:
            self.define(stadium, "1-100", "1-1000")
        first = self.hold(SEATS[0])
        self.assertEqual(self.degraded_gauge(), 0)
        fill(os.path.join(self.disk, "filler"))
        refused = self.hold_until_refused()
        self.assertIsNotNone(refused, "every hold was taken on a full disk")
        self.assertEqual(refused.code(), grpc.StatusCode.UNAVAILABLE, refused.details())
        self.assertEqual(self.health(), (A.SYSTEM_HEALTH_STATUS_DEGRADED,
                                         A.HEALTH_STATUS_DEGRADED))
        self.assertEqual(self.degraded_gauge(), 1)
        # Reads go on.
        got = self.res.GetReservation(R.GetReservationRequest(
            reservation_id=first.reservation_id, user_id="u-" + SEATS[0]), timeout=CALL_TIMEOUT)
        self.assertEqual(got.reservation.status, R.RESERVATION_STATUS_HOLD)
        self.inv.CheckAvailability(inventory_pb2.CheckAvailabilityRequest(
            event_id=EVENT, seat_ids=SEATS[:1]), timeout=CALL_TIMEOUT)

        os.remove(os.path.join(self.disk, "filler"))
        # No write asks for it.
        eventually("the store to resume by itself", self.degraded_gauge, until=lambda v: v == 0)
        eventually("a healthy node", self.health,
                   until=lambda h: h[0] == A.SYSTEM_HEALTH_STATUS_HEALTHY)
        self.hold(SEATS[1])
        got = self.res.GetReservation(R.GetReservationRequest(
            reservation_id=first.reservation_id, user_id="u-" + SEATS[0]), timeout=CALL_TIMEOUT)
        self.assertEqual(got.reservation.status, R.RESERVATION_STATUS_HOLD)


if __name__ == "__main__":
    unittest.main(verbosity=2)
