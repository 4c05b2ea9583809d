"""`analyze(source, settings) -> Report`: the one call every front end makes.

The pipeline is the only module that knows every signal (through the registry). It checks the settings
once (`prepare_settings`), opens and probes the file, runs whole-file signals, drives one shared decode
for the frame signals, weighs learned measurements and fuses the evidence into a verdict under the run's
calibration (the one the settings name, else the shipped default, rules@1), and assembles the report;
with a bank configured it adds what the bank holds that shares the video's provenance (vidsleuth.related).
Each signal runs inside its own error boundary: a signal that crashes becomes a `failed` result in the
report and every other signal still runs. Only problems with the input itself (missing, not a video,
nothing decodable) raise, as `InputError`; bad settings raise `ConfigError` before any work.

Calibration is applied here and only here: signals emit raw measurements (`data["learned"]`), this
module has them weighed and fused in one call, `fusion.weigh_and_fuse`.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from vidsleuth._version import __version__
from vidsleuth.core.media import OpenedMedia
from vidsleuth.core.options import SignalOptions
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult
from vidsleuth.core.settings import Settings
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal
from vidsleuth.errors import ConfigError
from vidsleuth.fusion import weigh_and_fuse
from vidsleuth.fusion.calibration import CalibrationError, calibration_for, load_calibration
from vidsleuth.media import FrameConsumer, decode_shared, open_media, spooled_bytes
from vidsleuth.registry import SignalRegistry, default_registry, shared_registry
from vidsleuth.related import with_related

__all__ = ["ProgressCallback", "ProgressEvent", "analyze", "default_registry", "prepare_settings"]


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """What the pipeline is doing now: stage is hash, probe, signal, decode, fuse or done."""

    stage: str
    fraction: float = 0.0
    signal: str | None = None
    status: str | None = None


ProgressCallback = Callable[[ProgressEvent], None]


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def prepare_settings(settings: Settings, registry: SignalRegistry | None = None) -> Settings:
    """Check `settings` against the registry once and return them ready to run (``prepared=True``).

    Unknown signal names (in only, disable or options), options that do not fit a signal's options class
    and an unusable calibration file raise one-line ConfigErrors. Each signal's options become its typed
    options, validated (which resolves the default bank file, a trust list's hash...); environment
    variables named by option fields are read here. The calibration file is read and its sha256
    recorded, so the settings digest follows its content. Prepared settings are returned as they are.
    """
    if settings.prepared:
        return settings
    registry = registry or shared_registry()
    named = (*settings.only, *settings.disable, *settings.options)
    unknown = sorted({n for n in named if n not in registry})
    if unknown:
        raise ConfigError(f"unknown signal(s): {', '.join(unknown)} (known: {', '.join(registry.names())})")
    options: dict[str, SignalOptions] = {}
    for cls in registry:
        raw = settings.options.get(cls.NAME)
        if isinstance(raw, SignalOptions) and not isinstance(raw, cls.OPTIONS):
            raise ConfigError(
                f"{cls.NAME}: options of type {type(raw).__name__} given, expected {cls.OPTIONS.__name__}"
            )
        if not settings.wants(cls.NAME):
            continue
        opts = raw if isinstance(raw, SignalOptions) else cls.OPTIONS.parse(raw or {}, signal=cls.NAME)
        options[cls.NAME] = opts.validate()
    if settings.max_duration_s is not None and not settings.max_duration_s > 0:
        raise ConfigError(
            f"max_duration_s must be a positive number of seconds, got {settings.max_duration_s}"
        )
    if settings.max_pixels < 1:
        raise ConfigError(f"max_pixels must be at least 1, got {settings.max_pixels}")
    calibration_sha256 = None
    if settings.calibration:
        calibration_sha256 = load_calibration(settings.calibration).sha256
    return replace(settings, options=options, calibration_sha256=calibration_sha256, prepared=True)


def analyze(
    source: str | os.PathLike[str] | bytes | OpenedMedia,
    settings: Settings | None = None,
    *,
    progress: ProgressCallback | None = None,
    registry: SignalRegistry | None = None,
    display_name: str | None = None,
) -> Report:
    """Analyse one video and return its report. Raises InputError when the input is not analysable.

    `source` is a path, the bytes of a file, or an `OpenedMedia` that a front end already checked,
    hashed and probed (it is not read again)."""
    if isinstance(source, bytes | bytearray):
        with spooled_bytes(bytes(source)) as tmp:
            return analyze(
                tmp, settings, progress=progress, registry=registry, display_name=display_name or "stdin"
            )
    registry = registry or shared_registry()
    settings = prepare_settings(settings or Settings(), registry)
    calibration = calibration_for(settings)
    if settings.calibration and calibration.sha256 != settings.calibration_sha256:
        raise CalibrationError(
            f"calibration {settings.calibration!r}: its content changed since it was checked (sha256 "
            f"{calibration.sha256[:12]}, expected {(settings.calibration_sha256 or '')[:12]}); run again"
        )
    notify = progress or (lambda _event: None)
    started = time.monotonic()
    timings: dict[str, float] = {}

    if isinstance(source, OpenedMedia):
        opened = source
    else:
        notify(ProgressEvent("hash"))
        t0 = time.monotonic()
        opened = open_media(source, display_name, max_pixels=settings.max_pixels)
        timings["open_s"] = time.monotonic() - t0
    ctx = AnalysisContext(source=opened.source, media=opened.media, settings=settings)

    classes = list(registry)
    results: dict[str, SignalResult] = {}
    frame_signals: list[_Timed] = []
    for cls in classes:
        name, version = cls.NAME, cls.VERSION
        if not settings.wants(name):
            results[name] = SignalResult.skipped(name, version, "turned off in settings")
            continue
        available, why = cls.is_available()
        if not available:
            results[name] = SignalResult.skipped(name, version, why or "not available on this machine")
            continue
        clock = _Clock()
        try:
            with clock:
                instance = cls()
                if isinstance(instance, FrameSignal):
                    timed = _Timed(instance, clock)
                    timed.consumer = _consumer(timed, ctx, results)
                    frame_signals.append(timed)
                    continue
            notify(ProgressEvent("signal", signal=name))
            with clock:
                result = instance.analyze(ctx)
        except Exception as exc:  # each signal fails alone
            result = SignalResult.failed(name, version, _error_text(exc))
        results[name] = result.with_elapsed(clock.wall_s, clock.cpu_s)
        notify(ProgressEvent("signal", 1.0, signal=name, status=results[name].status.value))

    consumers = [t.consumer for t in frame_signals if t.consumer is not None]
    if consumers:
        t_decode = time.monotonic()
        stats = decode_shared(
            opened.source,
            opened.media,
            consumers,
            progress=lambda f: notify(ProgressEvent("decode", f)),
            max_pixels=settings.max_pixels,
            max_duration_s=settings.max_duration_s,
        )
        timings["decode_s"] = time.monotonic() - t_decode
        ctx = ctx.with_decode(stats)
        for timed in frame_signals:
            instance = timed.signal
            name, version = instance.NAME, instance.VERSION
            if name not in results:  # not failed while processing frames
                try:
                    with timed.clock:
                        result = instance.finalize(ctx)
                except Exception as exc:
                    result = SignalResult.failed(name, version, _error_text(exc))
                results[name] = result
            results[name] = results[name].with_elapsed(timed.clock.wall_s, timed.clock.cpu_s)
            notify(ProgressEvent("signal", 1.0, signal=name, status=results[name].status.value))

    ordered = tuple(results[cls.NAME] for cls in classes)
    notify(ProgressEvent("fuse"))
    t0 = time.monotonic()
    weighed, verdict = weigh_and_fuse(ordered, calibration)
    timings["fuse_s"] = time.monotonic() - t0
    report = Report(
        tool_version=__version__,
        created_at=_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        source=opened.source,
        media=opened.media,
        settings=settings.to_dict(),
        settings_digest=settings.digest(),
        results=weighed,
        verdict=verdict,
        elapsed_s=time.monotonic() - started,
        timings={k: round(v, 3) for k, v in timings.items()},
    )
    t0 = time.monotonic()
    report = with_related(report, settings)  # the bank's videos sharing its handle, signer, generator
    if report.related is not None:
        timings["related_s"] = time.monotonic() - t0
        report = replace(
            report,
            elapsed_s=time.monotonic() - started,
            timings={k: round(v, 3) for k, v in timings.items()},
        )
    notify(ProgressEvent("done", 1.0))
    return report


class _Clock:
    """Wall and CPU time of one signal's own work, summed over every call it is used around.

    CPU time is the calling thread's (`time.thread_time`): the shared decode runs in FFmpeg's own threads
    and is counted once for the report, not charged to each signal. (Wall time is not a stand-in: on a
    machine whose cores the decode threads keep busy, a signal's wall time includes the time it waited.)"""

    def __init__(self) -> None:
        self.wall_s = 0.0
        self.cpu_s = 0.0
        self._wall0 = 0.0
        self._cpu0 = 0.0

    def __enter__(self) -> _Clock:
        self._wall0, self._cpu0 = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s += time.perf_counter() - self._wall0
        self.cpu_s += time.thread_time() - self._cpu0


@dataclass(slots=True)
class _Timed:
    signal: FrameSignal
    clock: _Clock
    consumer: FrameConsumer | None = None


def _consumer(timed: _Timed, ctx: AnalysisContext, results: dict[str, SignalResult]) -> FrameConsumer:
    instance, clock = timed.signal, timed.clock
    instance.start(ctx)

    def on_error(exc: BaseException) -> None:
        results[instance.NAME] = SignalResult.failed(
            instance.NAME, instance.VERSION, f"while processing frames: {_error_text(exc)}"
        )

    def on_frame(sample: FrameSample) -> None:
        with clock:
            instance.process_frame(sample)

    return FrameConsumer(instance.NAME, instance.sampling(ctx), on_frame, on_error)
