"""Topics in `mediamon alerts` and the report: spikes per topic like watchlist entities, a line per topic.
Real DuckDB warehouse under tmp_path."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from mediamon.config import load_settings
from mediamon.raise_alerts import run_alerts
from mediamon.report import read_report_data
from mediamon.warehouse import Warehouse
from tests.mediamon.test_raise_alerts import _article
from transforms.monitoring.alert_rules import Since

FIRST_DAY = date(2024, 5, 1)
SPIKE_DAY = date(2024, 5, 30)


def _topic(con, article_id: str, topic: str) -> None:
    con.execute("INSERT INTO article_topics VALUES (?, ?, ['rail'], 'f', 'r1', now())", [article_id, topic])


def test_a_topic_spikes_and_the_report_lists_every_topic(tmp_path: Path) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text('[warehouse]\npath = "wh"\n[[topics]]\nname = "rail"\nquery = "rail*"\n'
                   '[[topics]]\nname = "ports"\nquery = "port*"\n')
    settings = load_settings(cfg)
    with Warehouse(settings.warehouse_dir) as wh:
        day = FIRST_DAY
        n = 0
        while day <= SPIKE_DAY:
            # One rail story a day, then nine from nine outlets on the spike day.
            for i in range(9 if day == SPIKE_DAY else 1):
                n += 1
                _article(wh.con, f"a{n}", day, f"outlet{i}")
                _topic(wh.con, f"a{n}", "rail")
            day += timedelta(days=1)
    outcome = run_alerts(settings)
    assert outcome.topics == 2
    fired = outcome.fired.to_dicts()
    assert [(a["entity_id"], a["kind"], a["day"], a["mentions"], a["entity_type"]) for a in fired] == [
        ("topic:rail", "spike", SPIKE_DAY, 9, "TOPIC")]
    assert fired[0]["detail"].startswith("9 articles vs a median of 1")
    data = read_report_data(settings, Since(days=1))
    assert data.topic_counts.to_dicts() == [
        {"topic": "rail", "articles": 9, "previous_articles": 1, "outlets": 9},
        {"topic": "ports", "articles": 0, "previous_articles": 0, "outlets": 0}]
