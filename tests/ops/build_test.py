"""ops/build.sh: takes no arguments; builds into TT_BUILD_DIR (the build under test, already
built, so ninja finds nothing or little to do)."""
import re
import unittest

from ops_scripts import ScriptChecks


class Build(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/build.sh"
    HELP = "Usage: ops/build.sh"
    BAD = [(["clean"], "build.sh: unknown argument 'clean'")]

    def test_without_arguments_it_builds_the_build_directory(self):
        done = self.run_script(expect=0, timeout=600)
        self.assertRegex(done.stdout, re.compile(r"^ninja: no work to do|^\[\d+/\d+\]", re.M))


if __name__ == "__main__":
    unittest.main()
