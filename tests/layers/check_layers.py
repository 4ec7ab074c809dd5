#!/usr/bin/env python3
"""Checks the include graph of the library and of the examples.

  layers   every #include <sipsaf/...> in include/ stays in its own layer or
           goes down (core < grammar < rfc3841, mime < message < store <
           policy; gateway, reachability readers and the testing models
           beside policy; the umbrella headers on top);
  public   the examples use public API only: no header under a detail/ or
           impl/ folder, no name in a namespace called detail, and no copy
           of what the library offers (ASCII case folding, reason phrases).

Prints each violation as file:line and exits 1 when there is one."""

import re
import sys

import checks

# The rank of each part; a header may include headers of its rank or below.
CORE_FILES = {"config", "error", "result", "ascii", "time", "reason_phrase"}
PART_RANK = {
    "grammar": 1,
    "rfc3841": 2,
    "mime": 2,
    "message": 3,
    "store": 4,
    "policy": 5,
    "gateway": 5,
    "reachability": 5,
    "testing": 5,
}
BESIDE_POLICY = 5  # a new part of the library: readers and gateways go here
TOP = 9            # <sipsaf.hpp> and any other header that gathers parts

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"](sipsaf(?:\.hpp|/[^>"]+))[>"]')


def rank(rel):
    """The layer of a header, from its path under include/."""
    parts = rel.split("/")
    if len(parts) == 1:  # sipsaf.hpp
        return TOP
    if len(parts) == 2:  # sipsaf/<name>.hpp: a core header or a part's umbrella
        name = parts[1][:-4] if parts[1].endswith(".hpp") else parts[1]
        if name in CORE_FILES:
            return 0
        return PART_RANK.get(name, TOP)
    if len(parts) == 3 and parts[1] == "impl":  # sipsaf/impl/<core>.ipp: its definitions
        name = parts[2].rsplit(".", 1)[0]
        return 0 if name in CORE_FILES else TOP
    return PART_RANK.get(parts[1], BESIDE_POLICY)


def check_layers(include_dir):
    bad = []
    for path in sorted([*include_dir.rglob("*.hpp"), *include_dir.rglob("*.ipp")]):
        rel = path.relative_to(include_dir).as_posix()
        mine = rank(rel)
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if m and rank(m.group(1)) > mine:
                bad.append(f"{path}:{n}: {rel} (layer {mine}) includes {m.group(1)} "
                           f"(layer {rank(m.group(1))}), a layer above it")
    return bad


DETAIL_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]sipsaf/\S*/(detail|impl)/')
DETAIL_NAME = re.compile(r'\bdetail\s*::|\busing\s+namespace\s+[\w:]*\bdetail\b')
# What the library offers in public and examples would otherwise write again:
# ASCII case folding (<sipsaf/ascii.hpp>: a locale must not change a SIP
# comparison) and reason phrases (<sipsaf/reason_phrase.hpp>).
OWN_COPY = re.compile(r'\b(?:inline\s+|static\s+|constexpr\s+)*(?:auto|bool|char|std::string|'
                      r'std::string_view|char\s+const\s*\*|const\s+char\s*\*)\s+'
                      r'(iequals|ascii_lower|lower|to_lower|reason_phrase)\s*\(')
LOCALE_FOLD = re.compile(r'(?<![\w.])(?:std::)?(tolower|toupper|strcasecmp|strncasecmp)\s*\(')


def strip_comments(text):
    """The text with comments and string literals blanked (line count kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def check_public(examples_dir):
    bad = []
    for path in sorted(examples_dir.rglob("*")):
        if path.suffix not in (".hpp", ".cpp", ".h", ".cc"):
            continue
        text = path.read_text(errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            if DETAIL_INCLUDE.match(line):
                bad.append(f"{path}:{n}: includes a private header: {line.strip()}")
        for n, line in enumerate(strip_comments(text).splitlines(), 1):
            if DETAIL_NAME.search(line):
                bad.append(f"{path}:{n}: names detail:: (examples use public API only): "
                           f"{line.strip()}")
            m = OWN_COPY.search(line) or LOCALE_FOLD.search(line)
            if m:
                bad.append(f"{path}:{n}: {m.group(1)} written again (sipsaf::iequals, "
                           f"ascii_lower and reason_phrase are public): {line.strip()}")
    return bad


if __name__ == "__main__":
    sys.exit(checks.run({"layers": check_layers, "public": check_public},
                        "usage: check_layers.py layers <include dir> | public <examples dir>"))
