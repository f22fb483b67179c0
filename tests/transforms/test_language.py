import pytest

from transforms.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Der Bundestag hat am Donnerstag ein neues Gesetz zum Klimaschutz beschlossen.", "de", id="de"
        ),
        pytest.param(
            "The government announced new measures to support the economy on Monday.", "en", id="en"
        ),
        pytest.param(
            "Le gouvernement a annoncé lundi de nouvelles mesures pour soutenir l'économie.", "fr", id="fr"
        ),
        pytest.param(
            "El gobierno anunció el lunes nuevas medidas para apoyar la economía del país.", "es", id="es"
        ),
        pytest.param("hello", None, id="too-short"),
        pytest.param("", None, id="empty"),
        pytest.param("12.03.2021 | 14:00 | 3 | 4 | 5", None, id="no-letters"),
        pytest.param(
            "https://example.org/a/very/long/path/with/many/segments user@example.org", None, id="urls-only"
        ),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_without_a_confidence_floor_the_best_guess_is_kept() -> None:
    # A word list any Latin-script language could own: unsure, so no `language` value, but the
    # NER router (which passes no floor) still gets a guess.
    text = "Hotel Restaurant Bar Cafe Pizza Pasta Menu"
    assert detect_language(text) is None
    assert detect_language(text, min_confidence=0.0) is not None
