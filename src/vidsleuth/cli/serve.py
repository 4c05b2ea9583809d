"""`vidsleuth serve`: the web app and HTTP API (needs the `web` extra).

Follows the CLI's conventions: every problem the operator can cause is one line on standard error with
a documented exit code (2 for bad options, unsafe settings or a missing extra). The bearer token is
read from an environment variable, never from the command line, where other users could see it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from vidsleuth.batch.engine import ENGINE_ENV, ENGINES, RAY_ADDRESS_ENV
from vidsleuth.cli.base import Command
from vidsleuth.core.settings import Settings
from vidsleuth.errors import SignalUnavailableError
from vidsleuth.pipeline import prepare_settings

WEB_EXTRA = "vidsleuth[web]"
DEFAULT_TOKEN_ENV = "VIDSLEUTH_TOKEN"


@click.command(cls=Command)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind; non-loopback needs a token."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--data-dir",
    default="vidsleuth-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Uploads and the default SQLite database live here.",
)
@click.option(
    "--db", "database_url", help="Database URL (default: SQLite in the data dir; postgresql+psycopg://...)."
)
@click.option(
    "--token-env",
    default=DEFAULT_TOKEN_ENV,
    show_default=True,
    help="Environment variable holding the bearer token (required off loopback).",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Analyses in parallel (default: cores, at most 4)."
)
@click.option("--max-upload-mb", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--max-duration", default=900.0, show_default=True, type=click.FloatRange(1), help="Seconds.")
@click.option("--job-timeout", default=1800.0, show_default=True, type=click.FloatRange(10), help="Seconds.")
@click.option(
    "--worker-memory-mb",
    type=click.IntRange(0),
    default=3072,
    show_default=True,
    help="Memory cap per analysis process (its private memory, RLIMIT_DATA); 0: no cap.",
)
@click.option("--no-urls", is_flag=True, help="Accept uploads only; never fetch URLs.")
@click.option("--delete-uploads", is_flag=True, help="Delete each video once analysed (reports are kept).")
@click.option(
    "--allowed-host", "allowed_hosts", multiple=True, help="Extra Host name to answer (behind a proxy)."
)
@click.option(
    "--secure-cookies", is_flag=True, help="Mark the sign-in cookie Secure (when served over HTTPS)."
)
@click.option("--trust-anchors", type=click.Path(dir_okay=False), help="PEM file of C2PA trust anchors.")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    envvar=ENGINE_ENV,
    help="What runs the analyses: worker processes here, or Ray tasks (the `ray` extra). "
    "Env: VIDSLEUTH_ENGINE.",
)
@click.option(
    "--ray-address",
    envvar=RAY_ADDRESS_ENV,
    help="With --engine ray: a running cluster (auto, ray://host:10001); default: Ray in this process. "
    "Env: VIDSLEUTH_RAY_ADDRESS.",
)
@click.option(
    "--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning"])
)
def serve(
    host: str,
    port: int,
    data_dir: str,
    database_url: str | None,
    token_env: str,
    workers: int | None,
    max_upload_mb: int,
    max_duration: float,
    job_timeout: float,
    worker_memory_mb: int,
    no_urls: bool,
    delete_uploads: bool,
    allowed_hosts: tuple[str, ...],
    secure_cookies: bool,
    trust_anchors: str | None,
    engine: str,
    ray_address: str | None,
    log_level: str,
) -> None:
    """Serve the web app and the HTTP API: upload or link a video, watch the checks, review the report.

    Exit codes: 2 bad options, unsafe settings (a non-loopback --host without a token) or the web extra
    (or, with --engine ray, the ray extra) missing.
    """
    try:
        import uvicorn

        from vidsleuth.web import ServerSettings, create_app
        from vidsleuth.web.settings import MB, default_workers
    except ImportError as exc:
        raise SignalUnavailableError(
            f"`vidsleuth serve` needs the web extra ({exc.name or exc} is missing): pip install '{WEB_EXTRA}'"
        ) from None
    if engine == "ray":
        from vidsleuth.batch.ray_engine import import_ray

        import_ray()  # a missing extra is one line now, not a failed start-up later
    # Checked once here, as `check` does: unknown options, a missing trust list, the default bank.
    options = {"provenance": {"trust_anchors": trust_anchors}} if trust_anchors else {}
    # The duration limit holds on decoded presentation time too, whatever the container declares.
    analysis = prepare_settings(Settings(options=options, max_duration_s=max_duration))

    token = os.environ.get(token_env) or None
    settings = ServerSettings(
        data_dir=Path(data_dir),
        database_url=database_url,
        token=token,
        host=host,
        max_upload_bytes=max_upload_mb * MB,
        max_duration_s=max_duration,
        workers=workers or default_workers(),
        job_timeout_s=job_timeout,
        worker_memory_mb=worker_memory_mb or None,
        allow_urls=not no_urls,
        keep_uploads=not delete_uploads,
        allowed_hosts=tuple(h.lower() for h in allowed_hosts),
        secure_cookies=secure_cookies,
        analysis=analysis,
        engine=engine,
        ray_address=ray_address or None,
    )
    app = create_app(settings)

    shown = f"[{host}]" if ":" in host else host
    auth = f"bearer token from ${token_env}" if token else "off (loopback only)"
    click.echo(
        f"vidsleuth serving on http://{shown}:{port}  data: {settings.data_dir}  auth: {auth}  "
        f"workers: {settings.workers} ({engine}{' at ' + ray_address if ray_address else ''})",
        err=True,
    )
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
