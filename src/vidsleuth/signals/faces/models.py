"""dlib's face models, found and loaded by file path (the optional `faces` extra).

`dlib-bin` (a prebuilt wheel of dlib, Boost Software License) brings the HOG frontal-face detector and the
runtimes of the shape predictors and of the ResNet identity network. `face-recognition-models` ships the
trained files:

- ``shape_predictor_5_face_landmarks.dat``: eye corners and nose base; public domain (dlib-models README),
  trained on D. King's 5-point set. The default landmarks.
- ``dlib_face_recognition_resnet_model_v1.dat``: the 128-d identity descriptor; public domain by its
  author (trained on FaceScrub, VGG-Face and web images, which have their own terms).
- ``mmod_human_face_detector.dat``: the CNN detector, public domain; used only for reference photos the HOG
  detector misses (1.4 s per 640-px image: too slow for video).
- ``shape_predictor_68_face_landmarks.dat``: trained on iBUG 300-W, whose licence excludes commercial
  use. Used only when the user asks for it (option ``landmarks68``).

The package's ``__init__`` imports ``pkg_resources``, which setuptools 81 and later no longer ship, so it is
never imported: ``importlib.util.find_spec`` finds its folder without running it. Models are loaded once
per process and kept.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

EXTRA_HINT = "pip install 'vidsleuth[faces]'"
# The skip reason becomes a verdict caveat: it says what was not examined.
NOT_INSTALLED = f"needs the faces extra: {EXTRA_HINT}; face swaps were not examined"

LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
LANDMARKS_68 = "shape_predictor_68_face_landmarks.dat"
DESCRIPTOR = "dlib_face_recognition_resnet_model_v1.dat"
CNN_DETECTOR = "mmod_human_face_detector.dat"
_NEEDED = (LANDMARKS_5, DESCRIPTOR)


def models_dir() -> Path | None:
    """The folder of face-recognition-models' .dat files, or None when the package is not installed."""
    try:
        spec = importlib.util.find_spec("face_recognition_models")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def missing() -> str | None:
    """Why the face models cannot be used here, or None when they can (nothing is imported or loaded)."""
    try:
        has_dlib = importlib.util.find_spec("dlib") is not None
    except (ImportError, ValueError):
        has_dlib = False
    folder = models_dir()
    if not has_dlib or folder is None:
        return NOT_INSTALLED
    absent = [name for name in _NEEDED if not (folder / name).is_file()]
    if absent:
        return f"{absent[0]} is missing from face-recognition-models; reinstall it ({EXTRA_HINT})"
    return None


def _path(name: str) -> str:
    folder = models_dir()
    path = folder / name if folder is not None else Path(name)
    if not path.is_file():
        raise FileNotFoundError(f"face model {name} is not installed ({EXTRA_HINT})")
    return str(path)


def dlib() -> Any:
    """The dlib module (imported on first use, so that importing the signal never needs the extra)."""
    import dlib as module

    return module


@functools.cache
def hog_detector() -> Any:
    return dlib().get_frontal_face_detector()


@functools.cache
def cnn_detector() -> Any:
    return dlib().cnn_face_detection_model_v1(_path(CNN_DETECTOR))


@functools.cache
def predictor(points: int) -> Any:
    """The 5-point (default) or the 68-point (non-commercial, opt-in) shape predictor."""
    return dlib().shape_predictor(_path(LANDMARKS_68 if points == 68 else LANDMARKS_5))


@functools.cache
def descriptor_net() -> Any:
    return dlib().face_recognition_model_v1(_path(DESCRIPTOR))
