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
import sys
import tempfile
from collections.abc import Sequence

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
    old content, and the error (an OSError naming `path`) propagates. A symbolic link is
    followed, so the file it points to is replaced and the link stays. A character device or
    a pipe (`/dev/null`, `/dev/stdout`, a FIFO that is being read) is written through, never
    replaced; anything else that is not a regular file is refused (see `check_target`)."""
    write_all([(path, data)])


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """`atomic_write_bytes` of `text` encoded (newlines are written as they are). A text
    that cannot be encoded raises UnicodeEncodeError before any file is touched."""
    atomic_write_bytes(path, text.encode(encoding))


def write_all(outputs: Sequence[tuple[str | os.PathLike[str], bytes]]) -> None:
    """Writes each `(path, data)` as `atomic_write_bytes` does, all or none: every file is
    first written to its temporary name, and only when all of them are complete are they
    renamed into place. Devices and pipes, which cannot be taken back, are written first,
    so that a full device or a pipe nobody reads leaves every file as it was. On a failure
    nothing has been renamed and no temporary file is left."""
    staged: list[_Staged] = []
    try:
        for path, data in outputs:
            staged.append(_Staged(path, data))
    except BaseException:
        for item in staged:
            item.discard()
        raise
    staged.sort(key=lambda item: not item.through)
    try:
        for item in staged:
            item.commit()
    finally:
        for item in staged:
            item.discard()


def check_target(path: str | os.PathLike[str]) -> None:
    """Raises an OSError naming `path` if writing there would certainly fail or would replace
    something that is not a regular file: a missing folder, a folder, a block device or a
    socket, a read-only file, or a folder where no file can be created (tried with an empty
    temporary file, which is removed). Checked before long work whose results go there."""
    user = os.fspath(path)
    kind = _kind(user)
    number = _descriptor(user)
    if number is not None:
        try:
            os.fstat(number)
        except OSError as e:
            raise OSError(e.errno, e.strerror, user) from None
    if _written_through(user, kind):
        return
    if kind is not None:
        raise _not_replaced(kind, user)
    target = os.path.realpath(user)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder} does not exist", user)
    _refuse_read_only(target, user)
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.")
    except OSError as e:
        raise OSError(e.errno, e.strerror, user) from None
    os.close(fd)
    os.unlink(probe)


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words: `a named pipe (FIFO)`."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a special file"


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
# Written through rather than replaced: what stdout, /dev/null and `>(command)` are.
WRITTEN_THROUGH = ("a named pipe (FIFO)", "a character device")
# Names of this process's open file descriptors: whatever they lead to, even a regular file
# (stdout redirected with `>`), is written through that descriptor instead of being replaced.
DESCRIPTOR_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
DESCRIPTOR_FOLDERS = ("/dev/fd/", "/proc/self/fd/")


def _descriptor(user: str) -> int | None:
    """The descriptor number that `user` names (`/dev/stdout`: 1, `/dev/fd/3`: 3), if any."""
    if os.name != "posix":
        return None
    named = os.path.abspath(user)
    folder, number = os.path.split(named)
    if folder + "/" in DESCRIPTOR_FOLDERS and number.isdigit():
        return int(number)
    return DESCRIPTOR_NAMES.get(named)


def _written_through(user: str, kind: str | None) -> bool:
    return kind in WRITTEN_THROUGH or _descriptor(user) is not None


def _kind(path: str) -> str | None:
    """What is at `path` (links followed) if it is not a regular file; None for a regular
    file or nothing at all."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else file_kind(mode)


class _Staged:
    """One output on its way: written to a temporary file beside the target (`commit`
    renames it into place), or, for a device or a pipe, kept to be written through."""

    def __init__(self, path: str | os.PathLike[str], data: bytes) -> None:
        self.user = os.fspath(path)
        self.data = data
        self.temp: str | None = None
        kind = _kind(self.user)
        self.through = _written_through(self.user, kind)
        if self.through:
            return
        if kind is not None:
            raise _not_replaced(kind, self.user)
        self.target = os.path.realpath(self.user)
        _refuse_read_only(self.target, self.user)
        mode = _mode_for(self.target)
        folder, name = os.path.split(self.target)
        try:
            fd, self.temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(self.temp, mode)
        except BaseException as e:
            self.discard()
            if isinstance(e, OSError):
                raise _named(e, self.user) from None
            raise

    def commit(self) -> None:
        if self.through:
            _write_through(self.user, self.data)
            return
        assert self.temp is not None
        try:
            os.replace(self.temp, self.target)
        except OSError as e:
            self.discard()
            raise _named(e, self.user) from None
        self.temp = None
        _sync_folder(os.path.dirname(self.target))

    def discard(self) -> None:
        if self.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            self.temp = None


def _not_replaced(kind: str, user: str) -> OSError:
    return OSError(errno.EEXIST, f"it is {kind}, which bpstudio never replaces", user)


def _write_through(user: str, data: bytes) -> None:
    """Writes into a device, a pipe or an open descriptor as it is. A FIFO that nobody
    reads is an error at once (opening it without O_NONBLOCK would wait for a reader for
    ever)."""
    number = _descriptor(user)
    try:
        if number is not None:  # its own offset: what was printed before stays before
            sys.stdout.flush()
            sys.stderr.flush()
            fd = os.dup(number)
        else:
            fd = os.open(user, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise OSError(e.errno, "it is a named pipe (FIFO) that nobody reads", user) from None
        raise _named(e, user) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as e:
        raise _named(e, user) from None
    finally:
        os.close(fd)


def _named(error: OSError, user: str) -> OSError:
    """The same error, naming the user's file instead of a temporary one or none."""
    return type(error)(error.errno, error.strerror or str(error), user)


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


def _refuse_read_only(target: str, user: str) -> None:
    """A file marked read-only is not replaced, although renaming over it would work: the
    user (or a lab's setup) marked it so in order to keep it."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK)):
        raise PermissionError(errno.EACCES, "the file is read-only", user)


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
