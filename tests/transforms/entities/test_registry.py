import pytest

from transforms.entities.registry import EntityStats, Resolution, resolve


def s(entity_id: str, name: str, entity_type: str, articles: int, external_id: str | None = None,
      with_full_name: int = 0) -> EntityStats:
    return EntityStats(entity_id, name, entity_type, external_id, articles, with_full_name)


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        pytest.param([s("full", "Ada Brennan", "PERSON", 5), s("sur", "Brennan", "PERSON", 4)],
                     [Resolution("sur", "full", "surname")], id="surname-folds"),
        pytest.param([s("a", "Ada Brennan", "PERSON", 5), s("b", "Tom Brennan", "PERSON", 3),
                      s("sur", "Brennan", "PERSON", 4)],
                     [Resolution("sur", "sur", "ambiguous", ("Ada Brennan", "Tom Brennan"))], id="two-candidates"),
        pytest.param([s("a", "Ada Brennan", "PERSON", 40), s("b", "Tom Brennan", "PERSON", 2),
                      s("sur", "Brennan", "PERSON", 4)],
                     [Resolution("sur", "a", "surname")], id="namesake-not-prominent"),
        pytest.param([s("full", "Ada Brennan", "PERSON", 1), s("sur", "Brennan", "PERSON", 4)],
                     [], id="full-name-seen-once"),
        pytest.param([s("p", "Brennan", "PERSON", 9), s("o", "Brennan", "ORG", 1), s("x", "Brennan", "PRODUCT", 1)],
                     [Resolution("o", "p", "type"), Resolution("x", "p", "type")], id="noisy-label-outvoted"),
        pytest.param([s("p", "Brennan", "PERSON", 2), s("o", "Brennan", "ORG", 2)], [], id="no-majority"),
        pytest.param([s("full", "Ada Brennan", "PERSON", 6), s("p", "Brennan", "PERSON", 5),
                      s("o", "Brennan", "ORG", 1, with_full_name=1)],
                     [Resolution("o", "full", "type"), Resolution("p", "full", "surname")], id="type-then-surname"),
        pytest.param([s("full", "Ada Brennan", "PERSON", 6), s("o", "Brennan", "ORG", 5, with_full_name=4)],
                     [Resolution("o", "full", "surname")], id="surname-mislabelled-org"),
        pytest.param([s("full", "Ada Brennan", "PERSON", 6), s("o", "Brennan", "ORG", 5, with_full_name=1)],
                     [], id="org-seldom-beside-the-person"),
        pytest.param([s("full", "Ada Brennan", "PERSON", 2), s("o", "Brennan", "ORG", 40)], [],
                     id="brand-sharing-a-surname"),
        pytest.param([s("full", "Ada Brennan", "PERSON", 6), s("w", "Brennan", "PERSON", 5, "client:b")], [],
                     id="watchlist-entity-stays"),
    ],
)
def test_resolve(stats, expected):
    assert resolve(stats) == expected
