"""Regression gate: entity F1 on wire copy (../shared/corpora/wire) through the real tagger.

The floor sits a little below what the tagger measured when the gate was set (PER/ORG/LOC
F1 0.79; plain spaCy en_core_web_sm scores 0.635). Full figures: bench/eval_wire_ner.py.
"""

import pytest

from bench.eval_wire_ner import WIRE, load_stories, score, split_story, tag_mediamon

F1_FLOOR = 0.75


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("FLOODS HIT TOWN.\n\nOSLOBURG 1999-01-02\n\nRain fell.\n\nMore rain.",
                     ("FLOODS HIT TOWN.", "OSLOBURG", "Rain fell.\n\nMore rain."), id="caps-headline"),
        pytest.param("Floods hit town.\n\nPORT ALDERN, Testland 1999-01-02\n\nRain fell.",
                     ("Floods hit town.", "PORT ALDERN, Testland", "Rain fell."), id="mixed-case-headline"),
        pytest.param("Rain fell on Monday.\nMore rain.", ("", None, "Rain fell on Monday.\nMore rain."),
                     id="no-headline"),
    ],
)
def test_split_story(text, expected):
    assert split_story(text) == expected


@pytest.mark.slow
def test_wire_entity_f1_floor():
    if not WIRE.exists():
        pytest.fail(f"the wire corpus is missing at {WIRE}")
    pred, _ = tag_mediamon(load_stories(), None)
    f1 = float(score(pred).split("F1 ")[1].split()[0])
    assert f1 >= F1_FLOOR
