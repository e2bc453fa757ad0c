"""A memory-bounded cache of the most recently used values, for work that recurs across calls.

Ingest meets the same stored texts again and again: a source stored in one batch is the candidate of
copies arriving in the next ones, and each time it would be tokenised, vectorised and prepared for
aligning anew. What some of that work yields is tens of times the text's size, so the cache is
bounded by an estimate of the bytes it holds, not by a count.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
T = TypeVar("T")


class Recent(Generic[V]):
    """Values by key, kept while they weigh at most ``max_bytes`` by ``weigh`` (the least recently
    used dropped first). Safe to share between threads; ``make`` runs outside the lock."""

    def __init__(self, max_bytes: int, weigh: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self.weigh = weigh
        self.bytes = 0
        self._kept: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def find(self, key: Hashable) -> V | None:
        """The value kept for ``key``, now the most recently used; None if there is none."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            self._kept.move_to_end(key)
            return kept[0]

    def put(self, key: Hashable, value: V) -> V:
        """Keep ``value`` for ``key`` (not if it alone weighs more than the bound); return it."""
        size = self.weigh(value)
        if size > self.max_bytes:
            return value
        with self._lock:
            if (old := self._kept.pop(key, None)) is not None:
                self.bytes -= old[1]
            self._kept[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._kept.popitem(last=False)
                self.bytes -= dropped
        return value

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for ``key``, or ``make()``'s, kept."""
        found = self.find(key)
        return found if found is not None else self.put(key, make())


class PerOwner(Generic[T]):
    """A ``T`` for each owner, made by ``make`` and kept as long as the owner lives: what is worked
    out with a fitted vectorizer belongs to that fit (a new fit makes a new vectorizer), and lives
    outside the estimator, so that it is never pickled with the model."""

    def __init__(self, make: Callable[[], T]) -> None:
        self.make = make
        self._by_owner: weakref.WeakKeyDictionary[object, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def of(self, owner: object) -> T:
        with self._lock:
            found = self._by_owner.get(owner)
            if found is None:
                found = self._by_owner[owner] = self.make()
            return found

    def clear(self) -> None:
        self._by_owner.clear()


class RecentPer(PerOwner[Recent[V]]):
    """A ``Recent`` for each owner (``PerOwner``)."""

    def __init__(self, max_bytes: int, weigh: Callable[[V], int]) -> None:
        super().__init__(lambda: Recent(max_bytes, weigh))
