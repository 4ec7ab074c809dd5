#!/usr/bin/env python3
"""Checks the documentation comments of the library and the examples.

  tables   every row of a Markdown table in a /// comment is on one line of
           its own (starts and ends with '|'): a formatter that reflows the
           comment runs rows together, and the table no longer reads as one;
  cites    include/ cites only what a reader of the library has: the RFCs
           and documents in the repository, not the project's design notes
           (design.md), which are not shipped.

Prints each violation as file:line and exits 1 when there is one."""

import sys

import checks

SOURCES = (".hpp", ".ipp", ".cpp", ".h")
NOT_SHIPPED = ("design.md",)


def doc_text(line):
    """The text of a /// comment line, or None for any other line."""
    s = line.strip()
    if not s.startswith("///"):
        return None
    return s[3:].strip()


def check_tables(root):
    bad = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in SOURCES):
        in_table = False
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            text = doc_text(line)
            if text is None or not text:
                in_table = False
                continue
            if text.startswith("|"):
                in_table = True
                if not text.endswith("|") or text.endswith("\\|"):
                    bad.append(f"{path}:{n}: a table row that goes on to the next line: {text[:60]}")
            elif in_table:
                bad.append(f"{path}:{n}: text inside a table, outside a row: {text[:60]}")
    return bad


def check_cites(root):
    bad = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in SOURCES):
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for doc in NOT_SHIPPED:
                if doc in line:
                    bad.append(f"{path}:{n}: cites {doc}, which is not in the repository")
    return bad


if __name__ == "__main__":
    sys.exit(checks.run({"tables": check_tables, "cites": check_cites},
                        "usage: check_docs.py tables|cites <dir>..."))
