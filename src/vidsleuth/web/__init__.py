"""The web app and HTTP API behind `vidsleuth serve` (needs the `web` extra).

    >>> from vidsleuth.web import ServerSettings, create_app
    >>> app = create_app(ServerSettings(data_dir=Path("cases")))

Layout: `app` (the factory), `settings`, `cases_store` (cases, reports, review; SQLAlchemy),
`pool` + `worker` (analyses in worker processes), `uploads` and `urlfetch` (+ `downloader`) for what
comes in, `routes_api` (JSON, OpenAPI) and `routes_web` (pages), `security`, `errors`, `presenter`.
"""

from vidsleuth.web.app import create_app
from vidsleuth.web.settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]
