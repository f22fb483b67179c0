import pytest

from transforms.entities import ner
from transforms.entities.ner import NER_LABELS, case_vocabulary, load_pipeline, looks_english, repair_case, run_ner


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        pytest.param("SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .", "",
                     "Soccer - Japan Get Lucky Win , China In Surprise Defeat .", id="caps-headline-no-context"),
        pytest.param("SOCCER - JAPAN GET LUCKY WIN", "Japan get a win in soccer.",
                     "Soccer - Japan get Lucky win", id="caps-headline-document-casing"),
        pytest.param("AL-AIN, United Arab Emirates 1996-12-06", "",
                     "Al-Ain, United Arab Emirates 1996-12-06", id="dateline-comma"),
        pytest.param("BERLIN (dpa) - Die Regierung", "", "Berlin (dpa) - Die Regierung", id="dateline-bracket"),
        pytest.param("NATO AND THE US WARN RUSSIA", "", "NATO And The US Warn Russia", id="keep-acronyms"),
        pytest.param("KIM'S VISIT", "", "Kim's Visit", id="apostrophe"),
        pytest.param("RECAP: What signals did Putin-Kim meeting send?", "",
                     "RECAP: What signals did Putin-Kim meeting send?", id="mixed-case-untouched"),
        pytest.param("Talks with NATO in Brussels", "", "Talks with NATO in Brussels", id="acronym-in-sentence"),
        pytest.param("STRASSE UND GROSSE FRAGEN", "Die Strasse und große Fragen",
                     "Strasse und Grosse Fragen", id="no-length-change"),
    ],
)
def test_repair_case(text, context, expected):
    repaired = repair_case(text, case_vocabulary([context]), frozenset({"NATO", "US"}))
    assert repaired == expected
    assert len(repaired) == len(text)


def test_repair_case_keeps_other_lines_and_offsets():
    text = "WORLD NEWS TODAY\nPutin met Kim in Pyongyang.\nİSTANBUL, Turkey -"
    repaired = repair_case(text)
    assert len(repaired) == len(text)
    assert repaired.splitlines()[1] == "Putin met Kim in Pyongyang."
    assert repaired.startswith("World News Today\n")


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def test_pipeline_has_only_ner(nlp):
    assert nlp.pipe_names == ["ner"]


def test_run_ner_drops_numbers_and_dates(nlp):
    (spans,) = run_ner(nlp, ["On Monday, 3,000 people cheered Angela Merkel in Berlin for 20 minutes."])
    text = "On Monday, 3,000 people cheered Angela Merkel in Berlin for 20 minutes."
    assert {(text[s.start : s.end], s.label) for s in spans} == {("Angela Merkel", "PERSON"), ("Berlin", "GPE")}
    assert all(s.label in NER_LABELS for s in spans)


def test_caps_headline_recall_improves(nlp):
    headline = "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT ."
    raw, fixed = run_ner(nlp, [headline, repair_case(headline)])
    assert not any(headline[s.start : s.end] == "CHINA" for s in raw)
    assert any(headline[s.start : s.end] == "CHINA" and s.label == "GPE" for s in fixed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("The government said on Tuesday that the new rules would apply.", True, id="english"),
        pytest.param("Die Bundesregierung hat am Dienstag neue Regeln beschlossen.", False, id="german"),
        pytest.param("   ", False, id="empty"),
    ],
)
def test_looks_english(text, expected):
    assert looks_english(text) is expected


class _RecordingNlp:
    """Stands in for a spaCy pipeline: records the lengths of the texts of each `pipe` call."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def pipe(self, texts, batch_size):
        texts = list(texts)
        assert batch_size == len(texts)
        self.batches.append([len(t) for t in texts])
        return iter(texts)


def test_pipe_caps_texts_and_characters_per_batch(monkeypatch):
    monkeypatch.setattr(ner, "MAX_NER_BATCH_CHARS", 100)
    monkeypatch.setattr(ner, "MAX_NER_CHARS", 250)
    nlp = _RecordingNlp()
    texts = ["a" * 40, "b" * 40, "c" * 40, "d" * 300, "e" * 10, "f" * 10, "g" * 10]
    out = list(ner.pipe(nlp, texts, batch_size=2))
    assert out == [*texts[:3], "d" * 250, *texts[4:]]  # one result per text, in order, clipped
    assert nlp.batches == [[40, 40], [40], [250], [10, 10], [10]]


def test_run_ner_finds_the_same_in_any_batching(nlp, monkeypatch):
    texts = ["Angela Merkel met Emmanuel Macron in Paris on Monday.",
             "The European Central Bank kept rates unchanged, said Christine Lagarde. " * 30,
             "Shares of Siemens rose in Frankfurt after the company reported results."]
    together = run_ner(nlp, texts, batch_size=64)
    monkeypatch.setattr(ner, "MAX_NER_BATCH_CHARS", 10)  # every text in a batch of its own
    assert run_ner(nlp, texts, batch_size=64) == together
    assert any(span.label == "PERSON" for span in together[0])


def test_lean_inference_predicts_the_same():
    import spacy

    text = ("The European Central Bank kept rates unchanged, said Christine Lagarde in Frankfurt. "
            "Angela Merkel met Emmanuel Macron in Paris. ") * 40
    plain = spacy.load(ner.MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer",
                                           "senter"])
    lean = load_pipeline()
    lean_chains = [n for n in lean.get_pipe("ner").model.walk()
                   if getattr(n._func, "__module__", None) == ner.__name__]
    assert lean_chains, "no chain layer was made lean"
    found = [(e.start_char, e.end_char, e.label_) for e in lean(text).ents]
    assert found == [(e.start_char, e.end_char, e.label_) for e in plain(text).ents]
    assert ("Christine Lagarde", "PERSON") in {(text[s:e], label) for s, e, label in found}
