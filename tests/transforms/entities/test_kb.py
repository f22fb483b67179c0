import pytest

from transforms.entities.kb import load_kb, parse_kb


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def found(kb, text: str) -> list[tuple[str, str, str]]:
    return [(text[m.start : m.end], m.entry.external_id, m.entry.entity_type) for m in kb.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Russia and Japan", [("Russia", "iso3166:RU", "GPE"), ("Japan", "iso3166:JP", "GPE")],
                     id="english-countries"),
        pytest.param("Russland droht Frankreich", [("Russland", "iso3166:RU", "GPE"),
                                                   ("Frankreich", "iso3166:FR", "GPE")], id="german-countries"),
        pytest.param("les États-Unis et la Chine", [("États-Unis", "iso3166:US", "GPE"),
                                                    ("Chine", "iso3166:CN", "GPE")], id="french-countries"),
        pytest.param("the U.S. and the US", [("U.S.", "iso3166:US", "GPE"), ("US", "iso3166:US", "GPE")],
                     id="us-spellings"),
        pytest.param("Gipfel in Moskau", [("Moskau", "geonames:524901", "GPE")], id="city-alternate-name"),
        pytest.param("Die Nato-Staaten", [("Nato", "org:NATO", "ORG")], id="german-compound"),
        pytest.param("North Atlantic Treaty Organization", [("North Atlantic Treaty Organization", "org:NATO", "ORG")],
                     id="org-expansion"),
        pytest.param("Der US-Präsident", [("US", "iso3166:US", "GPE")], id="hyphen-boundary"),
        pytest.param("Iranian and Russian", [], id="no-match-inside-word"),
        pytest.param("a nice split of mobile users", [], id="lowercase-words"),
        pytest.param("Nice and Split are lovely", [], id="risky-small-cities-excluded"),
        pytest.param("the United Arab Emirates", [("United Arab Emirates", "iso3166:AE", "GPE")],
                     id="longest-wins"),
        pytest.param("Die Weltgesundheitsorganisation WHO", [("Weltgesundheitsorganisation", "org:WHO", "ORG"),
                                                             ("WHO", "org:WHO", "ORG")], id="org-german"),
    ],
)
def test_find(kb, text, expected):
    assert found(kb, text) == expected


@pytest.mark.parametrize(
    ("surface", "external_id", "entity_type"),
    [
        pytest.param("Russia", "iso3166:RU", "GPE", id="country-is-gpe"),
        pytest.param("u.s.", "iso3166:US", "GPE", id="case-insensitive"),
        pytest.param("nato", "org:NATO", "ORG", id="org"),
        pytest.param("Pyongyang", "geonames:1871859", "GPE", id="capital"),
        pytest.param("Vladimir Putin", None, None, id="people-are-not-in-kb"),
    ],
)
def test_lookup_types(kb, surface, external_id, entity_type):
    entry = kb.lookup(surface)
    assert (entry.external_id if entry else None, entry.entity_type if entry else None) == (external_id, entity_type)


def test_canonical_names(kb):
    assert kb.entries["iso3166:RU"].name == "Russia"
    assert kb.entries["iso3166:KP"].name == "North Korea"
    assert kb.entries["iso3166:US"].name == "United States"
    assert kb.entries["org:NATO"].name == "NATO"
    assert {"NATO", "US", "EU"} <= kb.upper_aliases


def test_alias_shared_by_two_entries_is_not_matched():
    kb = parse_kb([
        '{"id": "a:1", "name": "Alpha", "type": "GPE", "aliases": ["Alpha", "Twin"]}',
        '{"id": "a:2", "name": "Beta", "type": "GPE", "aliases": ["Beta", "Twin"]}',
    ])
    assert [m.entry.external_id for m in kb.find("Alpha, Twin, Beta")] == ["a:1", "a:2"]
    assert kb.lookup("Twin") is None
