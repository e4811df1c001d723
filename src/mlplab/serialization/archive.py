"""Reading and writing the ``.npz`` archive itself: atomic writes, and reads whose memory is bounded
by what the header declares (no entry is inflated or allocated beyond it)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import zipfile
import zlib
from typing import Any

import numpy as np

from .format import _HEADER, FORMAT_VERSION, SerializationError


def _write_atomic(path: str, entries: dict[str, np.ndarray]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{path}: cannot save, the directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **entries)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):  # make the rename itself durable (POSIX)
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


# ---------------------------------------------------------------------------------------- decoding
def _file_name(f: Any) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    name = getattr(f, "name", None)
    return name if isinstance(name, str) else "<file object>"


# room for an .npy entry's own header (magic, version, dict padded to 64 bytes; numpy allows up
# to 64 KiB) on top of the data bytes the mlplab header declares
_NPY_HEADER_MAX = 65536 + 16


def _check_entry(zf: zipfile.ZipFile, member: str, name: str, limit: int) -> None:
    """Refuse, before anything is inflated or allocated, an entry that is compressed or larger
    than ``limit`` bytes (what the mlplab header declares for it): a small file must not make
    ``load`` allocate much more than its own size."""
    info = zf.getinfo(member)
    if info.compress_type != zipfile.ZIP_STORED:
        raise SerializationError(
            f"{name}: entry {member} is compressed (zip method {info.compress_type}); expected a stored "
            "entry as mlplab.save writes, refusing to inflate it"
        )
    if info.file_size != info.compress_size or info.file_size > limit:
        raise SerializationError(
            f"{name}: entry {member} declares {info.file_size} bytes ({info.compress_size} stored); "
            f"expected at most {limit} (the file was altered)"
        )


def _read_entry(
    zf: zipfile.ZipFile,
    member: str,
    name: str,
    limit: int,
    expect: tuple[np.dtype, tuple[int, ...]] | None = None,
) -> np.ndarray:
    _check_entry(zf, member, name, limit)
    try:
        with zf.open(member) as fh:
            if expect is not None:  # the .npy header must match the mlplab header before allocating
                version = np.lib.format.read_magic(fh)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = read_header(fh)
                if dtype.str != expect[0].str or tuple(shape) != expect[1]:
                    raise SerializationError(
                        f"{name}: checksum mismatch: entry {member} is {dtype.str}{list(shape)}, "
                        f"the header says {expect[0].str}{list(expect[1])} (the file was altered)"
                    )
                fh.seek(0)
            return np.lib.format.read_array(fh, allow_pickle=False)
    except zipfile.BadZipFile as e:
        if "CRC" in str(e):
            raise SerializationError(
                f"{name}: checksum mismatch in entry {member} (zip CRC): the file was altered or corrupted"
            ) from None
        raise SerializationError(f"{name}: corrupted or truncated entry {member} ({e})") from None
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise SerializationError(
                f"{name}: entry {member} holds pickled Python objects; refusing to load it "
                "(mlplab files never contain pickle, and loading pickle could execute code)"
            ) from None
        raise SerializationError(f"{name}: corrupted or truncated entry {member} ({e})") from None
    except (EOFError, OSError, NotImplementedError, zlib.error) as e:
        raise SerializationError(f"{name}: corrupted or truncated entry {member} ({e})") from None


def _open_archive(raw: bytes, name: str) -> zipfile.ZipFile:
    if not raw:
        raise SerializationError(f"{name}: empty file (0 bytes): truncated, or never written")
    if raw[:1] == b"\x80":
        raise SerializationError(
            f"{name}: not an mlplab file: it is a pickle (e.g. an old-style torch.save file); "
            "mlplab never loads pickle"
        )
    if raw[:6] == b"\x93NUMPY":
        raise SerializationError(f"{name}: not an mlplab file: it is a single .npy array (use numpy.load)")
    if len(raw) < 4 and b"PK\x03\x04".startswith(raw):
        raise SerializationError(f"{name}: truncated file ({len(raw)} bytes)")
    if raw[:4] != b"PK\x03\x04":
        raise SerializationError(
            f"{name}: not an mlplab file (expected an .npz archive, found bytes {raw[:8]!r}...)"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as e:  # BadZipFile for a lost end record (truncation), others for damaged records
        raise SerializationError(f"{name}: truncated or corrupted archive ({e})") from None
    names = zf.namelist()
    if _HEADER + ".npy" not in names:
        if any(n.endswith("data.pkl") for n in names):
            raise SerializationError(
                f"{name}: not an mlplab file: it is a PyTorch checkpoint (torch.save zip with pickled data); "
                "mlplab never loads pickle"
            )
        raise SerializationError(f"{name}: not an mlplab file (an archive without the {_HEADER} header)")
    return zf


def _parse_header(zf: zipfile.ZipFile, name: str, size: int) -> dict[str, Any]:
    raw = _read_entry(zf, _HEADER + ".npy", name, size)
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError("header entry is not a byte string")
        header = json.loads(raw.tobytes().decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != "mlplab":
            raise ValueError("header does not say format 'mlplab'")
    except (ValueError, UnicodeDecodeError) as e:
        raise SerializationError(f"{name}: not an mlplab file or corrupted header ({e})") from None
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise SerializationError(
            f"{name}: written in mlplab format version {version!r}; this mlplab reads up to {FORMAT_VERSION}"
        )
    for key in ("arrays", "structure", "sha256"):
        if key not in header:
            raise SerializationError(f"{name}: corrupted header (no {key!r} entry)")
    return header


def _load_arrays(zf: zipfile.ZipFile, header: dict[str, Any], name: str) -> list[np.ndarray]:
    declared = header["arrays"]
    expected = {f"a{i}.npy" for i in range(len(declared))} | {_HEADER + ".npy"}
    extra = sorted(set(zf.namelist()) - expected)
    if extra:
        raise SerializationError(
            f"{name}: checksum mismatch: unexpected entries {extra} (the file was altered)"
        )
    arrays = []
    for i, spec in enumerate(declared):
        try:
            dt, shape = np.dtype(spec[0]), tuple(spec[1])
        except (TypeError, ValueError, IndexError) as e:
            raise SerializationError(f"{name}: corrupted header (array {i}: {e})") from None
        if dt.hasobject:
            raise SerializationError(
                f"{name}: entry a{i} is declared as pickled Python objects; refusing to load it "
                "(mlplab files never contain pickle)"
            )
        if f"a{i}.npy" not in zf.namelist():
            raise SerializationError(f"{name}: truncated: entry a{i} is missing")
        if any(not isinstance(n, int) or n < 0 for n in shape):
            raise SerializationError(f"{name}: corrupted header (array {i} has shape {list(shape)})")
        limit = int(np.prod(shape, dtype=object)) * dt.itemsize + _NPY_HEADER_MAX
        a = _read_entry(zf, f"a{i}.npy", name, limit, (dt, shape))
        if a.dtype.str != dt.str or a.shape != shape:
            raise SerializationError(
                f"{name}: checksum mismatch: entry a{i} is {a.dtype.str}{list(a.shape)}, "
                f"the header says {dt.str}{list(shape)} (the file was altered)"
            )
        arrays.append(a)
    return arrays
