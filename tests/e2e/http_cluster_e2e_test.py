"""The HTTP gateway in a cluster (issues #28 and #30): tacos-broker and two tacosd nodes sharing
one JWT key. A buyer signs up on the node that does not own the sale's shard and holds seats
through its HTTP port: the gateway's contract call is forwarded in one hop to the owner like any
gRPC call. The hold then reads back, replays (the same reply) and conflicts (409) through the
owner's HTTP port with the same token: the idempotency records are the owner's, whichever node
and protocol the request came through.

Users are the cluster's, not a node's: each lives on the shard of its name. Signed up through
one node, a user signs in through the other, cannot be signed up twice through either, and still
signs in after the node keeping it is SIGKILLed (the survivor restored it from the changelog)."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ["TT_PY_STUBS"])

import signal  # noqa: E402

from cluster_process import Cluster, shard_of, shard_of_user  # noqa: E402
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

    def test_users_sign_in_through_any_node_and_survive_their_node(self):
        # One user kept by each node, each signed up through the other node.
        names = {}
        for i in range(200):
            name = "Buyer%d" % i
            names.setdefault(self.cluster.owner_of(shard_of_user(name)), name)
            if len(names) == 2:
                break
        self.assertEqual(len(names), 2, "no name for each node among 200")
        apis = [Api(n.http_port) for n in self.cluster.nodes]
        for api in apis:
            self.addCleanup(api.close)
        for keeper, name in names.items():
            via = apis[1 - keeper]
            signed_up = via.call("POST", "/api/v1/auth/register",
                                 {"username": name, "password": "pw-" + name})
            self.assertEqual(signed_up.status, 201, signed_up.body)
            user_id = signed_up.body["user_id"]
            for api in apis:
                # Any case signs in: the name's shard is of its lower-case form.
                got = api.call("POST", "/api/v1/auth/login",
                               {"username": name.lower(), "password": "pw-" + name})
                self.assertEqual((got.status, got.body.get("user_id")), (200, user_id), got.body)
                wrong = api.call("POST", "/api/v1/auth/login",
                                 {"username": name, "password": "not-the-password"})
                self.assertEqual((wrong.status, wrong.body["error"]["code"]),
                                 (401, "INVALID_CREDENTIALS"))
                again = api.call("POST", "/api/v1/auth/register",
                                 {"username": name.upper(), "password": "another-pw"})
                self.assertEqual((again.status, again.body["error"]["code"]),
                                 (409, "USERNAME_EXISTS"))
            # A token issued through one node is good on the other.
            token = signed_up.body["token"]
            listed = apis[keeper].call("GET", "/api/v1/reservations", token=token)
            self.assertEqual(listed.status, 200, listed.body)

        keeper, name = next(iter(names.items()))
        survivor = 1 - keeper
        self.cluster.nodes[keeper].proc.send_signal(signal.SIGKILL)
        self.cluster.nodes[keeper].proc.wait()
        eventually("the survivor serves the dead node's shards",
                   lambda: self.cluster.owner_of(shard_of_user(name)) == survivor, timeout=60,
                   step=0.2)
        got = apis[survivor].call("POST", "/api/v1/auth/login",
                                  {"username": name, "password": "pw-" + name})
        self.assertEqual(got.status, 200, got.body)


if __name__ == "__main__":
    unittest.main(verbosity=2)
