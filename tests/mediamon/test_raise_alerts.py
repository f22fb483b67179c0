"""`mediamon alerts` on a real DuckDB warehouse; the webhook is POSTed to a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mediamon.cli import main
from mediamon.config import load_settings
from mediamon.raise_alerts import AlertDeliveryError, deliver_webhook, run_alerts
from mediamon.warehouse import Warehouse, read_query
from transforms.entities.tagging import entity_id_for

FIRST_DAY = date(2024, 5, 1)
SPIKE_DAY = date(2024, 5, 30)
ACME = entity_id_for("Acme Corp", "ORG", "client:acme")
NEWCO = entity_id_for("NewCo", "ORG")


class WebhookServer:
    """A real HTTP server that answers POSTs with scripted statuses and keeps what it received."""

    def __init__(self, statuses: list[int], headers: dict[str, str] | None = None) -> None:
        self.statuses = list(statuses)
        self.headers = headers or {}
        self.received: list[tuple[dict[str, str], bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                server.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = server.statuses.pop(0) if server.statuses else 200
                self.send_response(status)
                for name, value in (server.headers.items() if status != 200 else ()):
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer([])
    yield server
    server.stop()


ALERT = {"entity_id": "e1", "entity": "Acme Corp", "entity_type": "ORG", "day": "2024-05-30", "kind": "spike",
         "mentions": 16, "outlets": 8, "baseline_median": 1.0, "baseline_mad": 0.0, "threshold": 4.0,
         "detail": "16 mentions vs a median of 1"}


def test_webhook_503_then_200_is_retried_with_the_same_json(webhook: WebhookServer) -> None:
    webhook.statuses = [503]
    waits: list[float] = []
    status = deliver_webhook(webhook.url, [ALERT], tries=3, sleep=waits.append, backoff_seconds=0.5)
    assert status == 200
    assert len(webhook.received) == 2 and len(waits) == 1 and 0.25 <= waits[0] <= 0.5  # jittered backoff
    first, second = webhook.received
    assert first[1] == second[1]  # the very same document, sent again
    assert first[0]["content-type"] == "application/json"
    assert first[0]["idempotency-key"] == second[0]["idempotency-key"]
    payload = webhook.payloads()[1]
    assert payload["source"] == "mediamon" and payload["count"] == 1
    assert payload["alerts"] == [ALERT]
    assert "Acme Corp" in payload["text"]


def test_webhook_honours_retry_after(webhook: WebhookServer) -> None:
    webhook.statuses = [429]
    webhook.headers = {"Retry-After": "7"}
    waits: list[float] = []
    deliver_webhook(webhook.url, [ALERT], sleep=waits.append, backoff_seconds=0.01)
    assert waits == [7.0]


def test_webhook_does_not_wait_longer_than_a_minute(webhook: WebhookServer) -> None:
    webhook.statuses = [503]
    webhook.headers = {"Retry-After": "3600"}
    waits: list[float] = []
    with pytest.raises(AlertDeliveryError, match=r"failed after 1 try \(HTTP 503, server asked to wait 3600 s\)"):
        deliver_webhook(webhook.url, [ALERT], sleep=waits.append)
    assert waits == [] and len(webhook.received) == 1


def test_webhook_gives_up_after_the_last_try(webhook: WebhookServer) -> None:
    webhook.statuses = [503, 502, 500]
    with pytest.raises(AlertDeliveryError, match=r"failed after 3 tries \(HTTP 500\).*sent again"):
        deliver_webhook(webhook.url, [ALERT], tries=3, sleep=lambda s: None)
    assert len(webhook.received) == 3


def test_webhook_client_error_is_not_retried(webhook: WebhookServer) -> None:
    webhook.statuses = [400]
    with pytest.raises(AlertDeliveryError, match="refused 1 alert.*HTTP 400"):
        deliver_webhook(webhook.url, [ALERT], tries=3, sleep=lambda s: None)
    assert len(webhook.received) == 1


def test_webhook_connection_refused_is_one_line() -> None:
    with pytest.raises(AlertDeliveryError, match="failed after 2 tries.*Connect"):
        deliver_webhook("http://127.0.0.1:9/hook", [ALERT], tries=2, sleep=lambda s: None, timeout=2)


# -- a small warehouse with a spike and a new entity ---------------------------------------------

def _article(con, article_id: str, day: date, publisher: str) -> None:
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    con.execute("""INSERT INTO articles (article_id, url, canonical_url, publisher, site, title, published_at,
                       body, word_count, first_seen_at, seen_date, updated_at, content_hash, dq_status,
                       run_id, authors, dq_failures)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'body', 60, ?, ?, ?, ?, 'pass', 'r1', [], [])""",
                [article_id, f"https://{publisher}.example/{article_id}", f"https://{publisher}.example/{article_id}",
                 publisher, f"{publisher}.example", f"Story {article_id}", at, at + timedelta(hours=1), day,
                 at, article_id])


def _mention(con, article_id: str, entity_id: str, n: int = 1, source: str = "watchlist") -> None:
    for i in range(n):
        con.execute("INSERT INTO mentions (article_id, entity_id, surface, entity_type, start_char, end_char, "
                    "in_title, source) VALUES (?, ?, 'Acme', 'ORG', ?, ?, false, ?)",
                    [article_id, entity_id, i * 10, i * 10 + 4, source])


def build_warehouse(directory: Path) -> None:
    with Warehouse(directory) as wh:
        con = wh.con
        now = datetime(2024, 5, 1, tzinfo=UTC)
        con.execute("INSERT INTO entities VALUES (?, 'Acme Corp', 'ORG', ['Acme'], 'client:acme', ?, ?)",
                    [ACME, now, now.date()])
        con.execute("INSERT INTO entities VALUES (?, 'NewCo', 'ORG', ['NewCo'], NULL, ?, ?)",
                    [NEWCO, now, now.date()])
        day = FIRST_DAY
        while day < SPIKE_DAY:  # one mention a day: the baseline
            _article(con, f"d{day.day:02d}", day, "daily")
            _mention(con, f"d{day.day:02d}", ACME)
            day += timedelta(days=1)
        for i in range(8):  # the spike day: 8 outlets, 2 mentions each; NewCo appears in 5 of them
            _article(con, f"s{i}", SPIKE_DAY, f"outlet{i}")
            _mention(con, f"s{i}", ACME, 2)
            if i < 5:
                _mention(con, f"s{i}", NEWCO, 1, source="ner")


def write_config(tmp_path: Path, webhook: str = "") -> Path:
    (tmp_path / "watchlist.toml").write_text('[[entity]]\nname = "Acme Corp"\naliases = ["Acme"]\n'
                                             'id = "client:acme"\n')
    config = tmp_path / "mediamon.toml"
    config.write_text('[warehouse]\npath = "wh"\nlock_timeout_seconds = 2\n'
                      '[entities]\nwatchlist = "watchlist.toml"\n'
                      f'[alerts]\nwebhook = "{webhook}"\nwebhook_tries = 2\n')
    return config


def test_alerts_fire_once_and_are_stored(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path)
    build_warehouse(tmp_path / "wh")
    assert main(["alerts", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "2 new alerts for 1 day with articles, 2024-05-30" in out
    assert "spike" in out and "Acme Corp (ORG): 16 mentions, 8 outlets" in out
    assert "new entity  NewCo (ORG): 5 mentions, 5 outlets" in out

    assert main(["alerts", "--config", str(config)]) == 0  # the same day again: nothing new
    assert "0 new alerts" in capsys.readouterr().out
    _, rows = read_query(tmp_path / "wh",
                         "SELECT entity_id, day, kind, webhook_status FROM alerts ORDER BY kind")
    assert rows == [(NEWCO, SPIKE_DAY, "new_entity", "none"), (ACME, SPIKE_DAY, "spike", "none")]


def test_alerts_json_and_since(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path)
    build_warehouse(tmp_path / "wh")
    assert main(["alerts", "--config", str(config), "--since", "2024-05-01", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(a["kind"], a["entity"], a["day"]) for a in doc["alerts"]] == [
        ("new_entity", "NewCo", "2024-05-30"), ("spike", "Acme Corp", "2024-05-30")]
    # The first week has too little history to judge, and says so.
    assert doc["not_judged"][0].startswith("2024-05-01: 0 days with articles")
    assert len(doc["not_judged"]) == 7


def test_webhook_failure_keeps_alerts_and_resends_them(tmp_path: Path, webhook: WebhookServer,
                                                        capsys) -> None:
    config = write_config(tmp_path, webhook.url)
    build_warehouse(tmp_path / "wh")
    webhook.statuses = [503, 503]
    assert main(["alerts", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "2 new alerts" in captured.out
    assert captured.err.startswith("mediamon: error: webhook") and "sent again" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    _, rows = read_query(tmp_path / "wh", "SELECT DISTINCT webhook_status FROM alerts")
    assert rows == [("failed",)]

    # Next time the server is back: no new alert, but the two kept ones are delivered, once.
    assert main(["alerts", "--config", str(config)]) == 0
    assert "0 new alerts" in capsys.readouterr().out
    last = webhook.payloads()[-1]
    assert sorted(a["kind"] for a in last["alerts"]) == ["new_entity", "spike"]
    _, rows = read_query(tmp_path / "wh",
                         "SELECT DISTINCT webhook_status, delivered_at IS NOT NULL FROM alerts")
    assert rows == [("sent", True)]
    sent = len(webhook.received)
    assert main(["alerts", "--config", str(config)]) == 0
    assert len(webhook.received) == sent  # delivered alerts are not sent again


def test_run_alerts_sends_new_alerts_to_the_webhook(tmp_path: Path, webhook: WebhookServer) -> None:
    config = write_config(tmp_path, webhook.url)
    build_warehouse(tmp_path / "wh")
    outcome = run_alerts(load_settings(config), sleep=lambda s: None)
    assert outcome.delivered == 2 and outcome.delivery_error is None
    spike = next(a for a in webhook.payloads()[0]["alerts"] if a["kind"] == "spike")
    assert spike["entity"] == "Acme Corp" and spike["mentions"] == 16 and spike["baseline_median"] == 1.0


def test_alerts_without_warehouse_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["alerts", "--warehouse", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mediamon: error: no warehouse at") and "mediamon run" in err
    assert not (tmp_path / "none").exists()


def test_alerts_on_an_empty_warehouse(tmp_path: Path, capsys) -> None:
    Warehouse(tmp_path / "wh").close()
    assert main(["alerts", "--warehouse", str(tmp_path / "wh")]) == 0
    assert "no articles yet" in capsys.readouterr().out


@pytest.mark.parametrize("table, message", [
    ('[alerts]\nmin_mentions = 0\n', "min_mentions must be a whole number of at least 1"),
    ('[alerts]\nmad_multiplier = "high"\n', "mad_multiplier must be a number"),
    ('[alerts]\nwebhook = "ftp://x"\n', "webhook must be an http"),
    ('[alerts]\nthreshold = 3\n', "unknown key [alerts] threshold"),
    ('[report]\nafter_run = "yes"\n', "[report] after_run must be true or false"),
])
def test_bad_alert_settings_are_one_line(tmp_path: Path, table: str, message: str, capsys) -> None:
    config = tmp_path / "mediamon.toml"
    config.write_text(table)
    assert main(["alerts", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
