"""Replays every shipped scenario (scenarios/files) with the real runner (scenarios/runner/
replay.py, as a process, the way a user runs it) against a real tacosd started with the
settings the scenario's `node:` list asks for. The flash sale runs scaled down (--scale 0.1)
here; `ops/scenarios.sh` runs it at full size.

Negative control: the sold-out scenario against a node started with
--testing.unsafe_ack_holds_before_apply (it acknowledges holds before applying them, the
check-then-act oversell) must make the runner fail, and the report must name the broken
invariant."""
import glob
import json
import os
import subprocess
import sys
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from node_process import NodeProcess  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
RUNNER = os.path.join(ROOT, "scenarios", "runner", "replay.py")
FILES = sorted(glob.glob(os.path.join(ROOT, "scenarios", "files", "*.yaml")))
SCALE = os.environ.get("TT_SCENARIO_SCALE", "0.1")


def replay(node, path, *extra):
    done = subprocess.run([sys.executable, RUNNER, "--target", "127.0.0.1:%d" % node.port,
                           "--json", "--scale", SCALE, "--no-timing", *extra, path],
                          capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise AssertionError("the runner printed no report (exit %d):\n%s\n%s" % (
            done.returncode, done.stdout[-3000:], done.stderr[-3000:]))
    return done.returncode, report


def summary(report):
    """One scenario's report as one line: its outcome, size and each load's figures."""
    line = "%s %s: %d steps, %d reservations, %.1f s" % (
        "PASS" if report["passed"] else "FAIL", report["scenario"], len(report["steps"]),
        report["reservations"], report["seconds"])
    for load in report["loads"]:
        line += "; load %d users %.0f req/s p99 %.1f ms %s" % (
            load["users"], load["rps"], load["p99_ms"], load["outcomes"])
    return line


def start_node(path, *flags):
    with open(path) as f:
        doc = yaml.safe_load(f)
    node = NodeProcess(TACOSD, "--catalog.dir", os.path.join(ROOT, "no-catalog"),
                       *[str(x) for x in doc.get("node") or []], *flags)
    try:
        return node.start()
    except Exception:
        node.close()  # a node too slow to start must not outlive the test
        raise


def replay_on_unsafe_node(name, switch):
    """Replays scenarios/files/`name` against a node with the `switch` guard off: exit code and
    failures."""
    path = os.path.join(ROOT, "scenarios", "files", name)
    node = start_node(path, switch, "true")
    try:
        code, report = replay(node, path)
    finally:
        node.stop()
        node.close()
    return code, report["scenarios"][0]["failures"]


class Scenarios(unittest.TestCase):
    def test_every_shipped_scenario_passes(self):
        self.assertGreaterEqual(len(FILES), 9)
        failed = []
        for path in FILES:
            with self.subTest(scenario=os.path.basename(path)):
                node = start_node(path)
                try:
                    code, report = replay(node, path)
                finally:
                    node.stop()
                    node.close()
                for r in report["scenarios"]:
                    print(summary(r), file=sys.stderr)
                if code != 0:
                    failed.append("%s: %s" % (os.path.basename(path), report["scenarios"][0][
                        "failures"][:10]))
        self.assertFalse(failed, "\n".join(failed))

    def test_negative_control_an_overselling_node_fails_the_replay(self):
        code, failures = replay_on_unsafe_node("sold_out.yaml",
                                               "--testing.unsafe_ack_holds_before_apply")
        print("negative control: %d failures, e.g. %s" % (len(failures), failures[:3]),
              file=sys.stderr)
        self.assertEqual(code, 1)
        self.assertTrue(any("invariant" in f and "taken by" in f for f in failures)
                        or any("outcome held" in f for f in failures), failures)

    def test_negative_control_a_node_without_the_admission_check_fails_queue_bypass(self):
        code, failures = replay_on_unsafe_node("queue_bypass.yaml",
                                               "--testing.unsafe_skip_admission_check")
        self.assertEqual(code, 1)
        self.assertTrue(any("no token" in f for f in failures), failures)


if __name__ == "__main__":
    unittest.main(verbosity=2)
