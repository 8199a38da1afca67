"""Atomic file writes: a file is either left as it was or replaced whole, never half-written.

Qt-free. Used for documents and by the command line for its CSV, JSON and image outputs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile

# Why a write failed, in words for the error codes a user can do something about.
_HINTS = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "the folder or the file is read-only, or you may not write there",
    errno.EPERM: "the folder or the file is read-only, or you may not write there",
}


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Writes `data` to `path` through a temporary file in the same folder, flushed to disk
    and renamed into place. On any failure the temporary file is removed, `path` keeps its
    old content, and the error (an OSError) propagates. A symbolic link is followed, so
    the file it points to is replaced and the link stays."""
    target = os.path.realpath(os.fspath(path))
    folder, name = os.path.split(target)
    _refuse_read_only(target)
    mode = _mode_for(target)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """`atomic_write_bytes` of `text` encoded (newlines are written as they are). A text
    that cannot be encoded raises UnicodeEncodeError before any file is touched."""
    atomic_write_bytes(path, text.encode(encoding))


class StagedFolder:
    """A folder of files written together (the lesson slides): they go into a hidden
    temporary folder first and are moved into `target` only by `commit`, so a failure or a
    cancel (`discard`) leaves `target` as it was. A new `target` appears whole by one rename;
    into an existing folder each file is renamed into place, replacing files of the same
    name, and the files matching `stale` that this set does not replace are removed (the
    slides of an earlier, longer run). OSError if `target` is not a folder or its folder
    cannot be written; the error names `target`, never the temporary folder."""

    def __init__(self, target: str | os.PathLike[str], stale: str = r"(?!)") -> None:
        self.target = os.path.abspath(os.fspath(target))
        self._stale = re.compile(stale)
        self._names: list[str] = []
        self._committed = False
        self.exists = os.path.lexists(self.target)
        if self.exists and not os.path.isdir(self.target):
            raise NotADirectoryError(errno.ENOTDIR, "is not a folder", self.target)
        parent, name = os.path.split(self.target)
        if not self.exists and not os.path.isdir(parent):
            raise FileNotFoundError(errno.ENOENT, f"the folder {parent} does not exist", parent)
        try:
            if self.exists:
                self.temp = tempfile.mkdtemp(dir=self.target, prefix=".bpstudio-", suffix=".tmp")
            else:
                self.temp = tempfile.mkdtemp(dir=parent, prefix=f".{name}.", suffix=".tmp")
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, self.target) from None

    def write(self, name: str, data: bytes) -> None:
        """Writes the file `name` of the set (into the temporary folder)."""
        try:
            with open(os.path.join(self.temp, name), "wb") as f:
                f.write(data)
        except OSError as exc:
            raise type(exc)(exc.errno, exc.strerror, self.target) from None
        self._names.append(name)

    def commit(self) -> None:
        """Moves the files written into `target`."""
        try:
            if not self.exists:
                os.chmod(self.temp, 0o777 & ~_umask())  # as mkdir makes it, not private
                os.rename(self.temp, self.target)
            else:
                for name in self._names:
                    os.replace(os.path.join(self.temp, name), os.path.join(self.target, name))
                os.rmdir(self.temp)
                kept = set(self._names)
                for old in os.listdir(self.target):
                    if self._stale.fullmatch(old) and old not in kept:
                        os.unlink(os.path.join(self.target, old))
        except OSError as exc:
            self.discard()
            raise type(exc)(exc.errno, exc.strerror, self.target) from None
        self._committed = True
        _sync_folder(self.target)

    def discard(self) -> None:
        """Removes the temporary folder and what was written into it (nothing after
        `commit`)."""
        if not self._committed:
            shutil.rmtree(self.temp, ignore_errors=True)


def write_problem(error: OSError) -> str:
    """The phrase for a failed write, e.g. `cannot write the file (No space left on device:
    the disk is full)`, for messages that name the file before it."""
    reason = error.strerror or str(error)
    hint = _HINTS.get(error.errno) if reason == os.strerror(error.errno or 0) else None
    return (
        f"cannot write the file ({reason}: {hint})" if hint else f"cannot write the file ({reason})"
    )


def _refuse_read_only(target: str) -> None:
    """A file marked read-only is not replaced, although renaming over it would work: the
    user (or a lab's setup) marked it so in order to keep it."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK)):
        raise PermissionError(errno.EACCES, "the file is read-only", target)


def _mode_for(target: str) -> int:
    """The permissions the new file gets: those of the file it replaces, or the ones a
    plain `open(path, "w")` would give (mkstemp alone makes it private to the owner)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _sync_folder(folder: str) -> None:
    """Makes the rename itself durable where the platform allows it (POSIX)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
