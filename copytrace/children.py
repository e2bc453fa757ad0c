"""What every spawned worker process of a run needs."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import threading


def exit_with_parent() -> None:
    """Worker initializer: a worker whose parent was killed (SIGKILL, the OOM killer) would wait for
    work for ever, holding its memory; a thread makes it exit when the parent's end of the spawn pipe
    closes."""
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()


def _exit_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)


def settle_heap() -> None:
    """Leave what is alive now (imported modules, a loaded model) to the garbage collector's permanent
    generation: a run's full collections then walk only what its batches made. Called once a process
    has loaded what it works with. On the ingest bench's classifying, full collections took 0.32-0.33 s
    of 3.6-3.8 s, and 0.17-0.18 s with it."""
    gc.freeze()
