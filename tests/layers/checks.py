"""What the house checks share: run one named check over folders, print
each violation as file:line, and exit 1 when there is one."""

import sys
from pathlib import Path


def run(checks, usage):
    """`checks` maps a name to a function of a folder that returns the
    violations found there; the command line is `<name> <folder>...`."""
    if len(sys.argv) < 3 or sys.argv[1] not in checks:
        print(usage)
        return 2
    folders = sys.argv[2:]
    bad = [b for d in folders for b in checks[sys.argv[1]](Path(d))]
    for b in bad:
        print(b)
    print(f"{len(bad)} violation(s) in {' '.join(folders)}")
    return 1 if bad else 0
