"""scenarios/runner/replay.py, run by its path as scenarios/README.md does: files are required,
a file that does not parse exits 2, and a correct list (--json --scale against a node started
with the file's settings) replays it."""
import json
import os
import tempfile
import unittest

import yaml

from ops_scripts import ROOT, TACOSD, ScriptChecks

from node_process import NodeProcess  # noqa: E402 (ops_scripts put tests/e2e on the path)

FILE = "scenarios/files/happy_path.yaml"


class Replay(ScriptChecks, unittest.TestCase):
    SCRIPT = "scenarios/runner/replay.py"
    HELP = "--target TARGET"
    BAD = [([], "the following arguments are required: files"),
           (["--fast", FILE], "unrecognized arguments: --fast"),
           (["--scale", "x", FILE], "argument --scale: invalid float value: 'x'"),
           (["--targets", "a:1,,b:2", FILE], "argument --targets: want host:port,host:port"),
           (["--target", "a:1", "--targets", "b:2", FILE],
            "argument --targets: not allowed with argument --target")]

    def test_a_file_that_does_not_parse_exits_2(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            f.write("name: [unclosed\n")
            f.flush()
            self.assertIn("tt-replay: " + f.name, self.run_script(f.name, expect=2).stderr)

    def test_a_file_is_replayed_against_a_node(self):
        with open(os.path.join(ROOT, FILE)) as f:
            doc = yaml.safe_load(f)
        node = NodeProcess(TACOSD, "--catalog.dir", "/nonexistent", *doc.get("node", [])).start()
        try:
            done = self.run_script("--target", "127.0.0.1:%d" % node.port, "--json", "--scale",
                                   "0.1", FILE, expect=0)
        finally:
            node.stop()
            node.close()
        got = json.loads(done.stdout)
        self.assertTrue(got["passed"], got)
        self.assertEqual([s["scenario"] for s in got["scenarios"]], [doc["name"]])


if __name__ == "__main__":
    unittest.main()
