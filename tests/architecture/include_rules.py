#!/usr/bin/python3
"""The folder boundaries of README "Layout", checked on every #include (C++) and import (Python)
under the folders the rules name. Exits 1 and names each file, line and broken rule; 0 if none.

  tests/architecture/include_rules.py [--root REPO]

A Python import is read as a path (`from proto.tt.internal.v1 import x` is `proto/tt/internal/v1`),
so one pattern covers both languages. Rules are checked in table order; an include is reported
once, under the first rule it breaks."""
import argparse
import ast
import fnmatch
import os
import re
import sys

# The standard library: an include without a folder or an extension (<vector>, <cstdint>).
STD = r"[a-z0-9_]+"
CONTRACT_STUBS = "proto/{common,gateway,reservation,payment}/v1, proto/google/rpc"

# scope: files (glob, from the repository root) | verdict: "never" (no include may match) or
# "only" (every include must match) | includes: regular expression on the include's path |
# reason: what the boundary protects.
RULES = [
    ("actors/domain/*", "never", r"caf/.*", "the domain is pure: no CAF"),
    ("actors/domain/*", "never", r"(grpc|grpcpp|grpc\+\+)/.*", "the domain is pure: no gRPC"),
    ("actors/domain/*", "never", r"google/protobuf/.*|.*\.pb\.h|proto/.*",
     "the domain is pure: no protobuf"),
    ("actors/domain/*", "never", r"(librdkafka/)?rdkafka.*", "the domain is pure: no Kafka"),
    ("actors/domain/*", "never", r"rocksdb/.*", "the domain is pure: no RocksDB"),
    ("actors/domain/*", "only", STD + r"|actors/(common|domain)/.*",
     "the domain sees the standard library and tt_common only"),
    ("actors/common/*.hpp", "only", STD + r"|actors/common/.*",
     "tt_common's headers reach the domain: standard library only"),
    ("actors/common/*.cpp", "only", STD + r"|actors/common/.*|openssl/.*",
     "tt_common: standard library, and libcrypto linked privately"),
    ("actors/*", "never", r"adapters/.*", "actors never see the adapters"),
    ("storage/*", "never", r"(actors|adapters)/.*", "storage is below the actors and adapters"),
    ("scenarios/*", "never", r"(actors|adapters|storage)/.*",
     "scenarios drive the node from outside, through " + CONTRACT_STUBS + " only"),
    ("scenarios/*", "never", r"proto/tt/.*",
     "tt/internal is not the contract: scenarios use " + CONTRACT_STUBS + " only"),
]

CPP = (".hpp", ".cpp", ".h", ".cc", ".hh", ".cxx", ".ipp", ".inl")
INCLUDE = re.compile(r"^\s*#\s*include\b(.*)$")
INCLUDE_PATH = re.compile(r'^\s*[<"]([^>"]+)[>"]')


def cpp_includes(text):
    """(line, path) of each #include; a form without <path> or "path" (a macro) is returned as
    None, because its target cannot be checked."""
    for number, line in enumerate(text.splitlines(), 1):
        m = INCLUDE.match(line)
        if m:
            target = INCLUDE_PATH.match(m.group(1))
            yield number, target.group(1) if target else None


def python_imports(text, path):
    """(line, module as a path) of each absolute import; relative imports stay in their folder."""
    for node in ast.walk(ast.parse(text, path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.replace(".", "/")
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.lineno, node.module.replace(".", "/")


def references(rel, text):
    """(line, target) of every include or import in `text`, the contents of file `rel`."""
    if rel.endswith(CPP):
        return list(cpp_includes(text))
    if rel.endswith(".py"):
        return list(python_imports(text, rel))
    return []


def source_files(root):
    """Every C++ and Python file under the folders the rules name, as root-relative paths."""
    tops = sorted({scope.split("/")[0] for scope, _, _, _ in RULES})
    for top in tops:
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(CPP + (".py",)):
                    yield os.path.relpath(os.path.join(folder, name), root)


def broken_rule(rel, target):
    """The first rule the reference breaks, or None."""
    for rule in RULES:
        scope, verdict, pattern, _ = rule
        if not fnmatch.fnmatch(rel, scope):
            continue
        matches = re.fullmatch(pattern, target) is not None
        if matches == (verdict == "never"):
            return rule
    return None


def check(root):
    """(problems, files, references): problems are printable lines; an empty list means clean."""
    problems = []
    files = list(source_files(root))
    count = 0
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        for line, target in references(rel, text):
            count += 1
            if target is None:
                problems.append("%s:%d: an #include without <path> or \"path\": the rules "
                                "cannot check it" % (rel, line))
                continue
            rule = broken_rule(rel, target)
            if rule:
                scope, verdict, pattern, reason = rule
                problems.append("%s:%d: %s: %s %s '%s' (%s)" % (
                    rel, line, target, scope, verdict, pattern, reason))
    # A scope that matches nothing (a folder renamed) would pass forever: that is a failure too.
    for scope in sorted({r[0] for r in RULES}):
        if not any(fnmatch.fnmatch(rel, scope) for rel in files):
            problems.append("rule scope %s matches no file under %s" % (scope, root))
    return problems, len(files), count


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(here)),
                    help="the repository to check (default: this one)")
    args = ap.parse_args()
    problems, files, count = check(args.root)
    for p in problems:
        print(p)
    if problems:
        print("include rules: %d broken" % len(problems))
        return 1
    print("include rules: %d rules hold over %d files (%d includes and imports)" % (
        len(RULES), files, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
