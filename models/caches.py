"""Memory-bounded caches of the most recently used values, for work that recurs across calls, and
the estimators that own them.

Ingest meets the same stored texts again and again: a source stored in one batch is the candidate of
copies arriving in the next ones, and each time it would be tokenised, vectorised and prepared for
aligning anew. What some of that work yields is tens of times the text's size, so the cache is
bounded by an estimate of the bytes it holds, not by a count.
"""

from __future__ import annotations

import threading
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


class OwnsCaches:
    """Mixin for an estimator that keeps caches of what it works out from texts with its fit.

    What is worked out with a fitted vocabulary belongs to that fit: the caches are made on first
    use, owned by the fitted estimator (they go when the loaded model goes), dropped by a new fit
    (``forget``, called by ``fit``) and never pickled with the model."""

    def cache(self, name: str, make: Callable[[], T]) -> T:
        """This estimator's cache called ``name``, made by ``make`` on first use."""
        caches = self.__dict__.get("_caches")
        if caches is None:
            caches = self.__dict__.setdefault("_caches", {})  # setdefault: one dict whichever thread wins
        found = caches.get(name)
        return found if found is not None else caches.setdefault(name, make())

    def forget(self) -> None:
        """Drop every cache this estimator keeps."""
        self.__dict__.pop("_caches", None)

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: the base may hand back the instance's own dict
        state.pop("_caches", None)
        return state


def forget_all(estimator: object) -> None:
    """``forget`` on ``estimator`` and every fitted estimator inside it (pipeline steps, column
    transformers' fitted parts, wrapped estimators)."""
    seen: set[int] = set()

    def walk(obj: object) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, OwnsCaches):
            obj.forget()
        if isinstance(obj, (list, tuple)):
            for item in obj:
                walk(item)
        elif hasattr(obj, "get_params") and hasattr(obj, "__dict__"):
            for value in vars(obj).values():
                walk(value)

    walk(estimator)
