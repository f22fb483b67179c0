"""Disjoint sets of string keys (union-find), for grouping things that are linked pairwise."""

from __future__ import annotations


class UnionFind:
    """`find(x)` is the root of x's set (x joins as its own set on first sight); `union(a, b)`
    merges two sets under the smaller root; `attach(child, root)` puts the set whose root is
    `child` under the root `root`, for callers that choose the root themselves."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.attach(max(ra, rb), min(ra, rb))

    def attach(self, child: str, root: str) -> None:
        self.parent.setdefault(root, root)
        self.parent[child] = root
