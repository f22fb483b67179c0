"""Per-language NER routing (transforms/entities/languages.py) and what the tagger does without a model."""

from __future__ import annotations

import pytest

from flows.quality import ner_model_available
from transforms.entities.tagging import Tagger, TagInput
from transforms.entities.languages import (
    PIPELINES,
    NerPipeline,
    NerRouter,
    _tidy,
    has_person_model,
    ner_language,
    normalise_language,
)
from transforms.entities.watchlist import parse_watchlist

FRENCH = ("Le président Emmanuel Macron a reçu mardi à l'Élysée la directrice de la société Renault, "
          "avant de partir pour Bruxelles où l'attendent les dirigeants européens.")
GERMAN = ("Die Regierung in Wien hat am Dienstag mit Vertretern aus Mailand und Warschau über die "
          "Lage in Russland beraten, teilte ein Sprecher mit.")


@pytest.mark.parametrize(("language", "expected"), [
    pytest.param("de", "de", id="plain"),
    pytest.param("de-DE", "de", id="region"),
    pytest.param("fr_CA", "fr", id="underscore"),
    pytest.param("EN", "en", id="upper"),
    pytest.param("", None, id="empty"),
    pytest.param(None, None, id="none"),
])
def test_normalise_language(language, expected) -> None:
    assert normalise_language(language) == expected


@pytest.mark.parametrize(("language", "text", "expected"), [
    pytest.param("de", FRENCH, "de", id="stated-language-wins"),
    pytest.param(None, FRENCH, "fr", id="unknown-guessed-french"),
    pytest.param(None, GERMAN, "de", id="unknown-guessed-german"),
    pytest.param(None, "", None, id="no-text"),
])
def test_ner_language(language, text, expected) -> None:
    assert ner_language(language, text) == expected


@pytest.mark.parametrize(("code", "expected"), [
    pytest.param("en", True, id="english"),
    pytest.param("fr", True, id="french"),
    pytest.param("de", False, id="german-none-on-pypi"),
    pytest.param("es", False, id="spanish-only-for-old-spacy"),
    pytest.param(None, False, id="unknown"),
])
def test_has_person_model(code, expected) -> None:
    assert has_person_model(code) is expected


def test_a_configured_package_that_is_not_installed_counts_as_no_model() -> None:
    router = NerRouter({"xx": NerPipeline("mediamon_no_such_model_package")})
    assert not router.has_model("xx")
    assert router.run(["xx"], [("Title", "Body text")]) == [[[], []]]
    assert router.loaded == ()


def test_wikiner_labels_map_onto_ours_and_misc_is_dropped() -> None:
    spec = PIPELINES["fr"]
    assert [spec.label_for(x) for x in ("PER", "ORG", "LOC", "MISC")] == ["PERSON", "ORG", "LOC", None]
    assert PIPELINES["en"].label_for("GPE") == "GPE" and PIPELINES["en"].label_for("DATE") is None


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    watchlist = parse_watchlist(
        '[[entity]]\nname = "Nestlé S.A."\ntype = "ORG"\naliases = ["Nestlé"]\nid = "client:nestle"\n'
        '[[entity]]\nname = "Ana Botín"\ntype = "PERSON"\nid = "client:ceo"\n')
    return Tagger(watchlist=watchlist)


def test_each_language_goes_to_its_own_pipeline_and_only_present_ones_load(tagger) -> None:
    mentions, entities = tagger.tag([TagInput("de", "", GERMAN, "de"), TagInput("fr", "", FRENCH, "fr")])
    assert tagger.router.loaded == ("fr",)  # no English document: the English model never loaded
    by_id = {e.entity_id: e for e in entities}
    french = {(m.surface, by_id[m.entity_id].entity_type, m.source) for m in mentions if m.article_id == "fr"}
    assert ("Emmanuel Macron", "PERSON", "ner") in french
    assert ("Bruxelles", "GPE", "kb") in french
    german = [m for m in mentions if m.article_id == "de"]
    assert german and all(m.source == "kb" for m in german)


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param(GERMAN, {"Vienna", "Milan", "Warsaw", "Russia"}, id="german-local-forms"),
    pytest.param("Le sommet s'est tenu à Varsovie, loin de Londres et de Pékin.",
                 {"Warsaw", "London", "Beijing"}, id="french-local-forms"),
    pytest.param("Im Kanton Bern, in Oberösterreich und in Rheinland-Pfalz regnete es; Karlsruhe nicht.",
                 {"Kanton Bern", "Oberösterreich", "Rheinland-Pfalz", "Karlsruhe"},
                 id="german-states-cantons"),
    pytest.param("La reunión en Nueva York terminó sin acuerdo con Estados Unidos.",
                 {"New York City", "United States"}, id="spanish-local-forms"),
])
def test_kb_places_in_local_forms(tagger, body, expected) -> None:
    mentions, entities = tagger.tag([TagInput("a", "", body, "xx")])  # a language without any model
    places = {e.canonical_name for e in entities if e.entity_type == "GPE"}
    assert expected <= places
    assert all(m.source == "kb" for m in mentions)


@pytest.mark.parametrize(("body", "language"), [
    pytest.param("Der Nestle-Konzern und Ana Botín verhandeln.", "de", id="german-compound-no-accent"),
    pytest.param("Selon NESTLÉ, Ana Botín n'a rien signé.", "fr", id="french-caps"),
    pytest.param("Nestlé y Ana Botin firmaron el acuerdo.", "es", id="spanish-no-accent"),
    pytest.param("Nestlé i Ana Botín podpisali umowę.", "pl", id="polish"),
])
def test_watchlist_matches_in_every_language(tagger, body, language) -> None:
    mentions, entities = tagger.tag([TagInput("a", "", body, language)])
    watched = {e.canonical_name for e in entities if e.external_id and e.external_id.startswith("client:")}
    assert watched == {"Nestlé S.A.", "Ana Botín"}


@pytest.mark.parametrize(("article", "expected"), [
    pytest.param({"language": "en", "title": "T", "body": "Text"}, True, id="english"),
    pytest.param({"language": "fr-FR", "title": "T", "body": "Texte"}, True, id="french-region"),
    pytest.param({"language": "de", "title": "T", "body": "Text"}, False, id="german"),
    pytest.param({"language": None, "title": "", "body": GERMAN}, False, id="unknown-guessed-german"),
    pytest.param({"language": None, "title": "", "body": FRENCH}, True, id="unknown-guessed-french"),
])
def test_ner_model_available_follows_the_taggers_routing(article, expected) -> None:
    assert ner_model_available(article) is expected


@pytest.mark.parametrize("body", [
    pytest.param("Dabei blieb es. Der Kanton entschied.", id="function-word-and-common-noun-aliases"),
    pytest.param("Das Essen war gut, die Halle voll.", id="german-nouns-that-are-city-names"),
])
def test_no_places_from_common_words(tagger, body) -> None:
    _, entities = tagger.tag([TagInput("a", "", body, "de")])
    assert [e.canonical_name for e in entities] == []


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("d’Arguin", "Arguin", id="elided-article"),
    pytest.param("Monsanto n’a", "Monsanto", id="elided-verb-start"),
    pytest.param("ministre de la Santé", None, id="lower-case-start-is-no-name"),
    pytest.param("S", None, id="single-letter"),
    pytest.param("Emmanuel Macron", "Emmanuel Macron", id="name-as-is"),
])
def test_wikiner_spans_are_trimmed_to_names(text, expected) -> None:
    end = len(text) if "’a" not in text else text.index("’")
    got = _tidy(text, 0, end)
    assert (text[got[0]:got[1]] if got else None) == expected
