"""Safe files for a run directory: atomic writes through temporary files unique per process, and
the run directory's lock.

A file is written to ``.NAME.<random>.tmp`` beside it and renamed over ``NAME`` (``os.replace``),
so a reader sees the old file or the new one, never half of one, and two processes never write the
same temporary file. A failed write removes its temporary file.

A run directory is held by one process at a time: :class:`RunLock` takes an exclusive
``fcntl.flock`` on ``RUN/.lock`` (holding the pid) for the life of the run. The kernel drops the lock
when the process dies, even by SIGKILL, so the lock file left behind never blocks a later
``--resume``. A process killed mid-write (SIGKILL, power loss) leaves its temporary file behind;
the next holder of the lock removes such leftovers (:meth:`RunLock.acquire`), since no other
process can be writing there.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the O_EXCL lock file alone
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".lock"
_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # mkstemp's ".NAME.<8 random>.tmp"


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a unique temporary file beside ``path`` for writing; on success it replaces ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` (text or bytes) to ``path`` atomically."""
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w") as fh:
        fh.write(data)


def durable_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably: a temporary file beside it, flushed to
    the disk (fsync), given the usual permissions, renamed over ``path``, and the rename made
    durable by an fsync of the directory (as :func:`mlplab.save` writes a path)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: os.umask is process-wide, not safe to flip in a thread


class RunLock:
    """An exclusive lock on a run directory, held until :meth:`release` (or the process ends)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.dir = Path(directory)
        self.path = self.dir / LOCK_FILE
        self.fd: int | None = None

    def acquire(self) -> RunLock:
        """Take the lock, or raise :class:`UserError` naming the process that holds it."""
        if fcntl is None:  # pragma: no cover
            flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY
        else:
            flags = os.O_CREAT | os.O_RDWR
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileExistsError:  # pragma: no cover - Windows
            raise UserError(self._busy()) from None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise UserError(self._busy()) from None
            os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        self._sweep_temporaries()
        return self

    def _sweep_temporaries(self) -> None:
        """Remove the temporary files a killed writer left in the run directory and its
        ``checkpoints/`` (only the lock's holder writes there, so none of them is in use)."""
        for folder in (self.dir, self.dir / "checkpoints"):
            with contextlib.suppress(OSError):
                for entry in os.scandir(folder):
                    if entry.is_file(follow_symlinks=False) and _TEMPORARY.match(entry.name):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    def _busy(self) -> str:
        try:
            pid = self.path.read_text().strip() or "?"
        except OSError:
            pid = "?"
        return (
            f"run directory {self.dir} is in use by another mlplab process (pid {pid}); "
            "wait for it to finish or choose another directory"
        )

    def release(self) -> None:
        """Drop the lock (never raises). The file stays: unlinking it would let a process that
        opened it just before lock a file no longer in the directory while a third makes a new one."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None

    def __enter__(self) -> RunLock:
        return self.acquire() if self.fd is None else self

    def __exit__(self, *exc: object) -> None:
        self.release()
