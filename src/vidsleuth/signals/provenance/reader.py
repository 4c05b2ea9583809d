"""Read a file's C2PA manifest store (Content Credentials), safely: isolated, time-limited, offline.

Why this module exists: reading is where the signal meets attacker-controlled bytes and a native library.
"No manifest" is `None`, never an exception; every other outcome is one of the typed errors below, so the
signal can word each one (unsupported container, remote manifest, unreadable store).

Isolation. c2pa-rs parses attacker-controlled boxes in native code. A call into it cannot be interrupted
from Python (signals are handled only between bytecodes), and a native abort would take the whole process
with it: a web worker, a batch worker. So by default each read runs in a short-lived child interpreter with
a wall-clock limit and an address-space cap; its answer comes back as JSON on a pipe. The child runs only
`child.serve` and `child.main` (their source text, sent with `-c`), so it loads c2pa but not vidsleuth,
PyAV or numpy. Measured on the corpus: ~10 ms per file in-process, ~0.1 s per file isolated, most of it
interpreter start and loading libc2pa; a video's decode costs seconds, so the margin buys containment for
little. `isolate=False` reads in-process for callers that already sandbox their workers.

Network. Remote-manifest fetching and OCSP are turned off and the allowed host list is empty, so a read
never touches the network: a file that points to a remote manifest raises `RemoteManifestError` with the
address instead of fetching it. Revocation is known only from an OCSP response stapled in the manifest.

Trust lists: one list per read. c2pa-python 0.38 takes several named lists (`trust.anchors`), but it
pools them whatever their kind, and when a root is on two lists its explanation may name either; so the
file is read once per list, in precedence order (official, legacy, the user's), all in the same child,
stopping as soon as no signer is left untrusted (`read_passes`; `verdicts.py` judges the passes).
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidsleuth.errors import VidsleuthError
from vidsleuth.signals.provenance import child
from vidsleuth.signals.provenance.store import ManifestStore
from vidsleuth.signals.provenance.trust import TrustAnchorsError, TrustList, check_settings

# The manifest store's JUMBF description box: "jumd" followed by the C2PA store type UUID, which begins with
# the bytes "c2pa" (C2PA specification, "JUMBF" / "Manifest store"). Used only to tell "a manifest is there
# but unreadable" from "the file could not be parsed at all" after a read error.
_STORE_MARKER = b"jumdc2pa\x00\x11\x00\x10"
_BASE_MEMORY_CAP = 2 * 1024**3  # child address-space cap, plus the file size (a read stays ~50 MB)
_BASE_TIMEOUT_S = 30.0
_TIMEOUT_S_PER_GB = 20.0  # hashing the whole file runs at several hundred MB/s
_MIME_BY_SUFFIX = {
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".qt": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".m4a": "audio/mp4",
}


# ---------------------------------------------------------------------------------------------- errors
class ProvenanceReadError(VidsleuthError, RuntimeError):
    """The C2PA reader could not give an answer for this file."""


class UnsupportedFormatError(ProvenanceReadError):
    """C2PA defines no place for a manifest in this container (WebM, Matroska, ...)."""


class RemoteManifestError(ProvenanceReadError):
    """The file points to a manifest stored elsewhere; vidsleuth never fetches it."""

    def __init__(self, message: str, url: str | None) -> None:
        super().__init__(message)
        self.url = url


class ListRejectedError(TrustAnchorsError):
    """c2pa refused the settings of one trust list; `key` names the list."""

    def __init__(self, message: str, key: str | None) -> None:
        super().__init__(message)
        self.key = key


class UnreadableManifestError(ProvenanceReadError):
    """The reader failed on the file. `manifest_marker` says whether a manifest store is visibly present;
    `kind` is c2pa's error category, or "timeout" / "crashed" when the isolated reader did not answer."""

    def __init__(self, message: str, *, kind: str, manifest_marker: bool) -> None:
        super().__init__(message)
        self.kind = kind
        self.manifest_marker = manifest_marker


# ---------------------------------------------------------------------------------------------- reading
def reader_available() -> tuple[bool, str]:
    if importlib.util.find_spec("c2pa") is None:
        return False, "c2pa-python is not installed (pip install 'c2pa-python>=0.38,<0.39')"
    return True, ""


def mime_for(path: str, container: str | None = None) -> str | None:
    """A MIME type hint for c2pa: from the extension, else from FFmpeg's container name, else None (the
    library then detects the type from the bytes; it also corrects a wrong hint)."""
    mime = _MIME_BY_SUFFIX.get(Path(path).suffix.lower())
    if mime:
        return mime
    names = set((container or "").lower().split(","))
    if names & {"mp4", "mov", "m4a", "3gp"}:
        return "video/mp4"
    if "avi" in names:
        return "video/x-msvideo"
    return None


def reader_settings(trust: TrustList | None) -> dict[str, Any]:
    """c2pa-rs settings: validate fully, fetch nothing; with a list, signers are checked against it alone.
    Checked against the schema c2pa would otherwise ignore silently (`trust.check_settings`)."""
    settings: dict[str, Any] = {
        "verify": {
            "verify_after_reading": True,
            "verify_trust": True,
            "verify_timestamp_trust": True,
            "ocsp_fetch": False,
            "remote_manifest_fetch": False,
        },
        "core": {"allowed_network_hosts": []},
    }
    if trust is not None:
        settings["trust"] = {"anchors": trust.c2pa_anchors()}
    return check_settings(settings)


@dataclass(frozen=True, slots=True)
class Pass:
    """One read of the file against one trust list (None: no list, signer trust not checked)."""

    trust: TrustList | None
    store: ManifestStore


def read_passes(
    path: str | os.PathLike[str],
    *,
    mime: str | None = None,
    lists: Sequence[TrustList] = (),
    isolate: bool = True,
    timeout_s: float | None = None,
) -> tuple[Pass, ...] | None:
    """Read and validate the file's manifest store once per list, in order, stopping when no signer is left
    untrusted; None when the file carries no manifest. Without lists: one read, trust not checked.

    Raises ListRejectedError when c2pa rejects a list, UnsupportedFormatError, RemoteManifestError, or
    UnreadableManifestError (including a timeout or a crash of the isolated reader).
    """
    path = os.fspath(path)
    size = os.path.getsize(path) if os.path.exists(path) else 0
    order: list[TrustList | None] = list(lists) or [None]
    request = {
        "path": path,
        "format": mime,
        "passes": [reader_settings(t) for t in order],
        "sys_path": [p for p in sys.path if p and os.path.isabs(p)],
        "memory_limit_bytes": _BASE_MEMORY_CAP + size,
    }
    per_read = timeout_s if timeout_s is not None else _BASE_TIMEOUT_S + _TIMEOUT_S_PER_GB * size / 1024**3
    source = _child_source() if isolate else None
    if source is not None and sys.executable:
        response = _run_isolated(source, request, per_read * len(order), path)
    else:
        response = child.serve(request)
    status = response.get("status")
    if status == "settings_error":
        number = response.get("pass")
        rejected = order[number] if isinstance(number, int) and 0 <= number < len(order) else None
        key = rejected.key if rejected is not None else None
        raise ListRejectedError(
            f"c2pa rejected the trust list {key or '?'}: {response.get('message') or 'no message'}", key
        )
    stores = _interpret(response, path)
    if stores is None:
        return None
    return tuple(Pass(t, s) for t, s in zip(order, stores, strict=False))


def read_manifest_store(
    path: str | os.PathLike[str],
    *,
    mime: str | None = None,
    trust: TrustList | None = None,
    isolate: bool = True,
    timeout_s: float | None = None,
) -> ManifestStore | None:
    """Read and validate the file's manifest store against one list (or none); None when it has none."""
    passes = read_passes(
        path, mime=mime, lists=[trust] if trust else [], isolate=isolate, timeout_s=timeout_s
    )
    return passes[0].store if passes else None


def has_manifest_marker(path: str | os.PathLike[str], chunk: int = 1 << 20) -> bool:
    """Whether the bytes contain a C2PA manifest store box; scans the file once, in chunks."""
    tail = b""
    try:
        with open(path, "rb") as fh:
            while block := fh.read(chunk):
                if _STORE_MARKER in tail + block:
                    return True
                tail = block[-(len(_STORE_MARKER) - 1) :]
    except OSError:
        return False
    return False


def _interpret(response: Mapping[str, Any], path: str) -> list[ManifestStore] | None:
    status = response.get("status")
    if status == "none":
        return None
    if status == "ok":
        stores = []
        for item in response.get("passes") or []:
            item = item if isinstance(item, Mapping) else {}
            try:
                data = json.loads(str(item.get("store") or "{}"))
            except json.JSONDecodeError as exc:
                raise UnreadableManifestError(
                    f"the C2PA reader returned malformed JSON ({exc.msg})", kind="Json", manifest_marker=True
                ) from exc
            stores.append(
                ManifestStore.from_c2pa_json(
                    data, embedded=bool(item.get("embedded", True)), remote_url=item.get("remote_url")
                )
            )
        if not stores:
            raise UnreadableManifestError(
                "the C2PA reader gave no answer", kind="Other", manifest_marker=False
            )
        return stores
    message = str(response.get("message") or "no message")
    kind = str(response.get("kind") or "Other")
    if kind in ("Remote", "RemoteManifest"):
        url = re.search(r"(https?://\S+)", message)
        raise RemoteManifestError(message, url.group(1).rstrip('".,;') if url else None)
    if kind == "NotSupported":
        raise UnsupportedFormatError(message)
    raise UnreadableManifestError(message, kind=kind, manifest_marker=has_manifest_marker(path))


def _run_isolated(source: str, request: Mapping[str, Any], limit_s: float, path: str) -> dict[str, Any]:
    command = [sys.executable, "-I", "-c", source]
    try:
        proc = subprocess.run(
            command,
            input=json.dumps(request),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=limit_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise UnreadableManifestError(
            f"the C2PA reader did not finish within {limit_s:.0f} s and was stopped",
            kind="timeout",
            manifest_marker=has_manifest_marker(path),
        ) from exc
    except OSError as exc:
        raise UnreadableManifestError(
            f"could not start the isolated C2PA reader ({exc})", kind="crashed", manifest_marker=False
        ) from exc
    try:
        response = json.loads(proc.stdout) if proc.stdout.strip() else None
    except json.JSONDecodeError:
        response = None
    if proc.returncode != 0 or not isinstance(response, dict):
        how = _exit_description(proc.returncode)
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
        raise UnreadableManifestError(
            f"the isolated C2PA reader {how} without an answer ({last})",
            kind="crashed",
            manifest_marker=has_manifest_marker(path),
        )
    return response


def _exit_description(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


@functools.cache
def _child_source() -> str | None:
    """The program the isolated reader runs: the source of `child.serve` and `child.main`, nothing else."""
    try:
        parts = [inspect.getsource(child.serve), inspect.getsource(child.main)]
    except (OSError, TypeError):  # no source on disk (frozen build): read in-process instead
        return None
    body = "\n\n".join(textwrap.dedent(p) for p in parts)
    return f"from __future__ import annotations\nfrom typing import Any\n\n{body}\n\nmain()\n"
