"""Template learning: fingerprints, counting, merging, selection."""

from __future__ import annotations

import pytest

from transforms.templates import (
    DOCUMENTS_KEY,
    count_fingerprints,
    learn_fingerprints,
    line_fingerprint,
    merge_counts,
    merge_fingerprints,
    select_boilerplate,
)

PROSE = (
    "Der Rat hat am Dienstag beschlossen, dass der Nachtbus künftig auch in die nördlichen Stadtteile "
    "fahren wird."
)


@pytest.mark.parametrize(
    "a, b, same",
    [
        pytest.param("© 2024 Foo GmbH", "© 2025 foo gmbh", True, id="digits-and-case"),
        pytest.param("  Mehr   zum Thema: ", "Mehr zum Thema", True, id="whitespace-and-edge-punct"),
        pytest.param("Sport", "Kultur", False, id="different"),
    ],
)
def test_line_fingerprint(a: str, b: str, same: bool) -> None:
    assert (line_fingerprint(a) == line_fingerprint(b)) is same


def test_fingerprint_marks_prose() -> None:
    assert line_fingerprint(PROSE).startswith("p")
    assert line_fingerprint("Startseite").startswith("s")
    assert len(line_fingerprint(PROSE)) == 17


def test_learn_counts_distinct_documents_per_publisher() -> None:
    docs = [("a.de", ["Startseite", "Startseite", f"Text {i}"]) for i in range(2)]
    docs += [("b.de", ["Startseite"])]
    assert learn_fingerprints(docs, min_docs=3) == {}
    docs.append(("a.de", ["Startseite"]))
    assert learn_fingerprints(docs, min_docs=3) == {"a.de": frozenset({line_fingerprint("Startseite")})}


def test_prose_needs_a_share_of_documents() -> None:
    # A reused background paragraph in 3 of 10 stories is content; in 6 of 10 it is a template.
    docs = [("a.de", [PROSE] if i < 3 else ["other"]) for i in range(10)]
    assert line_fingerprint(PROSE) not in learn_fingerprints(docs).get("a.de", frozenset())
    docs = [("a.de", [PROSE] if i < 6 else ["other"]) for i in range(10)]
    assert line_fingerprint(PROSE) in learn_fingerprints(docs)["a.de"]


def test_merge_is_the_same_as_counting_everything() -> None:
    first = [("a.de", ["Menü", "Sport"]), ("a.de", ["Menü"])]
    second = [("a.de", ["Menü", "Sport"]), ("b.de", ["Menü"])]
    merged = merge_fingerprints(count_fingerprints(first), second)
    assert merged == count_fingerprints(first + second)
    assert merged["a.de"][DOCUMENTS_KEY] == 3 and merged["a.de"][line_fingerprint("Menü")] == 3
    assert merge_counts({}, merged) == merged
    assert select_boilerplate(merged, min_docs=2) == {
        "a.de": frozenset({line_fingerprint("Menü"), line_fingerprint("Sport")})
    }
