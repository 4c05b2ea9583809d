"""Reproducer: c2pa-python (c2pa-rs) takes time quadratic in the number of top-level ISO BMFF boxes.

Self-contained on purpose (c2pa-python and the standard library only), so that it can be attached to an
upstream report as it is. It builds a minimal valid MP4 (ftyp, one empty-track moov, mdat) and inserts N
empty `free` boxes (8 bytes each) between ftyp and moov, then times `c2pa.Reader` on it, once per N. A
file without any manifest: the reader only has to walk the boxes to find that out.

    python tests/fuzz/c2pa_boxes.py                     # N = 1,000 ... 64,000
    python tests/fuzz/c2pa_boxes.py 1000 10000 100000   # chosen N

Measured with c2pa-python 0.38.1 (see docs/reliability.md): time grows ~4x each time N doubles.
"""

from __future__ import annotations

import io
import struct
import sys
import time


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def full_box(kind: bytes, version: int, payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", version << 24) + payload)


def minimal_mp4(free_boxes: int) -> bytes:
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = full_box(
        b"mvhd",
        0,
        struct.pack(">IIII", 0, 0, 1000, 0)
        + struct.pack(">IH", 0x10000, 0x100)
        + bytes(10)
        + matrix
        + bytes(24)
        + struct.pack(">I", 2),
    )
    moov = box(b"moov", mvhd)
    padding = box(b"free") * free_boxes
    return ftyp + padding + moov + box(b"mdat")


def time_read(data: bytes) -> tuple[float, str]:
    import c2pa

    started = time.perf_counter()
    try:
        reader = c2pa.Reader("video/mp4", io.BytesIO(data))
        outcome = "manifest"
        reader.close()
    except Exception as exc:  # no manifest: the expected outcome, an exception in c2pa-python
        outcome = type(exc).__name__
    return time.perf_counter() - started, outcome


def main(counts: list[int]) -> None:
    import c2pa

    version = getattr(c2pa, "__version__", "?")
    try:
        import importlib.metadata

        version = importlib.metadata.version("c2pa-python")
    except Exception:
        pass
    print(f"c2pa-python {version}; Python {sys.version.split()[0]}")
    print(f"{'boxes':>8} {'bytes':>9} {'seconds':>9} {'us/box':>8}  outcome")
    previous = None
    for n in counts:
        data = minimal_mp4(n)
        seconds, outcome = time_read(data)
        ratio = f"  x{seconds / previous:.1f}" if previous else ""
        print(f"{n:>8} {len(data):>9} {seconds:>9.3f} {1e6 * seconds / max(n, 1):>8.1f}  {outcome}{ratio}")
        previous = seconds


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 2000, 4000, 8000, 16000, 32000, 64000])
