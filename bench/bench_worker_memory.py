"""Benchmark: how much memory a web worker needs, to size `vidsleuth serve --worker-memory-mb`.

Makes clips with a drawn Sora mark and @handle (so that the watermark signal's OCR, onnxruntime, is
loaded and reads), at 1080p, 4K and 8K, and runs each as a web worker runs a case (`web.worker.run_job`
with the shared registry), in a child process: first without a cap, sampling its private memory
(VmData, what the cap limits) every 10 ms, then under the cap given, checking that every signal still
ends as it did uncapped. Prints one row per clip. Run:

    nice -n 10 .venv/bin/python bench/bench_worker_memory.py                 # default cap
    .venv/bin/python bench/bench_worker_memory.py --cap-mb 700 --sizes 1920x1080
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, os, resource, sys, threading, time
cap = int(sys.argv[2])
if cap:
    resource.setrlimit(resource.RLIMIT_DATA, (cap << 20, cap << 20))
peak = [0]
def status():
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmData", "VmHWM", "VmPeak"):
                out[key] = int(value.split()[0]) // 1024
    return out
def sample():
    while True:
        peak[0] = max(peak[0], status()["VmData"])
        time.sleep(0.01)
threading.Thread(target=sample, daemon=True).start()
from vidsleuth.core.settings import Settings
from vidsleuth.registry import shared_registry
from vidsleuth.web.worker import Job, run_job
registry = shared_registry()
sent = []
started = time.monotonic()
job = Job("bench", os.path.basename(sys.argv[1]), Settings(max_duration_s=900), 900.0, path=sys.argv[1])
run_job(job, sent.append, registry)
last = sent[-1]
signals = {r["signal"]: r["status"] for r in last[2]["results"]} if last[0] == "done" else {}
results = last[2]["results"] if signals else []
ocr = sum(r["metrics"].get("ocr_reads", 0) for r in results if r["signal"] == "watermark")
seconds = round(time.monotonic() - started, 1)
print(json.dumps({"outcome": last[0], "seconds": seconds, "peak_data_mb": peak[0],
                  "signals": signals, "ocr_reads": ocr, **status()}))
"""


def _run(path: Path, cap_mb: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(cap_mb)], capture_output=True, text=True, cwd=ROOT
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        return {"outcome": f"exit {done.returncode}", "error": done.stderr.strip()[-300:]}
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cap-mb", type=int, default=3072, help="the cap to check (default: the server's)")
    parser.add_argument("--sizes", default="1920x1080,3840x2160,7680x4320")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests import watermark_factory as wf

    print(f"{'clip':>12} {'peak VmData':>12} {'peak RSS':>9} {'s':>6} {'OCR':>4}  under {args.cap_mb} MB")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            w, h = (int(v) for v in size.split("x"))
            clip = Path(tmp) / f"sora_{size}.mp4"
            fps = 30 if w * h <= 3840 * 2160 else 10
            wf.marked_video(clip, size=(w, h), seconds=args.seconds, fps=fps, handle="@someone")
            free = _run(clip, 0)
            capped = _run(clip, args.cap_mb)
            same = capped.get("signals") == free.get("signals") and capped.get("outcome") == "done"
            print(
                f"{size:>12} {free.get('peak_data_mb', '?'):>9} MB {free.get('VmHWM', '?'):>6} MB "
                f"{free.get('seconds', '?'):>6} {free.get('ocr_reads', '?'):>4}  "
                f"{'same result' if same else 'DIFFERENT: ' + json.dumps(capped)[:200]}"
            )


if __name__ == "__main__":
    main()
