"""Trust anchors: the PEM list of CA certificates that C2PA signers are verified against.

Why this module exists: the trust list is the one input that decides whether a signer is "trusted", and
c2pa-rs is lenient with it (it accepts a PEM block with garbage inside and then trusts nothing). So the
list is read and every certificate parsed here first, and the report names the list it used by file name,
certificate count and content digest. Without a list, signer trust is simply not checked
(`NO_TRUST_LIST`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from vidsleuth.errors import VidsleuthError

NO_TRUST_LIST = "none: signer trust not checked"
_TRUST_FILE_MAX_BYTES = 16 * 1024 * 1024


class TrustAnchorsError(VidsleuthError, ValueError):
    """The trust anchors file is missing, unreadable, or not a PEM list of certificates."""


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
