"""`analyze(source, settings) -> Report`: the one call every front end makes.

The pipeline is the only module that knows every signal (through the registry). It opens and probes the
file, runs whole-file signals, drives one shared decode for the frame signals, fuses the evidence into a
verdict under the run's calibration (the one the settings name, else the shipped default, rules@1) and
assembles the report. Each signal runs inside its own error boundary: a signal that crashes
becomes a `failed` result in the report and every other signal still runs. Only problems with the input
itself (missing, not a video, nothing decodable) raise, as `InputError`.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from vidsleuth._version import __version__
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult
from vidsleuth.core.settings import Settings
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Signal
from vidsleuth.errors import ConfigError
from vidsleuth.fusion.calibrated import fuse_with
from vidsleuth.fusion.calibration import Calibration, CalibrationError, calibration_for, load_calibration
from vidsleuth.media import FrameConsumer, decode_shared, hash_file, open_source, probe, spooled_bytes
from vidsleuth.registry import SignalRegistry
from vidsleuth.signals import builtin_signals


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """What the pipeline is doing now: stage is hash, probe, signal, decode, fuse or done."""

    stage: str
    fraction: float = 0.0
    signal: str | None = None
    status: str | None = None


ProgressCallback = Callable[[ProgressEvent], None]


def default_registry(entry_points: bool = True) -> SignalRegistry:
    registry = SignalRegistry(builtin_signals())
    if entry_points:
        registry.load_entry_points()
    return registry


_DEFAULT_REGISTRY: SignalRegistry | None = None


def _registry() -> SignalRegistry:
    global _DEFAULT_REGISTRY
    if _DEFAULT_REGISTRY is None:
        _DEFAULT_REGISTRY = default_registry()
    return _DEFAULT_REGISTRY


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _select(registry: SignalRegistry, settings: Settings) -> list[type[Signal]]:
    unknown = [n for n in (*settings.only, *settings.disable) if n not in registry]
    if unknown:
        raise ConfigError(f"unknown signal(s): {', '.join(unknown)} (known: {', '.join(registry.names())})")
    return list(registry)


def analyze(
    source: str | os.PathLike[str] | bytes,
    settings: Settings | None = None,
    *,
    progress: ProgressCallback | None = None,
    registry: SignalRegistry | None = None,
    display_name: str | None = None,
) -> Report:
    """Analyse one video and return its report. Raises InputError when the input is not analysable."""
    if isinstance(source, bytes | bytearray):
        with spooled_bytes(bytes(source)) as tmp:
            return analyze(
                tmp, settings, progress=progress, registry=registry, display_name=display_name or "stdin"
            )
    settings, calibration = resolve_calibration(_with_trust_digest(settings or Settings()))
    registry = registry or _registry()
    notify = progress or (lambda _event: None)
    started = time.monotonic()
    classes = _select(registry, settings)

    notify(ProgressEvent("hash"))
    src = open_source(source, display_name)
    notify(ProgressEvent("probe"))
    media = probe(src, settings.max_pixels)
    ctx = AnalysisContext(source=src, media=media, settings=settings)

    results: dict[str, SignalResult] = {}
    frame_signals: list[tuple[FrameSignal, float]] = []
    consumers: list[FrameConsumer] = []
    for cls in classes:
        name, version = cls.NAME, cls.VERSION
        if not settings.wants(name):
            results[name] = SignalResult.skipped(name, version, "turned off in settings")
            continue
        available, why = cls.is_available()
        if not available:
            results[name] = SignalResult.skipped(name, version, why or "not available on this machine")
            continue
        t0 = time.monotonic()
        try:
            instance = cls()
            if isinstance(instance, FrameSignal):
                consumers.append(_consumer(instance, ctx, results))
                frame_signals.append((instance, time.monotonic() - t0))
                continue
            notify(ProgressEvent("signal", signal=name))
            result = instance.analyze(ctx)
        except Exception as exc:  # each signal fails alone
            result = SignalResult.failed(name, version, _error_text(exc))
        results[name] = result.with_elapsed(time.monotonic() - t0)
        notify(ProgressEvent("signal", 1.0, signal=name, status=results[name].status.value))

    if consumers:
        t_decode = time.monotonic()
        stats = decode_shared(
            src,
            media,
            consumers,
            progress=lambda f: notify(ProgressEvent("decode", f)),
        )
        decode_s = time.monotonic() - t_decode
        ctx = ctx.with_decode(stats)
        for instance, setup_s in frame_signals:
            name, version = instance.NAME, instance.VERSION
            if name in results:  # failed while processing frames
                continue
            t0 = time.monotonic()
            try:
                result = instance.finalize(ctx)
            except Exception as exc:
                result = SignalResult.failed(name, version, _error_text(exc))
            # Frame signals share the decode; each is charged its own setup and finalize time plus the
            # shared decode time, so elapsed_s is an upper bound for each.
            results[name] = result.with_elapsed(setup_s + decode_s + time.monotonic() - t0)
            notify(ProgressEvent("signal", 1.0, signal=name, status=results[name].status.value))

    ordered = tuple(results[cls.NAME] for cls in classes)
    notify(ProgressEvent("fuse"))
    verdict = fuse_with(ordered, calibration)
    report = Report(
        tool_version=__version__,
        created_at=_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        source=src,
        media=media,
        settings=settings.to_dict(),
        settings_digest=settings.digest(),
        results=ordered,
        verdict=verdict,
        elapsed_s=time.monotonic() - started,
    )
    notify(ProgressEvent("done", 1.0))
    return report


def resolve_calibration(settings: Settings) -> tuple[Settings, Calibration]:
    """The run's calibration, loaded and checked, and the settings with its sha256 recorded.

    The one `settings.calibration` names, else the shipped default. Front ends call this once up front to
    report a missing, unreadable, malformed or newer-schema file as a one-line CalibrationError (a
    ConfigError). `analyze` calls it too; once the sha256 is recorded that costs nothing, since loads are
    cached by (path, sha256), and the signals that read the calibration (`calibration_for`) get the same
    object. Settings without the sha256 re-read the file, so a long-lived process sees a replaced file.
    """
    if not settings.calibration:
        return settings, calibration_for(settings)
    expected = settings.calibration_sha256 or load_calibration(settings.calibration).sha256
    settings = replace(settings, calibration_sha256=expected)
    calibration = calibration_for(settings)
    if calibration.sha256 != expected:
        raise CalibrationError(
            f"calibration {settings.calibration!r}: its content changed since it was checked (sha256 "
            f"{calibration.sha256[:12]}, expected {expected[:12]}); run again"
        )
    return settings, calibration


def _with_trust_digest(settings: Settings) -> Settings:
    """Record the trust list's content hash, so that the settings digest changes when the file does."""
    if not settings.trust_anchors or settings.trust_anchors_sha256:
        return settings
    try:
        digest = hash_file(settings.trust_anchors)
    except OSError:
        return settings  # the provenance signal reports an unusable trust list
    return replace(settings, trust_anchors_sha256=digest)


def _consumer(instance: FrameSignal, ctx: AnalysisContext, results: dict[str, SignalResult]) -> FrameConsumer:
    instance.start(ctx)

    def on_error(exc: BaseException) -> None:
        results[instance.NAME] = SignalResult.failed(
            instance.NAME, instance.VERSION, f"while processing frames: {_error_text(exc)}"
        )

    def on_frame(sample: FrameSample) -> None:
        instance.process_frame(sample)

    return FrameConsumer(instance.NAME, instance.sampling(ctx), on_frame, on_error)
