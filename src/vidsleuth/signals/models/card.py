"""The model card that sits beside a user's ONNX classifier: what it takes, what it says, what it is worth.

`--model PATH.onnx` needs `PATH.toml` or `PATH.json` (the same name, another suffix). The card says
everything needed to feed the model and to weigh what it says (docs/signals/models.md has the format):

    [model]                      name, sha256 (of the ONNX file, checked before loading), kind ("image":
                                 N x 3 x H x W; "clip": N x T x 3 x H x W), file (default: beside the card)
    [input]                      size = [H, W]; resize ("short_side_center_crop" | "stretch"); scale, mean,
                                 std (pixel / scale, then (x - mean) / std, per RGB channel);
                                 frames_per_clip (clip models); fps (sampling rate it was trained at)
    [output]                     kind ("logits" | "probabilities"), labels, positive (the "AI" label)
    [training]                   data: what it was trained on (sets, dates, generators)
    [validation]                 auc, on (the held-out set it was measured on), date
    [decision] (optional)        threshold (P(positive) at or above which the model flags a video) and
                                 false_positive_rate (measured there, on validation.on)

Everything is checked here, once per run, before any video is analysed: a card that is missing, does not
parse, lacks a field or holds a value of the wrong kind is one ConfigError line naming the file and the
field (exit 2).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vidsleuth.core.errors import ConfigError

CARD_SUFFIXES = (".toml", ".json")
MAX_CARD_BYTES = 64 * 1024
RESIZES = ("short_side_center_crop", "stretch")
FORMAT_HINT = "see the card format in docs/signals/models.md"

Kind = Literal["image", "clip"]


@dataclass(frozen=True, slots=True)
class Decision:
    threshold: float
    false_positive_rate: float


@dataclass(frozen=True, slots=True)
class ModelCard:
    path: Path  # the card itself
    model_file: Path
    name: str
    sha256: str
    kind: Kind
    height: int
    width: int
    resize: str
    scale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    frames_per_clip: int
    fps: float
    output_kind: str
    labels: tuple[str, ...]
    positive: str
    training: str
    validated_auc: float
    validated_on: str
    validated_date: str
    decision: Decision | None

    @property
    def positive_index(self) -> int:
        return self.labels.index(self.positive)


def card_path(model_path: Path) -> Path:
    """The card beside `model_path`, or a ConfigError saying which names were looked for."""
    for suffix in CARD_SUFFIXES:
        candidate = model_path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    names = " or ".join(model_path.with_suffix(s).name for s in CARD_SUFFIXES)
    raise ConfigError(f"model {model_path}: no model card beside it (expected {names}; {FORMAT_HINT})")


def _read(path: Path) -> Mapping[str, Any]:
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            raise ConfigError(f"model card {path}: larger than {MAX_CARD_BYTES // 1024} KiB")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"model card {path}: cannot be read ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    try:
        raw: Any = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"model card {path}: not valid {path.suffix[1:].upper()} ({exc})") from None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"model card {path}: expected a table of sections, {FORMAT_HINT}")
    return raw


class _Fields:
    """Typed access to the card's sections; every problem is one ConfigError naming the field."""

    def __init__(self, path: Path, raw: Mapping[str, Any]) -> None:
        self.path, self.raw = path, raw

    def _fail(self, where: str, what: str) -> ConfigError:
        return ConfigError(f"model card {self.path}: {where} {what} ({FORMAT_HINT})")

    def get(self, section: str, key: str, default: Any = ...) -> Any:
        table = self.raw.get(section)
        if table is None and default is not ...:
            return default
        if not isinstance(table, Mapping):
            raise self._fail(f"[{section}]", "is missing")
        if key not in table:
            if default is ...:
                raise self._fail(f"{section}.{key}", "is missing")
            return default
        return table[key]

    def text(self, section: str, key: str, default: Any = ...) -> str:
        value = self.get(section, key, default)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(f"{section}.{key}", "must be a non-empty string")
        return value.strip()

    def number(
        self, section: str, key: str, default: Any = ..., low: float = -math.inf, high: float = math.inf
    ) -> float:
        value = self.get(section, key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self._fail(f"{section}.{key}", f"must be a number, got {value!r}")
        if not low <= value <= high:
            raise self._fail(f"{section}.{key}", f"must be within [{low:g}, {high:g}], got {value}")
        return float(value)

    def triple(
        self, section: str, key: str, default: tuple[float, float, float]
    ) -> tuple[float, float, float]:
        value = self.get(section, key, list(default))
        ok = isinstance(value, list) and len(value) == 3
        if not ok or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            raise self._fail(f"{section}.{key}", "must be three numbers (R, G, B)")
        return (float(value[0]), float(value[1]), float(value[2]))


def load_card(model_path: Path) -> ModelCard:
    """The checked card of `model_path` (the ONNX file itself is checked by `runner.open_model`)."""
    path = card_path(model_path)
    f = _Fields(path, _read(path))
    kind = f.text("model", "kind")
    if kind not in ("image", "clip"):
        raise ConfigError(f"model card {path}: model.kind must be 'image' or 'clip', got {kind!r}")
    sha = f.text("model", "sha256").lower()
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ConfigError(f"model card {path}: model.sha256 must be 64 hex digits")
    file_name = f.text("model", "file", model_path.name)
    model_file = (path.parent / file_name).resolve()
    if model_file != model_path.resolve():
        raise ConfigError(f"model card {path}: describes {file_name}, not {model_path.name}")
    size = f.get("input", "size")
    if not (
        isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and 8 <= v <= 4096 for v in size)
    ):
        raise ConfigError(f"model card {path}: input.size must be [height, width] in pixels (8-4096)")
    resize = f.text("input", "resize", "short_side_center_crop")
    if resize not in RESIZES:
        raise ConfigError(f"model card {path}: input.resize must be one of {', '.join(RESIZES)}")
    std = f.triple("input", "std", (1.0, 1.0, 1.0))
    if any(not s > 0 for s in std):
        raise ConfigError(f"model card {path}: input.std must be positive")
    frames = f.number("input", "frames_per_clip", 1 if kind == "image" else ..., 1, 256)
    output_kind = f.text("output", "kind", "logits")
    if output_kind not in ("logits", "probabilities"):
        raise ConfigError(f"model card {path}: output.kind must be 'logits' or 'probabilities'")
    labels = f.get("output", "labels")
    if not (isinstance(labels, list) and len(labels) >= 2 and all(isinstance(v, str) and v for v in labels)):
        raise ConfigError(f"model card {path}: output.labels must list at least two label names")
    if len(set(labels)) != len(labels):
        raise ConfigError(f"model card {path}: output.labels repeats a name")
    positive = f.text("output", "positive")
    if positive not in labels:
        raise ConfigError(f"model card {path}: output.positive {positive!r} is not one of output.labels")
    decision = None
    if "decision" in f.raw:
        decision = Decision(
            threshold=f.number("decision", "threshold", ..., 0.0, 1.0),
            false_positive_rate=f.number("decision", "false_positive_rate", ..., 0.0, 1.0),
        )
    return ModelCard(
        path=path,
        model_file=model_file,
        name=f.text("model", "name"),
        sha256=sha,
        kind="image" if kind == "image" else "clip",
        height=int(size[0]),
        width=int(size[1]),
        resize=resize,
        scale=f.number("input", "scale", 255.0, 1e-6),
        mean=f.triple("input", "mean", (0.0, 0.0, 0.0)),
        std=std,
        frames_per_clip=int(frames) if kind == "clip" else 1,
        fps=f.number("input", "fps", 1.0 if kind == "image" else 8.0, 0.01, 120.0),
        output_kind=output_kind,
        labels=tuple(labels),
        positive=positive,
        training=f.text("training", "data"),
        validated_auc=f.number("validation", "auc", ..., 0.0, 1.0),
        validated_on=f.text("validation", "on"),
        validated_date=str(f.get("validation", "date", "")).strip(),
        decision=decision,
    )
