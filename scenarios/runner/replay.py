#!/usr/bin/python3
"""tt-replay: replays Traffic Tacos scenario files against a running node over real gRPC.

    scenarios/runner/replay.py --target 127.0.0.1:8080 scenarios/files/happy_path.yaml [...]
    scenarios/runner/replay.py --target ... --json --scale 1.0 FILE...
    scenarios/runner/replay.py --targets 127.0.0.1:8081,127.0.0.1:8082,127.0.0.1:8083 FILE...

With --targets (the nodes of a cluster) the calls are spread over the nodes, one channel each:
load user i, step i and read-back i go to target i mod n, and every event definition goes
through every target.

Each file loads its events (AdminService/UpdateConfig), runs its steps (calls with expectations
and captures, waits, load phases of virtual users: load_phase.py, user_flow.py), then checks the
invariants (invariants.py): no seat held or sold by two reservations, sold + held + available +
blocked = capacity, the server's counts equal what the acknowledged reservations add up to, every
hold ended once its deadline passed, every immediate retry of a write got the identical reply, and
no user of a load was admitted out of order (queue_order.py). The format is in
scenarios/README.md.
Exit status: 0 when every scenario passed, 1 when any failed, 2 for a file that does not parse.
Needs the Python stubs the build generates (TT_PY_STUBS, default build/python)."""
import argparse
import glob
import importlib
import json
import os
import re
import sys
import threading
import time
import uuid

import grpc
import yaml

import invariants
import load_phase

HERE = os.path.dirname(os.path.abspath(__file__))
STUBS = os.environ.get("TT_PY_STUBS", os.path.join(HERE, "..", "..", "build", "python"))
sys.path.insert(0, STUBS)

from google.protobuf import descriptor_pool, json_format, symbol_database  # noqa: E402

for path in glob.glob(os.path.join(STUBS, "proto", "**", "*_pb2.py"), recursive=True):
    importlib.import_module(os.path.relpath(path, STUBS)[:-3].replace(os.sep, "."))
from proto.common.v1 import errors_pb2  # noqa: E402
from proto.google.rpc import status_pb2  # noqa: E402

POOL = descriptor_pool.Default()
CALL_TIMEOUT = 10
TEMPLATE_VAR = re.compile(r"\$\{([A-Za-z0-9_.]+)\}")


class ScenarioError(Exception):
    """A file that does not follow the format."""


def message_class(full_name):
    """The generated class (every _pb2 module of the stubs is imported above)."""
    return symbol_database.Default().GetSymbol(full_name)


class Node:
    """Any contract method by its full name ("package.Service/Method"), JSON in, JSON out."""

    def __init__(self, target):
        self.target = target
        self.channel = grpc.insecure_channel(target)
        self.stubs, self.streams = {}, {}
        self.lock = threading.Lock()

    def method(self, name):
        with self.lock:
            if name not in self.stubs:
                if "/" not in name:
                    raise ScenarioError("call %r: want package.Service/Method" % name)
                service, method = name.rsplit("/", 1)
                try:
                    m = POOL.FindServiceByName(service).FindMethodByName(method)
                except KeyError:
                    raise ScenarioError("call %r: no such contract method" % name)
                if m is None:
                    raise ScenarioError("call %r: no such contract method" % name)
                req, resp = message_class(m.input_type.full_name), message_class(
                    m.output_type.full_name)
                self.stubs[name] = (req, self.channel.unary_unary(
                    "/%s/%s" % (service, method), request_serializer=req.SerializeToString,
                    response_deserializer=resp.FromString))
            return self.stubs[name]

    def stream(self, name, request, timeout):
        """A server-streaming method: (the call, to cancel it; its replies as dicts, in order)."""
        with self.lock:
            if name not in self.streams:
                service, method = name.rsplit("/", 1)
                m = POOL.FindServiceByName(service).FindMethodByName(method)
                req, resp = message_class(m.input_type.full_name), message_class(
                    m.output_type.full_name)
                self.streams[name] = (req, self.channel.unary_stream(
                    "/%s/%s" % (service, method), request_serializer=req.SerializeToString,
                    response_deserializer=resp.FromString))
            req_cls, stub = self.streams[name]
        call = stub(json_format.ParseDict(request, req_cls()), timeout=timeout)
        return call, (to_dict(reply) for reply in call)

    def call(self, name, request):
        """(status name, reply dict or None, common.v1.Error dict or None, reply bytes)."""
        req_cls, stub = self.method(name)
        try:
            req = json_format.ParseDict(request, req_cls())
        except json_format.ParseError as e:
            raise ScenarioError("call %s: request does not fit the contract: %s" % (name, e))
        try:
            reply = stub(req, timeout=CALL_TIMEOUT)
            return "OK", to_dict(reply), None, reply.SerializeToString(deterministic=True)
        except grpc.RpcError as e:
            return e.code().name, None, contract_error(e), None


def to_dict(msg):
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


def contract_error(rpc_error):
    md = dict(rpc_error.trailing_metadata() or ())
    if "grpc-status-details-bin" not in md:
        return None
    details = status_pb2.Status.FromString(md["grpc-status-details-bin"]).details
    err = errors_pb2.Error()
    if not details or not details[0].Unpack(err):
        return None
    return to_dict(err)


def substitute(value, scope):
    """${name} from captures/variables, ${uuid} fresh each time; a whole-string ${name} keeps
    the captured value's type."""
    if isinstance(value, str):
        whole = TEMPLATE_VAR.fullmatch(value)
        if whole:
            return lookup(whole.group(1), scope)
        return TEMPLATE_VAR.sub(lambda m: str(lookup(m.group(1), scope)), value)
    if isinstance(value, list):
        return [substitute(v, scope) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, scope) for k, v in value.items()}
    return value


def lookup(name, scope):
    if name == "uuid":
        return uuid.uuid4().hex
    if name not in scope:
        raise ScenarioError("${%s} is not captured or defined" % name)
    return scope[name]


def dig(obj, path):
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)]
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return None
    return obj


def mismatches(expected, actual, where=""):
    """Subset match: every expected field must be there with that value; "*" means present and
    non-empty; lists match element by element and by length."""
    out = []
    if expected == "*":
        if actual in (None, "", [], {}):
            out.append("%s: expected a value, got none" % (where or "reply"))
    elif isinstance(expected, dict):
        if not isinstance(actual, dict):
            actual = {}
        for k, v in expected.items():
            out += mismatches(v, actual.get(k), "%s.%s" % (where, k) if where else k)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            out.append("%s: expected %d entries, got %s" % (
                where, len(expected), len(actual) if isinstance(actual, list) else actual))
        else:
            for i, (e, a) in enumerate(zip(expected, actual)):
                out += mismatches(e, a, "%s.%d" % (where, i))
    else:
        # The JSON mapping writes 64-bit integers as strings.
        if str(expected) != str(actual if actual is not None else _default(expected)):
            out.append("%s: expected %r, got %r" % (where, expected, actual))
    return out


def _default(expected):
    return False if isinstance(expected, bool) else 0 if isinstance(expected, int) else ""


class Run:
    """One scenario against its nodes (one, or a cluster's): its log of acknowledged reservations
    and its findings."""

    def __init__(self, nodes, doc, scale, seed_offset=0, timing=True):
        self.nodes, self.doc, self.scale = nodes, doc, scale
        self.timing = timing  # check the files' time bounds (sold_out_notice_within)
        self.scope = dict(doc.get("vars") or {})
        self.failures, self.steps, self.loads = [], [], []
        self.reservations = {}  # reservation_id -> (user, event)
        self.retries = {"compared": 0, "differed": 0}
        self.queue_logs = {}  # event -> what its load users saw of its waiting room
        self.lock = threading.Lock()
        self.seed_offset = seed_offset

    # -- recording -------------------------------------------------------------------------
    def record(self, method, request, reply):
        if reply and method.endswith("/CreateReservation") and reply.get("reservation_id"):
            with self.lock:
                self.reservations[reply["reservation_id"]] = (request.get("user_id"),
                                                              request.get("event_id"))

    def via(self, index):
        """The node call number `index` of its kind (user, step, event, read-back) goes to."""
        return self.nodes[index % len(self.nodes)]

    def where(self, index):
        """" via host:port" naming call `index`'s node in a finding, when there are several."""
        return " via %s" % self.via(index).target if len(self.nodes) > 1 else ""

    def call(self, method, request, index=0):
        status, reply, error, raw = self.via(index).call(method, request)
        self.record(method, request, reply)
        return status, reply, error, raw

    # -- steps -----------------------------------------------------------------------------
    def check(self, step, status, reply, error):
        expect = substitute(step.get("expect") or {}, self.scope)
        problems = []
        want = expect.get("status", "OK")
        if status != want:
            problems.append("status: expected %s, got %s%s" % (
                want, status, (" (%s: %s)" % (error.get("code"), error.get("message")))
                if error else ""))
        if "error_code" in expect:
            got = (error or {}).get("code")
            if got != expect["error_code"]:
                problems.append("error code: expected %s, got %s" % (expect["error_code"], got))
        if "error_field" in expect:
            fields = [d.get("field") for d in (error or {}).get("details", [])]
            if expect["error_field"] not in fields:
                problems.append("error details: expected field %s, got %s" % (
                    expect["error_field"], fields))
        if "reply" in expect:
            problems += mismatches(expect["reply"], reply or {})
        return problems

    def do_call(self, step, index):
        method = step["call"]
        request = substitute(step.get("request") or {}, self.scope)
        status, reply, error, raw = self.call(method, request, index)
        problems = self.check(step, status, reply, error)
        if step.get("retry") and not problems:
            again = self.call(method, request, index)
            if again[0] != status or again[3] != raw:
                problems.append("the retry with the same request got a different reply")
        for name, path in (step.get("capture") or {}).items():
            value = dig(reply or {}, path)
            if value is None:
                problems.append("capture %s: the reply has no %s" % (name, path))
            self.scope[name] = value
        return problems

    def do_wait(self, step, index):
        wait = step["wait"]
        if "seconds" in wait:
            time.sleep(float(wait["seconds"]))
            return []
        until = wait["until"]
        deadline = time.time() + float(wait.get("timeout", 10))
        while True:
            method = until["call"]
            status, reply, error, _ = self.call(method, substitute(until.get("request") or {},
                                                                   self.scope), index)
            problems = self.check(until, status, reply, error)
            if not problems:
                return []
            if time.time() > deadline:
                return ["wait until %s: timed out; last: %s" % (method, "; ".join(problems))]
            time.sleep(float(wait.get("every", 0.1)))

    def run_steps(self):
        for i, step in enumerate(self.doc.get("steps") or []):
            name = step.get("name") or step.get("call") or next(iter(step))
            started = time.time()
            if "call" in step:
                problems = self.do_call(step, i)
            elif "wait" in step:
                problems = self.do_wait(step, i)
            elif "load" in step:
                problems = self.do_load(step["load"])
            else:
                raise ScenarioError("step %d: want call, wait or load" % (i + 1))
            if "load" not in step:
                problems = ["%s%s" % (p, self.where(i)) for p in problems]
            self.steps.append({"step": i + 1, "name": name, "ok": not problems,
                               "problems": problems, "seconds": round(time.time() - started, 3)})

    # -- load phases -----------------------------------------------------------------------
    def do_load(self, load):
        scale = self.scale if load.get("scale", True) else 1.0
        users = max(1, int(round(int(load["users"]) * scale)))
        seed = int(load.get("seed", 1)) + self.seed_offset
        try:
            summary, outcomes, problems, queue_log = load_phase.run_load(self, load, users, seed)
        except ValueError as e:
            raise ScenarioError(str(e))
        self.loads.append(summary)
        if queue_log:
            self.queue_logs.setdefault(load["event"], []).extend(queue_log)
        for name, want in (load.get("expect_outcomes") or {}).items():
            got = outcomes.get(name, 0)
            want = substitute(want, {"users": users})
            if isinstance(want, str) and want.startswith("<="):
                if got > float(want[2:]):
                    problems.append("outcome %s: %d, expected at most %s" % (name, got, want[2:]))
            elif got != int(want):
                problems.append("outcome %s: %d, expected %s" % (name, got, want))
        return problems[:50]

    def run(self):
        started = time.time()
        # Through every target: whichever node an operator reaches must take the definition (the
        # ones after the first replace it with the same).
        for event in self.doc.get("events") or []:
            for i in range(len(self.nodes)):
                status, _, error, _ = self.call("common.v1.AdminService/UpdateConfig", {
                    "config_key": "catalog.event", "config_value": json.dumps(event)}, i)
                if status != "OK":
                    self.failures.append("loading event %s%s: %s %s" % (
                        event.get("event_id"), self.where(i), status,
                        (error or {}).get("message")))
        if self.failures:
            return self.report(started)
        self.run_steps()
        self.failures += ["step %d (%s): %s" % (s["step"], s["name"], p)
                          for s in self.steps for p in s["problems"]]
        self.failures += ["invariant: " + p for p in invariants.check(self)]
        return self.report(started)

    def report(self, started):
        return {"scenario": self.doc.get("name"), "passed": not self.failures,
                "steps": self.steps, "loads": self.loads, "failures": self.failures,
                "reservations": len(self.reservations), "seconds": round(time.time() - started, 2)}


def load_file(path):
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise ScenarioError("%s: %s" % (path, e))
    if not isinstance(doc, dict) or "name" not in doc or "steps" not in doc:
        raise ScenarioError("%s: a scenario needs a name and steps" % path)
    return doc


def print_report(r):
    print("%s %s (%d steps, %d reservations, %.1f s)" % (
        "PASS" if r["passed"] else "FAIL", r["scenario"], len(r["steps"]), r["reservations"],
        r["seconds"]))
    for s in r["steps"]:
        print("  %s %d. %s (%.2f s)" % ("ok  " if s["ok"] else "FAIL", s["step"], s["name"],
                                        s["seconds"]))
        for p in s["problems"][:10]:
            print("       - " + p)
    for load in r["loads"]:
        print("  load: %d users, %d requests, %.0f req/s, p50 %.2f ms, p99 %.2f ms; outcomes %s;"
              " errors %s" % (load["users"], load["requests"], load["rps"], load["p50_ms"],
                              load["p99_ms"], load["outcomes"], load["errors"] or "none"))
        for name, step in load["steps"].items():
            print("    %-9s %6d requests, p50 %.2f ms, p99 %.2f ms, errors %s" % (
                name, step["requests"], step["p50_ms"], step["p99_ms"], step["errors"] or "none"))
        if "admission_wait_p50_s" in load:
            print("    join to admission: p50 %.2f s, p99 %.2f s" % (
                load["admission_wait_p50_s"], load["admission_wait_p99_s"]))
    for f in r["failures"]:
        if f.startswith("invariant"):
            print("  " + f)


def target_list(text):
    """--targets: host:port entries, comma-separated, none empty."""
    targets = [t.strip() for t in text.split(",")]
    if not all(targets):
        raise argparse.ArgumentTypeError("want host:port,host:port,... (no empty entry)")
    return targets


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--target", default="localhost:8080")
    where.add_argument("--targets", type=target_list,
                       help="host:port,host:port,...: calls spread over these nodes")
    ap.add_argument("--json", action="store_true", help="one JSON object with every report")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every load's users")
    ap.add_argument("--no-timing", action="store_true",
                    help="report time bounds (sold_out_notice_within) without checking them: for "
                    "tests on a shared machine, where timing is noise")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    try:
        docs = [load_file(f) for f in args.files]
    except ScenarioError as e:
        print("tt-replay: %s" % e, file=sys.stderr)
        return 2
    nodes = [Node(t) for t in args.targets or [args.target]]
    reports = []
    for doc in docs:
        try:
            reports.append(Run(nodes, doc, args.scale, timing=not args.no_timing).run())
        except ScenarioError as e:
            reports.append({"scenario": doc.get("name"), "passed": False, "steps": [],
                            "loads": [], "failures": [str(e)], "reservations": 0, "seconds": 0})
    if args.json:
        print(json.dumps({"passed": all(r["passed"] for r in reports), "scenarios": reports}))
    else:
        for r in reports:
            print_report(r)
            for f in r["failures"]:
                if not f.startswith(("step", "invariant")):
                    print("  " + f)
        print("%d passed, %d failed" % (sum(r["passed"] for r in reports),
                                       sum(not r["passed"] for r in reports)))
    return 0 if all(r["passed"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
