"""parse_text_dump: the seed golden test and small tables of dump shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from transforms.templates import line_fingerprint
from transforms.text_dump import parse_text_dump

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_7210ad52eb561afc.txt"

PARA_EN = (
    "The council voted on Tuesday to extend the night bus service to the northern districts, "
    "after a year in which ridership grew faster than any of the planners had expected it to."
)
PARA_EN2 = (
    "Officials said the new routes would start in spring and that the cost would be covered by the "
    "regional transport fund, which was topped up in the last budget round for this purpose."
)
PARA_DE = (
    "Der Gemeinderat hat am Dienstag beschlossen, den Nachtbus bis in die nördlichen Stadtteile zu "
    "verlängern, nachdem die Zahl der Fahrgäste im vergangenen Jahr deutlich gestiegen war."
)
PARA_DE2 = (
    "Die neuen Linien sollen im Frühjahr starten; die Kosten übernimmt nach Angaben der Verwaltung "
    "der regionale Verkehrsfonds, der im letzten Haushalt dafür aufgestockt worden ist."
)

TEASER_DE = (
    "Der Bürgermeister will noch in diesem Jahr eine neue Brücke über den Fluss bauen lassen, "
    "wie er am Montag vor dem Stadtrat sagte; die Opposition hält das für zu teuer."
)


def test_seed_golden() -> None:
    article = parse_text_dump(SEED.read_text(encoding="utf-8"))
    paragraphs = article.body.split("\n\n")
    assert article.title == "RECAP: What signals did Putin-Kim meeting send?"
    assert article.publisher == "Breaking The News"
    assert article.publisher_source == "title"
    assert article.published_at is None
    assert article.image_credit == "EPA-EFE/KCNA"
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("This week saw Russian President Vladimir Putin’s visit")
    assert paragraphs[-1].endswith("electing a new leader.")
    for chrome in (
        "Download our app",
        "EPA-EFE",
        "Related News",
        "Starmer",
        "Cherkasy",
        "drones",
        "Terms of Use",
        "TeleTrader",
        "cookies",
        "RECAP",
    ):
        assert chrome not in article.body
    dropped = "\n".join(article.boilerplate_lines)
    assert "Related News" in dropped and "This website uses cookies" in dropped


def test_seed_body_is_exactly_the_five_paragraphs() -> None:
    text = SEED.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith("This week saw"))
    end = next(i for i, line in enumerate(lines) if line.endswith("electing a new leader."))
    assert parse_text_dump(text).body == "\n\n".join(lines[start : end + 1])


@pytest.mark.parametrize(
    "text, body",
    [
        pytest.param(
            f"Night buses for the north\n\n{PARA_EN}\n\n{PARA_EN2}",
            f"{PARA_EN}\n\n{PARA_EN2}",
            id="clean-story-with-headline",
        ),
        pytest.param(f"{PARA_EN}\n\n{PARA_EN2}", f"{PARA_EN}\n\n{PARA_EN2}", id="clean-story-no-headline"),
        pytest.param(
            f"Nachtbus fährt bis in den Norden\n\n{PARA_DE}\n\n{PARA_DE2}\n\nDas ist gut so, sagt sie.",
            f"{PARA_DE}\n\n{PARA_DE2}\n\nDas ist gut so, sagt sie.",
            id="clean-german-short-last-line",
        ),
    ],
)
def test_clean_story_passes_through(text: str, body: str) -> None:
    article = parse_text_dump(text)
    assert article.body == body
    assert article.published_at is None


@pytest.mark.parametrize(
    "text, body",
    [
        pytest.param(
            f"Nachtbus - Stadtanzeiger\nStartseite\nPolitik\nSport\nKultur\n\nNachtbus\n\n{PARA_DE}\n\n"
            f"{PARA_DE2}\n\nMehr zum Thema\nNeue Brücke über den Fluss\n{TEASER_DE}\n\n"
            "Impressum | Datenschutz | Kontakt",
            f"{PARA_DE}\n\n{PARA_DE2}",
            id="german-menu-and-mehr-zum-thema",
        ),
        pytest.param(
            f"Night buses | The Courier\n\nNight buses\n\n{PARA_EN}\n\n{PARA_EN2}\n\nShare this article\n"
            "Facebook\nTwitter\n\nComments\n"
            "Great news for the north, finally the council listens to us all.\n\n"
            "© 2023 Courier Media Ltd. All rights reserved.",
            f"{PARA_EN}\n\n{PARA_EN2}",
            id="share-bar-and-comments",
        ),
        pytest.param(
            f"Nuit - Le Journal\n\nNuit\n\nNewsletter abonnieren\n\n{PARA_EN}\n\n{PARA_EN2}\n\n"
            "Nous utilisons des cookies pour améliorer votre expérience. Accepter",
            f"{PARA_EN}\n\n{PARA_EN2}",
            id="newsletter-and-cookie",
        ),
    ],
)
def test_chrome_is_dropped(text: str, body: str) -> None:
    assert parse_text_dump(text).body == body


@pytest.mark.parametrize(
    "header, published, modified",
    [
        pytest.param(
            "Updated : 19 November 2019, 09:01 AM",
            datetime(2019, 11, 19, 9, 1, tzinfo=UTC),
            datetime(2019, 11, 19, 9, 1, tzinfo=UTC),
            id="updated-only",
        ),
        pytest.param(
            "Veröffentlicht am 12.03.2020", datetime(2020, 3, 12, tzinfo=UTC), None, id="de-numeric"
        ),
        pytest.param("3. März 2021", datetime(2021, 3, 3, tzinfo=UTC), None, id="de-month-name"),
        pytest.param("2022-07-01T14:30", datetime(2022, 7, 1, 14, 30, tzinfo=UTC), None, id="iso"),
        pytest.param(
            "November 5, 2018 at 3:15 pm", datetime(2018, 11, 5, 15, 15, tzinfo=UTC), None, id="en-us"
        ),
        pytest.param(
            "Publié le 12 mars 2020 | Mis à jour le 13 mars 2020",
            datetime(2020, 3, 12, tzinfo=UTC),
            None,
            id="fr-published-first",
        ),
        pytest.param("© 2025 Stadtanzeiger", None, None, id="copyright-year-is-not-a-date"),
    ],
)
def test_header_dates(header: str, published: datetime | None, modified: datetime | None) -> None:
    article = parse_text_dump(f"Nachtbus - Stadtanzeiger\n\nNachtbus\n\n{header}\n\n{PARA_DE}\n\n{PARA_DE2}")
    assert article.published_at == published
    assert article.published_at_source == ("text" if published else None)
    assert article.modified_at == modified
    assert header not in article.body


def test_dates_in_teasers_and_footer_are_ignored() -> None:
    text = (
        f"Nachtbus - Stadtanzeiger\n\nNachtbus\n\n{PARA_DE}\n\n{PARA_DE2}\n\nMehr zum Thema\n"
        "12.03.2020\nNeue Brücke geplant\n\n© 2025 Stadtanzeiger, Stand 01.01.2025"
    )
    article = parse_text_dump(text)
    assert article.published_at is None and article.modified_at is None


@pytest.mark.parametrize(
    "byline, authors",
    [
        pytest.param("By Jane Doe", ["Jane Doe"], id="en"),
        pytest.param("Von Max Mustermann und Erika Muster", ["Max Mustermann", "Erika Muster"], id="de-two"),
        pytest.param("Von Ursula von der Leyen", ["Ursula von der Leyen"], id="particles"),
        pytest.param("By Staff Reporter", [], id="not-a-person"),
        pytest.param("Von Redaktion", [], id="desk"),
    ],
)
def test_bylines(byline: str, authors: list[str]) -> None:
    article = parse_text_dump(
        f"Night buses | The Courier\n\nNight buses\n\n{byline}\n\n{PARA_EN}\n\n{PARA_EN2}"
    )
    assert article.authors == authors
    assert article.body == f"{PARA_EN}\n\n{PARA_EN2}"


def test_known_boilerplate_lines_are_dropped() -> None:
    promo = "Der Stadtanzeiger erscheint seit 1892 an jedem Werktag in der ganzen Region um den See."
    text = f"Nachtbus - Stadtanzeiger\n\nNachtbus\n\n{PARA_DE}\n\n{promo}\n\n{PARA_DE2}"
    assert promo in parse_text_dump(text).body
    article = parse_text_dump(text, known_boilerplate=frozenset({line_fingerprint(promo)}))
    assert article.body == f"{PARA_DE}\n\n{PARA_DE2}"
    assert promo in article.boilerplate_lines


def test_empty_dump() -> None:
    article = parse_text_dump("  \n\n ")
    assert (article.title, article.body, article.boilerplate_lines) == ("", "", [])
