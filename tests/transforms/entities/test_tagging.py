from pathlib import Path

import pytest

from transforms.entities.tagging import TagInput, Tagger, entity_id_for, looks_like_person
from transforms.entities.watchlist import parse_watchlist

SEED = Path(__file__).resolve().parents[3] / "seeds" / "000_7210ad52eb561afc.txt"
SEED_TITLE = "RECAP: What signals did Putin-Kim meeting send?"


def seed_body() -> str:
    text = SEED.read_text(encoding="utf-8")
    start = text.index("This week saw Russian President Vladimir Putin")
    end = text.index("electing a new leader.") + len("electing a new leader.")
    return text[start:end]


@pytest.fixture(scope="module")
def tagger():
    watchlist = parse_watchlist(
        '[[entity]]\nname = "Apple Inc."\ntype = "ORG"\naliases = ["Apple", "AAPL"]\nid = "client:apple"\n'
        '[[entity]]\nname = "Tim Cook"\ntype = "PERSON"\nid = "client:ceo"\n'
    )
    return Tagger(watchlist=watchlist)


def tag_one(tagger, body: str, title: str = "", language: str | None = "en"):
    mentions, entities = tagger.tag([TagInput("a", title, body, language)])
    for m in mentions:
        assert (title if m.in_title else body)[m.start_char : m.end_char] == m.surface
    by_id = {e.entity_id: e for e in entities}
    return mentions, entities, by_id


def surfaces_by_entity(mentions, by_id) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for m in mentions:
        entity = by_id[m.entity_id]
        out.setdefault((entity.canonical_name, entity.entity_type), set()).add(m.surface)
    return out


@pytest.mark.parametrize(
    ("body", "canonical", "entity_type", "folded_surfaces"),
    [
        pytest.param("Vladimir Putin arrived on Tuesday. Later, Putin spoke to reporters.",
                     "Vladimir Putin", "PERSON", {"Vladimir Putin", "Putin"}, id="surname"),
        pytest.param("Kim Jong-un greeted the guests. Everyone praised Kim's speech.",
                     "Kim Jong-un", "PERSON", {"Kim Jong-un", "Kim"}, id="possessive"),
        pytest.param("Emmanuel Macron met reporters in Paris. President Macron said little.",
                     "Emmanuel Macron", "PERSON", {"Emmanuel Macron", "Macron"}, id="honorific"),
        pytest.param("The Federal Aviation Administration (FAA) grounded the jets. The FAA said more.",
                     "Federal Aviation Administration", "ORG", {"Federal Aviation Administration", "FAA"},
                     id="acronym-in-brackets"),
        pytest.param("The North Atlantic Treaty Organization (NATO) met. NATO leaders agreed.",
                     "NATO", "ORG", {"North Atlantic Treaty Organization", "NATO"}, id="acronym-kb"),
        pytest.param("The United States and the US Congress disagreed. The U.S. leads.",
                     "United States", "GPE", {"United States", "US", "U.S."}, id="us-spellings"),
    ],
)
def test_folding(tagger, body, canonical, entity_type, folded_surfaces):
    mentions, _, by_id = tag_one(tagger, body)
    groups = surfaces_by_entity(mentions, by_id)
    assert folded_surfaces <= groups[(canonical, entity_type)]
    # Nothing folded is left as an entity of its own.
    assert not any(name in folded_surfaces - {canonical} for name, _ in groups if name != canonical)


def test_ambiguous_surname_is_not_folded(tagger):
    body = "Kim Jong-un and his sister Kim Yo-jong attended. Kim waved to the crowd."
    mentions, _, by_id = tag_one(tagger, body)
    groups = surfaces_by_entity(mentions, by_id)
    assert groups[("Kim Jong-un", "PERSON")] == {"Kim Jong-un"}
    assert groups[("Kim Yo-jong", "PERSON")] == {"Kim Yo-jong"}


@pytest.mark.parametrize(
    ("body", "language", "expected"),
    [
        pytest.param("Russland und die Ukraine verhandeln in Moskau, die Nato schweigt.", "de",
                     {("Russia", "GPE"), ("Ukraine", "GPE"), ("Moscow", "GPE"), ("NATO", "ORG")}, id="german-kb-only"),
        pytest.param("Apple-Chef Tim Cook besucht Apfelbauern, nicht Pineapple.", "de",
                     {("Apple Inc.", "ORG"), ("Tim Cook", "PERSON")}, id="german-watchlist"),
        pytest.param("Jordan and Chad signed the deal in Amman.", "en",
                     {("Jordan", "GPE"), ("Chad", "GPE"), ("Amman", "GPE")}, id="kb-fixes-types"),
    ],
)
def test_kb_and_watchlist_tag_any_language(tagger, body, language, expected):
    _, entities, _ = tag_one(tagger, body, language=language)
    assert expected <= {(e.canonical_name, e.entity_type) for e in entities}


def test_sources_are_recorded(tagger):
    mentions, _, _ = tag_one(tagger, "Angela Merkel visited Japan with Apple executives.")
    assert {(m.surface, m.source) for m in mentions} >= {
        ("Angela Merkel", "ner"), ("Japan", "kb"), ("Apple", "watchlist"),
    }


def test_non_english_gets_no_statistical_ner(tagger):
    # No German model: people come only from the first-name rule (transforms.entities.person_names), no ORG.
    mentions, _, _ = tag_one(tagger, "Angela Merkel besuchte gestern Siemens in Japan.", language="de")
    assert [(m.surface, m.source) for m in mentions] == [("Angela Merkel", "ner"), ("Japan", "kb")]


def test_caps_title_recall(tagger):
    title = "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT ."
    mentions, _, by_id = tag_one(tagger, "Japan won against Syria on Friday.", title=title)
    in_title = {(m.surface, by_id[m.entity_id].canonical_name) for m in mentions if m.in_title}
    assert in_title == {("JAPAN", "Japan"), ("CHINA", "China")}


def test_seed(tagger):
    body = seed_body()
    mentions, entities, by_id = tag_one(tagger, body, title=SEED_TITLE, language=None)
    groups = surfaces_by_entity([m for m in mentions if not m.in_title], by_id)
    people = {name: surfaces for (name, kind), surfaces in groups.items() if kind == "PERSON"}
    assert people == {
        "Vladimir Putin": {"Vladimir Putin", "Putin"},
        "Kim Jong-un": {"Kim Jong-un", "Kim"},
        "Xi Jinping": {"Xi Jinping", "Xi"},
    }
    places = {name for (name, kind) in groups if kind in ("GPE", "LOC")}
    assert places >= {"Russia", "North Korea", "Soviet Union", "Moscow", "Pyongyang", "Beijing", "China",
                      "Ukraine", "United States", "Japan", "South Korea"}
    assert groups[("United States", "GPE")] == {"United States", "US"}
    assert [name for (name, kind) in groups if kind == "ORG"] == ["NATO"]
    assert groups[("NATO", "ORG")] == {"NATO", "North Atlantic Treaty Organization"}
    title_people = sorted(by_id[m.entity_id].canonical_name for m in mentions if m.in_title)
    assert title_people == ["Kim Jong-un", "Vladimir Putin"]
    assert not any("Store" in e.canonical_name for e in entities)


def test_entity_ids_are_stable_across_documents(tagger):
    docs = [TagInput("a", "", "Vladimir Putin met reporters. Putin smiled.", "en"),
            TagInput("b", "", "Russia's Vladimir Putin and Russland.", "en")]
    mentions, entities = tagger.tag(docs)
    putin = entity_id_for("Vladimir Putin", "PERSON")
    russia = entity_id_for("Russia", "GPE", "iso3166:RU")
    assert {m.article_id for m in mentions if m.entity_id == putin} == {"a", "b"}
    assert [e.entity_id for e in entities].count(putin) == 1
    assert next(e for e in entities if e.entity_id == putin).aliases == ["Putin", "Vladimir Putin"]
    assert next(e for e in entities if e.entity_id == russia).aliases == ["Russia", "Russland"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param(("Vladimir Putin", "PERSON", None), ("vladimir  putin", "PERSON", None), True, id="case-space"),
        pytest.param(("Georgia", "GPE", None), ("Georgia", "PERSON", None), False, id="type-matters"),
        pytest.param(("Russia", "GPE", "iso3166:RU"), ("Russland", "GPE", "iso3166:RU"), True, id="external-id"),
    ],
)
def test_entity_id_for(a, b, same):
    assert (entity_id_for(*a) == entity_id_for(*b)) is same
    assert len(entity_id_for(*a)) == 16


def _types(mentions) -> set[tuple[str, str]]:
    return {(m.surface, m.entity_type) for m in mentions}


def test_table_rows_are_tagged(tagger):
    body = (
        "Results of games played on Saturday (home team in capitals):\n"
        "CHICAGO 4 Boston 1\n"
        "Germany 2 France 1\n"
        "Norbury Rovers 3 2 1 0 7 4 7\n"
        "K. Adeyemi 4-38\n"
    )
    got = _types(tag_one(tagger, body)[0])
    # A city scored like a competitor is its club; a country stays a place.
    assert {("CHICAGO", "ORG"), ("Boston", "ORG"), ("Norbury Rovers", "ORG"), ("K. Adeyemi", "PERSON")} <= got
    assert ("Germany", "GPE") in got and ("France", "GPE") in got


def test_dateline_place_is_tagged(tagger):
    doc = TagInput("a", "FLOODS CUT OFF VILLAGES", "Rescue teams reached the area on Monday.", "en",
                   dateline_place="VIENNA")
    mentions, entities = tagger.tag([doc])
    dateline = [m for m in mentions if m.in_dateline]
    assert [(m.surface, m.entity_type, m.start_char, m.end_char) for m in dateline] == [("VIENNA", "GPE", 0, 6)]
    unknown = tagger.tag([TagInput("b", "", "Teams arrived.", "en", dateline_place="PORT ALDERN, Testland")])[0]
    assert {(m.surface, m.entity_type) for m in unknown if m.in_dateline} == {
        ("PORT ALDERN", "GPE"), ("Testland", "GPE")}


def test_caps_headline_matches_watchlist_case_insensitively(tagger):
    mentions = tag_one(tagger, "Shares rose on Monday.", title="APPLE UNVEILS NEW PHONE")[0]
    assert any(m.in_title and m.source == "watchlist" and m.surface == "APPLE" for m in mentions)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        pytest.param("Hosting Cook Says Sales Will Grow", "Tim Cook spoke to analysts. Cook said sales rose.",
                     {"Cook", "Tim Cook"}, id="title-cased-gerund"),
        pytest.param("", "Hosting Cook, the firm showed a phone. Tim Cook said sales rose.",
                     {"Cook", "Tim Cook"}, id="sentence-start-gerund"),
    ],
)
def test_common_word_is_trimmed_before_folding(tagger, title, body, expected):
    mentions, _, by_id = tag_one(tagger, body, title=title)
    groups = surfaces_by_entity(mentions, by_id)
    assert groups[("Tim Cook", "PERSON")] >= expected
    assert not any(s.startswith("Hosting") for m in mentions for s in [m.surface])


@pytest.mark.parametrize(
    ("name", "person"),
    [
        pytest.param("Nikki Brandt", True, id="given-name"),
        pytest.param("Mary Ellen Brandt", True, id="three-words"),
        pytest.param("Walt Brandt Co.", False, id="company-suffix"),
        pytest.param("Grace Road", False, id="place-word"),
        pytest.param("Brandt", False, id="one-word"),
        pytest.param("Quorvex Holdings", False, id="no-given-name"),
        pytest.param("Tim NASA", False, id="acronym"),
    ],
)
def test_looks_like_person(name, person):
    assert looks_like_person(name) is person


def test_role_word_makes_a_person(tagger):
    body = ("The debate pitted entrepreneur Quillon Marradew against two governors. "
            "Marradew said the plan would fail.")
    mentions, _, by_id = tag_one(tagger, body)
    types = {by_id[m.entity_id].canonical_name: by_id[m.entity_id].entity_type for m in mentions}
    assert types.get("Quillon Marradew") == "PERSON"


def test_person_span_does_not_end_in_a_lower_case_word():
    from transforms.entities.tagging import _clean_span
    from transforms.entities.ner import NerSpan

    text = "Then Quillon Marradew cry openly."
    start = text.index("Quillon")
    cleaned = _clean_span(text, text, NerSpan(start, start + len("Quillon Marradew cry"), "PERSON"))
    assert cleaned is not None and text[cleaned[0] : cleaned[1]] == "Quillon Marradew"


def _spans(name: str, text: str) -> list[tuple[str, int, int]]:
    import re

    return [(text, m.start(), m.end()) for m in re.finditer(re.escape(name), text)]


@pytest.mark.parametrize(
    ("name", "entity_type", "text", "org_words", "product"),
    [
        pytest.param("Zorbly", "ORG", "Zorbly 3.2 was released. Zorbly now runs faster.", (), True,
                     id="version"),
        pytest.param("Zorbly", "PERSON", "Any Zorbly 3.x will do.", (), True, id="version-x"),
        pytest.param("Quarrel", "PERSON", "Each Quarrel container starts fast. You install Quarrel once.",
                     (), True, id="software-words"),
        pytest.param("Quarrel", "PERSON", "Quarrel runs it. See quarrel-compose.yml for the set-up.\n"
                     "Each Quarrel container is small.", (), True, id="lower-case-identifier"),
        pytest.param("Quarrel", "PERSON", "It is based on Quarrel: write your own Quarrelfile.", (), True,
                     id="tool-file-name"),
        pytest.param("Quarrel", "PERSON", "Each Quarrel container starts fast. Quarrel said so.", (), False,
                     id="one-use-is-not-enough"),
        pytest.param("Zorbly Pro", "PERSON", "Zorbly Pro charges lower fees than Zorbly.", ("zorbly",), True,
                     id="first-word-is-an-org"),
        pytest.param("Marradew", "PERSON", "Marradew 51, Brandt 45 in the latest poll. Marradew said no.", (),
                     False, id="poll-numbers"),
        pytest.param("Marradew", "PERSON", "Voters are using Marradew's words; Marradew spoke on Monday.", (),
                     False, id="person"),
        pytest.param("Quorvex", "ORG",
                     "Download the Quorvex app, using Quorvex software and the Quorvex API.", (), False,
                     id="org-with-apps-stays-an-org"),
        pytest.param("Harbor United", "ORG", "Harbor United 2 Rovers 1.", (), False, id="score"),
    ],
)
def test_reads_as_product(name, entity_type, text, org_words, product):
    from transforms.entities.tagging import reads_as_product

    assert reads_as_product(name, entity_type, _spans(name, text), frozenset(org_words)) is product



@pytest.mark.parametrize(
    "body",
    [
        pytest.param("Managing Quarrel environments is easy. Each Quarrel container runs a small system, and "
                     "you install Quarrel once. Really, learning Quarrel takes a day.", id="software-words"),
        pytest.param("Mercurial 5.2 was released in November. It is the first version of Mercurial that "
                     "supports Python 3. Speaking as a maintainer of Mercurial, I am glad.", id="version"),
    ],
)
def test_software_is_not_a_person_or_organisation(tagger, body):
    mentions, _, by_id = tag_one(tagger, body)
    assert not {by_id[m.entity_id].canonical_name for m in mentions
                if by_id[m.entity_id].entity_type in ("PERSON", "ORG")}


@pytest.mark.parametrize(
    ("name", "starts", "article", "dropped"),
    [
        pytest.param("Time", [("Time will tell.", 0)], "Time will tell.\nIn time we shall see.", True,
                     id="sentence-start-and-lower-case"),
        pytest.param("Time", [("| Day | Time |", 8)], "| Day | Time |\nat any time", True, id="table-header"),
        pytest.param("House", [("to win back the House.", 16)], "to win back the House. A house.", False,
                     id="inside-a-sentence"),
        pytest.param("Quorvex", [("Quorvex said.", 0)], "Quorvex said.", False, id="never-lower-case"),
    ],
)
def test_capitalised_by_position(name, starts, article, dropped):
    from transforms.entities.tagging import _capitalised_by_position

    assert _capitalised_by_position(name, starts, article) is dropped


def test_the_version_prefilter_never_skips_a_version() -> None:
    # `_digit_after` only decides whether the version pattern is worth compiling: it must hold
    # wherever the pattern matches, across the spellings the pattern allows.
    import re

    from transforms.entities.tagging import _digit_after

    name = "Zorbly"
    pattern = re.compile(rf"(?<![^\W_]){name}(?=(?:['’]s)?\s?v?\d{{1,3}}\.(?:\d+|x)\b)")
    tails = ["3.1", " 3.12", "'s 3.1", "’s v18.2", " v2.x", "v123.4", "123.4", " 1234.5", " 3", " three.1",
             "'s  3.1", " (3.1)", "3", ".3.1", "s 3.1"]
    for tail in tails:
        for text in (f"{name}{tail} is out.", f"Our {name}{tail}", f"x{name}{tail}. {name} said"):
            if pattern.search(text):
                assert _digit_after(name, text), text
    assert not _digit_after(name, "Zorbly said 3.1 per cent, then Zorbly left.")
