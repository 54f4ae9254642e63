"""ops/run.sh: every argument goes to tacosd, after ops/configs/node.yaml; a correct list starts
the node with those settings, and SIGTERM stops it cleanly."""
import os
import signal
import subprocess
import tempfile
import time
import unittest

from ops_scripts import ROOT, ScriptChecks


class Run(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/run.sh"
    HELP = "TT_GRPC_LISTEN"  # the node's settings table
    BAD = [(["--no.such=1"], "tacosd: flag --no.such: unknown setting 'no.such'"),
           (["stray"], "tacosd: unexpected argument 'stray'")]

    def test_the_node_runs_with_the_settings_given(self):
        with tempfile.TemporaryDirectory(prefix="run-sh-") as tmp:
            data = os.path.join(tmp, "data")
            log_path = os.path.join(tmp, "node.log")
            with open(log_path, "w") as log:
                node = subprocess.Popen(
                    [os.path.join(ROOT, self.SCRIPT), "--grpc.listen=127.0.0.1:0",
                     "--http.listen=127.0.0.1:0",
                     "--storage.data_dir", data, "--catalog.dir=/nonexistent",
                     "--node.id=run-sh-test"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 120  # setup and build run first: no-ops here
                while "grpc: serving" not in open(log_path).read():
                    self.assertIsNone(node.poll(), open(log_path).read())
                    self.assertLess(time.monotonic(), deadline, open(log_path).read())
                    time.sleep(0.05)
                self.assertTrue(os.path.isdir(os.path.join(data, "snapshots")))
                self.assertIn("run-sh-test", open(log_path).read())
                node.send_signal(signal.SIGTERM)
                self.assertEqual(node.wait(timeout=30), 0, open(log_path).read())
            finally:
                node.kill()
                node.wait()


if __name__ == "__main__":
    unittest.main()
