from pathlib import Path

import pytest

from mediamon.config import load_settings
from mediamon.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    s = load_settings(cwd=tmp_path)
    assert s.warehouse_dir == (tmp_path / "data").resolve()
    assert s.sources == ()


def test_reads_sources_relative_to_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "conf" / "m.toml"
    cfg.parent.mkdir()
    cfg.write_text('[warehouse]\npath = "wh"\n[pipeline]\nmin_words = 10\n'
                   '[publishers]\n"Example.com" = "The Example"\n'
                   '[[sources]]\nname = "local"\nlocation = "../pages"\n'
                   '[[sources]]\nname = "feed"\nlocation = "https://e.org/rss"\npublisher = "E"\n')
    s = load_settings(cfg)
    assert s.warehouse_dir == (tmp_path / "conf" / "wh").resolve()
    assert s.min_words == 10
    assert s.publishers == {"example.com": "The Example"}
    assert [(x.name, x.location) for x in s.sources] == [
        ("local", str((tmp_path / "pages").resolve())), ("feed", "https://e.org/rss")]
    assert s.sources[1].publisher == "E"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[warehouse\n", "not valid TOML", id="bad-toml"),
        pytest.param("[[sources]]\nname = 'x'\n", "[[sources]] #1 location is missing", id="source-without-location"),
        pytest.param("[[sources]]\nname='a'\nlocation='x'\n[[sources]]\nname='a'\nlocation='y'\n", "unique",
                     id="duplicate-source-names"),
        pytest.param("[fetch]\nbogus = 1\n", "unknown key [fetch] bogus", id="unknown-fetch-key"),
        pytest.param("[[sources]]\nname='a'\nlocation='x'\nkind='wire'\n", "kind must be \"text\"",
                     id="unknown-text-kind"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_settings(cfg)


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_source_kind_says_what_its_text_files_are(tmp_path: Path) -> None:
    cfg = tmp_path / "m.toml"
    cfg.write_text("[[sources]]\nname='wire'\nlocation='w'\nkind='text'\n"
                   "[[sources]]\nname='dumps'\nlocation='d'\n")
    assert [s.kind for s in load_settings(cfg).sources] == ["text", None]
