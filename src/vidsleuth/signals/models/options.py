"""Options of the models signal: the user's ONNX classifiers (``--model PATH``, repeatable).

`validate` reads each model's card, checks the file's sha256 against it and loads it (once per process),
so a missing card, a wrong checksum or a model whose shapes do not match its card stops the run before any
video is analysed, with one line (exit 2). It records the sha256 of each model and of its card, so the
settings digest follows what the models are and what their cards say, not only where they are.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.options import SignalOptions
from vidsleuth.signals.models.card import load_card
from vidsleuth.signals.models.runner import file_sha256, open_model

MAX_MODELS = 8


@dataclass(frozen=True, slots=True)
class ModelsOptions(SignalOptions):
    paths: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "ONNX image or clip classifiers, each with its model card beside it (--model PATH)"
        },
    )
    max_frames: int = field(default=32, metadata={"help": "frames scored per image model, spread evenly"})
    max_clips: int = field(default=8, metadata={"help": "clips scored per clip model, spread evenly"})
    # Filled in by `validate`: the models' and their cards' content, so that the settings digest follows it.
    sha256: tuple[str, ...] = field(default=(), metadata={"help": "(set by vidsleuth)"})
    card_sha256: tuple[str, ...] = field(default=(), metadata={"help": "(set by vidsleuth)"})

    def validate(self) -> Self:
        if len(self.paths) > MAX_MODELS:
            raise ConfigError(f"models: {len(self.paths)} models given; at most {MAX_MODELS} per run")
        if not 1 <= self.max_frames <= 1000:
            raise ConfigError(f"models.max_frames must be within [1, 1000], got {self.max_frames}")
        if not 1 <= self.max_clips <= 100:
            raise ConfigError(f"models.max_clips must be within [1, 100], got {self.max_clips}")
        resolved: list[str] = []
        cards = []
        for item in self.paths:
            path = Path(os.path.expanduser(item))
            if not path.is_file():
                raise ConfigError(f"model {item!r}: no such file")
            card = load_card(path)
            open_model(card)
            resolved.append(str(path))
            cards.append(card)
        names = [c.name for c in cards]
        if len(set(names)) != len(names):
            raise ConfigError("models: two model cards give the same model.name; names must tell them apart")
        return dataclasses.replace(
            self,
            paths=tuple(resolved),
            sha256=tuple(c.sha256 for c in cards),
            card_sha256=tuple(file_sha256(c.path) for c in cards),
        )
