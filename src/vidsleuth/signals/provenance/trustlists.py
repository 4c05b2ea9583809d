"""The installed trust lists: where they live, how they are read, and which levels are used.

Why this module exists: vidsleuth ships code, not lists. The C2PA Trust List and the C2PA TSA Trust List
(c2pa-org/conformance-public, CC BY 4.0) and the legacy CAI interim list (contentauth/verify-site) are
installed by the user with `vidsleuth trust refresh` (`refresh.py`) into a directory, and read from it
here. The directory is the option `provenance.trust_lists` (`--option provenance.trust_lists=DIR`,
`$VIDSLEUTH_TRUST_DIR`), else the user data directory (`$XDG_DATA_HOME/vidsleuth/trust`, by default
`~/.local/share/vidsleuth/trust`). Its layout:

    DIR/c2pa/C2PA-TRUST-LIST.pem  C2PA-TRUST-LIST.json  C2PA-TSA-TRUST-LIST.pem  C2PA-TSA-TRUST-LIST.json
             README.md  SOURCE.json                              (level "official")
    DIR/cai-interim/anchors.pem  allowed.pem  store.cfg  README.md  SOURCE.json   (level "legacy")

A level whose folder is absent is simply not installed. A folder whose PEM files are damaged is skipped
with a one-line problem that the report shows (`c2pa.trust_list_unusable`); a missing or damaged LoTE
JSON only costs the list its date.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidsleuth.signals.provenance.trust import TrustAnchorsError, TrustLevel, TrustList, digest, read_pem

ENV_DIR = "VIDSLEUTH_TRUST_DIR"
OFFICIAL_DIR = "c2pa"
LEGACY_DIR = "cai-interim"
OFFICIAL_FILES = (
    "C2PA-TRUST-LIST.pem",
    "C2PA-TRUST-LIST.json",
    "C2PA-TSA-TRUST-LIST.pem",
    "C2PA-TSA-TRUST-LIST.json",
)
LEGACY_FILES = ("anchors.pem", "allowed.pem", "store.cfg")
LEVELS: tuple[TrustLevel, ...] = ("official", "legacy")
OFFICIAL_TITLE = "C2PA Trust List"
LEGACY_TITLE = "legacy CAI interim known-certificate list"
_JSON_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class InstalledLists:
    """The installed lists of a directory, in precedence order, and what was wrong with the others."""

    directory: Path | None
    lists: tuple[TrustList, ...] = ()
    problems: tuple[str, ...] = ()  # levels that could not be used, one line each
    notes: tuple[str, ...] = ()  # levels used with a caveat (no date, past the next update)


def default_trust_dir() -> Path:
    """The user data directory the lists are installed into when no directory is named."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "vidsleuth" / "trust"


def resolve_trust_dir(option: str | None) -> Path:
    """The directory named by the option (or `$VIDSLEUTH_TRUST_DIR`, which the option reads), else the
    user data directory."""
    return Path(option).expanduser() if option else default_trust_dir()


def installed_digest(directory: Path) -> str | None:
    """sha256 of every list file of the directory (so that a settings digest follows a refresh), or None
    when nothing is installed there."""
    h = hashlib.sha256()
    found = False
    for sub, names in ((OFFICIAL_DIR, OFFICIAL_FILES), (LEGACY_DIR, LEGACY_FILES)):
        for name in (*names, "SOURCE.json"):
            path = directory / sub / name
            try:
                data = path.read_bytes() if path.stat().st_size <= _JSON_MAX_BYTES else b"(oversized)"
            except OSError:
                continue
            found = True
            h.update(f"{sub}/{name}\0".encode())
            h.update(hashlib.sha256(data).digest())
    return h.hexdigest() if found else None


def load_installed(directory: Path, levels: Sequence[str] = LEVELS) -> InstalledLists:
    """The lists installed in `directory` at the given levels (official first). Never raises."""
    key = installed_digest(directory)
    if key is None:
        return InstalledLists(directory)
    return _load(str(directory), key, tuple(levels))


@functools.lru_cache(maxsize=8)
def _load(directory: str, _content_key: str, levels: tuple[str, ...]) -> InstalledLists:
    root = Path(directory)
    lists: list[TrustList] = []
    problems: list[str] = []
    notes: list[str] = []
    readers = (("official", OFFICIAL_DIR, _official), ("legacy", LEGACY_DIR, _legacy))
    for level, sub, read in readers:
        folder = root / sub
        if level not in levels or not folder.is_dir():
            continue
        try:
            trust_list, caveats = read(folder)
        except TrustAnchorsError as exc:
            problems.append(f"{sub}/: {exc}")
            continue
        lists.append(trust_list)
        notes.extend(f"{sub}/: {n}" for n in caveats)
    return InstalledLists(root, tuple(lists), tuple(problems), tuple(notes))


def read_source(folder: Path) -> dict[str, Any]:
    """The SOURCE.json `refresh` wrote beside a list ({} when absent or unreadable)."""
    try:
        path = folder / "SOURCE.json"
        if path.stat().st_size > _JSON_MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def lote_info(path: Path) -> dict[str, str]:
    """Issue date, next update and sequence of an ETSI TS 119 602 LoTE JSON (TrustAnchorsError if not)."""
    try:
        if path.stat().st_size > _JSON_MAX_BYTES:
            raise TrustAnchorsError(f"{path.name!r} is larger than 16 MB; expected a LoTE JSON trust list")
        data = json.loads(path.read_text(encoding="utf-8"))
        info = data["LoTE"]["ListAndSchemeInformation"]
    except (OSError, ValueError, RecursionError, KeyError, TypeError) as exc:
        raise TrustAnchorsError(
            f"{path.name!r} is not a readable LoTE JSON trust list ({type(exc).__name__})"
        ) from None
    if not isinstance(info, dict):
        raise TrustAnchorsError(f"{path.name!r} has no ListAndSchemeInformation object")
    return {
        k: str(info[k])
        for k in ("ListIssueDateTime", "NextUpdate", "LoTESequenceNumber")
        if isinstance(info.get(k), str | int)
    }


def is_past(when: str | None, now: dt.datetime | None = None) -> bool:
    if not when:
        return False
    try:
        moment = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment < (now or dt.datetime.now(dt.UTC))


def _source_label(source: dict[str, Any]) -> str | None:
    repo, commit = source.get("repository"), source.get("list_commit") or source.get("commit")
    if not isinstance(repo, str):
        return None
    short = commit.split()[0][:7] if isinstance(commit, str) and commit[:7].isalnum() else None
    return f"{repo}@{short}" if short else repo


def _official(folder: Path) -> tuple[TrustList, list[str]]:
    anchors, count = read_pem(folder / "C2PA-TRUST-LIST.pem", "C2PA trust list")
    tsa, tsa_count = read_pem(folder / "C2PA-TSA-TRUST-LIST.pem", "C2PA TSA trust list")
    notes: list[str] = []
    try:
        info = lote_info(folder / "C2PA-TRUST-LIST.json")
    except TrustAnchorsError as exc:
        info = {}
        notes.append(f"the list's date is unknown: {exc}")
    issued = info.get("ListIssueDateTime")
    next_update = info.get("NextUpdate")
    stale = is_past(next_update)
    if stale:
        notes.append(f"the C2PA Trust List is past its next update ({next_update}); refresh it")
    trust_list = TrustList(
        key="c2pa-official",
        level="official",
        title=OFFICIAL_TITLE,
        anchors=anchors,
        tsa_anchors=tsa,
        certificates=count,
        tsa_certificates=tsa_count,
        sha256=digest(anchors, tsa),
        as_of=issued[:10] if issued else None,
        next_update=next_update,
        stale=stale,
        source=_source_label(read_source(folder)),
    )
    return trust_list, notes


def _legacy(folder: Path) -> tuple[TrustList, list[str]]:
    anchors, count = read_pem(folder / "anchors.pem", "CAI interim anchors")
    allowed, allowed_count = read_pem(folder / "allowed.pem", "CAI interim allowed list")
    try:
        config = (folder / "store.cfg").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        config = None  # c2pa's built-in EKU list is this same file
    source = read_source(folder)
    as_of = source.get("list_commit_date") or source.get("commit_date")
    trust_list = TrustList(
        key="cai-interim",
        level="legacy",
        title=LEGACY_TITLE,
        anchors=anchors,
        allowed=allowed,
        config=config,
        certificates=count + allowed_count,
        sha256=digest(anchors, allowed, config),
        as_of=as_of[:10] if isinstance(as_of, str) else None,
        source=_source_label(source),
    )
    return trust_list, []
