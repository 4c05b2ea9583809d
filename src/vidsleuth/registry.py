"""The signal registry: one explicit list of signal classes, unique by name.

Built-in signals are registered by the pipeline; third-party signals register through the
``vidsleuth.signals`` entry-point group. A duplicate name is an error at start-up; a third-party
signal that fails to load is recorded (and listed by `vidsleuth signals`) and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import metadata

from vidsleuth.core.signal import FrameSignal, Signal
from vidsleuth.errors import RegistryError

ENTRY_POINT_GROUP = "vidsleuth.signals"


class SignalRegistry:
    def __init__(self, signals: Iterable[type[Signal]] = ()) -> None:
        self._signals: dict[str, type[Signal]] = {}
        self.broken: dict[str, str] = {}  # entry-point name -> why it could not be loaded
        for cls in signals:
            self.register(cls)

    def register(self, cls: type[Signal]) -> type[Signal]:
        name = getattr(cls, "NAME", None)
        version = getattr(cls, "VERSION", None)
        if not isinstance(name, str) or not name.isidentifier():
            raise RegistryError(f"signal {cls.__qualname__} needs a NAME that is an identifier, got {name!r}")
        if not isinstance(version, str) or not version:
            raise RegistryError(f"signal {name!r} needs a VERSION string")
        if not issubclass(cls, Signal):
            raise RegistryError(f"{cls.__qualname__} is not a vidsleuth Signal")
        existing = self._signals.get(name)
        if existing is not None:
            raise RegistryError(
                f"two signals are named {name!r}: {existing.__module__}.{existing.__qualname__} and "
                f"{cls.__module__}.{cls.__qualname__}; rename one"
            )
        self._signals[name] = cls
        return cls

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        for ep in metadata.entry_points(group=group):
            try:
                loaded = ep.load()
            except Exception as exc:  # a broken extension is recorded and skipped
                self.broken[ep.name] = f"could not be imported: {type(exc).__name__}: {exc}"
                continue
            if not (isinstance(loaded, type) and issubclass(loaded, Signal)):
                self.broken[ep.name] = f"entry point {ep.value} is not a Signal class"
                continue
            self.register(loaded)

    def get(self, name: str) -> type[Signal]:
        try:
            return self._signals[name]
        except KeyError:
            known = ", ".join(sorted(self._signals)) or "none"
            raise RegistryError(f"no signal named {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        return list(self._signals)

    def __iter__(self) -> Iterator[type[Signal]]:
        return iter(self._signals.values())

    def __len__(self) -> int:
        return len(self._signals)

    def __contains__(self, name: object) -> bool:
        return name in self._signals


def is_frame_signal(cls: type[Signal]) -> bool:
    return issubclass(cls, FrameSignal)


def default_registry(entry_points: bool = True) -> SignalRegistry:
    """A new registry of the built-in signals, plus third-party ones from entry points."""
    from vidsleuth.signals import builtin_signals

    registry = SignalRegistry(builtin_signals())
    if entry_points:
        registry.load_entry_points()
    return registry


_SHARED: SignalRegistry | None = None


def shared_registry() -> SignalRegistry:
    """The process's default registry, built once (entry points are read once per process)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = default_registry()
    return _SHARED
