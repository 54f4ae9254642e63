"""A local cluster for end-to-end tests: tacos-broker and N tacosd nodes with cluster.enabled on
fixed free loopback ports (each advertising its own), and what the nodes say they serve. Needs
the generated stubs on sys.path (TT_PY_STUBS), as every e2e test sets up first."""
import shutil
import socket
import sys
import tempfile

import grpc

from kafka_process import Broker
from node_process import NodeProcess, eventually

SHARDS = 64


def shard_of(event_id, shards=SHARDS):
    """actors/common/ids.hpp's shard_of: FNV-1a 64 of the id's bytes, modulo the shard count."""
    h = 0xcbf29ce484222325
    for b in event_id.encode():
        h ^= b
        h = (h * 0x100000001b3) % (1 << 64)
    return h % shards


def shard_of_user(username, shards=SHARDS):
    """actors/common/ids.hpp's shard_of_user: shard_of of the name in lower case (ASCII)."""
    return shard_of("".join(c.lower() if "A" <= c <= "Z" else c for c in username), shards)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster_metrics(node):
    """The "cluster" component of `node`'s GetSystemHealth; None while it does not answer."""
    from proto.common.v1 import admin_pb2, admin_pb2_grpc
    try:
        health = admin_pb2_grpc.AdminServiceStub(node.channel()).GetSystemHealth(
            admin_pb2.GetSystemHealthRequest(), timeout=5)
    except grpc.RpcError:
        return None
    return next((s.metrics for s in health.services if s.service_name == "cluster"), None)


def serving(node):
    """The shards `node` serves, from its GetSystemHealth; None while it does not answer."""
    metrics = cluster_metrics(node)
    if metrics is None:
        return None
    return {int(x) for x in metrics["serving_shards"].split(",") if x}


class Cluster:
    """`tacosd` and `broker` are the binaries; `flags` go to every node; `credentials`: how the
    test reaches nodes that speak TLS."""

    def __init__(self, tacosd, broker, catalog_dir, count=3, flags=(), credentials=None):
        self.tacosd = tacosd
        self.credentials = credentials
        self.broker = Broker(broker)
        self.catalog_dir = catalog_dir
        # The nodes verify each other's login tokens: one HS256 key for all, unless a test
        # names its own.
        self.flags = list(flags)
        if "--auth.jwt_hs256_secret" not in self.flags:
            self.flags += ["--auth.jwt_hs256_secret", "cluster-test-key-0123456789abcdef"]
        self.ports = [free_port() for _ in range(count)]
        self.data_dirs = [tempfile.mkdtemp(prefix="tacosd-cluster-") for _ in range(count)]
        self.nodes = []
        try:
            for i in range(count):
                self.nodes.append(self.start(i))
        except Exception:
            self.close()  # a node too slow to start must not leave the others running
            raise

    def start(self, i):
        # A node advertises its port, so it is chosen here; between choosing it and the node
        # binding it, a test running beside this one may take it: then another port.
        for attempt in range(3):
            try:
                return self.start_on(i)
            except RuntimeError as e:
                if "cannot listen" not in str(e) or attempt == 2:
                    raise
                self.ports[i] = free_port()

    def start_on(self, i):
        address = "127.0.0.1:%d" % self.ports[i]
        node = NodeProcess(self.tacosd, "--grpc.listen", address, "--node.id", "node-%d" % i,
                           "--kafka.bootstrap_servers", self.broker.bootstrap,
                           "--cluster.enabled", "true", "--cluster.advertise", address,
                           # tacos-broker takes any; a killed node's shards move in ~5 s.
                           "--cluster.session_timeout_ms", "3000",
                           # Snapshots every 32 KiB: the tests' restores read them.
                           "--cluster.snapshot_every_bytes", "32768",
                           "--catalog.dir", self.catalog_dir, *self.flags,
                           data_dir=self.data_dirs[i])
        node.credentials = self.credentials
        return node.start(timeout=60)

    def addresses(self):
        return ["127.0.0.1:%d" % p for p in self.ports]

    def live(self):
        return [n for n in self.nodes if n.proc.poll() is None]

    def assignment(self):
        return {i: serving(n) for i, n in enumerate(self.nodes) if n.proc.poll() is None}

    def settled(self, balanced=False):
        """True when the live nodes serve every shard exactly once between them; `balanced`:
        and each serves some (a node that rejoined gets its shards in a later rebalance)."""
        parts = self.assignment()
        if any(p is None or (balanced and not p) for p in parts.values()):
            return False
        every = [s for p in parts.values() for s in p]
        return len(every) == SHARDS and set(every) == set(range(SHARDS))

    def wait_settled(self, timeout=60, balanced=False):
        try:
            eventually("every shard served by exactly one node", lambda: self.settled(balanced),
                       timeout=timeout, step=0.2)
        except AssertionError:
            self.explain()
            raise

    def explain(self):
        """Prints what each node serves and its last ownership lines (a cluster that did not
        settle)."""
        words = ("NOT SERVED", "gained shards", "gave up shards", "lost shards", "rebalance",
                 "group")
        for i, node in enumerate(self.nodes):
            print("node-%d serves %s" % (i, sorted(serving(node) or [])), file=sys.stderr)
            lines = [line for line in node.log_text().splitlines()
                     if any(w in line for w in words)]
            print("\n".join(line[-220:] for line in lines[-12:]), file=sys.stderr)

    def covered(self, shard):
        """True when the live nodes serve every shard, and `shard` on exactly one of them."""
        parts = self.assignment()
        if any(p is None for p in parts.values()):
            return False
        every = [s for p in parts.values() for s in p]
        return set(every) == set(range(SHARDS)) and every.count(shard) == 1

    def owner_of(self, shard):
        for i, p in self.assignment().items():
            if p and shard in p:
                return i
        return None

    def close(self):
        for n in self.nodes:
            n.close()
        self.broker.close()
        for d in self.data_dirs:
            shutil.rmtree(d, ignore_errors=True)
