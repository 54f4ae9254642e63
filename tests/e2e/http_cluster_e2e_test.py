"""The HTTP gateway in a cluster (issues #28 and #30): tacos-broker and two tacosd nodes sharing
one JWT key. A buyer signs up on the node that does not own the sale's shard and holds seats
through its HTTP port: the gateway's contract call is forwarded in one hop to the owner like any
gRPC call. The hold then reads back, replays (the same reply) and conflicts (409) through the
owner's HTTP port with the same token: the idempotency records are the owner's, whichever node
and protocol the request came through."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ["TT_PY_STUBS"])

from cluster_process import Cluster, shard_of  # noqa: E402
from http_client import Api, new_key  # noqa: E402
from node_process import eventually, one_section_event  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
BROKER = os.environ["TT_BROKER"]
EVENT = "http-cluster-sale"
CATALOG_YAML = one_section_event(EVENT, "HTTP cluster sale", "1-5", "1-10")


class HttpClusterTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="tt-http-cluster-")
        self.addCleanup(tmp.cleanup)
        with open(os.path.join(tmp.name, "sale.yaml"), "w") as f:
            f.write(CATALOG_YAML)
        self.cluster = Cluster(TACOSD, BROKER, tmp.name, count=2, flags=[
            "--auth.jwt_hs256_secret", "http-cluster-secret-0123456789abcdef"])
        self.addCleanup(self.cluster.close)
        eventually("every shard served by exactly one node", self.cluster.settled, timeout=60,
                   step=0.2)

    def test_a_route_is_forwarded_to_the_shard_owner(self):
        owner = self.cluster.owner_of(shard_of(EVENT))
        other = 1 - owner
        via_other = Api(self.cluster.nodes[other].http_port)
        via_owner = Api(self.cluster.nodes[owner].http_port)
        self.addCleanup(via_other.close)
        self.addCleanup(via_owner.close)

        signed_up = via_other.call("POST", "/api/v1/auth/register",
                                   {"username": "cluster-buyer", "password": "cluster-pw-1"})
        self.assertEqual(signed_up.status, 201, signed_up.body)
        token = signed_up.body["token"]
        key = new_key()
        body = {"event_id": EVENT, "seat_ids": ["A-1-1", "A-1-2"], "quantity": 2}
        held = via_other.call("POST", "/api/v1/reservations", body, token=token, key=key)
        self.assertEqual(held.status, 201, held.body)
        self.assertEqual(held.body["status"], "HOLD")
        rid = held.body["reservation_id"]

        for api in (via_other, via_owner):
            got = api.call("GET", "/api/v1/reservations/" + rid, token=token)
            self.assertEqual(got.status, 200, got.body)
            self.assertEqual((got.body["status"], sorted(got.body["seat_ids"])),
                             ("HOLD", ["A-1-1", "A-1-2"]))
        replay = via_owner.call("POST", "/api/v1/reservations", body, token=token, key=key)
        self.assertEqual((replay.status, replay.body), (201, held.body))
        conflict = via_owner.call("POST", "/api/v1/reservations",
                                  dict(body, seat_ids=["A-2-1"], quantity=1), token=token, key=key)
        self.assertEqual((conflict.status, conflict.body["error"]["code"]),
                         (409, "IDEMPOTENCY_CONFLICT"))
        taken = via_owner.call("POST", "/api/v1/reservations", body, token=token, key=new_key())
        self.assertEqual((taken.status, taken.body["error"]["code"]), (409, "INVENTORY_CONFLICT"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
