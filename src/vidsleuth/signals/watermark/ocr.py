"""OCR adapter: the only module that imports the OCR library, and only when there is something to read.

The engine is RapidOCR 3.x on onnxruntime: it ships PP-OCR detection and recognition models inside its
wheel (no download at run time), reads Latin and Chinese, and depends on OpenCV's headless build, the one
vidsleuth already uses (see ../shared/MODELS.md and docs/signals/watermark.md for the comparison with
rapidocr-onnxruntime 1.4 and Tesseract). Importing it costs about a second, so it happens on the first
`read`, never on `import vidsleuth`.

Marks are small (a 264x480 Sora video has a 57x20 px mark with 4 px high handle text), so crops are
scaled up before reading, and the detector is kept to a small input size: reading a crop costs about
0.1-0.2 s on two cores.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vidsleuth.errors import SignalUnavailableError

PIP_HINT = "pip install 'rapidocr>=3.10,<4' onnxruntime (they come with vidsleuth's default install)"
# Crops are scaled so that their height is at least this many pixels (measured: the puppy advert's
# handle is read at 64-96 px, not at its native 35 px) and at most UPSCALE_MAX times.
MIN_CROP_HEIGHT = 96
UPSCALE_MAX = 4.0
# The text detector's input is limited to this longer side: enough for a mark crop, cheap to run.
DET_MAX_SIDE = 480
ONNX_THREADS = 1
# Lines read with less confidence than this are dropped by the engine.
MIN_LINE_SCORE = 0.5

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class OcrLine:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # x, y, w, h in the pixels of the image passed to `read`


def is_available() -> tuple[bool, str]:
    missing = [m for m in ("rapidocr", "onnxruntime") if importlib.util.find_spec(m) is None]
    if missing:
        return False, f"OCR engine missing ({', '.join(missing)}): {PIP_HINT}"
    return True, ""


def engine_name() -> str:
    try:
        version = importlib.metadata.version("rapidocr")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return f"rapidocr {version} (PP-OCR, onnxruntime)"


class OcrEngine:
    """A lazily created RapidOCR instance. Thread-safe for the one-reader-at-a-time use the signal makes."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()
        self.calls = 0
        self.seconds = 0.0

    def _load(self) -> Any:
        if self._engine is None:
            ok, why = is_available()
            if not ok:
                raise SignalUnavailableError(why)
            from rapidocr import RapidOCR

            self._engine = RapidOCR(
                params={
                    "Global.log_level": "critical",
                    "Global.text_score": MIN_LINE_SCORE,
                    "Det.limit_side_len": DET_MAX_SIDE,
                    "Det.limit_type": "max",
                    # One thread: crops are small, and onnxruntime's spinning thread pool costs more CPU
                    # than it saves (measured: 0.08 s CPU per crop on one thread, 0.2 s on two).
                    "EngineConfig.onnxruntime.intra_op_num_threads": ONNX_THREADS,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
            )
        return self._engine

    def read(self, image: Image) -> list[OcrLine]:
        """Text lines in `image` (gray or RGB), top to bottom, boxes in the input's pixels."""
        import time

        import cv2

        if image.ndim == 2:
            image = np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
        h, w = image.shape[:2]
        if h < 4 or w < 4:
            return []
        scale = min(UPSCALE_MAX, max(1.0, MIN_CROP_HEIGHT / h))
        if scale > 1.0:
            size = (round(w * scale), round(h * scale))
            image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)
        with self._lock:
            engine = self._load()
            t0 = time.monotonic()
            out = engine(np.ascontiguousarray(image), use_cls=False)
            self.seconds += time.monotonic() - t0
            self.calls += 1
        if out.txts is None or out.boxes is None:
            return []
        lines = []
        for text, score, quad in zip(out.txts, out.scores, out.boxes, strict=False):
            xs = [float(p[0]) / scale for p in quad]
            ys = [float(p[1]) / scale for p in quad]
            x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
            box = (x0, y0, max(1, int(max(xs)) - x0), max(1, int(max(ys)) - y0))
            lines.append(OcrLine(str(text).strip(), float(score), box))
        lines.sort(key=lambda ln: (ln.box[1], ln.box[0]))
        return [ln for ln in lines if ln.text]
