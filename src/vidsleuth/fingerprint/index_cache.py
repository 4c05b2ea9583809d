"""An on-disk cache of built hash indexes, one file per bank, so that a check need not rebuild the index.

Building the multi-index hash tables of a large bank dominates a search's start (docs/bank.md: 45 s at
10 M hashes); the bank changes far less often than it is searched. A built index is kept as one file per
bank, named after a hash of the bank's location (never the location itself: a URL may hold a password),
and keyed by everything the index depends on: the bank's revision, the index kind, the cache format, the
snapshot's hash count and the quality threshold that chose the indexed frames. Only the newest file per
bank is kept. The kind names the layout too (`sharded4-id-mih16-compact`: a sharded index's file holds
every shard's arrays, `s<i>.ids`, `s<i>.rows`, ...), so one layout's file is never loaded as another's.

The cache is a speed-up and never a source of truth or of errors: a missing, foreign, damaged or stale
file is ignored (logged at debug level) and the index is rebuilt; a file is written to a temporary name
and moved into place, so a crash never leaves half a file; an unwritable folder means no cache. Arrays
loaded are checked against the bank's snapshot (every indexed id and hash) and by the index itself
(`HashIndex.from_built_arrays`), so an accepted file answers exactly as a fresh build would.

Where (`cache_dir`): `$VIDSLEUTH_INDEX_CACHE` (a folder, or `off`), else `<bank file>.index-cache/` next
to an SQLite bank, else `$XDG_CACHE_HOME/vidsleuth` (`~/.cache/vidsleuth`) for database URLs.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import struct
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import numpy.typing as npt

from vidsleuth.fingerprint.bits import HashRows
from vidsleuth.fingerprint.errors import IndexFormatError
from vidsleuth.fingerprint.index import HashIndex

log = logging.getLogger(__name__)

ENV_CACHE = "VIDSLEUTH_INDEX_CACHE"
CACHE_FORMAT = 1
MAGIC = b"VSIXCACH"
SUFFIX = ".vsidx"
_HEADER = struct.Struct("<8sII")  # magic, cache format, metadata length
_ALIGN = 64
_DTYPES = frozenset({"|u1", "<i4", "<i8", "<u4"})
_MAX_META = 1 << 20
Loader = Callable[[Mapping[str, npt.NDArray[Any]]], HashIndex]


def cache_dir(file_path: Path | None) -> Path | None:
    """The cache folder for a bank stored in `file_path` (None: a database URL), or None when off."""
    chosen = os.environ.get(ENV_CACHE, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen).expanduser()
    if file_path is not None:
        return file_path.with_name(file_path.name + ".index-cache")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "vidsleuth"


@dataclass(frozen=True, slots=True)
class IndexKey:
    """Everything a built index depends on besides the hashes themselves."""

    revision: int
    kind: str
    frames: int
    quality: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "cache_format": CACHE_FORMAT,
            "revision": self.revision,
            "kind": self.kind,
            "frames": self.frames,
            "quality": self.quality,
        }


@dataclass(frozen=True, slots=True)
class IndexCache:
    """The cache files of one bank, in `directory`; `identity` is the bank's location (hashed for names)."""

    directory: Path
    identity: str

    @property
    def prefix(self) -> str:
        return "bank-" + hashlib.sha256(self.identity.encode()).hexdigest()[:24]

    def path_for(self, key: IndexKey) -> Path:
        kind = "".join(c if c.isalnum() else "_" for c in key.kind)[:32]
        name = f"{self.prefix}-r{key.revision}-{kind}-q{key.quality}-n{key.frames}-f{CACHE_FORMAT}{SUFFIX}"
        return self.directory / name

    def load(
        self,
        index_type: type[HashIndex] | Loader,
        key: IndexKey,
        expected_ids: npt.NDArray[np.int64],
        hashes: HashRows,
    ) -> HashIndex | None:
        """The cached index for `key`, or None (missing, stale, damaged: each logged at debug level).

        `index_type` is an index class or a function making an index of `built_arrays()` (a sharded
        index's); `expected_ids` are the snapshot rows the index must hold, `hashes` the snapshot's hash
        rows."""
        path = self.path_for(key)
        loader: Loader = index_type
        if isinstance(index_type, type):
            loader = cast(type[HashIndex], index_type).from_built_arrays
        try:
            with path.open("rb") as f:
                arrays = _read(f, key)
            _check_content(arrays, expected_ids, hashes)
            index = loader(arrays)
        except FileNotFoundError:
            log.debug("no cached index at %s", path)
            return None
        except (OSError, IndexFormatError, ValueError, TypeError, KeyError, MemoryError) as exc:
            log.debug("ignoring cached index %s: %s", path, exc)
            return None
        log.debug("loaded the hash index from %s", path)
        return index

    def store(self, index: HashIndex, key: IndexKey) -> Path | None:
        """Write `index` for `key` (temp file + rename), then delete this bank's older files.

        Returns the file written, or None when it could not be (logged at debug level, never raised)."""
        path = self.path_for(key)
        tmp: str | None = None
        try:
            arrays = index.built_arrays()
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-" + self.prefix, suffix=SUFFIX, dir=self.directory)
            with os.fdopen(fd, "wb") as f:
                _write(f, key, arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            tmp = None
        except (OSError, ValueError, MemoryError) as exc:
            log.debug("could not write the index cache %s: %s", path, exc)
            return None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._prune(keep=path)
        return path

    def _prune(self, keep: Path) -> None:
        try:
            old = [p for p in self.directory.glob(self.prefix + "-*" + SUFFIX) if p != keep]
        except OSError:
            return
        for p in old:
            try:
                p.unlink()
            except OSError as exc:
                log.debug("could not delete the old index cache %s: %s", p, exc)


def _write(f: IO[bytes], key: IndexKey, arrays: dict[str, npt.NDArray[Any]]) -> None:
    specs, offset = [], 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        dtype = arr.dtype.newbyteorder("<") if arr.dtype.byteorder == "=" else arr.dtype
        specs.append({"name": name, "dtype": dtype.str, "shape": list(arr.shape), "offset": offset})
        offset += -(-arr.nbytes // _ALIGN) * _ALIGN
    meta = json.dumps({"key": key.as_dict(), "arrays": specs, "size": offset}).encode()
    head = _HEADER.pack(MAGIC, CACHE_FORMAT, len(meta)) + meta
    head += b"\0" * (-len(head) % _ALIGN)
    f.write(head)
    for spec, arr in zip(specs, arrays.values(), strict=True):
        data = np.ascontiguousarray(arr, dtype=np.dtype(str(spec["dtype"])))
        f.write(data.tobytes())
        f.write(b"\0" * (-data.nbytes % _ALIGN))


def _read(f: io.BufferedReader, key: IndexKey) -> dict[str, npt.NDArray[Any]]:
    raw = f.read(_HEADER.size)
    if len(raw) != _HEADER.size:
        raise IndexFormatError("truncated header")
    magic, fmt, meta_len = _HEADER.unpack(raw)
    if magic != MAGIC or fmt != CACHE_FORMAT or meta_len > _MAX_META:
        raise IndexFormatError("not a vidsleuth index cache of this format")
    meta_raw = f.read(meta_len)
    try:
        meta = json.loads(meta_raw)
    except ValueError:
        raise IndexFormatError("damaged metadata") from None
    if not isinstance(meta, dict) or meta.get("key") != key.as_dict():
        raise IndexFormatError("written for another bank revision, index or threshold")
    start = _HEADER.size + meta_len
    start += -start % _ALIGN
    size = os.fstat(f.fileno()).st_size
    if size != start + meta.get("size", -1):
        raise IndexFormatError(f"truncated or damaged ({size} bytes)")
    arrays: dict[str, npt.NDArray[Any]] = {}
    for spec in meta.get("arrays", []):
        arr = _read_array(f, spec, start, size)
        arrays[str(spec["name"])] = arr
    return arrays


def _read_array(f: io.BufferedReader, spec: Any, start: int, size: int) -> npt.NDArray[Any]:
    try:
        dtype = np.dtype(spec["dtype"]) if spec["dtype"] in _DTYPES else None
        shape = tuple(int(s) for s in spec["shape"])
        offset = int(spec["offset"])
    except (KeyError, TypeError, ValueError):
        raise IndexFormatError("damaged array description") from None
    if dtype is None or any(s < 0 for s in shape) or offset < 0:
        raise IndexFormatError(f"unexpected array {spec!r}")
    if start + offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize > size:
        raise IndexFormatError(f"array {spec!r} runs past the end of the file")
    arr = np.empty(shape, dtype=dtype)
    f.seek(start + offset)
    if f.readinto(arr.reshape(-1).view(np.uint8).data) != arr.nbytes:
        raise IndexFormatError("truncated array data")
    return arr


def _check_content(
    arrays: dict[str, npt.NDArray[Any]], expected_ids: npt.NDArray[np.int64], hashes: HashRows
) -> None:
    """The cached index holds exactly the snapshot rows `expected_ids`, with the snapshot's hashes.

    One index's arrays are `ids` and `rows`; a sharded index's are `s<i>.ids` and `s<i>.rows` per shard
    (checked shard by shard, so no copy of the whole bank is made)."""
    names = [k[: -len("ids")] for k in arrays if k == "ids" or k.endswith(".ids")]
    if not names:
        raise IndexFormatError("holds no ids")
    n = hashes.shape[0]
    held = np.zeros(n, np.int64)
    for prefix in names:
        ids, rows = arrays[prefix + "ids"].astype(np.int64), arrays.get(prefix + "rows")
        if rows is None or (ids.size and (ids.min() < 0 or ids.max() >= n)):
            raise IndexFormatError("holds other frames than the bank's snapshot")
        held += np.bincount(ids, minlength=n)
        if not np.array_equal(hashes[ids], rows):
            raise IndexFormatError("holds other hashes than the bank's snapshot")
    wanted = np.zeros(n, np.int64)
    wanted[expected_ids] = 1
    if not np.array_equal(held, wanted):
        raise IndexFormatError("holds other frames than the bank's snapshot")
