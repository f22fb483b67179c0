"""Which article a page is: a same-site canonical merges, another site's canonical does not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from transforms.extraction.clean import clean_batch
from transforms.document import RawDocument
from transforms.identity import article_id_for

BODY = "".join(f"<p>Paragraph {i}: the river authority opened the new flood barrier on Monday after "
               "four years of building work, and the mayor thanked the engineers and the residents.</p>"
               for i in range(3))


def _page(url: str, canonical: str | None) -> RawDocument:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    html = f"<html><head><title>Flood barrier opens</title>{link}</head><body><article><h1>Flood barrier " \
           f"opens</h1>{BODY}</article></body></html>"
    return RawDocument(url=url, source="t", fetched_at=datetime(2024, 5, 1, tzinfo=UTC), raw=html.encode(),
                       content_type="text/html; charset=utf-8")


ORIGINAL = "https://www.paper-example.com/news/flood-barrier"


@pytest.mark.parametrize(("url", "canonical", "key", "site"), [
    pytest.param(ORIGINAL + "?utm_source=feed", ORIGINAL, ORIGINAL, "paper-example.com", id="tracking-params"),
    pytest.param("https://amp.paper-example.com/news/flood-barrier", ORIGINAL, ORIGINAL, "paper-example.com", id="amp"),
    pytest.param("https://www.paper-example.com/print/flood-barrier", ORIGINAL, ORIGINAL, "paper-example.com",
                 id="print-page"),
    pytest.param("https://mirror-example.net/copy/123", ORIGINAL, "https://mirror-example.net/copy/123", "mirror-example.net",
                 id="other-site-is-its-own-article"),
    pytest.param("https://news.syndicate-example.org/a/1", ORIGINAL, "https://news.syndicate-example.org/a/1",
                 "syndicate-example.org", id="syndicated-copy"),
    pytest.param("file:///saved/page.html", ORIGINAL, ORIGINAL, "paper-example.com", id="saved-page-takes-canonical"),
])
def test_canonical_merges_within_a_site_only(url: str, canonical: str, key: str, site: str) -> None:
    row = clean_batch([_page(url, canonical)], "r1").articles[0]
    assert row["article_id"] == article_id_for(key)
    assert row["site"] == site
    assert row["canonical_url"] == canonical  # the original stays visible on the copy
