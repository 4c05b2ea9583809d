"""Reverse image search links for a keyframe, the way fact-checkers search a clip's frames.

Search engines can only fetch an image that is on the web. When a keyframe has a public http(s) URL
(a report served by the API), each link searches that image directly; for a local report the links
open each engine's upload page, and the report offers the keyframe as a download to drop there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit


@dataclass(frozen=True, slots=True)
class SearchEngine:
    name: str
    by_url: str  # {url} is replaced by the percent-encoded image URL
    upload_page: str


ENGINES: tuple[SearchEngine, ...] = (
    SearchEngine("Google Lens", "https://lens.google.com/uploadbyurl?url={url}", "https://lens.google.com/"),
    SearchEngine(
        "Bing Visual Search",
        "https://www.bing.com/images/search?view=detailv2&iss=sbi&q=imgurl:{url}",
        "https://www.bing.com/visualsearch",
    ),
    SearchEngine(
        "Yandex Images",
        "https://yandex.com/images/search?rpt=imageview&url={url}",
        "https://yandex.com/images/",
    ),
    SearchEngine("TinEye", "https://tineye.com/search?url={url}", "https://tineye.com/"),
)


@dataclass(frozen=True, slots=True)
class SearchLink:
    engine: str
    url: str
    mode: str  # "by_url": searches the image itself; "upload": opens the engine's upload page

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "url": self.url, "mode": self.mode}


def is_public_image_url(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def search_links(image_url: str | None = None) -> tuple[SearchLink, ...]:
    """One link per engine: by URL when `image_url` is a public http(s) URL, else the upload page."""
    if is_public_image_url(image_url):
        assert image_url is not None
        encoded = quote(image_url, safe="")
        return tuple(SearchLink(e.name, e.by_url.format(url=encoded), "by_url") for e in ENGINES)
    return tuple(SearchLink(e.name, e.upload_page, "upload") for e in ENGINES)
