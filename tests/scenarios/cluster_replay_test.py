"""Replays every shipped scenario (scenarios/files) against a 3-node cluster (issue #30): the
real runner with --targets over the three nodes (tacos-broker and three tacosd with
cluster.enabled, tests/e2e/cluster_process.py), so its virtual users, steps and read-backs are
spread over the nodes and every event definition goes through each of them. Files that ask for
the same node settings share one cluster (their events differ); loads run at the replay test's
--scale 0.1.
Every one of them must pass, as on one node (the worker's effects run on each shard's owner:
adapters/kafka/worker_consumer.hpp)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.environ["TT_PY_STUBS"])
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from cluster_process import Cluster  # noqa: E402
from replay_test import FILES, RUNNER, SCALE, summary  # noqa: E402

TACOSD = os.environ["TT_TACOSD"]
BROKER = os.environ["TT_BROKER"]


def node_flags(path):
    with open(path) as f:
        return tuple(str(x) for x in yaml.safe_load(f).get("node") or [])


def replay(cluster, paths):
    done = subprocess.run([sys.executable, RUNNER, "--targets", ",".join(cluster.addresses()),
                           "--json", "--scale", SCALE, "--no-timing", *paths],
                          capture_output=True, text=True, timeout=900)
    try:
        return json.loads(done.stdout)["scenarios"]
    except ValueError:
        raise AssertionError("the runner printed no report (exit %d):\n%s\n%s" % (
            done.returncode, done.stdout[-3000:], done.stderr[-3000:]))


class ClusterScenarios(unittest.TestCase):
    def test_every_shipped_scenario_on_three_nodes(self):
        self.assertGreaterEqual(len(FILES), 9)
        groups = {}
        for path in FILES:
            groups.setdefault(node_flags(path), []).append(path)
        catalog = tempfile.TemporaryDirectory(prefix="tt-cluster-scenarios-")  # empty: the
        self.addCleanup(catalog.cleanup)  # runner defines the events
        problems = []
        for flags, paths in groups.items():
            cluster = Cluster(TACOSD, BROKER, catalog.name, flags=flags)
            try:
                cluster.wait_settled()
                reports = replay(cluster, paths)
            finally:
                cluster.close()
            for path, report in zip(paths, reports):
                print(summary(report), file=sys.stderr)
                if not report["passed"]:
                    problems += ["%s: %s" % (os.path.basename(path), f)
                                 for f in report["failures"][:10]]
        self.assertFalse(problems, "\n".join(problems))


if __name__ == "__main__":
    unittest.main(verbosity=2)
