"""`vidsleuth bank ...` (a bank of known videos and photos) and `vidsleuth keyframes`.

Thin, like every front end: it parses options, calls vidsleuth.bank and vidsleuth.fingerprint, and
prints. Every failure is one line naming the file or bank and the problem, with a documented exit code
(docs/bank.md): 0 done, 2 bad options, 3 an input or import file could not be read (nothing was
changed), 4 an output could not be written, 5 internal error, 6 the bank could not be opened or written.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click

from vidsleuth.atomic import atomic_text
from vidsleuth.cli.base import Command, Group, debug_option
from vidsleuth.errors import InputError, ReportError
from vidsleuth.fingerprint import thresholds as th
from vidsleuth.media.source import safe_display_name

EXPORT_FORMATS = ("te-csv", "vpdq", "jsonl")
IMPORT_FORMATS = ("auto", "te-csv", "vpdq", "vpdq-json", "jsonl")


@dataclass(frozen=True, slots=True)
class _Options:
    location: str | None


def _shown(value: str | None, limit: int = 80) -> str:
    return safe_display_name(value, limit) if value else ""


def _emit_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


@click.group("bank", cls=Group)
@click.option(
    "--bank",
    "location",
    envvar="VIDSLEUTH_BANK",
    metavar="PATH|URL",
    help="Bank file or database URL (default: $VIDSLEUTH_BANK, else ~/.local/share/vidsleuth/bank.sqlite).",
)
@debug_option
@click.pass_context
def bank(ctx: click.Context, location: str | None) -> None:
    """A bank of known videos and photos: add, search, list, remove, import and export."""
    ctx.obj = _Options(location)


@bank.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--label", help="What the item is, e.g. 'Sora fake of the flood, debunked 2025-03'.")
@click.option("--source", "source_url", help="Where it was found (URL).")
@click.option("--note", help="Anything else a person should know.")
@click.option(
    "--fps", type=click.FloatRange(0, 60), default=th.SAMPLE_FPS, show_default=True, help="0: every frame."
)
@click.option(
    "--max-side", type=click.IntRange(0), default=th.SAMPLE_MAX_SIDE, show_default=True, help="0: full size."
)
@click.option(
    "--prune",
    "prune_distance",
    type=click.IntRange(-1, 64),
    default=th.PRUNE_DISTANCE,
    show_default=True,
    help="Drop frames this close to the previous kept one; -1 keeps every frame.",
)
@click.option(
    "--analyze",
    is_flag=True,
    help="Also run the watermark and provenance signals on each file and store its @handle, C2PA signer, "
    "claim generator and generator attribution (slower).",
)
@click.option(
    "--from-report",
    "reports",
    multiple=True,
    type=click.Path(),
    metavar="REPORT.json",
    help="A vidsleuth JSON report of one of the FILES (same sha256): store its handle, signer, claim "
    "generator and attribution without analysing again. Repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def add(
    opts: _Options,
    files: tuple[str, ...],
    label: str | None,
    source_url: str | None,
    note: str | None,
    fps: float,
    max_side: int,
    prune_distance: int,
    analyze: bool,
    reports: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add videos and still images to the bank (all of them, or none when one cannot be read).

    Stills also get local features, so that a video showing part of them is found (photo origin); adding
    a still that is already banked gives it the features it lacks (banks from before them).
    `--fps 0 --max-side 0 --prune -1` hashes every frame at full size, as Meta's vPDQ reference does.
    `--analyze` or `--from-report` also store each video's provenance attributes, so that later reports
    list the banked videos with the same @handle, signer or generator; a file already banked gets the
    attributes it lacks."""
    from vidsleuth.bank import Bank, NewItem
    from vidsleuth.fingerprint.photo_origin import still_features_file
    from vidsleuth.fingerprint.video import fingerprint_file, prune
    from vidsleuth.media import open_source
    from vidsleuth.related import analyze_attributes

    from_reports = _report_attributes(reports)
    with Bank.open(opts.location, create=True) as store:
        items = []
        unused = dict(from_reports)
        for name in files:
            try:
                source = open_source(name)
                fp = fingerprint_file(
                    source.path,
                    sample_fps=fps or None,
                    max_side=max_side or None,
                    display_name=source.name,
                    role="bank",
                )
                fp = prune(fp, prune_distance)
                features = (
                    still_features_file(source.path, display_name=source.name) if fp.kind == "image" else None
                )
                attributes = tuple(unused.pop(source.sha256, (None, []))[1])
                if analyze and source.sha256 not in from_reports:
                    found, problems = analyze_attributes(source.path, source.name)
                    attributes = tuple(found)
                    for line in problems:
                        click.echo(f"{_shown(source.name)}: {_shown(line, 300)}", err=True)
            except InputError as exc:
                raise InputError(f"{exc}; nothing was added") from None
            items.append(
                NewItem(
                    fp,
                    f"sha256:{source.sha256}",
                    "file",
                    label,
                    source_url,
                    note,
                    source.name,
                    features,
                    attributes,
                )
            )
        if unused:
            sha, (report, _) = next(iter(unused.items()))
            raise InputError(
                f"{_shown(report, 200)}: is a report of another file (sha256 {sha[:16]}…), not of any FILE "
                "given; nothing was added"
            )
        outcome = store.add(items)
        given = {i.content_id: i.attributes for i in items}
        if as_json:
            _emit_json(
                {
                    "added": [i.to_dict() for i in outcome.added],
                    "already_banked": [
                        {"file_name": item.file_name, "item_id": item_id}
                        for item, item_id in outcome.already_banked
                    ],
                    "features_added": list(outcome.features_added),
                    "attributes": {
                        str(iid): [a.to_dict() for a in found]
                        for iid, found in store.attributes(
                            [iid for iid, _ in outcome.attributes_added]
                        ).items()
                    },
                }
            )
            return
        local = {i.content_id: i.features.count for i in items if i.features is not None}
        by_name = {i.file_name: i.content_id for i in items}
        for info in outcome.added:
            count = local.get(by_name.get(info.file_name, ""), 0)
            extra = f", {count} local features" if count else ""
            click.echo(
                f"added #{info.id} {_shown(info.file_name)} ({info.kind}, {info.frame_count} hashes{extra})"
            )
            _echo_attributes(given.get(by_name.get(info.file_name, ""), ()))
        attributed = dict(outcome.attributes_added)
        for item, item_id in outcome.already_banked:
            extra = "; local features added" if item_id in outcome.features_added else ""
            if attributed.get(item_id):
                extra += f"; {attributed[item_id]} attribute(s) added"
            click.echo(f"already banked as #{item_id}: {_shown(item.file_name)}{extra}")
            if attributed.get(item_id):
                _echo_attributes(item.attributes)


def _report_attributes(reports: tuple[str, ...]) -> dict[str, tuple[str, list[Any]]]:
    """sha256 of the file each report describes -> (the report's path, its attributes)."""
    from vidsleuth.related import report_file_attributes

    out: dict[str, tuple[str, list[Any]]] = {}
    for path in reports:
        try:
            sha, found = report_file_attributes(path)
        except InputError as exc:
            raise InputError(f"{exc}; nothing was added") from None
        out[sha] = (path, found)
    return out


def _echo_attributes(attributes: Any) -> None:
    for a in attributes:
        click.echo(f"    {a.kind.replace('_', ' ')}: {_shown(a.shown, 120)}")


@bank.command()
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
@click.option("--all", "show_all", is_flag=True, help="Also list candidates that fall short of a match.")
@click.option("--fps", type=click.FloatRange(0.1, 60), default=th.QUERY_FPS, show_default=True)
@click.option("--distance", type=click.IntRange(0, 128), default=th.PDQ_MATCH_DISTANCE, show_default=True)
@click.option(
    "--index-shards",
    envvar="VIDSLEUTH_INDEX_SHARDS",
    metavar="N",
    help="Split the bank's hash index into N shards searched in parallel (0 or 1: one index; same "
    "matches). Default: $VIDSLEUTH_INDEX_SHARDS, else 0.",
)
@click.option(
    "--index-backend",
    envvar="VIDSLEUTH_INDEX_BACKEND",
    metavar="threads|ray",
    help="Where the shards run: threads of this process, or Ray actors (pip install 'vidsleuth[ray]'). "
    "Default: $VIDSLEUTH_INDEX_BACKEND, else threads.",
)
@click.pass_obj
def search(
    opts: _Options,
    file: str,
    as_json: bool,
    show_all: bool,
    fps: float,
    distance: int,
    index_shards: str | None,
    index_backend: str | None,
) -> None:
    """Find banked items in FILE (a video, a photo, or a vidsleuth JSON report), with matching times.

    Banked photos are also looked for inside a few frames of FILE with local features (photo origin: a
    photo shown as part of the frame, or animated); a JSON report carries no pixels for that."""
    from vidsleuth.bank import Bank
    from vidsleuth.fingerprint.index_choice import IndexChoice
    from vidsleuth.fingerprint.matching import MatchRules
    from vidsleuth.fingerprint.photo_origin import PhotoOriginIndex
    from vidsleuth.fingerprint.search import BankSearcher

    choice = IndexChoice.from_text(index_shards, index_backend).check_available()  # bad: exit 2
    with Bank.open(opts.location, create=False) as store:
        snapshot = store.snapshot()
        cache = store.index_cache()
        features = store.photo_features()
        shown_bank = store.display
    query, frames = _query_fingerprint(file, fps)
    searcher = BankSearcher(snapshot, MatchRules(distance=distance), cache=cache, choice=choice)
    try:
        matches = searcher.search(query, include_non_matches=show_all)
    finally:
        searcher.close()
    photos = PhotoOriginIndex(snapshot.items, features).search(
        frames, duration_s=query.duration_s, exclude={m.item.id for m in matches if m.result.is_match}
    )
    if as_json:
        _emit_json(
            {
                "query": {"name": _shown(Path(file).name), **query.summary()},
                "bank": {
                    "location": shown_bank,
                    "items": len(snapshot.items),
                    "revision": snapshot.revision,
                },
                "matches": [m.to_dict() for m in matches] + [p.to_dict() for p in photos],
                "photo_origin": {
                    "stills": len(features),
                    "frames_checked": [f.time_s for f in frames],
                },
            }
        )
        return
    if not photos and not any(m.result.is_match for m in matches):
        click.echo(f"no match among {len(snapshot.items)} banked items ({shown_bank})")
    for m in matches:
        _print_match(m)
    for p in photos:
        _print_photo_origin(p)


def _query_fingerprint(file: str, fps: float) -> tuple[Any, tuple[Any, ...]]:
    """The query's PDQ fingerprint and the frames picked for photo-origin search (none for a report)."""
    from vidsleuth.fingerprint.photo_origin import query_file
    from vidsleuth.fingerprint.video import fingerprint_from_report

    path = Path(file)
    if path.suffix.lower() == ".json" and path.is_file():
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            fp = fingerprint_from_report(report) if isinstance(report, dict) else None
        except (UnicodeDecodeError, json.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{_shown(path.name)}: not a readable vidsleuth report ({exc})") from None
        if fp is None:
            raise InputError(
                f"{_shown(path.name)}: the report has no fingerprint hashes (was `fingerprint` run?)"
            )
        return fp, ()
    return query_file(file, sample_fps=fps)


def _print_photo_origin(p: Any) -> None:
    info = p.item
    name = _shown(info.label) or _shown(info.file_name) or "?"
    click.echo(
        f"#{info.id} image “{name}”: strength {p.strength:.2f} ({p.to_dict()['strength_name']}), rule "
        f"photo_origin; this video contains (part of) banked photo #{info.id} — it may have been animated "
        "from it"
    )
    if info.source_url:
        click.echo(f"    source: {_shown(info.source_url, 200)}")
    if info.note:
        click.echo(f"    note: {_shown(info.note, 200)}")
    click.echo(f"    {p.describe()}")


def _print_match(m: Any) -> None:
    info, r = m.item, m.result
    head = f"#{info.id} {info.kind} “{_shown(info.label) or _shown(info.file_name) or '?'}”"
    verdict = (
        f"strength {r.strength:.2f} ({m.to_dict()['strength_name']}), rule {r.rule}"
        if r.is_match
        else "no match"
    )
    click.echo(
        f"{head}: {verdict}; {r.query_match_pct:.0f} % of query frames, "
        f"{r.item_match_pct:.0f} % of item frames"
    )
    if info.source_url:
        click.echo(f"    source: {_shown(info.source_url, 200)}")
    if info.note:
        click.echo(f"    note: {_shown(info.note, 200)}")
    for s in r.segments:
        here = f"{s.query.start_s:.2f}–{s.query.end_s:.2f} s" if s.query else "(photo)"
        there = f"{s.item.start_s:.2f}–{s.item.end_s:.2f} s" if s.item else "(photo)"
        click.echo(
            f"    query {here}  ≈  item {there}  ({s.frames} frames, mean distance {s.mean_distance:.1f})"
        )


@bank.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many items.")
@click.pass_obj
def list_items(opts: _Options, as_json: bool, limit: int | None) -> None:
    """List the banked items."""
    from vidsleuth.bank import Bank

    with Bank.open(opts.location, create=False) as store:
        items = store.items(limit=limit)
        found = store.attributes([i.id for i in items])
        if as_json:
            _emit_json(
                [{**i.to_dict(), "attributes": [a.to_dict() for a in found.get(i.id, [])]} for i in items]
            )
            return
        for i in items:
            length = f"{i.duration_s:7.1f} s" if i.duration_s is not None else "  photo  "
            label = _shown(i.label) or _shown(i.file_name)
            source = f"  <{_shown(i.source_url, 100)}>" if i.source_url else ""
            shown = " · ".join(_shown(a.shown, 60) for a in found.get(i.id, []))
            tags = f"  [{shown}]" if shown else ""
            click.echo(f"#{i.id:<6} {i.kind:<5} {length} {i.frame_count:6d} hashes  {label}{source}{tags}")


@bank.command()
@click.argument("item_ids", nargs=-1, required=True, type=int)
@click.pass_obj
def remove(opts: _Options, item_ids: tuple[int, ...]) -> None:
    """Remove items by id (all of them, or none when one is not in the bank)."""
    from vidsleuth.bank import Bank

    with Bank.open(opts.location, create=False) as store:
        for info in store.remove(item_ids):
            click.echo(f"removed #{info.id} {_shown(info.label) or _shown(info.file_name)}")


@bank.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def stats(opts: _Options, as_json: bool) -> None:
    """How much the bank holds."""
    from vidsleuth.bank import Bank

    with Bank.open(opts.location, create=False) as store:
        numbers = store.stats()
        if as_json:
            _emit_json(numbers.to_dict())
            return
        for key, value in numbers.to_dict().items():
            click.echo(f"{key:<15} {value}")


@bank.command(name="import")
@click.argument("file", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), default="auto", show_default=True)
@click.option("--label", help="Label every imported item (default: from the file).")
@click.option("--source", "source_url", help="Source URL of every imported item.")
@click.option("--note", help="Note on every imported item.")
@click.pass_obj
def import_items(
    opts: _Options, file: str, fmt: str, label: str | None, source_url: str | None, note: str | None
) -> None:
    """Import hashes: ThreatExchange/HMA PDQ CSV, vPDQ files (or a folder of them), HMA vPDQ JSON, JSONL."""
    from vidsleuth.bank import Bank, NewItem, content_id_of_frames
    from vidsleuth.fingerprint.exchange import detect_format, read_items, with_overrides

    chosen = detect_format(Path(file)) if fmt == "auto" and Path(file).exists() else fmt
    items = with_overrides(read_items(file, chosen), label=label, source_url=source_url, note=note)
    new = [
        NewItem(
            i.fingerprint,
            content_id_of_frames(i.fingerprint),
            f"import:{chosen}",
            i.label,
            i.source_url,
            i.note,
            i.file_name,
        )
        for i in items
    ]
    with Bank.open(opts.location, create=True) as store:
        outcome = store.add(new)
    click.echo(f"imported {len(outcome.added)} item(s); {len(outcome.already_banked)} already banked")


@bank.command()
@click.argument("output", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="te-csv", show_default=True)
@click.pass_obj
def export(opts: _Options, output: str, fmt: str) -> None:
    """Export the bank: te-csv (ThreatExchange/HMA PDQ CSV), vpdq (a folder of vPDQ files) or jsonl."""
    from vidsleuth.bank import Bank
    from vidsleuth.fingerprint.exchange import ExchangeItem, write_jsonl, write_te_csv, write_vpdq

    with Bank.open(opts.location, create=False) as store:
        items = [
            ExchangeItem(fp, i.label, i.source_url, i.note, i.file_name, "", i.id, tuple(ids), i.added_at)
            for i, fp, ids in store.fingerprints()
        ]
        if fmt == "vpdq":
            written = write_vpdq(items, Path(output))
            click.echo(f"wrote {len(written)} vPDQ file(s) to {_shown(output, 200)}")
            return
        writer: Callable[[list[Any], IO[str]], int] = write_te_csv if fmt == "te-csv" else write_jsonl
        with _atomic_text(output) as out:
            count = writer(items, out)
        what = "rows" if fmt == "te-csv" else "items"
        click.echo(f"wrote {count} {what} to {_shown(output, 200)}", err=True)


@contextlib.contextmanager
def _atomic_text(output: str) -> Iterator[IO[str]]:
    """Standard output for '-', else a file replaced only when complete."""
    if output == "-":
        yield sys.stdout
        return
    try:
        with atomic_text(output) as fh:
            yield fh
    except OSError as exc:
        raise ReportError(f"cannot write {_shown(output, 200)}: {exc.strerror or exc}") from None


@click.command(cls=Command)
@click.argument("file", type=click.Path())
@click.option("-o", "--output", "out_dir", type=click.Path(), required=True, help="Folder for the JPEGs.")
@click.option("--fps", type=click.FloatRange(0.1, 60), default=th.KEYFRAME_FPS, show_default=True)
@click.option("--distance", type=click.IntRange(0, 256), default=th.KEYFRAME_DISTANCE, show_default=True)
@click.option("--min-gap", type=click.FloatRange(0), default=th.KEYFRAME_MIN_GAP_S, show_default=True)
@click.option("--max", "max_keyframes", type=click.IntRange(1), default=500, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the keyframe list as JSON.")
@debug_option
def keyframes(
    file: str,
    out_dir: str,
    fps: float,
    distance: int,
    min_gap: float,
    max_keyframes: int,
    as_json: bool,
) -> None:
    """Export deduplicated keyframes of FILE as JPEGs (one per shot plus changes within a shot), with
    keyframes.json, ready for reverse image search."""
    from vidsleuth.fingerprint.keyframes import export_keyframes
    from vidsleuth.fingerprint.reverse_search import search_links

    written = export_keyframes(
        file,
        out_dir,
        sample_fps=fps,
        keep_distance=distance,
        min_gap_s=min_gap,
        max_keyframes=max_keyframes,
    )
    if as_json:
        _emit_json(
            {"keyframes": [k.to_dict() for k in written], "search": [s.to_dict() for s in search_links()]}
        )
        return
    for k in written:
        click.echo(f"{k.keyframe.time_s:9.2f} s  {k.path}")
    engines = ", ".join(f"{s.engine} ({s.url})" for s in search_links())
    click.echo(f"{len(written)} keyframe(s); upload them to: {engines}", err=True)
