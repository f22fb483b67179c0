"""The tag stage's input: title, body and, where wire parsing stored one, the dateline place."""

from transforms.entities.tag_rows import tag_inputs


def test_tag_inputs_carry_the_dateline_place_when_present():
    with_place, without, empty = tag_inputs([
        {"article_id": "a", "title": "FLOODS", "body": "Rain.", "language": "en", "dateline_place": "VIENNA"},
        {"article_id": "b", "title": "Floods", "body": "Rain.", "language": "en"},  # column not there
        {"article_id": "c", "title": None, "body": "Rain.", "language": None, "dateline_place": None},
    ])
    assert (with_place.title, with_place.dateline_place) == ("FLOODS", "VIENNA")
    assert without.dateline_place is None and empty.dateline_place is None and empty.title == ""
