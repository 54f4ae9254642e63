"""ops/test.sh: every argument goes to ctest, run in the build under test. (ctest itself ignores
arguments it does not know, so a bad one is not refused here.)"""
import unittest

from ops_scripts import ScriptChecks


class TestCommand(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/test.sh"
    HELP = "ctest [options]"  # ctest's own

    def test_bad_arguments_are_refused_with_a_usage_error(self):
        self.skipTest("ctest, which gets every argument, ignores those it does not know")

    def test_arguments_reach_ctest_in_the_build_directory(self):
        done = self.run_script("-N", "-R", r"^architecture\.", expect=0, timeout=600)
        self.assertIn("architecture.include_rules\n", done.stdout)
        self.assertIn("architecture.include_rules_test\n", done.stdout)
        self.assertIn("Total Tests: 2\n", done.stdout)


if __name__ == "__main__":
    unittest.main()
