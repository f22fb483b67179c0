"""`[[topics]]` in the config: parsed once at load; a bad query names the topic and the position."""

from pathlib import Path

import pytest

from mediamon.cli import main
from mediamon.config import load_settings
from mediamon.errors import ConfigError


def test_topics_are_parsed(tmp_path: Path) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text('[[topics]]\nname = "rail"\nquery = \'rail AND (strike* OR "work to rule")\'\n'
                   '[[topics]]\nname = "budget"\nquery = "title:budget"\n')
    topics = load_settings(cfg).topics
    assert [t.name for t in topics] == ["rail", "budget"]
    assert topics[0].tree.atoms  # parsed, not just stored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('[[topics]]\nname = "rail"\nquery = "rail AND (strike OR"\n',
                     "topic 'rail': the query does not parse at position 20", id="unparsable"),
        pytest.param('[[topics]]\nname = "x"\nquery = "a NEAR b"\n', "topic 'x': the query does not parse at "
                     "position 3: 'NEAR' is not an operator", id="bad-near"),
        pytest.param('[[topics]]\nquery = "a"\n', "[[topics]] #1 name is missing", id="no-name"),
        pytest.param('[[topics]]\nname = "a"\nquery = "a"\n[[topics]]\nname = "a"\nquery = "b"\n',
                     "appears twice", id="duplicate"),
        pytest.param('[[topics]]\nname = "a"\nquery = "a"\nalert = true\n', "unknown key [[topics]] #1 alert", id="unknown-key"),
        pytest.param('topics = "a"\n', "must be an array of tables", id="not-a-table"),
    ],
)
def test_bad_topics_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(cfg)
    assert message in str(caught.value)


def test_cli_reports_a_bad_topic_in_one_line(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text('[[topics]]\nname = "rail"\nquery = "(rail"\n')
    assert main(["search", "--config", str(cfg), "rail"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("mediamon: error: config ") and "topic 'rail'" in err and "position 1" in err
    assert "\n" not in err
