"""Options of the provenance signal: which trust lists C2PA signers are verified against, and how to read.

Trust lists (docs/signals/provenance.md, "Trust lists"): the lists installed by `vidsleuth trust refresh`
are used by default, at the levels named in `trust_levels` (official first, then legacy); a user's PEM
file (`trust_anchors`, `--trust-anchors`) is added after them (`trust_mode=add`) or replaces them
(`trust_mode=replace`). `validate` records content digests of the lists, so that the settings digest
follows what the lists hold, not where they are.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from typing import Literal, Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions
from vidsleuth.signals.provenance.trustlists import ENV_DIR, LEVELS, installed_digest, resolve_trust_dir


@dataclass(frozen=True, slots=True)
class ProvenanceOptions(SignalOptions):
    trust_lists: str | None = field(
        default=None,
        metadata={
            "env": ENV_DIR,
            "help": "directory of the trust lists `vidsleuth trust refresh` installs (default: "
            "~/.local/share/vidsleuth/trust)",
        },
    )
    trust_levels: tuple[str, ...] = field(
        default=LEVELS,
        metadata={"help": "installed levels to use, in order: official, legacy (empty: none)"},
    )
    trust_anchors: str | None = field(
        default=None, metadata={"help": "your own PEM file of C2PA trust anchors (see trust_mode)"}
    )
    trust_mode: Literal["add", "replace"] = field(
        default="add", metadata={"help": "your trust anchors add to the installed lists, or replace them"}
    )
    # Filled in by `validate`, so that the settings digest follows the lists' content, not their path.
    trust_anchors_sha256: str | None = field(default=None, metadata={"help": "(set by vidsleuth)"})
    trust_lists_sha256: str | None = field(default=None, metadata={"help": "(set by vidsleuth)"})
    isolate: bool = field(default=True, metadata={"help": "read C2PA in a child process with a time limit"})
    timeout_s: float | None = field(default=None, metadata={"help": "time limit of the C2PA read (s)"})

    def validate(self) -> Self:
        if self.timeout_s is not None and not 0 < self.timeout_s <= 3600:
            raise ConfigError(f"provenance.timeout_s must be within (0, 3600], got {self.timeout_s}")
        if self.trust_mode not in ("add", "replace"):
            raise ConfigError(f"provenance.trust_mode must be add or replace, got {self.trust_mode!r}")
        unknown = [level for level in self.trust_levels if level not in LEVELS]
        if unknown:
            raise ConfigError(
                f"provenance.trust_levels: unknown level {unknown[0]!r} (known: {', '.join(LEVELS)})"
            )
        if self.trust_mode == "replace" and not self.trust_anchors:
            raise ConfigError(
                "provenance.trust_mode=replace needs your own trust anchors (--trust-anchors FILE)"
            )
        lists_digest = None
        if self.trust_lists and not os.path.isdir(os.path.expanduser(self.trust_lists)):
            raise ConfigError(
                f"trust lists {self.trust_lists!r}: no such directory (install the lists there with "
                "`vidsleuth trust refresh --from <copy of c2pa-org/conformance-public>`)"
            )
        if self.trust_mode == "add" and self.trust_levels:
            lists_digest = installed_digest(resolve_trust_dir(self.trust_lists))
        anchors_digest = None
        if self.trust_anchors:
            shown = self.trust_anchors
            if not os.path.isfile(shown):
                raise ConfigError(
                    f"trust anchors {shown!r}: no such file (expected a PEM file of certificates)"
                )
            try:
                with open(shown, "rb") as fh:
                    anchors_digest = hashlib.sha256(fh.read()).hexdigest()
            except OSError as exc:
                raise ConfigError(
                    f"trust anchors {shown!r}: cannot be read ({exc.strerror or exc})"
                ) from None
        return dataclasses.replace(self, trust_anchors_sha256=anchors_digest, trust_lists_sha256=lists_digest)
