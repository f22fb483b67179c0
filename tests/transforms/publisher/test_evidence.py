import pytest

from transforms.extraction.html_article import parse_tree
from transforms.extraction.page_meta import read_page_meta
from transforms.publisher.names import publisher_table, resolve_publisher
from transforms.publisher.evidence import is_acronym, name_key


def _resolve(head: str, url: str, body: str = "<p>x</p>", headline: str = "Rat beschließt Haushalt") -> tuple:
    tree = parse_tree(f"<html><head>{head}</head><body>{body}</body></html>")
    return resolve_publisher(read_page_meta(tree), url, publisher_table(), tree=tree, headline=headline)


@pytest.mark.parametrize(
    ("head", "url", "body", "expected"),
    [
        pytest.param('<meta property="og:site_name" content="Politik"><title>Rat beschließt Haushalt | Kieler Blatt'
                     "</title>", "https://www.kielerblatt.example/politik/rat", "", ("Kieler Blatt", "title"),
                     id="section-name-loses-to-title-suffix"),
        pytest.param('<meta property="og:site_name" content="kielerblatt.example">', "https://kielerblatt.example/a",
                     "<p>Neu im Kieler Blatt: der Haushalt.</p>", ("Kieler Blatt", "og"),
                     id="bare-domain-spelled-as-the-page-writes-it"),
        pytest.param('<meta property="og:site_name" content="kielerblatt">'
                     "<title>Rat beschließt Haushalt - Kieler Blatt</title>", "https://kielerblatt.example/a", "",
                     ("Kieler Blatt", "og"), id="handle-spelled-by-title-suffix"),
        pytest.param('<meta property="og:site_name" content="KB - Kieler Blatt">', "https://kb-online.example/a", "",
                     ("Kieler Blatt", "og"), id="initialism-beside-its-name"),
        pytest.param('<meta property="og:site_name" content="Kieler Blatt Sport">', "https://kielerblatt.example/sport/a",
                     "", ("Kieler Blatt", "og"), id="brand-plus-section"),
        pytest.param('<meta property="og:site_name" content="Example Times"><title>Rat beschließt Haushalt - Example '
                     "Times</title>", "https://example.org/a", "", ("Example Times", "og"),
                     id="brand-plus-a-word-that-is-no-section-stays-whole"),
        pytest.param('<meta property="og:site_name" content="Rat beschließt Haushalt">'
                     '<meta name="author" content="Nordsee Rundschau">', "https://nr.example/a", "",
                     ("Nordsee Rundschau", "text"), id="headline-as-site-name-is-ignored-acronym-domain"),
        pytest.param("", "https://nachrichten.kielerblatt.example/a",
                     "<footer>© 2021-2024 Kieler Blatt. Alle Rechte vorbehalten.</footer>", ("Kieler Blatt", "text"),
                     id="copyright-holder"),
        pytest.param('<meta property="og:site_name" content="Die Ostsee-Post.de">', "https://ostsee-post.de/a", "",
                     ("Die Ostsee-Post", "og"), id="name-with-domain-ending"),
        pytest.param("", "https://kieler-woche-blog.example/a", "", ("kieler-woche-blog.example", "domain"),
                     id="nothing-but-the-domain"),
        pytest.param('<meta name="author" content="Erika Muster"><meta name="twitter:site" content="@bloghoster">',
                     "https://segelwetter.example/a", "<footer>© Bildagentur/Fotograf</footer>",
                     ("segelwetter.example", "domain"), id="person-handle-and-photo-credit-are-not-the-outlet"),
    ],
)
def test_publisher_candidates_are_judged(head: str, url: str, body: str, expected: tuple[str, str]) -> None:
    assert _resolve(head, url, body) == expected


@pytest.mark.parametrize(
    ("short", "name", "expected"),
    [
        pytest.param("KB", "Kieler Blatt", True, id="initials"),
        pytest.param("BMBF", "Bundesamt für Meeresbau und Fischerei", True, id="initials-skip-small-words"),
        pytest.param("NR", "Kieler Blatt", False, id="other-letters"),
        pytest.param("KB", "Kiel", False, id="one-word"),
    ],
)
def test_is_acronym(short: str, name: str, expected: bool) -> None:
    assert is_acronym(short, name) is expected


def test_name_key_ignores_case_accents_and_spacing() -> None:
    assert name_key("Última Hora") == name_key("ultimahora") == "ultimahora"
