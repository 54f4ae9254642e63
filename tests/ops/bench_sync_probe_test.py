"""ops/bench/sync_probe.py: --dir is required; a short probe prints its one JSON line. (Only the
shape is checked: timings belong to the benchmark.)"""
import json
import tempfile
import unittest

from ops_scripts import ScriptChecks


class SyncProbe(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/bench/sync_probe.py"
    HELP = "--dir DIR"
    BAD = [([], "the following arguments are required: --dir"),
           (["--dir", "/tmp", "--seconds", "x"], "argument --seconds: invalid float value: 'x'")]

    def test_a_short_probe_prints_one_json_line(self):
        with tempfile.TemporaryDirectory(prefix="sync-probe-") as tmp:
            done = self.run_script("--dir", tmp, "--seconds", "0.2", expect=0)
        got = json.loads(done.stdout)
        self.assertEqual(set(got), {"syncs", "p50_us", "p99_us", "p999_us", "max_us",
                                    "over_20ms"})
        self.assertGreater(got["syncs"], 0)


if __name__ == "__main__":
    unittest.main()
