"""Visible-watermark analysis behind the `watermark` signal.

`regions` finds overlays from the video (what stays put while the content moves), `ocr` reads them (the
only module that imports the OCR engine, lazily), `catalogue` and `reading` say which mark and @handle
the text names, `findings` turns what was read into evidence, and `removal` looks for signs that a mark
was cropped, blurred or painted over. Nothing here imports the OCR engine at import time.
"""
