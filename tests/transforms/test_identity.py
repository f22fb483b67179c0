import pytest

from transforms.identity import article_id_for, canonical_key, content_hash, registered_domain


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("HTTPS://WWW.Example.com/a", "https://www.example.com/a", id="case"),
        pytest.param("https://example.com:443/a", "https://example.com/a", id="default-port"),
        pytest.param("https://example.com/a#comments", "https://example.com/a", id="fragment"),
    ],
)
def test_same_story_same_id(a: str, b: str) -> None:
    assert canonical_key(a) == canonical_key(b)
    assert article_id_for(a) == article_id_for(b)


def test_different_paths_differ() -> None:
    assert article_id_for("https://e.org/a") != article_id_for("https://e.org/b")
    assert len(article_id_for("https://e.org/a")) == 16


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        pytest.param("https://www.bbc.co.uk/news/1", "bbc.co.uk", id="multi-part-suffix"),
        pytest.param("https://wien.orf.at/stories/1/", "orf.at", id="subdomain"),
        pytest.param("file:///tmp/x.txt", None, id="local-file"),
    ],
)
def test_registered_domain(url: str, domain: str | None) -> None:
    assert registered_domain(url) == domain


def test_content_hash_sees_title_and_body() -> None:
    assert content_hash("t", "b") != content_hash("t2", "b")
    assert content_hash("t", "b") != content_hash("t", "b2")
