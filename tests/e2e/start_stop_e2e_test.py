"""End to end: the node's start/stop pairing (adapters/node/main.cpp, deferred_stop.hpp). Every
component started is stopped exactly once, in reverse start order, whether a signal asks for the
stop or a start-up step fails halfway; the exit status and the failure's report follow the one
convention `tacosd --help` prints."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import unittest

from node_process import NodeProcess

TACOSD = os.environ["TT_TACOSD"]
# The dependency order main.cpp starts in (embedded Kafka, the default).
START_ORDER = [
    "data directory", "snapshot store", "kafka publisher and embedded cluster", "actor system",
    "shard region", "worker actor", "worker consumer", "health actor", "webhook sender",
    "user hub", "update feed", "grpc server", "http gateway", "metrics sources",
    "metrics listener",
]
STARTED = re.compile(r"^start: (.+) started$")
STOP_LINE = re.compile(r"^shutdown: (stopping (?P<stopping>.+)|(?P<stopped>.+) stopped)$")


def started_components(entries):
    return [m.group(1) for m in (STARTED.match(e["msg"]) for e in entries) if m]


def stop_lines(entries):
    """("stopping" | "stopped", component) for each line a deferred stop logged, in log order."""
    out = []
    for e in entries:
        m = STOP_LINE.match(e["msg"])
        if m:
            out.append(("stopping", m["stopping"]) if m["stopping"] else ("stopped", m["stopped"]))
    return out


def index_of(entries, predicate):
    return next(i for i, e in enumerate(entries) if predicate(e))


class StartStop(unittest.TestCase):
    def node(self, *flags, data_dir=None):
        node = NodeProcess(TACOSD, *flags, data_dir=data_dir)
        self.addCleanup(node.close)
        return node

    def assertStoppedInReverse(self, entries, expected_started):
        """Started in `expected_started` order; each one then stopped once, in reverse, every stop
        finished before the next began."""
        started = started_components(entries)
        self.assertEqual(started, expected_started)
        self.assertEqual(stop_lines(entries),
                         [(step, c) for c in reversed(started) for step in ("stopping", "stopped")])

    def start_failing(self, *flags):
        """Starts a node that must fail to start: checks exit status 1 and one critical line.
        Returns the node, its log entries and that line's message."""
        node = self.node(*flags)
        # start() raises when the node exits, or earlier at a line that is not the node's JSON:
        # gRPC reports a failed bind on stderr in its own format.
        with self.assertRaises((RuntimeError, ValueError)):
            node.start()
        self.assertEqual(node.proc.wait(timeout=30), 1)
        entries = [json.loads(line) for line in node.log_text().splitlines()
                   if line.startswith("{")]
        critical = [e["msg"] for e in entries if e["level"] == "critical"]
        self.assertEqual(len(critical), 1, critical)
        return node, entries, critical[0]

    def test_a_signal_stops_every_component_once_in_reverse_start_order(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig.name):
                node = self.node().start()
                self.assertEqual(node.stop(sig), 0)
                entries = node.log_entries()
                self.assertStoppedInReverse(entries, START_ORDER)
                received = index_of(entries, lambda e: e["msg"].startswith("shutdown: ") and
                                    "received" in e["msg"])
                self.assertLess(received, index_of(entries, lambda e: e["msg"].startswith(
                    "shutdown: stopping")), "a stop began before the signal")
                self.assertFalse([e for e in entries if e["level"] in ("error", "critical")])

    def start_on_taken_port(self, flag):
        """start_failing with `flag` naming a port another socket listens on; also the port."""
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            return (port, *self.start_failing(flag, "127.0.0.1:%d" % port))

    def test_grpc_port_taken_stops_what_started_and_frees_the_data_directory(self):
        port, failed, entries, report = self.start_on_taken_port("--grpc.listen")
        self.assertTrue(report.startswith("cannot start: grpc: cannot listen on 127.0.0.1:%d"
                                          % port), report)
        # Everything before gRPC started (store, Kafka, actors, consumers) and was then stopped.
        self.assertStoppedInReverse(entries, START_ORDER[:START_ORDER.index("grpc server")])
        self.assertLess(index_of(entries, lambda e: e["level"] == "critical"),
                        index_of(entries, lambda e: e["msg"].startswith("shutdown: ")))

        # The store was closed and the directory let go of: a node starts on them at once and
        # stops cleanly.
        again = self.node(data_dir=failed.data_dir).start()
        self.assertEqual(again.stop(), 0)
        self.assertStoppedInReverse(again.log_entries(), START_ORDER)

    def test_http_port_taken_stops_what_started(self):
        port, _, entries, report = self.start_on_taken_port("--http.listen")
        self.assertTrue(report.startswith("cannot start: http: cannot listen on 127.0.0.1:%d"
                                          % port), report)
        self.assertStoppedInReverse(entries, START_ORDER[:START_ORDER.index("http gateway")])

    def test_a_step_that_fails_stops_exactly_what_started_before_it(self):
        catalog = tempfile.TemporaryDirectory(prefix="tacosd-catalog-")
        self.addCleanup(catalog.cleanup)
        with open(os.path.join(catalog.name, "broken.yaml"), "w") as f:
            f.write("event_id: [\n")
        cases = (  # flags, the report's start, the last component started
            (["--queue.secret", "short"], "cannot start: queue.secret: 5 bytes", "actor system"),
            (["--catalog.dir", catalog.name], "cannot start: catalog: broken.yaml", "shard region"),
        )
        for flags, expected_report, last_started in cases:
            with self.subTest(failing=expected_report):
                _, entries, report = self.start_failing(*flags)
                self.assertTrue(report.startswith(expected_report), report)
                self.assertStoppedInReverse(
                    entries, START_ORDER[:START_ORDER.index(last_started) + 1])

    def test_a_bad_command_line_exits_2_before_starting_anything(self):
        with tempfile.TemporaryDirectory(prefix="tacosd-usage-") as tmp:
            data_dir = os.path.join(tmp, "data")
            run = subprocess.run([TACOSD, "--storage.data_dir", data_dir, "--grpc.lisen=x"],
                                 capture_output=True, text=True, timeout=20)
            self.assertEqual(run.returncode, 2)
            self.assertIn("unknown setting 'grpc.lisen'", run.stderr)
            self.assertEqual(run.stdout, "")
            self.assertFalse(os.path.exists(data_dir))

    def test_help_documents_the_exit_statuses(self):
        run = subprocess.run([TACOSD, "--help"], capture_output=True, text=True, timeout=20)
        self.assertEqual(run.returncode, 0)
        statuses = run.stdout[run.stdout.index("exit status:"):]
        for code, meaning in (("0", "SIGINT or SIGTERM"), ("1", "could not start"),
                              ("2", "configuration")):
            self.assertRegex(statuses, r"\n  %s  [^\n]*%s" % (code, meaning))


if __name__ == "__main__":
    unittest.main(verbosity=2)
