"""Load on loopback (bounded): 50 concurrent small uploads to `vidsleuth serve` in its own process.
Every upload is accepted, every case gets its report, none is lost, and the server's memory (web
process plus worker processes) stays bounded. The figures are printed and written to
``load-figures.json`` in the test's tmp dir (docs/web.md quotes a run)."""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from tests import media_factory as mf
from tests.web_support import running_server

UPLOADS = 50
WORKERS = 2
DEADLINE_S = 600.0  # the whole run, generous for a loaded 2-core machine
MAX_TOTAL_RSS_MB = 1500  # web process + workers, at the peak
MAX_WEB_GROWTH_MB = 150  # the web process after the run, against right after start


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return found


class Sampler(threading.Thread):
    """Samples the server's RSS (itself and its worker processes) every 100 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_total_kb = 0
        self.peak_web_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            web = rss_kb(self.pid)
            total = web + sum(rss_kb(c) for c in children(self.pid))
            self.peak_web_kb, self.peak_total_kb = max(self.peak_web_kb, web), max(self.peak_total_kb, total)
            time.sleep(0.1)


def post_video(base: str, name: str, data: bytes) -> tuple[int, dict[str, Any], float]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/api/cases", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=120) as answer:
        return answer.status, json.load(answer), time.monotonic() - started


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.load(answer)


@pytest.mark.slow
def test_fifty_concurrent_uploads(tmp_path: Path) -> None:
    videos = {
        f"load-{i:02d}.mp4": mf.write_video(
            tmp_path / f"v{i}.mp4", [mf.Scene(1.0, 100 + i)], size=(64, 48)
        ).read_bytes()
        for i in range(UPLOADS)
    }
    with running_server(tmp_path, "--workers", str(WORKERS)) as (base, pid):
        sampler = Sampler(pid)
        sampler.start()
        web_start_kb = rss_kb(pid)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=UPLOADS) as pool:
            answers = list(pool.map(lambda item: post_video(base, *item), videos.items()))
        submitted_s = time.monotonic() - started
        assert [status for status, _, _ in answers] == [202] * UPLOADS
        ids = {body["id"]: body["display_name"] for _, body, _ in answers}
        assert len(ids) == UPLOADS

        pending = set(ids)
        while pending and time.monotonic() - started < DEADLINE_S:
            for case_id in list(pending):
                if get_json(f"{base}/api/cases/{case_id}")["status"] in ("done", "failed"):
                    pending.discard(case_id)
            time.sleep(0.5)
        all_done_s = time.monotonic() - started
        assert not pending, f"{len(pending)} cases unfinished after {DEADLINE_S} s"

        listed = get_json(f"{base}/api/cases?limit=200")
        assert listed["total"] == UPLOADS and {c["id"] for c in listed["items"]} == set(ids)  # none lost
        statuses = {c["status"] for c in listed["items"]}
        assert statuses == {"done"}, statuses
        for case_id in ids:
            report = get_json(f"{base}/api/cases/{case_id}/report.json")
            assert report["source"]["name"] == ids[case_id]
        time.sleep(1.0)
        sampler.stop.set()
        sampler.join()
        web_end_kb = rss_kb(pid)

    latencies = sorted(t for _, _, t in answers)
    figures = {
        "uploads": UPLOADS,
        "workers": WORKERS,
        "upload_bytes_each": round(statistics.mean(len(v) for v in videos.values())),
        "all_accepted_s": round(submitted_s, 2),
        "upload_latency_p50_s": round(latencies[len(latencies) // 2], 3),
        "upload_latency_max_s": round(latencies[-1], 3),
        "all_reports_s": round(all_done_s, 1),
        "cases_per_s": round(UPLOADS / all_done_s, 2),
        "peak_rss_total_mb": round(sampler.peak_total_kb / 1024),
        "peak_rss_web_mb": round(sampler.peak_web_kb / 1024),
        "web_rss_start_mb": round(web_start_kb / 1024),
        "web_rss_end_mb": round(web_end_kb / 1024),
    }
    (tmp_path / "load-figures.json").write_text(json.dumps(figures, indent=2))
    print("\nload figures:", json.dumps(figures))
    assert sampler.peak_total_kb / 1024 < MAX_TOTAL_RSS_MB, figures
    assert (web_end_kb - web_start_kb) / 1024 < MAX_WEB_GROWTH_MB, figures
