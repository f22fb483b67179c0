"""The mentions and entities suites (through GX, via flows.quality.check_tagged), the
boilerplate-leak check per language, GX Data Docs and the data-quality artifact text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from expectations.runner import build_data_docs, load_suite_json, run_suite
from flows.quality import check_tagged, quality_markdown
from transforms.schema import ENTITIES, MENTIONS, frame

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PARAMS = {"now": NOW, "min_words": 50, "earliest_date": datetime(1990, 1, 1, tzinfo=UTC)}
GOOD_BODY = " ".join(["word"] * 60)


def _mention(article_id: str, entity_id: str, surface: str, start: int = 0, **changes: object) -> dict[str, object]:
    row = {"article_id": article_id, "entity_id": entity_id, "surface": surface, "entity_type": "PERSON",
           "start_char": start, "end_char": start + len(surface), "in_title": False, "source": "ner"}
    row.update(changes)
    return row


def _entity(entity_id: str, name: str, entity_type: str = "PERSON") -> dict[str, object]:
    return {"entity_id": entity_id, "canonical_name": name, "entity_type": entity_type, "aliases": [name]}


def test_clean_tags_pass_both_suites() -> None:
    gate = check_tagged.fn(frame([_mention("a1", "e1", "Ada Lovelace"), _mention("a1", "e2", "Paris", 20,
                                                                                 entity_type="GPE")], MENTIONS),
                           frame([_entity("e1", "Ada Lovelace"), _entity("e2", "Paris", "GPE")], ENTITIES),
                           [{"article_id": "a1"}], "r1")
    assert gate.mentions.height == 2 and gate.entities.height == 2
    assert gate.warnings_by_check == {}
    assert set(gate.dq_results["suite"]) == {"mentions", "entities"} and all(gate.dq_results["success"])
    expected = len(load_suite_json("mentions")["expectations"]) + len(load_suite_json("entities")["expectations"])
    assert gate.dq_results.height == expected


def test_critical_failures_drop_rows_and_are_counted() -> None:
    mentions = frame([
        _mention("a1", "e1", "Ada Lovelace"),
        _mention("a1", "e1", "   ", 30),                 # blank surface: dropped
        _mention("gone", "e1", "Ada", 40),              # orphan: its article is not loaded
        _mention("a1", "e9", "Nobody", 50),             # its entity is not in this load
        _mention("a1", "e3", "???", 60),                # its entity fails (no name): dropped with it
        _mention("a1", "e1", "Ada", 70, end_char=65),   # span ends before it starts
    ], MENTIONS)
    entities = frame([_entity("e1", "Ada Lovelace"), _entity("e3", " ")], ENTITIES)
    gate = check_tagged.fn(mentions, entities, [{"article_id": "a1"}], "r1")
    assert gate.mentions["start_char"].to_list() == [0]
    assert gate.entities["entity_id"].to_list() == ["e1"]
    assert gate.warnings_by_check == {
        "entities.name_non_empty (dropped)": 1, "entities.name_has_letters (dropped)": 1,
        "mentions.surface_non_empty (dropped)": 1,
        "mentions.article_known (dropped)": 1, "mentions.entity_known (dropped)": 2,
        "mentions.span_valid (dropped)": 1,
    }
    failed = {r["expectation"]: r["unexpected_count"] for r in gate.dq_results.iter_rows(named=True)
              if not r["success"]}
    assert failed == {"name_non_empty": 1, "name_has_letters": 1, "surface_non_empty": 1, "article_known": 1, "entity_known": 2,
                      "span_valid": 1}


def test_warnings_keep_the_rows() -> None:
    long_name = "A" * 130
    gate = check_tagged.fn(
        frame([_mention("a1", "e1", long_name, entity_type="WEIRD")], MENTIONS),
        frame([_entity("e1", long_name, "WEIRD"), _entity("e2", "1234", "ORG")], ENTITIES),
        [{"article_id": "a1"}], "r1")
    assert gate.mentions.height == 1 and gate.entities.height == 2
    assert gate.warnings_by_check == {
        "mentions.entity_type_known": 1, "mentions.surface_plausible_length": 1,
        "entities.entity_type_known": 1, "entities.name_plausible_length": 1, "entities.name_has_letters": 1,
    }


def _articles(body: str) -> pl.DataFrame:
    rows = [{"article_id": aid, "url": f"https://e.org/{aid}", "publisher": "E", "title": "T", "body": b,
             "word_count": 60, "published_at": datetime(2025, 6, 1, tzinfo=UTC), "language_ok": True, "ner_model_ok": True}
            for aid, b in (("good", GOOD_BODY), ("bad", GOOD_BODY + "\n\n" + body))]
    return pl.DataFrame(rows, schema={"article_id": pl.String, "url": pl.String, "publisher": pl.String,
                                      "title": pl.String, "body": pl.String, "word_count": pl.Int32,
                                      "published_at": pl.Datetime("us", "UTC"), "language_ok": pl.Boolean,
                                      "ner_model_ok": pl.Boolean})


@pytest.mark.parametrize("leak", [
    pytest.param("We value your privacy", id="en-consent"),
    pytest.param("Sign up for our newsletter", id="en-newsletter"),
    pytest.param("Share this article", id="en-share"),
    pytest.param("Read more", id="en-read-more"),
    pytest.param("Please read our terms of use", id="en-terms"),
    pytest.param("Zustimmen und weiter", id="de-consent"),
    pytest.param("Jetzt die App herunterladen", id="de-app"),
    pytest.param("Mehr zum Thema", id="de-related"),
    pytest.param("Newsletter abonnieren", id="de-newsletter"),
    pytest.param("Artikel teilen", id="de-share"),
    pytest.param("© 2024 Beispiel Verlag GmbH", id="de-copyright"),
    pytest.param("Es gelten unsere AGB", id="de-terms"),
    pytest.param("Ce site utilise des cookies", id="fr-cookies"),
    pytest.param("À lire aussi", id="fr-related"),
    pytest.param("Abonnez-vous à notre newsletter", id="fr-newsletter"),
    pytest.param("Partager sur Facebook", id="fr-share"),
    pytest.param("Tous droits réservés", id="fr-copyright"),
    pytest.param("Este sitio web utiliza cookies", id="es-cookies"),
    pytest.param("Noticias relacionadas", id="es-related"),
    pytest.param("Suscríbete a nuestro boletín", id="es-newsletter"),
    pytest.param("Compartir en WhatsApp", id="es-share"),
    pytest.param("Descarga nuestra app", id="es-app"),
])
def test_boilerplate_leaks_are_flagged(leak: str) -> None:
    outcome = run_suite("articles", _articles(leak), PARAMS, "r1")
    assert "good" not in outcome.failures
    assert "no_boilerplate_markers" in {f.check for f in outcome.failures.get("bad", [])}


@pytest.mark.parametrize("text", [
    pytest.param("The court will read more evidence next week, the judge said.", id="read-more-in-prose"),
    pytest.param("Die Firma will ihre App im Herbst überarbeiten.", id="de-app-in-prose"),
    pytest.param("El ministro habló de las cookies de terceros en su discurso.", id="es-cookies-in-prose"),
])
def test_prose_mentioning_the_words_is_not_flagged(text: str) -> None:
    outcome = run_suite("articles", _articles(text), PARAMS, "r1")
    assert "bad" not in outcome.failures


def test_data_docs_are_written(tmp_path: Path) -> None:
    run_suite("articles", _articles("Read more"), PARAMS, "run-docs-1")
    index = build_data_docs(tmp_path / "dq")
    assert index == tmp_path / "dq" / "index.html" and index.exists()
    pages = [p for p in (tmp_path / "dq" / "validations").rglob("*.html")]
    assert pages and any("run-docs-1" in str(p) for p in pages)
    html = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "Unsuccessful" in html and "regular expressions" in html and "word_count" in html
    # Results already rendered are not rendered again; with nothing new the site stays as it is.
    before = index.stat().st_mtime_ns
    assert build_data_docs(tmp_path / "dq") == index and index.stat().st_mtime_ns == before
    assert build_data_docs(tmp_path / "dq2") is None and not (tmp_path / "dq2").exists()


def test_quality_markdown_counts_per_check_and_severity() -> None:
    rows = [("articles", "body_min_words", "critical", 2, 40, 3), ("articles", "title_present", "warning", 2, 40, 1),
            ("mentions", "entity_type_known", "warning", 2, 300, 2)]
    text = quality_markdown("r1", rows, Path("/w/dq/index.html"))
    assert "Failures by severity: critical 3, warning 3" in text
    assert "| mentions | entity_type_known | warning | 300 | 2 |" in text and "/w/dq/index.html" in text
    assert "No checks ran" in quality_markdown("r1", [], None)
