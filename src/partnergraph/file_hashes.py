"""SHA-256 digests of files, kept in a JSON file and reused while a file's stat is unchanged.

Every server start and every command that opens the store computes the graph
version, a hash over every file under ``graph/``: at 1 M triples (56 MB of
files) reading and hashing them took 0.09-0.14 s of a ~1.4 s server start. As
git's index does, a file whose size, mtime and inode are those recorded when it
was hashed is taken to hold the same content, unless its mtime is within
:data:`RACY_MARGIN_NS` of that moment: a write right after hashing, within the
file system's timestamp granularity, leaves the stat as it was ("racy git"),
so such a file is hashed again. It is only a cache: a missing or damaged file
is an empty cache, and one that cannot be written is not kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger(__name__)

#: How long before the moment a file was hashed its mtime must be for the digest to be
#: trusted: no less than the coarsest common timestamp granularity (FAT's 2 s).
RACY_MARGIN_NS = 2_000_000_000

#: Bumped when the layout of the JSON file changes; a file of another version is ignored.
FORMAT = 1


class _Entry(NamedTuple):
    """A file's stat when it was hashed, when that was, and its digest."""

    size: int
    mtime_ns: int
    inode: int
    hashed_ns: int
    digest: bytes

    def fits(self, st: os.stat_result) -> bool:
        """Whether a file with stat ``st`` may be taken to hold the content hashed."""
        same = (st.st_size, st.st_mtime_ns, st.st_ino) == (self.size, self.mtime_ns, self.inode)
        return same and st.st_mtime_ns < self.hashed_ns - RACY_MARGIN_NS


class FileHashes:
    """The cached digests recorded in one JSON file; :meth:`save` writes them back."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._entries = _load(self.path)
        self._used: set[str] = set()
        self._changed = False

    def digest(self, path: Path) -> bytes:
        """The SHA-256 digest of the content of ``path``, read again unless the cache holds it."""
        key = os.path.abspath(path)
        self._used.add(key)
        entry = self._entries.get(key)
        if entry is not None and entry.fits(os.stat(key)):
            return entry.digest
        with open(key, "rb") as f:
            hashed_ns = time.time_ns()  # before reading: a write during the read counts as racy
            st = os.fstat(f.fileno())
            digest = hashlib.file_digest(f, "sha256").digest()
        self._entries[key] = _Entry(st.st_size, st.st_mtime_ns, st.st_ino, hashed_ns, digest)
        self._changed = True
        return digest

    def save(self) -> None:
        """Write the entries of the files asked about since loading, if any changed.

        Entries of files no longer asked about are dropped, so removed files do not
        pile up. The file is replaced whole (a temporary file renamed into place), so
        a reader never sees half of it; when that fails (a read-only folder) the
        cache is simply not kept.
        """
        kept = {k: e for k, e in self._entries.items() if k in self._used}
        if not self._changed and len(kept) == len(self._entries):
            return
        text = json.dumps(
            {"format": FORMAT, "files": {k: [*e[:4], e.digest.hex()] for k, e in kept.items()}}
        )
        try:
            _write(self.path, text)
        except OSError as exc:
            log.debug("file hashes not saved to %s: %s", self.path, exc)
            return
        self._entries = kept
        self._changed = False


def _load(path: Path) -> dict[str, _Entry]:
    """The entries in ``path``; none when it is missing, unreadable or not as written."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != FORMAT:
            return {}
        entries = {}
        for key, (size, mtime_ns, inode, hashed_ns, digest) in data["files"].items():
            if not all(type(n) is int for n in (size, mtime_ns, inode, hashed_ns)):
                return {}
            raw = bytes.fromhex(digest)
            if len(raw) != hashlib.sha256().digest_size:
                return {}
            entries[str(key)] = _Entry(size, mtime_ns, inode, hashed_ns, raw)
        return entries
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
