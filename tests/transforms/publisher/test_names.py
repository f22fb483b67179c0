import pytest

from transforms.extraction.html_article import parse_tree
from transforms.extraction.page_meta import read_page_meta
from transforms.publisher.names import (
    publisher_table,
    registered_domain,
    resolve_publisher,
    shipped_table,
    split_title,
    table_lookup,
)


def _page(head: str) -> str:
    return f"<html><head>{head}</head><body><p>x</p></body></html>"


@pytest.mark.parametrize(
    ("head", "url", "manifest", "title_site", "expected"),
    [
        pytest.param(
            '<meta property="og:site_name" content="Kieler Blatt">',
            "https://kieler-blatt.example/a",
            "Config Name",
            None,
            ("Config Name", "manifest"),
            id="manifest-always-wins",
        ),
        pytest.param(
            '<meta property="og:site_name" content="Kieler Blatt">',
            "https://kieler-blatt.example/a",
            None,
            "KB",
            ("Kieler Blatt", "og"),
            id="og-site-name",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "NewsArticle", "publisher": '
            '{"@type": "Organization", "name": "Kieler Blatt"}}</script>',
            "https://kieler-blatt.example/a",
            None,
            None,
            ("Kieler Blatt", "jsonld"),
            id="jsonld-publisher",
        ),
        pytest.param(
            '<meta property="og:site_name" content="wsj.com">',
            "https://www.wsj.com/articles/x",
            None,
            None,
            ("The Wall Street Journal", "table"),
            id="domain-like-og-loses-to-table",
        ),
        pytest.param(
            '<script type="application/ld+json">{"@type": "NewsArticle", "publisher": '
            '{"name": "Dow Jones & Company"}}</script>',
            "https://www.wsj.com/articles/x",
            None,
            None,
            ("The Wall Street Journal", "table"),
            id="legal-name-loses-to-table",
        ),
        pytest.param(
            "",
            "https://www.spiegel.de/politik/x",
            None,
            "SPIEGEL ONLINE",
            ("Der Spiegel", "table"),
            id="table-before-title",
        ),
        pytest.param(
            "",
            "https://kleinstadt-blog.example/post",
            None,
            "Kleinstadt Blog",
            ("Kleinstadt Blog", "title"),
            id="title-suffix",
        ),
        pytest.param(
            "",
            "https://blog.kleinstadt.example/post",
            None,
            "Kleinstadt Blog",
            ("Kleinstadt", "title"),
            id="section-host-belongs-to-its-parent",
        ),
        pytest.param(
            "",
            "https://news.kleinstadt.co.uk/post",
            None,
            None,
            ("kleinstadt.co.uk", "domain"),
            id="registered-domain-last",
        ),
    ],
)
def test_resolve_publisher_order(
    head: str, url: str, manifest: str | None, title_site: str | None, expected: tuple[str, str]
) -> None:
    page = read_page_meta(parse_tree(_page(head)))
    assert resolve_publisher(page, url, publisher_table(), manifest, title_site) == expected


@pytest.mark.parametrize(
    ("title", "sites", "domain", "expected"),
    [
        pytest.param(
            "Klimaschutz: Banken unter Druck - Kieler Blatt",
            ["Kieler Blatt"],
            "kieler-blatt.de",
            ("Klimaschutz: Banken unter Druck", "Kieler Blatt"),
            id="dash-suffix",
        ),
        pytest.param(
            "Kieler Blatt | Klimaschutz: Banken unter Druck",
            ["Kieler Blatt"],
            None,
            ("Klimaschutz: Banken unter Druck", "Kieler Blatt"),
            id="prefix",
        ),
        pytest.param(
            "Banken unter Druck | ZEIT ONLINE",
            [],
            "zeit.de",
            ("Banken unter Druck", "ZEIT ONLINE"),
            id="suffix-matches-domain",
        ),
        pytest.param(
            "Banken unter Druck – Lokales | Stadtanzeiger",
            [],
            None,
            ("Banken unter Druck – Lokales", "Stadtanzeiger"),
            id="unknown-short-suffix",
        ),
        pytest.param(
            "Warum die Banken unter Druck stehen - eine Analyse in drei Teilen",
            [],
            None,
            ("Warum die Banken unter Druck stehen - eine Analyse in drei Teilen", None),
            id="long-tail-is-headline",
        ),
        pytest.param("Ein Titel ohne Trenner", [], None, ("Ein Titel ohne Trenner", None), id="no-separator"),
    ],
)
def test_split_title(
    title: str, sites: list[str], domain: str | None, expected: tuple[str, str | None]
) -> None:
    assert split_title(title, sites, domain) == expected


def test_table_lookup_prefers_longest_host_and_config_entries() -> None:
    table = publisher_table({"https://www.lokal.example": "Lokalzeitung", "news.sky.com": "Sky News Online"})
    assert table_lookup("https://www.lokal.example/a", table) == "Lokalzeitung"
    assert table_lookup("https://news.sky.com/story/x", table) == "Sky News Online"
    assert table_lookup("https://www.sky.com/x", table) == "Sky News"
    assert table_lookup("https://unknown.example/x", table) is None


def test_shipped_table_is_large_and_clean() -> None:
    table = shipped_table()
    assert len(table) >= 300
    assert table["wsj.com"] == "The Wall Street Journal"
    assert all(domain == domain.lower() and not domain.startswith("www.") for domain in table)


def test_registered_domain_uses_public_suffixes() -> None:
    assert registered_domain("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert registered_domain("https://a.b.example.com/x") == "example.com"


@pytest.mark.parametrize(
    ("site_name", "expected"),
    [
        pytest.param(
            "polizeiticker.ch - Meldungen und Warnungen von der Polizei", "polizeiticker.ch", id="slogan"
        ),
        pytest.param(
            "Geburtstage - Kindergeburtstag und Erwachsenen Geburtstage", "Geburtstage", id="slogan-2"
        ),
        pytest.param("Süddeutsche Zeitung", "Süddeutsche Zeitung", id="plain-name"),
        pytest.param("Kiel - Stadt", "Kiel - Stadt", id="short-name-with-dash-kept"),
    ],
)
def test_site_name_slogan_is_cut(site_name: str, expected: str) -> None:
    page = read_page_meta(parse_tree(_page(f'<meta property="og:site_name" content="{site_name}">')))
    assert resolve_publisher(page, "https://unknown.example/a", publisher_table()) == (expected, "og")
