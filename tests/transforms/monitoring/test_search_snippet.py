from transforms.monitoring.boolean_query import highlight_terms, parse_query
from transforms.monitoring.search_snippet import snippet

BODY = " ".join(f"w{i}" for i in range(100)) + " the Climate Change talks ended " + \
    " ".join(f"x{i}" for i in range(100))


def test_snippet_marks_matches_around_the_first_one() -> None:
    atoms = highlight_terms(parse_query('"climate change" OR talk* AND NOT w5'))
    text = snippet("", BODY, atoms)
    assert "[Climate Change] [talks]" in text
    assert text.startswith("…") and text.endswith("…")
    assert len(text.split()) <= 32


def test_snippet_without_body_match_is_the_start() -> None:
    atoms = highlight_terms(parse_query("title:budget"))
    assert snippet("Budget", "First words here.", atoms) == "First words here."
