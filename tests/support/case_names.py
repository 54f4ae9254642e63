#!/usr/bin/python3
"""doctest case names that ctest cannot run: doctest_discover_tests registers each case under its
name, and a ';' in it splits the name as a CMake list, so its ctest entry matches no case and
passes having run nothing (eleven cases did, a full-disk test among them). Exits 1 naming each
such case under tests/, 0 if none.

  tests/support/case_names.py [--root REPO]"""
import argparse
import os
import re
import sys

CASE = re.compile(r'(?:TEST_CASE|SUBCASE)\("((?:[^"\\]|\\.)*)"')


def bad_names(root):
    found = []
    for folder, _, files in os.walk(os.path.join(root, "tests")):
        for name in sorted(files):
            if not name.endswith((".cpp", ".hpp")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    for case in CASE.findall(line):
                        if ";" in case:
                            found.append("%s:%d: %s" % (os.path.relpath(path, root), number, case))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    found = bad_names(os.path.abspath(parser.parse_args().root))
    for line in found:
        print("a ';' in a case name (ctest would run nothing): " + line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
