"""A seeded mutator for media files: the mutation kinds of the issue #11 sweep.

Generic: byte flips, truncations, zeroed ranges, inserted and duplicated ranges. Structural, where the
format has a structure to aim at: MP4/MOV boxes swapped, oversized (a size beyond the file, a 64-bit
size, a size of 0 "to the end"), shrunk; absurd frame dimensions written into the headers that declare
them (MP4 track and sample entry, Matroska PixelWidth/Height, AVI headers, GIF screen and frame,
PNG/APNG IHDR with a valid CRC, WebP canvas). Every mutation is a pure function of (data, rng): the same
seed gives the same files, so a failure found by a campaign is replayed by its name.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

Rng = np.random.Generator
Mutation = Callable[[bytes, Rng], bytes]

# MP4 boxes that hold other boxes (ISO/IEC 14496-12), so the mutator can reach inner boxes.
_CONTAINERS = frozenset(
    {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"udta", b"dinf", b"mvex", b"moof", b"traf"}
)
_SAMPLE_ENTRIES = (b"avc1", b"avc3", b"hvc1", b"hev1", b"av01", b"vp09", b"mp4v", b"jpeg", b"mjpa", b"mjpb")
ABSURD_SIZES = (0, 1, 2, 65535, 16000, 32768, 46341, 0x7FFF, 0xFFFF)


@dataclass(frozen=True, slots=True)
class Box:
    start: int  # offset of its header
    size: int  # whole box, header included
    kind: bytes
    header: int  # 8, or 16 with a 64-bit size
    depth: int


def boxes(data: bytes, start: int = 0, end: int | None = None, depth: int = 0) -> Iterator[Box]:
    """The MP4/MOV boxes in data[start:end], depth first; stops at the first box that does not fit."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end or (not kind.isalnum() and kind != b"\xa9too"):
            return
        yield Box(pos, size, kind, header, depth)
        if kind in _CONTAINERS and depth < 6:
            yield from boxes(data, pos + header, pos + size, depth + 1)
        pos += size


def _is_mp4(data: bytes) -> bool:
    return data[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")


# Generic mutations ------------------------------------------------------------------------------------
def flip_bytes(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 17))):
        k = int(rng.integers(0, len(out)))
        out[k] ^= 1 << int(rng.integers(0, 8)) if rng.random() < 0.7 else int(rng.integers(1, 256))
    return bytes(out)


def truncate(data: bytes, rng: Rng) -> bytes:
    return data[: int(rng.integers(1, max(2, len(data))))]


def zero_range(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    length = int(rng.integers(4, min(4096, max(5, len(data) // 2))))
    start = int(rng.integers(0, max(1, len(data) - length)))
    out[start : start + length] = bytes(min(length, len(out) - start))
    return bytes(out)


def insert_range(data: bytes, rng: Rng) -> bytes:
    k = int(rng.integers(0, len(data)))
    junk = rng.integers(0, 256, int(rng.integers(1, 512)), dtype=np.uint8).tobytes()
    return data[:k] + junk + data[k:]


def duplicate_range(data: bytes, rng: Rng) -> bytes:
    length = int(rng.integers(8, max(9, min(8192, len(data) // 3))))
    start = int(rng.integers(0, max(1, len(data) - length)))
    return data[: start + length] + data[start : start + length] + data[start + length :]


# MP4 / MOV boxes --------------------------------------------------------------------------------------
def _pick_box(data: bytes, rng: Rng, top_level: bool = False) -> Box | None:
    found = [b for b in boxes(data) if not top_level or b.depth == 0]
    return found[int(rng.integers(0, len(found)))] if found else None


def swap_boxes(data: bytes, rng: Rng) -> bytes:
    """Two sibling boxes change places (moov after mdat, stbl children shuffled...)."""
    found = list(boxes(data))
    by_parent: dict[int, list[Box]] = {}
    for b in found:
        by_parent.setdefault(b.depth, []).append(b)
    groups = [g for g in by_parent.values() if len(g) >= 2]
    if not groups:
        return flip_bytes(data, rng)
    group = groups[int(rng.integers(0, len(groups)))]
    i, j = sorted(int(x) for x in rng.choice(len(group), 2, replace=False))
    a, b = group[i], group[j]
    if a.start + a.size > b.start:  # nested or overlapping: not siblings after all
        return flip_bytes(data, rng)
    return (
        data[: a.start]
        + data[b.start : b.start + b.size]
        + data[a.start + a.size : b.start]
        + data[a.start : a.start + a.size]
        + data[b.start + b.size :]
    )


def oversize_box(data: bytes, rng: Rng) -> bytes:
    """A box claims more than there is: far past the end, 2^32-1, a 64-bit size, or 0 (to the end)."""
    box = _pick_box(data, rng)
    if box is None:
        return flip_bytes(data, rng)
    out = bytearray(data)
    choice = int(rng.integers(0, 5))
    if choice == 0:
        struct.pack_into(">I", out, box.start, 0xFFFFFFFF)
    elif choice == 1:
        struct.pack_into(">I", out, box.start, min(0xFFFFFFFF, box.size + int(rng.integers(1, 1 << 20))))
    elif choice == 2:
        struct.pack_into(">I", out, box.start, 0)
    elif choice == 3:
        struct.pack_into(">I", out, box.start, max(0, box.size - int(rng.integers(1, box.size + 1))))
    else:  # a 64-bit size of 2^62, header grown by 8 bytes
        return (
            data[: box.start]
            + struct.pack(">I4sQ", 1, box.kind, 1 << 62)
            + data[box.start + box.header : box.start + box.size]
            + data[box.start + box.size :]
        )
    return bytes(out)


def _absurd(rng: Rng) -> int:
    return int(ABSURD_SIZES[int(rng.integers(0, len(ABSURD_SIZES)))])


def mp4_dimensions(data: bytes, rng: Rng) -> bytes:
    """Absurd width and height in the track header (16.16 fixed point) and the visual sample entry."""
    out = bytearray(data)
    w, h = _absurd(rng), _absurd(rng)
    hit = False
    for b in boxes(data):
        if b.kind == b"tkhd" and b.size >= b.header + 84:
            version = data[b.start + b.header]
            at = b.start + b.header + (88 if version == 1 else 76)
            if at + 8 <= b.start + b.size:
                struct.pack_into(">II", out, at, w << 16, h << 16)
                hit = True
    for kind in _SAMPLE_ENTRIES:
        k = data.find(kind)
        if k >= 4 and k + 32 <= len(data):  # box type at k: width/height 24 and 26 bytes after it
            struct.pack_into(">HH", out, k + 28, w, h)
            hit = True
    return bytes(out) if hit else flip_bytes(data, rng)


# Other containers ---------------------------------------------------------------------------------
def _ebml_uint(data: bytearray, element_id: bytes, value: int) -> bool:
    """Rewrite every Matroska element `element_id` holding a small unsigned int (1-2 bytes + size)."""
    hit = False
    k = data.find(element_id)
    while k != -1 and k + len(element_id) + 1 < len(data):
        size_byte = data[k + len(element_id)]
        if size_byte in (0x81, 0x82):  # a 1- or 2-byte value
            n = size_byte & 0x7F
            start = k + len(element_id) + 1
            data[start : start + n] = min(value, (1 << (8 * n)) - 1).to_bytes(n, "big")
            hit = True
        k = data.find(element_id, k + 1)
    return hit


def mkv_dimensions(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    hit = _ebml_uint(out, b"\xb0", _absurd(rng)) | _ebml_uint(out, b"\xba", _absurd(rng))
    return bytes(out) if hit else flip_bytes(data, rng)


def avi_dimensions(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    w, h = _absurd(rng), _absurd(rng)
    hit = False
    k = data.find(b"avih")
    if k != -1 and k + 8 + 40 <= len(data):
        struct.pack_into("<II", out, k + 8 + 32, w, h)  # dwWidth, dwHeight
        hit = True
    k = data.find(b"strf")
    while k != -1 and k + 8 + 12 <= len(data):
        struct.pack_into("<ii", out, k + 8 + 4, w, h)  # BITMAPINFOHEADER biWidth, biHeight
        hit = True
        k = data.find(b"strf", k + 1)
    return bytes(out) if hit else flip_bytes(data, rng)


def gif_dimensions(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    struct.pack_into("<HH", out, 6, _absurd(rng), _absurd(rng))  # logical screen
    k = data.find(b"\x2c", 13)  # the first image descriptor (a guess: a byte of 0x2C)
    if k != -1 and k + 9 <= len(data) and rng.random() < 0.5:
        struct.pack_into("<HH", out, k + 5, _absurd(rng), _absurd(rng))
    return bytes(out)


def png_dimensions(data: bytes, rng: Rng) -> bytes:
    """IHDR (and the first fcTL of an APNG) with absurd sizes and recomputed CRCs, so that a reader
    believes them."""
    out = bytearray(data)
    hit = False
    for chunk in (b"IHDR", b"fcTL"):
        k = data.find(chunk)
        if k < 4:
            continue
        length = struct.unpack(">I", data[k - 4 : k])[0]
        at = k + 4 + (4 if chunk == b"fcTL" else 0)  # fcTL starts with a sequence number
        if k + 4 + length + 4 > len(data) or length < 8:
            continue
        struct.pack_into(">II", out, at, _absurd(rng) or 1, _absurd(rng) or 1)
        struct.pack_into(">I", out, k + 4 + length, zlib.crc32(out[k : k + 4 + length]))
        hit = True
    return bytes(out) if hit else flip_bytes(data, rng)


def webp_dimensions(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    k = data.find(b"VP8X")
    if k == -1 or k + 18 > len(data):
        return flip_bytes(data, rng)
    w, h = _absurd(rng) or 1, _absurd(rng) or 1
    out[k + 12 : k + 15] = (w - 1).to_bytes(3, "little")  # canvas width - 1, 24 bits
    out[k + 15 : k + 18] = (h - 1).to_bytes(3, "little")
    return bytes(out)


GENERIC: dict[str, Mutation] = {
    "flip": flip_bytes,
    "truncate": truncate,
    "zero": zero_range,
    "insert": insert_range,
    "duplicate": duplicate_range,
}
MP4: dict[str, Mutation] = {"box_swap": swap_boxes, "box_size": oversize_box, "dims": mp4_dimensions}


def structural(name: str) -> dict[str, Mutation]:
    """The structural mutations that fit a seed, by its name (container_codec)."""
    container = name.split("_", 1)[0]
    if container in ("mp4", "mov"):
        return MP4
    if container in ("mkv", "webm"):
        return {"dims": mkv_dimensions}
    table: dict[str, dict[str, Mutation]] = {
        "avi": {"dims": avi_dimensions},
        "gif": {"dims": gif_dimensions},
        "apng": {"dims": png_dimensions},
        "webp": {"dims": webp_dimensions},
    }
    return table.get(container, {})


def mutate(seed_name: str, data: bytes, rng: Rng) -> tuple[str, bytes]:
    """One to three mutations, half of them structural where the format allows. Returns their names."""
    kinds = {**GENERIC, **structural(seed_name)}
    special = list(structural(seed_name))
    applied = []
    for _ in range(int(rng.integers(1, 4))):
        if special and rng.random() < 0.5:
            name = special[int(rng.integers(0, len(special)))]
        else:
            name = list(GENERIC)[int(rng.integers(0, len(GENERIC)))]
        data = kinds[name](data, rng) or data[:1]
        applied.append(name)
    return "+".join(applied), data


@dataclass(frozen=True, slots=True)
class Case:
    name: str  # <index>_<seed>_<mutations>: replayable with the campaign seed
    seed_name: str
    data: bytes


def case(seeds: dict[str, bytes], index: int, seed: int) -> Case:
    """Case number `index` of the campaign with this seed (what `cases` yields at that index)."""
    names = sorted(seeds)
    seed_name = names[index % len(names)]
    applied, data = mutate(seed_name, seeds[seed_name], np.random.default_rng([seed, index]))
    return Case(f"{index:04d}_{seed_name}_{applied}", seed_name, data)


def cases(seeds: dict[str, bytes], count: int, seed: int) -> Iterator[Case]:
    """`count` mutated files, round robin over the seeds, deterministic for (seeds, count, seed)."""
    for index in range(count):
        yield case(seeds, index, seed)
