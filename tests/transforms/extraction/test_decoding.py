import pytest

from transforms.extraction.decoding import DecodeError, decode_document, looks_like_html

GERMAN = (
    "<html><body><p>Die Bürger in Köln müssen sich auf größere Veränderungen einstellen.</p></body></html>"
)
FRENCH = "<html><body><p>Le café à Paris: très élégant, où l'on mange des crêpes. Voilà.</p></body></html>"
RUSSIAN = (
    "<html><body><p>Правительство России объявило в понедельник о новых мерах поддержки.</p></body></html>"
)
HTTP_EQUIV_1251 = (
    '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>Привет мир</p>'
)
POLISH = "<html><body><p>Ale większość ludzi łączy się z siecią w domu, często też w pracy.</p></body></html>"


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        pytest.param(GERMAN.encode("latin-1"), None, GERMAN, id="latin1-no-charset"),
        pytest.param(FRENCH.encode("latin-1"), None, FRENCH, id="latin1-french-no-charset"),
        pytest.param(GERMAN.encode("utf-8"), None, GERMAN, id="utf8-no-charset"),
        pytest.param(RUSSIAN.encode("cp1251"), None, RUSSIAN, id="windows-1251-cyrillic"),
        pytest.param(POLISH.encode("cp1250"), None, POLISH, id="windows-1250-polish"),
        pytest.param(
            "<p>“Smart” quotes – Café</p>".encode("cp1252"),
            "text/html; charset=utf-8",
            "<p>“Smart” quotes – Café</p>",
            id="declared-utf8-really-cp1252",
        ),
        pytest.param(
            ("<meta charset='utf-8'><p>Grüße “x”</p>").encode() + " Müller".encode("cp1252"),
            None,
            "<meta charset='utf-8'><p>Grüße “x”</p> Müller",
            id="utf8-page-with-stray-cp1252-bytes",
        ),
        pytest.param(
            "<meta charset='iso-8859-1'><p>Grüße</p>".encode(),
            None,
            "<meta charset='iso-8859-1'><p>Grüße</p>",
            id="declared-latin1-really-utf8",
        ),
        pytest.param(
            "<p>Grüße</p>".encode("latin-1"),
            "text/html; charset=ISO-8859-1",
            "<p>Grüße</p>",
            id="header-charset",
        ),
        pytest.param(
            HTTP_EQUIV_1251.encode("cp1251"),
            None,
            HTTP_EQUIV_1251,
            id="http-equiv-charset",
        ),
        pytest.param("\ufeff<p>Grüße</p>".encode("utf-8"), None, "<p>Grüße</p>", id="utf8-bom"),
        pytest.param("<p>Grüße</p>".encode("utf-16"), None, "<p>Grüße</p>", id="utf16-bom"),
    ],
)
def test_decode_document_reads_text_without_mojibake(
    raw: bytes, content_type: str | None, expected: str
) -> None:
    assert decode_document(raw, content_type) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"  \n\t ", "empty", id="whitespace-only"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image", id="png"),
        pytest.param(b"\xff\xd8\xff\xe0" + bytes(200), "JPEG image", id="jpeg"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document", id="pdf"),
        pytest.param(b"PK\x03\x04" + bytes(100), "ZIP", id="zip"),
        pytest.param(bytes(range(256)) * 20, "binary", id="random-bytes-with-nul"),
        pytest.param(
            bytes((i * 7919 + 13) % 256 for i in range(3000) if (i * 7919 + 13) % 256),
            "",
            id="random-bytes-without-nul",
        ),
    ],
)
def test_decode_document_refuses_non_text(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_document(raw)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "<!DOCTYPE html><html><head><title>x</title></head><body></body></html>", True, id="doctype"
        ),
        pytest.param("  \n<html lang='de'><body><p>Text</p></body></html>", True, id="html-tag"),
        pytest.param("<?xml version='1.0'?>\n<!DOCTYPE html><html></html>", True, id="xhtml"),
        pytest.param(
            "<div><p>a</p><p>b</p><span>c</span><a href='x'>d</a><p>e</p></div>", True, id="fragment"
        ),
        pytest.param(
            "Startseite\nPolitik\nDer Bundestag hat am Donnerstag beschlossen...\n", False, id="text-dump"
        ),
        pytest.param(
            "Ein Text, der <b> erwähnt, aber ein Textdump ist. " * 20, False, id="dump-quoting-a-tag"
        ),
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected
