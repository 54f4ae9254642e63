"""ops/bench/run.sh: its flags are parsed before anything runs. A full run takes minutes, so the
correct list checked here is --no-build with a build directory that lacks the binaries: the
script must skip the build and stop, naming what is missing."""
import os
import tempfile
import unittest

from ops_scripts import ScriptChecks

DURATION = "--duration needs a whole number, 1 to 600"


class BenchRun(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/bench/run.sh"
    HELP = "Usage: ops/bench/run.sh [--quick] [--duration SECONDS] [--no-build]"
    BAD = [(["--fast"], "run.sh: unknown argument '--fast'"), (["--duration"], DURATION),
           (["--duration", "0"], DURATION), (["--duration", "1.5"], DURATION)]

    def test_no_build_uses_the_build_directory_as_it_is(self):
        with tempfile.TemporaryDirectory(prefix="bench-build-") as empty:
            env = dict(os.environ, TT_BUILD_DIR=empty)
            done = self.run_script("--quick", "--no-build", "--duration", "3", env=env, expect=1)
        self.assertNotIn("bench: building", done.stderr)
        self.assertIn("run.sh: %s/scenarios/load/tt_loadgen is missing (build first)" % empty,
                      done.stderr)


if __name__ == "__main__":
    unittest.main()
