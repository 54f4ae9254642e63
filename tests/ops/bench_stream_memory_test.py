"""ops/bench/stream_memory.py: its flags are parsed; a small correct list (5 streams over 2
connections) starts its own node from --build and prints its one result line."""
import re
import unittest

from ops_scripts import BUILD, ScriptChecks


class StreamMemory(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/bench/stream_memory.py"
    HELP = "--streams STREAMS"
    BAD = [(["--fast"], "unrecognized arguments: --fast"),
           (["--streams", "x"], "argument --streams: invalid int value: 'x'")]

    def test_a_few_streams_are_measured(self):
        done = self.run_script("--streams", "5", "--connections", "2", "--build", BUILD,
                               expect=0)
        self.assertRegex(done.stdout, re.compile(r"^streams: 5  rss before: ", re.M))


if __name__ == "__main__":
    unittest.main()
