"""parse_text_dump: the seed golden test and small tables of dump shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from transforms.extraction.boilerplate import is_call_to_action, is_caption_line, is_code_line, is_teaser_line
from transforms.extraction.text_dump import parse_text_dump

SEED = Path(__file__).resolve().parents[3] / "seeds" / "000_7210ad52eb561afc.txt"

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


def test_empty_dump() -> None:
    article = parse_text_dump("  \n\n ")
    assert (article.title, article.body) == ("", "")


@pytest.mark.parametrize(
    "line, teaser",
    [
        pytest.param("Lea: Consejo Permanente de OEA aborda este miércoles confiscación", True, id="es-lea"),
        pytest.param("VEA TAMBIÉN: Estrella de la educación no brilla para estudiantes", True, id="es-vea"),
        pytest.param("Auch lesen: Diese 3 Sternzeichen verschenken ihr Herz", True, id="de-auch-lesen"),
        pytest.param(
            "Vorheriger Artikel ++ Wetter in der Region: Aussichten bis Freitag mild",
            True,
            id="de-prev",
        ),
        pytest.param(
            "Article suivant Après une mise en quarantaine au cours de laquelle",
            True,
            id="fr-next",
        ),
        pytest.param("Zobacz także: Dla dobra IPN zdecydowałem, że trzeba to przeciąć", True, id="pl"),
        pytest.param("Lea Müller hat den Preis am Freitag in Berlin entgegengenommen.", False, id="name-lea"),
        pytest.param(PARA_EN, False, id="prose"),
    ],
)
def test_teaser_lines(line: str, teaser: bool) -> None:
    assert is_teaser_line(line) is teaser


@pytest.mark.parametrize(
    "line, caption",
    [
        pytest.param(
            "Cristina Kirchner y Alberto Fernández, el 1 de marzo, en el Congreso "
            "(Foto: Natacha Pisarenko/Pool via REUTERS).",
            True,
            id="es-foto-credit-with-period",
        ),
        pytest.param(
            "Dmitry Muratov, periodista ruso y Premio Nobel de la Paz (REUTERS/Denis Balibouse)",
            True,
            id="agency-slash",
        ),
        pytest.param(
            "Cyber-Attacken nehmen weiter zu. – © Sergey Nivens – stock.adobe.com",
            True,
            id="copy-domain",
        ),
        pytest.param(
            "Wer die Äste immer wieder auf die Wege zieht, ist unklar (Symbolbild).",
            True,
            id="symbolbild",
        ),
        pytest.param(
            "Abbildung 4: Die grösste Lawine dieser Berichtsperiode wurde ausgelöst.",
            True,
            id="figure",
        ),
        pytest.param("© 2023 Courier Media Ltd. All rights reserved.", False, id="footer-not-caption"),
        pytest.param(
            "Die Koalition (CDU/CSU) will das Gesetz noch vor dem Sommer beschließen.",
            False,
            id="party",
        ),
        pytest.param(PARA_DE, False, id="prose"),
    ],
)
def test_caption_lines(line: str, caption: bool) -> None:
    assert is_caption_line(line) is caption


@pytest.mark.parametrize(
    "line, appeal",
    [
        pytest.param(
            "Get the latest news straight to your phone with the VI Consortium app.",
            True,
            id="en-app",
        ),
        pytest.param(
            "Lust auf mehr? Lass dir die besten Storys jede Woche in deinen Posteingang liefern.",
            True,
            id="de-du-inbox",
        ),
        pytest.param(
            "Sie möchten wöchentliche Produktvorstellungen? Schauen Sie mal in unseren Musiknewsletter!",
            True,
            id="de-sie-compound-newsletter",
        ),
        pytest.param(
            "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular en este enlace.",
            True,
            id="es-telegram",
        ),
        pytest.param(
            "Sie hat ihren Instagram-Account am Montag auf privat gestellt und folgt niemandem mehr.",
            False,
            id="de-sie-is-she",
        ),
        pytest.param("Follow-up talks with the union are planned for next week.", False, id="no-reader"),
        pytest.param(PARA_EN, False, id="prose"),
    ],
)
def test_calls_to_action(line: str, appeal: bool) -> None:
    assert is_call_to_action(line) is appeal


@pytest.mark.parametrize(
    "line, code",
    [
        pytest.param("my_ggp + theme(axis.text = element_text(size = 20)) # Axis text size", True, id="r"),
        pytest.param("netsh interface tcp set global autotuninglevel=normal", True, id="shell-command"),
        pytest.param("Kategorien: Politik (24) Allgemeines (23) Bücher (1)", False, id="category-counts"),
        pytest.param("from setuptools import setup setup(name = 'exampleapp')", True, id="python"),
        pytest.param("Startseite Politik Sport Kultur Wirtschaft", False, id="menu"),
    ],
)
def test_code_lines(line: str, code: bool) -> None:
    assert is_code_line(line) is code


BIO_EN = "Heiko Sauer is a Professor of Public Law at the University of Bonn and writes on crises."


@pytest.mark.parametrize(
    "text, body",
    [
        pytest.param(
            f"Night buses | The Courier\n\nNight buses\n\nHeiko Sauer\n\n{PARA_EN}\n\n{PARA_EN2}\n\n{BIO_EN}",
            f"{PARA_EN}\n\n{PARA_EN2}",
            id="author-bio-named-in-byline-box",
        ),
        pytest.param(
            f"Night buses | The Courier\n\nNight buses\n\n{PARA_EN}\n\n{PARA_EN2}\n\n"
            "Follow us on Telegram and get our newsletter straight to your inbox every morning.",
            f"{PARA_EN}\n\n{PARA_EN2}",
            id="closing-call-to-action",
        ),
        pytest.param(
            f"Nachtbus - Stadtanzeiger\n\nNachtbus\n\n{PARA_DE}\n\n{PARA_DE2}\n\nWeitere Informationen",
            f"{PARA_DE}\n\n{PARA_DE2}",
            id="dangling-heading",
        ),
        pytest.param(
            f"Nachtbus - Stadtanzeiger\n\nNachtbus\n\n{PARA_DE}\n\n"
            f"Seit Jahren im Amt: Bürgermeister Max Muster. (Foto: dpa/Max Muster)\n\n{PARA_DE2}",
            f"{PARA_DE}\n\n{PARA_DE2}",
            id="caption-between-paragraphs",
        ),
        pytest.param(
            f"Night buses | The Courier\n\n{PARA_EN}\n\n"
            f"Brighton beat Manchester United in the Premier League | Sport | The Courier\n\n{PARA_EN2}",
            f"{PARA_EN}\n\n{PARA_EN2}",
            id="pipe-separated-link-label",
        ),
    ],
)
def test_new_chrome_rules(text: str, body: str) -> None:
    assert parse_text_dump(text).body == body


def test_bio_rule_keeps_people_the_story_is_about() -> None:
    # The surname recurs in the story: the line is about the person, not the author's bio.
    story = (
        "Night buses | The Courier\n\nNight buses\n\nHeiko Sauer\n\n"
        f"{BIO_EN}\n\n{PARA_EN}\n\nSauer said the routes would start in spring and cost little.\n\n{PARA_EN2}"
    )
    assert BIO_EN in parse_text_dump(story).body


def test_quantity_list_next_to_prose_is_kept() -> None:
    ingredients = ["250 g Weizenmehl", "50 g Zucker", "2 Eier (Größe M)", "100 ml Milch"]
    method = (
        "Mehl mit Hefe in einer Rührschüssel sorgfältig vermischen, die übrigen Zutaten und die warme "
        "Milch hinzufügen und alles mit einem Mixer zu einem glatten Teig verarbeiten."
    )
    menu = "Hefezopf - Backblog\n\nStartseite\nRezepte\nKontakt\n\n"
    text = menu + "\n".join(ingredients) + f"\n\n{method}"
    body = parse_text_dump(text).body
    assert all(item in body for item in ingredients)
    assert "Startseite" not in body


def test_code_block_after_prose_is_kept() -> None:
    code = 'my_ggp <- ggplot(data, aes(x = Groups, y = Probability)) + geom_bar(stat = "identity")'
    text = (
        f"Plots in R | Stats Blog\n\n{PARA_EN}\n\nNow we can draw a barchart of our data with the "
        f"following short call to the plotting library:\n\n{code}\n\n"
        f"Figure 1: The default plot.\n\n{PARA_EN2}"
    )
    assert code in parse_text_dump(text).body
