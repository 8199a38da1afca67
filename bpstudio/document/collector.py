"""The cyclic garbage collector paused while a document is parsed. Qt-free.

Parsing JSON makes one container per list or object and frees none, yet every 700 new
containers start a collection, and each third one looks through everything made so far:
49 MB of `[],` (16 million lists) took 6.2 s to parse with the collector running and 1.3 s
with it paused. A collection also kept the interpreter's lock for its whole length, so a
window reading the file on a worker thread stopped answering for as long as the parse.

The pause is process-wide (the collector has no other kind), so it is counted: a parse on
one thread that ends while another runs does not restart the collector under it, and the
collector is restarted only if it was running when the first pause began."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
