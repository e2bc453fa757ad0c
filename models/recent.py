"""A memory-bounded cache of the most recently used values, for work that recurs across calls.

Ingest meets the same stored texts again and again: a source stored in one batch is the candidate of
copies arriving in the next ones, and each time the classifier would tokenise, align-prepare and
vectorise it anew. What preparing a text yields is tens of times the text's size, so the cache is
bounded by an estimate of the bytes it holds, not by a count.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Recent(Generic[V]):
    """``get(key, make)``: the value kept for ``key``, or ``make()``'s, kept while the values kept
    weigh at most ``max_bytes`` by ``weigh`` (least recently used dropped first)."""

    def __init__(self, max_bytes: int, weigh: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self.weigh = weigh
        self.bytes = 0
        self._kept: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept[0]
        value = make()
        size = self.weigh(value)
        if size <= self.max_bytes:
            self._kept[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._kept.popitem(last=False)
                self.bytes -= dropped
        return value
