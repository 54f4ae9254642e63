"""ops/cluster.sh: its commands and their arguments; stop and status of a run directory where
nothing runs (no cluster yet, or one whose processes are gone); a 3-node cluster started, each
node serving on the address printed, shown by status and stopped; a start that fails stops what
it started and says why."""
import os
import random
import re
import socket
import sys
import tempfile
import unittest

import grpc

from ops_scripts import ScriptChecks

STUBS = os.environ["TT_PY_STUBS"]
sys.path.insert(0, STUBS)
grpc.__path__.append(os.path.join(STUBS, "grpc"))  # the grpc.health.v1 stubs
from grpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402


def free_base_port(count):
    """The first of `count` consecutive loopback ports none of which is bound now."""
    while True:
        base = random.randrange(20000, 60000)
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue


def runs(pid):
    """Whether `pid` runs a program: a zombie, which init may not reap at once, has no cmdline."""
    try:
        with open("/proc/%d/cmdline" % pid) as f:
            return bool(f.read())
    except FileNotFoundError:
        return False


def pids(state_path):
    with open(state_path) as f:
        return {line.split("\t")[0]: int(line.split("\t")[1]) for line in f}


class ClusterScript(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/cluster.sh"
    HELP = "Usage: ops/cluster.sh start [--nodes N]"
    BAD = [([], "a command is required: start, stop or status"),
           (["begin"], "unknown command 'begin'"),
           (["start", "--nodes"], "--nodes needs a value"),
           (["start", "--nodes", "0"], "--nodes needs an integer from 1 to 64"),
           (["start", "--nodes", "three"], "--nodes needs an integer from 1 to 64"),
           (["start", "--base-port", "70000"], "--base-port needs an integer from 1 to 65535"),
           (["start", "--base-port", "65535"], "--base-port 65535 leaves no port for node-3"),
           (["start", "--shards", "-1"], "--shards needs an integer from 1 to 4096"),
           (["start", "--timeout", "0"], "--timeout needs an integer from 1 to 3600"),
           (["start", "--dir", ""], "--dir needs a directory"),
           (["start", "node-1"], "unknown argument 'node-1' for start"),
           (["stop", "--nodes", "3"], "unknown argument '--nodes' for stop"),
           (["stop", "--grace", "soon"], "--grace needs an integer from 0 to 3600"),
           (["status", "--fresh"], "unknown argument '--fresh' for status")]

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="cluster-sh-")
        self.addCleanup(self.tmp.cleanup)
        self.dir = os.path.join(self.tmp.name, "cluster")

    def test_each_command_has_the_help(self):
        for command in ("start", "stop", "status"):
            with self.subTest(command=command):
                self.assertIn(self.HELP, self.run_script(command, "--help", expect=0).stdout)

    def test_stop_and_status_without_a_cluster(self):
        self.assertIn("no cluster in " + self.dir,
                      self.run_script("status", "--dir", self.dir, expect=3).stdout)
        self.assertIn("no cluster runs in " + self.dir,
                      self.run_script("stop", "--dir", self.dir, expect=0).stdout)
        self.assertFalse(os.path.exists(self.dir))

    def test_a_cluster_whose_processes_are_gone_is_shown_and_forgotten(self):
        # A state file as start writes it, naming pids that run no such binary (pid 1 runs
        # init): status shows them exited, and stop signals nothing and forgets them.
        os.makedirs(self.dir)
        state = os.path.join(self.dir, "cluster.state")
        with open(state, "w") as f:
            f.write("broker\t1\t/nonexistent/tacos-broker\t127.0.0.1:9\t-\t%s/broker.log\n"
                    "node-1\t1\t/nonexistent/tacosd\t127.0.0.1:8081\t%s/node-1\t%s/node-1.log\n"
                    % (self.dir, self.dir, self.dir))
        shown = self.run_script("status", "--dir", self.dir, expect=3).stdout
        self.assertRegex(shown, r"broker +127\.0\.0\.1:9 +1 +exited +- +%s/broker\.log" % self.dir)
        self.assertRegex(shown, r"node-1 +127\.0\.0\.1:8081 +1 +exited +%s/node-1 +%s/node-1\.log"
                         % (self.dir, self.dir))
        self.assertIn("no cluster runs in", self.run_script("stop", "--dir", self.dir,
                                                            expect=0).stdout)
        self.assertFalse(os.path.exists(state))

    def test_a_cluster_starts_serves_and_stops(self):
        base = free_base_port(3)
        started = self.run_script("start", "--dir", self.dir, "--base-port", str(base),
                                  expect=0, timeout=300).stdout
        state = os.path.join(self.dir, "cluster.state")
        self.addCleanup(self.run_script, "stop", "--dir", self.dir, "--grace", "0")
        processes = pids(state)
        self.assertEqual(sorted(processes), ["broker", "node-1", "node-2", "node-3"])
        self.assertRegex(started, r"broker +127\.0\.0\.1:\d+ +%d +running" % processes["broker"])
        for i in (1, 2, 3):
            address = "127.0.0.1:%d" % (base + i - 1)
            row = r"node-%d +%s +%d +running +%s/node-%d " % (
                i, re.escape(address), processes["node-%d" % i], self.dir, i)
            self.assertRegex(started, row)
            # What the Kubernetes probes ask: grpc.health.v1 on the node's port.
            with grpc.insecure_channel(address) as channel:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=10)
            self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING)
        shown = self.run_script("status", "--dir", self.dir, expect=0).stdout
        self.assertEqual(shown.count(" running "), 4, shown)
        again = self.run_script("start", "--dir", self.dir, expect=1)
        self.assertIn("a cluster already runs in " + self.dir, again.stderr)
        self.assertIn("stopped the cluster in " + self.dir,
                      self.run_script("stop", "--dir", self.dir, expect=0).stdout)
        for name, pid in processes.items():
            self.assertFalse(runs(pid), name + " still runs")
        self.run_script("status", "--dir", self.dir, expect=3)

    def test_a_start_that_fails_stops_what_it_started(self):
        done = self.run_script("start", "--dir", self.dir, "--base-port",
                               str(free_base_port(3)), "--", "--no.such=1", expect=1,
                               timeout=300)
        self.assertIn("cluster.sh: node-1 exited before serving", done.stderr)
        self.assertIn("unknown setting 'no.such'", done.stderr)  # the log's tail
        self.assertIn("cluster.sh: stopping what started", done.stderr)
        self.run_script("status", "--dir", self.dir, expect=3)


if __name__ == "__main__":
    unittest.main()
