"""Options of the provenance signal: the trust list to verify C2PA signers against, and how to read."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from typing import Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions


@dataclass(frozen=True, slots=True)
class ProvenanceOptions(SignalOptions):
    trust_anchors: str | None = field(
        default=None, metadata={"help": "PEM file of C2PA trust anchors to verify signers against"}
    )
    # Filled in by `validate`, so that the settings digest follows the list's content, not its path.
    trust_anchors_sha256: str | None = field(default=None, metadata={"help": "(set by vidsleuth)"})
    isolate: bool = field(default=True, metadata={"help": "read C2PA in a child process with a time limit"})
    timeout_s: float | None = field(default=None, metadata={"help": "time limit of the C2PA read (s)"})

    def validate(self) -> Self:
        if self.timeout_s is not None and not 0 < self.timeout_s <= 3600:
            raise ConfigError(f"provenance.timeout_s must be within (0, 3600], got {self.timeout_s}")
        if not self.trust_anchors:
            return dataclasses.replace(self, trust_anchors_sha256=None)
        shown = self.trust_anchors
        if not os.path.isfile(shown):
            raise ConfigError(f"trust anchors {shown!r}: no such file (expected a PEM file of certificates)")
        try:
            with open(shown, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
        except OSError as exc:
            raise ConfigError(f"trust anchors {shown!r}: cannot be read ({exc.strerror or exc})") from None
        return dataclasses.replace(self, trust_anchors_sha256=digest)
