"""Recovery copies of unsaved documents: one file per running instance in a folder of the
user's data, written atomically, found again after a crash or a kill. Qt-free: the GUI
(ui/recovery.py) decides when to write and asks the user; this module only handles files.

A copy is one file, `<pid>-<token>.bprecover`: a first line of JSON metadata (where the
document came from, when the copy was written), then the document as `.bpnet` text. The pid
in the name says which process owns it; a copy whose process is gone is "stale" and is
offered at the next start. The token keeps two windows of one process, or a new process
that got a dead one's pid, from writing over each other's copies.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bpstudio.document.atomic import atomic_write_text
from bpstudio.document.disk import Fingerprint
from bpstudio.document.format import MAX_FILE_BYTES, DocumentError, dumps, loads
from bpstudio.document.model import Document

SUFFIX = ".bprecover"
MARK = "bpstudio.recovery"
VERSION = 1
MAX_HEADER_BYTES = 64 * 1024
_NAME = re.compile(r"^(\d+)-[0-9a-f]+" + re.escape(SUFFIX) + "$")
_TEMP = re.compile(r"^\.(\d+)-[0-9a-f]+" + re.escape(SUFFIX) + r"\..*\.tmp$")


@dataclass(frozen=True)
class RecoveryInfo:
    """What a recovery copy says about itself. `original` is the document's file (None for
    a document never saved), `saved_at` seconds since the epoch, `on_disk` the fingerprint
    of `original` as it was opened or last saved (to notice later changes by others)."""

    file: Path
    pid: int
    original: str | None
    saved_at: float
    name: str | None
    on_disk: Fingerprint | None


class RecoveryStore:
    """The recovery folder as one instance (one window) sees it: its own copy, `file`, and
    the stale copies left by instances that are gone."""

    def __init__(self, folder: str | os.PathLike[str], pid: int | None = None) -> None:
        self.folder = Path(folder)
        self.pid = os.getpid() if pid is None else pid
        self.file = self._new_name()

    def _new_name(self) -> Path:
        return self.folder / f"{self.pid}-{secrets.token_hex(6)}{SUFFIX}"

    def write(
        self,
        document: Document,
        original: str | None,
        on_disk: Fingerprint | None,
        saved_at: float | None = None,
    ) -> None:
        """Writes `document` as this instance's copy, atomically. Raises DocumentError (an
        invalid document) or OSError (the folder cannot be written)."""
        header = {
            MARK: VERSION,
            "original": original,
            "saved_at": time.time() if saved_at is None else saved_at,
            "name": document.name,
            "on_disk": None if on_disk is None else on_disk.to_dict(),
        }
        text = json.dumps(header, ensure_ascii=True, allow_nan=False) + "\n" + dumps(document)
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.file, text)

    def remove(self) -> None:
        """Removes this instance's copy, if there is one."""
        with contextlib.suppress(FileNotFoundError):
            self.file.unlink()

    def stale(self) -> list[RecoveryInfo]:
        """The readable copies whose process is gone, newest first. Copies that cannot be read
        are left where they are; temporary files of interrupted writes are removed."""
        found = []
        for path in self._files():
            match = _NAME.match(path.name)
            if match is None or path == self.file or is_running(int(match.group(1))):
                continue
            with contextlib.suppress(DocumentError):
                found.append(read_info(path))
        return sorted(found, key=lambda info: info.saved_at, reverse=True)

    def _files(self) -> list[Path]:
        try:
            paths = list(self.folder.iterdir())
        except OSError:
            return []
        for path in paths:
            temp = _TEMP.match(path.name)
            if temp and not is_running(int(temp.group(1))):
                with contextlib.suppress(OSError):
                    path.unlink()
        return [p for p in paths if p.name.endswith(SUFFIX)]

    def claim(self, info: RecoveryInfo) -> RecoveryInfo | None:
        """Takes a stale copy over (renames it to a name of this process) so that no other
        instance starting now offers it too; None if another one was quicker. If this
        process dies before the copy is restored or declined, it is offered again."""
        target = self._new_name()
        try:
            os.rename(info.file, target)
        except OSError:
            return None
        return replace(info, file=target, pid=self.pid)


def read_info(path: str | os.PathLike[str]) -> RecoveryInfo:
    """The metadata of the copy at `path`. Raises DocumentError if it is not a readable copy.
    Only its first line is read: the folder is looked through on the GUI thread at start-up,
    and a copy may hold 50 MB."""
    header, _ = _split(Path(path), MAX_HEADER_BYTES + 1)
    return header


def read_document(info: RecoveryInfo) -> Document:
    """The document held by the copy `info`. Raises DocumentError (naming the copy) if it
    cannot be read or is not a valid document."""
    return read_copy(info.file)


def read_copy(path: Path) -> Document:
    """The document held by the copy at `path` (see `read_document`)."""
    _, body = _split(path, MAX_FILE_BYTES + MAX_HEADER_BYTES + 1)
    return loads(body, str(path))


def _split(path: Path, limit: int) -> tuple[RecoveryInfo, bytes]:
    """The header and the body of the copy at `path`, of which `limit` bytes at most are
    read."""
    file = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(limit)
    except OSError as e:
        raise DocumentError(file, "", f"cannot read the file ({e.strerror or e})") from None
    first, newline, body = data.partition(b"\n")
    if not newline or len(first) > MAX_HEADER_BYTES:
        raise DocumentError(file, "", "is not a bpstudio recovery copy")
    return _info(path, first), body


def _info(path: Path, first_line: bytes) -> RecoveryInfo:
    not_a_copy = DocumentError(str(path), "", "is not a bpstudio recovery copy")
    try:
        header = json.loads(first_line, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise not_a_copy from None
    if not isinstance(header, dict) or header.get(MARK) != VERSION:
        raise not_a_copy
    match = _NAME.match(path.name)
    original, saved_at = header.get("original"), header.get("saved_at")
    name = header.get("name")
    valid = (
        match is not None
        and isinstance(original, str | None)
        and isinstance(saved_at, int | float)
        and not isinstance(saved_at, bool)
        and isinstance(name, str | None)
    )
    if not valid:
        raise not_a_copy
    on_disk = Fingerprint.from_dict(header.get("on_disk"))
    return RecoveryInfo(path, int(match.group(1)), original, saved_at, name, on_disk)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def is_running(pid: int) -> bool:
    """Whether a process with id `pid` exists (a pid that a new process took over counts as
    running: its copy is then offered once that process ends too)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if os.name == "nt":
        return _windows_is_running(pid)
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by another user
    except OSError:
        return False
    return True


def _windows_is_running(pid: int) -> bool:
    import ctypes  # Windows only: os.kill(pid, 0) would terminate the process there

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    query_limited_information, still_active = 0x1000, 259
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return bool(ok) and code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
