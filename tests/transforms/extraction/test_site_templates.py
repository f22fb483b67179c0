import polars as pl
import pytest

from transforms.schema import TEMPLATE_LINES
from transforms.extraction.site_templates import apply_templates, fingerprint, strip_templates, template_rows

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
def test_fingerprint(a: str, b: str, same: bool) -> None:
    assert (fingerprint(a) == fingerprint(b)) is same


def test_fingerprint_marks_prose() -> None:
    assert fingerprint(PROSE).startswith("p")
    assert fingerprint("Startseite").startswith("s")
    assert len(fingerprint(PROSE)) == 17


def _article(i: int, site: str, body: str) -> dict[str, object]:
    return {"article_id": f"a{i}", "site": site, "body": body}


TOPICS = ["harbour", "railway", "school", "hospital", "bridge"]
STORY = "A long paragraph of real reporting on the {i} that talks about the council vote in detail and more."
FOOTER = "Foto: Agentur / Mustermann"


def test_recurring_paragraph_is_learned_and_stripped() -> None:
    articles = [_article(i, "example.org", f"{STORY.format(i=TOPICS[i % 5])}\n\nMore on the {TOPICS[i % 5]} and its budget, said the mayor today.\n\n{FOOTER}")
                for i in range(3)]
    out, rows = apply_templates(articles, pl.DataFrame(schema=TEMPLATE_LINES))
    assert all(FOOTER not in a["body"] for a in out)
    assert rows.height > 0


def test_two_documents_are_not_enough() -> None:
    articles = [_article(i, "example.org", f"{STORY.format(i=TOPICS[i % 5])}\n\n{FOOTER}") for i in range(2)]
    out, _ = apply_templates(articles, pl.DataFrame(schema=TEMPLATE_LINES))
    assert all(FOOTER in a["body"] for a in out)


def test_stored_history_counts_and_other_sites_do_not() -> None:
    history = pl.DataFrame(template_rows([_article(i, "example.org", FOOTER) for i in range(10, 12)]),
                           schema=TEMPLATE_LINES)
    other_site = pl.DataFrame(template_rows([_article(i, "other.org", FOOTER) for i in range(20, 25)]),
                              schema=TEMPLATE_LINES)
    mine = [_article(1, "example.org", f"{STORY.format(i=TOPICS[1])}\n\n{FOOTER}")]
    out, _ = apply_templates([dict(a) for a in mine], history)
    assert FOOTER not in out[0]["body"]
    out, _ = apply_templates([dict(a) for a in mine], other_site)
    assert FOOTER in out[0]["body"]


def test_never_strips_most_of_an_article() -> None:
    body = "Short line one.\n\nShort line two."
    from transforms.extraction.site_templates import fingerprint

    known = frozenset({fingerprint("Short line one."), fingerprint("Short line two.")})
    assert strip_templates(body, known) == (body, [])


def test_clean_copy_neither_teaches_nor_loses_lines() -> None:
    # Agency stories repeat a results table's heading; clean copy has no chrome to learn.
    heading = "Standings after Saturday's games:"
    wire = [dict(_article(i, "wire.example", f"{STORY.format(i=TOPICS[i % 5])}\n\n{heading}"), text_kind="text")
            for i in range(4)]
    out, rows = apply_templates(wire, pl.DataFrame(schema=TEMPLATE_LINES))
    assert all(heading in a["body"] for a in out)
    assert rows.height == 0
