"""A run's process and its children: its heap settled once its model is loaded, and the children it
starts (the temporary Prefect server) ending with it."""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import subprocess
import types


def settle_heap() -> None:
    """Leave what is alive now (imported modules, a loaded model) to the garbage collector's permanent
    generation: a run's full collections then walk only what its batches made. Called once a process
    has loaded what it works with, so that full collections stop re-walking the model."""
    gc.freeze()


# prctl(2) option: the signal the kernel sends this process when its parent (the thread that forked it) dies.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """``preexec_fn`` of a child of process ``parent`` (Linux): the kernel sends the child SIGTERM when
    the thread that started it ends, which for a thread living as long as its process is when the
    process dies, however it dies (SIGKILL, the OOM killer), so the child is not left behind
    re-parented to init. A no-op where prctl is missing. Runs between fork and exec: a parent
    already gone ends the child there."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(0)


class _DyingWithParent(types.ModuleType):
    """``subprocess``, its Popen arming ``die_with_parent`` in the child (after any preexec_fn given)."""

    def __init__(self) -> None:
        super().__init__("subprocess")

    def __getattr__(self, name: str):
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args, preexec_fn=None, **kwargs):  # noqa: N802 -- stands in for subprocess.Popen
        parent = os.getpid()

        def prepare() -> None:
            if preexec_fn is not None:
                preexec_fn()
            die_with_parent(parent)

        return subprocess.Popen(*args, preexec_fn=prepare, **kwargs)


def subprocess_dying_with_parent() -> types.ModuleType:
    """A stand-in for the ``subprocess`` module whose Popen's children die with this process."""
    return _DyingWithParent()
