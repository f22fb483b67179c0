"""Union-find: sets merge under the smaller root, `attach` lets the caller pick the root."""

from transforms.union_find import UnionFind


def test_union_merges_under_the_smaller_root() -> None:
    sets = UnionFind()
    sets.union("c", "b")
    sets.union("d", "c")
    sets.union("x", "y")
    assert {sets.find(k) for k in "bcd"} == {"b"} and sets.find("y") == "x"
    assert sets.find("new") == "new"


def test_attach_keeps_the_callers_root() -> None:
    sets = UnionFind()
    sets.union("a", "b")
    sets.attach(sets.find("b"), "z")
    assert sets.find("b") == sets.find("a") == "z"
