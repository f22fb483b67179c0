import pytest

from transforms.extraction.authors import agency_of, clean_authors


@pytest.mark.parametrize(
    ("raw", "names", "agency"),
    [
        pytest.param(["Von Anna Muster"], ["Anna Muster"], None, id="german-von"),
        pytest.param(["By Jane Doe and John Smith"], ["Jane Doe", "John Smith"], None, id="english-by-and"),
        pytest.param(["Anna Muster, dpa"], ["Anna Muster"], "dpa", id="agency-split-off"),
        pytest.param(["AFP"], [], "AFP", id="agency-only"),
        pytest.param(["dpa/lno"], [], "dpa", id="regional-agency-variant"),
        pytest.param(["Reuters Staff"], [], "Reuters", id="reuters-staff"),
        pytest.param(["Redaktion"], [], None, id="newsroom"),
        pytest.param(["Staff Reporter"], [], None, id="staff-reporter"),
        pytest.param(["Jane Doe @janedoe"], ["Jane Doe"], None, id="twitter-handle-dropped"),
        pytest.param(["@janedoe"], [], None, id="handle-only"),
        pytest.param(["12.03.2021"], [], None, id="date-only"),
        pytest.param(
            ["Anna Muster | 12.03.2021 | 3 Min. Lesezeit"], ["Anna Muster"], None, id="byline-with-date"
        ),
        pytest.param(["Anna Muster", "anna muster"], ["Anna Muster"], None, id="deduplicated"),
        pytest.param(["Par Marie Dupont et Jean Martin"], ["Marie Dupont", "Jean Martin"], None, id="french"),
        pytest.param(["Ursula von der Leyen"], ["Ursula von der Leyen"], None, id="particles"),
        pytest.param(["jane@example.org"], [], None, id="email"),
        pytest.param(["Mehr Artikel von diesem Autor lesen"], [], None, id="sentence-not-a-name"),
        pytest.param(["KATJA MUSTERFRAU"], ["Katja Musterfrau"], None, id="upper-case-byline"),
        pytest.param(["Anna Muster (Text), Max Mann (Fotos)"], ["Anna Muster", "Max Mann"], None, id="roles"),
    ],
)
def test_clean_authors(raw: list[str], names: list[str], agency: str | None) -> None:
    assert clean_authors(raw) == (names, agency)


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        pytest.param("dpa", "dpa", id="dpa"),
        pytest.param("(AFP)", "AFP", id="afp-in-brackets"),
        pytest.param("Associated Press", "AP", id="ap-long"),
        pytest.param("KNA", "KNA", id="kna"),
        pytest.param("epd", "epd", id="epd"),
        pytest.param("APA", "APA", id="apa"),
        pytest.param("Anna Muster", None, id="person"),
    ],
)
def test_agency_of(fragment: str, expected: str | None) -> None:
    assert agency_of(fragment) == expected


@pytest.mark.parametrize(
    ("raw", "outlet", "names"),
    [
        pytest.param(["Ostbelgien Direkt"], ["Ostbelgien Direkt"], [], id="site-name-as-author"),
        pytest.param(
            ["Kieler Blatt", "Anna Muster"], ["kieler  blatt"], ["Anna Muster"], id="outlet-case-insensitive"
        ),
        pytest.param(["Marie Merlet", "Prisma Média"], [], ["Marie Merlet"], id="media-company"),
        pytest.param(["Wikimedia Foundation"], [], [], id="foundation"),
    ],
)
def test_clean_authors_drops_the_outlet(raw: list[str], outlet: list[str], names: list[str]) -> None:
    assert clean_authors(raw, outlet)[0] == names
