"""Install or refresh the trust lists from a local copy of their repositories (`vidsleuth trust refresh`).

Why this module exists: the lists may not be committed to vidsleuth, and vidsleuth never touches the
network, so a user who wants them (or newer ones) gets a copy of the repository themselves (a `git clone`,
a bare mirror, a downloaded checkout) and points this at it. Everything is checked before anything is
written: both PEMs parse, each PEM holds exactly the certificates of its LoTE JSON, and a list past its
NextUpdate gives a warning. The lists are written unchanged beside a README.md and a SOURCE.json naming
the repository, the commit, the dates, every file's sha256 and the licence (the C2PA lists are CC BY 4.0:
the README carries the attribution). A level is replaced as a whole, never half-written.

Sources:
- official: c2pa-org/conformance-public, folder `trust-list/` (C2PA-TRUST-LIST.{pem,json},
  C2PA-TSA-TRUST-LIST.{pem,json});
- legacy: contentauth/verify-site, folder `static/trust/` (anchors.pem, allowed.pem, store.cfg).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidsleuth.errors import ConfigError
from vidsleuth.signals.provenance.trust import TrustAnchorsError, check_pem
from vidsleuth.signals.provenance.trustlists import (
    LEGACY_DIR,
    LEGACY_FILES,
    OFFICIAL_DIR,
    OFFICIAL_FILES,
    is_past,
)

OFFICIAL_REPO, OFFICIAL_FOLDER = "c2pa-org/conformance-public", "trust-list"
LEGACY_REPO, LEGACY_FOLDER = "contentauth/verify-site", "static/trust"
_GIT_TIMEOUT_S = 60
_MAX_FILE = 16 * 1024 * 1024


class TrustRefreshError(ConfigError):
    """The copy given to `trust refresh` is not usable (not the repository, damaged lists, no git)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The list files of one repository copy and where they came from."""

    files: dict[str, bytes]
    origin: str  # the path given
    commit: str | None = None
    commit_date: str | None = None
    list_commit: str | None = None  # the last commit that changed the list folder
    list_commit_date: str | None = None
    licence_text: str = ""


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What one refresh wrote, in words for the terminal, and its warnings."""

    directory: Path
    lines: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------------------------- reading
def _git_dir(src: Path) -> Path | None:
    for candidate in (src, src / "repo", src / ".git"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _git(git_dir: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(
            ["git", f"--git-dir={git_dir}", *args], capture_output=True, timeout=_GIT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TrustRefreshError(
            f"could not run git on {git_dir} ({type(exc).__name__}); is git installed?"
        ) from None
    if proc.returncode != 0:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise TrustRefreshError(f"git could not read {' '.join(args)} in {git_dir}: {last[:200]}")
    return proc.stdout


def snapshot(src: Path, folder: str, names: Sequence[str], licence_names: Sequence[str]) -> Snapshot:
    """The files `folder/names` of a git directory (read at HEAD) or of a plain checkout."""
    if not src.exists():
        raise TrustRefreshError(f"{src}: no such directory (expected a copy of the repository)")
    git_dir = _git_dir(src)
    if git_dir is not None:
        listed = _git(git_dir, "ls-tree", "--name-only", f"HEAD:{folder}").decode().split()
        missing = [n for n in names if n not in listed]
        if missing:
            raise TrustRefreshError(
                f"{src} has no {folder}/{missing[0]} at HEAD; expected a copy of the repository that holds it"
            )
        files = {n: _git(git_dir, "show", f"HEAD:{folder}/{n}") for n in names}
        licence = ""
        for name in licence_names:
            try:
                licence = _git(git_dir, "show", f"HEAD:{name}").decode("utf-8", "replace")
                break
            except TrustRefreshError:
                continue
        commit, date = _git(git_dir, "log", "-1", "--format=%H %cI", "HEAD").decode().split()
        list_log = _git(git_dir, "log", "-1", "--format=%H %cI", "HEAD", "--", folder).decode().split()
        list_commit = list_log[0] if list_log else None
        list_date = list_log[1] if len(list_log) > 1 else None
        return Snapshot(files, str(src), commit, date, list_commit, list_date, licence)
    base = src / folder
    missing = [n for n in names if not (base / n).is_file()]
    if missing:
        raise TrustRefreshError(
            f"{src} has no {folder}/{missing[0]}; expected a git directory or a checkout of the repository"
        )
    files = {}
    for n in names:
        if (base / n).stat().st_size > _MAX_FILE:
            raise TrustRefreshError(f"{folder}/{n} in {src} is larger than 16 MB; not a trust list")
        files[n] = (base / n).read_bytes()
    licence = next(
        (
            (src / n).read_text(encoding="utf-8", errors="replace")
            for n in licence_names
            if (src / n).is_file()
        ),
        "",
    )
    return Snapshot(files, str(src), licence_text=licence)


# ---------------------------------------------------------------------------------------------- checks
def _json_certificates(data: bytes, name: str) -> tuple[set[bytes], dict[str, Any]]:
    """The DER certificates of a LoTE JSON list, and its scheme information."""
    try:
        lote = json.loads(data)["LoTE"]
        info = lote["ListAndSchemeInformation"]
        ders = {
            base64.b64decode(c["val"], validate=True)
            for entity in lote.get("TrustedEntitiesList") or []
            for service in entity.get("TrustedEntityServices") or []
            for c in (service["ServiceInformation"].get("ServiceDigitalIdentity") or {}).get(
                "X509Certificates"
            )
            or []
        }
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, binascii.Error) as exc:
        raise TrustRefreshError(f"{name} is not a readable LoTE trust list ({type(exc).__name__})") from None
    info = dict(info) if isinstance(info, dict) else {}
    info["entities"] = len(lote.get("TrustedEntitiesList") or [])
    return ders, info


def check_official(files: dict[str, bytes]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Per list: certificates, entities, dates, sequence; and warnings. TrustRefreshError if unusable."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    summary: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    for stem in ("C2PA-TRUST-LIST", "C2PA-TSA-TRUST-LIST"):
        pem = files[stem + ".pem"]
        try:
            count = check_pem(pem.decode("ascii"), f"{stem}.pem")
        except (TrustAnchorsError, UnicodeDecodeError) as exc:
            raise TrustRefreshError(
                f"{stem}.pem is not a usable PEM list ({exc}); nothing was written"
            ) from None
        certs = {c.public_bytes(Encoding.DER) for c in x509.load_pem_x509_certificates(pem)}
        ders, info = _json_certificates(files[stem + ".json"], f"{stem}.json")
        if certs != ders:
            raise TrustRefreshError(
                f"{stem}.pem and {stem}.json hold different certificates ({len(certs)} vs {len(ders)}); "
                "nothing was written"
            )
        next_update = info.get("NextUpdate")
        if isinstance(next_update, str) and is_past(next_update):
            warnings.append(f"{stem} is past its NextUpdate ({next_update}): a newer list has been issued")
        summary[stem] = {
            "certificates": count,
            "entities": info["entities"],
            "issued": info.get("ListIssueDateTime"),
            "next_update": next_update,
            "sequence": info.get("LoTESequenceNumber"),
        }
    return summary, warnings


def check_legacy(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for name in ("anchors.pem", "allowed.pem"):
        try:
            summary[name] = {"certificates": check_pem(files[name].decode("ascii"), name)}
        except (TrustAnchorsError, UnicodeDecodeError) as exc:
            raise TrustRefreshError(f"{name} is not a usable PEM list ({exc}); nothing was written") from None
    try:
        files["store.cfg"].decode("ascii")
    except UnicodeDecodeError:
        raise TrustRefreshError(
            "store.cfg is not ASCII text (expected EKU OIDs); nothing was written"
        ) from None
    return summary


# ---------------------------------------------------------------------------------------------- writing
def _licence(text: str) -> str:
    if "Attribution 4.0 International" in text:
        return "CC BY 4.0"
    if "Apache License" in text and "Version 2.0" in text:
        return "Apache-2.0"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:80] or "unknown"


def _replace_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write `files` into `target`, replacing it as a whole (a half-written level is never read)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    fresh.mkdir()
    for name, data in files.items():
        (fresh / name).write_bytes(data)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _source_json(snap: Snapshot, repo: str, folder: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "repository": repo,
        "folder": folder + "/",
        "commit": snap.commit or "unknown (a plain directory, not a git copy)",
        "commit_date": snap.commit_date,
        "list_commit": snap.list_commit,
        "list_commit_date": snap.list_commit_date,
        "licence": _licence(snap.licence_text),
        "retrieved_from": snap.origin,
        "refreshed": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **extra,
        "sha256": {n: hashlib.sha256(b).hexdigest() for n, b in snap.files.items()},
    }


def refresh_official(src: Path, dest: Path) -> Refreshed:
    """Install the C2PA Trust List and TSA Trust List from a copy of c2pa-org/conformance-public."""
    snap = snapshot(src, OFFICIAL_FOLDER, OFFICIAL_FILES, ("LICENSE", "LICENSE.md"))
    summary, warnings = check_official(snap.files)
    source = _source_json(snap, OFFICIAL_REPO, OFFICIAL_FOLDER, {"lists": summary})
    lines = [
        "# C2PA Trust List and C2PA TSA Trust List",
        "",
        f"Source: {OFFICIAL_REPO}, folder {OFFICIAL_FOLDER}/, commit {source['commit']}"
        + (f" ({snap.commit_date})" if snap.commit_date else "")
        + (
            f"; the lists last changed in {snap.list_commit} ({snap.list_commit_date})."
            if snap.list_commit
            else "."
        ),
        f"Licence: {source['licence']}. (c) Coalition for Content Provenance and Authenticity (C2PA), "
        "reproduced unchanged from https://github.com/c2pa-org/conformance-public "
        "(https://creativecommons.org/licenses/by/4.0/).",
    ]
    for stem, s in summary.items():
        lines.append(
            f"- {stem}: {s['certificates']} certificates of {s['entities']} entities, issued {s['issued']}, "
            f"next update {s['next_update']}, sequence {s['sequence']}."
        )
    lines += ["", "sha256:"] + [f"- {n}: {h}" for n, h in source["sha256"].items()]
    lines += ["", "Installed by `vidsleuth trust refresh`; SOURCE.json holds the same facts.", ""]
    files = dict(snap.files)
    files["SOURCE.json"] = (json.dumps(source, indent=1) + "\n").encode()
    files["README.md"] = "\n".join(lines).encode()
    _replace_folder(dest / OFFICIAL_DIR, files)
    return Refreshed(dest / OFFICIAL_DIR, tuple(lines[2:4] + lines[4 : 4 + len(summary)]), tuple(warnings))


def refresh_legacy(src: Path, dest: Path) -> Refreshed:
    """Install the legacy CAI interim list from a copy of contentauth/verify-site."""
    snap = snapshot(src, LEGACY_FOLDER, LEGACY_FILES, ("LICENSE-APACHE", "LICENSE", "LICENSE-MIT"))
    summary = check_legacy(snap.files)
    source = _source_json(snap, LEGACY_REPO, LEGACY_FOLDER, {"files": summary, "level": "legacy"})
    lines = [
        "# Legacy CAI interim known-certificate list (contentauth/verify-site)",
        "",
        f"Source: {LEGACY_REPO}, folder {LEGACY_FOLDER}/, commit {source['commit']}"
        + (
            f"; the list last changed in {snap.list_commit} ({snap.list_commit_date})."
            if snap.list_commit
            else "."
        ),
        f"Licence: {source['licence']}. A legacy level: the CAI froze this list on 2026-01-01; validators "
        "should tell signers it trusts apart from those on the official C2PA Trust List.",
        f"- anchors.pem: {summary['anchors.pem']['certificates']} anchors; allowed.pem: "
        f"{summary['allowed.pem']['certificates']} end-entity certificates; store.cfg: the EKUs.",
    ]
    lines += ["", "sha256:"] + [f"- {n}: {h}" for n, h in source["sha256"].items()]
    lines += [
        "",
        "Installed by `vidsleuth trust refresh --legacy-from`; SOURCE.json holds the same facts.",
        "",
    ]
    files = dict(snap.files)
    files["SOURCE.json"] = (json.dumps(source, indent=1) + "\n").encode()
    files["README.md"] = "\n".join(lines).encode()
    _replace_folder(dest / LEGACY_DIR, files)
    return Refreshed(dest / LEGACY_DIR, tuple(lines[2:5]))
