"""non_article_reason: quarantine is for pages that are not news, each with its own reason."""

from __future__ import annotations

import pytest

from transforms.article import Article
from transforms.extraction.page_type import non_article_reason

SHORT_STORY = "The council approved the bridge on Tuesday."
HEADLINES = "\n".join(f"Council {w} approves bridge over harbour" for w in "abcdefghij")


@pytest.mark.parametrize(
    ("url", "title", "body", "kind", "reason"),
    [
        pytest.param("https://x.example/a/404", "Page not found", "Sorry, nothing here.", None,
                     "not an article: error page", id="error-title"),
        pytest.param("https://x.example/", "Example News", SHORT_STORY, None, "not an article: home page",
                     id="home"),
        pytest.param("https://x.example/search?q=bridge", "Search", SHORT_STORY, None,
                     "not an article: search page", id="search-query"),
        pytest.param("https://x.example/suche/bruecke", "Suche", SHORT_STORY, None,
                     "not an article: search page", id="search-path"),
        pytest.param("https://x.example/tag/bridges/", "Bridges", SHORT_STORY, None,
                     "not an article: tag or section page", id="tag"),
        pytest.param("https://x.example/thema/klima/page/2", "Klima", SHORT_STORY, None,
                     "not an article: tag or section page", id="tag-paged"),
        pytest.param("https://x.example/media/bridge.jpg", "bridge.jpg", "A bridge.", None,
                     "not an article: image page", id="image"),
        pytest.param("https://x.example/news/list", "News", HEADLINES, "page-text", "not an article: listing",
                     id="listing"),
        pytest.param("https://x.example/2024/05/bridge-approved", "Bridge approved", SHORT_STORY, None, None,
                     id="brief-is-news"),
        pytest.param("https://x.example/tag/bridges/2024/05/long-story", "Bridge", SHORT_STORY, None, None,
                     id="story-under-a-tag-path"),
        pytest.param("https://x.example/themen/minister-resigns-after-vote", "Minister", SHORT_STORY, None, None,
                     id="article-slug-under-a-topic-path"),
        pytest.param("https://x.example/news/list", "Results", HEADLINES, "text", None,
                     id="clean-copy-is-never-a-listing"),
        pytest.param("file:///data/story.txt", "Story", SHORT_STORY, None, None, id="local-file"),
    ],
)
def test_non_article_reason(url: str, title: str, body: str, kind: str | None, reason: str | None) -> None:
    article = Article(title=title, body=body, text_kind=kind)
    found = non_article_reason(article, url, len(body.split()))
    assert (found[0] if found else None) == reason


def test_long_text_at_a_home_url_is_an_article() -> None:
    body = " ".join(["The council approved the bridge on Tuesday after a long debate."] * 20)
    assert non_article_reason(Article(title="Bridge", body=body), "https://x.example/", 220) is None
