"""Trust lists: the PEM certificate lists that C2PA signers are verified against, read and checked.

Why this module exists: the trust list is the one input that decides whether a signer is "trusted", and
c2pa-rs is lenient with it. In the `trust.anchors` form vidsleuth uses, it accepts text that is not PEM,
or a PEM block with garbage inside, and then silently trusts nothing. So every list is read and every
certificate parsed here first, and the report names the list it used (which list, its level, its date,
its certificate count and content digest).

A `TrustList` is one named list at one level:
- `official`: the C2PA Trust List (claim signers) with the C2PA TSA Trust List beside it;
- `legacy`: the CAI Verify site's interim "known certificate" list (anchors, allowed end-entity
  certificates, EKU configuration), frozen on 2026-01-01; a second, clearly named level;
- `user`: a PEM file the user supplies (`--trust-anchors`), added to the installed lists or replacing them.
Where the installed lists live and how they are refreshed: `trustlists.py` and `refresh.py`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vidsleuth.errors import VidsleuthError

NO_TRUST_LIST = "none: signer trust not checked"
INSTALL_HINT = (
    "install the C2PA trust lists with `vidsleuth trust refresh --from <copy of c2pa-org/conformance-public>`"
)
PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
_TRUST_FILE_MAX_BYTES = 16 * 1024 * 1024

TrustLevel = Literal["official", "legacy", "user"]
TrustMode = Literal["add", "replace"]


class TrustAnchorsError(VidsleuthError, ValueError):
    """A trust-list file is missing, unreadable, too big, or not a PEM list of certificates (one line)."""


@dataclass(frozen=True, slots=True)
class TrustList:
    """One trust list at one level, as c2pa is given it (one list per read: see `reader.py`)."""

    key: str  # what c2pa's explanations and the report use: "c2pa-official", "cai-interim", "user:x.pem"
    level: TrustLevel
    title: str  # in words: "C2PA Trust List"
    anchors: str  # PEM: trust anchors (roots or issuing CAs)
    certificates: int  # claim-signing anchors (and allowed end-entity certificates)
    sha256: str  # first 12 hex of the digest of everything the list holds
    as_of: str | None = None  # the list's issue date (official) or its snapshot date (legacy)
    next_update: str | None = None  # official lists announce their next issue
    stale: bool = False  # past its next update: a newer list exists
    tsa_anchors: str | None = None  # PEM: time-stamping authorities (official TSA list)
    allowed: str | None = None  # PEM: end-entity certificates trusted as they are (legacy list)
    config: str | None = None  # EKU OIDs a signing certificate must carry, one a line (legacy list)
    source: str | None = None  # repository@commit the list was taken from
    tsa_certificates: int = 0

    @property
    def label(self) -> str:
        """What the report shows for it: title, level, date, size, digest."""
        parts: list[str] = [self.level]
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        plural = "s" if self.certificates != 1 else ""
        parts.append(f"{self.certificates} certificate{plural}")
        if self.tsa_certificates:
            parts[-1] += f" + {self.tsa_certificates} TSA"
        if self.source:
            parts.append(self.source)
        parts.append(f"sha256 {self.sha256}")
        text = f"{self.title} ({', '.join(parts)})"
        if self.stale and self.next_update:
            text += f" - past its next update {self.next_update[:10]}: refresh it"
        return text

    def c2pa_anchors(self) -> list[dict[str, str]]:
        """The `trust.anchors` entries of this list: a manifest entry, and a TSA entry when it has one."""
        entry = {"trust_anchors": self.anchors, "trust_kind": "manifest", "trust_uri": self.key}
        if self.allowed:
            entry["allowed_list"] = self.allowed
        if self.config:
            entry["trust_config"] = self.config
        entries = [entry]
        if self.tsa_anchors:
            entries.append(
                {"trust_anchors": self.tsa_anchors, "trust_kind": "tsa", "trust_uri": self.key + "#tsa"}
            )
        return entries

    @classmethod
    def user(cls, path: str | os.PathLike[str]) -> TrustList:
        """A user-supplied PEM file of trust anchors."""
        p = Path(path)
        text, count = read_pem(p, "trust anchors file")
        return cls(
            key=f"user:{p.name}",
            level="user",
            title=f"user-supplied list {p.name}",
            anchors=text,
            certificates=count,
            sha256=digest(text),
        )


def digest(*parts: str | None) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update((part or "").encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:12]


def read_pem(path: Path, what: str) -> tuple[str, int]:
    """Read a PEM list and parse every certificate; TrustAnchorsError with one line on any problem."""
    try:
        size = path.stat().st_size
        if size > _TRUST_FILE_MAX_BYTES:
            raise TrustAnchorsError(
                f"{what} {path.name!r} is {size} bytes; expected a PEM list under "
                f"{_TRUST_FILE_MAX_BYTES // 1024**2} MB"
            )
        text = path.read_bytes().decode("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrustAnchorsError(
            f"could not read {what} {path.name!r} ({type(exc).__name__}); expected a readable PEM file of "
            "certificates"
        ) from None
    count = check_pem(text, f"{what} {path.name!r}")
    return text, count


def check_pem(text: str, what: str) -> int:
    """Parse every certificate of a PEM text; the count. c2pa would accept a bad one and trust nothing."""
    count = text.count(PEM_BEGIN)
    if count == 0:
        raise TrustAnchorsError(
            f"{what} holds no '{PEM_BEGIN}' block; expected PEM-encoded X.509 certificates"
        )
    from cryptography import x509  # a dependency of c2pa-python

    try:
        parsed = x509.load_pem_x509_certificates(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise TrustAnchorsError(
            f"{what} holds a certificate that does not parse ({exc}); expected PEM-encoded X.509 certificates"
        ) from None
    if len(parsed) != count:
        raise TrustAnchorsError(f"{what}: {count} PEM blocks but {len(parsed)} certificates parse")
    return count


def describe(lists: Sequence[TrustList], mode: TrustMode | None) -> str:
    """The report's one-line account of the lists used, in the order they were tried."""
    if not lists:
        return NO_TRUST_LIST
    text = ", then ".join(t.label for t in lists)
    if any(t.level == "user" for t in lists) and mode:
        text += (
            " (your list replaces the installed lists)"
            if mode == "replace"
            else " (your list is added after the installed lists)"
        )
    return text


# The c2pa-python 0.38 settings vidsleuth writes, and nothing else. c2pa accepts unknown and misspelled
# keys silently (measured: `trust.tsa_trust_anchors`, `verify.bogus`), so a typo would fail open; every
# settings object is checked against this schema before it is sent.
_SETTINGS_SCHEMA: dict[str, frozenset[str]] = {
    "verify": frozenset(
        {
            "verify_after_reading",
            "verify_trust",
            "verify_timestamp_trust",
            "ocsp_fetch",
            "remote_manifest_fetch",
        }
    ),
    "core": frozenset({"allowed_network_hosts"}),
    "trust": frozenset({"anchors"}),
}
_ANCHOR_KEYS = frozenset({"trust_anchors", "trust_kind", "trust_uri", "allowed_list", "trust_config"})
_TRUST_KINDS = frozenset({"manifest", "tsa"})


def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` unchanged, or ValueError naming the first key c2pa would silently ignore."""
    for section, body in settings.items():
        allowed = _SETTINGS_SCHEMA.get(section)
        if allowed is None or not isinstance(body, dict):
            raise ValueError(f"c2pa settings: unknown section {section!r}")
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise ValueError(f"c2pa settings: unknown key(s) {section}.{', '.join(unknown)}")
    for entry in settings.get("trust", {}).get("anchors", []):
        unknown = sorted(set(entry) - _ANCHOR_KEYS)
        if unknown or entry.get("trust_kind") not in _TRUST_KINDS or not entry.get("trust_anchors"):
            raise ValueError(f"c2pa settings: bad trust.anchors entry (keys {sorted(entry)})")
    return settings
