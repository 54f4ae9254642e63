"""Shared by the tests of the scripts the READMEs name: each runs its script as a user does (by
its path, from the repository root) against the build under test (TT_BUILD_DIR, which every
script honours), and checks its argument handling: --help, a usage error (exit 2, a message on
stderr) for a bad argument, and a correct argument list doing what it says."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ["TT_BUILD_DIR"]
TACOSD = os.path.join(BUILD, "adapters", "node", "tacosd")
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))  # node_process: a real tacosd


def run(script, *args, timeout=120, env=None):
    return subprocess.run([os.path.join(ROOT, script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=env)


class ScriptChecks:
    """Mixed into each script's unittest.TestCase, which names its script and what its usage
    looks like; the script-specific tests (a correct argument list) live in that class."""
    SCRIPT = None  # the script's path from the repository root, as the READMEs write it
    HELP = None  # a piece of what --help prints
    BAD = []  # (arguments, a piece of the message on stderr): each must exit 2

    def run_script(self, *args, expect=None, **kw):
        done = run(self.SCRIPT, *args, **kw)
        if expect is not None:
            self.assertEqual(done.returncode, expect, "%s %s:\n%s%s" % (
                self.SCRIPT, " ".join(args), done.stdout, done.stderr))
        return done

    def test_help_prints_the_usage(self):
        self.assertIn(self.HELP, self.run_script("--help", expect=0).stdout)

    def test_bad_arguments_are_refused_with_a_usage_error(self):
        for args, message in self.BAD:
            with self.subTest(args=args):
                self.assertIn(message, self.run_script(*args, expect=2).stderr)
