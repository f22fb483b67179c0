from datetime import UTC, date, datetime

import pytest

from transforms.article import Hints
from transforms.extraction.html_article import parse_html, parse_tree

PARAGRAPHS = [
    "Der Stadtrat hat am Dienstagabend nach langer Debatte beschlossen, die alte Brücke über den Fluss "
    "vollständig zu sanieren, statt sie durch einen Neubau zu ersetzen.",
    "Die Kosten für die Sanierung werden auf rund zwölf Millionen Euro geschätzt, wie die Verwaltung in "
    "ihrer Vorlage schreibt; ein Neubau hätte fast doppelt so viel gekostet.",
    "Kritik kam vor allem von der Opposition, die eine Bürgerbeteiligung fordert und eine unabhängige "
    "Prüfung der Gutachten verlangt, bevor die Bauarbeiten im Frühjahr beginnen.",
    "Die Arbeiten sollen nach Angaben der Stadt etwa zwei Jahre dauern. In dieser Zeit wird der Verkehr "
    "über eine provisorische Behelfsbrücke weiter flussabwärts umgeleitet.",
]


def _article_page(head: str = "", extra_body: str = "", after: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        "<!DOCTYPE html><html lang='de'><head><title>Brücke wird saniert - Kieler Blatt</title>"
        f"{head}</head><body><header><nav><a href='/'>Startseite</a> "
        "<a href='/politik'>Politik</a></nav></header>"
        f"<main><article><h1>Brücke wird saniert</h1>{extra_body}{body}{after}</article></main>"
        "<footer><p>© 2024 Kieler Blatt Verlag GmbH. Alle Rechte vorbehalten.</p></footer></body></html>"
    )


HINTS = Hints(url="https://www.kieler-blatt.example/lokales/bruecke-wird-saniert")


def test_parse_html_fills_the_article() -> None:
    head = (
        '<meta property="og:site_name" content="Kieler Blatt">'
        '<meta property="article:published_time" content="2024-02-20T18:30:00+01:00">'
        '<meta property="article:modified_time" content="2024-02-21T08:00:00+01:00">'
        '<meta name="author" content="Von Anna Muster, dpa">'
        '<meta name="keywords" content="Brücke, Stadtrat, Verkehr">'
        '<link rel="canonical" href="https://www.kieler-blatt.example/lokales/bruecke">'
    )
    article = parse_html(_article_page(head), HINTS, fetched_at=datetime(2024, 3, 1, tzinfo=UTC))
    assert article.title == "Brücke wird saniert"
    assert article.publisher == "Kieler Blatt" and article.publisher_source == "og"
    assert article.published_at == datetime(2024, 2, 20, 17, 30, tzinfo=UTC)
    assert article.published_on == date(2024, 2, 20)
    assert article.published_at_source == "meta"
    assert article.modified_at == datetime(2024, 2, 21, 7, 0, tzinfo=UTC)
    assert article.authors == ["Anna Muster"] and article.agency == "dpa"
    assert article.language == "de"
    assert article.canonical_url == "https://www.kieler-blatt.example/lokales/bruecke"
    assert article.tags == ["Brücke", "Stadtrat", "Verkehr"]
    assert article.body.split("\n\n") == PARAGRAPHS


@pytest.mark.parametrize(
    ("extra_body", "after", "unwanted"),
    [
        pytest.param(
            "",
            "<h3>Mehr zum Thema</h3><ul><li><a href='/a'>Neue Ampel am Markt geht in Betrieb</a></li>"
            "<li><a href='/b'>Stadtrat streitet über Parkgebühren in der Innenstadt</a></li></ul>",
            "Neue Ampel am Markt",
            id="related-links-list",
        ),
        pytest.param(
            "",
            "<p>Teilen</p><p><a href='/x'>Facebook</a> <a href='/y'>Twitter</a></p>",
            "Teilen",
            id="share-prompt",
        ),
        pytest.param(
            "<figure><img src='a.jpg'><figcaption>Foto: Max Mann/Agentur</figcaption></figure>",
            "",
            "Foto: Max Mann",
            id="image-credit",
        ),
        pytest.param(
            "",
            "<p><a href='/newsletter'>Jetzt den Newsletter abonnieren und nichts mehr verpassen</a></p>",
            "Newsletter abonnieren",
            id="newsletter-link",
        ),
    ],
)
def test_body_drops_boilerplate_blocks(extra_body: str, after: str, unwanted: str) -> None:
    article = parse_html(_article_page(extra_body=extra_body, after=after), HINTS)
    assert unwanted not in article.body
    assert PARAGRAPHS[0] in article.body and PARAGRAPHS[-1] in article.body


def test_jsonld_article_fields() -> None:
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "Kieler Blatt"},'
        '{"@type": "NewsArticle", "headline": "Brücke wird saniert", "datePublished": "2024-02-20",'
        ' "author": [{"@type": "Person", "name": "Anna Muster"}, {"@type": "Person", "name": "Max Mann"}],'
        ' "publisher": {"@type": "NewsMediaOrganization", "name": "Kieler Blatt"},'
        ' "image": {"@type": "ImageObject", "url": "a.jpg", "creditText": "Max Mann/Agentur"},'
        ' "keywords": ["Brücke", "Stadtrat"]}]}</script>'
    )
    article = parse_html(_article_page(head), HINTS)
    assert article.publisher == "Kieler Blatt" and article.publisher_source == "jsonld"
    assert article.published_at_source == "jsonld" and article.published_on == date(2024, 2, 20)
    assert article.authors == ["Anna Muster", "Max Mann"]
    assert article.image_credit == "Max Mann/Agentur"
    assert article.tags == ["Brücke", "Stadtrat"]


def test_manifest_publisher_and_feed_date_hints() -> None:
    hints = Hints(
        url=HINTS.url,
        publisher="Kieler Blatt (Config)",
        published_at=datetime(2024, 2, 19, 6, 0, tzinfo=UTC),
        published_at_source="feed",
    )
    article = parse_html(_article_page(), hints)
    assert (article.publisher, article.publisher_source) == ("Kieler Blatt (Config)", "manifest")
    assert (article.published_at, article.published_at_source) == (hints.published_at, "feed")


def test_title_without_site_suffix_and_figcaption_credit() -> None:
    article = parse_html(
        _article_page(
            extra_body="<figure><img src='a.jpg'><figcaption>Die alte Brücke. "
            "Foto: Max Mann</figcaption></figure>"
        ),
        HINTS,
    )
    assert article.title == "Brücke wird saniert"
    assert article.publisher == "Kieler Blatt" and article.publisher_source == "title"
    assert article.image_credit == "Max Mann"


def test_byline_element_outside_sidebar() -> None:
    html = _article_page(
        extra_body="<p class='byline'>Von Anna Muster</p>",
        after="<aside class='related'><span class='author'>Max Mann</span></aside>",
    )
    assert parse_html(html, HINTS).authors == ["Anna Muster"]


def test_http_last_modified_needs_a_known_fetch_time() -> None:
    modified = datetime(2024, 1, 5, tzinfo=UTC)
    hints = Hints(url=HINTS.url, http_last_modified=modified)
    assert parse_html(_article_page(), hints).published_at is None
    article = parse_html(_article_page(), hints, fetched_at=datetime(2024, 3, 1, tzinfo=UTC))
    assert (article.published_at, article.published_at_source) == (modified, "http")
    recent = Hints(url=HINTS.url, http_last_modified=datetime(2024, 3, 1, 0, 0, tzinfo=UTC))
    assert (
        parse_html(_article_page(), recent, fetched_at=datetime(2024, 3, 1, 2, 0, tzinfo=UTC)).published_at
        is None
    )


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
    ],
)
def test_unparseable_html_raises_value_error(html: str) -> None:
    with pytest.raises(ValueError):
        parse_tree(html)


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<!DOCTYPE html>\n<html><body><p>Text</p></body></html>", id="doctype-first-line"),
        pytest.param(
            "<html/>\n<head><title>T</title></head><body><p>Text</p></body>", id="self-closing-html"
        ),
        pytest.param("<html><body><p>A\x00B\x0bC</p></body></html>", id="xml-invalid-characters"),
        pytest.param(
            "<?xml version='1.0' encoding='utf-8'?><html><body><p>Grüße</p></body></html>",
            id="xml-declaration-with-encoding",
        ),
        pytest.param(
            "<html><body><form action='/s'><label>Q</label><input name='q'><select><option>a</option>"
            "</select><textarea>t</textarea></form><p>Text</p></body></html>",
            id="form-elements",
        ),
        pytest.param("<div>one</div><div>two</div>", id="fragment"),
    ],
)
def test_parse_tree_builds_the_tree_trafilaturas_loader_builds(html: str) -> None:
    """Our parser keeps trafilatura's settings and steps; only each element's Python class differs
    (a plain HtmlElement, also for <form> and <input>), so the trees serialise the same."""
    from lxml import etree
    from lxml import html as lxml_html
    from trafilatura.utils import load_html

    tree = parse_tree(html)
    expected = load_html(html)
    assert expected is not None
    assert etree.tostring(tree, encoding="unicode") == etree.tostring(expected, encoding="unicode")
    assert {type(e) for e in tree.iter() if isinstance(e.tag, str)} == {lxml_html.HtmlElement}


@pytest.mark.parametrize(
    ("lead_html", "expected_first"),
    [
        pytest.param(
            "<p class='article-intro'>Nach monatelangem Streit hat sich der Stadtrat für die Sanierung "
            "der alten Brücke entschieden und gegen einen teuren Neubau.</p>",
            "Nach monatelangem Streit hat sich der Stadtrat",
            id="intro-class",
        ),
        pytest.param(
            "<div class='standfirst'><p>Die Brücke bleibt: Der Stadtrat stimmt nach monatelangem Streit "
            "für die Sanierung und gegen einen Neubau.</p></div>",
            "Die Brücke bleibt",
            id="standfirst",
        ),
        pytest.param(
            "<div class='author-description'>Anna Muster schreibt seit zwanzig Jahren über Verkehr, "
            "Stadtplanung und Kommunalpolitik in der Region.</div>",
            PARAGRAPHS[0][:30],
            id="author-box-is-not-a-lead",
        ),
        pytest.param("<p class='lead'>Kurz.</p>", PARAGRAPHS[0][:30], id="too-short-for-a-lead"),
    ],
)
def test_lead_paragraph_after_headline(lead_html: str, expected_first: str) -> None:
    # The lead sits in the header next to the headline, outside the text container.
    html = (
        f"<html><head><title>Brücke</title></head><body><main><header><h1>Brücke wird saniert</h1>{lead_html}"
        "</header><div class='text'>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</div></main></body></html>"
    )
    body = parse_html(html, HINTS).body
    assert body.startswith(expected_first)
    assert body.count("Nach monatelangem Streit") <= 1


STRUCTURES = (
    "<p>Ergebnisse:</p><table><tr><th>Platz</th><th>Team</th><th>Zeit</th></tr>"
    "<tr><td>1</td><td>Norwegen</td><td>1:32:10.4</td></tr><tr><td>2</td><td>Schweden</td><td>1:32:40.1</td></tr>"
    "<tr><td>3</td><td>Finnland</td><td>1:33:02.9</td></tr></table>"
    "<pre>Tabelle     S N P\nNorwegen    3 0 9\nSchweden    2 1 6</pre>"
    "<ol><li>Norwegen 9 Punkte</li><li>Schweden 6 Punkte</li><li>Finnland 3 Punkte</li></ol>"
    "<p>Frage: Wie geht es weiter?</p><p>Antwort: Mit dem Sprint am Freitag.</p>"
)


def test_story_structures_inside_the_article_are_kept() -> None:
    # A results table, a preformatted scoreboard, a numbered list and Q&A lines after the prose.
    article = parse_html(_article_page(after=STRUCTURES), HINTS)
    for piece in ("| Platz | Team | Zeit |", "| 2 | Schweden | 1:32:40.1 |", "Norwegen 3 0 9",
                  "Finnland 3 Punkte", "Frage: Wie geht es weiter?", "Antwort: Mit dem Sprint am Freitag."):
        assert piece in article.body, piece
    assert "Alle Rechte vorbehalten" not in article.body
