"""HeldRead: a reader for the GUI's worker threads (opening, comparing, restoring) that holds
back until the test releases it, so a test can check what the window does meanwhile; and
what such a test looks at: the progress dialog shown, and whether a dropped result is freed."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

from PySide6.QtWidgets import QProgressDialog

from bpstudio.document.format import load

WAIT_S = 60  # a held-back read gives up after this, so a failing test cannot hang


class HeldRead:
    """A `read` that holds back the files in `held` (every file if none is named) until
    `release()`, then reads them with `then`; it notes the thread each read ran on and a weak
    reference to each document it made."""

    def __init__(self, *held: Path, then=load) -> None:
        self.held, self.then = set(held), then
        self.gate = threading.Event()
        self.threads: list[threading.Thread] = []
        self.made: dict[Path, weakref.ref] = {}

    def __call__(self, path: Path):
        self.threads.append(threading.current_thread())
        if path in self.held or not self.held:
            assert self.gate.wait(WAIT_S)
        document = self.then(path)
        self.made[path] = weakref.ref(document)
        return document

    def release(self) -> None:
        self.gate.set()


def progress_dialog(window) -> QProgressDialog | None:
    shown = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
    return shown[0] if shown else None


def dropped(ref: weakref.ref) -> bool:
    gc.collect()
    return ref() is None
