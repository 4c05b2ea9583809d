"""The `faces` signal: see signal.py for what it asks and docs/signals/faces.md for its card."""

from vidsleuth.signals.faces.signal import FacesSignal

__all__ = ["FacesSignal"]
