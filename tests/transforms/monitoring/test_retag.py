"""Topic matching, watchlist re-matching and definition changes on stored rows (pure)."""

import pytest

from transforms.monitoring.retag import Topic, definition_changes, match_topics, watchlist_mentions
from transforms.entities.watchlist import parse_watchlist

ROWS = [
    {"article_id": "a1", "title": "Rail strike called off", "body": "The union and the rail operator agreed.",
     "publisher": "Daily Example"},
    {"article_id": "a2", "title": "Budget vote", "body": "Parliament passed the budget; the rail fund grew.",
     "publisher": "Example Post"},
    {"article_id": "a3", "title": "Football", "body": "A late goal.", "publisher": None},
]


def test_match_topics_rows() -> None:
    topics = [Topic.parse("rail", "rail AND (strike* OR union)"), Topic.parse("budget", "title:budget"),
              Topic.parse("post", "publisher:post")]
    rows = match_topics(ROWS, topics)
    assert [(r["article_id"], r["topic"], r["matched_terms"]) for r in rows] == [
        ("a1", "rail", ["rail", "strike*", "union"]),
        ("a2", "budget", ["title:budget"]),
        ("a2", "post", ["publisher:post"]),
    ]
    assert all(r["query_fingerprint"] == next(t for t in topics if t.name == r["topic"]).fingerprint for r in rows)


def test_topic_fingerprint_ignores_whitespace_only() -> None:
    assert Topic.parse("t", "a  AND b").fingerprint == Topic.parse("t", " a AND b ").fingerprint
    assert Topic.parse("t", "a AND b").fingerprint != Topic.parse("t", "a OR b").fingerprint


@pytest.mark.parametrize(
    ("stored", "current", "expected"),
    [
        pytest.param({}, {"x": "1"}, (("x",), (), ()), id="added"),
        pytest.param({"x": "1"}, {"x": "2"}, ((), ("x",), ()), id="changed"),
        pytest.param({"x": "1", "y": "1"}, {"x": "1"}, ((), (), ("y",)), id="removed"),
        pytest.param({"x": "1"}, {"x": "1"}, ((), (), ()), id="unchanged"),
    ],
)
def test_definition_changes(stored, current, expected) -> None:
    changes = definition_changes(stored, current)
    assert (changes.added, changes.changed, changes.removed) == expected
    assert bool(changes) == any(expected)


def test_watchlist_mentions_have_the_tag_stage_columns() -> None:
    watchlist = parse_watchlist('[[entity]]\nname = "Rail Union"\naliases = ["union"]\nid = "w:union"\n'
                                'context = ["rail"]\n')
    mentions, entities = watchlist_mentions(ROWS, watchlist)
    assert [(m["article_id"], m["surface"], m["in_title"], m["source"]) for m in mentions] == [
        ("a1", "union", False, "watchlist")]
    body = ROWS[0]["body"]
    assert body[mentions[0]["start_char"]:mentions[0]["end_char"]] == "union"
    assert [(e["canonical_name"], e["external_id"], e["aliases"]) for e in entities] == [
        ("Rail Union", "w:union", ["union"])]
