"""Hash files other tools read and write, so that banks can be shared.

Formats (docs/bank.md shows an example of each):

``te-csv``
    ThreatExchange's and HMA's PDQ hash CSV, as in HMA's sample_data/pdq.csv and the threatexchange
    CLI's state files: no header, one hash per row, ``hash,id,added_on,tags`` with tags separated by
    spaces. Rows of a bare hash, ``pdq <hash>`` lines (the threatexchange local-file exchange) and
    ``threatexchange dataset --csv`` output (header ``signal_type,signal_str,...``) are read too. Each
    row is one still-image item; these files carry no quality, so imported hashes count as quality 100.
    vidsleuth exports every usable frame (quality >= 50) as one row, the id being the frame's row id.
``vpdq``
    Meta's vPDQ per-frame hash files (vpdq/sample-hashes/, read by match-hashes-brute):
    ``frame,quality,hash,timestamp`` per line, one file per video. A folder of them imports as one
    item per file.
``vpdq-json``
    HMA's vPDQ signal string: a JSON list of ``"hash,quality,timestamp"`` strings (one video).
``jsonl``
    vidsleuth's own lossless format: one JSON object per item, with its label, source and every frame.

Reading checks every row; the first malformed one raises ExchangeFormatError naming file and line, and
nothing is imported.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vidsleuth.errors import ReportError
from vidsleuth.fingerprint.bits import hash_from_hex, is_hash_hex
from vidsleuth.fingerprint.errors import ExchangeFormatError
from vidsleuth.fingerprint.thresholds import PDQ_QUALITY_MIN
from vidsleuth.fingerprint.video import FrameHash, Kind, VideoFingerprint
from vidsleuth.media.source import safe_display_name

FORMATS = ("te-csv", "vpdq", "vpdq-json", "jsonl")
JSONL_VERSION = 1
IMPORTED_QUALITY = 100  # TE/HMA PDQ rows carry no quality; they were accepted by their own hasher
MAX_LINE = 1 << 20
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class ExchangeItem:
    """One item read from, or about to be written to, a hash file."""

    fingerprint: VideoFingerprint
    label: str | None = None
    source_url: str | None = None
    note: str | None = None
    file_name: str | None = None
    ref: str = ""  # where it was read: "file.csv:12"
    item_id: int | None = None  # the bank id, when exporting
    frame_ids: tuple[int, ...] | None = None  # bank frame row ids, when exporting
    added_at: str | None = None


def slug(text: str | None, limit: int = 40) -> str:
    return _SLUG.sub("_", text or "").strip("._")[:limit]


class _Lines:
    """Numbered, stripped, non-empty, non-comment lines of a text file, with one error style."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = safe_display_name(path.name)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ExchangeFormatError(f"{self.name}: cannot be read ({exc.strerror})") from None
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ExchangeFormatError(f"{self.name}: is not UTF-8 text; expected a hash file") from None

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for number, line in enumerate(self.text.splitlines(), start=1):
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                yield number, stripped

    def fail(self, line: int | None, message: str) -> ExchangeFormatError:
        where = f"{self.name}:{line}" if line is not None else self.name
        return ExchangeFormatError(f"{where}: {message}; nothing was imported")


def detect_format(path: Path) -> str:
    """Guess a file's format from its name and first line. Raises ExchangeFormatError when unsure."""
    if path.is_dir():
        return "vpdq"
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "vpdq-json"
    lines = _Lines(path)
    for _, line in lines:
        fields = [f.strip() for f in line.split(",")]
        if len(fields) >= 4 and fields[0].isdigit() and is_hash_hex(fields[2]):
            return "vpdq"
        if is_hash_hex(fields[0]) or fields[0] == "signal_type" or line.lower().startswith("pdq "):
            return "te-csv"
        break
    else:
        raise lines.fail(None, "is empty")
    raise lines.fail(
        None, "cannot tell its format (ThreatExchange CSV, vPDQ, vPDQ JSON or JSONL); pass --format"
    )


def read_items(path: str | Path, fmt: str = "auto") -> list[ExchangeItem]:
    """Every item in a hash file (or, for vPDQ, a folder of them). Raises ExchangeFormatError."""
    p = Path(path)
    if not p.exists():
        raise ExchangeFormatError(f"{safe_display_name(p.name)}: no such file")
    chosen = detect_format(p) if fmt == "auto" else fmt
    if chosen not in FORMATS:
        raise ExchangeFormatError(f"unknown hash file format {fmt!r} (known: {', '.join(FORMATS)})")
    if chosen == "vpdq":
        files = sorted(q for q in p.iterdir() if q.suffix.lower() == ".txt") if p.is_dir() else [p]
        if not files:
            raise ExchangeFormatError(f"{safe_display_name(p.name)}: holds no vPDQ .txt files")
        return [_read_vpdq(f) for f in files]
    if p.is_dir():
        raise ExchangeFormatError(f"{safe_display_name(p.name)}: is a directory, expected a {chosen} file")
    if chosen == "vpdq-json":
        return [_read_vpdq_json(p)]
    return _read_te_csv(p) if chosen == "te-csv" else _read_jsonl(p)


# ThreatExchange / HMA PDQ CSV ----------------------------------------------------------------------
def _read_te_csv(path: Path) -> list[ExchangeItem]:
    lines = _Lines(path)
    out: list[ExchangeItem] = []
    header: list[str] | None = None
    for number, line in lines:
        if len(line) > MAX_LINE:
            raise lines.fail(number, "line is too long")
        if "," not in line and " " in line:  # "pdq <hash>" (threatexchange local file)
            kind, _, value = line.partition(" ")
            if kind.lower() != "pdq":
                continue
            fields = [value.strip()]
        else:
            try:
                fields = next(csv.reader(io.StringIO(line)))
            except csv.Error as exc:  # Python's csv refuses fields over 131,072 characters
                reason = "field too long" if "field larger" in str(exc) else f"malformed CSV ({exc})"
                raise lines.fail(number, reason) from None
        if header is None and fields and fields[0] == "signal_type":
            header = fields
            continue
        if header is not None:
            row = dict(zip(header, fields, strict=False))
            if row.get("signal_type", "").lower() != "pdq":
                continue
            fields = [row.get("signal_str", ""), "", "", row.get("tags", "")]
        out.append(_te_row(lines, number, fields))
    if not out:
        raise lines.fail(None, "holds no PDQ hash rows")
    return out


def _te_row(lines: _Lines, number: int, fields: Sequence[str]) -> ExchangeItem:
    if len(fields) not in (1, 4, 5):
        raise lines.fail(
            number, f"expected `hash,id,added_on,tags` (ThreatExchange PDQ CSV), got {len(fields)} fields"
        )
    try:
        digest = hash_from_hex(fields[0])
    except ValueError as exc:
        raise lines.fail(number, str(exc)) from None
    descriptor, added, tags = (fields[1], fields[2], fields[3]) if len(fields) == 4 else ("", "", "")
    if len(fields) == 5:  # HMA: hash, indicator id, descriptor id, added_on, tags
        descriptor, added, tags = fields[2], fields[3], fields[4]
    if descriptor and not descriptor.strip().lstrip("-").isdigit():
        raise lines.fail(number, f"the id column must be an integer, got {descriptor[:40]!r}")
    note_parts = []
    if descriptor:
        note_parts.append(f"ThreatExchange descriptor {descriptor.strip()}")
    if added:
        note_parts.append(f"added {added.strip()}")
    fp = VideoFingerprint((FrameHash(digest, IMPORTED_QUALITY, None, 0),), "image")
    return ExchangeItem(
        fingerprint=fp,
        label=tags.strip() or None,
        note=", ".join(note_parts) or None,
        ref=f"{lines.name}:{number}",
    )


def write_te_csv(items: Iterable[ExchangeItem], out: io.TextIOBase | Any) -> int:
    """Write usable frames as ThreatExchange/HMA PDQ CSV rows. Returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    rows = 0
    for item in items:
        tags = " ".join(
            t for t in ("vidsleuth", f"item_{item.item_id}" if item.item_id else "", slug(item.label)) if t
        )
        added = _te_time(item.added_at)
        ids = item.frame_ids or tuple(range(len(item.fingerprint.frames)))
        for frame_id, frame in zip(ids, item.fingerprint.frames, strict=True):
            if frame.quality < PDQ_QUALITY_MIN:
                continue
            writer.writerow([frame.hex, frame_id, added, tags])
            rows += 1
    return rows


def _te_time(iso: str | None) -> str:
    if not iso:
        return ""
    text = iso.replace("+00:00", "+0000")
    return text if text.endswith("+0000") else text + "+0000"


# vPDQ per-frame files -------------------------------------------------------------------------------
def _read_vpdq(path: Path) -> ExchangeItem:
    lines = _Lines(path)
    frames: list[FrameHash] = []
    for number, line in lines:
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 4:
            raise lines.fail(
                number, f"expected `frame,quality,hash,timestamp` (vPDQ), got {len(fields)} fields"
            )
        try:
            frame, quality, ts = int(fields[0]), int(fields[1]), float(fields[3])
            digest = hash_from_hex(fields[2])
            if frame < 0 or not 0 <= quality <= 100 or not math.isfinite(ts) or ts < 0:
                raise ValueError("frame >= 0, quality 0..100 and a timestamp >= 0 expected")
        except ValueError as exc:
            raise lines.fail(number, str(exc)) from None
        frames.append(FrameHash(digest, quality, ts, frame))
    if not frames:
        raise lines.fail(None, "holds no vPDQ frames")
    return ExchangeItem(_video(frames), label=path.stem, file_name=path.name, ref=lines.name)


def _video(frames: list[FrameHash]) -> VideoFingerprint:
    frames.sort(key=lambda f: (f.time_s or 0.0, f.frame or 0))
    times = [f.time_s for f in frames if f.time_s is not None]
    steps = sorted(b - a for a, b in itertools.pairwise(times) if b > a)
    step = steps[len(steps) // 2] if steps else None
    fps = round(1.0 / step, 3) if step else None
    duration = (times[-1] + (step or 0.0)) if times else None
    return VideoFingerprint(tuple(frames), "video", duration, fps)


def write_vpdq(items: Iterable[ExchangeItem], out_dir: Path) -> list[Path]:
    """One vPDQ file per video item: ``<id>_<label>.txt`` with ``frame,quality,hash,timestamp`` lines.

    Only the frames as decoded (variant 0) are written, one line per frame as Meta's tools expect; still
    images are left out (export them as te-csv)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create {safe_display_name(str(out_dir))}: {exc.strerror or exc}") from None
    written = []
    for n, item in enumerate(items, start=1):
        if item.fingerprint.kind != "video":
            continue
        stem = f"{item.item_id or n:06d}" + (f"_{slug(item.label)}" if slug(item.label) else "")
        target = out_dir / f"{stem}.txt"
        lines = [
            f"{f.frame if f.frame is not None else k},{f.quality},{f.hex},{(f.time_s or 0.0):.3f}\n"
            for k, f in enumerate(item.fingerprint.frames)
            if f.variant == 0
        ]
        try:
            target.write_text("".join(lines), encoding="utf-8")
        except OSError as exc:
            raise ReportError(
                f"cannot write {safe_display_name(target.name)}: {exc.strerror or exc}"
            ) from None
        written.append(target)
    return written


def _read_vpdq_json(path: Path) -> ExchangeItem:
    lines = _Lines(path)
    try:
        data = json.loads(lines.text or "[]")
    except json.JSONDecodeError as exc:
        raise lines.fail(exc.lineno, f"not JSON ({exc.msg})") from None
    except RecursionError:  # "[[[[...": Python's parser recurses per level
        raise lines.fail(None, "not JSON (nested too deeply)") from None
    if not isinstance(data, list) or not data:
        raise lines.fail(None, 'expected a JSON list of "hash,quality,timestamp" strings (HMA vPDQ)')
    frames = []
    for k, entry in enumerate(data):
        if not isinstance(entry, str):
            raise lines.fail(None, f'entry {k + 1}: expected a "hash,quality,timestamp" string')
        parts = entry.split(",")
        try:
            if len(parts) != 3:
                raise ValueError(f'expected "hash,quality,timestamp", got {str(entry)[:80]!r}')
            quality, ts = int(parts[1]), float(parts[2])
            if not 0 <= quality <= 100 or not math.isfinite(ts) or ts < 0:
                raise ValueError("quality 0..100 and a timestamp >= 0 expected")
            frames.append(FrameHash(hash_from_hex(parts[0]), quality, ts, k))
        except ValueError as exc:
            raise lines.fail(None, f"entry {k + 1}: {exc}") from None
    return ExchangeItem(_video(frames), label=path.stem, file_name=path.name, ref=lines.name)


def vpdq_json(fp: VideoFingerprint) -> str:
    """HMA's vPDQ signal string for one fingerprint."""
    return json.dumps([f"{f.hex},{f.quality},{(f.time_s or 0.0):.3f}" for f in fp.frames])


# vidsleuth JSONL -----------------------------------------------------------------------------------
def _read_jsonl(path: Path) -> list[ExchangeItem]:
    lines = _Lines(path)
    out = []
    for number, line in lines:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise lines.fail(number, f"not JSON ({exc.msg})") from None
        except RecursionError:
            raise lines.fail(number, "not JSON (nested too deeply)") from None
        if not isinstance(obj, dict) or "vidsleuth_bank_item" not in obj:
            raise lines.fail(number, "expected a vidsleuth bank item object")
        version = obj["vidsleuth_bank_item"]
        if not isinstance(version, int) or version > JSONL_VERSION:
            raise lines.fail(
                number,
                f"item format {version!r} is newer than this vidsleuth reads ({JSONL_VERSION}); upgrade",
            )
        try:
            out.append(_jsonl_item(obj, f"{lines.name}:{number}"))
        except (KeyError, TypeError, ValueError, RecursionError) as exc:
            raise lines.fail(number, f"malformed item ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not out:
        raise lines.fail(None, "holds no items")
    return out


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return None if value is None else str(value)


def _jsonl_item(obj: dict[str, Any], ref: str) -> ExchangeItem:
    kind: Kind = "image" if obj["kind"] == "image" else "video"
    if obj["kind"] not in ("image", "video"):
        raise ValueError(f"kind must be video or image, got {obj['kind']!r}")
    frames = []
    for entry in obj["frames"]:
        frame, quality, hex_hash, ts = entry[:4]
        variant = int(entry[4]) if len(entry) > 4 else 0
        frames.append(
            FrameHash(
                hash_from_hex(str(hex_hash)),
                int(quality),
                None if ts is None else float(ts),
                None if frame is None else int(frame),
                variant,
            )
        )
    duration = obj.get("duration_s")
    fps = obj.get("sample_fps")
    fp = VideoFingerprint(
        tuple(frames),
        kind,
        None if duration is None else float(duration),
        None if fps is None else float(fps),
    )
    return ExchangeItem(
        fp,
        label=_opt_str(obj, "label"),
        source_url=_opt_str(obj, "source_url"),
        note=_opt_str(obj, "note"),
        file_name=_opt_str(obj, "file_name"),
        ref=ref,
        added_at=_opt_str(obj, "added_at"),
    )


def write_jsonl(items: Iterable[ExchangeItem], out: io.TextIOBase | Any) -> int:
    count = 0
    for item in items:
        fp = item.fingerprint
        obj = {
            "vidsleuth_bank_item": JSONL_VERSION,
            "id": item.item_id,
            "kind": fp.kind,
            "label": item.label,
            "source_url": item.source_url,
            "note": item.note,
            "file_name": item.file_name,
            "added_at": item.added_at,
            "duration_s": fp.duration_s,
            "sample_fps": fp.sample_fps,
            "hasher": fp.hasher,
            "frames": [[f.frame, f.quality, f.hex, f.time_s, f.variant] for f in fp.frames],
        }
        out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def with_overrides(
    items: Sequence[ExchangeItem], *, label: str | None, source_url: str | None, note: str | None
) -> list[ExchangeItem]:
    """Items with the user's --label/--source/--note applied where given."""
    return [
        replace(
            i,
            label=label if label is not None else i.label,
            source_url=source_url if source_url is not None else i.source_url,
            note=note if note is not None else i.note,
        )
        for i in items
    ]
