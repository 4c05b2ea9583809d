"""Read the "dwtDct" invisible watermark of invisible-watermark 0.2.0 with numpy and OpenCV alone.

Why this module exists: Stable Diffusion's, SDXL's, Stable Video Diffusion's and FLUX's reference code
stamp their output with fixed payloads through invisible-watermark, whose package imports torch (2.6 GB
with its CUDA wheels) and pulls a full opencv-python that conflicts with the project's headless OpenCV.
Its decoder is a few array operations (`imwatermark/maxDct.py`, EmbedMaxDct with scales [0, 36, 36],
block 4), reproduced here bit for bit:

1. RGB -> YUV (uint8, OpenCV), the U channel only (channel 0 has scale 0 and V is never read);
2. one Haar level on the top-left (rows//4*4, cols//4*4) region, keeping the approximation band,
   computed in PyWavelets' order and constants so that float ties in flat chroma break the same way;
3. 4x4 blocks of that band, row-major; block k carries bit k mod n;
4. per block, the element of largest magnitude other than the top-left one; score (|v| mod 36) > 18
   (despite the method's name, no DCT is computed on this path);
5. per bit, the mean of its block scores > 0.5.

Measured (research notes of issue #16): bit-exact with the library on 96 decodes, about 5 ms per megapixel.
The block scores are computed once per frame and every payload is read from them.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

SCALE = 36.0
BLOCK = 4
_C = 0.7071067811865476  # pywt.Wavelet("haar").dec_lo[0], as a double

Pixels = npt.NDArray[np.uint8]


def block_scores(rgb: Pixels) -> npt.NDArray[np.uint8]:
    """Per-block 0/1 scores of the U channel, row-major: the library's decode order."""
    rows, cols = rgb.shape[:2]
    r4, c4 = rows // 4 * 4, cols // 4 * 4
    u = cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2YUV)[:r4, :c4, 1].astype(np.float64)
    half = u[0::2, :] * _C + u[1::2, :] * _C  # rows first, then columns: PyWavelets' order
    band = half[:, 0::2] * _C + half[:, 1::2] * _C
    h, w = band.shape
    nr, nc = h // BLOCK, w // BLOCK
    blocks = (
        band[: nr * BLOCK, : nc * BLOCK]
        .reshape(nr, BLOCK, nc, BLOCK)
        .swapaxes(1, 2)
        .reshape(-1, BLOCK * BLOCK)
    )
    if blocks.shape[0] == 0:
        return np.zeros(0, np.uint8)
    pos = np.argmax(np.abs(blocks[:, 1:]), axis=1) + 1
    value = np.abs(blocks[np.arange(blocks.shape[0]), pos])
    out: npt.NDArray[np.uint8] = (np.mod(value, SCALE) > 0.5 * SCALE).astype(np.uint8)
    return out


def decode_bits(scores: npt.NDArray[np.uint8], n_bits: int) -> npt.NDArray[np.uint8]:
    """The n-bit payload the scores vote for (bit k: the mean of blocks k, k+n, k+2n, ...)."""
    index = np.arange(scores.size) % n_bits
    sums = np.bincount(index, weights=scores, minlength=n_bits)
    counts = np.bincount(index, minlength=n_bits)
    mean = np.divide(sums, counts, out=np.zeros(n_bits), where=counts > 0)
    return (mean * 255 > 127).astype(np.uint8)


def matched_bits(scores: npt.NDArray[np.uint8], payload: tuple[int, ...]) -> int:
    """How many bits of `payload` the scores reproduce."""
    got = decode_bits(scores, len(payload))
    return int(np.sum(got == np.asarray(payload, np.uint8)))


def binomial_tail(k: int, n: int) -> float:
    """P[X >= k] for X ~ Binomial(n, 1/2): the chance that unmarked bits match k of n by luck."""
    return math.fsum(math.comb(n, i) for i in range(max(k, 0), n + 1)) / 2.0**n


def threshold(n: int, alpha: float) -> int:
    """The smallest k with P[X >= k] <= alpha under that null."""
    for k in range(n + 1):
        if binomial_tail(k, n) <= alpha:
            return k
    return n + 1
