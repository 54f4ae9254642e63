"""ops/tools/client.py's argument handling (tests/e2e/client_e2e_test.py runs its commands
against a real node): every command is listed, bad usage exits 2, and an unreachable node is a
call failure (exit 1) reported with its gRPC status."""
import unittest

from ops_scripts import ScriptChecks

COMMANDS = ["services", "health", "system-health", "events", "hold", "pay", "watch",
            "reservation"]
HOLD = ["hold", "--event", "e", "--user", "u"]
ID = ["--reservation", "r", "--user", "u"]


class ClientArguments(ScriptChecks, unittest.TestCase):
    SCRIPT = "ops/tools/client.py"
    HELP = "COMMAND --help"
    BAD = [([], "the following arguments are required: COMMAND"),
           (["book"], "invalid choice: 'book'"),
           (HOLD, "one of the arguments --quantity --seat is required"),
           (HOLD + ["--quantity", "1", "--seat", "A-1-1"],
            "argument --seat: not allowed with argument --quantity"),
           (HOLD + ["--quantity", "two"], "argument --quantity: invalid int value: 'two'"),
           (["pay", *ID, "--outcome", "maybe"], "argument --outcome: invalid choice: 'maybe'"),
           (["watch", *ID, "--timeout", "0"], "argument --timeout: must be above 0"),
           (["reservation", "r"], "the following arguments are required: --user")]

    def test_every_command_is_listed_with_its_own_help(self):
        done = self.run_script("--help", expect=0)
        for command in COMMANDS:
            self.assertIn("\n    %s " % command, done.stdout)
            with self.subTest(command=command):
                self.assertIn("usage: client.py %s" % command,
                              self.run_script(command, "--help", expect=0).stdout)

    def test_a_catalog_that_cannot_be_read_is_an_error(self):
        done = self.run_script("events", "--catalog", "/nonexistent", expect=1)
        self.assertIn("error: cannot read the catalog /nonexistent", done.stderr)

    def test_an_unreachable_node_is_a_failed_call(self):
        done = self.run_script("--target", "127.0.0.1:1", "reservation", "r-1", "--user", "u",
                               expect=1)
        self.assertIn("error: UNAVAILABLE", done.stderr)


if __name__ == "__main__":
    unittest.main()
