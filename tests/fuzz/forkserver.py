"""Runs the `vidsleuth` CLI once per request, each in its own forked, resource-limited process.

Importing vidsleuth and its signals costs seconds; a fuzz campaign runs the CLI hundreds of times. This
process imports them once, then for each request (a JSON line on stdin) forks a child that sets its
limits (private memory, CPU seconds), points stdout/stderr at files and calls the CLI's entry point as
`vidsleuth` would; the parent waits with a wall-clock timeout, kills a child that passes it, and
answers one JSON line: exit status, stderr, wall seconds, CPU seconds and the child's peak RSS.

    {"args": ["check", "f.mp4", "--no-report"], "timeout_s": 30, "memory_mb": 2048, "cpu_s": 60}
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import sys
import tempfile
import time
from typing import Any

_STDOUT_KEPT = 4 << 20


def _child(args: list[str], out_fd: int, err_fd: int, memory_mb: int, cpu_s: int) -> None:
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    code = 5
    try:
        if memory_mb:
            cap = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
        if cpu_s:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))
        from vidsleuth.cli.main import main

        try:
            main.main(args=args, prog_name="vidsleuth", standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # what escapes the CLI's own handler: printed, as the real entry point would
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def run_one(request: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            _child(
                list(request["args"]),
                out.fileno(),
                err.fileno(),
                int(request.get("memory_mb", 0)),
                int(request.get("cpu_s", 0)),
            )
        timeout = float(request.get("timeout_s", 60))
        timed_out = False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - started > timeout:
                os.kill(pid, signal.SIGKILL)
                timed_out = True
                done, status, usage = os.wait4(pid, 0)
                break
            time.sleep(0.005)
        seconds = time.monotonic() - started
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        out.seek(0)
        stdout = out.read(_STDOUT_KEPT).decode("utf-8", "replace")
    return {
        "rc": code,
        "stderr": stderr,
        "stdout": stdout,
        "seconds": round(seconds, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "timed_out": timed_out,
    }


def main() -> None:
    # Everything a check imports, imported once: the children start from here.
    import vidsleuth.cli.main  # noqa: F401
    from vidsleuth.registry import shared_registry

    shared_registry()
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        print(json.dumps(run_one(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
