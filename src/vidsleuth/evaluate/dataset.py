"""Labelled datasets: a CSV of path,label[,generator[,source[,group]]] or folders named by label.

- A CSV (or a folder holding ``labels.csv``): one row per file; paths are relative to the CSV's folder.
  A header row is optional (recognised by its first cell "path"); extra columns are ignored. A row
  without a path or a label, or a path listed twice, is an error naming the line.
- Folders: ``DIR/<label>/...`` (real, ai, faceswap, ... see `labels.ALIASES`); a file nested one level
  deeper, ``DIR/ai/<generator>/clip.mp4``, takes its generator from that folder's name, as the large
  public sets (GenVideo and others) are laid out.

Non-video labels (stills, templates, fragments, broken files) are left out and counted. Missing files are
an error (listing the first few) unless `skip_missing` is set, then they are counted too.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from vidsleuth.errors import ConfigError
from vidsleuth.evaluate.labels import LabelClass, clean, generator_family, normalise

VIDEO_SUFFIXES = frozenset(
    {
        ".mp4",
        ".mov",
        ".m4v",
        ".mkv",
        ".webm",
        ".avi",
        ".gif",
        ".ts",
        ".mts",
        ".m2ts",
        ".wmv",
        ".flv",
        ".3gp",
        ".mpg",
        ".mpeg",
        ".y4m",
        ".ogv",
    }
)
LABELS_FILE = "labels.csv"
_MISSING_SHOWN = 3


class DatasetError(ConfigError):
    """A labelled dataset that cannot be read: bad rows, missing files, nothing to evaluate."""


@dataclass(frozen=True, slots=True)
class Item:
    path: Path  # absolute path of the video
    rel: str  # path as listed (relative to the dataset root): shown in scorecards instead of local paths
    label: str  # label as written in the dataset
    cls: LabelClass
    generator: str = ""  # as written
    source: str = ""  # where it came from (CSV column, else the first folder of `rel`)
    group: str = ""  # items of one group never straddle a train/test split (copies of one video)

    @property
    def family(self) -> str:
        return generator_family(self.generator)


@dataclass(frozen=True, slots=True)
class Dataset:
    origin: str  # the CSV or folder it was read from
    items: tuple[Item, ...]
    excluded: Mapping[str, int] = field(default_factory=dict)  # non-video label -> count
    missing: tuple[str, ...] = ()
    digest: str = ""  # sha256 of the (path, label) rows: names the dataset in calibrations and scorecards

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(i.cls.value for i in self.items).items()))

    def subset(self, n: int, seed: int = 0) -> Dataset:
        """About `n` items, drawn per class in proportion (one of each class at least), reproducibly."""
        if n >= len(self.items):
            return self
        rng = random.Random(seed)
        by_cls: dict[LabelClass, list[Item]] = {}
        for item in self.items:
            by_cls.setdefault(item.cls, []).append(item)
        picked: list[Item] = []
        for cls in sorted(by_cls):
            pool = by_cls[cls]
            take = max(1, round(n * len(pool) / len(self.items)))
            picked.extend(rng.sample(pool, min(take, len(pool))))
        picked = sorted(picked, key=lambda i: i.rel)[: max(n, len(by_cls))]
        return replace(self, items=tuple(picked), digest=_digest(picked))


def _digest(items: list[Item]) -> str:
    h = hashlib.sha256()
    for i in sorted(items, key=lambda i: i.rel):
        h.update(f"{i.rel}\t{i.label}\n".encode())
    return h.hexdigest()[:16]


def _finish(
    origin: str, items: list[Item], excluded: Counter[str], missing: list[str], skip_missing: bool
) -> Dataset:
    if missing and not skip_missing:
        shown = ", ".join(missing[:_MISSING_SHOWN]) + (
            f" and {len(missing) - _MISSING_SHOWN} more" if len(missing) > _MISSING_SHOWN else ""
        )
        raise DatasetError(
            f"{origin}: {len(missing)} listed file(s) do not exist: {shown}; "
            "fix the paths or pass --skip-missing"
        )
    if not items:
        raise DatasetError(f"{origin}: no labelled videos to evaluate (left out: {dict(excluded) or 'none'})")
    return Dataset(origin, tuple(items), dict(sorted(excluded.items())), tuple(missing), _digest(items))


def read_csv(path: str | os.PathLike[str], *, skip_missing: bool = False) -> Dataset:
    csv_path = Path(path)
    root = csv_path.resolve().parent
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{csv_path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    items: list[Item] = []
    excluded: Counter[str] = Counter()
    missing: list[str] = []
    seen: set[str] = set()
    columns = ["path", "label", "generator", "source", "group"]
    for line_no, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if line_no == 1 and row[0].strip().lower() == "path":
            columns = [c.strip().lower() for c in row]
            if "label" not in columns:
                raise DatasetError(
                    f"{csv_path}:1: the header needs a 'label' column, got {', '.join(columns)}"
                )
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(columns)}
        rel, label = cells.get("path", ""), cells.get("label", "")
        if not rel or not label:
            raise DatasetError(
                f"{csv_path}:{line_no}: expected path,label[,generator], got {','.join(row)[:120]!r}"
            )
        if rel in seen:
            raise DatasetError(f"{csv_path}:{line_no}: {rel!r} is listed twice")
        seen.add(rel)
        cls = normalise(label)
        if cls is None:
            excluded[clean(label)] += 1
            continue
        file = (root / rel).resolve()
        if not file.is_file():
            missing.append(rel)
            continue
        source = cells.get("source") or (
            rel.replace("\\", "/").split("/")[0] if "/" in rel.replace("\\", "/") else ""
        )
        items.append(Item(file, rel, label, cls, cells.get("generator", ""), source, cells.get("group", "")))
    return _finish(str(csv_path), items, excluded, missing, skip_missing)


def read_folders(path: str | os.PathLike[str]) -> Dataset:
    root = Path(path)
    items: list[Item] = []
    excluded: Counter[str] = Counter()
    for label_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        cls = normalise(label_dir.name)
        for file in sorted(label_dir.rglob("*")):
            if not file.is_file() or file.suffix.lower() not in VIDEO_SUFFIXES:
                continue
            if cls is None:
                excluded[clean(label_dir.name)] += 1
                continue
            rel = file.relative_to(root).as_posix()
            parts = rel.split("/")
            generator = parts[1] if len(parts) > 2 else ""
            items.append(Item(file.resolve(), rel, label_dir.name, cls, generator, label_dir.name))
    return _finish(str(root), items, excluded, [], False)


def load_dataset(path: str | os.PathLike[str], *, skip_missing: bool = False) -> Dataset:
    """Read a labelled dataset from a CSV file, a folder with labels.csv, or folders named by label."""
    p = Path(path)
    if p.is_file():
        return read_csv(p, skip_missing=skip_missing)
    if p.is_dir():
        if (p / LABELS_FILE).is_file():
            return read_csv(p / LABELS_FILE, skip_missing=skip_missing)
        return read_folders(p)
    raise DatasetError(
        f"{os.fspath(path)}: no such file or folder; expected a labels CSV or a folder of labelled videos"
    )


def with_groups(dataset: Dataset, groups_csv: str | os.PathLike[str]) -> Dataset:
    """Set items' groups from a CSV of path,group (paths as in the dataset); unknown paths are an error."""
    try:
        rows = list(csv.reader(Path(groups_csv).read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(
            f"{groups_csv}: cannot be read ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    mapping: dict[str, str] = {}
    for n, row in enumerate(rows, start=1):
        if not row or row[0].strip().lower() == "path" or row[0].lstrip().startswith("#"):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise DatasetError(f"{groups_csv}:{n}: expected path,group, got {','.join(row)[:120]!r}")
        mapping[row[0].strip()] = row[1].strip()
    known = {i.rel for i in dataset.items}
    unknown = [p for p in mapping if p not in known]
    if unknown:
        raise DatasetError(
            f"{groups_csv}: {len(unknown)} path(s) are not in the dataset, e.g. {unknown[0]!r}"
        )
    items = tuple(replace(i, group=mapping.get(i.rel, i.group)) for i in dataset.items)
    return replace(dataset, items=items)
