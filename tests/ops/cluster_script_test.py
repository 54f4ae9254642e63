"""ops/cluster.sh: its commands and their arguments; stop and status of a run directory where
nothing runs (no cluster yet, or one whose processes are gone); a start that fails stops what it
started and says why."""
import os
import tempfile
import unittest

from ops_scripts import ScriptChecks


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


if __name__ == "__main__":
    unittest.main()
