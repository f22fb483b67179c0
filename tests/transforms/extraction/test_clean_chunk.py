"""The clean stage's chunk work: templates out, derived columns refreshed, a URL claimed earlier in the run kept by its first document."""

from __future__ import annotations

import polars as pl

from transforms.extraction.clean import CleanBatch
from transforms.extraction.clean_chunk import chunk_lines, claim, finish_clean
from transforms.schema import TEMPLATE_LINES

FOOTER = "Foto: Agentur / Mustermann"


def _article(i: int, body: str, article_id: str | None = None) -> dict[str, object]:
    return {"article_id": article_id or f"a{i}", "doc_key": f"f{i}.html", "url": f"https://e.org/{i}",
            "path": f"f{i}.html", "source": "t", "site": "e.org", "title": f"Story {i}", "body": body}


def test_templates_leave_and_derived_columns_follow() -> None:
    stories = [f"The council debated the {topic} budget for hours before the vote, said the mayor."
               for topic in ("harbour", "railway", "school")]
    batches = [CleanBatch([_article(i, f"{stories[i]}\n\n{FOOTER}") for i in range(2)]),
               CleanBatch([_article(2, f"{stories[2]}\n\n{FOOTER}")], [{"doc_key": "bad", "reasons": ["x"]}])]
    lines = chunk_lines(batches)
    assert set(lines["site"]) == {"e.org"} and set(lines["article_id"]) == {"a0", "a1", "a2"}
    cleaned = finish_clean(batches, pl.DataFrame(schema=TEMPLATE_LINES), {}, "r1", lines)
    assert [a["body"] for a in cleaned.articles] == stories
    assert all(a["word_count"] == len(str(a["body"]).split()) for a in cleaned.articles)
    assert cleaned.template_lines.equals(lines) and cleaned.quarantined == [{"doc_key": "bad", "reasons": ["x"]}]
    assert set(cleaned.claims) == {"a0", "a1", "a2"}


def test_a_url_claimed_in_an_earlier_chunk_stays_with_its_first_document() -> None:
    first = _article(0, "The first version of the story, long enough to stand on its own here.", "same")
    later = _article(5, "A second file claiming the same URL later in the run, with other words.", "same")
    other = _article(6, "Another story entirely, about the railway line and its new timetable.")
    cleaned = finish_clean([CleanBatch([later, other])], pl.DataFrame(schema=TEMPLATE_LINES),
                           {"same": claim(first)}, "r1")
    assert [a["article_id"] for a in cleaned.articles] == ["a6"]
    [repeated] = cleaned.quarantined
    assert repeated["doc_key"] == "f5.html" and repeated["stage"] == "load"
    assert repeated["detail"] == "kept f0.html for https://e.org/0"
