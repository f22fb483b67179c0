"""Sources that yield nothing at all: named with where their location came from, and exit code 3."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sources.collect import collect
from mediamon.config import FetchConfig, Settings, SourceSpec

MEDIAMON = Path(sys.executable).with_name("mediamon")
PAGE = (b"<html><head><title>Tram</title></head><body><article><h1>Tram</h1><p>The council agreed to extend "
        b"the tram line.</p></article></body></html>")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(tmp_path: Path, origins: dict[str, str]) -> Settings:
    return Settings(config_path=None, warehouse_dir=tmp_path / "wh", fetch=FetchConfig(max_tries=1),
                    source_origins=origins)


def test_sources_that_yield_nothing_are_failed_and_say_where_they_came_from(fault_server: Any,
                                                                            tmp_path: Path) -> None:
    fault_server.route("/robots.txt", body=b"User-agent: *\nAllow: /\n", content_type="text/plain")
    fault_server.route("/news/ok", body=PAGE)
    fault_server.route("/feed.xml", body=(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>L</title><item><link>{fault_server.url("/news/ok")}'
        f'</link></item><item><link>{fault_server.url("/news/missing")}</link></item></channel></rss>').encode(),
        content_type="application/rss+xml")
    refused = f"http://127.0.0.1:{_closed_port()}/2024/03/story"
    sources = [SourceSpec(name="folder", location=str(tmp_path / "no-such-folder")),
               SourceSpec(name="typo", location="htp://news.example/feed.xml"),
               SourceSpec(name="down", location=refused),
               SourceSpec(name="gone-feed", location=fault_server.url("/rss.xml")),
               SourceSpec(name="feed", location=fault_server.url("/feed.xml")),
               SourceSpec(name="page", location=fault_server.url("/news/ok?x=1"))]
    origins = {"folder": "--source", "typo": "--source", "down": "[[sources]] 'down' location in m.toml",
               "gone-feed": "--source"}
    got = collect(sources, _settings(tmp_path, origins), {})
    # A feed with one page gone still collected its other page; the page source got its page.
    assert got.failed_sources == ["folder", "typo", "down", "gone-feed"]
    problems = {p.split("'")[1]: p for p in got.problems}
    assert "does not exist (location from --source)" in problems["folder"]
    assert "'htp://' is not http://, https:// or file://" in problems["typo"]
    assert "does not exist" not in problems["typo"] and "(location from --source)" in problems["typo"]
    # A refused connection says so, not that robots.txt was unreachable.
    assert "connection failed" in problems["down"] and "robots.txt" not in problems["down"]
    assert problems["down"].endswith("(location from [[sources]] 'down' location in m.toml)")
    assert "HTTP 404" in problems["gone-feed"]
    assert [d.error for d in got.documents if d.source == "down"][0].startswith("connection failed")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    return env


@pytest.mark.slow
def test_exit_code_3_when_a_source_failed_and_1_when_the_run_cannot_proceed(tmp_path: Path) -> None:
    config = tmp_path / "mediamon.toml"
    config.write_text('[warehouse]\npath = "wh"\n[pipeline]\nworkers = 1\n'
                      '[[sources]]\nname = "archive"\nlocation = "no-such-folder"\n')
    from_config = subprocess.Popen([str(MEDIAMON), "run", "--config", str(config)], cwd=tmp_path,
                                   env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    from_flag = subprocess.Popen([str(MEDIAMON), "--warehouse", str(tmp_path / "wh2"), "run", "--source",
                                  "htp://news.example/feed.xml"], cwd=tmp_path, env=_env(tmp_path),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = from_config.communicate(timeout=600)
    assert from_config.returncode == 3, err
    assert f"(location from [[sources]] 'archive' location in {config})" in out
    assert "1 source failed entirely: archive (exit 3)" in err and "Traceback" not in err
    out, err = from_flag.communicate(timeout=600)
    assert from_flag.returncode == 3, err
    assert "(location from --source)" in out and "'htp://' is not http://" in out
    # Could not proceed at all: 1.
    bad = tmp_path / "bad.toml"
    bad.write_text("[pipeline]\nbatchsize = 3\n")
    proc = subprocess.run([str(MEDIAMON), "run", "--config", str(bad)], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "did you mean [pipeline] batch_size?" in proc.stderr
