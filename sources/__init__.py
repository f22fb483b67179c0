"""Source intake: where documents come from (plain Python, no Prefect).

    kinds.py    detect(location) -> "folder" | "page" | "warc" | "jsonl" | "feed" | "sitemap" | "urllist"
    collect.py  Extracted, READERS (kind -> reader), collect(sources, settings, cache)
    local.py    folders, page files and manifests, listed first and read a chunk at a time
    web.py      feeds, sitemaps, URL lists, single pages and WARC archives through one fetcher
    jsonl.py    JSON Lines agency feeds: one story per line
    fetch.py    the polite async HTTP fetcher; http_rules.py and robots.py its pure rules
    stored.py   the stored raw bytes of earlier runs (`mediamon reprocess`)
    status.py   `mediamon sources`: each configured source with its last fetch status
"""
