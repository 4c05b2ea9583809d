"""PDQ hash bits: hex text, 32-byte strings and numpy rows, and Hamming distances between them.

A PDQ hash is 256 bits. Meta's tools write it as 64 lowercase hex digits, most significant bit first;
vidsleuth keeps it as 32 bytes in the same order (``bytes.fromhex`` of that text), so hex written here
is byte for byte what ThreatExchange, HMA and the vPDQ tools read. In bulk, hashes are numpy arrays of
shape (n, 32) and dtype uint8 ("rows"); distances use the processor's popcount through numpy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

HASH_BITS = 256
HASH_BYTES = 32
HEX_LEN = 64
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")

HashRows = npt.NDArray[np.uint8]  # shape (n, 32)
Words = npt.NDArray[np.uint64]  # shape (n, 4): the same bits viewed as four 64-bit words


def is_hash_hex(text: str) -> bool:
    """Whether `text` is a PDQ hash written as 64 hex digits."""
    return bool(_HEX.match(text))


def hash_from_hex(text: str) -> bytes:
    """32 bytes from 64 hex digits. Raises ValueError naming what arrived."""
    cleaned = text.strip()
    if not _HEX.match(cleaned):
        shown = cleaned if len(cleaned) <= 80 else cleaned[:77] + "..."
        raise ValueError(f"expected a PDQ hash of 64 hex digits, got {shown!r} ({len(cleaned)} characters)")
    return bytes.fromhex(cleaned)


def hash_to_hex(value: bytes) -> str:
    if len(value) != HASH_BYTES:
        raise ValueError(f"a PDQ hash has {HASH_BYTES} bytes, got {len(value)}")
    return value.hex()


def as_rows(hashes: Iterable[bytes] | npt.ArrayLike) -> HashRows:
    """Hashes as a C-contiguous (n, 32) uint8 array (accepts bytes objects or an array)."""
    if isinstance(hashes, np.ndarray):
        arr = hashes
    else:
        items: list[Any] = list(hashes)  # type: ignore[arg-type]
        if items and isinstance(items[0], bytes | bytearray):
            if any(len(h) != HASH_BYTES for h in items):
                raise ValueError(f"every PDQ hash must have {HASH_BYTES} bytes")
            arr = np.frombuffer(b"".join(items), dtype=np.uint8).reshape(-1, HASH_BYTES)
        else:
            arr = np.asarray(items, dtype=np.uint8)
    if arr.size == 0:
        return np.zeros((0, HASH_BYTES), dtype=np.uint8)
    if arr.dtype != np.uint8 or arr.ndim != 2 or arr.shape[1] != HASH_BYTES:
        raise ValueError(f"expected hashes of shape (n, {HASH_BYTES}) uint8, got {arr.shape} {arr.dtype}")
    out: HashRows = np.ascontiguousarray(arr)
    return out


def as_words(rows: HashRows) -> Words:
    """The same bits as (n, 4) uint64 words (a view when `rows` is contiguous)."""
    return np.ascontiguousarray(rows).view(np.uint64).reshape(-1, 4)


def distance(a: bytes, b: bytes) -> int:
    """Hamming distance between two hashes (0..256)."""
    if len(a) != HASH_BYTES or len(b) != HASH_BYTES:
        raise ValueError(f"a PDQ hash has {HASH_BYTES} bytes")
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def distances_to(words: Words, query: Words) -> npt.NDArray[np.int32]:
    """Distance from one hash (`query`, shape (4,) or (1, 4)) to every row of `words`."""
    q = query.reshape(1, 4)
    counts = np.bitwise_count(np.bitwise_xor(words, q))
    out: npt.NDArray[np.int32] = counts.sum(axis=1, dtype=np.int32)
    return out


def pair_distances(a: Words, b: Words) -> npt.NDArray[np.int32]:
    """Row-wise distances between two equally long word arrays."""
    out: npt.NDArray[np.int32] = np.bitwise_count(np.bitwise_xor(a, b)).sum(axis=1, dtype=np.int32)
    return out


def distance_matrix(a: Words, b: Words) -> npt.NDArray[np.int32]:
    """All distances, shape (len(a), len(b)), computed in blocks of about 8 MB of temporaries."""
    out = np.empty((a.shape[0], b.shape[0]), dtype=np.int32)
    block = max(1, (1 << 18) // max(1, b.shape[0]))
    for start in range(0, a.shape[0], block):
        xor = np.bitwise_xor(a[start : start + block, None, :], b[None, :, :])
        out[start : start + block] = np.bitwise_count(xor).sum(axis=2, dtype=np.int32)
    return out


def hex_list(rows: HashRows | Sequence[bytes]) -> list[str]:
    return [bytes(r).hex() for r in rows]
