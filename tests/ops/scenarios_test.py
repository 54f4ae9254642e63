"""ops/scenarios.sh: replays each file against a fresh tacosd started with the file's `node:`
settings. A file without a `node:` list and one with one are both replayed (it used to pass an
empty argument for the first, which the node refused), and a file's settings reach the node."""
import os
import tempfile
import unittest

import yaml

from ops_scripts import ROOT, ScriptChecks

WITHOUT_NODE = "scenarios/files/bad_input.yaml"
WITH_NODE = "scenarios/files/happy_path.yaml"


def scenario(path):
    with open(os.path.join(ROOT, path)) as f:
        return yaml.safe_load(f)


class Scenarios(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/scenarios.sh"
    HELP = "Usage: ops/scenarios.sh [--scale X] [FILE...]"
    BAD = [(["--fast"], "unknown argument '--fast'"),
           (["--scale"], "--scale needs a number above 0"),
           (["--scale", "0", WITH_NODE], "--scale needs a number above 0"),
           (["--scale", "x", WITH_NODE], "--scale needs a number above 0"),
           (["scenarios/files/none.yaml"], "no scenario file 'scenarios/files/none.yaml'")]

    def test_files_with_and_without_node_settings_are_both_replayed(self):
        self.assertNotIn("node", scenario(WITHOUT_NODE))
        self.assertTrue(scenario(WITH_NODE)["node"])
        done = self.run_script("--scale", "0.01", WITHOUT_NODE, WITH_NODE, expect=0, timeout=300)
        for path in (WITHOUT_NODE, WITH_NODE):
            self.assertIn("PASS %s (" % scenario(path)["name"], done.stdout)
        self.assertEqual(done.stdout.count("1 passed, 0 failed"), 2, done.stdout)

    def test_the_node_gets_the_files_settings(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            yaml.safe_dump({"name": "bad node setting", "node": ["--no.such", "1"],
                            "steps": [{"wait": {"seconds": 0}}]}, f)
            f.flush()
            done = self.run_script(f.name, expect=1, timeout=300)
        self.assertIn("tacosd did not start", done.stderr)
        self.assertIn("unknown setting 'no.such'", done.stderr)


if __name__ == "__main__":
    unittest.main()
