from pathlib import Path

import pytest

from transforms.watchlist import WatchlistError, load_watchlist, parse_watchlist

WATCHLIST = """
[[entity]]
name = "Apple Inc."
type = "ORG"
aliases = ["Apple", "AAPL"]
id = "client:apple"

[[entity]]
name = "Nestlé"
aliases = ["Nestle S.A."]
id = "comp:nestle"

[[entity]]
name = "Tim Cook"
type = "PERSON"
id = "client:ceo"

[[entity]]
name = "Shell"
case_sensitive = true
"""


@pytest.fixture(scope="module")
def watchlist():
    return parse_watchlist(WATCHLIST)


def found(watchlist, text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.entity.name) for m in watchlist.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Apple reported record sales.", [("Apple", "Apple Inc.")], id="alias"),
        pytest.param("Wir essen eine Ananas, keine pineapple.", [], id="inside-word-left"),
        pytest.param("Dinner at Applebee's.", [], id="inside-word-right"),
        pytest.param("APPLE und apple", [("APPLE", "Apple Inc."), ("apple", "Apple Inc.")], id="case"),
        pytest.param("Apple, Inc. sued.", [("Apple, Inc", "Apple Inc.")], id="punctuation-longest-wins"),
        pytest.param("NESTLE and Nestlé and nestlé", [("NESTLE", "Nestlé"), ("Nestlé", "Nestlé"),
                                                  ("nestlé", "Nestlé")], id="accents"),
        pytest.param("Nestle SA bought it", [("Nestle SA", "Nestlé")], id="accent-and-dots"),
        pytest.param("Tim  Cook und TIM-COOK", [("Tim  Cook", "Tim Cook"), ("TIM-COOK", "Tim Cook")],
                     id="spacing-hyphen"),
        pytest.param("(AAPL) rose", [("AAPL", "Apple Inc.")], id="ticker-in-brackets"),
        pytest.param("Shell sells shell companies", [("Shell", "Shell")], id="case-sensitive-entry"),
        pytest.param("Straße Tim Cook's", [("Tim Cook", "Tim Cook")], id="possessive-and-sharp-s"),
    ],
)
def test_find(watchlist, text, expected):
    assert found(watchlist, text) == expected


def test_offsets_point_into_original_text(watchlist):
    text = "Ärger bei Nestlé: Apple-Chef Tim Cook über AAPL."
    for match in watchlist.find(text):
        assert text[match.start : match.end].replace("-", " ").lower().startswith(
            ("nestl", "apple", "tim", "aapl")
        )
    assert len(watchlist.find(text)) == 4


def test_ten_thousand_aliases_all_findable():
    rows = "\n".join(f'[[entity]]\nname = "Firma{i} Holding"\naliases = ["F{i}X"]\nid = "c:{i}"' for i in range(5000))
    watchlist = parse_watchlist(rows)
    text = "Die Firma4711 Holding und F4999X, nicht aber F50000X."
    assert [m.entity.external_id for m in watchlist.find(text)] == ["c:4711", "c:4999"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[[entity]\nname=1", "not valid TOML", id="syntax"),
        pytest.param('[[entity]]\ntype = "ORG"', "has no name", id="no-name"),
        pytest.param('[[entity]]\nname = "X"\ntype = "COMPANY"', "use one of", id="bad-type"),
    ],
)
def test_bad_watchlist_names_the_problem(text, message):
    with pytest.raises(WatchlistError, match=message):
        parse_watchlist(text)


def test_load_from_file(tmp_path: Path):
    path = tmp_path / "watch.toml"
    path.write_text(WATCHLIST, encoding="utf-8")
    assert [e.external_id for e in load_watchlist(path).entities][:2] == ["client:apple", "comp:nestle"]
    assert load_watchlist(None).find("Apple") == []
    with pytest.raises(WatchlistError, match="cannot be read"):
        load_watchlist(tmp_path / "missing.toml")
