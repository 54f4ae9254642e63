"""Starts a real tacosd process on a free loopback port for end-to-end tests, and stops it."""
import json
import os
import reprlib
import signal
import subprocess
import tempfile
import time

import grpc


def eventually(what, probe, until=bool, timeout=10.0, step=0.05):
    """Calls `probe` until `until` holds for what it returns (by default: that it is true) and
    returns that value; fails the test (AssertionError) once `timeout` s pass first. The one way an
    e2e test waits: for a condition, with a bound, never for a guessed time."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s; last seen: %s" % (
                what, reprlib.repr(value)))
        time.sleep(step)


def node_now(channel):
    """The node's clock, in seconds since the epoch: GetQueueStats stamps its answer with the
    actors' clock. Times the node judges (a token's expiry, a signature's age) are set and checked
    against it, so no test reads the wall clock itself. Needs the stubs on sys.path."""
    from proto.gateway.v1 import queue_pb2, queue_pb2_grpc
    stats = queue_pb2_grpc.QueueServiceStub(channel).GetQueueStats(
        queue_pb2.GetQueueStatsRequest(), timeout=10)
    return stats.system.last_updated.ToMilliseconds() / 1000


def contract_error(rpc_error):
    """The common.v1.Error a failed call carries in grpc-status-details-bin (google.rpc.Status).
    Needs the generated stubs on sys.path (TT_PY_STUBS), as every e2e test sets up first."""
    from proto.common.v1 import errors_pb2
    from proto.google.rpc import status_pb2
    md = dict(rpc_error.trailing_metadata() or ())
    err = errors_pb2.Error()
    status_pb2.Status.FromString(md["grpc-status-details-bin"]).details[0].Unpack(err)
    return err



def one_section_event(event_id, name, rows, seats):
    """A catalog file's text: an event on sale from 2020 to 2099 with one section A at 1000, its
    rows and seats given as ranges ("1-20")."""
    return """\
event_id: %s
name: %s
venue: Test Hall
sale_starts_at: 2020-01-01T00:00:00Z
sale_ends_at: 2099-01-01T00:00:00Z
sections:
  - section: A
    price: 1000
    rows:
      - rows: "%s"
        seats: "%s"
""" % (event_id, name, rows, seats)


class NodeProcess:
    def __init__(self, binary, *flags, data_dir=None):
        self.binary = binary
        self.tmp = tempfile.TemporaryDirectory(prefix="tacosd-e2e-")
        self.data_dir = data_dir or os.path.join(self.tmp.name, "data")
        self.log_path = os.path.join(self.tmp.name, "node.log")
        self.flags = ["--grpc.listen", "127.0.0.1:0", "--http.listen", "127.0.0.1:0",
                      "--storage.data_dir", self.data_dir, "--log.format", "json", *flags]
        self.proc = None
        self.port = None
        self.http_port = None  # the HTTP gateway's, once it serves
        self.credentials = None  # grpc.ChannelCredentials for a node that speaks TLS

    def start(self, timeout=20):
        self.log = open(self.log_path, "w+")
        self.port = self.http_port = None
        self.proc = subprocess.Popen([self.binary, *self.flags], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.log_entries():
                if entry["msg"].startswith("grpc: serving"):
                    self.port = int(entry["msg"].split(" on port ")[1].split()[0])
                if entry["msg"].startswith("http: serving"):
                    self.http_port = int(entry["msg"].split(" on port ")[1].split()[0])
            # The gateway's line follows the gRPC one unless it is off (the last flag wins).
            http_off = "off" in [v for k, v in zip(self.flags, self.flags[1:])
                                 if k == "--http.listen"][-1:]
            if self.port is not None and (self.http_port is not None or http_off):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("node exited with %s:\n%s" % (self.proc.returncode, self.log_text()))
            time.sleep(0.05)
        raise RuntimeError("node did not start:\n" + self.log_text())

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def log_entries(self):
        """Every complete log line, parsed: the JSON log format must keep each line valid JSON.
        A last line without its newline is still being written (read while the node logs)."""
        text = self.log_text()
        return [json.loads(line) for line in text[:text.rfind("\n") + 1].splitlines()
                if line.strip()]

    def channel(self):
        address = "127.0.0.1:%d" % self.port
        if self.credentials is not None:
            return grpc.secure_channel(address, self.credentials)
        return grpc.insecure_channel(address)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        return self.proc.returncode

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            self.log.close()
        self.tmp.cleanup()
