"""What a document's file looked like on disk when it was opened or last saved, so that a change
made by another program is noticed before Save overwrites it. Qt-free; reads files only.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass
from typing import Any

CHUNK = 1 << 20


@dataclass(frozen=True)
class Fingerprint:
    """Size, modification time (ns) and SHA-256 of a file's bytes."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> Fingerprint | None:
        """The fingerprint of the file at `path`; None if it is missing or unreadable."""
        try:
            stat = os.stat(path)
            return cls(stat.st_size, stat.st_mtime_ns, _sha256(path))
        except OSError:
            return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, obj: Any) -> Fingerprint | None:
        """The fingerprint written by `to_dict`; None for anything else (a damaged record)."""
        if not isinstance(obj, dict) or set(obj) != {"size", "mtime_ns", "sha256"}:
            return None
        size, mtime, digest = obj["size"], obj["mtime_ns"], obj["sha256"]
        numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (size, mtime))
        if not numbers or not isinstance(digest, str):
            return None
        return cls(size, mtime, digest)


def _sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def changed_on_disk(path: str | os.PathLike[str], recorded: Fingerprint | None) -> bool:
    """Whether the file at `path` now holds other bytes than when `recorded` was taken. A file
    that was only touched (same bytes, new time) has not changed; with nothing recorded, or
    no file there any more, nothing would be lost by writing, so the answer is False."""
    if recorded is None:
        return False
    try:
        stat = os.stat(path)
    except OSError:
        return False
    if (stat.st_size, stat.st_mtime_ns) == (recorded.size, recorded.mtime_ns):
        return False
    now = Fingerprint.of(path)
    return now is not None and now.sha256 != recorded.sha256
