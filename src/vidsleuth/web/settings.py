"""Server settings: where cases live, who may call, and the limits that keep one server healthy.

One frozen object, built by `vidsleuth serve` from its options or by a test, and passed to
`create_app(settings)`. `validate()` refuses combinations that would be unsafe (a non-loopback bind
without a token) or meaningless (zero workers) with one-line `ConfigError`s.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from vidsleuth.batch.engine import ENGINES
from vidsleuth.core.settings import Settings
from vidsleuth.errors import ConfigError

MB = 1024 * 1024
MIN_TOKEN_LENGTH = 16
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
CASES_FILE = "cases.sqlite"
# Measured (docs/reliability.md): a worker analysing a 1080p clip with OCR reading a mark needs about
# 670 MB of private memory, a 4K clip 880 MB, an 8K one (7680x4320) 2.2 GB; 3 GB leaves room for all of
# them and stops a decompression bomb long before it hurts the machine.
DEFAULT_WORKER_MEMORY_MB = 3072
MIN_WORKER_MEMORY_MB = 256


def is_loopback_host(host: str) -> bool:
    """True for names and addresses that only this machine can reach (localhost, 127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def default_workers() -> int:
    """Analyses in parallel: one per core, at most four, leaving the web process a share of the CPU."""
    return max(1, min(4, (os.cpu_count() or 1)))


@dataclass(frozen=True, slots=True)
class ServerSettings:
    data_dir: Path = Path("vidsleuth-data")  # uploads and the default SQLite file
    database_url: str | None = None  # SQLAlchemy URL; default sqlite:///<data_dir>/cases.sqlite
    token: str | None = None  # bearer token; required when `host` is not a loopback address
    host: str = "127.0.0.1"  # the address the server binds (decides whether a token is required)
    max_upload_bytes: int = 500 * MB
    max_duration_s: float = 15 * 60.0  # longer videos are refused before their frames are decoded
    workers: int = field(default_factory=default_workers)
    max_queue: int = 200  # cases waiting for a worker; beyond this, submissions get 503
    job_timeout_s: float = 30 * 60.0  # an analysis running longer is stopped and its case failed
    jobs_per_worker: int = 50  # a worker process is replaced after this many analyses (bounds growth)
    # Memory cap per worker process (RLIMIT_DATA: its private writable memory), in MB; None: no cap.
    worker_memory_mb: int | None = DEFAULT_WORKER_MEMORY_MB
    max_attempts: int = 2  # a case interrupted by a server stop is retried this many times in all
    allow_urls: bool = True  # accept URL submissions
    url_exempt_networks: tuple[str, ...] = ()  # TESTS ONLY: non-public networks URL fetches may reach
    # Per network operation while fetching a URL; the whole download has a wall-clock deadline of four
    # times this (urlfetch.default_deadline), however slowly the server sends.
    fetch_timeout_s: float = 60.0
    keep_uploads: bool = True  # keep each analysed file (random name, never served) for re-analysis
    allowed_hosts: tuple[str, ...] = ()  # extra Host header values accepted (names behind a proxy)
    secure_cookies: bool = False  # mark the session cookie Secure (set when served over HTTPS)
    analysis: Settings = field(default_factory=Settings)
    # The engine analyses run on: "local" (worker processes here) or "ray" (Ray tasks; in this process
    # with `workers` CPUs, or on the cluster at `ray_address`, e.g. "auto" or "ray://head:10001").
    engine: str = "local"
    ray_address: str | None = None

    @property
    def job_settings(self) -> Settings:
        """The analysis settings of every case: `analysis`, with the server's duration limit enforced on
        decoded time too (a container can declare 1 s and hold 200 s)."""
        limit = self.analysis.max_duration_s
        if limit is not None and limit <= self.max_duration_s:
            return self.analysis
        return replace(self.analysis, max_duration_s=self.max_duration_s)

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / CASES_FILE).resolve()}"

    @property
    def auth_required(self) -> bool:
        return bool(self.token)

    def validate(self) -> None:
        """Raise ConfigError (one line) for unsafe or meaningless settings."""
        if self.token is not None and len(self.token) < MIN_TOKEN_LENGTH:
            raise ConfigError(
                f"the bearer token is {len(self.token)} characters; use at least {MIN_TOKEN_LENGTH}, "
                "e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if self.token is not None and (self.token != self.token.strip() or not self.token.isprintable()):
            raise ConfigError("the bearer token has spaces or control characters; use a URL-safe string")
        if not self.token and not is_loopback_host(self.host):
            raise ConfigError(
                f"refusing to serve on {self.host} without a bearer token: anyone who can reach it could "
                "read every case; set VIDSLEUTH_TOKEN, or bind 127.0.0.1"
            )
        for name, value in (
            ("workers", self.workers),
            ("max_queue", self.max_queue),
            ("jobs_per_worker", self.jobs_per_worker),
            ("max_attempts", self.max_attempts),
            ("max_upload_bytes", self.max_upload_bytes),
        ):
            if value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        for name, seconds in (
            ("max_duration_s", self.max_duration_s),
            ("job_timeout_s", self.job_timeout_s),
            ("fetch_timeout_s", self.fetch_timeout_s),
        ):
            if not seconds > 0:
                raise ConfigError(f"{name} must be a positive number of seconds, got {seconds}")
        for network in self.url_exempt_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ConfigError(
                    f"url_exempt_networks: {network!r} is not a network (e.g. 127.0.0.0/8)"
                ) from None
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.ray_address is not None and self.engine != "ray":
            raise ConfigError("a Ray address only applies to the ray engine (add --engine ray)")
        if self.worker_memory_mb is not None and self.worker_memory_mb < MIN_WORKER_MEMORY_MB:
            raise ConfigError(
                f"worker_memory_mb must be at least {MIN_WORKER_MEMORY_MB}, got {self.worker_memory_mb} "
                "(0 on the command line turns the cap off)"
            )
