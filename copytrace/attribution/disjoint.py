"""Disjoint sets (union-find): which items end up linked, directly or through others.

Used where a batch's items are grouped by links between them (``stories``): story groups of
documents, stored stories joined through a batch's groups.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class DisjointSets(Generic[K]):
    """Sets of ordered keys, each named by its smallest key; a key is a set of its own until linked."""

    def __init__(self) -> None:
        self._parent: dict[K, K] = {}

    def find(self, key: K) -> K:
        """The smallest key of ``key``'s set (path halving keeps later finds short)."""
        parent = self._parent
        while (up := parent.setdefault(key, key)) != key:
            parent[key] = key = parent[up]
        return key

    def union(self, a: K, b: K) -> None:
        """Join the sets of ``a`` and ``b``."""
        a, b = self.find(a), self.find(b)
        if a != b:
            self._parent[max(a, b)] = min(a, b)

    def __iter__(self) -> Iterator[K]:
        """Every key seen so far."""
        return iter(list(self._parent))
