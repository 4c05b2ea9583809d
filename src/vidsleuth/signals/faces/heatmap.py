"""The boundary heatmap: local noise level drawn over the face at the frame where the face was smoothest
against the ring around it (the most negative noise log ratio of the video).

Colours show Immerkær's noise estimate averaged over small blocks, from dark (smooth) to bright (noisy),
on a scale from 0 to the 95th percentile of the crop; the face region measured is outlined in white and
the ring around it in cyan. A blended face that was generated smooth shows as a dark patch inside a
noisier ring. The image is made once, at the end, from the one crop the scan kept.
"""

from __future__ import annotations

import base64
import io

import cv2
import numpy as np
from PIL import Image

from vidsleuth.core.result import Thumbnail
from vidsleuth.signals.faces import boundary

MIN_SIDE = 200  # the image is enlarged to at least this size
BLOCK = 5  # px of the measured crop averaged per heatmap cell
STATISTIC = "local noise level (Immerkær sigma, grey levels)"


def render(m: boundary.Measured, label: str, time_s: float) -> tuple[Thumbnail, tuple[float, float]]:
    """The heatmap as a report thumbnail, and its colour scale (low, high)."""
    grey = m.crop.astype(np.float32)
    level = cv2.blur(boundary.noise_map(grey), (BLOCK, BLOCK))
    high = float(np.percentile(level, 95)) or 1.0
    norm = np.clip(level / high * 255.0, 0, 255).astype(np.uint8)
    colour = cv2.cvtColor(cv2.applyColorMap(norm, cv2.COLORMAP_INFERNO), cv2.COLOR_BGR2RGB)
    base = cv2.cvtColor(grey.astype(np.uint8), cv2.COLOR_GRAY2RGB)
    image = cv2.addWeighted(colour, 0.65, base, 0.35, 0.0)
    inside, ring, _ = boundary.regions(grey.shape[:2], m.hull, m.face_px)
    for mask, rgb in ((ring, (0, 220, 255)), (inside, (255, 255, 255))):
        contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(image, contours, -1, rgb, 1)
    scale = max(1.0, MIN_SIDE / max(1, min(image.shape[:2])))
    if scale > 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="JPEG", quality=88)
    thumb = Thumbnail(
        label=label,
        time_s=time_s,
        jpeg_base64=base64.b64encode(buf.getvalue()).decode("ascii"),
        width=int(image.shape[1]),
        height=int(image.shape[0]),
    )
    return thumb, (0.0, round(high, 3))
