"""ops/setup.sh: takes no arguments; installs what is missing, and once everything is there a
run is quiet (idempotent)."""
import unittest

from ops_scripts import ScriptChecks


class Setup(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/setup.sh"
    HELP = "Usage: ops/setup.sh"
    BAD = [(["--force"], "setup.sh: unknown argument '--force'")]

    def test_without_arguments_it_installs_then_is_quiet(self):
        self.run_script(expect=0, timeout=600)
        done = self.run_script(expect=0)
        self.assertEqual((done.stdout, done.stderr), ("", ""))


if __name__ == "__main__":
    unittest.main()
