from pathlib import Path

import pytest

from transforms.entities.watchlist import WatchlistError, load_watchlist, parse_watchlist

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


PRECISION = """
[[entity]]
name = "Apple Inc."
aliases = ["AAPL", { alias = "Apple", ambiguous = true }]
exclude = ["juice", "apple pie"]
exclude_window = 3
context = ["iPhone", "Tim Cook", "shares"]

[[entity]]
name = "Google"
exclude = ["Scholar"]

[[entity]]
name = "Alphabet Inc."
aliases = [{ alias = "Alphabet", case_sensitive = true }]
exclude = ["letter of the"]
"""


@pytest.fixture(scope="module")
def precise():
    return parse_watchlist(PRECISION)


def article(precise, title: str, body: str) -> list[str]:
    title_found, body_found = precise.find_in_article(title, body)
    return [title[m.start:m.end] for m in title_found] + [body[m.start:m.end] for m in body_found]


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        pytest.param("", "Apple shares rose after the iPhone launch.", ["Apple"], id="context-present"),
        pytest.param("", "An apple a day keeps the doctor away.", [], id="ambiguous-alias-without-context"),
        pytest.param("Apple results", "Tim Cook spoke to analysts.", ["Apple"], id="context-in-the-other-field"),
        pytest.param("", "Tim Cook said: AAPL rose.", ["AAPL"], id="unambiguous-alias-needs-no-context"),
        pytest.param("", "AAPL fell.", ["AAPL"], id="unambiguous-alias-without-context"),
        pytest.param("", "Apple juice and iPhone sales", [], id="exclude-after"),
        pytest.param("", "Her apple pie won; iPhone owners cheered", [], id="exclude-phrase-with-alias"),
        pytest.param("", "Juice makers, and then Apple sold iPhone shares", ["Apple"], id="exclude-outside-window"),
        pytest.param("", "Cited in Google Scholar forty times last year, while Google itself said no.", ["Google"],
                     id="exclude-one-of-two"),
        pytest.param("", "GOOGLE  scholar results", [], id="exclude-case-and-space-tolerant"),
        pytest.param("", "Alphabet shares and the alphabet", ["Alphabet"], id="case-sensitive-alias"),
        pytest.param("", "every letter of the Alphabet", [], id="exclude-before"),
    ],
)
def test_precision_controls(precise, title: str, body: str, expected: list[str]) -> None:
    assert article(precise, title, body) == expected


def test_fingerprint_changes_with_what_decides_matches() -> None:
    base = parse_watchlist('[[entity]]\nname = "Acme"\n').entities[0]
    same = parse_watchlist('[[entity]]\nname = "Acme"\ntype = "ORG"\n').entities[0]
    assert base.fingerprint == same.fingerprint
    for extra in ('aliases = ["ACME Corp"]', 'exclude = ["road runner"]', 'context = ["rockets"]',
                  'case_sensitive = true', 'exclude_window = 2', 'type = "PRODUCT"', 'id = "c:acme"'):
        other = parse_watchlist(f'[[entity]]\nname = "Acme"\n{extra}\n').entities[0]
        assert other.fingerprint != base.fingerprint, extra


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('[[entity]]\nname = "A"\nexclude = "x"\nexclude_window = -1', "exclude_window",
                     id="negative-window"),
        pytest.param('[[entity]]\nname = "A"\nexclude = [1]', "list of strings", id="exclude-not-strings"),
        pytest.param('[[entity]]\nname = "A"\ncontext = ["--"]', "no letters", id="empty-context-term"),
        pytest.param('[[entity]]\nname = "A"\naliases = [{ text = "B" }]', "alias table", id="bad-alias-table"),
        pytest.param('[[entity]]\nname = "A"\nexcludes = ["x"]', "unknown setting", id="typo"),
    ],
)
def test_bad_precision_settings(text: str, message: str) -> None:
    with pytest.raises(WatchlistError, match=message):
        parse_watchlist(text)
