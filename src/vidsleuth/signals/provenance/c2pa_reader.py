"""Read a file's C2PA manifest store (Content Credentials) into frozen, typed records.

Why this module exists: c2pa-python is the one library here that parses and validates C2PA, and it hands
back loose JSON whose shape differs between claim versions (v1 `claim_generator` strings, v2
`claim_generator_info` lists; `softwareAgent` as a string or an object; validation split between the active
manifest and "ingredient deltas"). This is the only module that imports `c2pa`; everything else sees the
dataclasses below. "No manifest" is `None`, never an exception.

Isolation. c2pa-rs parses attacker-controlled boxes in native code. A call into it cannot be interrupted
from Python (signals are handled only between bytecodes), and a native abort would take the whole process
with it: a web worker, a batch worker. So by default each read runs in a short-lived child interpreter with
a wall-clock limit and an address-space cap; its answer comes back as JSON on a pipe. The child runs only
`_serve` and `_child_main` (their source text, sent with `-c`), so it loads c2pa but not vidsleuth, PyAV or
numpy. Measured on the corpus: ~10 ms per file in-process, ~0.1 s per file isolated, most of it
interpreter start and loading libc2pa; a video's decode costs seconds, so the margin buys containment for
little. `isolate=False` reads in-process for callers that already sandbox their workers.

Network. Remote-manifest fetching and OCSP are turned off and the allowed host list is empty, so a read
never touches the network: a file that points to a remote manifest raises `RemoteManifestError` with the
address instead of fetching it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vidsleuth.errors import VidsleuthError

# The manifest store's JUMBF description box: "jumd" followed by the C2PA store type UUID, which begins with
# the bytes "c2pa" (C2PA specification, "JUMBF" / "Manifest store"). Used only to tell "a manifest is there
# but unreadable" from "the file could not be parsed at all" after a read error.
_STORE_MARKER = b"jumdc2pa\x00\x11\x00\x10"
_TRUST_FILE_MAX_BYTES = 16 * 1024 * 1024
_BASE_MEMORY_CAP = 2 * 1024**3  # child address-space cap, plus the file size (a read stays ~50 MB)
_BASE_TIMEOUT_S = 30.0
_TIMEOUT_S_PER_GB = 20.0  # hashing the whole file runs at several hundred MB/s
_LABEL_IN_URL = re.compile(r"self#jumbf=/c2pa/([^/]+)")
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


class UnreadableManifestError(ProvenanceReadError):
    """The reader failed on the file. `manifest_marker` says whether a manifest store is visibly present;
    `kind` is c2pa's error category, or "timeout" / "crashed" when the isolated reader did not answer."""

    def __init__(self, message: str, *, kind: str, manifest_marker: bool) -> None:
        super().__init__(message)
        self.kind = kind
        self.manifest_marker = manifest_marker


class TrustAnchorsError(VidsleuthError, ValueError):
    """The trust anchors file is missing, unreadable, or not a PEM list of certificates."""


# ---------------------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One validation status code, as C2PA defines them ("Validation" chapter of the specification)."""

    code: str
    explanation: str = ""
    url: str = ""

    @property
    def manifest_label(self) -> str | None:
        match = _LABEL_IN_URL.search(self.url)
        return match.group(1) if match else None

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "explanation": self.explanation}


@dataclass(frozen=True, slots=True)
class Validation:
    """What the validator checked for one manifest, kept in its three lists (never one word)."""

    passed: tuple[StatusEntry, ...] = ()
    failed: tuple[StatusEntry, ...] = ()
    informational: tuple[StatusEntry, ...] = ()

    @property
    def passed_codes(self) -> frozenset[str]:
        return frozenset(e.code for e in self.passed)

    @property
    def failed_codes(self) -> frozenset[str]:
        return frozenset(e.code for e in self.failed)

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        return {
            "passed": [e.to_dict() for e in self.passed],
            "failed": [e.to_dict() for e in self.failed],
            "informational": [e.to_dict() for e in self.informational],
        }


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """The claim signature's certificate, as the manifest reports it."""

    issuer: str | None = None  # organisation of the signing certificate
    common_name: str | None = None
    alg: str | None = None
    time: str | None = None  # signing time from the time-stamp, when there is one
    cert_serial: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "issuer": self.issuer,
            "common_name": self.common_name,
            "alg": self.alg,
            "time": self.time,
            "cert_serial": self.cert_serial,
        }


@dataclass(frozen=True, slots=True)
class Action:
    """One entry of a `c2pa.actions` assertion. `digital_source_type` is the IPTC term without its URI."""

    action: str
    software_agent: str | None = None
    digital_source_type: str | None = None
    when: str | None = None
    description: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "action": self.action,
            "software_agent": self.software_agent,
            "digital_source_type": self.digital_source_type,
            "when": self.when,
        }


@dataclass(frozen=True, slots=True)
class Ingredient:
    """An asset this one was made from. `manifest_label` names the ingredient's own manifest in the store."""

    title: str | None
    relationship: str | None  # parentOf | componentOf | inputTo
    format: str | None = None
    description: str | None = None
    manifest_label: str | None = None
    recorded_failures: tuple[str, ...] = ()  # failures the signer recorded when it took the ingredient in


@dataclass(frozen=True, slots=True)
class Manifest:
    label: str
    title: str | None
    format: str | None
    claim_generator: str | None  # claim v1 free text, e.g. "TestApp c2patool/0.6.2 c2pa-rs/0.28.2"
    claim_generator_info: tuple[str, ...]  # names from claim_generator_info, e.g. ("Sora",)
    claim_version: int | None
    signer: SignerInfo
    actions: tuple[Action, ...]
    metadata_source_types: tuple[str, ...]  # IPTC DigitalSourceType found in metadata assertions
    ingredients: tuple[Ingredient, ...]
    assertion_labels: tuple[str, ...]
    validation: Validation  # this reader's checks (for an ingredient: the changes since it was recorded)
    recorded_failures: tuple[str, ...] = ()  # failures a later signer recorded when it took this one in

    @property
    def digital_source_types(self) -> tuple[str, ...]:
        seen = [a.digital_source_type for a in self.actions if a.digital_source_type]
        return tuple(dict.fromkeys([*seen, *self.metadata_source_types]))


@dataclass(frozen=True, slots=True)
class ManifestStore:
    """Every manifest in the file, the active one first."""

    active_label: str | None
    manifests: tuple[Manifest, ...]
    validation_state: str | None  # c2pa's summary word: Invalid | Valid | Trusted
    embedded: bool = True
    remote_url: str | None = None

    @property
    def active(self) -> Manifest | None:
        return self.get(self.active_label) if self.active_label else None

    def get(self, label: str) -> Manifest | None:
        for m in self.manifests:
            if m.label == label:
                return m
        return None

    @classmethod
    def from_c2pa_json(
        cls, data: Mapping[str, Any], *, embedded: bool = True, remote_url: str | None = None
    ) -> ManifestStore:
        """Adapt the JSON of c2pa-python's `Reader.json()`. Tolerates missing or mistyped fields."""
        raw = _map(data.get("manifests"))
        active = _str(data.get("active_manifest"))
        statuses = _statuses_by_manifest(data, active)
        manifests = [
            _manifest(label, _map(body), statuses.get(label, {})) for label, body in raw.items() if label
        ]
        recorded: dict[str, list[str]] = {}
        for m in manifests:
            for ing in m.ingredients:
                if ing.manifest_label:
                    recorded.setdefault(ing.manifest_label, []).extend(ing.recorded_failures)
        manifests = [
            replace(m, recorded_failures=tuple(dict.fromkeys(recorded[m.label])))
            if recorded.get(m.label)
            else m
            for m in manifests
        ]
        manifests.sort(key=lambda m: m.label != active)  # stable: active first, then store order
        return cls(active, tuple(manifests), _str(data.get("validation_state")), embedded, remote_url)


@dataclass(frozen=True, slots=True)
class TrustAnchors:
    """A PEM list of trust anchors and the label the report shows for it (file name, count, digest)."""

    pem: str
    label: str

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrustAnchors:
        p = Path(path)
        try:
            size = p.stat().st_size
            if size > _TRUST_FILE_MAX_BYTES:
                raise TrustAnchorsError(
                    f"trust anchors file {p.name!r} is {size} bytes; expected a PEM list under "
                    f"{_TRUST_FILE_MAX_BYTES // 1024**2} MB"
                )
            text = p.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise TrustAnchorsError(
                f"could not read trust anchors file {p.name!r} ({type(exc).__name__}); expected a readable "
                "PEM file of CA certificates"
            ) from exc
        count = text.count("-----BEGIN CERTIFICATE-----")
        if count == 0:
            raise TrustAnchorsError(
                f"trust anchors file {p.name!r} holds no '-----BEGIN CERTIFICATE-----' block; expected "
                "PEM-encoded CA certificates"
            )
        _check_certificates(text, p.name)
        digest = hashlib.sha256(text.encode("ascii")).hexdigest()[:12]
        plural = "s" if count != 1 else ""
        return cls(text, f"{p.name} ({count} certificate{plural}, sha256 {digest})")


def _check_certificates(text: str, name: str) -> None:
    """Parse every certificate: c2pa-rs accepts a PEM block with garbage inside and then trusts nothing."""
    try:
        from cryptography import x509  # a dependency of c2pa-python
    except ImportError:  # pragma: no cover - c2pa-python requires it
        return
    try:
        x509.load_pem_x509_certificates(text.encode("ascii"))
    except ValueError as exc:
        raise TrustAnchorsError(
            f"trust anchors file {name!r} holds a certificate that does not parse ({exc}); expected "
            "PEM-encoded X.509 CA certificates"
        ) from exc


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


def reader_settings(trust: TrustAnchors | None) -> dict[str, Any]:
    """c2pa-rs settings: validate fully, fetch nothing. With anchors, signer trust is checked against them."""
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
        settings["trust"] = {"trust_anchors": trust.pem}
    return settings


def read_manifest_store(
    path: str | os.PathLike[str],
    *,
    mime: str | None = None,
    trust: TrustAnchors | None = None,
    isolate: bool = True,
    timeout_s: float | None = None,
) -> ManifestStore | None:
    """Read and validate the file's manifest store; None when it carries none.

    Raises TrustAnchorsError when c2pa rejects the anchors, UnsupportedFormatError, RemoteManifestError,
    or UnreadableManifestError (including a timeout or a crash of the isolated reader).
    """
    path = os.fspath(path)
    size = os.path.getsize(path) if os.path.exists(path) else 0
    request = {
        "path": path,
        "format": mime,
        "settings": reader_settings(trust),
        "sys_path": [p for p in sys.path if p and os.path.isabs(p)],
        "memory_limit_bytes": _BASE_MEMORY_CAP + size,
    }
    limit = timeout_s if timeout_s is not None else _BASE_TIMEOUT_S + _TIMEOUT_S_PER_GB * size / 1024**3
    source = _child_source() if isolate else None
    if source is not None and sys.executable:
        response = _run_isolated(source, request, limit, path)
    else:
        response = _serve(request)
    return _interpret(response, path)


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


def _interpret(response: Mapping[str, Any], path: str) -> ManifestStore | None:
    status = response.get("status")
    if status == "none":
        return None
    if status == "ok":
        try:
            data = json.loads(str(response.get("store") or "{}"))
        except json.JSONDecodeError as exc:
            raise UnreadableManifestError(
                f"the C2PA reader returned malformed JSON ({exc.msg})", kind="Json", manifest_marker=True
            ) from exc
        return ManifestStore.from_c2pa_json(
            _map(data),
            embedded=bool(response.get("embedded", True)),
            remote_url=_str(response.get("remote_url")),
        )
    message = str(response.get("message") or "no message")
    if status == "settings_error":
        raise TrustAnchorsError(f"c2pa rejected the trust anchors: {message}")
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
    """The program the isolated reader runs: the source of `_serve` and `_child_main`, nothing else."""
    try:
        parts = [inspect.getsource(_serve), inspect.getsource(_child_main)]
    except (OSError, TypeError):  # no source on disk (frozen build): read in-process instead
        return None
    body = "\n\n".join(textwrap.dedent(p) for p in parts)
    return f"from __future__ import annotations\nfrom typing import Any\n\n{body}\n\n_child_main()\n"


# The two functions below also run as source text in the child, without this module: keep them
# self-contained (imports inside, no module-level names, builtins only).
def _serve(request: dict[str, Any]) -> dict[str, Any]:
    """Do one read with c2pa-python and describe the outcome as plain JSON data."""
    import sys

    for entry in reversed(request.get("sys_path") or []):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    import c2pa

    settings = c2pa.Settings()
    try:
        settings.update(request["settings"])
        context = c2pa.Context(settings=settings)
    except Exception as exc:
        settings.close()
        return {"status": "settings_error", "message": str(exc)}
    try:
        with open(request["path"], "rb") as stream:
            reader = c2pa.Reader.try_create(request.get("format"), stream, None, context)
            if reader is None:
                return {"status": "none"}
            with reader:
                return {
                    "status": "ok",
                    "store": reader.json(),
                    "embedded": bool(reader.is_embedded()),
                    "remote_url": reader.get_remote_url(),
                }
    except OSError as exc:
        return {"status": "error", "kind": "Io", "message": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:
        text = str(exc).strip()
        head = text.split(":", 1)[0].strip()
        kind = head if ":" in text and head.isidentifier() else type(exc).__name__.lstrip("_")
        return {"status": "error", "kind": kind, "message": text or type(exc).__name__}
    finally:
        context.close()
        settings.close()


def _child_main() -> None:
    """Entry point of the isolated reader: request JSON on stdin, response JSON on the original stdout."""
    import json
    import os
    import sys

    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever the native library prints goes to stderr, not into the answer
    request = json.loads(sys.stdin.read())
    limit = int(request.get("memory_limit_bytes") or 0)
    if limit > 0:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    answer.write(json.dumps(_serve(request)))
    answer.flush()


# ---------------------------------------------------------------------------------------------- adapting
def _str(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _term(uri: object) -> str | None:
    """IPTC term from a digitalSourceType URI (or a bare term)."""
    text = _str(uri)
    if not text:
        return None
    return text.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or None


def _agent(value: object) -> str | None:
    if isinstance(value, Mapping):
        return _str(value.get("name"))
    return _str(value)


def _entries(items: Iterable[Any]) -> list[StatusEntry]:
    out = []
    for item in items:
        m = _map(item)
        code = _str(m.get("code"))
        if code:
            out.append(StatusEntry(code, _str(m.get("explanation")) or "", _str(m.get("url")) or ""))
    return out


def _statuses_by_manifest(
    data: Mapping[str, Any], active: str | None
) -> dict[str, dict[str, list[StatusEntry]]]:
    """Assign every status entry to the manifest its URL names (active-manifest results and deltas)."""
    out: dict[str, dict[str, list[StatusEntry]]] = {}
    blocks: list[Mapping[str, Any]] = []
    results = data.get("validation_results")
    if isinstance(results, Mapping):
        blocks.append(_map(results.get("activeManifest")))
        blocks.extend(_map(_map(d).get("validationDeltas")) for d in _list(results.get("ingredientDeltas")))
    else:  # older readers: one flat list of problems
        blocks.append({"failure": _list(data.get("validation_status"))})
    seen: set[tuple[str, str, str, str]] = set()
    for block in blocks:
        lists = {kind: _entries(_list(block.get(kind))) for kind in ("success", "informational", "failure")}
        fallback = next((e.manifest_label for v in lists.values() for e in v if e.manifest_label), active)
        for kind, entries in lists.items():
            for e in entries:
                label = e.manifest_label or fallback or ""
                key = (label, kind, e.code, e.url)
                if key not in seen:
                    seen.add(key)
                    out.setdefault(label, {}).setdefault(kind, []).append(e)
    return out


def _actions(assertions: list[Any]) -> list[Action]:
    out = []
    for a in assertions:
        a = _map(a)
        label = (_str(a.get("label")) or "").split("__")[0]
        if label not in ("c2pa.actions", "c2pa.actions.v2"):
            continue
        data = _map(a.get("data"))
        agents = _list(data.get("softwareAgents"))
        for item in _list(data.get("actions")):
            item = _map(item)
            name = _str(item.get("action"))
            if not name:
                continue
            agent = _agent(item.get("softwareAgent"))
            index = item.get("softwareAgentIndex")
            if agent is None and isinstance(index, int) and 0 <= index < len(agents):
                agent = _agent(agents[index])
            out.append(
                Action(
                    name,
                    agent,
                    _term(item.get("digitalSourceType")),
                    _str(item.get("when")),
                    _str(item.get("description")),
                )
            )
    return out


def _metadata_source_types(assertions: list[Any]) -> list[str]:
    found = []
    for a in assertions:
        a = _map(a)
        if (_str(a.get("label")) or "").startswith("c2pa.actions"):
            continue
        for key, value in _map(a.get("data")).items():
            if isinstance(key, str) and key.lower().endswith("digitalsourcetype"):
                term = _term(value)
                if term:
                    found.append(term)
    return found


def _ingredient(raw: Mapping[str, Any]) -> Ingredient:
    recorded = _map(raw.get("validation_results"))
    failures = [e.code for e in _entries(_list(_map(recorded.get("activeManifest")).get("failure")))]
    failures += [e.code for e in _entries(_list(raw.get("validation_status")))]
    label = _str(raw.get("active_manifest")) or _str(_map(raw.get("manifest_data")).get("identifier"))
    return Ingredient(
        title=_str(raw.get("title")),
        relationship=_str(raw.get("relationship")),
        format=_str(raw.get("format")),
        description=_str(raw.get("description")),
        manifest_label=label,
        recorded_failures=tuple(dict.fromkeys(failures)),
    )


def _manifest(label: str, body: Mapping[str, Any], statuses: Mapping[str, list[StatusEntry]]) -> Manifest:
    assertions = _list(body.get("assertions"))
    sig = _map(body.get("signature_info"))
    info = [_str(_map(i).get("name")) for i in _list(body.get("claim_generator_info"))]
    version = body.get("claim_version")
    return Manifest(
        label=label,
        title=_str(body.get("title")),
        format=_str(body.get("format")),
        claim_generator=_str(body.get("claim_generator")),
        claim_generator_info=tuple(n for n in info if n),
        claim_version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        signer=SignerInfo(
            issuer=_str(sig.get("issuer")),
            common_name=_str(sig.get("common_name")),
            alg=_str(sig.get("alg")),
            time=_str(sig.get("time")),
            cert_serial=_str(sig.get("cert_serial_number")),
        ),
        actions=tuple(_actions(assertions)),
        metadata_source_types=tuple(dict.fromkeys(_metadata_source_types(assertions))),
        ingredients=tuple(_ingredient(_map(i)) for i in _list(body.get("ingredients"))),
        assertion_labels=tuple(lbl for a in assertions if (lbl := _str(_map(a).get("label")))),
        validation=Validation(
            passed=tuple(statuses.get("success", ())),
            failed=tuple(statuses.get("failure", ())),
            informational=tuple(statuses.get("informational", ())),
        ),
    )
