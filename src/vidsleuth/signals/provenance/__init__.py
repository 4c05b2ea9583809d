"""The `provenance` signal: see signal.py for what it asks and docs/signals/provenance.md for its card."""

from vidsleuth.signals.provenance.signal import ProvenanceSignal

__all__ = ["ProvenanceSignal"]
