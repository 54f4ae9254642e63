"""ops/bench/join_users.py: --target, --event and --out are required; a correct list joins that
many users to a real node's waiting room (admissions stopped, so all stay waiting) and writes one
GetQueueStatus request per user."""
import json
import os
import sys
import tempfile
import unittest

from ops_scripts import BUILD, TACOSD, ScriptChecks

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from node_process import NodeProcess  # noqa: E402 (ops_scripts put tests/e2e on the path)
from proto.common.v1 import admin_pb2, admin_pb2_grpc  # noqa: E402
from proto.gateway.v1 import queue_pb2, queue_pb2_grpc  # noqa: E402

EVENT = "join-users-hall"
EVENT_JSON = json.dumps({
    "event_id": EVENT, "name": "Join", "venue": "Hall", "sale_starts_at": "2020-01-01T00:00:00Z",
    "sale_ends_at": "2099-01-01T00:00:00Z", "waiting_room": {"admissions_per_second": 1},
    "sections": [{"section": "A", "price": 1000, "rows": [{"row": "1", "seats": "1-10"}]}]})


class JoinUsers(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/bench/join_users.py"
    HELP = "--stop-admissions"
    BAD = [([], "the following arguments are required: --target, --event, --out"),
           (["--target", "x:1", "--event", EVENT, "--out", "f", "--users", "many"],
            "argument --users: invalid int value: 'many'")]

    def test_users_join_and_their_requests_are_written(self):
        node = NodeProcess(TACOSD, "--catalog.dir", "/nonexistent").start()
        try:
            with node.channel() as channel, tempfile.TemporaryDirectory() as tmp:
                admin_pb2_grpc.AdminServiceStub(channel).UpdateConfig(admin_pb2.UpdateConfigRequest(
                    config_key="catalog.event", config_value=EVENT_JSON), timeout=10)
                out = os.path.join(tmp, "requests.jsonl")
                done = self.run_script("--target", "127.0.0.1:%d" % node.port, "--event", EVENT,
                                       "--users", "5", "--prefix", "t-", "--out", out,
                                       "--stop-admissions", "--build", BUILD, expect=0)
                self.assertIn("join_users: 5 users joined %s" % EVENT, done.stderr)
                with open(out) as f:
                    requests = [json.loads(line) for line in f]
                self.assertEqual(len({r["waiting_token"] for r in requests}), 5)
                stats = queue_pb2_grpc.QueueServiceStub(channel).GetQueueStats(
                    queue_pb2.GetQueueStatsRequest(event_id=EVENT), timeout=10)
                self.assertEqual([(e.total_waiting, e.total_admitted) for e in stats.events],
                                 [(5, 0)])
        finally:
            node.stop()
            node.close()


if __name__ == "__main__":
    unittest.main()
