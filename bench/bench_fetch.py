"""Benchmark the fetcher: 60 real pages from one local host, one of them slow.

Starts the fault-injecting test server (tests/fixtures/fault_server.py) on
127.0.0.1, serves 60 pages of the shared corpus (generated pages when it is
absent) behind a robots.txt, makes one page answer after `--slow` seconds, and
fetches them all with the default FetchConfig (4 in flight per host), then a
second, conditional run. Prints pages/s, total seconds and the peak number of
requests the server saw in flight.

    .venv/bin/python bench/bench_fetch.py              # defaults: 60 pages, slow page 5 s
    .venv/bin/python bench/bench_fetch.py --pages 200 --slow 8 --delay 0.05
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

from mediamon.config import FetchConfig
from sources.fetch import FetchRequest, cache_updates, fetch_urls

REPO = Path(__file__).resolve().parents[1]


def _fault_server_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("mediamon_tests_fault_server",
                                                  REPO / "tests" / "fixtures" / "fault_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--slow", type=float, default=5.0, help="seconds the slow page takes to answer")
    parser.add_argument("--delay", type=float, default=0.02, help="server think time per ordinary page")
    args = parser.parse_args()

    fault = _fault_server_module()
    pages = fault.corpus_pages(args.pages)
    settings = FetchConfig()  # the defaults are what is measured
    with fault.FaultServer() as server:
        server.route("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        for i, (_, html) in enumerate(pages):
            server.route(f"/page/{i}", body=html, delay=args.slow if i == len(pages) // 2 else args.delay)
        requests = [FetchRequest(server.url(f"/page/{i}"), source="bench", allow_private=True)
                    for i in range(len(pages))]

        started = time.perf_counter()
        results = fetch_urls(requests, settings, {})
        first = time.perf_counter() - started
        ok = sum(r.error is None for r in results)
        size = sum(len(r.body or b"") for r in results)
        peak = server.max_in_flight

        server.reset_log()
        cache = cache_updates(results, {})
        started = time.perf_counter()
        again = fetch_urls(requests, settings, cache)
        second = time.perf_counter() - started

    print(f"first run : {ok}/{len(pages)} pages ok, {size / 1e6:.1f} MB, {first:.2f} s total, "
          f"{len(pages) / first:.1f} pages/s, peak in flight {peak} (limit {settings.per_host})")
    unchanged = sum(r.not_modified for r in again)
    print(f"second run: {unchanged}/{len(pages)} not modified, {second:.2f} s total, "
          f"{len(pages) / second:.1f} pages/s")
    failed = [r for r in results if r.error is not None]
    for result in failed[:5]:
        print(f"  failed {result.url}: {result.error}")
    return 0 if not failed and peak <= settings.per_host else 1


if __name__ == "__main__":
    raise SystemExit(main())
