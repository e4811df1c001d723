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
import threading
from collections.abc import Callable, Iterator
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


class BackgroundWrites:
    """File writes that run in a background thread while the caller goes on (the next epoch
    trains), one batch at a time: :meth:`start` first finishes the batch in flight (raising its
    error), :meth:`wait` finishes it and raises its error, :meth:`settle` finishes it and drops the
    error (for a run that is failing already: its own error is the one to report)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, write: Callable[[], None]) -> None:
        """Finish the writes in flight, then run ``write()`` in a new background thread."""
        self.wait()
        self._thread = threading.Thread(target=self._run, args=(write,), name=self.name)
        self._thread.start()

    def _run(self, write: Callable[[], None]) -> None:
        try:
            write()
        except BaseException as e:  # noqa: BLE001 - raised in the caller's thread by wait()
            self._error = e

    def join(self) -> None:
        """Finish the writes in flight (their error stays for :meth:`wait`)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()

    def wait(self) -> None:
        """Finish the writes in flight; raise the error of one that failed."""
        self.join()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def settle(self) -> None:
        """Finish the writes in flight without raising."""
        self.join()
        self._error = None


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
