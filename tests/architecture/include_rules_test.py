"""The include-rule checker (include_rules.py) must fail when a forbidden include is added: each
case copies the checked folders of this repository into a temporary tree, adds one line to one
file, and runs the checker as the test command does. Every rule of the table is broken by at
least one case, and allowed includes stay allowed."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHECKER = os.path.join(HERE, "include_rules.py")
sys.path.insert(0, HERE)

import include_rules  # noqa: E402

# file to change | line added | rule it breaks (scope, then the start of its reason)
FORBIDDEN = [
    ("actors/domain/seat.hpp", "#include <caf/all.hpp>", "actors/domain/*", "no CAF"),
    ("actors/domain/payment.cpp", "#include <grpcpp/grpcpp.h>", "actors/domain/*", "no gRPC"),
    ("actors/domain/reservation.hpp", '#include "proto/tt/internal/v1/events.pb.h"',
     "actors/domain/*", "no protobuf"),
    ("actors/domain/catalog.cpp", "#  include <google/protobuf/message.h>", "actors/domain/*",
     "no protobuf"),
    ("actors/domain/waiting_room.cpp", "#include <librdkafka/rdkafkacpp.h>", "actors/domain/*",
     "no Kafka"),
    ("actors/domain/idempotency.hpp", "#include <rocksdb/db.h>", "actors/domain/*", "no RocksDB"),
    ("actors/domain/seat.cpp", "#include <spdlog/spdlog.h>", "actors/domain/*",
     "the domain sees the standard library"),
    ("actors/common/ids.hpp", "#include <openssl/sha.h>", "actors/common/*.hpp",
     "tt_common's headers"),
    ("actors/common/ids.cpp", "#include <caf/all.hpp>", "actors/common/*.cpp", "tt_common:"),
    ("actors/runtime/event_actor.cpp", '#include "adapters/grpc/status_mapping.hpp"',
     "actors/*", "actors never see the adapters"),
    ("storage/group_commit.cpp", '#include "actors/common/ids.hpp"', "storage/*",
     "storage is below"),
    ("storage/data_directory.hpp", '#include "adapters/kafka/topics.hpp"', "storage/*",
     "storage is below"),
    ("scenarios/load/histogram.cpp", '#include "actors/domain/seat.hpp"', "scenarios/*",
     "scenarios drive the node from outside"),
    ("scenarios/load/report.cpp", '#include "proto/tt/internal/v1/events.pb.h"', "scenarios/*",
     "tt/internal is not the contract"),
    ("scenarios/runner/replay.py", "from proto.tt.internal.v1 import events_pb2", "scenarios/*",
     "tt/internal is not the contract"),
    ("scenarios/runner/user_flow.py", "import storage.errc", "scenarios/*",
     "scenarios drive the node from outside"),
]

# file | line added that every rule allows
ALLOWED = [
    ("actors/domain/seat.hpp", "// #include <caf/all.hpp> is a comment, not an include"),
    ("actors/domain/seat.hpp", '#include "actors/common/hash.hpp"'),
    ("actors/common/hmac.cpp", "#include <openssl/rand.h>"),
    ("actors/runtime/event_actor.cpp", '#include "storage/errc.hpp"'),
    ("actors/runtime/event_actor.cpp", "#include <caf/all.hpp>"),
    ("storage/group_commit.cpp", "#include <rocksdb/db.h>"),
    ("scenarios/load/report.cpp", '#include "proto/payment/v1/payment.pb.h"'),
    ("scenarios/runner/replay.py", "from proto.gateway.v1 import queue_pb2"),
]


class IncludeRules(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="include-rules-")
        self.copies = 0
        self.fresh_copy()

    def tearDown(self):
        self.tmp.cleanup()

    def fresh_copy(self):
        """A new copy of the checked folders, which later calls change and check."""
        self.copies += 1
        self.root = os.path.join(self.tmp.name, str(self.copies))
        for top in ("actors", "storage", "scenarios"):
            shutil.copytree(os.path.join(ROOT, top), os.path.join(self.root, top),
                            ignore=shutil.ignore_patterns("__pycache__"))

    def run_checker(self):
        done = subprocess.run([sys.executable, CHECKER, "--root", self.root],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.stderr, "")
        return done.returncode, done.stdout

    def add_line(self, rel, line):
        """Appends `line` to the copy of `rel`; returns its line number."""
        path = os.path.join(self.root, rel)
        with open(path) as f:
            text = f.read()
        if not text.endswith("\n"):
            text += "\n"
        with open(path, "w") as f:
            f.write(text + line + "\n")
        return text.count("\n") + 1

    def test_this_repository_keeps_every_rule(self):
        done = subprocess.run([sys.executable, CHECKER], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout)
        self.assertRegex(done.stdout, r"include rules: \d+ rules hold over \d+ files")

    def test_the_unchanged_copy_passes(self):
        code, out = self.run_checker()
        self.assertEqual(code, 0, out)

    def test_a_forbidden_include_fails_naming_the_file_and_the_rule(self):
        for rel, line, scope, reason in FORBIDDEN:
            with self.subTest(file=rel, line=line):
                self.fresh_copy()
                number = self.add_line(rel, line)
                code, out = self.run_checker()
                self.assertEqual(code, 1, out)
                problems = [p for p in out.splitlines() if not p.startswith("include rules:")]
                self.assertEqual(len(problems), 1, out)
                self.assertTrue(problems[0].startswith("%s:%d: " % (rel, number)), out)
                self.assertIn(": %s " % scope, problems[0])
                self.assertIn(reason, problems[0].split(" (", 1)[1])
                self.assertIn("include rules: 1 broken", out)

    def test_an_include_of_a_macro_fails_because_it_cannot_be_checked(self):
        number = self.add_line("actors/domain/seat.cpp", "#include TT_SOME_HEADER")
        code, out = self.run_checker()
        self.assertEqual(code, 1, out)
        self.assertIn("actors/domain/seat.cpp:%d: an #include without <path>" % number, out)

    def test_every_rule_of_the_table_is_proven_by_a_case(self):
        proven = set()
        for rel, line, scope, reason in FORBIDDEN:
            [(_, target)] = include_rules.references(rel, line)
            rule = include_rules.broken_rule(rel, target)
            self.assertIsNotNone(rule, line)
            self.assertEqual((rule[0], reason in rule[3]), (scope, True), line)
            proven.add(rule)
        self.assertEqual(set(include_rules.RULES) - proven, set())

    def test_allowed_includes_pass(self):
        for rel, line in ALLOWED:
            self.add_line(rel, line)
        code, out = self.run_checker()
        self.assertEqual(code, 0, out)

    def test_a_scope_that_matches_nothing_fails(self):
        shutil.move(os.path.join(self.root, "storage"), os.path.join(self.root, "store"))
        code, out = self.run_checker()
        self.assertEqual(code, 1, out)
        self.assertIn("rule scope storage/* matches no file", out)


if __name__ == "__main__":
    unittest.main()
